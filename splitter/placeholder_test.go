package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// TestPlaceholder pins the expand statement that lets the new release omit
// a NOT NULL column it no longer writes, per case and flavor: a metadata
// only default where one fits, the table rebuilt (with allow_copy) where
// none does.
func TestPlaceholder(t *testing.T) {
	note := "  column \"note\" {\n    type = varchar(60)\n  }\n"
	kind := "  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n    null = true\n  }\n"
	replaceNote := func(body string) []string {
		return []string{note, "  column \"memo\" {\n" + body + "\n    replaces {\n      column   = \"note\"\n      forward  = \"TRIM(note)\"\n      backward = \"LEFT(memo, 60)\"\n    }\n  }\n"}
	}
	for _, tc := range []struct {
		name   string
		target project.Target
		before []string
		edits  []string
		want   string // the expand statement on the old column
		trig   string // in the INSERT trigger
		errHas string
	}{
		{name: "dropped varchar: neutral placeholder", target: mariadb1011, edits: []string{note, ""},
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT"},
		{name: "replaced by a NOT NULL column without default: the new column tells who wrote", target: mariadb1011, edits: replaceNote("    type = varchar(80)"),
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT", trig: "  IF `NEW`.`memo` IS NULL THEN\n"},
		{name: "replaced by a column with a default: the placeholder marks the new release", target: mariadb1011, edits: replaceNote("    type    = varchar(80)\n    default = \"-\""),
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '~emcee~', ALGORITHM=INSTANT", trig: "  IF `NEW`.`memo` IS NULL AND CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY) THEN\n    SET `NEW`.`memo` = '-';"},
		{name: "renamed to the same type with a default: that default", target: mariadb1011, edits: []string{note, "  column \"memo\" {\n    type         = varchar(60)\n    default      = \"none\"\n    renamed_from = \"note\"\n  }\n"},
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT 'none', ALGORITHM=INSTANT"},
		{name: "int replaced by a nullable column: the low end of int marks", target: mariadb1011,
			before: []string{"    type = int\n    null = true\n", "    type = int\n"},
			edits:  []string{"  column \"size\" {\n    type = int\n  }\n", "  column \"bytes\" {\n    type = bigint\n    null = true\n    replaces {\n      column   = \"size\"\n      forward  = \"size\"\n      backward = \"bytes\"\n    }\n  }\n"},
			want:   "ALTER TABLE `images` ALTER COLUMN `size` SET DEFAULT -2147483648, ALGORITHM=INSTANT"},
		{name: "enum replaced by a column with a default: no marking value, the table would be rebuilt", target: mariadb1011,
			before: []string{kind, "  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n"},
			edits:  []string{"  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n", "  column \"sort\" {\n    type    = varchar(5)\n    default = \"a\"\n    replaces {\n      column   = \"kind\"\n      forward  = \"kind\"\n      backward = \"sort\"\n    }\n  }\n"},
			errHas: "rebuild the whole table"},
		{name: "the same with allow_copy: made NULL in place", target: mariadb1011,
			before: []string{kind, "  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n"},
			edits:  []string{"  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n", "  column \"sort\" {\n    type       = varchar(5)\n    default    = \"a\"\n    allow_copy = true\n    replaces {\n      column   = \"kind\"\n      forward  = \"kind\"\n      backward = \"sort\"\n    }\n  }\n"},
			want:   "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NULL, ALGORITHM=INPLACE, LOCK=NONE", trig: "IS NULL AND `NEW`.`kind` IS NULL THEN"},
		{name: "the same beside a FULLTEXT index: a copy (LOCK=NONE is refused there), the same opt-in", target: mariadb1011,
			before: append(tcBlock(tcFulltext), kind, "  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n"),
			edits:  []string{"  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n  }\n", "  column \"sort\" {\n    type       = varchar(5)\n    default    = \"a\"\n    allow_copy = true\n    replaces {\n      column   = \"kind\"\n      forward  = \"kind\"\n      backward = \"sort\"\n    }\n  }\n"},
			want:   "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NULL, ALGORITHM=COPY, LOCK=SHARED", trig: "IS NULL AND `NEW`.`kind` IS NULL THEN"},
		{name: "mysql 8.0: TEXT takes no literal default, so a dropped TEXT column needs a rebuild", target: mysql80,
			before: []string{note, "  column \"note\" {\n    type = text\n  }\n"}, edits: []string{"  column \"note\" {\n    type = text\n  }\n", ""},
			errHas: "rebuild the whole table"},
		{name: "mysql 8.0: a varchar gets its default instantly", target: mysql80, edits: []string{note, ""},
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '', ALGORITHM=INSTANT"},
		// A varchar renamed to a TEXT widens the old column to TEXT, its
		// placeholder with it: MySQL 8.0 refuses DEFAULT '' on a TEXT
		// (error 1101), and takes the expression ('') from 8.0.13.
		{name: "mysql 8.0: a varchar renamed to a TEXT widens the old column with an expression default", target: mysql80,
			edits: []string{note, "  column \"memo\" {\n    type         = text\n    renamed_from = \"note\"\n    allow_copy   = true\n  }\n"},
			want:  "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL DEFAULT (''), ALGORITHM=COPY, LOCK=SHARED"},
		{name: "the same on MariaDB: a literal default", target: mariadb1011,
			edits: []string{note, "  column \"memo\" {\n    type         = text\n    renamed_from = \"note\"\n    allow_copy   = true\n  }\n"},
			want:  "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL DEFAULT '', ALGORITHM=COPY, LOCK=SHARED"},
		{name: "dropped timestamp: a date every time zone holds", target: mariadb1011,
			before: []string{note, "  column \"note\" {\n    type = timestamp\n  }\n"}, edits: []string{"  column \"note\" {\n    type = timestamp\n  }\n", ""},
			want: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '2000-01-01 00:00:00', ALGORITHM=INSTANT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tcEdit(t, tcImages, tc.before...)
			got, err := tcSteps(t, tc.target, before, tcEdit(t, before, tc.edits...))
			if tc.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.Contains(err.Error(), "allow_copy = true") {
					t.Fatalf("want an error with %q and allow_copy, got %v", tc.errHas, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, s := range got {
				if s.Phase == revision.Expand && s.Stage == StageModifyColumn {
					found = found || s.SQL == tc.want
				}
				if tc.trig != "" && strings.Contains(s.SQL, "BEFORE INSERT") && !strings.Contains(s.SQL, tc.trig) {
					t.Errorf("insert trigger lacks %q:\n%s", tc.trig, s.SQL)
				}
			}
			if !found {
				t.Errorf("no expand statement %s in:\n%s", tc.want, tcDump(got))
			}
		})
	}
}
