package splitter

import (
	"slices"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// A foreign key changed under its name (Sylius's FK_C7056A99F675F31B made
// ON DELETE CASCADE) was refused ("give the changed foreign key a new
// symbol"). It is dropped and added again in contract, in two ALTERs (the
// server refuses one name dropped and added in one), the add behind the
// orphan gate; expand does nothing, so the rollback has nothing to undo.
// With other columns, the index the server made for the old key goes with
// it, and the new key gets its own.
func TestModifyForeignKey(t *testing.T) {
	key := func(cols, refs, actions string) []string {
		return []string{"  index \"ix_owner\"", tcKey("fk_owner", cols, refs, actions) + "  index \"ix_owner\""}
	}
	// owner2_id and owner3_id have no index: a key on either gets the
	// server's, named after it.
	cols := []string{"  column \"price\" {", "  column \"owner2_id\" {\n    type = bigint\n    null = true\n  }\n  column \"owner3_id\" {\n    type = bigint\n    null = true\n  }\n  column \"price\" {"}
	edit := func(from, to string) []string { return []string{from, to} }
	const (
		gateOwner = "gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS parent WHERE parent.`id` = child.`owner_id`)"
		drop      = "ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE"
		addOwner  = "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`)"
		inplace   = ", ALGORITHM=INPLACE, LOCK=NONE"
	)
	cases := []phasesCase{
		{name: "ON DELETE: contract, the old key dropped, the new one added after it behind the orphan gate", target: mariadb1011,
			before: key("column.owner_id", "table.owners.column.id", ""),
			edits:  edit("    ref_columns = [table.owners.column.id]\n", "    ref_columns = [table.owners.column.id]\n    on_delete   = CASCADE\n"),
			want:   map[revision.Phase][]string{revision.Contract: {gateOwner, drop, addOwner + " ON DELETE CASCADE" + inplace}}},
		{name: "ON UPDATE, and ON DELETE back to the default", target: mariadb1011,
			before: key("column.owner_id", "table.owners.column.id", "    on_delete   = SET_NULL\n"),
			edits:  edit("    on_delete   = SET_NULL\n", "    on_update   = CASCADE\n"),
			want:   map[revision.Phase][]string{revision.Contract: {gateOwner, drop, addOwner + " ON UPDATE CASCADE" + inplace}}},
		{name: "another referenced table, new in the release: created in expand, the key in contract", target: mariadb1011,
			before: key("column.owner_id", "table.owners.column.id", ""),
			edits:  slices.Concat(tcNew(tcNewTable("albums", "", "")), edit("table.owners.column.id", "table.albums.column.id")),
			want: map[revision.Phase][]string{
				revision.Expand: {"CREATE TABLE `albums` (`id` bigint NOT NULL, PRIMARY KEY (`id`))"},
				revision.Contract: {"gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`owner_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `albums` AS parent WHERE parent.`id` = child.`owner_id`)",
					drop, "SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `albums` (`id`)" + inplace},
				revision.Rollback: {"DROP TABLE `albums`"},
			}},
		{name: "from a column with the server's index to one with a declared index: the server's goes with the old key", target: mariadb1011,
			before: slices.Concat(cols, key("column.owner2_id", "table.owners.column.id", "")),
			edits:  edit("    columns     = [column.owner2_id]\n", "    columns     = [column.owner_id]\n"),
			want: map[revision.Phase][]string{revision.Contract: {gateOwner,
				"ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, DROP INDEX `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE", addOwner + inplace}}},
		{name: "from one column with the server's index to another: the old index goes, the add makes the new one", target: mariadb1011,
			before: slices.Concat(cols, key("column.owner2_id", "table.owners.column.id", "")),
			edits:  edit("    columns     = [column.owner2_id]\n", "    columns     = [column.owner3_id]\n"),
			want: map[revision.Phase][]string{revision.Contract: {
				"gate: SELECT COUNT(*) FROM `images` AS child WHERE child.`owner3_id` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `owners` AS parent WHERE parent.`id` = child.`owner3_id`)",
				"ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, DROP INDEX `fk_owner`, ALGORITHM=INPLACE, LOCK=NONE",
				"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner3_id`) REFERENCES `owners` (`id`)" + inplace}}},
		{name: "the column of a key made NOT NULL as its key cascades (Sylius): the drop rides on the tightening's rebuild, the add apart", target: mariadb1011,
			before: key("column.owner_id", "table.owners.column.id", ""),
			edits: slices.Concat(edit("    ref_columns = [table.owners.column.id]\n", "    ref_columns = [table.owners.column.id]\n    on_delete   = CASCADE\n"),
				edit("  column \"owner_id\" {\n    type = bigint\n    null = true\n", "  column \"owner_id\" {\n    type = bigint\n")),
			want: map[revision.Phase][]string{revision.Contract: {"gate: SELECT COUNT(*) FROM `images` WHERE `owner_id` IS NULL", gateOwner,
				"ALTER TABLE `images` DROP FOREIGN KEY `fk_owner`, MODIFY COLUMN `owner_id` bigint NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
				addOwner + " ON DELETE CASCADE" + inplace}}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
