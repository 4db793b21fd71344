package splitter

import (
	"slices"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// A key contract adds to an existing table comes after the index it needs
// on the columns it references, when contract adds that index too
// (fk_ref_index.go): both were at StageAddGatedConstraint, where contract
// handles the referencing table first, and the server refused the key
// (error 1822). An index that contract changes into one the key can use
// changes before any key is added (index-columns), and a key to its own
// table follows the index in the table's order: those stay where they
// were.
func TestAddForeignKeyAfterIndex(t *testing.T) {
	ownersName := []string{"table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n", "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  column \"image_name\" {\n    type = varchar(30)\n    null = true\n  }\n" +
		tcKey("fk_owners_image", "column.image_name", "table.images.column.name", "")}
	ownerGate := "gate: SELECT COUNT(*) FROM `owners` AS child WHERE child.`image_name` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`name` = child.`image_name`)"
	ownerKey := "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `owners` ADD CONSTRAINT `fk_owners_image` FOREIGN KEY (`image_name`) REFERENCES `images` (`name`), ALGORITHM=INPLACE, LOCK=NONE"
	addImageName := "ALTER TABLE `owners` ADD COLUMN `image_name` varchar(30) NULL, ALGORITHM=INSTANT"
	dupName := "gate: SELECT COUNT(*) FROM `images` WHERE (`name`) IN (SELECT `name` FROM `images` WHERE `name` IS NOT NULL GROUP BY `name` HAVING COUNT(*) > 1)"
	cases := []phasesCase{
		{name: "the unique index it references comes in contract, behind its gate: the key after it", target: mariadb1011,
			edits: slices.Concat(tcIndexBeforeOwner("ux_name", "    unique  = true\n", "column.name"), ownersName),
			want: map[revision.Phase][]string{
				revision.Expand: {addImageName},
				revision.Contract: {ownerGate, dupName,
					"ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
					ownerKey},
				revision.Rollback: {"ALTER TABLE `owners` DROP COLUMN `image_name`, ALGORITHM=INSTANT"},
			}},
		{name: "an index contract gives the columns: changed before any key is added, as before", target: mariadb1011,
			before: tcIndexBeforeOwner("ix_name", "", "column.note"),
			edits:  slices.Concat([]string{"    columns = [column.note]\n", "    columns = [column.name]\n"}, ownersName),
			want: map[revision.Phase][]string{
				revision.Expand: {addImageName},
				revision.Contract: {ownerGate,
					"ALTER TABLE `images` DROP INDEX `ix_name`, ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
					ownerKey},
				revision.Rollback: {"ALTER TABLE `owners` DROP COLUMN `image_name`, ALGORITHM=INSTANT"},
			}},
		{name: "a key to its own table follows the index in the table's order, as before", target: mariadb1011,
			edits: slices.Concat(tcIndexBeforeOwner("ux_name", "    unique  = true\n", "column.name"),
				[]string{"  index \"ux_name\"", "  column \"parent_name\" {\n    type = varchar(30)\n    null = true\n  }\n" + tcKey("fk_images_parent", "column.parent_name", "table.images.column.name", "") + "  index \"ux_name\""}),
			want: map[revision.Phase][]string{
				revision.Expand: {"ALTER TABLE `images` ADD COLUMN `parent_name` varchar(30) NULL, ALGORITHM=INSTANT"},
				revision.Contract: {dupName,
					"gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`parent_name` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `images` AS parent WHERE parent.`name` = child.`parent_name`)",
					"ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_images_parent` FOREIGN KEY (`parent_name`) REFERENCES `images` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `images` DROP COLUMN `parent_name`, ALGORITHM=INSTANT"},
			}},
		{name: "a key column to a table new in the release: the table in expand, the key in contract, as before", target: mariadb1011,
			edits: slices.Concat(tcNew(tcNewTable("albums", "", "")),
				[]string{"  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\"", "  column \"album_id\" {\n    type = bigint\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" + tcKey("fk_images_album", "column.album_id", "table.albums.column.id", "") + "  index \"ix_owner\""}),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `albums` (`id` bigint NOT NULL, PRIMARY KEY (`id`))", "ALTER TABLE `images` ADD COLUMN `album_id` bigint NULL, ALGORITHM=INSTANT"},
				revision.Contract: {"gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`album_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`album_id`)",
					"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_images_album` FOREIGN KEY (`album_id`) REFERENCES `albums` (`id`), ALGORITHM=INPLACE, LOCK=NONE"},
				revision.Rollback: {"ALTER TABLE `images` DROP COLUMN `album_id`, ALGORITHM=INSTANT", "DROP TABLE `albums`"},
			}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
