package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// TestCombine pins how Split gathers one table's ALTERs: every
// contract ALTER of a table in one statement, or two when one would rebuild
// a table that neither half rebuilds; in expand the instant ALTERs in
// one, the in-place ones joining them unless a column is added.
func TestCombine(t *testing.T) {
	dropNote := []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", ""}
	dropIndex := []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}
	uniqueName := []string{"  column \"price\" {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  column \"price\" {"}
	ownerFK := tcBlock(tcOwnerFK)
	sizeNotNull := []string{"    type = int\n    null = true\n", "    type = int\n"}
	addHits := []string{"  column \"price\" {", "  column \"hits\" {\n    type    = int\n    default = 0\n  }\n  column \"price\" {"}
	addTag := []string{"  column \"owner_id\" {", "  column \"tag\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"owner_id\" {"}
	widenName := []string{"    type = varchar(30)\n", "    type = varchar(60)\n"}
	enumD := []string{"enum(\"a\", \"b\", \"c\")", "enum(\"a\", \"b\", \"c\", \"d\")"}
	ixName := []string{"  index \"ix_owner\" {", "  index \"ix_name\" {\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"}
	ixKind := []string{"  index \"ix_owner\" {", "  index \"ix_kind\" {\n    columns = [column.kind]\n  }\n  index \"ix_owner\" {"}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		target   project.Target
		before   []string
		edits    []string
		phase    revision.Phase
		want     []string // the phase's ALTERs (and SET statements), in order
		whyHas   string
		ruleWant string
	}{
		{
			// The foreign key stays apart: added in place with checks off (no
			// rebuild), it is the one statement the applier drops again when
			// its orphan gate finds a row written meanwhile.
			name: "drops, tightening, unique index and foreign key of one table: one rebuild, the key apart", target: mariadb1011,
			edits: cat(dropNote, ownerFK, dropIndex, uniqueName, sizeNotNull), phase: revision.Contract,
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ix_owner`, DROP COLUMN `note`, MODIFY COLUMN `size` int NOT NULL, ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
				"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
			},
			whyHas:   "one ALTER for images, so the table is rebuilt once for all 4 changes",
			ruleWant: "drop-index, drop-column, tighten-column, add-unique-index",
		},
		{
			name: "the same on mysql 8.0: the session switch goes around the key's ALTER", target: mysql80,
			edits: cat(dropNote, uniqueName, ownerFK, sizeNotNull), phase: revision.Contract,
			want: []string{"ALTER TABLE `images` DROP COLUMN `note`, MODIFY COLUMN `size` int NOT NULL, ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
				"SET SESSION foreign_key_checks = 0", "ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`), ALGORITHM=INPLACE, LOCK=NONE", "SET SESSION foreign_key_checks = 1"},
		},
		{
			name: "drop column and build an index, nothing rebuilding: two statements, drops first", target: mariadb1011,
			edits: cat(dropNote, ownerFK, dropIndex, uniqueName), phase: revision.Contract,
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ix_owner`, DROP COLUMN `note`, ALGORITHM=NOCOPY, LOCK=NONE",
				"ALTER TABLE `images` ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
				"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `images` ADD CONSTRAINT `fk_owner` FOREIGN KEY (`owner_id`) REFERENCES `owners` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
			},
			whyHas: "two ALTERs for images, neither rebuilding the table",
		},
		{
			// Zabbix 4.4's media_type_1 moved from description, renamed,
			// to name: the index is re-created before a column it covered
			// is dropped.
			name: "an index re-created under its name and a column drop: the index first", target: mariadb1011,
			edits: cat(dropNote, []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"}), phase: revision.Contract,
			want: []string{
				"ALTER TABLE `images` DROP INDEX `ix_owner`, ADD INDEX `ix_owner` (`owner_id`, `name`), ALGORITHM=INPLACE, LOCK=NONE",
				"ALTER TABLE `images` DROP COLUMN `note`, ALGORITHM=INSTANT",
			},
		},
		{
			name: "drops only: one statement, instant where every part is", target: mariadb1011,
			before: tcBlock(tcSizeCheck), edits: cat(dropNote, []string{tcSizeCheck + "\n", ""}), phase: revision.Contract,
			want: []string{"ALTER TABLE `images` DROP CONSTRAINT `ck_size`, DROP COLUMN `note`, ALGORITHM=INSTANT"},
		},
		{
			name: "index builds and index drops, no column: one in-place statement", target: mariadb1011,
			edits: cat(dropIndex, uniqueName), phase: revision.Contract,
			want: []string{"ALTER TABLE `images` DROP INDEX `ix_owner`, ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=NOCOPY, LOCK=NONE"},
		},
		{
			name: "expand without a rebuild: a new column and a placeholder default in one instant ALTER", target: mariadb1011,
			edits: cat(dropNote, addHits), phase: revision.Expand,
			want:   []string{"ALTER TABLE `images` ADD COLUMN `hits` int NOT NULL DEFAULT 0, ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT"},
			whyHas: "one instant ALTER for both changes of images: one metadata lock instead of 2: (add-column) images.hits is new and has a default",
		},
		{
			name: "expand: the synced columns, the placeholders and a plain new column in one instant ALTER", target: mariadb1011,
			edits: cat(tcReplaceNote, addHits), phase: revision.Expand,
			want:     []string{"ALTER TABLE `images` ADD COLUMN `hits` int NOT NULL DEFAULT 0, ADD COLUMN `memo` varchar(80) NULL, ALTER COLUMN `note` SET DEFAULT '~emcee~', ALGORITHM=INSTANT"},
			ruleWant: "add-column, replace-column",
		},
		{
			name: "expand: plain new columns, an instant widening and an ENUM member in one instant ALTER", target: mariadb1011,
			edits: cat(addHits, addTag, widenName, enumD), phase: revision.Expand,
			want:   []string{"ALTER TABLE `images` ADD COLUMN `tag` varchar(20) NULL, ADD COLUMN `hits` int NOT NULL DEFAULT 0, MODIFY COLUMN `name` varchar(60) NOT NULL, MODIFY COLUMN `kind` enum('a','b','c','d') NULL, ALGORITHM=INSTANT"},
			whyHas: "one instant ALTER for all 4 changes of images: one metadata lock instead of 4",
		},
		{
			// MariaDB 10.11 adds a virtual column instantly only alone
			// (1846).
			name: "expand: a virtual column stays apart from the other new columns", target: mariadb1011,
			edits: cat(addHits, addTag, []string{"  column \"note\" {", "  column \"size2\" {\n    type = int\n    null = true\n    as {\n      expr = \"size * 2\"\n    }\n  }\n  column \"note\" {"}), phase: revision.Expand,
			want: []string{
				"ALTER TABLE `images` ADD COLUMN `tag` varchar(20) NULL, ADD COLUMN `hits` int NOT NULL DEFAULT 0, ALGORITHM=INSTANT",
				"ALTER TABLE `images` ADD COLUMN `size2` int AS (size * 2) VIRTUAL, ALGORITHM=INSTANT",
			},
		},
		{
			// MariaDB 10.11 refuses NOCOPY for a column added beside an
			// index built, and rebuilds the table under INPLACE.
			name: "expand: new columns and an index: the columns in one instant ALTER, the index after it", target: mariadb1011,
			edits: cat(addHits, addTag, ixName), phase: revision.Expand,
			want: []string{
				"ALTER TABLE `images` ADD COLUMN `tag` varchar(20) NULL, ADD COLUMN `hits` int NOT NULL DEFAULT 0, ALGORITHM=INSTANT",
				"ALTER TABLE `images` ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE",
			},
		},
		{
			// Measured on MariaDB 10.11: the InnoDB id stays.
			name: "expand: a widening and two indexes, no column added: one statement, rebuilding nothing", target: mariadb1011,
			edits: cat(widenName, ixName, ixKind), phase: revision.Expand,
			want:   []string{"ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ADD INDEX `ix_name` (`name`), ADD INDEX `ix_kind` (`kind`), ALGORITHM=NOCOPY, LOCK=NONE"},
			whyHas: "one ALTER, rebuilding nothing, for all 3 changes of images: one metadata lock instead of 3",
		},
		{
			// MySQL extends a VARCHAR in place, and a column added in
			// place rebuilds the table there: the widening goes after the
			// instant ALTER.
			name: "expand on mysql 8.0: new columns and a default in one instant ALTER, the widening after it", target: mysql80,
			edits: cat(dropNote, addHits, addTag, widenName), phase: revision.Expand,
			want: []string{
				"ALTER TABLE `images` ADD COLUMN `tag` varchar(20) NULL, ADD COLUMN `hits` int NOT NULL DEFAULT 0, ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT",
				"ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE",
			},
			whyHas: "one instant ALTER for the 3 instant changes of images, the in-place ones after it",
		},
		{
			name: "expand on mysql 8.0, no column added: a default, a widening and an index in one statement in place", target: mysql80,
			edits: cat(dropNote, widenName, ixName), phase: revision.Expand,
			want: []string{"ALTER TABLE `images` MODIFY COLUMN `name` varchar(60) NOT NULL, ALTER COLUMN `note` SET DEFAULT '', ADD INDEX `ix_name` (`name`), ALGORITHM=INPLACE, LOCK=NONE"},
		},
		{
			name: "expand with a copy the column opted into: everything of the table in that copy", target: mariadb1011,
			edits: cat(dropNote, []string{"    type = int\n    null = true\n", "    type       = bigint\n    null       = true\n    allow_copy = true\n"}, []string{"  column \"price\" {", "  column \"hits\" {\n    type    = int\n    default = 0\n  }\n  column \"price\" {"}), phase: revision.Expand,
			want:   []string{"ALTER TABLE `images` ADD COLUMN `hits` int NOT NULL DEFAULT 0, MODIFY COLUMN `size` bigint NULL, ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=COPY, LOCK=SHARED"},
			whyHas: "one ALTER for images, so the table is rebuilt once for all 3 changes",
		},
		{
			name: "contract beside a FULLTEXT index the release keeps: the NOT NULL is a copy, the unique index rides on it", target: mariadb1011,
			before: tcBlock(tcFulltext),
			edits: cat([]string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type       = int\n    allow_copy = true\n  }\n  column \"owner_id\""},
				tcBlock("  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }")), phase: revision.Contract,
			want:   []string{"ALTER TABLE `images` MODIFY COLUMN `size` int NOT NULL, ADD UNIQUE INDEX `ux_name` (`name`), ALGORITHM=COPY, LOCK=SHARED"},
			whyHas: "one ALTER for images, so the table is rebuilt once",
		},
		{
			name: "a filled column beside a FULLTEXT index: added by a copy, made NOT NULL in contract by a copy", target: mariadb1011,
			before: tcBlock(tcFulltext),
			edits:  []string{"  column \"price\" {", "  column \"slug\" {\n    type       = varchar(30)\n    fill       = \"LOWER(name)\"\n    allow_copy = true\n  }\n  column \"price\" {"}, phase: revision.Contract,
			want: []string{"ALTER TABLE `images` MODIFY COLUMN `slug` varchar(30) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
		},
		{
			name: "contract that drops the FULLTEXT index: the NOT NULL rides on its rebuild in place", target: mariadb1011,
			before: tcBlock(tcFulltext),
			edits:  []string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type = int\n  }\n  column \"owner_id\"", tcFulltext + "\n", ""}, phase: revision.Contract,
			want: []string{"ALTER TABLE `images` DROP INDEX `ft_note`, FORCE, MODIFY COLUMN `size` int NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, tc.before...)
			tr, ctx := tcTransition(t, tc.target, before, tcEdit(t, before, tc.edits...))
			ph, err := Split(tr, tc.target, ctx.drv)
			if err != nil {
				t.Fatal(err)
			}
			var got []revision.Statement
			for _, s := range ph[tc.phase] {
				if strings.HasPrefix(s.SQL, "ALTER") || strings.HasPrefix(s.SQL, "SET") {
					got = append(got, s)
				}
			}
			var sqls []string
			for _, s := range got {
				sqls = append(sqls, s.SQL)
			}
			if strings.Join(sqls, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(sqls, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.whyHas != "" && !strings.Contains(got[0].Why, tc.whyHas) {
				t.Errorf("why lacks %q: %s", tc.whyHas, got[0].Why)
			}
			if tc.ruleWant != "" && got[0].Rule != tc.ruleWant {
				t.Errorf("rule %q, want %q", got[0].Rule, tc.ruleWant)
			}
		})
	}
}

// Moving one table's ALTERs together must not reorder them across a
// statement of a table it shares a foreign key with: dropping owners' key
// column waits for images to drop the foreign key that uses it.
func TestCombineKeepsForeignKeyOrder(t *testing.T) {
	before := tcEdit(t, tcImages, append(tcBlock(tcOwnerFK), "  column \"id\" {\n    type = bigint\n  }\n  primary_key", "  column \"id\" {\n    type = bigint\n  }\n  column \"code\" {\n    type = int\n    null = true\n  }\n  index \"ix_code\" {\n    columns = [column.code]\n  }\n  primary_key")...)
	after := tcEdit(t, tcImages, "  column \"note\" {\n    type = varchar(60)\n  }\n", "")
	tr, ctx := tcTransition(t, mariadb1011, before, after)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var sqls []string
	for _, s := range ph[revision.Contract] {
		sqls = append(sqls, s.SQL)
	}
	got := strings.Join(sqls, "\n")
	fk := strings.Index(got, "DROP FOREIGN KEY `fk_owner`")
	code := strings.Index(got, "DROP COLUMN `code`")
	if fk < 0 || code < 0 || fk > code {
		t.Fatalf("the foreign key must go before the column of owners:\n%s", got)
	}
}
