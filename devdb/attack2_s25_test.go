package devdb

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// TestAttack2S25HostileTableNamesAreCleared: the trigger backups MariaDB
// leaves for tables of hostile names (quotes, a reserved word, spaces and
// a backslash, 64 characters ending in ".TRG-") are cleared, whether the
// table is still there at the end or the run dropped it after creating
// its triggers, and the scratch database is dropped (a refuted attack on
// dropScratch, kept as a guard).
func TestAttack2S25HostileTableNamesAreCleared(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	cfg, err := dbconn.Parse(fmt.Sprintf("mysql://root@127.0.0.1:%d/app", srv.Port))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := Open(ctx, Spec{Beside: cfg})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(srv.Dir, "data", d.Name)
	names := []string{`it's "q"`, "select", `a b\c%`, strings.Repeat("x", 59) + ".TRG-"}
	var steps []Step
	for i, name := range names {
		table := sqlsyntax.Ident(name)
		steps = append(steps,
			Step{Revision: "a_expand01", N: 3*i + 1, SQL: "CREATE TABLE " + table + " (id int)"},
			Step{Revision: "a_expand01", N: 3*i + 2, SQL: "CREATE TRIGGER " + sqlsyntax.Ident(fmt.Sprintf("t%d_bi", i)) + " BEFORE INSERT ON " + table + " FOR EACH ROW SET NEW.id = NEW.id"},
			Step{Revision: "a_expand01", N: 3*i + 3, SQL: "CREATE TRIGGER " + sqlsyntax.Ident(fmt.Sprintf("t%d_bu", i)) + " BEFORE UPDATE ON " + table + " FOR EACH ROW SET NEW.id = NEW.id"})
	}
	if err := d.Build(ctx, nil, steps, nil); err != nil {
		t.Fatal(err)
	}
	// The server's own file names for the tables, as it writes <table>.TRG.
	files, err := filepath.Glob(filepath.Join(dir, "*.TRG"))
	if err != nil || len(files) != len(names) {
		t.Fatalf("trigger files: %v, %v", files, err)
	}
	// Half the tables are dropped after their triggers were made.
	for _, name := range names[:2] {
		exec(t, d.Conn, "DROP TABLE "+sqlsyntax.Ident(name))
	}
	for _, f := range files {
		if err := os.WriteFile(f+"-", []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) || schemaExists(t, srv.Open(t), d.Name) {
		t.Fatalf("scratch database %s left: %v", d.Name, err)
	}
}
