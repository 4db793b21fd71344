package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// TestRenameColumnRule pins the steps of a plain rename: a replacement
// whose forward and backward are the other column itself.
func TestRenameColumnRule(t *testing.T) {
	cases := []tcCase{
		{name: "NOT NULL column renamed: add, placeholder default on the old, copy triggers, backfill, gate, drop old, tighten",
			target: mariadb1011,
			edits:  []string{"  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"title\" {\n    type         = varchar(30)\n    renamed_from = \"name\"\n  }\n"},
			want: []tcStep{
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `title` varchar(30) NULL, ALGORITHM=INSTANT"},
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` ALTER COLUMN `name` SET DEFAULT '', ALGORITHM=INSTANT"},
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_017115_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`title` IS NULL THEN\n    SET `NEW`.`title` = (`NEW`.`name`);\n  ELSEIF NOT (CAST(`NEW`.`title` AS BINARY) <=> CAST((`NEW`.`name`) AS BINARY)) THEN\n    SET `NEW`.`name` = (COALESCE(`NEW`.`title`, ''));\n  END IF;\nEND"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_017115_bi`"},
				{Rule: "rename-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_017115_bu` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  IF NOT (CAST(`NEW`.`title` AS BINARY) <=> CAST(`OLD`.`title` AS BINARY)) THEN\n    IF NOT (CAST(`NEW`.`title` AS BINARY) <=> CAST((`NEW`.`name`) AS BINARY)) THEN\n      SET `NEW`.`name` = (COALESCE(`NEW`.`title`, ''));\n    END IF;\n  ELSEIF NOT (CAST(`NEW`.`name` AS BINARY) <=> CAST(`OLD`.`name` AS BINARY)) THEN\n    SET `NEW`.`title` = (`NEW`.`name`);\n  END IF;\nEND"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_017115_bu`"},
				{Rule: "rename-column", Phase: revision.Migrate, Stage: StageBackfill, Kind: "backfill", SQL: "UPDATE `images` SET `title` = (`name`) WHERE (`title` IS NULL)"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `title` IS NULL"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `name`, ALGORITHM=INSTANT"},
				{Rule: "rename-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `title` varchar(30) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "renamed column still declared",
			target: mariadb1011,
			edits:  []string{"  column \"note\" {", "  column \"title\" {\n    type         = varchar(30)\n    renamed_from = \"name\"\n  }\n  column \"note\" {"},
			errHas: []string{"after.hcl:", "images.title takes over from name, but release after still declares images.name"}},
		// osTicket 1.10's ticket_event.staff varchar(255) renamed username
		// varchar(128): expand added username narrow, and the previous
		// release's insert of a longer name failed on the copy trigger
		// (error 1406).
		{name: "renamed to a type that does not hold the old one's values",
			target: mariadb1011,
			edits:  []string{"  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"title\" {\n    type         = varchar(20)\n    renamed_from = \"name\"\n  }\n"},
			errHas: []string{"after.hcl:", "images.title is name renamed, and its type changes from varchar(30) to varchar(20), which does not hold every value of varchar(30)", "Rename it in this release keeping type = varchar(30), and change the type in the next release"}},
		// The same for a charset lacking characters of the old one's: the
		// trigger copying the previous release's write of '日本' into a
		// latin1 column fails it (error 1366).
		{name: "renamed into a charset that lacks characters of the old one's",
			target: mariadb1011,
			edits:  []string{"  column \"name\" {\n    type = varchar(30)\n  }\n", "  column \"title\" {\n    type         = varchar(30)\n    charset      = \"latin1\"\n    renamed_from = \"name\"\n  }\n"},
			errHas: []string{"after.hcl:", "images.title is name renamed, and its charset changes from utf8mb4 to latin1, which lacks characters of utf8mb4", "(error 1366)", "Rename it keeping its charset (charset = \"utf8mb4\" on it), or declare title with a replaces block (column = \"name\") whose forward converts the values as you choose"}},
	}
	// The server compares column names without regard to letter case:
	// NAME is the previous release's name, planned as the first case.
	cases = append(cases, tcCase{name: "renamed_from the column's name in other letter case: the same plan",
		target: mariadb1011,
		edits:  []string{cases[0].edits[0], strings.Replace(cases[0].edits[1], `"name"`, `"NAME"`, 1)},
		want:   cases[0].want})
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// A rename to a type or charset holding every value of the old one's
// (a widening) widens the old column to it in expand, before the triggers
// that copy the new release's writes into it: a value only the new type
// holds failed the new release's write (error 1406, 1264, 1366). The
// rollback narrows it back by a copy behind a gate counting the rows it
// would not hold, or is refused for a charset; a rename the old column
// cannot follow is refused.
func TestRenameColumnWidensTheOldColumn(t *testing.T) {
	col := func(name, typ string, attrs ...string) string {
		s := "  column \"" + name + "\" {\n    type = " + typ + "\n"
		for _, a := range attrs {
			s += "    " + a + "\n"
		}
		return s + "  }\n"
	}
	latin1 := col("note", "varchar(60)", `charset = "latin1"`)
	for _, c := range []struct {
		name         string
		before       []string // edits of tcImages into the previous release
		from, to     string   // the old column's block, the new one's
		after        []string // more edits of the new release
		expand, back []string // expand's MODIFY statements; the rollback's gates and statements on the old column
		errHas       []string
	}{
		{name: "same type: no widening", from: col("name", "varchar(30)"), to: col("title", "varchar(30)", `renamed_from = "name"`),
			back: []string{"ALTER TABLE `images` ALTER COLUMN `name` DROP DEFAULT, ALGORITHM=INSTANT"}},
		{name: "longer varchar with its placeholder default: instant, narrowed back behind a gate", from: col("name", "varchar(30)"), to: col("title", "varchar(40)", `renamed_from = "name"`),
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `name` varchar(40) NOT NULL DEFAULT '', ALGORITHM=INSTANT"},
			back:   []string{"SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`name`) > 30", "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		// The key made a prefix in place: MariaDB 10.11 kept the index's
		// entries, and a lookup by name found no row; FORCE rebuilds it.
		{name: "under a key the new type makes too long: the key on a prefix, the table rebuilt", before: []string{col("name", "varchar(30)"), col("name", "varchar(768)"), "  index \"ix_owner\" {", "  index \"ix_name\" {\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"},
			from: col("name", "varchar(768)"), to: col("title", "varchar(1000)", `renamed_from = "name"`, "allow_copy = true"), after: []string{"  index \"ix_name\" {\n    columns = [column.name]\n  }\n", ""},
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `name` varchar(1000) NOT NULL DEFAULT '', DROP INDEX `ix_name`, ADD INDEX `ix_name` (`name` (768)), FORCE, ALGORITHM=INPLACE, LOCK=NONE"},
			back:   []string{"SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`name`) > 768", "ALTER TABLE `images` MODIFY COLUMN `name` varchar(768) NOT NULL, DROP INDEX `ix_name`, ADD INDEX `ix_name` (`name`), ALGORITHM=COPY, LOCK=SHARED"}},
		{name: "bigger integer: a copy, opted in", from: col("size", "int", "null = true"), to: col("bytes", "bigint", "null = true", `renamed_from = "size"`, "allow_copy = true"),
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `size` bigint NULL, ALGORITHM=COPY, LOCK=SHARED"},
			back:   []string{"SELECT COUNT(*) FROM `images` WHERE `size` NOT BETWEEN -2147483648 AND 2147483647", "ALTER TABLE `images` MODIFY COLUMN `size` int NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		{name: "bigger integer without allow_copy: refused", from: col("size", "int", "null = true"), to: col("bytes", "bigint", "null = true", `renamed_from = "size"`),
			errHas: []string{"after.hcl:", "images.bytes: the widening of size (its name in the previous release) to hold the new release's writes makes the server copy the whole table", "Add `allow_copy = true` to column \"bytes\"", "or rename it keeping its type and charset in this release and change them in the next"}},
		{name: "enum values appended: instant", from: col("kind", `enum("a", "b", "c")`, "null = true"), to: col("sort", `enum("a", "b", "c", "d")`, "null = true", `renamed_from = "kind"`),
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INSTANT"},
			back:   []string{"SELECT COUNT(*) FROM `images` WHERE `kind` NOT IN ('a', 'b', 'c') AND `kind` + 0 <> 0", "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		{name: "latin1 into utf8mb4: a copy; the charset is not moved back", before: []string{col("note", "varchar(60)"), latin1}, from: latin1, to: col("memo", "varchar(60)", `charset = "utf8mb4"`, `renamed_from = "note"`, "allow_copy = true"),
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL DEFAULT '' COLLATE UTF8MB4_GENERAL_CI, ALGORITHM=COPY, LOCK=SHARED"},
			back:   []string{"SELECT 1"}},
		// The old column has no marking placeholder (a NOT NULL enum whose
		// successor has a default: choosePlaceholder), so it is made NULL,
		// by the widening's own MODIFY: a second one would restate it.
		{name: "old column made NULL in the widening's statement", before: []string{col("kind", `enum("a", "b", "c")`, "null = true"), col("kind", `enum("a", "b", "c")`)}, from: col("kind", `enum("a", "b", "c")`), to: col("sort", `enum("a", "b", "c", "d")`, `default = "a"`, `renamed_from = "kind"`, "allow_copy = true"),
			expand: []string{"ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			back:   []string{"SELECT COUNT(*) FROM `images` WHERE `kind` IS NULL OR `kind` NOT IN ('a', 'b', 'c') AND `kind` + 0 <> 0", "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NOT NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		{name: "bool into an integer: refused", from: col("size", "bool"), to: col("bytes", "int", `renamed_from = "size"`, "allow_copy = true"),
			before: []string{col("size", "int", "null = true"), col("size", "bool")},
			errHas: []string{"after.hcl:", "images.bytes is size renamed, and its type changes from bool to int", "code of the previous release reading it as a boolean would read numbers", "Rename it keeping type = bool in this release and widen it in the next", "or declare bytes with a replaces block (column = \"size\")"}},
		// A generated column of the previous release reading the old
		// column is computed from the new release's writes the triggers
		// copy there: upper(name) into varchar(30) failed its insert of
		// 35 characters (error 1406) from expand until contract.
		{name: "read by a generated column: refused", before: []string{col("name", "varchar(30)"), col("name", "varchar(30)") + col("shout", "varchar(30)", "null = true", "as {\n      expr = \"upper(name)\"\n      type = STORED\n    }")},
			from: col("name", "varchar(30)") + col("shout", "varchar(30)", "null = true", "as {\n      expr = \"upper(name)\"\n      type = STORED\n    }"), to: col("title", "varchar(40)", `renamed_from = "name"`),
			errHas: []string{"after.hcl:", "images.title is name renamed and widens (type), which name must do too until contract, and generated column shout of the previous release, of type varchar(30), reads it (upper(name))", "error 1406", "Rename it keeping its type and charset in this release and widen it in the next"}},
		// emcee does not tell the type an expression yields: a generated
		// column that would hold every value is refused too.
		{name: "read by a generated column of a wide type: refused", before: []string{col("size", "int", "null = true"), col("size", "int", "null = true") + col("half", "bigint", "null = true", "as {\n      expr = \"size DIV 2\"\n      type = STORED\n    }")},
			from: col("size", "int", "null = true") + col("half", "bigint", "null = true", "as {\n      expr = \"size DIV 2\"\n      type = STORED\n    }"), to: col("bytes", "bigint", "null = true", `renamed_from = "size"`, "allow_copy = true"),
			errHas: []string{"generated column half"}},
		{name: "under a foreign key: refused", from: col("owner_id", "int", "null = true"), to: col("owner", "bigint", "null = true", `renamed_from = "owner_id"`, "allow_copy = true"),
			before: []string{col("owner_id", "bigint", "null = true"), col("owner_id", "int", "null = true"), "  index \"ix_owner\" {", "  foreign_key \"fk_owner\" {\n    columns     = [column.owner_id]\n    ref_columns = [table.owners.column.id]\n  }\n  index \"ix_owner\" {"},
			after:  []string{"    columns     = [column.owner_id]", "    columns     = [column.owner]", "    columns = [column.owner_id]", "    columns = [column.owner]"},
			errHas: []string{"after.hcl:", "images.owner is owner_id renamed and widens (type), which owner_id must do too until contract, and it is a column of foreign key fk_owner of images in the previous release: MariaDB refuses that", "or rename it keeping its type and charset"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, c.before...)
			steps, err := tcSteps(t, mariadb1011, before, tcEdit(t, before, append([]string{c.from, c.to}, c.after...)...))
			if c.errHas != nil {
				if err == nil {
					t.Fatalf("planned, want a refusal:\n%s", tcDump(steps))
				}
				for _, s := range c.errHas {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("refusal lacks %q:\n%v", s, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			old := "`" + strings.Trim(strings.Fields(c.from)[1], `"`) + "`"
			var expand, back []string
			for _, s := range steps {
				switch {
				case s.Phase == revision.Expand && strings.Contains(s.SQL, "MODIFY COLUMN "+old):
					expand = append(expand, s.SQL)
				case s.Phase == revision.Rollback && (s.Kind == revision.Gate || s.Stage == StageRollbackRestoreColumn):
					back = append(back, s.SQL)
				}
			}
			if !slices.Equal(expand, c.expand) || !slices.Equal(back, c.back) {
				t.Errorf("expand:\n%q\nrollback:\n%q\nwant:\n%q\n%q", expand, back, c.expand, c.back)
			}
		})
	}
}
