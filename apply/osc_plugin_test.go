package apply

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The tool copies with INSERT IGNORE, so a value that does not fit its
// copy (written after the revision's gates counted, before the tool's
// triggers existed) is cut with a warning, and the tool goes on to swap
// the tables. emcee killed it when it read the warning on the tool's
// output: a race with the swap, which on a small table the tool could
// win, leaving the table with the cut values (or, killed just after the
// swap, the original rows in _<table>_old, which a rerun drops as a
// leftover). emcee's plugin stops the tool itself at the chunk that cut a
// value: run as emcee runs it, the tool fails and the table is untouched.
func TestOSCPluginStopsTheToolAtACutValue(t *testing.T) {
	db := testdb.New(t)
	for _, q := range []string{
		"CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, c varchar(20) NOT NULL)",
		"INSERT INTO t (c) SELECT 'ab' FROM seq_1_to_50",
		"INSERT INTO t (c) VALUES ('much too long')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err := runToolAsEmcee(t, db, "ALTER TABLE `t` MODIFY COLUMN `c` varchar(3) NOT NULL, ALGORITHM=COPY, LOCK=SHARED", "")
	if err == nil {
		t.Errorf("the tool cut a value and went on:\n%s", out)
	}
	if !strings.Contains(out, "Copying rows caused a MySQL error 1265") {
		t.Errorf("the tool's output does not show the cut value emcee reads:\n%s", out)
	}
	var typ, longest string
	if err := db.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'").Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT c FROM t ORDER BY LENGTH(c) DESC LIMIT 1").Scan(&longest); err != nil {
		t.Fatal(err)
	}
	if typ != "varchar(20)" || longest != "much too long" {
		t.Errorf("after the tool: c is %s, its longest value %q", typ, longest)
	}
	var left int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '\\_t\\_%'").Scan(&left); err != nil || left != 0 {
		t.Errorf("the tool left %d tables (%v)", left, err)
	}
}

// The tool sizes each chunk from the copy's rate times the chunk time; a
// chunk whose fixed cost exceeds the chunk time (a loaded server at
// emcee's 5 ms) made it 1 row, and the tool then measured the rate of
// 1-row chunks and kept them: copies crawled for hours. A chunk time of
// 1 µs stands for that load here: without emcee's floor the tool falls to
// 1-row chunks and says so; with it, the copy goes in chunks of 100 rows.
func TestOSCPluginKeepsChunksFromFallingToOneRow(t *testing.T) {
	db := testdb.New(t)
	for _, q := range []string{
		"CREATE TABLE t (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, c int NOT NULL)",
		"INSERT INTO t (c) SELECT seq FROM seq_1_to_5000",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	out, err := runToolAsEmcee(t, db, "ALTER TABLE `t` MODIFY COLUMN `c` bigint NOT NULL, ALGORITHM=COPY, LOCK=SHARED", "0.000001")
	if err != nil {
		t.Fatalf("the tool failed: %v\n%s", err, out)
	}
	if strings.Contains(out, "--chunk-size has been automatically reduced to 1") {
		t.Errorf("the tool's chunks fell to 1 row:\n%s", out)
	}
	var typ string
	var n, sum int64
	if err := db.QueryRow("SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND COLUMN_NAME = 'c'").Scan(&typ); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow("SELECT COUNT(*), SUM(c) FROM t").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if typ != "bigint(20)" || n != 5000 || sum != 5000*5001/2 {
		t.Errorf("after the tool: c is %s, %d rows summing to %d", typ, n, sum)
	}
}

// runToolAsEmcee runs pt-online-schema-change with emcee's arguments and
// plugin on the test database, the chunk time replaced when chunk is set.
func runToolAsEmcee(t *testing.T, db *testdb.DB, alter, chunk string) (string, error) {
	t.Helper()
	tool, err := exec.LookPath(project.PtOSCProgram)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pt-online-schema-change is not installed")
		}
		t.Skip("pt-online-schema-change is not installed")
	}
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	a, err := sqlsyntax.ReadOSCAlter(alter)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	defaults, plugin := filepath.Join(dir, "client.cnf"), filepath.Join(dir, "plugin.pl")
	if err := os.WriteFile(defaults, []byte(oscDefaultsFile(cfg)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(plugin, []byte(oscPlugin), 0o600); err != nil {
		t.Fatal(err)
	}
	args := oscArgs(cfg, project.OSC{Tool: project.OSCPtOSC}, defaults, plugin, a, "")
	if chunk != "" {
		i := slices.Index(args, "--chunk-time")
		if i < 0 {
			t.Fatalf("emcee gives the tool no --chunk-time: %q", args)
		}
		args[i+1] = chunk
	}
	cmd := exec.Command(tool, args...)
	cmd.Env = append(os.Environ(), "EMCEE_OSC_LOCK=emcee:osc:"+db.Name)
	out, err := cmd.CombinedOutput()
	return string(out), err
}
