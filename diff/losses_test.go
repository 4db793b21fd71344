package diff

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

const imagesV1 = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "is_public" {
    type = bool
  }
  primary_key {
    columns = [column.id]
  }
}
table "tags" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
`

// A release that drops images.is_public and adds images.visibility, with
// nothing declared, is refused with both ways out (issue 10, hole 7); so
// is a release that drops a table and creates one. Each declaration that
// says what happens to the data lets it plan.
func TestUndeclaredLossIsRefused(t *testing.T) {
	swap := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }", 1)
	tableSwap := strings.Replace(imagesV1, "table \"tags\"", "table \"labels\"", 1)
	dropped := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "", 1)
	movedToNew := dropped + "table \"image_flags\" {\n  schema = schema.app\n  column \"image_id\" {\n    type = int\n  }\n  column \"Is_Public\" {\n    type = bool\n  }\n  primary_key {\n    columns = [column.image_id]\n  }\n}\n"
	movedToOther := strings.Replace(dropped, "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }", "table \"tags\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"is_public\" {\n    type = bool\n    null = true\n  }", 1)
	discardIsPublic := "discard {\n  table  = \"images\"\n  column = \"is_public\"\n}\n"
	// Dolibarr 17: llx_prelevement_facture becomes llx_prelevement, and
	// llx_bank_extrafields, first in the file, is new beside it; the
	// refusal named the first created table as the rename.
	tableSwapBeside := strings.Replace(tableSwap, "table \"labels\"", "table \"extras\" {\n  schema = schema.app\n  column \"fk_object\" {\n    type = int\n  }\n}\ntable \"labels\"", 1)
	for _, tc := range []struct {
		name, src, want string
	}{
		{"column dropped and added", swap, "pike.hcl:7:3: table images loses column is_public and gains visibility in release pike: emcee cannot tell a replacement from a loss. If visibility carries is_public's data, declare it in visibility's column block, as below when the values change (with the same values, `renamed_from = \"is_public\"` in place of the replaces block); if is_public's data may be lost, declare the discard below, at the top level of the file, instead:\n" +
			"    replaces {\n      column   = \"is_public\"\n      forward  = \"...\"\n      backward = \"...\"\n    }\n    discard {\n      table  = \"images\"\n      column = \"is_public\"\n    }"},
		// Matomo 4.0: log_visit loses visitor_days_since_first and gains
		// profilable and visitor_seconds_since_first; the refusal named
		// the first added column as the replacement.
		{"column dropped, two added: the likeliest named", strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"profilable\" {\n    type = bool\n    null = true\n  }\n  column \"is_public_now\" {\n    type = bool\n    null = true\n  }", 1), "If is_public_now carries is_public's data, declare it in is_public_now's column block"},
		// LimeSurvey 1.92's DBVersion 145 drops surveys.notification and
		// sets emailnotificationto, the last of 19 added columns, from it
		// in a data_migration: the refusal named the first added column.
		{"column dropped, a data_migration sets an added one from it", strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"profilable\" {\n    type = bool\n    null = true\n  }\n  column \"shown\" {\n    type = varchar(10)\n    null = true\n  }", 1) +
			"data_migration \"shown\" {\n  table   = \"images\"\n  set     = \"shown = IF(is_public, 'yes', 'no')\"\n  pending = \"shown IS NULL\"\n}\n",
			"If shown carries is_public's data, declare it in shown's column block, as below when the values change (with the same values, `renamed_from = \"is_public\"` in place of the replaces block); data_migration \"shown\" (at pike.hcl:28:1) sets shown from is_public: if that is how its values move, or if is_public's data may be lost, declare the discard below"},
		{"column discarded", swap + "discard {\n  table  = \"images\"\n  column = \"is_public\"\n}\n", ""},
		{"column renamed", strings.Replace(swap, "null = true", "null = true\n    renamed_from = \"is_public\"", 1), ""},
		{"column dropped alone", strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "", 1), ""},
		{"column added alone", strings.Replace(imagesV1, "column \"is_public\" {", "column \"owner\" {\n    type = int\n    null = true\n  }\n  column \"is_public\" {", 1), ""},
		{"table dropped and created", tableSwap, "pike.hcl:14:1: release pike drops table tags and creates labels: emcee cannot tell a rename from a loss. If labels carries tags's rows, declare `renamed_from = \"tags\"` in table labels; if their values move into rows of another shape (LimeSurvey 1.92's surveys_rights, a row of survey_permissions for each permission), declare a data_migration with from = \"tags\" and insert, which moves them in migrate and says that tags goes; if tags's data may be lost, declare the discard below, at the top level of the file:\n    discard {\n      table = \"tags\"\n    }"},
		// LimeSurvey 1.92's DBVersion 145: surveys_rights' rows move into
		// survey_permissions, and surveys_rights goes: the move declares it.
		{"table dropped, its rows moved by a data_migration", tableSwap + "data_migration \"m\" {\n  table   = \"labels\"\n  from    = \"tags\"\n  insert  = \"id = id\"\n  pending = \"NOT EXISTS (SELECT 1 FROM labels AS l WHERE l.id = tags.id)\"\n}\n", ""},
		{"table dropped and two created", tableSwapBeside, "pike.hcl:20:1: release pike drops table tags and creates extras, labels: emcee cannot tell a rename from a loss. If labels carries tags's rows, declare `renamed_from = \"tags\"` in table labels"},
		{"table discarded", tableSwap + "discard {\n  table = \"tags\"\n}\n", ""},
		// A column dropped while another table gains one of its name: the
		// values probably move, and contract would drop them uncopied.
		{"column moved to a new table", movedToNew, "pike.hcl:26:3: release pike drops images.is_public and creates image_flags with a column of the same name, image_flags.Is_Public: its values probably move there, but contract drops images.is_public and nothing copies them. If they move, declare at the top level of the file a data_migration that inserts a row of image_flags for each row of images before contract (the other columns in insert, and in pending how a row already moved is found), as below; it also declares that the old column goes. If they may be lost, declare the discard instead:\n" +
			"    data_migration \"image_flags\" {\n      table   = \"image_flags\"\n      from    = \"images\"\n      insert  = \"`Is_Public` = `is_public`, ...\"\n      pending = \"`is_public` IS NOT NULL AND NOT EXISTS (SELECT 1 FROM `image_flags` AS t WHERE t.... = `images`....)\"\n    }\n" +
			"    discard {\n      table  = \"images\"\n      column = \"is_public\"\n    }"},
		// The move declared: the insert reads the dropped column, which
		// says it goes once its values moved.
		{"column moved to a new table by a data_migration", movedToNew + "data_migration \"flags\" {\n  table   = \"image_flags\"\n  from    = \"images\"\n  insert  = \"image_id = id, Is_Public = is_public\"\n  pending = \"NOT EXISTS (SELECT 1 FROM image_flags AS f WHERE f.image_id = images.id)\"\n}\n", ""},
		{"column moved to a new table, discarded", movedToNew + discardIsPublic, ""},
		{"column moved to another table", movedToOther, "pike.hcl:17:3: release pike drops images.is_public and gives tags a column of the same name, tags.is_public"},
		{"column moved to another table, discarded", movedToOther + discardIsPublic, ""},
		// Moodle 4.0 drops mdl_question.version, gives mdl_badge a
		// version and creates mdl_question_versions with one: the
		// refusal named the first, mdl_badge.
		{"column moved, two candidates", movedToOther + "table \"images_public\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"is_public\" {\n    type = bool\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n",
			"release pike drops images.is_public and creates images_public with a column of the same name, images_public.is_public (also gained: tags.is_public): its values probably move there"},
		{"table renamed", strings.Replace(tableSwap, "table \"labels\" {\n  schema = schema.app", "table \"labels\" {\n  schema = schema.app\n  renamed_from = \"tags\"", 1), ""},
		// Both names are in the database from expand to contract, and
		// MariaDB's information_schema answers for one: every drift check
		// after expand failed, migrate, contract and rollback with it.
		{"table renamed only in letter case", strings.Replace(imagesV1, "table \"tags\" {\n  schema = schema.app", "table \"Tags\" {\n  schema = schema.app\n  renamed_from = \"tags\"", 1),
			"pike.hcl:14:1: table Tags differs from table tags of the previous release only in letter case, and both names are in the database while both releases run (a rename leaves a view under the old name until contract): MariaDB's information_schema, asked for both by name, gives the columns of only one, so every drift check after expand fails (db migrate, db contract and db rollback would stop), and a server with lower_case_table_names = 1 or 2 takes them for one table. Rename tags to another name in this release, and to Tags in the next"},
		{"table created beside one dropped, only in letter case", strings.Replace(imagesV1, "table \"tags\" {", "table \"Tags\" {", 1) + "discard {\n  table = \"tags\"\n}\n",
			"pike.hcl:14:1: table Tags differs from table tags of the previous release only in letter case"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			prev, err := ParseRelease("ocata", "ocata.hcl", []byte(imagesV1), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Check(prev); err != nil {
				t.Fatal(err)
			}
			tr := transition(t, prev, r)
			err = CheckLosses(tr)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
}

// A discard is checked like the other declarations: what it names must be
// in the previous release and gone from this one, and a leftover from an
// older release is refused.
func TestDiscardIsChecked(t *testing.T) {
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(imagesV1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	dropped := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "", 1)
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown column", dropped + "discard {\n  table = \"images\"\n  column = \"is_pub\"\n}\n", "pike.hcl:21:1: discard of images.is_pub, but table images of release ocata has no such column (ocata.hcl); remove the declaration if it belongs to an older release"},
		{"unknown table", dropped + "discard {\n  table = \"imgs\"\n}\n", "discard of table imgs, but release ocata has no such table"},
		{"column still declared", imagesV1 + "discard {\n  table = \"images\"\n  column = \"is_public\"\n}\n", "discard of images.is_public, but release pike still declares the column"},
		{"table still declared", imagesV1 + "discard {\n  table = \"tags\"\n}\n", "discard of table tags, but release pike still declares it"},
		{"discarded and renamed", strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"public\" {\n    type = bool\n    renamed_from = \"is_public\"\n  }", 1) + "discard {\n  table = \"images\"\n  column = \"is_public\"\n}\n", "but images.public takes over from it"},
		{"twice", dropped + "discard {\n  table = \"images\"\n  column = \"is_public\"\n}\ndiscard {\n  table = \"images\"\n  column = \"is_public\"\n}\n", "images.is_public is discarded twice"},
		{"twice in another letter case", dropped + "discard {\n  table = \"images\"\n  column = \"IS_PUBLIC\"\n}\ndiscard {\n  table = \"images\"\n  column = \"is_public\"\n}\n", "pike.hcl:25:1: images.is_public is discarded twice (first at pike.hcl:21:1); remove one"},
		{"no table", dropped + "discard {\n  column = \"is_public\"\n}\n", "discard needs table = "},
		{"typo", dropped + "discard {\n  table = \"images\"\n  colum = \"is_public\"\n}\n", `unknown attribute "colum" in discard (did you mean "column"?)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), mariadb)
			if err == nil {
				err = r.Check(prev)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
	// Left over in the next release: the column is gone from its previous release.
	pike, err := ParseRelease("pike", "pike.hcl", []byte(dropped+"discard {\n  table = \"images\"\n  column = \"is_public\"\n}\n"), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	if err := pike.Check(prev); err != nil {
		t.Fatal(err)
	}
	queens, err := ParseRelease("queens", "queens.hcl", []byte(dropped+"discard {\n  table = \"images\"\n  column = \"is_public\"\n}\n"), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	if err := queens.Check(pike); err == nil || !strings.Contains(err.Error(), "queens.hcl:21:1: discard of images.is_public, but table images of release pike has no such column (pike.hcl); remove the declaration if it belongs to an older release") {
		t.Fatalf("stale discard: %v", err)
	}
}

// A position is worded one way, whoever words it: file:line:col, or the
// file alone when the line is not known (Pos.Errorf, used on posOrFile's
// fallback, wrote "file:0:0").
func TestPosWording(t *testing.T) {
	for _, c := range []struct {
		p    Pos
		want string
	}{
		{Pos{File: "schema/b.hcl", Line: 4, Col: 3}, "schema/b.hcl:4:3: gone"},
		{Pos{File: "schema/b.hcl"}, "schema/b.hcl: gone"},
	} {
		if got := c.p.Errorf("gone").Error(); got != c.want {
			t.Errorf("Errorf: %q, want %q", got, c.want)
		}
		if got := (&Problem{Pos: c.p, Msg: "gone"}).Error(); got != c.want {
			t.Errorf("Problem: %q, want %q", got, c.want)
		}
	}
}

// A release that renames every table (a new prefix) without renamed_from
// is refused once per table, and each refusal listed every created table:
// 600 tables made 4 MB of refusals. Each names five and counts the rest,
// and still names the created table sharing the dropped one's columns.
func TestAttackS28EveryTableRenamed(t *testing.T) {
	gen := func(prefix string) string {
		src := "schema \"app\" {}\n"
		for i := range 7 {
			src += fmt.Sprintf("table \"%st%d\" {\n  schema = schema.app\n  column \"c%d\" {\n    type = int\n  }\n}\n", prefix, i, i)
		}
		return src
	}
	prev, err := ParseRelease("ocata", "ocata.hcl", []byte(gen("llx_")), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRelease("pike", "pike.hcl", []byte(gen("doli_")), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tr := transition(t, prev, r)
	err = CheckLosses(tr)
	want := "pike.hcl:38:1: release pike drops table llx_t6 and creates doli_t0, doli_t1, doli_t2, doli_t3, doli_t4, 2 more: emcee cannot tell a rename from a loss. If doli_t6 carries llx_t6's rows, declare `renamed_from = \"llx_t6\"` in table doli_t6;"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "doli_t5, doli_t6") {
		t.Fatalf("got %v\nwant %q", err, want)
	}
}

// transition is the diff between two releases, as the offline planner
// makes it for the mariadb target.
func transition(t *testing.T, from, to *Release) *Transition {
	t.Helper()
	drv, err := Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Between(drv, mariadb, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// blockHeader is a block's first line, indented under the message or not.
var blockHeader = regexp.MustCompile(`^ *[a-z_]+( ".*")* \{$`)

// pastedBlocks are the blocks an error's advice prints for a person to
// paste (a line `type {` or `type "label" {` to a line `}`), each parsed
// as HCL: a block HCL refuses fails the test.
func pastedBlocks(t *testing.T, msg string) []*hclsyntax.Block {
	t.Helper()
	var blocks []*hclsyntax.Block
	lines := strings.Split(msg, "\n")
	for i := 0; i < len(lines); i++ {
		// A block starts on a line of its own, a block header indented or
		// not, and ends at the first line that is its closing brace at its
		// indentation.
		if !blockHeader.MatchString(lines[i]) {
			continue
		}
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " "))]
		end := slices.Index(lines[i:], indent+"}")
		if end < 0 {
			t.Fatalf("block %q has no end:\n%s", lines[i], msg)
		}
		src := strings.Join(lines[i:i+end+1], "\n") + "\n"
		f, diags := hclsyntax.ParseConfig([]byte(src), "pasted.hcl", hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatalf("the advice does not parse as HCL (%v):\n%s", diags, src)
		}
		blocks = append(blocks, f.Body.(*hclsyntax.Body).Blocks...)
		i += end
	}
	return blocks
}

// attrs are a pasted block's attributes as they evaluate.
func attrs(t *testing.T, b *hclsyntax.Block) map[string]string {
	t.Helper()
	m := map[string]string{}
	for name, a := range b.Body.Attributes {
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			t.Fatalf("%s.%s: %v", b.Type, name, diags)
		}
		m[name] = v.AsString()
	}
	return m
}

// The advice of a loss's refusal is HCL to paste into the release: a name
// holding `${` or `%{` is written as HCL spells it there ($${, %%{), not
// as Go quotes it, which HCL reads as a template (the renamed_from the
// refusal suggested was then refused: "must be a quoted string"), and a
// block of several attributes spans lines: printed on one line with
// commas, HCL refused it ("Single-line block syntax can include only one
// argument definition").
func TestLossAdviceIsHCL(t *testing.T) {
	prev := strings.NewReplacer(`"is_public"`, `"is$${public}"`, `table "tags"`, `table "tags%%{x}"`).Replace(imagesV1)
	swap := strings.Replace(prev, "column \"is$${public}\" {\n    type = bool\n  }", "column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }", 1)
	tableSwap := strings.Replace(prev, `table "tags%%{x}"`, `table "labels"`, 1)
	moved := strings.Replace(strings.Replace(prev, "column \"is$${public}\" {\n    type = bool\n  }", "", 1), "table \"tags%%{x}\" {\n  schema = schema.app\n", "table \"tags%%{x}\" {\n  schema = schema.app\n  column \"is$${public}\" {\n    type = bool\n    null = true\n  }\n", 1)
	discardColumn := map[string]string{"table": "images", "column": "is${public}"}
	for _, tc := range []struct {
		name, src string
		want      []string
		blocks    []map[string]string // the pasted blocks' attributes, in order
	}{
		{"column dropped and added", swap, []string{"`renamed_from = \"is$${public}\"`"},
			[]map[string]string{{"column": "is${public}", "forward": "...", "backward": "..."}, discardColumn}},
		{"table dropped and created", tableSwap, []string{"`renamed_from = \"tags%%{x}\"` in table labels"}, []map[string]string{{"table": "tags%{x}"}}},
		{"column moved to another table", moved, []string{"`set = \"`is$${public}` = (SELECT ... FROM `images` WHERE ...)\"`"}, []map[string]string{discardColumn}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, err := ParseRelease("ocata", "ocata.hcl", []byte(prev), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			r, err := ParseRelease("pike", "pike.hcl", []byte(tc.src), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			tr := transition(t, old, r)
			err = CheckLosses(tr)
			if err == nil {
				t.Fatal("not refused")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal lacks %s:\n%v", w, err)
				}
			}
			blocks := pastedBlocks(t, err.Error())
			if len(blocks) != len(tc.blocks) {
				t.Fatalf("%d blocks to paste, want %d:\n%v", len(blocks), len(tc.blocks), err)
			}
			for i, b := range blocks {
				if got := attrs(t, b); !maps.Equal(got, tc.blocks[i]) {
					t.Errorf("block %s reads %v, want %v", b.Type, got, tc.blocks[i])
				}
			}
		})
	}
}

// A release declared as SQL has no column block to declare the
// replacement in: the refusal names its declarations file and gives the
// table and column blocks that file holds, which parse when pasted there.
func TestUndeclaredLossOfASQLRelease(t *testing.T) {
	prev, err := ParseRelease("ocata", "schema/ocata.sql", []byte(imagesV1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	swap := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }", 1)
	r, err := ParseRelease("pike", "schema/pike.sql", []byte(swap), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tr := transition(t, prev, r)
	err = CheckLosses(tr)
	want := "declare it in schema/pike.emcee.hcl, as below when the values change (with the same values, `renamed_from = \"is_public\"` in place of the replaces block); if is_public's data may be lost, declare the discard below, at the top level of schema/pike.emcee.hcl (the declarations file beside schema/pike.sql), instead:\n" +
		"    table \"images\" {\n      column \"visibility\" {\n        replaces {\n          column   = \"is_public\"\n          forward  = \"...\"\n          backward = \"...\"\n        }\n      }\n    }\n    discard {\n"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant %q", err, want)
	}
	// What it says to paste is a declarations file emcee reads.
	_, advice, _ := strings.Cut(err.Error(), "), instead:\n")
	src := []byte(strings.ReplaceAll(advice, `"..."`, `"is_public"`))
	f, diags := hclsyntax.ParseConfig(src, "pike.emcee.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("the advice does not parse: %v\n%s", diags, src)
	}
	d, err := readDeclarations(f.Body.(*hclsyntax.Body), src)
	if err != nil {
		t.Fatalf("the advice does not read as declarations: %v\n%s", err, src)
	}
	if d.TakenOver("images", "is_public") == nil || d.Discarded("images", "is_public") == nil {
		t.Fatalf("the advice declares neither the replacement nor the discard:\n%s", src)
	}
}

// The declarations file of a SQL release has a block for the successor
// already (allow_copy here): a second block of the column is refused, so
// the refusal names that block and gives the replaces block alone, for
// it.
func TestUndeclaredLossIntoTheSuccessorsBlock(t *testing.T) {
	prev, err := ParseRelease("ocata", "schema/ocata.sql", []byte(imagesV1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	swap := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"visibility\" {\n    type       = varchar(10)\n    null       = true\n    allow_copy = true\n  }", 1)
	r, err := ParseRelease("pike", "schema/pike.sql", []byte(swap), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tr := transition(t, prev, r)
	at, _ := r.Declarations.PosOf("images", "visibility")
	want := "declare it in schema/pike.emcee.hcl, in its block of column images.visibility (at " + at.String() + "), as below when the values change (with the same values, `renamed_from = \"is_public\"` in place of the replaces block); if is_public's data may be lost, declare the discard below, at the top level of schema/pike.emcee.hcl (the declarations file beside schema/pike.sql), instead:\n" +
		"    replaces {\n      column   = \"is_public\"\n      forward  = \"...\"\n      backward = \"...\"\n    }\n    discard {\n"
	if err := CheckLosses(tr); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v\nwant %q", err, want)
	}
}

// The declarations file has a block of the successor that declares
// nothing (empty, or allow_copy = false): it was in no map of declared
// columns, so the advice gave table and column blocks to paste, which were
// refused as the column declared twice. It points into that block.
func TestUndeclaredLossIntoTheSuccessorsBlockDeclaringNothing(t *testing.T) {
	prev, err := ParseRelease("ocata", "schema/ocata.hcl", []byte(imagesV1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	swap := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }", 1)
	drv, err := Offline(mariadb)
	if err != nil {
		t.Fatal(err)
	}
	for _, block := range []string{"", "    allow_copy = false\n"} {
		decl := "table \"images\" {\n  column \"visibility\" {\n" + block + "  }\n}\n"
		r, err := Load(FromSQL(SQLFiles{Release: "pike", File: "schema/pike.sql", SQL: []byte("-- the tables"), DeclFile: "schema/pike.emcee.hcl", Decl: []byte(decl)}, []byte(swap), nil), mariadb)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := Between(drv, mariadb, prev, r)
		if err != nil {
			t.Fatal(err)
		}
		want := "declare it in schema/pike.emcee.hcl, in its block of column images.visibility (at schema/pike.emcee.hcl:2:3), as below when the values change" +
			" (with the same values, `renamed_from = \"is_public\"` in place of the replaces block); if is_public's data may be lost, declare the discard below, at the top level of schema/pike.emcee.hcl (the declarations file beside schema/pike.sql), instead:\n" +
			"    replaces {\n      column   = \"is_public\"\n      forward  = \"...\"\n      backward = \"...\"\n    }\n    discard {\n"
		if err := CheckLosses(tr); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("block %q: got %v\nwant %q", block, err, want)
		}
	}
}

// A release declared as SQL has no blocks of its own: the refusal's
// advice names its declarations file, where the blocks go (Moodle 4.5's
// task_adhoc.blocking, dropped while attemptsavailable is added; pasted
// into the SQL file, as "the file" said, the block was a syntax error).
func TestLossAdviceOfASQLReleaseNamesItsDeclarationsFile(t *testing.T) {
	swap := strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }", 1)
	const decl = "schema/pike.emcee.hcl (the declarations file beside schema/pike.sql)"
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"column dropped and added", swap, []string{
			"declare it in schema/pike.emcee.hcl, as below when the values change",
			"declare the discard below, at the top level of " + decl + ", instead:\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old, err := ParseRelease("ocata", "ocata.hcl", []byte(imagesV1), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Load(FromSQL(SQLFiles{Release: "pike", File: "schema/pike.sql", SQL: []byte("-- the tables")}, []byte(tc.src), nil), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			tr := transition(t, old, r)
			err = CheckLosses(tr)
			if err == nil {
				t.Fatal("not refused")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), "the file") {
				t.Errorf("refusal of a SQL release says \"the file\":\n%v", err)
			}
		})
	}
}

// The successor a loss's refusal names is the added column sharing most
// words with the dropped one, whatever the names' style: camelCase names
// were one word each, and the first added column was named.
func TestLikeliestSuccessor(t *testing.T) {
	for _, tc := range []struct {
		dropped string
		adds    []string
		want    string
	}{
		{"visitor_days_since_first", []string{"revenue_shipping", "visitor_seconds_since_first"}, "visitor_seconds_since_first"},
		{"visitorDaysSinceFirst", []string{"profilable", "visitorSecondsSinceFirst"}, "visitorSecondsSinceFirst"},
		{"VisitorDays", []string{"profilable", "visitor_seconds"}, "visitor_seconds"},
		{"HTMLBody", []string{"title", "body_html"}, "body_html"},
		{"user name", []string{"email", "user full name"}, "user full name"},
		{"Token2Auth", []string{"hash", "token2_hash"}, "token2_hash"},
		// A tie: the first added.
		{"a_b", []string{"a_c", "b_d"}, "a_c"},
		{"plain", []string{"other", "another"}, "other"},
	} {
		if got := likeliestSuccessor(tc.dropped, tc.adds); got != tc.want {
			t.Errorf("likeliestSuccessor(%q, %q) = %q, want %q (words %q)", tc.dropped, tc.adds, got, tc.want, nameWords(tc.dropped))
		}
	}
}

// A SQL release dropping a table and creating another, or moving a column
// to another table, was told to declare renamed_from "in table labels" (a
// CREATE TABLE) and the discard "at the top level of the file", the SQL
// file the refusal points into. It names the declarations file, and what
// it gives to paste there reads as the declarations it says.
func TestUndeclaredTableLossOfASQLRelease(t *testing.T) {
	prev, err := ParseRelease("ocata", "schema/ocata.sql", []byte(imagesV1), mariadb)
	if err != nil {
		t.Fatal(err)
	}
	tableSwap := strings.Replace(imagesV1, "table \"tags\"", "table \"labels\"", 1)
	moved := strings.Replace(strings.Replace(imagesV1, "column \"is_public\" {\n    type = bool\n  }", "", 1), "table \"tags\" {\n  schema = schema.app\n", "table \"tags\" {\n  schema = schema.app\n  column \"is_public\" {\n    type = bool\n    null = true\n  }\n", 1)
	for _, tc := range []struct {
		name, src, want string
		declared        func(d *Declarations) bool
	}{
		{"table dropped and created", tableSwap, "If labels carries tags's rows, declare in schema/pike.emcee.hcl the table block below (its renamed_from); if their values move into rows of another shape (LimeSurvey 1.92's surveys_rights, a row of survey_permissions for each permission), declare a data_migration with from = \"tags\" and insert, which moves them in migrate and says that tags goes; if tags's data may be lost, declare the discard below, at the top level of schema/pike.emcee.hcl (the declarations file beside schema/pike.sql):\n    table \"labels\" {\n      renamed_from = \"tags\"\n    }\n    discard {\n      table = \"tags\"\n    }",
			func(d *Declarations) bool {
				return d.Tables["labels"] != nil && d.Tables["labels"].RenamedFrom == "tags" && d.Discarded("tags", "") != nil
			}},
		{"column moved to another table", moved, "declare the discard below, at the top level of schema/pike.emcee.hcl (the declarations file beside schema/pike.sql), to say the old column may go; if they may be lost, declare the discard alone:\n    discard {",
			func(d *Declarations) bool { return d.Discarded("images", "is_public") != nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRelease("pike", "schema/pike.sql", []byte(tc.src), mariadb)
			if err != nil {
				t.Fatal(err)
			}
			tr := transition(t, prev, r)
			err = CheckLosses(tr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
			var src strings.Builder
			for line := range strings.Lines(err.Error()) {
				if rest, ok := strings.CutPrefix(line, "    "); ok {
					src.WriteString(rest)
				}
			}
			f, diags := hclsyntax.ParseConfig([]byte(src.String()), "pike.emcee.hcl", hcl.InitialPos)
			if diags.HasErrors() {
				t.Fatalf("the advice does not parse: %v\n%s", diags, src.String())
			}
			d, err := readDeclarations(f.Body.(*hclsyntax.Body), []byte(src.String()))
			if err != nil || !tc.declared(d) {
				t.Fatalf("the advice does not read as the declarations it says (%v):\n%s", err, src.String())
			}
		})
	}
}
