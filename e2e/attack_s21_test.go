package e2e

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A database URL naming localhost and a port (a second server on the
// machine, mysql://u@localhost:3307/app) is reached by emcee over TCP on
// that port. The C client library pt-online-schema-change connects
// through reads h=localhost as "the default socket" and ignores the port:
// the tool altered the table of the same name on the other server of the
// machine. Here the other server is the shared one, holding a database
// and table of the same names; it must be left alone.
func TestAttackOSCLocalhostIsTheURLsServer(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	decoy := testdb.New(t)
	if _, err := srv.Open(t).Exec("CREATE DATABASE " + sqlsyntax.Ident(decoy.Name)); err != nil {
		t.Fatal(err)
	}
	priv, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", srv.Port, decoy.Name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { priv.Close() })
	on := &testdb.DB{DB: priv, Name: decoy.Name, URL: fmt.Sprintf("mysql://root@localhost:%d/%s", srv.Port, decoy.Name)}
	v2 := strings.Replace(oscRelease("events", "hits", "bigint"), "    type = bigint\n", "    type       = bigint\n    allow_copy = true\n", 1)
	p := plannedProjectOn(t, on, "mariadb 10.11", [2]string{"v1", oscRelease("events", "hits", "int")}, [2]string{"v2", v2})
	p.must("db", "sync", "v1")
	p.exec("INSERT INTO events (hits, label) SELECT seq, 'x' FROM seq_1_to_500")
	if r := p.run("db", "sync", "v1", "--url", decoy.URL); r.Code != 0 {
		t.Fatalf("sync v1 on the shared server: %s", r)
	}
	if r := p.run("db", "expand", "--osc", "pt-osc"); r.Code != 0 {
		t.Fatalf("expand through the tool on localhost:%d: %s", srv.Port, r)
	}
	typ := func(db *sql.DB) string {
		var s string
		if err := db.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'events' AND COLUMN_NAME = 'hits'").Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := typ(priv); got != "bigint(20)" {
		t.Errorf("the URL's server (localhost:%d): hits is %s, want bigint(20)", srv.Port, got)
	}
	if got := typ(decoy.DB); got != "int(11)" {
		t.Errorf("the other server of the machine (its default socket) was altered: hits is %s, want int(11) as v1 left it", got)
	}
}

// pt-online-schema-change reads option files of its own before its
// command line: /etc/percona-toolkit/, ~/.percona-toolkit.conf and
// ~/.pt-online-schema-change.conf. An operator's file written for other
// runs of the toolkit (no-swap-tables to rehearse, no-drop-old-table to
// keep a copy) changed what emcee's run did: the tool copied the table
// without swapping it in, exited 0, and emcee recorded the statement
// applied on a table it never altered. emcee's run reads only what emcee
// gives it.
func TestAttackOSCIgnoresTheToolsOptionFiles(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 300, false, "")
	home := t.TempDir()
	opWrite(t, filepath.Join(home, ".pt-online-schema-change.conf"), []byte("no-swap-tables\nno-drop-new-table\n"))
	opWrite(t, filepath.Join(home, ".percona-toolkit.conf"), []byte("no-drop-old-table\n"))
	cmd := p.command("db", "expand", "--osc", "pt-osc")
	cmd.Env = append(cmd.Env, "HOME="+home)
	r := opRunCmd(t, cmd)
	if r.Code != 0 {
		t.Fatalf("expand: %s", r)
	}
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Errorf("the revision was recorded applied, and hits is not widened:\n%s\n%s", got, r)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_events\\_%'"); got != "0" {
		t.Errorf("the tool's tables are left: %s", got)
	}
}

// A fleet's refused rollback gives, per target, the commands that copy
// out what it would drop. They wrote to the same files on every target
// (images.visibility.tsv, image_members.sql): run one after the other, as
// the refusal tells, each target's copy replaced the one before, and
// --drop-new-data then dropped data that was kept nowhere. Here the two
// targets are databases of one name on two servers.
func TestAttackFleetCopyOutKeepsEveryTarget(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	shared := testdb.New(t)
	if _, err := srv.Open(t).Exec("CREATE DATABASE " + sqlsyntax.Ident(shared.Name)); err != nil {
		t.Fatal(err)
	}
	priv, err := sql.Open("mysql", fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", srv.Port, shared.Name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { priv.Close() })
	other := &testdb.DB{DB: priv, Name: shared.Name, URL: fmt.Sprintf("mysql://root@127.0.0.1:%d/%s", srv.Port, shared.Name)}
	dbs := []*testdb.DB{shared, other}
	f := newFleetProject(t, []string{shared.URL, other.URL}, dbs)
	for _, args := range [][]string{{"db", "sync", "ocata"}, {"db", "expand"}} {
		if doc, r := f.runJSON(args...); r.Code != 0 || doc.Outcomes["ok"] != 2 {
			t.Fatalf("%s: %s", strings.Join(args, " "), r)
		}
	}
	for i, db := range dbs {
		for _, q := range []string{
			fmt.Sprintf("INSERT INTO images (id, name, visibility) VALUES (%d, 'pike-community', 'community')", 1000*(i+1)),
			fmt.Sprintf("INSERT INTO image_members (image_id, member) VALUES (%d, 'tenant-%d')", 1000*(i+1), i),
		} {
			if _, err := db.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	doc, r := f.runJSON("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("fleet rollback with pike's data on both: want exit 1: %s", r)
	}
	dir := t.TempDir()
	for _, tg := range doc.Targets {
		var res struct {
			Losses []struct{ Save string }
		}
		if err := json.Unmarshal(tg.Result, &res); err != nil || len(res.Losses) != 2 {
			t.Fatalf("%s: losses %s (%v)", tg.Target, tg.Result, err)
		}
		for _, l := range res.Losses {
			cmd := exec.Command("sh", "-c", l.Save)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s", l.Save, err, out)
			}
		}
	}
	var all strings.Builder
	files, _ := os.ReadDir(dir)
	for _, fi := range files {
		data, err := os.ReadFile(filepath.Join(dir, fi.Name()))
		if err != nil {
			t.Fatal(err)
		}
		all.Write(data)
	}
	for _, want := range []string{"= " + textLiteral("community") + " WHERE `id` <=> 1000; SET @emcee_stop", "= " + textLiteral("community") + " WHERE `id` <=> 2000; SET @emcee_stop", textLiteral("tenant-0"), textLiteral("tenant-1")} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("no file the refusal's commands wrote holds %q: files %v", want, files)
		}
	}
}

// A replica of several primaries (MariaDB multi-source replication) shows
// only its default connection in SHOW SLAVE STATUS. --max-lag watched
// that one, replicating from another server, while the connection from
// the primary being migrated had stopped: migrate backfilled every row
// with the replica falling behind without bound.
func TestAttackMaxLagWatchesTheConnectionFromThePrimary(t *testing.T) {
	t.Parallel()
	primary := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	other := testserver.Start(t, testserver.Options{ServerID: 3, LogBin: true})
	rep := testserver.Start(t, testserver.Options{ServerID: 2})
	r := rep.Open(t)
	for name, src := range map[string]*testserver.Server{"": other, "from_primary": primary} {
		var file, pos, doDB, ignoreDB string
		if err := src.Open(t).QueryRow("SHOW MASTER STATUS").Scan(&file, &pos, &doDB, &ignoreDB); err != nil {
			t.Fatal(err)
		}
		q := fmt.Sprintf("CHANGE MASTER %s TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='root', MASTER_PASSWORD='', MASTER_LOG_FILE=%s, MASTER_LOG_POS=%s",
			sqlsyntax.String(name), src.Port, sqlsyntax.String(file), pos)
		if _, err := r.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := r.Exec("START ALL SLAVES"); err != nil {
		t.Fatal(err)
	}
	db := primary.NewDB(t)
	p := throttleProject(t, db)
	waitReplica(t, r, db.Name, throttleRows)
	if _, err := r.Exec("STOP SLAVE 'from_primary' SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	run := p.command("db", "migrate", "--max-lag", "1s", "--batch-size", "200", "--check-interval", "100ms", "--replica", fmt.Sprintf("mysql://root@127.0.0.1:%d/", rep.Port))
	out, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	w := newLineWaiter(out)
	w.waitFor(t, fmt.Sprintf("paused: replica 127.0.0.1:%d has replication stopped", rep.Port))
	if n := pendingSlugs(t, db.DB); n != throttleRows {
		t.Errorf("migrate paused for the stopped connection, yet %d of %d rows were backfilled", throttleRows-n, throttleRows)
	}
	if _, err := r.Exec("START SLAVE 'from_primary' SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "resumed after")
	log := w.rest()
	if code := exitCode(t, run.Wait()); code != 0 {
		t.Fatalf("migrate exit %d:\n%s", code, log)
	}
}

// The version table is written by emcee and by anyone who may write the
// database (the application's account, usually). A run resuming a
// statement handed to pt-online-schema-change created again the table's
// triggers the tool had taken off it, from the statements recorded in the
// record's osc column: whatever SQL stood there ran with the deployer's
// privileges (a grant, a user, a trigger whose definer is root). emcee
// runs no SQL it reads from the version table: a trigger comes back from
// the server's own definition (on the tool's copy).
func TestAttackOSCResumeRunsNoSQLFromTheVersionTable(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 300, false, "")
	p.must("db", "expand", "--osc", "pt-osc")
	forged := `{"running":{"statement":1,"tool":"pt-online-schema-change 3.2.1","table":"events","triggers":[{"name":"audit_bu","sql":"CREATE TABLE pwned (x int)"}]}}`
	p.exec("UPDATE emcee_revisions SET applied = 0, in_flight = 1, finished_at = NULL, osc = ? WHERE name = 'v2_expand01'", forged)
	r := p.run("db", "expand", "--osc", "pt-osc")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pwned'"); got != "0" {
		t.Fatalf("the resumed run ran the statement the version table held:\n%s", r)
	}
	if r.Code != 0 {
		t.Fatalf("resume: %s", r)
	}
	opContains(t, r, "trigger `audit_bu`", "not created again", "emcee runs no SQL it reads from emcee_revisions")
}

// An expand that stopped half-way resumed without a drift check ("the
// schema is between releases"), where its first run had one: whatever was
// changed by hand in between (here the table the stopped run created,
// narrowed so that pike's values no longer fit) went unseen, the rest of
// the revision ran on it and expand reported pike_expand01 applied. The
// resumed run compares the live schema with what the recorded revisions
// produce, as db diff and a resumed rollback do.
func TestAttackResumedExpandChecksDrift(t *testing.T) {
	t.Parallel()
	p := expandKilledHalfWay(t, 20)
	p.exec("ALTER TABLE image_members MODIFY member varchar(10) NOT NULL")
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("resumed expand over a schema changed by hand: want exit 1:\n%s", r)
	}
	opContains(t, r, "live schema differs", "member", "nothing was changed")
	if got := p.triggers(); got != "" || strings.Contains(p.columns("images"), "visibility") {
		t.Fatalf("the refused resume ran statements: triggers %q, images %s", got, p.columns("images"))
	}
	p.exec("ALTER TABLE image_members MODIFY member varchar(255) NOT NULL")
	r = p.must("db", "expand")
	opContains(t, r, "resuming pike_expand01 at statement 2 of 4", "live schema matches", "pike_expand01 applied")
}

// The commands that copy out what a rollback would drop read the
// operator's option files: with safe-updates in ~/.my.cnf (a common
// guard against a careless DELETE) the client returns 1,000 rows of any
// SELECT, so 1,500 lost values were copied as 1,000 without a word, and
// a [mysqldump] where= or no-data copied none of a table. The commands
// say everything they need themselves and read no option file.
func TestAttackCopyOutIgnoresOptionFiles(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.exec("INSERT INTO images (name, visibility) SELECT CONCAT('pike-', seq), 'community' FROM seq_1_to_1500")
	p.exec("INSERT INTO image_members (image_id, member) SELECT seq, 'tenant' FROM seq_1_to_3")
	doc := cliDoc(t, "json", p.run("db", "rollback", "--format", "json"))
	var losses []struct {
		Column, Save string
		Rows         int
	}
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 2 || losses[1].Rows != 1500 {
		t.Fatalf("losses: %s (%v)", raw, err)
	}
	home, dir := t.TempDir(), t.TempDir()
	opWrite(t, filepath.Join(home, ".my.cnf"), []byte("[mysql]\nsafe-updates\n[mysqldump]\nno-data\n"))
	for _, l := range losses {
		cmd := exec.Command("sh", "-c", l.Save)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME="+home)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", l.Save, err, out)
		}
	}
	tsv, _ := filepath.Glob(filepath.Join(dir, "*.images.visibility.sql"))
	dump, _ := filepath.Glob(filepath.Join(dir, "*.image_members.sql"))
	if len(tsv) != 1 || len(dump) != 1 {
		t.Fatalf("files: %v %v", tsv, dump)
	}
	data, _ := os.ReadFile(tsv[0])
	if n := strings.Count(string(data), "SET `visibility` = "+textLiteral("community")+" WHERE"); n != 1500 {
		t.Errorf("%d of the 1500 lost values copied out under the operator's safe-updates", n)
	}
	data, _ = os.ReadFile(dump[0])
	if n := strings.Count(string(data), textLiteral("tenant")); n != 3 {
		t.Errorf("%d of the 3 rows of image_members copied out under the operator's no-data", n)
	}
}
