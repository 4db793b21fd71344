package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// MariaDB's information_schema gives a string default as a SQL literal
// with its backslashes escaped. emcee init wrote that text as the value
// ('a\\b' became the default a\\b), so the release it adopted declared
// other defaults than the database's, and `db baseline` refused the very
// database the release was read from.
func TestAttackAdoptStringDefaultWithBackslashOrLineBreak(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	q := `CREATE TABLE t (id int PRIMARY KEY, path varchar(20) NOT NULL DEFAULT 'C:\\temp', note varchar(20) NULL DEFAULT 'two\nlines', q varchar(20) NULL DEFAULT 'it''s \\''x''', tab varchar(9) NULL DEFAULT 'a\tb')`
	if _, err := db.Exec(q); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL="+db.URL, "EMCEE_ENV=", "EMCEE_DEV_URL=")
		return opRunCmd(t, cmd)
	}
	if r := run("init", "--from", db.URL); r.Code != 0 {
		t.Fatalf("init: %s", r)
	}
	if r := run("db", "baseline", "initial", "--env", "live"); r.Code != 0 {
		t.Fatalf("baseline of the database init adopted: %s", r)
	}
	// The adopted release creates the same defaults on an empty database.
	fresh := testdb.New(t)
	if r := run("db", "sync", "initial", "--url", fresh.URL); r.Code != 0 {
		t.Fatalf("sync of the adopted release: %s", r)
	}
	for _, d := range []*testdb.DB{db, fresh} {
		if _, err := d.Exec("INSERT INTO t (id) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		var path, note, quote, tab string
		if err := d.QueryRow("SELECT path, note, q, tab FROM t").Scan(&path, &note, &quote, &tab); err != nil {
			t.Fatal(err)
		}
		if path != `C:\temp` || note != "two\nlines" || quote != `it's \'x'` || tab != "a\tb" {
			t.Fatalf("defaults %q %q %q %q, want C:\\temp, two<LF>lines, it's \\'x', a<TAB>b", path, note, quote, tab)
		}
	}
	if src, err := os.ReadFile(dir + "/schema/initial.hcl"); err != nil || !strings.Contains(string(src), `default = "C:\\temp"`) {
		t.Fatalf("schema/initial.hcl (%v):\n%s", err, src)
	}
}

// review --format markdown is posted as a pull-request comment. Names and
// defaults come from schema files anyone can send: outside code spans they
// were written raw, so a table named <img src=...> loaded an image, a
// column [x](https://...) became a link, and a default holding a backtick
// ended the code span of its definition early.
func TestAttackReviewMarkdownEscapesNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opWrite(t, dir+"/atlas.hcl", []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"r1\", \"r2\"]\n}\n"))
	table := `t<img src=https://tracker.example/p.png>`
	r1 := `schema "app" {}
table "` + table + `" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "[pwn](https://evil.example)" {
    type    = varchar(40)
    null    = true
    default = "x` + "`" + ` <b>y</b> ` + "``" + `z"
  }
  primary_key {
    columns = [column.id]
  }
}
`
	r2 := strings.Replace(strings.Replace(r1, `"[pwn](https://evil.example)"`, `"new **bold** ~~gone~~ _em_ \\ & co"`, 1), "null    = true\n", "null    = true\n    renamed_from = \"[pwn](https://evil.example)\"\n", 1)
	opWrite(t, dir+"/schema/r1.hcl", []byte(r1))
	opWrite(t, dir+"/schema/r2.hcl", []byte(r2))
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
		return opRunCmd(t, cmd)
	}
	if r := run("plan"); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	r := run("review", "r2", "--format", "markdown")
	if r.Code != 0 {
		t.Fatalf("review: %s", r)
	}
	inFence := false
	for n, l := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
			continue
		}
		if inFence {
			continue
		}
		prose, err := outsideCodeSpans(l)
		if err != nil {
			t.Fatalf("line %d: %v: %s", n+1, err, l)
		}
		for _, bad := range []string{"<", "[", "*", "~", "://", "&"} {
			if strings.Contains(unescaped(prose), bad) {
				t.Errorf("line %d has %q outside a code span, unescaped: %s", n+1, bad, l)
			}
		}
	}
	for _, want := range []string{"| column | `t<img src=https://tracker.example/p.png>.[pwn](https://evil.example)` | ``` varchar(40) NULL DEFAULT 'x` <b>y</b> ``z' ``` |"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("review lacks %q:\n%s", want, r.Stdout)
		}
	}
}

// outsideCodeSpans is a Markdown line without its code spans (CommonMark:
// a run of n backticks opens a span closed by the next run of exactly n;
// a run never closed is text), and an error for a backtick left in it.
func outsideCodeSpans(l string) (string, error) {
	var out strings.Builder
	for i := 0; i < len(l); {
		switch {
		case l[i] == '\\' && i+1 < len(l):
			out.WriteString(l[i : i+2])
			i += 2
			continue
		case l[i] != '`':
			out.WriteByte(l[i])
			i++
			continue
		}
		n := 0
		for i+n < len(l) && l[i+n] == '`' {
			n++
		}
		closed := -1
		for j := i + n; j < len(l); {
			if l[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(l) && l[j+m] == '`' {
				m++
			}
			if m == n {
				closed = j
				break
			}
			j += m
		}
		if closed < 0 {
			return "", errors.New("a backtick run that opens no code span")
		}
		i = closed + n
	}
	return out.String(), nil
}

// unescaped drops every backslash escape from Markdown text.
func unescaped(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// A fleet's canary expanded pike on one database and the operator rolls
// the fleet back. On each database pike never reached, and on every
// database of a rerun (the summary says the finished ones have nothing
// left to do), rollback failed with exit 9 and told the operator to
// restore the backup taken before ocata's expand: advice that throws away
// every write since, for a database already where the rollback brings it.
func TestAttackFleetRollbackWherePikeNeverStarted(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	other := testdb.New(t)
	p.must("db", "sync", "ocata")
	p.must("db", "sync", "ocata", "--url", other.URL)
	p.must("db", "expand")
	targets := filepath.Join(t.TempDir(), "targets.txt")
	opWrite(t, targets, []byte(p.DB.URL+"\n"+other.URL+"\n"))

	// Unnamed, the release pike never reached is ambiguous there (ocata is
	// complete): refused, and the refusal says how to name it.
	r := p.run("db", "rollback", "--url", other.URL)
	if r.Code != 9 {
		t.Fatalf("unnamed rollback where pike never started: %s", r)
	}
	opContains(t, r, "pike has not started here", "`emcee db rollback pike --env test` (with this run's --url, left out here: it may hold a password)")

	// Named, it is undone where it started and has nothing to do
	// elsewhere, also on a rerun.
	for run, args := range [][]string{{"db", "rollback", "pike", "--targets", targets}, {"db", "rollback", "pike", "--targets", targets}} {
		r := p.run(args...)
		if r.Code != 0 {
			t.Fatalf("%s (run %d): %s", strings.Join(args, " "), run+1, r)
		}
		if strings.Contains(r.Stdout+r.Stderr, "restore the backup") {
			t.Fatalf("run %d tells the operator to restore a backup: %s", run+1, r)
		}
		opContains(t, r, "2 targets: 2 ok")
		if run == 0 {
			opContains(t, r, "nothing to roll back: pike has not started on this database, or was rolled back already; version ocata_expand01, ocata_contract01", "marked pike_expand01, pike_rollback01 as rolled back")
		}
	}
	// Unnamed, where pike was rolled back: a rerun with nothing to do.
	r = p.run("db", "rollback")
	if r.Code != 0 {
		t.Fatalf("unnamed rollback after pike's rollback: %s", r)
	}
	opContains(t, r, "nothing to roll back: pike was rolled back already (rollback 1, ")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version after the rollback: %s", v)
	}
	// A release that is complete still cannot be rolled back: that is the
	// refusal with the backup, named or not.
	for _, args := range [][]string{{"db", "rollback", "ocata"}, {"db", "rollback"}} {
		r := p.ocataCheckout().run(args...)
		if r.Code != 9 {
			t.Fatalf("%s with ocata complete: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "restore the backup taken before `emcee db expand` of ocata")
	}
	if r := p.run("db", "rollback", "newton"); r.Code != 1 || !strings.Contains(r.Stderr, "release newton is not in emcee.releases") {
		t.Fatalf("rollback of a release the project does not have: %s", r)
	}
}

// A release declared as SQL is evaluated in a dev database and written as
// HCL from Atlas's inspection, which reads MariaDB's string defaults as
// SQL literals with their backslashes still escaped: DEFAULT 'C:\\temp'
// in the file (the value C:\temp) was planned as DEFAULT "C:\\\\temp",
// and every row inserted without the column got C:\\temp; 'two\nlines'
// got a backslash and an n instead of a line break.
func TestAttackSQLReleaseStringDefaultsKeepTheirValue(t *testing.T) {
	t.Parallel()
	live, direct := testdb.New(t), testdb.New(t)
	create := `CREATE TABLE t (id int PRIMARY KEY, path varchar(20) NOT NULL DEFAULT 'C:\\temp', note varchar(20) DEFAULT 'two\nlines', r text DEFAULT 'it\'s', q varchar(20) DEFAULT 'say "hi" \\ ''bye''')`
	dir := t.TempDir()
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"r1\"]\n}\n"))
	opWrite(t, filepath.Join(dir, "schema", "r1.sql"), []byte(create+";\n"))
	run := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=")
		return opRunCmd(t, cmd)
	}
	if r := run("plan", "--url", live.URL); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	if r := run("db", "sync", "--url", live.URL); r.Code != 0 {
		t.Fatalf("sync: %s", r)
	}
	// The file itself, run as it is, says what the defaults are.
	if _, err := direct.Exec(create); err != nil {
		t.Fatal(err)
	}
	read := func(d *testdb.DB) string {
		if _, err := d.Exec("INSERT INTO t (id) VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		var path, note, r, q string
		if err := d.QueryRow("SELECT path, note, r, q FROM t").Scan(&path, &note, &r, &q); err != nil {
			t.Fatal(err)
		}
		return strings.Join([]string{path, note, r, q}, "|")
	}
	want, got := read(direct), read(live)
	if want != "C:\\temp|two\nlines|it's|say \"hi\" \\ 'bye'" {
		t.Fatalf("the server read the file's defaults as %q", want)
	}
	if got != want {
		t.Fatalf("defaults planned from the SQL release: %q, the file's: %q", got, want)
	}
}

// A refused rollback prints commands that copy the data out, for the
// operator to paste. A table may be named --result-file=x (emcee takes
// names with --): given to mariadb-dump as it was, after the database, the
// dump tool read it as its option and wrote the dump over that file, and
// the table was never copied.
func TestAttackRollbackSaveCommandTakesNamesAsNames(t *testing.T) {
	t.Parallel()
	const evil = "--result-file=clobbered.txt"
	b := attackTable("") + `table "` + evil + `" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "v" {
    type = varchar(20)
  }
  primary_key {
    columns = [column.id]
  }
}
`
	p := newSchemaProject(t, [2]string{"a", attackTable("")}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO `" + evil + "` VALUES (1, 'only b wrote this')")
	doc := cliDoc(t, "json", p.run("db", "rollback", "--format", "json"))
	var losses []struct{ Table, Save string }
	raw, _ := json.Marshal(doc["losses"])
	if err := json.Unmarshal(raw, &losses); err != nil || len(losses) != 1 || losses[0].Table != evil {
		t.Fatalf("losses: %s (%v)", raw, err)
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", losses[0].Save)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", losses[0].Save, err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "clobbered.txt")); err == nil {
		t.Fatalf("%s wrote clobbered.txt: the table's name was read as an option", losses[0].Save)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if data, _ := os.ReadFile(filepath.Join(dir, e.Name())); strings.Contains(string(data), textLiteral("only b wrote this")) {
			return
		}
	}
	t.Fatalf("%s copied nothing of the table (files: %v)", losses[0].Save, entries)
}

// Whoever may create a table in the database names it: a table named with
// an escape sequence and a line break, found unexpected by the drift
// check, reached the operator's terminal raw (ESC[2J cleared the screen,
// the line break forged a line of the report).
func TestAttackDriftReportShowsControlCharactersAsText(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("CREATE TABLE `evil\x1b[2J\nforged: nothing to see` (id int PRIMARY KEY)")
	targets := filepath.Join(t.TempDir(), "targets.txt")
	opWrite(t, targets, []byte(p.DB.URL+"\n"))
	for _, args := range [][]string{{"db", "diff"}, {"db", "expand"}, {"db", "expand", "--targets", targets}} {
		r := p.run(args...)
		if r.Code == 0 {
			t.Fatalf("%s over an unexpected table: %s", strings.Join(args, " "), r)
		}
		out := r.Stdout + r.Stderr
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\nforged") {
			t.Fatalf("%s printed the table's name raw: %q", strings.Join(args, " "), out)
		}
		opContains(t, r, `table evil\x1b[2J\nforged: nothing to see is unexpected`)
	}
}

// Named, a release that has not started has nothing to roll back, but
// not while the rollback of another release is half-way: the operator
// named the wrong release, and exit 0 said the database was fine.
func TestAttackNamedRollbackDuringAnotherRollback(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t,
		[2]string{"a", attackTable("")},
		[2]string{"b", attackTable("  index \"ix_o\" {\n    columns = [column.o]\n  }\n")},
		[2]string{"c", attackTable("  index \"ix_o\" {\n    columns = [column.o]\n  }\n  index \"ix_e\" {\n    columns = [column.e]\n  }\n")})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	release := p.holdMDL("t")
	p.killWhileWaiting("ALTER TABLE `t`", true, "db", "rollback")
	release()
	r := p.run("db", "rollback", "c")
	if r.Code != 1 {
		t.Fatalf("rollback of c while b's rollback is half-way: %s", r)
	}
	opContains(t, r, "a rollback of b is in progress, not of c", "`emcee db rollback b --env test`")
	p.must("db", "rollback", "b")
}

// An error quotes what a schema file declared: renamed_from naming a
// column that does not exist, written with an escape sequence, reached the
// terminal (and CI logs, which render it) raw.
func TestAttackErrorsShowControlCharactersAsText(t *testing.T) {
	t.Parallel()
	b := strings.Replace(attackTable(`  column "o2" {
    type         = int
    null         = true
    renamed_from = "gh\u001b[2Jost"
  }
`), `  column "o" {
    type = int
    null = true
  }
`, "", 1)
	p := newSchemaProject(t, [2]string{"a", attackTable("")}, [2]string{"b", b})
	r := p.run("plan")
	if r.Code != 1 {
		t.Fatalf("plan: %s", r)
	}
	if strings.Contains(r.Stderr, "\x1b") {
		t.Fatalf("the error holds the escape sequence raw: %q", r.Stderr)
	}
	opContains(t, r, `gh\x1b[2Jost`)
}

// On a server with lower_case_table_names = 1, mysql://h/Glance and
// mysql://h/glance are one database, but the operator lock was named
// after the URL's spelling: two operators (or one fleet listing both)
// took two locks, and the second run resumed the first one's statement in
// flight as if its run had died.
func TestAttackLockIsOneLockWhateverTheCase(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--lower-case-table-names=1"}})
	p := newOpProject(t)
	p.DB = srv.NewDB(t)
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\n%s", p.DB.URL, opSettings)))
	p.must("db", "sync", "ocata")
	upper := strings.Replace(p.DB.URL, "/"+p.DB.Name, "/"+strings.ToUpper(p.DB.Name), 1)

	release := p.holdMDL("images")
	first := p.command("db", "expand", "--url", upper)
	var out bytes.Buffer
	first.Stdout, first.Stderr = &out, &out
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the first run's ALTER to wait for its metadata lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' AND INFO LIKE 'ALTER TABLE `images`%'") != "0"
	})
	second := p.run("db", "expand")
	release()
	if err := first.Wait(); err != nil {
		t.Fatalf("the first run: %v\n%s", err, out.String())
	}
	if second.Code != 1 {
		t.Fatalf("a second operator on the same database, spelled in lower case, was not refused: %s", second)
	}
	opContains(t, second, "another emcee run holds the lock")
	p.must("db", "diff")
}
