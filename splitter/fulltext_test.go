package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestFulltextRebuildIsACopy pins what emcee plans for a statement that
// rebuilds a table keeping a FULLTEXT index in place: both servers refuse
// LOCK=NONE there ("Fulltext index creation requires a lock"), so it is a
// copy, opted in to by allow_copy on the column it changes or on a column
// of the index; what rebuilds nothing stays online.
func TestFulltextRebuildIsACopy(t *testing.T) {
	sizeNotNull := []string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type = int\n  }\n  column \"owner_id\""}
	sizeNotNullCopy := []string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type       = int\n    allow_copy = true\n  }\n  column \"owner_id\""}
	nameNull := []string{"    type = varchar(30)\n", "    type       = varchar(30)\n    null       = true\n    allow_copy = true\n"}
	noteCopy := []string{"    type = varchar(60)\n", "    type       = varchar(60)\n    allow_copy = true\n"}
	ownersFT := func(opt, pk string) string {
		return "  column \"bio\" {\n    type = text\n    null = true\n" + opt + "  }\n" + pk + "  index \"ft_bio\" {\n    type    = FULLTEXT\n    columns = [column.bio]\n  }\n}\ntable \"images\" {"
	}
	pk := "  primary_key {\n    columns = [column.id]\n  }\n"
	cases := []tcCase{
		{name: "primary key on a table with a FULLTEXT index needs allow_copy", target: mariadb1011, before: []string{tcOwnersPK, ownersFT("", "")}, edits: []string{ownersFT("", ""), ownersFT("", pk)},
			errHas: []string{"owners.id: add primary key rebuilds table owners, which keeps a FULLTEXT index on bio", "or on bio (a column of the index)"}},
		{name: "primary key on a table with a FULLTEXT index with allow_copy: copy", target: mariadb1011, before: []string{tcOwnersPK, ownersFT("", "")}, edits: []string{ownersFT("", ""), ownersFT("    allow_copy = true\n", pk)}, want: []tcStep{
			{Rule: "add-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `owners` WHERE (`id`) IN (SELECT `id` FROM `owners` WHERE `id` IS NOT NULL GROUP BY `id` HAVING COUNT(*) > 1)"},
			{Rule: "add-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `owners` ADD PRIMARY KEY (`id`), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "NOT NULL in contract needs allow_copy", target: mariadb1011, before: tcBlock(tcFulltext), edits: sizeNotNull,
			errHas: []string{"images.size: changing column size rebuilds table images, which keeps a FULLTEXT index on note", "Fulltext index creation requires a lock", "Add `allow_copy = true` to column \"size\" to accept that, or on note (a column of the index)", "pt-online-schema-change"}},
		{name: "NOT NULL in contract with allow_copy: copy", target: mariadb1011, before: tcBlock(tcFulltext), edits: sizeNotNullCopy, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "NOT NULL in contract, allow_copy on the index's column", target: mariadb1011, before: tcBlock(tcFulltext), edits: append(sizeNotNull, noteCopy...), want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "NOT NULL in contract on mysql 8.0: copy too", target: mysql80, before: tcBlock(tcFulltext), edits: sizeNotNullCopy, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "NULL in expand: copy, and the rollback's NOT NULL too", target: mariadb1011, before: tcBlock(tcFulltext), edits: nameNull, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}, rollback: []tcStep{
			{Rule: "widen-column", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `name` IS NULL"},
			{Rule: "widen-column", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "NOT NULL in the contract that drops the FULLTEXT index: in place (combine makes it one ALTER with the drop)", target: mariadb1011, before: tcBlock(tcFulltext), edits: append(sizeNotNull, tcFulltext+"\n", ""), want: []tcStep{
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ft_note`, FORCE, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "NULL in expand on mysql 8.0: copy, and the rollback's NOT NULL too", target: mysql80, before: tcBlock(tcFulltext), edits: nameNull, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}, rollback: []tcStep{
			{Rule: "widen-column", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `name` IS NULL"},
			{Rule: "widen-column", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "index beside a FULLTEXT index on mysql 8.0: built online", target: mysql80, before: tcBlock(tcFulltext), edits: tcBlock("  index \"ix_name\" {\n    columns = [column.name]\n  }"), want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "VARCHAR extended beside a FULLTEXT index on mysql 8.0: in place, no rebuild", target: mysql80, before: tcBlock(tcFulltext), edits: []string{"    type = varchar(30)\n", "    type = varchar(50)\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(50) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "one of two FULLTEXT indexes dropped: no FORCE, in place", target: mariadb1011, before: tcBlock(tcFulltext + "\n  index \"ft_name\" {\n    type    = FULLTEXT\n    columns = [column.name]\n  }"), edits: []string{"  index \"ft_name\" {\n    type    = FULLTEXT\n    columns = [column.name]\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ft_name`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "a second FULLTEXT index built: its rollback drops it without FORCE", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"    type = varchar(30)\n", "    type       = varchar(30)\n    allow_copy = true\n", tcFulltext, tcFulltext + "\n  index \"ft_name\" {\n    type    = FULLTEXT\n    columns = [column.name]\n  }"}, want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD FULLTEXT INDEX `ft_name` (`name`), ALGORITHM=COPY, LOCK=SHARED"},
		}, rollback: []tcStep{
			{Rule: "add-index", Phase: revision.Rollback, Stage: StageRollbackDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ft_name`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "index beside a FULLTEXT index: built online", target: mariadb1011, before: tcBlock(tcFulltext), edits: tcBlock("  index \"ix_name\" {\n    columns = [column.name]\n  }"), want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "VARCHAR extended beside a FULLTEXT index: instant", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"    type = varchar(30)\n", "    type = varchar(50)\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(50) NOT NULL, ALGORITHM=INSTANT"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
