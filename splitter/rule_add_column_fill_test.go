package splitter

import (
	"testing"

	"github.com/emcee-db/emcee/revision"
)

const tcFillBlock = "  primary_key {\n    columns = [column.id]\n  }\n  index"

// TestAddColumnFillRule pins the steps of a NOT NULL column added with a
// fill expression, and the errors around it.
func TestAddColumnFillRule(t *testing.T) {
	cases := []tcCase{
		{name: "NOT NULL without default, with fill: add NULL, fill triggers, backfill, gate, NOT NULL",
			target: mariadb1011,
			edits:  []string{tcFillBlock, "  column \"slug\" {\n    type = varchar(30)\n    fill = \"LOWER(name)\"\n  }\n" + tcFillBlock},
			want: []tcStep{
				{Rule: "add-column-fill", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `slug` varchar(30) NULL, ALGORITHM=INSTANT"},
				{Rule: "add-column-fill", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_e73910_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`slug` IS NULL THEN\n    SET `NEW`.`slug` = (LOWER(`NEW`.`name`));\n  END IF;\nEND"},
				{Rule: "add-column-fill", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_e73910_bi`"},
				{Rule: "add-column-fill", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_e73910_bu` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`slug` IS NULL THEN\n    SET `NEW`.`slug` = (LOWER(`NEW`.`name`));\n  END IF;\nEND"},
				{Rule: "add-column-fill", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_e73910_bu`"},
				{Rule: "add-column-fill", Phase: revision.Migrate, Stage: StageBackfill, Kind: "backfill", SQL: "UPDATE `images` SET `slug` = (LOWER(`name`)) WHERE (`slug` IS NULL)"},
				{Rule: "add-column-fill", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `slug` IS NULL"},
				{Rule: "add-column-fill", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `slug` varchar(30) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "NOT NULL without default and without fill is refused, naming fill",
			target: mariadb1011,
			edits:  []string{tcFillBlock, "  column \"slug\" {\n    type = varchar(30)\n  }\n" + tcFillBlock},
			errHas: []string{"after.hcl:40:3: images.slug is a new NOT NULL column without a default", "fill = \"<SQL expression>\""}},
		{name: "fill on a nullable column is refused",
			target: mariadb1011,
			edits:  []string{tcFillBlock, "  column \"slug\" {\n    type = varchar(30)\n    null = true\n    fill = \"LOWER(name)\"\n  }\n" + tcFillBlock},
			errHas: []string{"after.hcl:", "images.slug has fill, but the column is nullable"}},
		{name: "fill naming an unknown column",
			target: mariadb1011,
			edits:  []string{tcFillBlock, "  column \"slug\" {\n    type = varchar(30)\n    fill = \"LOWER(nam)\"\n  }\n" + tcFillBlock},
			errHas: []string{"after.hcl:", "after.hcl:42:19: fill of images.slug: unknown column \"nam\"", `unknown column "nam"`}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
