package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestIndexColumnsRule: an index that keeps its name and uniqueness while
// its columns or prefix change (WordPress 4.2's meta_key(191), Zabbix
// 4.4's dchecks_1) is dropped and added again in one ALTER in contract; a
// unique one behind the duplicate gate of its new key.
func TestIndexColumnsRule(t *testing.T) {
	cases := []tcCase{
		{name: "columns added: contract, one ALTER", target: mariadb1011,
			edits: []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "prefix length: contract, one ALTER", target: mariadb1011,
			edits: []string{"    columns = [column.owner_id]\n", "    on {\n      column = column.note\n      prefix = 10\n    }\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`note` (10)), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "unique index on other columns: contract, gated on the new key", target: mariadb1011,
			before: []string{"  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n"},
			edits:  []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE (`owner_id`, `name`) IN (SELECT `owner_id`, `name` FROM `images` WHERE `owner_id` IS NOT NULL AND `name` IS NOT NULL GROUP BY `owner_id`, `name` HAVING COUNT(*) > 1)"},
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD UNIQUE INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "on mysql 8.0 too", target: mysql80,
			edits: []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
