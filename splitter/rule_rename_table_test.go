package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestRenameTableRule pins the compatibility view design: rename and view
// in expand (one after the other), the view dropped in contract.
func TestRenameTableRule(t *testing.T) {
	cases := []tcCase{
		{name: "rename with a view under the old name",
			target: mariadb1011,
			before: []string{"table \"images\" {", "table \"pictures\" {"},
			edits:  []string{"table \"pictures\" {", "table \"images\" {\n  renamed_from = \"pictures\""},
			want: []tcStep{
				{Rule: "rename-table", Phase: revision.Expand, Stage: StageRenameTable, Kind: "", SQL: "RENAME TABLE `pictures` TO `images`"},
				{Rule: "rename-table", Phase: revision.Expand, Stage: StageRenameTable, Kind: "", SQL: "CREATE ALGORITHM=MERGE SQL SECURITY INVOKER VIEW `pictures` AS SELECT `id`, `name`, `kind`, `size`, `owner_id`, `price`, `note` FROM `images`"},
				{Rule: "rename-table", Phase: revision.Contract, Stage: StageDropView, Kind: "", SQL: "DROP VIEW IF EXISTS `pictures`"},
			}},
		{name: "old name reused by a new table",
			target: mariadb1011,
			before: []string{"table \"images\" {", "table \"pictures\" {"},
			edits:  []string{"table \"pictures\" {", "table \"pictures\" {\n  schema = schema.app\n  column \"x\" {\n    type = int\n  }\n}\ntable \"images\" {\n  renamed_from = \"pictures\""},
			errHas: []string{"after.hcl:", "table images is renamed from pictures, but the release also declares a table pictures"}},
		// The server compares table names in their letter case
		// (lower_case_table_names = 0): PICTURES is another table.
		{name: "renamed_from a table's name in other letter case: refused, the name suggested",
			target: mariadb1011,
			before: []string{"table \"images\" {", "table \"pictures\" {"},
			edits:  []string{"table \"pictures\" {", "table \"images\" {\n  renamed_from = \"PICTURES\""},
			errHas: []string{"after.hcl:", `table images is renamed_from "PICTURES", but release before has no such table`, `fix the name (did you mean "pictures"?)`}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// A table new in the release may reference a renamed table under its new
// name (Keycloak 4.0.0 renamed CLIENT_TEMPLATE to CLIENT_SCOPE and created
// DEFAULT_CLIENT_SCOPE with a foreign key to CLIENT_SCOPE): the rename
// runs first in expand, else the server refuses the new table's key
// (errno 150, "Foreign key constraint is incorrectly formed").
func TestRenameTableRunsBeforeTheTablesReferencingIt(t *testing.T) {
	before := tcEdit(t, tcImages, "table \"owners\" {", "table \"people\" {")
	after := tcEdit(t, tcImages, "table \"owners\" {", "table \"owners\" {\n  renamed_from = \"people\"",
		"table \"images\" {", "table \"owner_tags\" {\n  schema = schema.app\n  column \"owner_id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.owner_id]\n  }\n  foreign_key \"fk_tag_owner\" {\n    columns     = [column.owner_id]\n    ref_columns = [table.owners.column.id]\n  }\n}\ntable \"images\" {")
	tr, ctx := tcTransition(t, mariadb1011, before, after)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var sqls []string
	for _, s := range ph[revision.Expand] {
		sqls = append(sqls, s.SQL)
	}
	got := strings.Join(sqls, "\n")
	rename := strings.Index(got, "RENAME TABLE `people` TO `owners`")
	create := strings.Index(got, "CREATE TABLE `owner_tags`")
	if rename < 0 || create < 0 || rename > create {
		t.Fatalf("the rename must run before the table whose key references the new name:\n%s", got)
	}
}
