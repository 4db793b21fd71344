package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// tcBeforePK anchors edits that add a table-level block to images.
const tcBeforePK = "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\""

func tcBlock(block string) []string {
	return []string{tcBeforePK, block + "\n" + tcBeforePK}
}

const tcAllowCopySize = "    type = int\n    null = true\n  }\n  column \"owner_id\""

func tcColumn(name, body string) []string {
	return []string{"  column \"" + name + "\" {\n", "  column \"" + name + "\" {\n" + body + "\n"}
}

// TestGatedRules pins what each gated contract rule writes: the gate (a
// readable COUNT(*) that must be 0) first, then the statement it protects,
// both in contract, and the per-flavor spelling.
func TestGatedRules(t *testing.T) {
	cases := []tcCase{
		{name: "unique index: gate ignores NULL keys, built online", target: mariadb1011, edits: tcBlock(`  index "ux_name" {
    unique  = true
    columns = [column.name, column.kind]
  }`), want: []tcStep{
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`name`, `kind`) IN (SELECT `name`, `kind` FROM `images` WHERE `name` IS NOT NULL AND `kind` IS NOT NULL GROUP BY `name`, `kind` HAVING COUNT(*) > 1)"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`, `kind`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		// Dolibarr 20's uk_ticket_barcode_barcode_type: the previous
		// release writes NULL in the new column, which never collides.
		{name: "unique index on a new nullable column: expand, no gate", target: mariadb1011, edits: []string{tcBeforePK, `  column "barcode" {
    type = varchar(64)
    null = true
  }
  index "ux_barcode" {
    unique  = true
    columns = [column.barcode, column.kind]
  }
` + tcBeforePK}, want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `barcode` varchar(64) NULL, ALGORITHM=INSTANT"},
			{Rule: "add-unique-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_barcode` (`barcode`, `kind`), ALGORITHM=INPLACE, LOCK=NONE"},
		}, rollback: []tcStep{ // in claim order; the file orders them by stage, the index first
			{Rule: "add-column", Phase: revision.Rollback, Stage: StageRollbackDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `barcode`, ALGORITHM=INSTANT"},
			{Rule: "add-unique-index", Phase: revision.Rollback, Stage: StageRollbackDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_barcode`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		// The table has the index's name in another letter case: Atlas
		// drops one and adds the other, and the server, which compares
		// index names without regard to case, refused the add in expand
		// (1061) while the drop waited for contract.
		{name: "unique index on a new nullable column, renamed only in case: contract, after the drop", target: mariadb1011,
			before: tcBlock(`  index "ux_kind" {
    unique  = true
    columns = [column.kind]
  }`),
			edits: []string{`  index "ux_kind" {
    unique  = true
    columns = [column.kind]
  }`, `  column "barcode" {
    type = varchar(64)
    null = true
  }
  index "UX_KIND" {
    unique  = true
    columns = [column.kind, column.barcode]
  }`}, want: []tcStep{
				{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `barcode` varchar(64) NULL, ALGORITHM=INSTANT"},
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`kind`, `barcode`) IN (SELECT `kind`, `barcode` FROM `images` WHERE `kind` IS NOT NULL AND `barcode` IS NOT NULL GROUP BY `kind`, `barcode` HAVING COUNT(*) > 1)"},
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `UX_KIND` (`kind`, `barcode`), ALGORITHM=INPLACE, LOCK=NONE"},
				{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_kind`, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "unique index on a new column with a default: contract, gated", target: mariadb1011, edits: []string{tcBeforePK, `  column "barcode" {
    type    = varchar(64)
    null    = true
    default = "none"
  }
  index "ux_barcode" {
    unique  = true
    columns = [column.barcode, column.kind]
  }
` + tcBeforePK}, want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `barcode` varchar(64) NULL DEFAULT \"none\", ALGORITHM=INSTANT"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`barcode`, `kind`) IN (SELECT `barcode`, `kind` FROM `images` WHERE `barcode` IS NOT NULL AND `kind` IS NOT NULL GROUP BY `barcode`, `kind` HAVING COUNT(*) > 1)"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_barcode` (`barcode`, `kind`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		// ON UPDATE fills the column on every update of the previous
		// release: two rows updated in the same second collide.
		{name: "unique index on a new nullable column ON UPDATE fills: contract, gated", target: mariadb1011, edits: []string{tcBeforePK, `  column "stamped" {
    type      = datetime
    null      = true
    on_update = sql("CURRENT_TIMESTAMP")
  }
  index "ux_stamped" {
    unique  = true
    columns = [column.stamped, column.kind]
  }
` + tcBeforePK}, want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `stamped` datetime NULL ON UPDATE CURRENT_TIMESTAMP, ALGORITHM=INSTANT"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`stamped`, `kind`) IN (SELECT `stamped`, `kind` FROM `images` WHERE `stamped` IS NOT NULL AND `kind` IS NOT NULL GROUP BY `stamped`, `kind` HAVING COUNT(*) > 1)"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_stamped` (`stamped`, `kind`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "unique index on a prefix groups by the prefix", target: mysql80, edits: tcBlock(`  index "ux_note" {
    unique = true
    on {
      column = column.note
      prefix = 10
    }
  }`), want: []tcStep{
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (LEFT(`note`, 10)) IN (SELECT LEFT(`note`, 10) FROM `images` WHERE LEFT(`note`, 10) IS NOT NULL GROUP BY LEFT(`note`, 10) HAVING COUNT(*) > 1)"},
			{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_note` (`note` (10)), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "foreign key on mariadb: SET STATEMENT scopes the check switch", target: mariadb1011, edits: tcBlock(`  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }`), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` AS child WHERE child.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS parent WHERE parent.`id` = child.`owner_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "foreign key on mysql: session switch around the ALTER", target: mysql80, edits: tcBlock(`  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }`), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` AS child WHERE child.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS parent WHERE parent.`id` = child.`owner_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "SET SESSION foreign_key_checks = 0"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "SET SESSION foreign_key_checks = 1"},
		}},
		{name: "check needs allow_copy", target: mariadb1011, edits: tcBlock(`  check "ck_size" {
    expr = "size >= 0"
  }`), errHas: []string{"after.hcl:", "images.size", "allow_copy = true", "ck_size"}},
		{name: "check", target: mariadb1011, edits: append(tcBlock(`  check "ck_size" {
    expr = "size >= 0"
  }`), tcColumn("size", "    allow_copy = true")...), want: []tcStep{
			{Rule: "add-check", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE NOT (`size` >= 0)"},
			{Rule: "add-check", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD CONSTRAINT `ck_size` CHECK (size >= 0), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "changed check expression on mariadb: Atlas misses it; old dropped in expand, new added gated in contract", target: mariadb1011, before: append(tcBlock(tcSizeCheck), tcColumn("size", "    allow_copy = true")...), edits: []string{"size >= 0", "size > 0"}, want: []tcStep{
			{Rule: "add-check", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` DROP CONSTRAINT `ck_size`, ALGORITHM=INSTANT"},
			{Rule: "add-check", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE NOT (`size` > 0)"},
			{Rule: "add-check", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD CONSTRAINT `ck_size` CHECK (size > 0), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "changed check expression on mysql 8.4: DROP CHECK", target: mysql84, before: append(tcBlock(tcSizeCheck), tcColumn("size", "    allow_copy = true")...), edits: []string{"size >= 0", "size > 0"}, want: []tcStep{
			{Rule: "add-check", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` DROP CHECK `ck_size`, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-check", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE NOT (`size` > 0)"},
			{Rule: "add-check", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD CONSTRAINT `ck_size` CHECK (size > 0), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "reformatted check expression is no change", target: mariadb1011, before: append(tcBlock(tcSizeCheck), tcColumn("size", "    allow_copy = true")...), edits: []string{"size >= 0", "(`size`  >=  0)"}, want: nil},
		{name: "tighten: NULL -> NOT NULL in place", target: mariadb1011, edits: []string{"    type = int\n    null = true\n", "    type = int\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "tighten: dropping a NOT NULL column's default waits for contract, no gate", target: mariadb1011, before: tcColumn("note", "    default = \"\""), edits: []string{"    default = \"\"\n", ""}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INSTANT"},
		}},
		{name: "widen: changing a NOT NULL column's default stays in expand", target: mariadb1011, before: tcColumn("note", "    default = \"\""), edits: []string{"    default = \"\"\n", "    default = \"none\"\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL DEFAULT \"none\", ALGORITHM=INSTANT"},
		}},
		{name: "tighten: shorter varchar needs allow_copy", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = varchar(20)\n"},
			errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "tighten: shorter varchar", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = varchar(20)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 20"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(20) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: varchar -> longer char: expand widens the varchar, contract gates trailing spaces", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = char(100)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(100) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `note` LIKE '% '"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` char(100) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: varchar -> shorter char", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = char(20)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 20 OR `note` LIKE '% '"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` char(20) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen: char -> varchar as long", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = char(32)\n"}, edits: []string{"    type = char(32)\n", "    type = varchar(32)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(32) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: char -> shorter varchar", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = char(32)\n"}, edits: []string{"    type = char(32)\n", "    type = varchar(8)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(32) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 8"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(8) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: shorter char", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = char(32)\n"}, edits: []string{"    type = char(32)\n", "    type = char(8)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 8"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` char(8) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen: bool -> tinyint is the same storage: instant", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = bool\n"}, edits: []string{"    type = bool\n", "    type = tinyint\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` tinyint NOT NULL, ALGORITHM=INSTANT"},
		}},
		{name: "tighten: bool -> tinyint unsigned goes through smallint", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = bool\n"}, edits: []string{"    type = bool\n", "    type       = tinyint\n    unsigned   = true\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` smallint NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `note` NOT BETWEEN 0 AND 255"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` tinyint unsigned NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen: datetime -> datetime(6) needs allow_copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = datetime\n"}, edits: []string{"    type = datetime\n", "    type = datetime(6)\n"}, errHas: []string{"images.note", "datetime -> datetime(6)", "allow_copy = true"}},
		{name: "widen: datetime -> datetime(6) with allow_copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = datetime\n"}, edits: []string{"    type = datetime\n", "    type       = datetime(6)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` datetime(6) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		// Matomo 4.0: goal.revenue, log_conversion_item.price float -> double.
		{name: "widen: float -> double needs allow_copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = float\n"}, edits: []string{"    type = float\n", "    type = double\n"}, errHas: []string{"images.note", "float -> double", "allow_copy = true"}},
		{name: "widen: float -> double with allow_copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = float\n"}, edits: []string{"    type = float\n", "    type       = double\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` double NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: double -> float is refused", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = double\n"}, edits: []string{"    type = double\n", "    type       = float\n    allow_copy = true\n"}, errHas: []string{"double -> float is not a change emcee can check row by row"}},
		{name: "tighten: VARCHAR with a default -> TEXT without one: TEXT keeping the default in expand, default dropped in contract", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type    = varchar(60)\n    default = \"\"\n"}, edits: []string{"    type    = varchar(60)\n    default = \"\"\n", "    type       = text\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL DEFAULT \"\", ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=INSTANT"},
		}},
		{name: "tighten: VARCHAR with a default -> TEXT without one is refused on mysql 8.0", target: mysql80, before: []string{"    type = varchar(60)\n", "    type    = varchar(60)\n    default = \"\"\n"}, edits: []string{"    type    = varchar(60)\n    default = \"\"\n", "    type       = text\n    allow_copy = true\n"}, errHas: []string{"after.hcl:", "images.note: the previous release's INSERTs leave the column to its default, which MySQL 8.0 does not take on a text column", "`replaces`"}},
		{name: "tighten: text -> json goes through longtext, contract rejects what is not JSON", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = text\n"}, edits: []string{"    type = text\n", "    type       = json\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` longtext NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE NOT JSON_VALID(`note`)"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` json NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: longtext -> json on mysql 8.0 is the gate and the contract only", target: mysql80, before: []string{"    type = varchar(60)\n", "    type = longtext\n"}, edits: []string{"    type = longtext\n", "    type       = json\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE NOT JSON_VALID(`note`)"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` json NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: text of a latin1 table -> json is refused: the new release's documents are utf8mb4", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = text\n", "table \"images\" {\n  schema = schema.app\n", "table \"images\" {\n  schema = schema.app\n  charset = \"latin1\"\n"}, edits: []string{"    type = text\n", "    type       = json\n    allow_copy = true\n"}, errHas: []string{"images.note: a latin1 column cannot hold the JSON documents", "`replaces`"}},
		// A TEXT narrowed, as Redmine's widenings are undone: the column
		// stays the TEXT until contract, whose gate counts what the
		// narrower type cannot hold, bytes for a TEXT.
		{name: "tighten: longtext -> text: gate on the bytes a TEXT holds", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = longtext\n"}, edits: []string{"    type = longtext\n", "    type       = text\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE OCTET_LENGTH(`note`) > 65535"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: text -> char: gate on the characters and the trailing spaces CHAR drops", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = text\n"}, edits: []string{"    type = text\n", "    type       = char(20)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 20 OR `note` LIKE '% '"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` char(20) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: blob -> json is refused", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = blob\n"}, edits: []string{"    type = blob\n", "    type       = json\n    allow_copy = true\n"}, errHas: []string{"blob -> json is not a change emcee can check row by row"}},
		{name: "tighten: datetime(6) -> datetime is refused", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = datetime(6)\n"}, edits: []string{"    type = datetime(6)\n", "    type       = datetime\n    allow_copy = true\n"}, errHas: []string{"datetime(6) -> datetime is not a change emcee can check row by row"}},
		{name: "tighten: smaller int and NOT NULL", target: mysql80, edits: []string{"    type = int\n    null = true\n", "    type = smallint\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL OR `size` NOT BETWEEN -32768 AND 32767"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` smallint NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: signed -> unsigned goes through bigint", target: mariadb1011, edits: []string{"    type = int\n    null = true\n", "    type = int\n    unsigned = true\n    null = true\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` bigint NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` NOT BETWEEN 0 AND 4294967295"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int unsigned NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		// The other way the same: expand widens the unsigned column to the
		// signed type a rank above, which holds both releases' values
		// (refused before, as no widening emcee could find).
		{name: "tighten: unsigned -> signed goes through a signed type a rank above", target: mariadb1011, before: []string{"    type = int\n    null = true\n", "    type     = int\n    unsigned = true\n    null     = true\n"}, edits: []string{"    type     = int\n    unsigned = true\n    null     = true\n", "    type       = int\n    null       = true\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` bigint NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` NOT BETWEEN -2147483648 AND 2147483647"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` int NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		// An integer narrowed to BOOL is checked as a signed TINYINT; from an
		// unsigned one it goes through the signed type a rank above (the
		// refusal said before that emcee found no type for both releases).
		{name: "tighten: smallint unsigned -> bool goes through mediumint", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type     = smallint\n    unsigned = true\n"}, edits: []string{"    type     = smallint\n    unsigned = true\n", "    type       = bool\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` mediumint NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `note` NOT BETWEEN -128 AND 127"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` bool NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen: smallint unsigned -> int holds every value", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type     = smallint\n    unsigned = true\n"}, edits: []string{"    type     = smallint\n    unsigned = true\n", "    type       = int\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` int NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: enum value removed and one added", target: mariadb1011, edits: []string{`enum("a", "b", "c")`, `enum("a", "b", "d")`, "    null = true\n  }\n  column \"size\"", "    null = true\n    allow_copy = true\n  }\n  column \"size\""}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INSTANT"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `kind` NOT IN ('a', 'b', 'd') AND `kind` + 0 <> 0"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','d') NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		// PrestaShop 8.0 puts '410' among the redirect types: expand appends
		// it, contract sets the declared order, with no gate (no row is lost).
		{name: "tighten: enum value inserted among the others", target: mariadb1011, edits: []string{`enum("a", "b", "c")`, `enum("a", "d", "b", "c")`, "    null = true\n  }\n  column \"size\"", "    null = true\n    allow_copy = true\n  }\n  column \"size\""}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INSTANT"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','d','b','c') NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		// The server compares enum values without regard to case: the
		// column both releases share keeps the old spelling (enum('a','b','B')
		// would be refused as a duplicate), contract re-cases it.
		{name: "tighten: enum value re-cased", target: mariadb1011, edits: []string{`enum("a", "b", "c")`, `enum("a", "B", "c")`, "    null = true\n  }\n  column \"size\"", "    null = true\n    allow_copy = true\n  }\n  column \"size\""}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `kind` NOT IN ('a', 'B', 'c') AND `kind` + 0 <> 0"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','B','c') NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: narrower decimal", target: mariadb1011, edits: []string{"decimal(10, 2)\n    null = true\n", "decimal(8, 1)\n    null = true\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE ABS(`price`) >= 10000000 OR `price` <> ROUND(`price`, 1)"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `price` decimal(8,1) NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "tighten: incompatible type is refused", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = int\n"},
			errHas: []string{"after.hcl:", "column images.note changes (type)", "varchar(60) -> int", "replaces {"}},
		// GLPI 9.5's datetime -> timestamp keeps the name: "split the change
		// over two releases" did not say how, and a new column of the same
		// name cannot replace it.
		{name: "tighten: a refused type change says how to keep the name", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = int\n"},
			errHas: []string{"declare a new column, under another name, with the replaces block below in its column block", "    replaces {\n      column   = \"note\"\n", "to keep the name note, declare in the next release a column note with `renamed_from` the new one", "the new one):\n    replaces {"}},
		{name: "tighten: widened in expand, NOT NULL in contract", target: mariadb1011, edits: []string{"    type = int\n    null = true\n", "    type = bigint\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "tighten-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` bigint NULL, ALGORITHM=COPY, LOCK=SHARED"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `size` IS NULL"},
			{Rule: "tighten-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `size` bigint NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "table comment on mariadb is instant", target: mariadb1011, edits: []string{"table \"images\" {\n  schema = schema.app\n", "table \"images\" {\n  schema = schema.app\n  comment = \"uploaded images\"\n"}, want: []tcStep{
			{Rule: "table-comment", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` COMMENT \"uploaded images\", ALGORITHM=INSTANT"},
		}},
		{name: "table comment on mysql is in place", target: mysql80, edits: []string{"table \"images\" {\n  schema = schema.app\n", "table \"images\" {\n  schema = schema.app\n  comment = \"uploaded images\"\n"}, want: []tcStep{
			{Rule: "table-comment", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` COMMENT \"uploaded images\", ALGORITHM=INPLACE, LOCK=NONE"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
