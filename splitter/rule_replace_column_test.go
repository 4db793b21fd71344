package splitter

import (
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// tcReplaceNote replaces images.note (NOT NULL, no default) by memo (NOT
// NULL with a default); tcReplaceKind replaces the nullable kind by the
// nullable category.
var (
	tcReplaceNote = []string{"  column \"note\" {\n    type = varchar(60)\n  }\n", "  column \"memo\" {\n    type    = varchar(80)\n    default = \"\"\n    replaces {\n      column   = \"note\"\n      forward  = \"TRIM(note)\"\n      backward = \"LEFT(memo, 60)\"\n    }\n  }\n"}
	tcReplaceKind = []string{"  column \"kind\" {\n    type = enum(\"a\", \"b\", \"c\")\n    null = true\n  }\n", "  column \"category\" {\n    type = varchar(10)\n    null = true\n    replaces {\n      column   = \"kind\"\n      forward  = \"UPPER(kind)\"\n      backward = \"LOWER(category)\"\n    }\n  }\n"}
)

// TestReplaceColumnRule pins every step of a replacement: where it goes
// (phase, stage), what kind of statement it is, and its SQL.
func TestReplaceColumnRule(t *testing.T) {
	cases := []tcCase{
		{name: "NOT NULL column without default replaced by NOT NULL with default: placeholder default on the old, sync, backfill, gate, drop old, tighten new",
			target: mariadb1011, edits: tcReplaceNote, want: []tcStep{
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `memo` varchar(80) NULL, ALGORITHM=INSTANT"},
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageModifyColumn, Kind: "", SQL: "ALTER TABLE `images` ALTER COLUMN `note` SET DEFAULT '~emcee~', ALGORITHM=INSTANT"},
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_37eae4_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`memo` IS NULL AND CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY) THEN\n    SET `NEW`.`memo` = '';\n    SET `NEW`.`note` = (COALESCE(LEFT(`NEW`.`memo`, 60), '~emcee~'));\n  ELSEIF `NEW`.`memo` IS NULL THEN\n    SET `NEW`.`memo` = (COALESCE(IF(CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY), NULL, TRIM(`NEW`.`note`)), ''));\n  ELSEIF CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY) OR NOT (CAST(`NEW`.`memo` AS BINARY) <=> CAST((COALESCE(IF(CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY), NULL, TRIM(`NEW`.`note`)), '')) AS BINARY)) THEN\n    SET `NEW`.`note` = (COALESCE(LEFT(`NEW`.`memo`, 60), '~emcee~'));\n  END IF;\nEND"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bi`"},
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_37eae4_bu` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  IF NOT (CAST(`NEW`.`memo` AS BINARY) <=> CAST(`OLD`.`memo` AS BINARY)) THEN\n    IF NOT (CAST(`NEW`.`memo` AS BINARY) <=> CAST((COALESCE(IF(CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY), NULL, TRIM(`NEW`.`note`)), '')) AS BINARY)) THEN\n      SET `NEW`.`note` = (COALESCE(LEFT(`NEW`.`memo`, 60), '~emcee~'));\n    END IF;\n  ELSEIF NOT (CAST(`NEW`.`note` AS BINARY) <=> CAST(`OLD`.`note` AS BINARY)) THEN\n    SET `NEW`.`memo` = (COALESCE(IF(CAST(`NEW`.`note` AS BINARY) <=> CAST('~emcee~' AS BINARY), NULL, TRIM(`NEW`.`note`)), ''));\n  END IF;\nEND"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_37eae4_bu`"},
				{Rule: "replace-column", Phase: revision.Migrate, Stage: StageBackfill, Kind: "backfill", SQL: "UPDATE `images` SET `memo` = (COALESCE(IF(CAST(`note` AS BINARY) <=> CAST('~emcee~' AS BINARY), NULL, TRIM(`note`)), '')) WHERE (`memo` IS NULL)"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `memo` IS NULL"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `note`, ALGORITHM=INSTANT"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageTighten, Kind: "", SQL: "ALTER TABLE `images` MODIFY COLUMN `memo` varchar(80) NOT NULL DEFAULT \"\", ALGORITHM=INPLACE, LOCK=NONE"},
			}},
		{name: "nullable replaced by nullable: no placeholder, no tighten, the gate counts rows not backfilled",
			target: mariadb1011, edits: tcReplaceKind, want: []tcStep{
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageAddColumn, Kind: "", SQL: "ALTER TABLE `images` ADD COLUMN `category` varchar(10) NULL, ALGORITHM=INSTANT"},
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_9758a5_bi` BEFORE INSERT ON `images` FOR EACH ROW\nBEGIN\n  IF `NEW`.`category` IS NULL THEN\n    SET `NEW`.`category` = (UPPER(`NEW`.`kind`));\n  ELSEIF NOT (CAST(`NEW`.`category` AS BINARY) <=> CAST((UPPER(`NEW`.`kind`)) AS BINARY)) THEN\n    SET `NEW`.`kind` = (LOWER(`NEW`.`category`));\n  END IF;\nEND"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_9758a5_bi`"},
				{Rule: "replace-column", Phase: revision.Expand, Stage: StageTrigger, Kind: "", SQL: "CREATE TRIGGER `emcee_images_after_9758a5_bu` BEFORE UPDATE ON `images` FOR EACH ROW\nBEGIN\n  IF NOT (CAST(`NEW`.`category` AS BINARY) <=> CAST(`OLD`.`category` AS BINARY)) THEN\n    IF NOT (CAST(`NEW`.`category` AS BINARY) <=> CAST((UPPER(`NEW`.`kind`)) AS BINARY)) THEN\n      SET `NEW`.`kind` = (LOWER(`NEW`.`category`));\n    END IF;\n  ELSEIF NOT (CAST(`NEW`.`kind` AS BINARY) <=> CAST(`OLD`.`kind` AS BINARY)) THEN\n    SET `NEW`.`category` = (UPPER(`NEW`.`kind`));\n  END IF;\nEND"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropTrigger, Kind: "", SQL: "DROP TRIGGER IF EXISTS `emcee_images_after_9758a5_bu`"},
				{Rule: "replace-column", Phase: revision.Migrate, Stage: StageBackfill, Kind: "backfill", SQL: "UPDATE `images` SET `category` = (UPPER(`kind`)) WHERE (`category` IS NULL)"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageGate, Kind: "gate", SQL: "SELECT COUNT(*) FROM `images` WHERE `category` IS NULL AND (UPPER(`kind`)) IS NOT NULL"},
				{Rule: "replace-column", Phase: revision.Contract, Stage: StageDropColumn, Kind: "", SQL: "ALTER TABLE `images` DROP COLUMN `kind`, ALGORITHM=INSTANT"},
			}},
		{name: "forward naming a column the previous release lacks", target: mariadb1011,
			edits:  []string{"forward  = \"TRIM(note)\"", "forward  = \"TRIM(memo)\""},
			errHas: []string{"after.hcl:", "forward expression of images.memo", `unknown column "memo"`}},
		{name: "backward naming the old column", target: mariadb1011,
			edits:  []string{"backward = \"LEFT(memo, 60)\"", "backward = \"LEFT(note, 60)\""},
			errHas: []string{"backward expression of images.memo", `unknown column "note"`}},
	}
	// The error cases edit the replacement block of tcReplaceNote.
	for i := 2; i < len(cases); i++ {
		cases[i].edits = append(append([]string(nil), tcReplaceNote...), cases[i].edits...)
	}
	// The server compares column names without regard to letter case.
	cases = append(cases, tcCase{name: "column = the old column's name in other letter case: the same plan", target: mariadb1011,
		edits: append(slices.Clone(tcReplaceKind), `column   = "kind"`, `column   = "Kind"`), want: cases[1].want})
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// Two replacements on one table share one trigger per event: the first
// column's rule creates them, with a block for each column.
func TestReplaceColumnRuleCombinesTriggers(t *testing.T) {
	got, err := tcSteps(t, mariadb1011, tcImages, tcEdit(t, tcImages, append(append([]string(nil), tcReplaceNote...), tcReplaceKind...)...))
	if err != nil {
		t.Fatal(err)
	}
	var creates []tcStep
	for _, s := range got {
		if strings.HasPrefix(s.SQL, "CREATE TRIGGER") {
			creates = append(creates, s)
		}
	}
	if len(creates) != 2 {
		t.Fatalf("want one BEFORE INSERT and one BEFORE UPDATE trigger, got %d:\n%s", len(creates), tcDump(got))
	}
	for _, s := range creates {
		if s.Phase != revision.Expand || s.Stage != StageTrigger {
			t.Errorf("trigger placed in %s stage %d", s.Phase, s.Stage)
		}
		for _, col := range []string{"SET `NEW`.`memo` =", "SET `NEW`.`note` =", "SET `NEW`.`category` =", "SET `NEW`.`kind` ="} {
			if !strings.Contains(s.SQL, col) {
				t.Errorf("combined trigger lacks %q:\n%s", col, s.SQL)
			}
		}
	}
	// Both columns still get their own backfill, gate and drop.
	count := map[revision.Kind]int{}
	for _, s := range got {
		count[s.Kind]++
	}
	if count[revision.Backfill] != 2 || count[revision.Gate] != 2 {
		t.Errorf("want 2 backfills and 2 gates, got %v", count)
	}
}

// Through Split, a replacement's contract runs its gate first, drops the
// triggers before the old column (they read it), and then changes the
// table in one ALTER: the old column's index, the old column, the new
// column's tightening, which rebuilds the table once for all three.
func TestReplaceColumnContractOrder(t *testing.T) {
	before := tcEdit(t, tcImages, "  index \"ix_owner\" {", "  index \"ix_note\" {\n    columns = [column.note]\n  }\n  index \"ix_owner\" {")
	after := tcEdit(t, tcImages, append(append([]string(nil), tcReplaceNote...), "  index \"ix_owner\" {", "  index \"ix_memo\" {\n    columns = [column.memo]\n  }\n  index \"ix_owner\" {")...)
	tr, ctx := tcTransition(t, mariadb1011, before, after)
	ph, err := Split(tr, mariadb1011, ctx.drv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range ph[revision.Contract] {
		got = append(got, strings.SplitN(s.SQL, " ", 3)[0]+" "+strings.SplitN(s.SQL, " ", 3)[1]+" "+s.Rule)
	}
	want := []string{"SELECT COUNT(*) replace-column", "DROP TRIGGER replace-column", "DROP TRIGGER replace-column", "ALTER TABLE drop-index, replace-column"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("contract order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	c := ph[revision.Contract]
	if want := "ALTER TABLE `images` DROP INDEX `ix_note`, DROP COLUMN `note`, MODIFY COLUMN `memo` varchar(80) NOT NULL DEFAULT \"\", ALGORITHM=INPLACE, LOCK=NONE"; c[3].SQL != want {
		t.Errorf("contract ALTER:\n%s\nwant:\n%s", c[3].SQL, want)
	}
	if !strings.HasPrefix(c[3].Why, "one ALTER for images, so the table is rebuilt once for all 3 changes: (drop-index) ") {
		t.Errorf("why: %s", c[3].Why)
	}
	// expand: the new column and the old one's placeholder in one instant
	// ALTER, before the new column's index and the triggers.
	var e []string
	for _, s := range ph[revision.Expand] {
		e = append(e, s.Rule+": "+strings.SplitN(s.SQL, "\n", 2)[0])
	}
	if len(e) != 4 || !strings.Contains(e[0], "ADD COLUMN `memo` varchar(80) NULL, ALTER COLUMN `note` SET DEFAULT '~emcee~', ALGORITHM=INSTANT") || !strings.Contains(e[1], "ADD INDEX `ix_memo`") || !strings.Contains(e[2], "BEFORE INSERT") || !strings.Contains(e[3], "BEFORE UPDATE") {
		t.Errorf("expand order:\n%s", strings.Join(e, "\n"))
	}
}

// A forward that falls back to the new column's default itself is written
// as declared, not wrapped in COALESCE(..., default) again: Joomla's
// jos_session.time_int (COALESCE(CAST(NULLIF(time, ”) AS SIGNED), 0),
// default 0) was backfilled with COALESCE(COALESCE(..., 0), 0). A
// fallback to another value is still wrapped.
func TestReplaceColumnForwardFallingBackToTheDefault(t *testing.T) {
	for forward, want := range map[string]string{
		"COALESCE(UPPER(kind), '')":  "SET `category` = (COALESCE(UPPER(`kind`), ''))",
		"(IFNULL(UPPER(kind), ''))":  "SET `category` = ((IFNULL(UPPER(`kind`), '')))",
		"COALESCE(UPPER(kind), 'x')": "SET `category` = (COALESCE(COALESCE(UPPER(`kind`), 'x'), ''))",
		"UPPER(kind)":                "SET `category` = (COALESCE(UPPER(`kind`), ''))",
	} {
		after := tcEdit(t, tcImages, tcReplaceKind[0], strings.NewReplacer("null = true", "default = \"\"", "UPPER(kind)", forward).Replace(tcReplaceKind[1]))
		steps, err := tcSteps(t, mariadb1011, tcImages, after)
		if err != nil {
			t.Fatalf("forward %s: %v", forward, err)
		}
		found := false
		for _, s := range steps {
			if s.Kind == "backfill" {
				found = true
				if !strings.Contains(s.SQL, want) {
					t.Errorf("forward %s: backfill %s, want %s", forward, s.SQL, want)
				}
			}
		}
		if !found {
			t.Errorf("forward %s: no backfill in\n%s", forward, tcDump(steps))
		}
	}
}

// A binary column's default is a string Atlas quotes, as a varchar's is:
// MyBB 1.8's varbinary(16) ip columns, default ”,
// were refused ("default of ...: the expression ends too early") when they
// replaced the varchar ones.
func TestReplaceColumnBinaryDefault(t *testing.T) {
	for def, want := range map[string]string{
		`""`:   "SET `category` = (COALESCE(UPPER(`kind`), ''))",
		`"ab"`: "SET `category` = (COALESCE(UPPER(`kind`), 'ab'))",
	} {
		after := tcEdit(t, tcImages, tcReplaceKind[0], strings.NewReplacer("varchar(10)", "varbinary(16)", "null = true", "default = "+def).Replace(tcReplaceKind[1]))
		steps, err := tcSteps(t, mariadb1011, tcImages, after)
		if err != nil {
			t.Fatalf("default %s: %v", def, err)
		}
		found := false
		for _, s := range steps {
			if s.Kind == "backfill" {
				found = true
				if !strings.Contains(s.SQL, want) {
					t.Errorf("default %s: backfill %s, want %s", def, s.SQL, want)
				}
			}
		}
		if !found {
			t.Errorf("default %s: no backfill in\n%s", def, tcDump(steps))
		}
	}
}

// A default the sync cannot write is the error of its own column: every
// synced column of the table builds the list that holds it, and MyBB's
// mybb_users.regip_bin had its error printed once per synced column.
func TestSyncedColumnDefaultErrorReportedOnce(t *testing.T) {
	after := tcEdit(t, tcImages, slices.Concat(tcReplaceNote, tcReplaceKind, []string{"default = \"\"", "default = \"0x00\""})...)
	tr, ctx := tcTransition(t, mariadb1011, tcImages, after)
	_, err := Split(tr, mariadb1011, ctx.drv)
	if err == nil {
		t.Fatal("plan succeeded, want the default of images.memo refused")
	}
	if n := strings.Count(err.Error(), "default of images.memo"); n != 1 {
		t.Errorf("the default's error is reported %d times, want once:\n%v", n, err)
	}
}
