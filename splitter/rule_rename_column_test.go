package splitter

import (
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

// A rename into a charset holding every character of the old one's
// (latin1 into utf8mb4) is planned: the trigger stores each value.
func TestRenameColumnIntoAWiderCharset(t *testing.T) {
	latin1 := "  column \"name\" {\n    type    = varchar(30)\n    charset = \"latin1\"\n  }\n"
	before := tcEdit(t, tcImages, "  column \"name\" {\n    type = varchar(30)\n  }\n", latin1)
	after := tcEdit(t, before, latin1, "  column \"title\" {\n    type         = varchar(30)\n    charset      = \"utf8mb4\"\n    renamed_from = \"name\"\n  }\n")
	steps, err := tcSteps(t, mariadb1011, before, after)
	if err != nil {
		t.Fatal(err)
	}
	if up, _ := tcApart(steps); len(up) == 0 || up[0].SQL != "ALTER TABLE `images` ADD COLUMN `title` varchar(30) NULL COLLATE UTF8MB4_GENERAL_CI, ALGORITHM=INSTANT" {
		t.Errorf("steps:\n%s", tcDump(up))
	}
}
