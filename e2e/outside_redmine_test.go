package e2e

import (
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// Redmine 5.1 added journals.updated_on and set it from created_on in
// its migration (Journal.update_all('updated_on = created_on')): a
// data_migration on a column new in the release. simulate's verifier noted
// what every row must hold right after migrate, then ran migrate's
// catch-up, which rewrote the journals the previous release wrote after
// migrate passed them; after contract it reported each of those as
// inconsistent ("is not what the row held, or should hold, before the
// upgrade finished"), and the rehearsal exited 6 on an upgrade that did
// what was declared.
func TestOutsideRedmineSimulateNotesRowsAfterTheCatchUp(t *testing.T) {
	t.Parallel()
	v50 := "schema \"app\" {}\ntable \"journals\" {\n  schema = schema.app\n  column \"id\" {\n    type           = int\n    auto_increment = true\n  }\n  column \"notes\" {\n    type = varchar(255)\n    null = true\n  }\n  column \"created_on\" {\n    type = datetime\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	v51 := replaceOnce(v50, "  column \"created_on\" {\n    type = datetime\n  }\n", "  column \"created_on\" {\n    type = datetime\n  }\n  column \"updated_on\" {\n    type = datetime\n    null = true\n  }\n") +
		"data_migration \"journal_updated_on\" {\n  table   = \"journals\"\n  set     = \"updated_on = created_on\"\n  pending = \"updated_on IS NULL\"\n}\n"
	p := newSchemaProject(t, [2]string{"5_0", v50}, [2]string{"5_1", v51})
	p.must("plan")
	scratch := testdb.New(t)
	r := p.run("simulate", "--url", scratch.URL, "--rows", "300", "--baseline", "200ms", "--settle", "500ms")
	if r.Code != 0 {
		t.Fatalf("simulate of a data migration setting a new column: %s", r)
	}
	opContains(t, r, "catch-up", "emcee db migrate again", "result: no failed statement, no lost or inconsistent row")
	var pending int
	if err := scratch.QueryRow("SELECT COUNT(*) FROM journals WHERE updated_on IS NULL").Scan(&pending); err != nil || pending != 0 {
		t.Fatalf("journals left without updated_on after the rehearsal: %d (%v)", pending, err)
	}
}
