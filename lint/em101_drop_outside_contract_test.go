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
		{name: "changed check: expand drops the old one", pike: pike("size >= 0", "size > 0", "    type = int\n", "    type = int\n    allow_copy = true\n"), setup: func(f *fixture) string {
			if !strings.Contains(f.read(expand), "DROP CONSTRAINT `ck_size`") {
				t.Fatalf("the planner no longer drops a changed check in expand:\n%s", f.read(expand))
			}
			return ""
		}},
		{name: "renamed table keeps its old name as a view", pike: pike(`table "images" {`, "table \"pictures\" {\n  renamed_from = \"images\""), dev: true},
	})
}
