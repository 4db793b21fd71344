package e2e

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

const attack2S25Table = `schema "s" {}

table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`

// TestAttack2S25LeftScratchIsSaidBeforeItIsMarked: a killed run's scratch
// database the server cannot drop (a *.TRG- left in its directory) is
// marked emcee_scratch_left by the run that finds it, and later runs say
// nothing more of it. The run that marked it said nothing either when it
// could not go on to create its own scratch database (here: the account
// may not create one; the same for Ctrl-C in the middle of the cleanup):
// the notes of what opening found were dropped with the failure, so the
// database was hidden from every run, unsaid.
func TestAttack2S25LeftScratchIsSaidBeforeItIsMarked(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	root := srv.Open(t)
	db := *srv.NewDB(t)
	for _, q := range []string{
		"CREATE USER emcee@'%' IDENTIFIED BY 'pw'",
		"GRANT ALL ON `" + db.Name + "`.* TO emcee@'%'",
		"GRANT ALL ON `emcee\\_scratch\\_%`.* TO emcee@'%'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.URL = fmt.Sprintf("mysql://emcee:pw@127.0.0.1:%d/%s", srv.Port, db.Name)
	p := plannedProjectOn(t, &db, "mariadb 10.11", [2]string{"a", attack2S25Table})
	p.must("db", "sync", "a")

	// A killed run's scratch database, with a file the server left.
	const stale = "emcee_scratch_1000_1"
	if _, err := root.Exec("CREATE DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(srv.Dir, "data", stale, "gone.TRG-"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The account may clean up that one, but not create its own.
	for _, q := range []string{
		"REVOKE ALL ON `emcee\\_scratch\\_%`.* FROM emcee@'%'",
		"GRANT ALL ON `emcee\\_scratch\\_1000\\_%`.* TO emcee@'%'",
	} {
		if _, err := root.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	first := p.run("db", "diff")
	if first.Code == 0 {
		t.Fatalf("db diff without a scratch database: %s", first)
	}
	if _, err := root.Exec("GRANT ALL ON `emcee\\_scratch\\_%`.* TO emcee@'%'"); err != nil {
		t.Fatal(err)
	}
	second := p.must("db", "diff")
	var marked int
	if err := root.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'emcee_scratch_left'", stale).Scan(&marked); err != nil {
		t.Fatal(err)
	}
	said := strings.Contains(first.Stdout+first.Stderr, "could not drop scratch database "+stale) ||
		strings.Contains(second.Stdout+second.Stderr, "could not drop scratch database "+stale)
	if marked == 1 && !said {
		t.Fatalf("%s is marked to be left alone, and no run said so:\nfirst %s\nsecond %s", stale, first, second)
	}
	if !strings.Contains(first.Stdout+first.Stderr, "could not drop scratch database "+stale) {
		t.Errorf("the run that met %s first did not say so: %s", stale, first)
	}
	if err := os.Remove(filepath.Join(srv.Dir, "data", stale, "gone.TRG-")); err != nil {
		t.Fatal(err)
	}
	if _, err := root.Exec("DROP DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
}

// TestAttack2S25LoadValuesAreNotPrintedRaw: a load threshold from
// atlas.hcl (which a change under review may bring) or a flag, with escape
// sequences in it, is refused without them reaching the terminal raw.
// project.ParseLoads words the threshold and, for a variable given twice,
// the whole value as they came; the command's error printing escapes
// them (a refuted attack, kept as a guard).
func TestAttack2S25LoadValuesAreNotPrintedRaw(t *testing.T) {
	t.Parallel()
	for _, value := range []string{
		`Threads_running=5\u001b[2J`,
		`Threads_connected=5,threads_connected=6,\u001b]0;owned\u0007`,
	} {
		for _, key := range []string{"osc_max_load", "osc_critical_load"} {
			dir := t.TempDir()
			opWrite(t, filepath.Join(dir, "schema", "a.hcl"), []byte(attack2S25Table))
			opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(fmt.Sprintf("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n  %s = \"%s\"\n}\n", key, value)))
			cmd := exec.Command(opBinary(t), "plan")
			cmd.Dir = dir
			r := opRunCmd(t, cmd)
			if r.Code == 0 || !strings.Contains(r.Stderr, "emcee."+key) || strings.ContainsAny(r.Stdout+r.Stderr, "\x1b\x07") {
				t.Errorf("%s = %s: %q", key, value, r.Stdout+r.Stderr)
			}
		}
	}
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "schema", "a.hcl"), []byte(attack2S25Table))
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("env \"test\" {\n  url = \"mysql://nobody@127.0.0.1:1/x\"\n}\n\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n"))
	for _, flag := range []string{"--max-load", "--critical-load", "--osc-max-load", "--osc-critical-load"} {
		for _, value := range []string{"Threads_running=5\x1b[2J", "Threads_connected=5,threads_connected=6,\x1b]0;owned\x07"} {
			cmd := exec.Command(opBinary(t), "db", "migrate", "--env", "test", "--osc", "pt-osc", flag, value)
			cmd.Dir = dir
			r := opRunCmd(t, cmd)
			if r.Code == 0 || !strings.Contains(r.Stderr, flag) || strings.ContainsAny(r.Stdout+r.Stderr, "\x1b\x07") {
				t.Errorf("%s %q: %q", flag, value, r.Stdout+r.Stderr)
			}
		}
	}
}

// TestAttack2S25SecondRollbackStoppedHalfWay: pike rolled back, expanded
// again, and rolled back a second time, killed in the middle. The records
// of the first rollback stay beside those in force; db diff replays the
// ones in force in the order they ran (rollbacks after the release's other
// revisions), db status lists the rollback, db forget keeps every record
// whose statements ran (the stopped rollback's first statements show in
// the schema; the expand and migrate are finished), and the rerun ends
// the second rollback as rollback 2 (a refuted attack on revision.Compare
// and apply's replay, kept as a guard).
func TestAttack2S25SecondRollbackStoppedHalfWay(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "rollback")
	p.must("db", "expand")
	p.must("db", "migrate")

	release := p.holdMDL("image_members")
	p.killWhileWaiting("DROP TABLE `image_members`", true, "db", "rollback")
	release()
	if got := p.query("SELECT applied, in_flight, rolled_back FROM emcee_revisions WHERE name = 'pike_rollback01' ORDER BY rolled_back"); got != "3 1 0\n4 0 1" {
		t.Fatalf("records of pike_rollback01 after the kill: %s", got)
	}
	d := p.must("db", "diff")
	opContains(t, d, "matches what its recorded revisions ocata_expand01 ... pike_rollback01 (3 of 4 statements) produce")
	st := p.run("db", "status")
	opContains(t, st, "a rollback of pike is in progress", "pike_rollback01", "(rollback 1)")
	for _, name := range []string{"pike_expand01", "pike_migrate01", "pike_rollback01"} {
		f := p.run("db", "forget", name)
		if f.Code == 0 {
			t.Fatalf("forget %s in the middle of the second rollback: %s", name, f)
		}
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE release_name = 'pike' AND rolled_back = 0"); got != "3" {
		t.Fatalf("records in force after the refused forgets: %s", got)
	}
	r := p.must("db", "rollback")
	opContains(t, r, "resuming pike_rollback01 at statement 4 of 4", "rollback of pike complete")
	p.must("db", "diff")
	if got := p.query("SELECT name, rolled_back FROM emcee_revisions WHERE release_name = 'pike' ORDER BY rolled_back, name"); got != "pike_expand01 1\npike_migrate01 1\npike_rollback01 1\npike_expand01 2\npike_migrate01 2\npike_rollback01 2" {
		t.Fatalf("records after the second rollback: %s", got)
	}
}

// leftScratchMidCleanup starts `emcee db diff` on a server with two killed
// runs' scratch databases, each with a table and a file the server left,
// and holds the run up in the cleanup: the first database it meets is let
// go (it cannot drop it, and marks it emcee_scratch_left), the second held
// by a session reading its table. stop ends the run there; it returns the
// run's output and the database it met first.
func leftScratchMidCleanup(t *testing.T, stop os.Signal) (p *opProject, root *sql.DB, r opResult, met string) {
	srv := testserver.Start(t, testserver.Options{})
	root = srv.Open(t)
	db := srv.NewDB(t)
	p = plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", attack2S25Table})
	p.must("db", "sync", "a")
	stale := []string{"emcee_scratch_1000_1", "emcee_scratch_1000_2"}
	holders := map[string]*sql.Tx{}
	for _, name := range stale {
		for _, q := range []string{"CREATE DATABASE " + name, "CREATE TABLE " + name + ".t (id int)"} {
			if _, err := root.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(srv.Dir, "data", name, "gone.TRG-"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		tx, err := root.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec("SELECT * FROM " + name + ".t"); err != nil {
			t.Fatal(err)
		}
		holders[name] = tx
	}
	t.Cleanup(func() {
		for _, tx := range holders {
			tx.Rollback()
		}
		for _, name := range stale {
			_ = os.Remove(filepath.Join(srv.Dir, "data", name, "gone.TRG-"))
			_, _ = root.Exec("DROP DATABASE IF EXISTS " + name)
		}
	})
	waiting := func() string {
		var info string
		_ = root.QueryRow("SELECT COALESCE(MAX(INFO), '') FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' AND INFO LIKE 'DROP DATABASE%'").Scan(&info)
		return info
	}
	run := p.start("db", "diff")
	var first string
	p.waitFor("the cleanup's first DROP DATABASE to wait", func() bool { first = waiting(); return first != "" })
	for _, name := range stale {
		if strings.Contains(first, name) {
			met = name
			holders[name].Rollback()
		}
	}
	p.waitFor("the cleanup to wait on the second", func() bool {
		w := waiting()
		return w != "" && !strings.Contains(w, met)
	})
	if err := run.cmd.Process.Signal(stop); err != nil {
		t.Fatal(err)
	}
	r = run.wait(t)
	for name, tx := range holders {
		tx.Rollback()
		delete(holders, name)
	}
	return p, root, r, met
}

// TestAttack2S25LeftScratchIsSaidWhenInterrupted: Ctrl-C while a run
// cleans up killed runs' scratch databases, after it met one it could not
// drop: the interrupted run says so. It said nothing of it (and marked it
// emcee_scratch_left, so that no later run would), said to grant CREATE
// and DROP on emcee_scratch_%, as if creating its own had been refused,
// and to drop by hand the database it was interrupted dropping.
func TestAttack2S25LeftScratchIsSaidWhenInterrupted(t *testing.T) {
	t.Parallel()
	_, _, r, met := leftScratchMidCleanup(t, os.Interrupt)
	if !strings.Contains(r.Stdout, "could not drop scratch database "+met) {
		t.Errorf("the interrupted run did not say it could not drop %s: %s", met, r)
	}
	if !strings.Contains(r.Stdout, "interrupted while looking for scratch databases") || strings.Contains(r.Stdout, "grant CREATE") || strings.Contains(r.Stdout, "drop it by hand") {
		t.Errorf("the interrupted run blamed a privilege, or sent the operator to drop by hand what the next run drops: %s", r)
	}
}

// TestAttack2S25LeftScratchIsSaidAfterKill9: kill -9 in the same place.
// The killed run had marked the database it could not drop before saying
// so (it says what opening found once the dev database is open): no run
// ever said it. It is marked only once said now, and the next run says it.
func TestAttack2S25LeftScratchIsSaidAfterKill9(t *testing.T) {
	t.Parallel()
	p, root, _, met := leftScratchMidCleanup(t, os.Kill)
	// The server ends the killed run's session, and frees its locks, a
	// moment after the process is gone.
	p.waitFor("the killed run's session to end", func() bool {
		var free bool
		return root.QueryRow("SELECT IS_USED_LOCK(?) IS NULL", met).Scan(&free) == nil && free
	})
	next := p.must("db", "diff")
	if !strings.Contains(next.Stdout+next.Stderr, "could not drop scratch database "+met) {
		t.Errorf("no run said it could not drop %s: %s", met, next)
	}
	if again := p.must("db", "diff"); strings.Contains(again.Stdout+again.Stderr, met) {
		t.Errorf("said again: %s", again)
	}
}
