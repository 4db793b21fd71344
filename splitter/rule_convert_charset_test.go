package splitter

import (
	"slices"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
)

// TestConvertCharsetRule pins the phase and the algorithm of each
// conversion as measured on MariaDB 10.11 (docs/rules-charset.md), the
// collision gate before expand, the plan-time refusals and the rollback.
func TestConvertCharsetRule(t *testing.T) {
	const table = "table \"images\" {\n  schema = schema.app\n"
	const note = "  column \"note\" {\n    type = varchar(60)\n"
	utf8mb3Table := []string{table, table + "  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n"}
	cases := []tcCase{
		{name: "column utf8mb3 -> utf8mb4, same order: instant",
			target: mariadb1011,
			before: []string{note, note + "    charset = \"utf8mb3\"\n"},
			edits:  []string{"    charset = \"utf8mb3\"\n", ""},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INSTANT"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT 1"}},
		},
		{name: "collation only, indexed: nocopy, set back the same way",
			target: mariadb1011,
			before: []string{"  index \"ix_owner\" {", "  index \"ix_note\" {\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{note, note + "    collate = \"utf8mb4_unicode_ci\"\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_unicode_ci, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=NOCOPY, LOCK=NONE"}},
		},
		{name: "table default only: the columns keep utf8mb3, declared",
			target: mariadb1011,
			before: utf8mb3Table,
			edits: []string{"  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n", "  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n",
				"    type = varchar(30)\n", "    type = varchar(30)\n    charset = \"utf8mb3\"\n",
				"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"b\", \"c\")\n    charset = \"utf8mb3\"\n",
				note, note + "    charset = \"utf8mb3\"\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci, ALGORITHM=INSTANT"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` CHARSET utf8mb3, COLLATE utf8mb3_general_ci, ALGORITHM=INSTANT"}},
		},
		{name: "the default the table inherited, now declared: nothing to do",
			target: mariadb1011,
			edits:  []string{table, table + "  charset = \"utf8mb4\"\n  collate = \"utf8mb4_general_ci\"\n"},
			want:   nil,
		},
		{name: "table utf8mb3 -> utf8mb4 with an enum: copy refused without allow_copy",
			target: mariadb1011,
			before: utf8mb3Table,
			edits:  []string{"  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n", "  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n"},
			errHas: []string{"after.hcl:", "images.kind", "allow_copy = true"},
		},
		{name: "table utf8mb3 -> utf8mb4, enum opted in to the copy",
			target: mariadb1011,
			before: utf8mb3Table,
			edits: []string{"  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n", "  charset = \"utf8mb4\"\n  collate = \"utf8mb4_unicode_ci\"\n",
				"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"b\", \"c\")\n    allow_copy = true\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci, MODIFY COLUMN `name` varchar(30) NOT NULL, MODIFY COLUMN `kind` enum('a','b','c') NULL, MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT 1"}},
		},
		{name: "unique index under a coarser collation: gate before expand",
			target: mariadb1011,
			before: []string{note, note + "    collate = \"utf8mb4_bin\"\n", "  index \"ix_owner\" {", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{"    collate = \"utf8mb4_bin\"\n", "    collate = \"utf8mb4_unicode_ci\"\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageExpandGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_unicode_ci, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
			// It was refused. The way back is the same statement backwards,
			// behind a gate counting the keys the old collation makes equal.
			rollback: []tcStep{
				{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_bin, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
		},
		// Drupal 7.14 moves file_managed.uri, unique, to utf8mb3_bin, a
		// finer collation: 'a.jpg' and 'A.jpg' the new release writes are
		// one key under the old one. The rollback counts them first.
		{name: "unique index under a finer collation: the rollback counts the keys the old one makes equal",
			target: mariadb1011,
			before: []string{"  index \"ix_owner\" {", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{note, note + "    collate = \"utf8mb4_bin\"\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageExpandGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_bin HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_bin, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
			rollback: []tcStep{
				{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
		},
		// Keycloak 2.5.0 converted KEYCLOAK_GROUP.NAME and added the
		// unique SIBLING_NAMES on it: the index is built in contract,
		// behind its own gate; the conversion never meets it.
		{name: "a unique index new in the release: no gate before expand",
			target: mariadb1011,
			before: []string{note, note + "    collate = \"utf8mb4_bin\"\n"},
			edits:  []string{"    collate = \"utf8mb4_bin\"\n", "    collate = \"utf8mb4_unicode_ci\"\n", "  index \"ix_owner\" {", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			want: []tcStep{
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (`note`) IN (SELECT `note` FROM `images` WHERE `note` IS NOT NULL GROUP BY `note` HAVING COUNT(*) > 1)"},
				{Rule: "add-unique-index", Phase: revision.Contract, Stage: StageAddGatedConstraint, Kind: "", SQL: "ALTER TABLE `images` ADD UNIQUE INDEX `ux_note` (`note`), ALGORITHM=INPLACE, LOCK=NONE"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_unicode_ci, ALGORITHM=INSTANT"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackRestoreColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE utf8mb4_bin, ALGORITHM=INSTANT"}},
		},
		{name: "table converted while a column widens: converted as it was, then widened",
			target: mariadb1011,
			before: utf8mb3Table,
			edits: []string{"  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n", "  charset = \"utf8mb4\"\n  collate = \"utf8mb4_general_ci\"\n",
				"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"b\", \"c\")\n    charset = \"utf8mb3\"\n",
				"    type = varchar(30)\n", "    type = varchar(40)\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` CHARSET utf8mb4, COLLATE utf8mb4_general_ci, MODIFY COLUMN `name` varchar(30) NOT NULL, MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=NOCOPY, LOCK=NONE"},
				{Rule: "widen-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(40) NOT NULL, ALGORITHM=INSTANT"},
			},
		},
		{name: "a column's charset and type at once: refused, saying how to split it",
			target: mariadb1011,
			before: []string{note, note + "    charset = \"utf8mb3\"\n"},
			edits:  []string{"    type = varchar(60)\n    charset = \"utf8mb3\"\n", "    type = varchar(80)\n    charset = \"utf8mb4\"\n"},
			errHas: []string{"after.hcl:", "column images.note changes (type, charset, collation): its charset or collation changes together with its type", "in one release and the rest in the next"},
		},
		{name: "an index column past 767 bytes: a gate on the live row format",
			target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = varchar(255)\n    charset = \"utf8mb3\"\n", "  index \"ix_owner\" {", "  index \"ix_note\" {\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{"    charset = \"utf8mb3\"\n", ""},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageExpandGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'images' AND ROW_FORMAT IN ('Compact', 'Redundant')"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(255) NOT NULL, ALGORITHM=INSTANT"},
			},
		},
		{name: "an enum's collation alone: copy refused without allow_copy",
			target: mariadb1011,
			edits:  []string{"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"b\", \"c\")\n    collate = \"utf8mb4_bin\"\n"},
			errHas: []string{"after.hcl:", "images.kind", "an ENUM or SET changes its charset or collation only by a table copy", "allow_copy = true"},
		},
		// Atlas gives the column its charset's default collation, as the
		// server does.
		// The statement names the collation (in capitals, the one
		// spelling Atlas does not leave out as the server's): without it
		// the column took the database's default, latin1 in a database
		// created latin1.
		{name: "a column naming only its charset: gated under the charset's default",
			target: mariadb1011,
			before: []string{note, note + "    collate = \"utf8mb4_bin\"\n", "  index \"ix_owner\" {", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{"    collate = \"utf8mb4_bin\"\n", "    charset = \"utf8mb4\"\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageExpandGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci FROM `images` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_general_ci HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL COLLATE UTF8MB4_GENERAL_CI, ALGORITHM=NOCOPY, LOCK=NONE"},
			},
		},
		{name: "varchar passing 255 bytes: copy refused without allow_copy",
			target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = varchar(64)\n    charset = \"utf8mb3\"\n"},
			edits:  []string{"    charset = \"utf8mb3\"\n", ""},
			errHas: []string{"after.hcl:", "images.note", "255 bytes (192 -> 256)", "allow_copy = true"},
		},
		// The release check refuses it (diff/check_limits.go) before any
		// rule runs: the index is too long for the charset it declares.
		{name: "unique key past 3072 bytes under utf8mb4: refused at plan time",
			target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = varchar(800)\n    charset = \"utf8mb3\"\n", "  index \"ix_owner\" {", "  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n  index \"ix_owner\" {"},
			edits:  []string{"    charset = \"utf8mb3\"\n", ""},
			errHas: []string{"after.hcl:", "index ux_note of table images is 3200 bytes long", "prefix"},
		},
		// Legacy and Unicode charsets convert to the ones that hold every
		// character (they were refused); only utf8mb3 -> utf8mb4 keeps the
		// bytes of each value, any other change, utf8mb3 -> utf32 too,
		// re-encodes them: a copy.
		{name: "utf8mb3 -> utf32 re-encodes: copy refused without allow_copy",
			target: mariadb1011,
			before: []string{note, note + "    charset = \"utf8mb3\"\n"},
			edits:  []string{"    charset = \"utf8mb3\"\n", "    charset = \"utf32\"\n"},
			errHas: []string{"after.hcl:", "(note: utf8mb3 -> utf32 re-encodes every value: a table copy)", "allow_copy = true"},
		},
		{name: "latin2 -> utf8mb4, opted in to the copy",
			target: mariadb1011,
			before: []string{note, note + "    charset = \"latin2\"\n"},
			edits:  []string{"    charset = \"latin2\"\n", "    allow_copy = true\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			},
			rollback: []tcStep{{Rule: "convert-charset", Phase: revision.Rollback, Stage: StageRollbackGate, Kind: "gate", SQL: "SELECT 1"}},
		},
		// MariaDB rewrites some armscii8 bytes into others without an error.
		{name: "armscii8 -> utf8mb4: refused",
			target: mariadb1011,
			before: []string{note, note + "    charset = \"armscii8\"\n"},
			edits:  []string{"    charset = \"armscii8\"\n", ""},
			errHas: []string{"after.hcl:", "images.note: its charset changes armscii8 -> utf8mb4", "replaces"},
		},
		{name: "utf8mb4 -> latin1 loses characters: refused",
			target: mariadb1011,
			edits:  []string{note, note + "    charset = \"latin1\"\n"},
			errHas: []string{"after.hcl:", "images.note: its charset changes utf8mb4 -> latin1", "replaces"},
		},
		// Atlas gives the table MySQL 8.0's default collation for utf8mb4,
		// and the gate counts under it.
		{name: "MySQL, the collation implied by the charset: gated under MySQL's default",
			target: mysql80,
			before: append(utf8mb3Table, "  index \"ix_owner\" {", "  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n  index \"ix_owner\" {"),
			edits: []string{"  charset = \"utf8mb3\"\n  collate = \"utf8mb3_general_ci\"\n", "  charset = \"utf8mb4\"\n",
				"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"b\", \"c\")\n    allow_copy = true\n"},
			want: []tcStep{
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageExpandGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE (CONVERT(`name` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci) IN (SELECT CONVERT(`name` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci FROM `images` WHERE `name` IS NOT NULL GROUP BY CONVERT(`name` USING utf8mb4) COLLATE utf8mb4_0900_ai_ci HAVING COUNT(*) > 1)"},
				{Rule: "convert-charset", Phase: revision.Expand, Stage: StageConvertTable, Kind: "", SQL: "ALTER TABLE `images` CHARSET utf8mb4, COLLATE utf8mb4_0900_ai_ci, MODIFY COLUMN `name` varchar(30) NOT NULL, MODIFY COLUMN `kind` enum('a','b','c') NULL, MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"},
			},
		},
		{name: "MySQL: a copy",
			target: mysql80,
			before: []string{note, note + "    charset = \"utf8mb3\"\n"},
			edits:  []string{"    charset = \"utf8mb3\"\n", ""},
			errHas: []string{"images.note", "MySQL", "allow_copy = true"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// lint asks Widens about the column changes a replayed plan makes: a
// conversion that keeps every character is not a tightening, one that
// loses characters is, and so is one whose charsets it cannot read.
func TestWidensConversion(t *testing.T) {
	col := func(attrs ...schema.Attr) *schema.Column {
		return &schema.Column{Name: "c", Type: &schema.ColumnType{Type: &schema.StringType{T: "varchar", Size: 20}}, Attrs: attrs}
	}
	kind := schema.ChangeCharset | schema.ChangeCollate
	for _, c := range []struct {
		from, to *schema.Column
		want     bool
	}{
		{col(&schema.Charset{V: "utf8mb3"}, &schema.Collation{V: "utf8mb3_general_ci"}), col(&schema.Charset{V: "utf8mb4"}, &schema.Collation{V: "utf8mb4_unicode_ci"}), true},
		{col(&schema.Collation{V: "utf8_general_ci"}), col(&schema.Collation{V: "utf8mb4_bin"}), true},
		{col(&schema.Charset{V: "utf8mb4"}), col(&schema.Charset{V: "utf8mb4"}, &schema.Collation{V: "utf8mb4_bin"}), true},
		{col(&schema.Charset{V: "utf8mb4"}), col(&schema.Charset{V: "latin1"}), false},
		{col(), col(&schema.Charset{V: "utf8mb4"}), false},
	} {
		if got := Widens(mariadb1011, c.from, c.to, kind); got != c.want {
			t.Errorf("Widens(%v -> %v) = %v, want %v", c.from.Attrs, c.to.Attrs, got, c.want)
		}
	}
}

// A table renamed and converted in one release: expand's gates run before
// the revision's first statement, the RENAME among them, so they read the
// table under its old name. The collision count read the new name (Error
// 1146: expand could never run), and the row-format gate looked the new
// name up in information_schema, found nothing and let the ALTER fail
// halfway on a COMPACT table.
func TestConvertCharsetGatesOfARenamedTableReadItsOldName(t *testing.T) {
	table := func(name, renamed, collate string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n" + renamed +
			"  column \"id\" {\n    type = bigint\n  }\n  column \"note\" {\n    type    = varchar(255)\n" + collate + "  }\n  primary_key {\n    columns = [column.id]\n  }\n  index \"ux_note\" {\n    unique  = true\n    columns = [column.note]\n  }\n}\n"
	}
	tr, ctx := tcTransition(t, mariadb1011, table("pics", "", "    charset = \"utf8mb3\"\n    collate = \"utf8mb3_bin\"\n"), table("images", "  renamed_from = \"pics\"\n", "    charset = \"utf8mb4\"\n    collate = \"utf8mb4_unicode_ci\"\n"))
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var gates []string
	for _, s := range ph[revision.Expand] {
		if s.Kind == revision.Gate {
			gates = append(gates, s.SQL)
		}
	}
	want := []string{
		"SELECT COUNT(*) FROM `pics` WHERE (CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci) IN (SELECT CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci FROM `pics` WHERE `note` IS NOT NULL GROUP BY CONVERT(`note` USING utf8mb4) COLLATE utf8mb4_unicode_ci HAVING COUNT(*) > 1)",
		"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'pics' AND ROW_FORMAT IN ('Compact', 'Redundant')",
	}
	if !slices.Equal(gates, want) {
		t.Errorf("expand's gates:\n got %q\nwant %q", gates, want)
	}
}
