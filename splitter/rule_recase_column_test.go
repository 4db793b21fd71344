package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestRecaseColumnRule: a column whose name changes only in letter case
// (LimeSurvey 1.92's surveys.showXquestions -> showxquestions) is renamed
// in contract, metadata only, declared or not; it was refused ("Keep the
// name showXquestions"), renamed_from or not, though the server renames it
// in place and both releases' queries find it under either name. An index
// holding the column is left as it is; a definition changed with the
// spelling is refused, since the MODIFY would respell it in expand.
func TestRecaseColumnRule(t *testing.T) {
	recased := func(decl string) []string {
		return []string{
			"  column \"owner_id\" {\n    type = bigint\n", "  column \"Owner_Id\" {\n" + decl + "    type = bigint\n",
			"columns = [column.owner_id]", "columns = [column.Owner_Id]",
		}
	}
	cases := []tcCase{
		{name: "on MariaDB: instant, in contract, the index kept", target: mariadb1011,
			edits: recased(""),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INSTANT"},
			}},
		{name: "declared renamed_from the old spelling: the same", target: mariadb1011,
			edits: recased("    renamed_from = \"owner_id\"\n"),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INSTANT"},
			}},
		{name: "on MySQL: in place, metadata only", target: mysql80,
			edits: recased(""),
			want: []tcStep{
				{Rule: "recase-column", Phase: revision.Contract, Stage: StageDropColumn, SQL: "ALTER TABLE `images` RENAME COLUMN `owner_id` TO `Owner_Id`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "its definition changed too: refused", target: mariadb1011,
			edits:  []string{"  column \"size\" {\n    type = int\n", "  column \"SIZE\" {\n    type = bigint\n"},
			errHas: []string{"after.hcl:", "column SIZE of table images changes the letter case of size and its definition too", "Keep the name size in this release and change its letter case in the next"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
