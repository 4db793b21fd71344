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
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "prefix length: contract, one ALTER", target: mariadb1011,
			edits: []string{"    columns = [column.owner_id]\n", "    on {\n      column = column.note\n      prefix = 10\n    }\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`note` (10)), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "unique index on other columns: contract, gated on the new key", target: mariadb1011,
			before: []string{"  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n"},
			edits:  []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE (`owner_id`, `name`) IN (SELECT `owner_id`, `name` FROM `images` WHERE `owner_id` IS NOT NULL AND `name` IS NOT NULL GROUP BY `owner_id`, `name` HAVING COUNT(*) > 1)"},
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD UNIQUE INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "onto the column a rename adds: the index changes before the old column is dropped", target: mariadb1011,
			edits: []string{"  column \"owner_id\" {\n    type = bigint\n    null = true\n  }\n", "  column \"owner\" {\n    type         = bigint\n    null         = true\n    renamed_from = \"owner_id\"\n  }\n", "    columns = [column.owner_id]\n", "    columns = [column.owner]\n"},
			// Stage orders contract: the index (StageDropIndex) before the column (StageDropColumn).
			want: []tcStep{
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `owner` bigint NULL, ALGORITHM=INSTANT"},
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_f61227_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`owner` IS NULL THEN\n    SET `NEW`.`owner` = (`NEW`.`owner_id`);\n  ELSEIF NOT (CAST(`NEW`.`owner` AS BINARY) <=> CAST((`NEW`.`owner_id`) AS BINARY)) THEN\n    SET `NEW`.`owner_id` = (`NEW`.`owner`);\n  END IF;\nEND"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_f61227_bi`"},
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_f61227_bu` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  IF NOT (CAST(`NEW`.`owner` AS BINARY) <=> CAST(`OLD`.`owner` AS BINARY)) THEN\n    IF NOT (CAST(`NEW`.`owner` AS BINARY) <=> CAST((`NEW`.`owner_id`) AS BINARY)) THEN\n      SET `NEW`.`owner_id` = (`NEW`.`owner`);\n    END IF;\n  ELSEIF NOT (CAST(`NEW`.`owner_id` AS BINARY) <=> CAST(`OLD`.`owner_id` AS BINARY)) THEN\n    SET `NEW`.`owner` = (`NEW`.`owner_id`);\n  END IF;\nEND"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_f61227_bu`"},
				{Rule: "rename-column", Phase: revision.Migrate, Stage: StageBackfill, Kind: "backfill", SQL: "UPDATE `images` SET `owner` = (`owner_id`) WHERE (`owner` IS NULL)"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `owner` IS NULL AND (`owner_id`) IS NOT NULL"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `owner_id`, ALGORITHM=INSTANT"},
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "on mysql 8.0 too", target: mysql80,
			edits: []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"},
			want: []tcStep{
				{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
