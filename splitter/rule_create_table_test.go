package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// tcNewTable is a table new in the release, with one foreign key (its
// columns and what it references in fkBody) and columns of its own.
func tcNewTable(name, columns, fk string) string {
	return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n" + columns +
		"  primary_key {\n    columns = [column.id]\n  }\n" + fk + "}\n"
}

// tcKey is a foreign key block.
func tcKey(name, cols, refs, actions string) string {
	return "  foreign_key \"" + name + "\" {\n    columns     = [" + cols + "]\n    ref_columns = [" + refs + "]\n" + actions + "  }\n"
}

const tcImageID = "  column \"image_id\" {\n    type = bigint\n    null = true\n  }\n"

// tcNew puts new tables before images in the release.
func tcNew(tables ...string) []string {
	return []string{"table \"images\" {", strings.Join(tables, "") + "table \"images\" {"}
}

// A new table's foreign key to a table of the previous release waits for
// contract when it would fail that release's delete (ON DELETE RESTRICT,
// NO ACTION or the default) or its update of the referenced column (ON
// UPDATE so, on a column that release has): the table is created with the
// key's index, and add-foreign-key adds the key behind its orphan gate.
// ON DELETE and ON UPDATE CASCADE or SET NULL stay in the CREATE TABLE,
// and so do the keys among tables new in the release, unless a cascade
// from the previous release's writes reaches them.
func TestCreateTableForeignKeys(t *testing.T) {
	const (
		restrictTags = "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_tags_image` (`image_id`))"
		gateTags     = "SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id`)"
		addTagsKey   = "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`)"
	)
	waits := func(create, actions string) []tcStep {
		return []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: gateTags},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + actions + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: create},
		}
	}
	dropTags := []tcStep{{Rule: "create-table", Phase: revision.Rollback, Stage: StageRollbackDropTable, SQL: "DROP TABLE `tags`"}}
	tags := func(actions string) []string {
		return tcNew(tcNewTable("tags", tcImageID, tcKey("fk_tags_image", "column.image_id", "table.images.column.id", actions)))
	}
	cases := []tcCase{
		{name: "NO ACTION (the default): contract, gated; the table has the key's index", target: mariadb1011, edits: tags(""),
			want: waits(restrictTags, ""), rollback: dropTags},
		{name: "NO ACTION spelled out", target: mariadb1011, edits: tags("    on_delete   = NO_ACTION\n    on_update   = NO_ACTION\n"),
			want: waits(restrictTags, " ON UPDATE NO ACTION ON DELETE NO ACTION"), rollback: dropTags},
		{name: "ON DELETE RESTRICT, ON UPDATE CASCADE: the delete would fail", target: mariadb1011, edits: tags("    on_delete   = RESTRICT\n    on_update   = CASCADE\n"),
			want: waits(restrictTags, " ON UPDATE CASCADE ON DELETE RESTRICT"), rollback: dropTags},
		{name: "ON DELETE CASCADE, ON UPDATE left RESTRICT: the previous release may change images.id", target: mariadb1011, edits: tags("    on_delete   = CASCADE\n"),
			want: waits(restrictTags, " ON DELETE CASCADE"), rollback: dropTags},
		{name: "ON DELETE and ON UPDATE CASCADE: in the CREATE TABLE", target: mariadb1011, edits: tags("    on_delete   = CASCADE\n    on_update   = CASCADE\n"), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
		}, rollback: dropTags},
		{name: "ON DELETE and ON UPDATE SET NULL: in the CREATE TABLE", target: mariadb1011, edits: tags("    on_delete   = SET_NULL\n    on_update   = SET_NULL\n"), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE SET NULL ON DELETE SET NULL)"},
		}, rollback: dropTags},
		{name: "an index of the table serves the key: no index added", target: mariadb1011, edits: tcNew(tcNewTable("tags", tcImageID, "  index \"ix_image\" {\n    columns = [column.image_id]\n  }\n"+tcKey("fk_tags_image", "column.image_id", "table.images.column.id", ""))),
			want: waits("CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `ix_image` (`image_id`))", ""), rollback: dropTags},
		{name: "both tables new: the key stays in expand", target: mariadb1011, edits: tcNew(
			tcNewTable("albums", "", ""),
			tcNewTable("tags", "  column \"album_id\" {\n    type = bigint\n  }\n", tcKey("fk_tags_album", "column.album_id", "table.albums.column.id", ""))), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, PRIMARY KEY (`id`))"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `album_id` bigint NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_tags_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`))"},
		}},
		{name: "a key to itself stays in expand", target: mariadb1011, edits: tcNew(tcSelfRef), want: []tcStep{
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `users` (`uid` int NOT NULL, `parent_uid` int NULL, PRIMARY KEY (`uid`), CONSTRAINT `fk_users_parent` FOREIGN KEY (`parent_uid`) REFERENCES `users` (`uid`) ON DELETE CASCADE)"},
		}},
		{name: "a key to itself, in a table the previous release's deletes cascade into: both keys wait", target: mariadb1011, edits: tcNew(tcNewTable("tags", tcImageID+"  column \"parent_id\" {\n    type = bigint\n    null = true\n  }\n",
			tcKey("fk_tags_image", "column.image_id", "table.images.column.id", "    on_delete   = CASCADE\n    on_update   = CASCADE\n")+tcKey("fk_tags_parent", "column.parent_id", "table.tags.column.id", ""))), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`parent_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `tags` AS parent WHERE parent.`id` = child.`parent_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_parent` FOREIGN KEY (`parent_id`) REFERENCES `tags` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `image_id` bigint NULL, `parent_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_tags_parent` (`parent_id`), CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
		}},
		{name: "a key between new tables that a cascade from the previous release's delete reaches waits", target: mariadb1011, edits: tcNew(
			tcNewTable("albums", tcImageID, tcKey("fk_albums_image", "column.image_id", "table.images.column.id", "    on_delete   = CASCADE\n    on_update   = CASCADE\n")),
			tcNewTable("tags", "  column \"album_id\" {\n    type = bigint\n  }\n", tcKey("fk_tags_album", "column.album_id", "table.albums.column.id", "    on_update   = CASCADE\n"))), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`) ON UPDATE CASCADE, ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_albums_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`) ON UPDATE CASCADE ON DELETE CASCADE)"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `tags` (`id` bigint NOT NULL, `album_id` bigint NOT NULL, PRIMARY KEY (`id`), INDEX `fk_tags_album` (`album_id`))"},
		}},
		{name: "a cycle with a table of the previous release: both keys in contract, each gated", target: mariadb1011, edits: append(tcNew(tcNewTable("albums", tcImageID, tcKey("fk_albums_cover", "column.image_id", "table.images.column.id", ""))),
			"  primary_key {\n    columns = [column.id]\n  }\n  index", "  column \"album_id\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n"+tcKey("fk_images_album", "column.album_id", "table.albums.column.id", "")+"  index"), want: []tcStep{
			{Rule: "add-column", Phase: revision.Expand, Stage: StageAddColumn, SQL: "ALTER TABLE `images` ADD COLUMN `album_id` bigint NULL, ALGORITHM=INSTANT"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_images_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `albums` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id`)"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `albums` ADD CONSTRAINT `fk_albums_cover` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `albums` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_albums_cover` (`image_id`))"},
		}},
		{name: "a data_migration deleting the orphans: the gate leaves its rows out", target: mariadb1011, edits: append(tags(""), "table \"owners\" {", "data_migration \"orphan_tags\" {\n  table  = \"tags\"\n  delete = \"NOT EXISTS (SELECT 1 FROM images WHERE images.id = tags.image_id)\"\n}\ntable \"owners\" {"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` WHERE `tags`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = `tags`.`image_id`) AND (NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = `tags`.`image_id`)) IS NOT TRUE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
		// The delete runs first after the gates, before the key is added:
		// the parents it removed left orphans, and contract stopped at the
		// key, the parents deleted.
		{name: "a data_migration deleting parents: their children count as orphans", target: mariadb1011, edits: append(tags(""), "table \"owners\" {", "data_migration \"unnamed\" {\n  table  = \"images\"\n  delete = \"name = ''\"\n}\ntable \"owners\" {"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `tags` AS child WHERE child.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`id` = child.`image_id` AND NOT EXISTS (SELECT 1 FROM `images` WHERE `images`.`id` = parent.`id` AND (`name` = '')))"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: addTagsKey + ", ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
		// A table named parent, read unaliased for its delete, was shadowed
		// by the parent's alias: parent.id = parent.image_id compared
		// images with itself, and the gate counted no orphan.
		{name: "a table named parent with a delete: the parent's alias is another name", target: mariadb1011, edits: tcNew(tcNewTable("parent", tcImageID, tcKey("fk_parent_image", "column.image_id", "table.images.column.id", "")) +
			"data_migration \"unset\" {\n  table  = \"parent\"\n  delete = \"image_id IS NULL\"\n}\n"), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `parent` WHERE `parent`.`image_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent_ WHERE parent_.`id` = `parent`.`image_id`) AND (`image_id` IS NULL) IS NOT TRUE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `parent` ADD CONSTRAINT `fk_parent_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: "CREATE TABLE `parent` (`id` bigint NOT NULL, `image_id` bigint NULL, PRIMARY KEY (`id`), INDEX `fk_parent_image` (`image_id`))"},
		}},
		{name: "mysql: the key waits too, with the session switch", target: mysql80, edits: tags(""), want: []tcStep{
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageGate, Kind: revision.Gate, SQL: gateTags},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET SESSION foreign_key_checks = 0"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "ALTER TABLE `tags` ADD CONSTRAINT `fk_tags_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
			{Rule: "add-foreign-key", Phase: revision.Contract, Stage: StageAddGatedConstraint, SQL: "SET SESSION foreign_key_checks = 1"},
			{Rule: "create-table", Phase: revision.Expand, Stage: StageCreateTable, SQL: restrictTags},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
