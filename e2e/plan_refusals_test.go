package e2e

import "testing"

// A data migration's set that assigns the primary key migrate batches on
// would move rows between batches (rewritten twice, or skipped): it is
// refused where it is declared.
func TestDataMigrationSettingItsBatchKeyIsRefused(t *testing.T) {
	t.Parallel()
	a := attackTable("")
	b := a + "data_migration \"renumber\" {\n  table   = \"t\"\n  set     = \"o = 1, id = id + 1000\"\n  pending = \"o IS NULL\"\n}\n"
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("plan of a data migration setting its batch key: %s", r)
	}
	opContains(t, r, `schema/b.hcl:25:21: set of data_migration "renumber": sets id, the primary key migrate runs the data migration in ranges of`)
}
