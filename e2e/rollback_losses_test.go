package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// pikeWritesNewData is pike's code writing what ocata's columns cannot
// hold: visibility 'community' (ocata's is_public keeps 0 of it), and a
// member in image_members, a table only pike has. 'public' comes back
// whole from is_public, so it is not data the rollback loses.
func (p *opProject) pikeWritesNewData() {
	p.t.Helper()
	p.exec("INSERT INTO images (name, visibility) VALUES ('pike-community', 'community'), ('pike-public', 'public')")
	p.exec("INSERT INTO image_members (image_id, member) SELECT id, 'tenant-a' FROM images WHERE name = 'img-6'")
}

var pikeLosses = []string{
	"column images.visibility: 1 row(s) hold a value only the new release wrote",
	"table image_members: 1 row(s)",
}

// Data only pike wrote is never dropped silently: rollback refuses before
// it changes anything, in --dry-run and JSON too, naming each column and
// table with its rows, commands that copy them out (which work), and the
// ways out; --drop-new-data prints the same counts and drops them.
func TestRollbackRefusesToDropNewData(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.pikeWritesNewData()
	p.must("db", "migrate")
	rows := p.query("SELECT id, name, is_public, visibility FROM images ORDER BY id")

	for _, args := range [][]string{{"db", "rollback", "--dry-run"}, {"db", "rollback"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("%s with data only pike wrote: want exit 1: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, append(pikeLosses, "rollback of pike refused, nothing was changed: it would drop data only pike wrote",
			"ways out:", "copy them out first", "fix forward instead", "rerun `emcee db rollback --drop-new-data --env test`, which prints these counts again")...)
		if strings.Contains(r.Stdout, "apply") {
			t.Fatalf("refused, but went on:\n%s", r)
		}
	}
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("the refusals changed the version: %s", v)
	}
	if got := p.triggers(); got != opTriggers {
		t.Fatalf("the refusals changed the schema: triggers %q", got)
	}
	if got := p.query("SELECT id, name, is_public, visibility FROM images ORDER BY id"); got != rows {
		t.Fatalf("the refusals changed rows:\nbefore %s\nafter  %s", rows, got)
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "0" {
		t.Fatalf("the refusals recorded something: %s", got)
	}

	js := p.run("db", "rollback", "--format", "json")
	doc := cliDoc(t, "json", js)
	if exitCodeOf(doc) != 1 || !strings.Contains(doc["error"].(string), pikeLosses[0]) {
		t.Fatalf("JSON refusal: %s", js)
	}
	var losses []struct {
		Table, Column, Save string
		Rows                int64
	}
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 2 ||
		losses[1].Table != "images" || losses[1].Column != "visibility" || losses[1].Rows != 1 ||
		losses[0].Table != "image_members" || losses[0].Column != "" || losses[0].Rows != 1 {
		t.Fatalf("JSON losses: %s (%v)", raw, err)
	}
	// The commands the refusal gives copy what would be lost.
	dir := t.TempDir()
	for _, l := range losses {
		if !strings.Contains(doc["error"].(string), l.Save) {
			t.Fatalf("the refusal does not give %s", l.Save)
		}
		cmd := exec.Command("sh", "-c", l.Save)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", l.Save, err, out)
		}
	}
	id := p.query("SELECT id FROM images WHERE name = 'pike-community'")
	// Named after the server and database too: a fleet's targets copy
	// into one directory.
	file := "127.0.0.1_3306." + p.DB.Name + ".images.visibility.sql"
	if data, err := os.ReadFile(filepath.Join(dir, file)); err != nil || !oneUpdate(string(data), "SET SESSION sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00';\nUPDATE `images` SET `visibility` = "+textLiteral("community")+" WHERE `id` <=> "+id+"; SET @emcee_stop = IF(") {
		t.Fatalf("%s (%v) is not the one value lost:\n%s", file, err, data)
	}
	file = "127.0.0.1_3306." + p.DB.Name + ".image_members.sql"
	if data, err := os.ReadFile(filepath.Join(dir, file)); err != nil || !strings.Contains(string(data), textLiteral("tenant-a")) {
		t.Fatalf("%s (%v) does not hold pike's member:\n%s", file, err, data)
	}

	dry := p.must("db", "rollback", "--dry-run", "--drop-new-data")
	opContains(t, dry, append(pikeLosses, "preflight: --drop-new-data: the rollback would drop data only pike wrote", "would apply pike_rollback01")...)
	r := p.must("db", "rollback", "--drop-new-data")
	opContains(t, r, append(pikeLosses, "preflight: --drop-new-data: the rollback drops data only pike wrote", "rollback of pike complete")...)
	if strings.Index(r.Stdout, pikeLosses[1]) > strings.Index(r.Stdout, "applying pike_rollback01") {
		t.Fatalf("said what it drops only after dropping it:\n%s", r)
	}
	p.must("db", "diff")
	if got := p.query("SELECT name, is_public FROM images WHERE name LIKE 'pike-%' ORDER BY name"); got != "pike-community 0\npike-public 1" {
		t.Fatalf("pike's rows as ocata reads them: %s", got)
	}
}

// Nothing lost, no refusal: new columns empty, or holding only what
// migrate writes again from ocata's columns (pike's 'public' comes back
// whole from is_public), and a new table left empty.
func TestRollbackWithoutNewDataRunsAtOnce(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.exec("INSERT INTO images (name, visibility) VALUES ('pike-public', 'public')")
	p.exec("UPDATE images SET visibility = 'shared' WHERE name = 'img-3'")
	p.must("db", "migrate")
	r := p.must("db", "rollback")
	opContains(t, r, "rollback of pike complete")
	if strings.Contains(r.Stdout+r.Stderr, "drop-new-data") {
		t.Fatalf("spoke of lost data where there is none:\n%s", r)
	}
}

// A resumed rollback counts only what is still there: the run that
// accepted the loss was killed after dropping images.visibility, before
// its DROP TABLE ran; the rerun refuses for image_members alone, and
// --drop-new-data finishes it.
func TestRollbackLossesResumed(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(20)
	p.must("db", "expand")
	p.pikeWritesNewData()
	p.must("db", "migrate")
	release := p.holdMDL("image_members")
	p.killWhileWaiting("DROP TABLE `image_members`", true, "db", "rollback", "--drop-new-data")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "3 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	r := p.run("db", "rollback", "--lock-timeout", "60s")
	if r.Code != 1 {
		t.Fatalf("resumed rollback with image_members still holding pike's row: %s", r)
	}
	opContains(t, r, "rollback of pike refused, nothing was changed", pikeLosses[1])
	if strings.Contains(r.Stderr, "images.visibility") {
		t.Fatalf("counted a column an earlier run dropped:\n%s", r)
	}
	r = p.must("db", "rollback", "--drop-new-data", "--lock-timeout", "60s")
	opContains(t, r, "resuming pike_rollback01 at statement 4 of 4", pikeLosses[1], "rollback of pike complete")
	p.must("db", "diff")
}

// Over a target list each database is judged on its own data: the one
// where pike wrote what ocata cannot hold refuses with its counts, the
// other rolls back; the rerun with --drop-new-data finishes the first.
func TestFleetRollbackRefusesPerTarget(t *testing.T) {
	t.Parallel()
	dbs := []*testdb.DB{testdb.New(t), testdb.New(t)}
	f := newFleetProject(t, []string{dbs[0].URL, dbs[1].URL}, dbs)
	for _, args := range [][]string{{"db", "sync", "ocata"}, {"db", "expand"}} {
		if doc, r := f.runJSON(args...); r.Code != 0 || doc.Outcomes["ok"] != 2 {
			t.Fatalf("%s: %s", strings.Join(args, " "), r)
		}
	}
	if _, err := dbs[0].Exec("INSERT INTO images (name, visibility) VALUES ('pike-community', 'community')"); err != nil {
		t.Fatal(err)
	}
	doc, r := f.runJSON("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("fleet rollback with one target holding pike's data: want exit 1: %s", r)
	}
	got := doc.outcomes()
	if got[dbs[0].Name] != "failed/1" || got[dbs[1].Name] != "ok/0" {
		t.Fatalf("outcomes %v:\n%s", got, r)
	}
	for _, tg := range doc.Targets {
		if strings.HasSuffix(tg.Target, dbs[0].Name) && (!strings.Contains(tg.Error, pikeLosses[0]) || !strings.Contains(string(tg.Result), `"losses"`)) {
			t.Fatalf("the refused target does not say what it would drop: %s\n%s", tg.Error, tg.Result)
		}
	}
	var n int
	if err := dbs[0].QueryRow("SELECT COUNT(*) FROM images WHERE visibility = 'community'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("the refused target changed: %d (%v)", n, err)
	}
	doc, r = f.runJSON("db", "rollback", "--drop-new-data")
	if got := doc.outcomes(); got[dbs[0].Name] != "ok/0" || !strings.Contains(r.Stdout, pikeLosses[0]) {
		t.Fatalf("fleet rollback --drop-new-data: %v\n%s", got, r)
	}
}

const oddNamesA = `schema "app" {}

table "it's $(odd)" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.id]
  }
}
`

var oddNamesB = strings.Replace(oddNamesA, `  primary_key {`, `  column "note 'x' $HOME" {
    type = varchar(64)
    null = true
  }
  column "flag" {
    type    = int
    default = 0
  }
  primary_key {`, 1)

// The commands a refusal gives are pasted into a shell: with names that
// hold quotes and $(...) they still copy exactly the values that would be
// lost, and run nothing else. A value equal to the column's default
// (flag = 0, what a later expand adds it with) is not lost.
func TestRollbackLossesWithOddNames(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", oddNamesA}, [2]string{"b", oddNamesB})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO `it's $(odd)` (name) VALUES ('one'), ('two'), ('three')")
	p.must("db", "expand")
	p.exec("INSERT INTO `it's $(odd)` (name, `note 'x' $HOME`, flag) VALUES ('four', 'it''s \"quoted\"\tné ☃', 0)")
	p.exec("UPDATE `it's $(odd)` SET flag = 7 WHERE name = 'two'")
	js := p.run("db", "rollback", "--format", "json")
	doc := cliDoc(t, "json", js)
	if exitCodeOf(doc) != 1 || !strings.Contains(doc["error"].(string), "column it's $(odd).note 'x' $HOME: 1 row(s)") || !strings.Contains(doc["error"].(string), "column it's $(odd).flag: 1 row(s)") {
		t.Fatalf("rollback with odd names: %s", js)
	}
	var losses []struct{ Save string }
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 2 {
		t.Fatalf("losses: %s (%v)", raw, err)
	}
	dir := t.TempDir()
	for _, l := range losses {
		cmd := exec.Command("sh", "-c", l.Save)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "HOME=/nonexistent", "LC_ALL=C", "LANG=C")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", l.Save, err, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var got []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		got = append(got, filepath.Base(f)+": "+string(data))
	}
	four, two := p.query("SELECT id FROM `it's $(odd)` WHERE name = 'four'"), p.query("SELECT id FROM `it's $(odd)` WHERE name = 'two'")
	// The names changed to be file names, so a hash of the exact names
	// follows them.
	prefix := "127.0.0.1_3306." + db.Name + ".it_s___odd_."
	hashed := regexp.MustCompile(`-[0-9a-f]{8}\.sql:`)
	for i := range got {
		got[i] = hashed.ReplaceAllString(strings.TrimPrefix(got[i], prefix), ".sql:")
	}
	const tz = "SET SESSION sql_mode = 'STRICT_ALL_TABLES', time_zone = '+00:00';\n"
	want := []string{
		"flag.sql: " + tz + "UPDATE `it's $(odd)` SET `flag` = 7 WHERE `id` <=> " + two + "; SET @emcee_stop = IF(",
		"note__x___HOME.sql: " + tz + "UPDATE `it's $(odd)` SET `note 'x' $HOME` = " + textLiteral("it's \"quoted\"\tné ☃") + " WHERE `id` <=> " + four + "; SET @emcee_stop = IF(",
	}
	if len(got) != len(want) || !oneUpdate(got[0], want[0]) || !oneUpdate(got[1], want[1]) {
		t.Fatalf("copied out:\n%q\nwant\n%q", got, want)
	}
	r := p.must("db", "rollback", "--drop-new-data")
	opContains(t, r, "column it's $(odd).flag: 1 row(s)", "rollback of b complete")
}
