package splitter

import (
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/revision"
)

const tcTags = `
table "tags" {
  schema = schema.app
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(40)
  }
  primary_key {
    columns = [column.image_id, column.tag]
  }
  foreign_key "fk_tags_image" {
    columns     = [column.image_id]
    ref_columns = [table.images.column.id]
  }
}
`

// tcOwnersPK ends the owners table of tcImages with its primary key; the
// primary-key cases start from owners without it.
const tcOwnersPK = "  primary_key {\n    columns = [column.id]\n  }\n}\ntable \"images\" {"

// tcAutoKey gives owners a new AUTO_INCREMENT key column (Roundcube's
// dictionary.id); opt is put in the column block.
func tcAutoKey(opt string) string {
	return "  column \"seq\" {\n    type           = int\n    unsigned       = true\n    auto_increment = true\n" + opt + "  }\n  primary_key {\n    columns = [column.seq]\n  }\n}\ntable \"images\" {"
}

// tcSelfRef is a table whose foreign key references itself (Friendica's
// user.parent-uid).
const tcSelfRef = `table "users" {
  schema = schema.app
  column "uid" {
    type = int
  }
  column "parent_uid" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.uid]
  }
  foreign_key "fk_users_parent" {
    columns     = [column.parent_uid]
    ref_columns = [table.users.column.uid]
    on_delete   = CASCADE
  }
}
`

// tcSelfRefOwner is a table with a key to itself and one to owners
// (Zabbix 5.0's application_prototype: templateid to itself, itemid to
// items).
const tcSelfRefOwner = `table "users" {
  schema = schema.app
  column "uid" {
    type = int
  }
  column "parent_uid" {
    type = int
    null = true
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  primary_key {
    columns = [column.uid]
  }
  foreign_key "fk_users_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }
  foreign_key "fk_users_parent" {
    columns     = [column.parent_uid]
    ref_columns = [table.users.column.uid]
    on_delete   = CASCADE
  }
}
`

// tcFulltext is a FULLTEXT index on images.note.
const tcFulltext = `  index "ft_note" {
    type    = FULLTEXT
    columns = [column.note]
  }`

const tcOwnerFK = `  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }`

// tcVirtualIndexed is a virtual column of images with an index on it.
const tcVirtualIndexed = `  column "plus" {
    type = int
    null = true
    as {
      expr = "size + 1"
      type = VIRTUAL
    }
  }
  index "ix_plus" {
    columns = [column.plus]
  }`

// tcOwnerNotNullFK makes images.owner_id NOT NULL under fk_owner, and
// tcDropOwner drops the column with its key and index.
var (
	tcOwnerNotNullFK = append(tcBlock(tcOwnerFK), "    type = bigint\n    null = true\n  }\n  column \"price\"", "    type = bigint\n  }\n  column \"price\"")
	tcDropOwner      = []string{"  column \"owner_id\" {\n    type = bigint\n  }\n", "", tcOwnerFK + "\n", "", "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}
)

const tcSizeCheck = `  check "ck_size" {
    expr = "size >= 0"
  }`

// TestBasicRules pins phase, stage and SQL of the additive (expand) and
// drop (contract) rules, per target flavor where the server differs.
func TestBasicRules(t *testing.T) {
	cases := []tcCase{
		{name: "create table with a foreign key to a table of the previous release: the key waits for contract (rule_create_table_test.go)", target: mariadb1011, edits: []string{"table \"images\" {", tcTags + "table \"images\" {"}, want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, Kind: "", SQL: "CREATE TABLE `tags` (`image_id` bigint NOT NULL, `tag` varchar(40) NOT NULL, PRIMARY KEY (`image_id`, `tag`))"},
		}},
		{name: "create table with a foreign key to itself: one statement", target: mariadb1011, edits: []string{"table \"images\" {", tcSelfRef + "table \"images\" {"}, want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, Kind: "", SQL: "CREATE TABLE `users` (`uid` int NOT NULL, `parent_uid` int NULL, PRIMARY KEY (`uid`), CONSTRAINT `fk_users_parent` FOREIGN KEY (`parent_uid`) REFERENCES `users` (`uid`) ON DELETE CASCADE)"},
		}},
		{name: "add nullable and defaulted columns", target: mariadb1011, edits: []string{"  primary_key {\n    columns = [column.id]\n  }\n  index", "  column \"owner\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"hits\" {\n    type    = int\n    default = 0\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index"}, want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `owner` varchar(20) NULL, ALGORITHM=INSTANT"},
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `hits` int NOT NULL DEFAULT 0, ALGORITHM=INSTANT"},
		}},
		{name: "add column to a table with a FULLTEXT index needs allow_copy", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"  primary_key {\n    columns = [column.id]\n  }\n  index", "  column \"owner\" {\n    type = varchar(20)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index"}, errHas: []string{"images.owner: adding a column to a table with a FULLTEXT index", "allow_copy = true"}},
		{name: "add column to a table with a FULLTEXT index with allow_copy: copy, and the rollback too", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"  primary_key {\n    columns = [column.id]\n  }\n  index", "  column \"owner\" {\n    type       = varchar(20)\n    null       = true\n    allow_copy = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n  index"}, want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `owner` varchar(20) NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}, rollback: []tcStep{
			{Rule: "add-column", Phase: revision.Rollback, Stage: StageRollbackDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `owner`, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "add STORED generated column needs allow_copy (both servers copy, error 1845)", target: mariadb1011, edits: tcBlock("  column \"double\" {\n    type = int\n    null = true\n    as {\n      expr = \"size * 2\"\n      type = STORED\n    }\n  }"), errHas: []string{"images.double: adding a STORED generated column", "allow_copy = true"}},
		{name: "add STORED generated column with allow_copy: copy", target: mysql80, edits: tcBlock("  column \"double\" {\n    type = int\n    null = true\n    allow_copy = true\n    as {\n      expr = \"size * 2\"\n      type = STORED\n    }\n  }"), want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `double` int AS (size * 2) STORED NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "add column to a table with an index on a virtual column on mariadb needs allow_copy (INSTANT refused, rebuilt only with writes blocked)", target: mariadb1011, before: tcBlock(tcVirtualIndexed), edits: tcBlock("  column \"owner\" {\n    type = varchar(20)\n    null = true\n  }"), errHas: []string{"images.owner: adding a column to a table with an index on a virtual column", "allow_copy = true"}},
		{name: "add virtual column to a table with an index on a virtual column on mariadb: instant", target: mariadb1011, before: tcBlock(tcVirtualIndexed), edits: tcBlock("  column \"triple\" {\n    type = int\n    null = true\n    as {\n      expr = \"size * 3\"\n      type = VIRTUAL\n    }\n  }"), want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `triple` int AS (size * 3) VIRTUAL, ALGORITHM=INSTANT"},
		}},
		{name: "add column to a table with an index on a virtual column on mysql: instant", target: mysql80, before: tcBlock(tcVirtualIndexed), edits: tcBlock("  column \"owner\" {\n    type = varchar(20)\n    null = true\n  }"), want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `owner` varchar(20) NULL, ALGORITHM=INSTANT"},
		}},
		{name: "add FULLTEXT index needs allow_copy", target: mariadb1011, edits: tcBlock(tcFulltext), errHas: []string{"images.note: building FULLTEXT index ft_note", "allow_copy = true"}},
		{name: "add FULLTEXT index with allow_copy: copy", target: mariadb1011, edits: append(tcBlock(tcFulltext), "    type = varchar(60)\n", "    type       = varchar(60)\n    allow_copy = true\n"), want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD FULLTEXT INDEX `ft_note` (`note`), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "add non-unique index", target: mysql80, edits: tcBlock(`  index "ix_name" {
    columns = [column.name]
  }`), want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "widen varchar inside the length-prefix line: mariadb instant", target: mariadb1011, edits: []string{"varchar(30)", "varchar(60)"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ALGORITHM=INSTANT"},
		}},
		{name: "widen varchar inside the length-prefix line: mysql in place", target: mysql80, edits: []string{"varchar(30)", "varchar(60)"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "widen varchar 30 -> 300 on mariadb: old values all under 128 bytes, instant", target: mariadb1011, edits: []string{"varchar(30)", "varchar(300)"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(300) NOT NULL, ALGORITHM=INSTANT"},
		}},
		{name: "widen varchar 30 -> 300 on mysql: crosses 255 bytes, copy", target: mysql80, edits: []string{"varchar(30)", "varchar(300)"}, errHas: []string{"images.name", "allow_copy = true"}},
		{name: "widen latin1 varchar 200 -> 250 stays under 255 bytes", target: mariadb1011, edits: []string{"varchar(200)", "varchar(250)"}, before: []string{"    type = varchar(60)\n", "    type = varchar(200)\n    charset = \"latin1\"\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(250) CHARSET latin1 NOT NULL COLLATE latin1_swedish_ci, ALGORITHM=INSTANT"},
		}},
		{name: "widen text to longtext needs allow_copy (both servers copy)", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = text\n"}, edits: []string{"    type = text\n", "    type = longtext\n"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "widen text to longtext with allow_copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = text\n"}, edits: []string{"    type = text\n", "    type = longtext\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` longtext NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen blob to mediumblob with allow_copy", target: mysql80, before: []string{"    type = varchar(60)\n", "    type = blob\n"}, edits: []string{"    type = blob\n", "    type = mediumblob\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` mediumblob NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "widen varchar across the length-prefix line needs allow_copy", target: mariadb1011, edits: []string{"varchar(60)", "varchar(100)"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "widen varchar across the length-prefix line with allow_copy", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = varchar(100)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(100) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "int -> bigint needs allow_copy", target: mariadb1011, edits: []string{"    type = int\n", "    type = bigint\n"}, errHas: []string{"images.size", "allow_copy = true"}},
		// Zabbix 5.0's items.key_ and Drupal 7.17's aggregator_feed.url
		// (varchar(255) -> text under a unique index): refused, the way out
		// two releases, where a prefix of the whole length is the whole
		// column on MariaDB. The index keys the old length as a prefix.
		{name: "widening a column under a kept index past the key limit: the index keys the old length as a prefix until contract", target: mariadb1011, before: tcBlock("  index \"ix_note\" {\n    columns = [column.note]\n  }"), edits: []string{"    type = varchar(60)\n", "    type       = varchar(800)\n    allow_copy = true\n", "  index \"ix_note\" {\n    columns = [column.note]\n  }", "  index \"ix_note\" {\n    on {\n      column = column.note\n      prefix = 100\n    }\n  }"}, want: []tcStep{
			{Rule: "index-columns", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_note`, ADD INDEX `ix_note` (`note` (100)), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(800) NOT NULL, DROP INDEX `ix_note`, ADD INDEX `ix_note` (`note` (60)), ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "VARCHAR -> TEXT copies the table: refused without allow_copy", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type = text\n"}, errHas: []string{"after.hcl:", "images.note", "varchar(60) -> text", "allow_copy = true"}},
		{name: "VARCHAR -> TEXT with allow_copy: expand, copy", target: mariadb1011, edits: []string{"    type = varchar(60)\n", "    type       = text\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "VARCHAR -> a TINYTEXT too short for it is no widening", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = varchar(64)\n"}, edits: []string{"    type = varchar(64)\n", "    type       = tinytext\n    allow_copy = true\n"}, errHas: []string{"varchar(64) -> tinytext is not a change emcee can check row by row"}},
		{name: "enum values appended", target: mariadb1011, edits: []string{`enum("a", "b", "c")`, `enum("a", "b", "c", "d")`}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INSTANT"},
		}},
		{name: "NOT NULL -> NULL rebuilds the table: refused without allow_copy", target: mariadb1011, edits: []string{"    type = varchar(30)\n", "    type = varchar(30)\n    null = true\n"}, errHas: []string{"after.hcl:", "images.name", "rebuild the whole table", "allow_copy = true"}},
		{name: "NOT NULL -> NULL with allow_copy", target: mariadb1011, edits: []string{"    type = varchar(30)\n", "    type       = varchar(30)\n    null       = true\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "column comment", target: mariadb1011, edits: []string{"    type = varchar(30)\n", "    type = varchar(30)\n    comment = \"display name\"\n"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NOT NULL COMMENT \"display name\", ALGORITHM=INSTANT"},
		}},
		{name: "drop NOT NULL column on mariadb: placeholder default, then instant drop", target: mariadb1011, edits: []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT"},
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `note`, ALGORITHM=INSTANT"},
		}},
		// Matomo 4.0 drops user.token_auth, NOT NULL under uniq_keytoken:
		// a placeholder default made the new release's second INSERT a
		// duplicate key until contract. It is made NULL instead.
		{name: "drop NOT NULL column under a unique index: NULL, not a placeholder, which needs allow_copy", target: mariadb1011, before: tcBlock("  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }"), edits: []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", "", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n", ""}, errHas: []string{"images.", "letting the new release omit images.note (its unique index ux_note, kept until contract, would take a placeholder default once", "so the column must become NULL; note is no longer declared to carry `allow_copy`, so any column of images does) makes the server rebuild", "allow_copy = true", "or drop index ux_note in a release before this one"}},
		{name: "drop NOT NULL column under a unique index with allow_copy: NULL in expand", target: mariadb1011, before: tcBlock("  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }"), edits: []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", "", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n", "", "    type = varchar(30)\n", "    type       = varchar(30)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `note`, ALGORITHM=INSTANT"},
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ux_note`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		// Sylius 1.0.0-beta.2 drops channel_pricing.channel_id, NOT NULL
		// under a foreign key to channel: the placeholder default, which
		// no channel has, made every INSERT of the new release fail the
		// key until contract. It is made NULL instead.
		{name: "drop NOT NULL column holding a foreign key: NULL, not a placeholder, which needs allow_copy", target: mariadb1011, before: tcOwnerNotNullFK, edits: tcDropOwner, errHas: []string{"letting the new release omit images.owner_id (its foreign key fk_owner, kept until contract, would refuse a placeholder default, which no row of owners holds", "allow_copy = true", "or drop foreign key fk_owner in a release before this one"}},
		{name: "drop NOT NULL column holding a foreign key with allow_copy: NULL in expand", target: mariadb1011, before: tcOwnerNotNullFK, edits: append(tcDropOwner, "    type = varchar(30)\n", "    type       = varchar(30)\n    allow_copy = true\n"), want: []tcStep{
			{Rule: "drop-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `owner_id` bigint NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `owner_id`, ALGORITHM=INSTANT"},
			{Rule: "drop-foreign-key", Phase: revision.Contract, Stage: StageDropForeignKey, Kind: "", SQL: "ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop column from a table keeping a FULLTEXT index needs allow_copy on the index", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", ""}, errHas: []string{"images.note: dropping column price from a table that keeps a FULLTEXT index", "allow_copy = true"}},
		{name: "drop column from a table keeping a FULLTEXT index with allow_copy: copy", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", "", "    type = varchar(60)\n", "    type       = varchar(60)\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `price`, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "drop column from a table keeping an index on a virtual column on mariadb needs allow_copy on the index (INSTANT refused, error 1846)", target: mariadb1011, before: tcBlock(tcVirtualIndexed), edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", ""}, errHas: []string{"images.plus: dropping column price from a table that keeps an index on a virtual column", "allow_copy = true"}},
		{name: "drop column from a table keeping an index on a virtual column on mariadb with allow_copy: copy", target: mariadb1011, before: tcBlock(tcVirtualIndexed), edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", "", "  column \"plus\" {\n    type = int\n", "  column \"plus\" {\n    type = int\n    allow_copy = true\n"}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `price`, ALGORITHM=COPY, LOCK=SHARED"},
		}},
		{name: "drop column with the FULLTEXT index in the same release: instant column, index dropped by a rebuild", target: mariadb1011, before: tcBlock(tcFulltext), edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", "", tcFulltext + "\n", ""}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `price`, ALGORITHM=INSTANT"},
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ft_note`, FORCE, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop column on mysql 8.0: in place", target: mysql80, edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `price`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop column on mysql 8.4: instant", target: mysql84, edits: []string{"  column \"price\" {\n    type = decimal(10, 2)\n    null = true\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `price`, ALGORITHM=INSTANT"},
		}},
		{name: "index becomes unique under its name: contract, gated, one ALTER", target: mariadb1011, edits: []string{"  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n"}, want: []tcStep{
			{Rule: "index-uniqueness", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE (`owner_id`) IN (SELECT `owner_id` FROM `images` WHERE `owner_id` IS NOT NULL GROUP BY `owner_id` HAVING COUNT(*) > 1)"},
			{Rule: "index-uniqueness", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD UNIQUE INDEX `ix_owner` (`owner_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "index no longer unique under its name: contract, one ALTER", target: mariadb1011, before: []string{"  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n"}, edits: []string{"  index \"ix_owner\" {\n    unique = true\n", "  index \"ix_owner\" {\n"}, want: []tcStep{
			{Rule: "index-uniqueness", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "primary key on a table that had none: contract, gated, in place", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {"}, edits: []string{"}\ntable \"images\" {", tcOwnersPK}, want: []tcStep{
			{Rule: "add-primary-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `owners` WHERE (`id`) IN (SELECT `id` FROM `owners` WHERE `id` IS NOT NULL GROUP BY `id` HAVING COUNT(*) > 1)"},
			{Rule: "add-primary-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `owners` ADD PRIMARY KEY (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "primary key on a new column of a table that had none is refused", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {"}, edits: []string{"}\ntable \"images\" {", "  column \"code\" {\n    type = int\n  }\n  primary_key {\n    columns = [column.code]\n  }\n}\ntable \"images\" {"}, errHas: []string{"after.hcl:", "primary key of owners: column code is new in this release"}},
		{name: "new AUTO_INCREMENT primary key column needs allow_copy", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {"}, edits: []string{"}\ntable \"images\" {", tcAutoKey("")}, errHas: []string{"after.hcl:", "owners.seq: adding the AUTO_INCREMENT primary key column seq makes the server copy the whole table", "allow_copy = true", "or keep the table without it"}},
		{name: "new AUTO_INCREMENT primary key column with allow_copy: expand, one ALTER", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {"}, edits: []string{"}\ntable \"images\" {", tcAutoKey("    allow_copy     = true\n")}, want: []tcStep{
			{Rule: "add-primary-key", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `owners` ADD COLUMN `seq` int unsigned NOT NULL AUTO_INCREMENT, ADD PRIMARY KEY (`seq`), ALGORITHM=COPY, LOCK=SHARED"},
		}, rollback: []tcStep{
			{Rule: "add-primary-key", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: revision.Gate, SQL: "SELECT 1"},
		}},
		{name: "primary key on a column NULL before is refused", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {", "    type = bigint\n  }\n}", "    type = bigint\n    null = true\n  }\n}"}, edits: []string{"}\ntable \"images\" {", tcOwnersPK, "    type = bigint\n    null = true\n  }\n  primary_key", "    type = bigint\n  }\n  primary_key"}, errHas: []string{"primary key of owners: column id is NULL in the previous release"}},
		{name: "drop index", target: mariadb1011, edits: []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop table", target: mariadb1011, before: []string{"table \"images\" {", tcTags + "table \"images\" {"}, edits: []string{tcTags, ""}, want: []tcStep{
			{Rule: "drop-table", Phase: revision.Contract, Stage: StageDropTable, Kind: "", SQL: "DROP TABLE `tags`"},
		}},
		{name: "drop a table with a foreign key to itself", target: mariadb1011, before: []string{"table \"images\" {", tcSelfRef + "table \"images\" {"}, edits: []string{tcSelfRef, ""}, want: []tcStep{
			{Rule: "drop-table", Phase: revision.Contract, Stage: StageDropTable, Kind: "", SQL: "DROP TABLE `users`"},
		}},
		{name: "drop a table with a foreign key to itself and one to a table it keeps: one statement", target: mariadb1011, before: []string{"table \"images\" {", tcSelfRefOwner + "table \"images\" {"}, edits: []string{tcSelfRefOwner, ""}, want: []tcStep{
			{Rule: "drop-table", Phase: revision.Contract, Stage: StageDropTable, Kind: "", SQL: "DROP TABLE `users`"},
		}},
		{name: "drop foreign key whose index the server made: the index goes too", target: mariadb1011, before: append(tcBlock(tcOwnerFK), "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""), edits: []string{tcOwnerFK + "\n", ""}, want: []tcStep{
			{Rule: "drop-foreign-key", Phase: revision.Contract, Stage: StageDropForeignKey, Kind: "", SQL: "ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, DROP INDEX `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "add index serving a foreign key whose index the server made: that index goes, and comes back in the rollback", target: mariadb1011, before: append(tcBlock(tcOwnerFK), "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""), edits: []string{tcOwnerFK + "\n", tcOwnerFK + "\n" + "  index \"ix_owner_name\" {\n    columns = [column.owner_id, column.name]\n  }\n"}, want: []tcStep{
			{Rule: "add-index", Phase: revision.Expand, Stage: StageAddIndex, Kind: "", SQL: "ALTER TABLE `images` ADD INDEX `ix_owner_name` (`owner_id`, `name`), DROP INDEX `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}, rollback: []tcStep{
			{Rule: "add-index", Phase: revision.Rollback, Stage: StageRollbackDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner_name`, ADD INDEX `fk_owner` (`owner_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop the index a foreign key the release keeps used: the key gets its own in the same ALTER", target: mariadb1011, before: tcBlock(tcOwnerFK), edits: []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `fk_owner` (`owner_id`), ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop a foreign key and the index it used", target: mariadb1011, before: tcBlock(tcOwnerFK), edits: []string{tcOwnerFK + "\n", "", "  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}, want: []tcStep{
			{Rule: "drop-foreign-key", Phase: revision.Contract, Stage: StageDropForeignKey, Kind: "", SQL: "ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "drop-index", Phase: revision.Contract, Stage: StageDropIndex, Kind: "", SQL: "ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop foreign key", target: mariadb1011, before: tcBlock(tcOwnerFK), edits: []string{tcOwnerFK + "\n", ""}, want: []tcStep{
			{Rule: "drop-foreign-key", Phase: revision.Contract, Stage: StageDropForeignKey, Kind: "", SQL: "ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "drop check on mariadb: DROP CONSTRAINT", target: mariadb1011, before: tcBlock(tcSizeCheck), edits: []string{tcSizeCheck + "\n", ""}, want: []tcStep{
			{Rule: "drop-check", Phase: revision.Contract, Stage: StageDropCheck, Kind: "", SQL: "ALTER TABLE `images` DROP CONSTRAINT `ck_size`, ALGORITHM=INSTANT"},
		}},
		{name: "drop check on mysql: DROP CHECK", target: mysql80, before: tcBlock(tcSizeCheck), edits: []string{tcSizeCheck + "\n", ""}, want: []tcStep{
			{Rule: "drop-check", Phase: revision.Contract, Stage: StageDropCheck, Kind: "", SQL: "ALTER TABLE `images` DROP CHECK `ck_size`, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// TestWidenVarcharCharsetWidth pins that a VARCHAR's bytes, which decide
// where its length prefix grows, come from the width of the charset the
// column really has: named by a collation alone (table or column), and for
// every charset the servers have, not only the common ones.
func TestWidenVarcharCharsetWidth(t *testing.T) {
	const head = "table \"images\" {\n  schema = schema.app\n"
	latin1Table := []string{head, head + "  collate = \"latin1_swedish_ci\"\n"}
	cases := []tcCase{
		{name: "latin1 by the table's collation, 200 -> 300 on mariadb: 200 -> 300 bytes crosses 255, copy", target: mariadb1011, before: append(latin1Table, "    type = varchar(60)\n", "    type = varchar(200)\n"), edits: []string{"varchar(200)", "varchar(300)"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "latin1 by the table's collation, 100 -> 300 on mysql: crosses 255 bytes, copy", target: mysql80, before: append(latin1Table, "    type = varchar(60)\n", "    type = varchar(100)\n"), edits: []string{"varchar(100)", "varchar(300)"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "latin1 by the column's collation, 200 -> 300 on mariadb: copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = varchar(200)\n    collate = \"latin1_swedish_ci\"\n"}, edits: []string{"varchar(200)", "varchar(300)"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
		{name: "latin1 by the table's collation, 30 -> 60 on mysql: under 255 bytes, in place", target: mysql80, before: latin1Table, edits: []string{"varchar(30)", "varchar(60)"}, want: []tcStep{
			{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		}},
		{name: "big5, 2 bytes a character, 100 -> 200 on mariadb: 200 -> 400 bytes, copy", target: mariadb1011, before: []string{"    type = varchar(60)\n", "    type = varchar(100)\n    charset = \"big5\"\n"}, edits: []string{"varchar(100)", "varchar(200)"}, errHas: []string{"after.hcl:", "images.note", "allow_copy = true"}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// Split reports every change a rule refuses, not the first: phpBB 3.0.4
// widens twelve columns that each need allow_copy, and twelve runs of
// emcee plan to learn them one by one was what a user got.
func TestSplitReportsEveryRefusal(t *testing.T) {
	after := tcEdit(t, tcImages, "varchar(60)", "varchar(100)", "    type = int\n", "    type = bigint\n")
	tr, ctx, err := tcDiff(mariadb1011, tcImages, after)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Split(tr, mariadb1011, ctx.drv)
	if err == nil {
		t.Fatal("plan succeeded, want the two allow_copy refusals")
	}
	for _, want := range []string{"images.note: this change (type: varchar(60) -> varchar(100)) makes the server copy", "images.size: this change (type: int -> bigint) makes the server copy"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

// Kanboard 100 makes actions.action_name varchar(255) NULL, from
// varchar(50) NOT NULL: the refusal said "(type, nullability: varchar(50)
// -> varchar(255))", which showed the length and hid the NULL.
func TestWideningRefusalShowsNullability(t *testing.T) {
	after := tcEdit(t, tcImages, "    type = varchar(60)\n", "    type = varchar(100)\n    null = true\n")
	tr, ctx, err := tcDiff(mariadb1011, tcImages, after)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Split(tr, mariadb1011, ctx.drv)
	if want := "images.note: this change (type, nullability: varchar(60) NOT NULL -> varchar(100) NULL) makes the server copy"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error lacks %q:\n%v", want, err)
	}
}

// A type Atlas does not model reaches the refusal of a tightening by the
// name the user declared, not by its Go type.
func TestTighteningNamesAnUnmodelledType(t *testing.T) {
	from := &schema.Column{Name: "v", Type: &schema.ColumnType{Type: &schema.UnsupportedType{T: "vector"}}}
	to := &schema.Column{Name: "v", Type: &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 10}}}
	_, err := planTightening(from, to, schema.ChangeType)
	if want := "vector -> varchar(10) is not a change emcee can check row by row"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("planTightening: %v, want %q", err, want)
	}
}
