package splitter

import (
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
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
