package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// sqlname's rules, held against the server: every name emcee accepts is
// created by MariaDB as written, and every name emcee refuses that the
// server would take is refused for a reason of emcee's own (Atlas cannot
// write it safely, or it would reach comments and terminals raw).
func TestNamesTheServerAccepts(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	execAll(t, db.DB, "setup", []string{
		"CREATE TABLE parent (id int PRIMARY KEY)",
		"CREATE TABLE base (id int)",
	})
	names := []string{
		"ok", "a b", " lead", "t.x", "t/x", `a\b`, "it's", `"q"`, "-- c", "/* c */", "a;b",
		strings.Repeat("é", 64), strings.Repeat("a", 64), strings.Repeat("a", 65),
		strings.Repeat("/", 50), strings.Repeat("/", 51), strings.Repeat("中", 50), strings.Repeat("中", 51),
		"t ", "t\t", "t\n", "", "t😀", "a\x00b",
		"PRIMARY", "gen_clust_index", "DB_ROW_ID", "db_trx_id", "DB_ROLL_PTR", "#mysql50#x",
		"a`b", "a\nb", "a\x01b", "a\u2028b", "a\u202eb",
	}
	ddl := map[sqlname.Kind]func(n int, q string) string{
		sqlname.Table:  func(n int, q string) string { return "CREATE TABLE " + q + " (id int)" },
		sqlname.Column: func(n int, q string) string { return fmt.Sprintf("CREATE TABLE c%d (%s int)", n, q) },
		sqlname.Index:  func(n int, q string) string { return fmt.Sprintf("CREATE TABLE i%d (id int, INDEX %s (id))", n, q) },
		sqlname.ForeignKey: func(n int, q string) string {
			return fmt.Sprintf("CREATE TABLE f%d (id int, CONSTRAINT %s FOREIGN KEY (id) REFERENCES parent (id))", n, q)
		},
		sqlname.Check: func(n int, q string) string {
			return fmt.Sprintf("CREATE TABLE k%d (id int, CONSTRAINT %s CHECK (id > 0))", n, q)
		},
		sqlname.Trigger: func(n int, q string) string {
			return "CREATE TRIGGER " + q + " BEFORE INSERT ON base FOR EACH ROW SET @x = 1"
		},
	}
	n := 0
	for kind, stmt := range ddl {
		for _, name := range names {
			n++
			_, serverErr := db.Exec(stmt(n, sqlsyntax.Ident(name)))
			emceeErr := sqlname.Validate(kind, name)
			switch {
			case emceeErr == nil && serverErr != nil:
				t.Errorf("%s name %q: emcee accepts it, the server refuses it: %v", kind, name, serverErr)
			case emceeErr != nil && serverErr == nil && !strings.Contains(emceeErr.Error(), "emcee") && !strings.Contains(emceeErr.Error(), "Atlas"):
				t.Errorf("%s name %q: the server takes it, but emcee refuses it as if the server did not: %v", kind, name, emceeErr)
			}
			if serverErr == nil && kind == sqlname.Table {
				execAll(t, db.DB, "cleanup", []string{"DROP TABLE " + sqlsyntax.Ident(name)})
			}
		}
	}
}
