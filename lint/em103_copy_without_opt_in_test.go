package lint

import (
	"strings"
	"testing"
)

func TestEM103CopyWithoutOptIn(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	check(t, "EM103", []lintCase{
		{name: "ALTER without ALGORITHM in expand", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` ADD COLUMN `caption` varchar(50) NULL")
		}},
		{name: "CREATE INDEX without ALGORITHM in expand", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "CREATE INDEX `ix_name` ON `images` (`name`)")
		}},
		{name: "ALGORITHM=COPY without allow_copy", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` MODIFY COLUMN `size` bigint NULL, ALGORITHM=COPY, LOCK=SHARED")
		}},
		// int -> bigint: a widening the server can only do by copying the table.
		{name: "ALGORITHM=COPY with allow_copy", pike: pike("    type = int\n", "    type       = bigint\n    allow_copy = true\n"), setup: func(f *fixture) string {
			if !strings.Contains(f.read(expand), "ALGORITHM=COPY") {
				t.Fatalf("the planner no longer copies for int -> bigint:\n%s", f.read(expand))
			}
			return ""
		}},
		{name: "in-place rebuild (NOT NULL -> NULL) without allow_copy", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` MODIFY COLUMN `name` varchar(100) NULL, ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "in-place rebuild (column added with an index) without allow_copy", pike: ocata, setup: func(f *fixture) string {
			return f.appendStatement(expand, "ALTER TABLE `images` ADD COLUMN `caption` varchar(50) NULL, ADD INDEX `ix_caption` (`caption`), ALGORITHM=INPLACE, LOCK=NONE")
		}},
		{name: "ALTER without ALGORITHM in contract", pike: ocata, setup: func(f *fixture) string {
			f.appendStatement("plans/pike/pike_contract01.sql", "ALTER TABLE `images` ADD COLUMN `caption` varchar(50) NULL")
			return ""
		}},
		// A FULLTEXT index is built by a copy, opted in on a column of the
		// index, which the statement names only as a key part.
		{name: "FULLTEXT index built by a copy with allow_copy on its column", pike: pike("    type = varchar(100)\n", "    type       = varchar(100)\n    allow_copy = true\n", "  index \"ix_owner\" {", "  index \"ft_name\" {\n    type    = FULLTEXT\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"), setup: func(f *fixture) string {
			if !strings.Contains(f.read(expand), "ADD FULLTEXT INDEX `ft_name` (`name`), ALGORITHM=COPY") {
				t.Fatalf("the planner no longer copies to build a FULLTEXT index:\n%s", f.read(expand))
			}
			return ""
		}},
		{name: "every ALTER emcee writes names its algorithm", pike: pike("varchar(100)", "varchar(200)", "  index \"ix_owner\" {", "  index \"ix_name\" {\n    columns = [column.name]\n  }\n  index \"ix_owner\" {")},
	})
}
