package lint

import (
	"strings"
	"testing"
)

func TestEM101DropOutsideContract(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	check(t, "EM101", []lintCase{
		{name: "drop column in expand", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` DROP COLUMN `name`, ALGORITHM=INSTANT")
		}},
		{name: "drop table in migrate", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement("plans/pike/pike_migrate01.sql", "DROP TABLE IF EXISTS `images`")
		}},
		{name: "rename column in expand", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` RENAME COLUMN `name` TO `title`")
		}},
		{name: "drop index in expand, seen by the replay too", pike: ocata, dev: true, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` DROP INDEX `ix_owner`, ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "drop column in contract", pike: withoutSize, dev: true},
		// Drupal 7.17's aggregator_feed.url, varchar(255) -> text under
		// its index url: expand keys the index on a prefix of the old
		// length in the ALTER retyping the column, until contract gives it
		// the release's definition; reported as a drop of the index the
		// previous release uses.
		{name: "an index kept on a prefix of the column expand retypes", dev: true, pike: pike(
			"  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }", "  column \"owner\" {\n    type       = text\n    null       = true\n    allow_copy = true\n  }",
			"  index \"ix_owner\" {\n    columns = [column.owner]\n  }", "  index \"ix_owner\" {\n    on {\n      column = column.owner\n      prefix = 100\n    }\n  }"), setup: func(f *fixture) string {
			if !strings.Contains(f.read(expand), "DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner` (50))") {
				t.Fatalf("expand does not key ix_owner on a prefix of 50:\n%s", f.read(expand))
			}
			return ""
		}},
		{name: "changed check: expand drops the old one", pike: pike("size >= 0", "size > 0", "    type = int\n", "    type = int\n    allow_copy = true\n"), setup: func(f *fixture) string {
			if !strings.Contains(f.read(expand), "DROP CONSTRAINT `ck_size`") {
				t.Fatalf("the planner no longer drops a changed check in expand:\n%s", f.read(expand))
			}
			return ""
		}},
		{name: "renamed table keeps its old name as a view", pike: pike(`table "images" {`, "table \"pictures\" {\n  renamed_from = \"images\""), dev: true},
	})
}
