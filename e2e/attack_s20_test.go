package e2e

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
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
