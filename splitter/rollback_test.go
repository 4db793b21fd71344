package splitter

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
)

// rbCase is one rule's rollback: a change to tcImages for a target, and
// the rollback revision Split writes for it, statement by statement
// ("gate: SQL" for a gate), in the order the applier runs them.
type rbCase struct {
	rule   string // the rule whose rollback the case pins
	name   string
	target project.Target
	before []string
	edits  []string
	want   []string
	// whyHas is in the reason of the first statement (a refusal says why).
	whyHas string
}

func (c rbCase) run(t *testing.T) {
	t.Helper()
	before := tcEdit(t, tcImages, c.before...)
	after := tcEdit(t, before, c.edits...)
	tr, ctx, err := tcDiff(c.target, before, after)
	if err != nil {
		t.Fatal(err)
	}
	phases, err := Split(tr, c.target, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range phases[revision.Rollback] {
		if d := effect.Parse(st.SQL); d.Err != nil {
			// The applier refuses a revision it cannot read.
			t.Errorf("emcee's SQL reader cannot read %q: %v", st.SQL, d.Err)
		}
		s := st.SQL
		if st.Kind == revision.Gate {
			s = "gate: " + s
		}
		got = append(got, s)
	}
	if len(c.want) > 0 && !slices.ContainsFunc(phases[revision.Rollback], func(st revision.Statement) bool { return slices.Contains(strings.Split(st.Rule, ", "), c.rule) }) {
		t.Errorf("no statement of the rollback is rule %s's", c.rule)
	}
	if !slices.Equal(got, c.want) {
		var b strings.Builder
		for _, s := range got {
			fmt.Fprintf(&b, "\t\t\t%q,\n", s)
		}
		t.Errorf("rollback differs\n got:\n%s\nwant:\n\t\t\t%q", b.String(), c.want)
	}
	if c.whyHas != "" && (len(phases[revision.Rollback]) == 0 || !strings.Contains(phases[revision.Rollback][0].Why, c.whyHas)) {
		t.Errorf("the first statement's reason lacks %q: %+v", c.whyHas, phases[revision.Rollback])
	}
}

const (
	tcNewTags = "table \"images\" {"
	tcCycle   = `table "a" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "b_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_a_b" {
    columns     = [column.b_id]
    ref_columns = [table.b.column.id]
  }
}
table "b" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "a_id" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_b_a" {
    columns     = [column.a_id]
    ref_columns = [table.a.column.id]
  }
}
`
	tcTagOf = `table "tag_of_tags" {
  schema = schema.app
  column "tag" {
    type = varchar(40)
  }
  column "image_id" {
    type = bigint
  }
  primary_key {
    columns = [column.tag]
  }
  foreign_key "fk_tot" {
    columns     = [column.image_id, column.tag]
    ref_columns = [table.tags.column.image_id, table.tags.column.tag]
  }
}
`
)

// TestRollbacks pins every rule's rollback: what undoes its expand, in
// which order, with which algorithm, behind which gate, or why it is
// refused; and that rules without an expand part leave nothing to undo.
func TestRollbacks(t *testing.T) {
	addOwner := []string{"  column \"price\" {", "  column \"owner\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"price\" {"}
	noteNullable := []string{"    type = varchar(60)\n", "    type       = varchar(60)\n    null       = true\n    allow_copy = true\n"}
	cases := []rbCase{
		{rule: "add-column", name: "dropped instantly on mariadb", target: mariadb1011, edits: addOwner, want: []string{"ALTER TABLE `images` DROP COLUMN `owner`, ALGORITHM=INSTANT"}},
		{rule: "add-column", name: "dropped in place on mysql 8.0", target: mysql80, edits: addOwner, want: []string{"ALTER TABLE `images` DROP COLUMN `owner`, ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "add-column", name: "dropped in reverse: a generated column before the column it reads", target: mariadb1011,
			edits: []string{"  column \"price\" {", "  column \"qty\" {\n    type = int\n    null = true\n  }\n  column \"qty2\" {\n    type = int\n    null = true\n    as {\n      expr = \"qty * 2\"\n    }\n  }\n  column \"price\" {"},
			want:  []string{"ALTER TABLE `images` DROP COLUMN `qty2`, ALGORITHM=INSTANT", "ALTER TABLE `images` DROP COLUMN `qty`, ALGORITHM=INSTANT"}},
		{rule: "add-index", name: "dropped online", target: mariadb1011, edits: tcBlock("  index \"ix_name\" {\n    columns = [column.name]\n  }"), want: []string{"ALTER TABLE `images` DROP INDEX `ix_name`, ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "create-table", name: "the table goes, referencing tables first", target: mariadb1011, edits: []string{tcNewTags, tcTags + tcTagOf + tcNewTags}, want: []string{"DROP TABLE `tag_of_tags`", "DROP TABLE `tags`"}},
		{rule: "create-table", name: "keys of a cycle dropped first", target: mariadb1011, edits: []string{tcNewTags, tcCycle + tcNewTags}, want: []string{"ALTER TABLE `a` DROP FOREIGN KEY `fk_a_b`, ALGORITHM=INPLACE, LOCK=NONE", "ALTER TABLE `b` DROP FOREIGN KEY `fk_b_a`, ALGORITHM=INPLACE, LOCK=NONE", "DROP TABLE `a`", "DROP TABLE `b`"}},
		{rule: "table-comment", name: "the previous comment comes back", target: mariadb1011, edits: []string{"table \"images\" {\n  schema = schema.app\n", "table \"images\" {\n  schema = schema.app\n  comment = \"it's the images\"\n"}, want: []string{"ALTER TABLE `images` COMMENT \"\", ALGORITHM=INSTANT"}},
		{rule: "table-comment", name: "a changed comment comes back", target: mysql80,
			before: []string{"table \"images\" {\n  schema = schema.app\n", "table \"images\" {\n  schema = schema.app\n  comment = \"old\"\n"},
			edits:  []string{"comment = \"old\"", "comment = \"new\""}, want: []string{"ALTER TABLE `images` COMMENT \"old\", ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "widen-column", name: "NOT NULL again behind a gate", target: mariadb1011, edits: noteNullable, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE `note` IS NULL", "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "widen-column", name: "default and comment set back, metadata only", target: mariadb1011,
			edits: []string{"    type = varchar(60)\n", "    type    = varchar(60)\n    default = \"n/a\"\n    comment = \"a note\"\n"}, want: []string{"ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INSTANT"}},
		{rule: "widen-column", name: "BOOL -> TINYINT changes the display width alone: set back instantly", target: mariadb1011,
			before: []string{"  column \"note\" {", "  column \"shown\" {\n    type    = bool\n    default = false\n  }\n  column \"note\" {"},
			edits:  []string{"    type    = bool\n    default = false\n", "    type    = tinyint\n    default = 0\n"}, want: []string{"ALTER TABLE `images` MODIFY COLUMN `shown` bool NOT NULL DEFAULT false, ALGORITHM=INSTANT"}},
		// The other way: a flag column declared bool, as PrestaShop's
		// and GLPI's tinyint flags are in later schemas, was refused as a
		// change emcee could not check row by row, "BOOL" in its list.
		{rule: "widen-column", name: "TINYINT -> BOOL changes the display width alone: instant both ways", target: mysql80,
			before: []string{"  column \"note\" {", "  column \"shown\" {\n    type    = tinyint\n    default = 0\n  }\n  column \"note\" {"},
			edits:  []string{"    type    = tinyint\n    default = 0\n", "    type    = bool\n    default = false\n"}, want: []string{"ALTER TABLE `images` MODIFY COLUMN `shown` tinyint NOT NULL DEFAULT 0, ALGORITHM=INSTANT"}},
		{rule: "widen-column", name: "a longer varchar is narrowed back by a copy behind a gate counting the values too long", target: mariadb1011,
			edits: append([]string{"varchar(30)", "varchar(60)"}, addOwner...), want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`name`) > 30", "ALTER TABLE `images` MODIFY COLUMN `name` varchar(30) NOT NULL, DROP COLUMN `owner`, ALGORITHM=COPY, LOCK=SHARED"}, whyHas: "cannot hold exactly"},
		{rule: "widen-column", name: "a bigger integer: the gate counts what the old range cannot hold", target: mysql80,
			edits: []string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type       = bigint\n    null       = true\n    allow_copy = true\n  }\n  column \"owner_id\""},
			want:  []string{"gate: SELECT COUNT(*) FROM `images` WHERE `size` NOT BETWEEN -2147483648 AND 2147483647", "ALTER TABLE `images` MODIFY COLUMN `size` int NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		// Moodle 3.7 widened grade_categories.hidden from int(1), a BOOL,
		// to int(10): narrowing it back was refused as unchecked, though
		// a BOOL is a signed TINYINT whose range a gate counts.
		{rule: "widen-column", name: "a BOOL widened to BIGINT: the gate counts what a TINYINT cannot hold", target: mariadb1011,
			before: []string{"  column \"note\" {", "  column \"shown\" {\n    type    = bool\n    default = false\n  }\n  column \"note\" {"},
			edits:  []string{"    type    = bool\n    default = false\n", "    type       = bigint\n    default    = 0\n    allow_copy = true\n"},
			want:   []string{"gate: SELECT COUNT(*) FROM `images` WHERE `shown` NOT BETWEEN -128 AND 127", "ALTER TABLE `images` MODIFY COLUMN `shown` bool NOT NULL DEFAULT false, ALGORITHM=COPY, LOCK=SHARED"}, whyHas: "cannot hold exactly"},
		{rule: "widen-column", name: "enum values appended: the gate counts the new values", target: mariadb1011,
			edits: []string{"enum(\"a\", \"b\", \"c\")", "enum(\"a\", \"b\", \"c\", \"d\")"},
			want:  []string{"gate: SELECT COUNT(*) FROM `images` WHERE `kind` NOT IN ('a', 'b', 'c') AND `kind` + 0 <> 0", "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		{rule: "widen-column", name: "wider and NULL: one gate counts both", target: mariadb1011,
			edits: []string{"    type = varchar(60)\n", "    type       = varchar(90)\n    null       = true\n    allow_copy = true\n"},
			want:  []string{"gate: SELECT COUNT(*) FROM `images` WHERE `note` IS NULL OR CHAR_LENGTH(`note`) > 60", "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		// Redmine 3.2 widened auth_sources.filter, varchar(255) -> text,
		// and 3.4 issues.description and journals.notes, text ->
		// longtext: each rollback was refused as unchecked, though a gate
		// counts what the narrower type cannot hold (characters for a
		// VARCHAR, bytes for a TEXT).
		{rule: "widen-column", name: "a VARCHAR widened to a TEXT: the gate counts the values longer than the VARCHAR", target: mariadb1011,
			edits: []string{"    type = varchar(60)\n", "    type       = text\n    allow_copy = true\n"}, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE CHAR_LENGTH(`note`) > 60", "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=COPY, LOCK=SHARED"}, whyHas: "cannot hold exactly"},
		{rule: "widen-column", name: "a TEXT widened to a LONGTEXT: the gate counts the values of more bytes than a TEXT holds", target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = text\n"},
			edits:  []string{"    type = text\n", "    type       = longtext\n    allow_copy = true\n"}, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE OCTET_LENGTH(`note`) > 65535", "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=COPY, LOCK=SHARED"}, whyHas: "cannot hold exactly"},
		{rule: "widen-column", name: "more fractional seconds cannot be checked row by row: refused", target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = datetime\n"},
			edits:  []string{"    type = datetime\n", "    type       = datetime(6)\n    allow_copy = true\n"}, want: []string{"gate: SELECT 1"}, whyHas: "cannot be checked row by row"},
		{rule: "tighten-column", name: "the NULL expand allowed goes behind a gate", target: mariadb1011,
			edits: []string{"  column \"note\" {\n    type = varchar(60)\n", "  column \"note\" {\n    type       = varchar(20)\n    null       = true\n    allow_copy = true\n"}, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE `note` IS NULL", "ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "tighten-column", name: "a type widened for both releases is narrowed back behind a gate", target: mariadb1011,
			edits: []string{"    type = enum(\"a\", \"b\", \"c\")\n", "    type = enum(\"a\", \"d\")\n    allow_copy = true\n"}, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE `kind` NOT IN ('a', 'b', 'c') AND `kind` + 0 <> 0", "ALTER TABLE `images` MODIFY COLUMN `kind` enum('a','b','c') NULL, ALGORITHM=COPY, LOCK=SHARED"}},
		{rule: "tighten-column", name: "no expand, nothing to undo", target: mariadb1011,
			edits: []string{"    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type = int\n  }\n  column \"owner_id\""}, want: nil},
		{rule: "drop-column", name: "the placeholder default goes", target: mariadb1011, edits: []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", ""}, want: []string{"ALTER TABLE `images` ALTER COLUMN `note` DROP DEFAULT, ALGORITHM=INSTANT"}},
		{rule: "drop-column", name: "a column made NULL on mysql (TEXT has no placeholder) is NOT NULL again behind a gate", target: mysql80,
			before: []string{"    type = varchar(60)\n", "    type = text\n"},
			edits:  []string{"  column \"note\" {\n    type = text\n  }\n", "", "    type = varchar(30)\n", "    type       = varchar(30)\n    allow_copy = true\n"}, want: []string{"gate: SELECT COUNT(*) FROM `images` WHERE `note` IS NULL", "ALTER TABLE `images` MODIFY COLUMN `note` text NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"}},
		{rule: "add-column-fill", name: "triggers, then the column", target: mariadb1011,
			edits: []string{"  column \"price\" {", "  column \"slug\" {\n    type = varchar(30)\n    fill = \"LOWER(name)\"\n  }\n  column \"price\" {"}, want: []string{"DROP TRIGGER IF EXISTS `emcee_images_after_e73910_bi`", "DROP TRIGGER IF EXISTS `emcee_images_after_e73910_bu`", "ALTER TABLE `images` DROP COLUMN `slug`, ALGORITHM=INSTANT"}},
		{rule: "replace-column", name: "triggers, the placeholder default, the new column", target: mariadb1011, edits: tcReplaceNote, want: []string{"DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bi`", "DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bu`", "ALTER TABLE `images` ALTER COLUMN `note` DROP DEFAULT, ALGORITHM=INSTANT", "ALTER TABLE `images` DROP COLUMN `memo`, ALGORITHM=INSTANT"}},
		{rule: "replace-column", name: "nullable: triggers and the new column", target: mariadb1011, edits: tcReplaceKind, want: []string{"DROP TRIGGER IF EXISTS `emcee_images_after_9758a5_bi`", "DROP TRIGGER IF EXISTS `emcee_images_after_9758a5_bu`", "ALTER TABLE `images` DROP COLUMN `category`, ALGORITHM=INSTANT"}},
		{rule: "rename-column", name: "triggers, the placeholder default, then the new column", target: mariadb1011,
			edits: []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", "  column \"memo\" {\n    type         = varchar(60)\n    renamed_from = \"note\"\n  }\n"}, want: []string{"DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bi`", "DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bu`", "ALTER TABLE `images` ALTER COLUMN `note` DROP DEFAULT, ALGORITHM=INSTANT", "ALTER TABLE `images` DROP COLUMN `memo`, ALGORITHM=INSTANT"}},
		{rule: "rename-table", name: "columns undone under the new name, then swapped back in one statement", target: mariadb1011,
			edits: []string{"table \"images\" {\n  schema = schema.app\n", "table \"pictures\" {\n  schema       = schema.app\n  renamed_from = \"images\"\n", "  column \"price\" {", "  column \"caption\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"price\" {"}, want: []string{"ALTER TABLE `pictures` DROP COLUMN `caption`, ALGORITHM=INSTANT", "RENAME TABLE `images` TO `emcee_images_9d6210_parked`, `pictures` TO `images`", "DROP VIEW IF EXISTS `emcee_images_9d6210_parked`"}},
		{rule: "add-check", name: "an added check: nothing to undo", target: mariadb1011, edits: append(tcBlock(tcSizeCheck), "    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type = int\n    null = true\n    allow_copy = true\n  }\n  column \"owner_id\""), want: nil},
		{rule: "add-check", name: "a changed check is refused", target: mariadb1011, before: append(tcBlock(tcSizeCheck), "    type = int\n    null = true\n  }\n  column \"owner_id\"", "    type = int\n    null = true\n    allow_copy = true\n  }\n  column \"owner_id\""),
			edits: []string{"size >= 0", "size >= -1"}, want: []string{"gate: SELECT 1"}, whyHas: "ck_size"},
		{rule: "add-unique-index", name: "contract only", target: mariadb1011, edits: tcBlock("  index \"ux_name\" {\n    unique  = true\n    columns = [column.name]\n  }"), want: nil},
		{rule: "index-uniqueness", name: "contract only", target: mariadb1011, edits: []string{"  index \"ix_owner\" {\n", "  index \"ix_owner\" {\n    unique = true\n"}, want: nil},
		{rule: "index-columns", name: "contract only", target: mariadb1011, edits: []string{"    columns = [column.owner_id]\n", "    columns = [column.owner_id, column.name]\n"}, want: nil},
		{rule: "add-primary-key", name: "contract only", target: mariadb1011, before: []string{tcOwnersPK, "}\ntable \"images\" {"}, edits: []string{"}\ntable \"images\" {", tcOwnersPK}, want: nil},
		{rule: "replace-primary-key", name: "contract only", target: mariadb1011, edits: []string{"  column \"id\" {\n    type           = bigint\n    auto_increment = true\n  }\n  column \"name\"", "  column \"name\"", "  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_owner\"", "  primary_key {\n    columns = [column.name, column.note]\n  }\n  index \"ix_owner\""}, want: nil},
		{rule: "add-foreign-key", name: "contract only", target: mariadb1011, edits: tcBlock(tcOwnerFK), want: nil},
		{rule: "drop-index", name: "contract only", target: mariadb1011, edits: []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", ""}, want: nil},
		{rule: "rename-index", name: "contract only", target: mariadb1011, edits: []string{"  index \"ix_owner\" {\n    columns = [column.owner_id]\n  }\n", "  index \"ix_images_owner\" {\n    columns      = [column.owner_id]\n    renamed_from = \"ix_owner\"\n  }\n"}, want: nil},
		{rule: "recase-column", name: "contract only", target: mariadb1011, edits: []string{"  column \"note\" {\n", "  column \"Note\" {\n"}, want: nil},
		{rule: "auto-increment", name: "the numbering dropped again, metadata only", target: mariadb1011, edits: []string{"table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n", "table \"owners\" {\n  schema = schema.app\n  column \"id\" {\n    type           = bigint\n    auto_increment = true\n    allow_copy     = true\n  }\n"}, want: []string{"ALTER TABLE `owners` MODIFY COLUMN `id` bigint NOT NULL, ALGORITHM=INSTANT"}},
		{rule: "drop-table", name: "contract only", target: mariadb1011, before: []string{tcNewTags, tcTags + tcNewTags}, edits: []string{tcTags, ""}, want: nil},
		{rule: "modify-foreign-key", name: "contract only: the key stays the previous release's", target: mariadb1011, before: tcBlock(tcOwnerFK), edits: []string{"ref_columns = [table.owners.column.id]\n", "ref_columns = [table.owners.column.id]\n    on_delete   = CASCADE\n"}, want: nil},
		{rule: "drop-foreign-key", name: "contract only", target: mariadb1011, before: tcBlock(tcOwnerFK), edits: []string{tcOwnerFK + "\n", ""}, want: nil},
		{rule: "drop-check", name: "contract only", target: mariadb1011, before: tcBlock(tcSizeCheck), edits: []string{tcSizeCheck + "\n", ""}, want: nil},
		{rule: "convert-charset", name: "a collation set back the same way", target: mariadb1011,
			edits: []string{"  column \"note\" {\n    type = varchar(60)\n", "  column \"note\" {\n    type = varchar(60)\n    collate = \"utf8mb4_bin\"\n"}, want: []string{"ALTER TABLE `images` MODIFY COLUMN `note` varchar(60) NOT NULL, ALGORITHM=INSTANT"}},
		{rule: "convert-charset", name: "utf8mb3 -> utf8mb4 is refused", target: mariadb1011,
			before: []string{"    type = varchar(60)\n", "    type = varchar(60)\n    charset = \"utf8mb3\"\n"}, edits: []string{"    charset = \"utf8mb3\"\n", ""}, want: []string{"gate: SELECT 1"}, whyHas: "utf8mb3 to utf8mb4"},
		{rule: "data-migration", name: "the rows it rewrote stay", target: mariadb1011,
			edits: []string{"table \"owners\" {", "data_migration \"trim\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name)\"\n  pending = \"name <> TRIM(name)\"\n}\ntable \"owners\" {"}, want: nil},
	}
	seen := map[string]bool{}
	for _, c := range cases {
		seen[c.rule] = true
		t.Run(c.rule+": "+c.name, c.run)
	}
	for _, r := range Rules() {
		if !seen[r.Name] {
			t.Errorf("rule %s has no rollback case", r.Name)
		}
	}
}

// The parked view's name is one the server takes whatever the renamed
// table is called: quotes, spaces, comment markers, characters the server
// encodes in several bytes, the longest name a table may have.
func TestParkedViewNames(t *testing.T) {
	for _, old := range []string{"pictures", `img "r" 'x' -- y`, strings.Repeat("中", 64), strings.Repeat("x", 64)} {
		name := parkedView(old, "images", "pike")
		if err := sqlname.Validate(sqlname.Table, name); err != nil {
			t.Errorf("parked view of %q: %q: %v", old, name, err)
		}
		if !strings.HasPrefix(name, sqlname.ParkedViewPrefix) || !strings.HasSuffix(name, "_parked") || name == parkedView(old, "images", "queens") {
			t.Errorf("parked view of %q: %q names neither emcee nor the rename", old, name)
		}
	}
}

// The first release has no previous release to return to: its rollback is
// refused once, whatever number of tables it creates.
func TestFirstReleaseRollbackIsRefused(t *testing.T) {
	to := diff.Source{Release: "first", File: "first.hcl", Src: []byte("schema \"app\" {}\n" + tcImages)}
	pl, err := Transition(mariadb1011, Sources{To: to})
	if err != nil {
		t.Fatal(err)
	}
	rb := pl.Phases[revision.Rollback]
	if len(rb) != 1 || rb[0].Kind != revision.Gate || rb[0].SQL != refusedGate || !strings.Contains(rb[0].Why, "release first is the first release") {
		t.Fatalf("want one refusal, got %+v", rb)
	}
	if len(pl.Phases[revision.Expand]) != 2 {
		t.Fatalf("the expand still creates both tables: %+v", pl.Phases[revision.Expand])
	}
}
