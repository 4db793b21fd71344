package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
)

func TestEM108DataAtRisk(t *testing.T) {
	check(t, "EM108", []lintCase{
		{name: "column dropped in contract", pike: withoutSize, dev: true, setup: func(f *fixture) string {
			return f.lineOf("plans/pike/pike_contract01.sql", "DROP COLUMN `size`", false)
		}},
		{name: "index dropped in contract", pike: pike("  index \"ix_owner\" {\n    columns = [column.owner]\n  }\n", ""), dev: true},
		{name: "nothing dropped", pike: pike("varchar(100)", "varchar(200)"), dev: true},
	})
}

// A drop accepted by a discard declaration says so in its note.
func TestEM108NamesTheDiscard(t *testing.T) {
	f := planned(t, pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", "  column \"visibility\" {\n    type = varchar(10)\n    null = true\n  }\n")+"discard {\n  table  = \"images\"\n  column = \"is_public\"\n}\n")
	var notes []string
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" {
			notes = append(notes, fd.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `Dropping non-virtual column "is_public"`) || !strings.Contains(notes[0], "declared on purpose: discard of images.is_public at schema/pike.hcl:") {
		t.Fatalf("EM108 notes: %q", notes)
	}
}

// A drop whose values a new column took over (renamed_from, replaces)
// says where they live on: the note read as if they were lost, and its fix
// said to move them (GLPI 10.0's glpi_users.layout, renamed page_layout).
// renamed_from may spell the column in any letter case, as the server
// compares column names.
func TestEM108NamesTheTakeOver(t *testing.T) {
	for _, from := range []string{"is_public", "IS_Public"} {
		f := planned(t, pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", "  column \"shown\" {\n    type         = bool\n    default      = false\n    renamed_from = \""+from+"\"\n  }\n"))
		var notes []string
		for _, fd := range f.lint(true).Findings {
			if fd.Code == "EM108" {
				notes = append(notes, fd.Message)
			}
		}
		if len(notes) != 1 || !strings.Contains(notes[0], `Dropping non-virtual column "is_public"`) || !strings.Contains(notes[0], "; images.is_public lives on in images.shown (renamed_from at schema/pike.hcl:") {
			t.Fatalf("renamed_from %q: EM108 notes: %q", from, notes)
		}
	}
}

// A column an earlier release copied into another one (fill = "<the
// column>") says where its values live on when a later release drops it,
// and how far: the fill trigger went in that release's contract.
func TestEM108NamesAnEarlierFill(t *testing.T) {
	const title = "  column \"title\" {\n    type = varchar(100)\n  }\n  column \"is_public\" {"
	withTitle := pike("  column \"is_public\" {", title)
	f := planned(t, pike("  column \"is_public\" {", "  column \"title\" {\n    type = varchar(100)\n    fill = \"name\"\n  }\n  column \"is_public\" {"))
	f.write("schema/queens.hcl", strings.Replace(withTitle, "  column \"name\" {\n    type = varchar(100)\n  }\n", "", 1))
	// And a later release that fills no column from what it drops.
	f.write("schema/rocky.hcl", strings.Replace(strings.Replace(strings.Replace(withTitle, "  column \"name\" {\n    type = varchar(100)\n  }\n", "", 1), "  column \"size\" {\n    type = int\n    null = true\n  }\n", "", 1), "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n", "", 1))
	f.write("atlas.hcl", "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"ocata\", \"pike\", \"queens\", \"rocky\"]\n}\n")
	p, err := project.Load("atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	f.plan()
	var notes []string
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" {
			notes = append(notes, fd.File+": "+fd.Message)
		}
	}
	var queens, rocky []string
	for _, n := range notes {
		switch {
		case strings.HasPrefix(n, "plans/queens/"):
			queens = append(queens, n)
		case strings.HasPrefix(n, "plans/rocky/"):
			rocky = append(rocky, n)
		}
	}
	if len(queens) != 1 || !strings.Contains(queens[0], `Dropping non-virtual column "name"`) || !strings.Contains(queens[0], "; images.name lives on in images.title as release pike filled it (fill at schema/pike.hcl:") || !strings.Contains(queens[0], "what was written to either column since is not copied") {
		t.Fatalf("EM108 notes of queens: %q", queens)
	}
	if len(rocky) != 1 || strings.Contains(rocky[0], "lives on") {
		t.Fatalf("EM108 notes of rocky: %q", rocky)
	}
}

// Two deletes of one table each name their own declaration: Redmine 5.0
// deletes its bcc_recipients and openid settings, and each DELETE's note
// named both data migrations, so the reviewer could not tell which
// predicate a statement was declared by; and neither deletes duplicates,
// which the fix said they were.
func TestEM108NamesEachDeleteItsOwnDeclaration(t *testing.T) {
	f := planned(t, ocata+"data_migration \"drop_shared\" {\n  table  = \"images\"\n  delete = \"owner = 'shared'\"\n}\n"+
		"data_migration \"drop_legacy\" {\n  table  = \"images\"\n  delete = \"name LIKE 'legacy-%'\"\n}\n")
	byLine := map[string]string{}
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" && strings.Contains(fd.Message, "deletes the rows of images") {
			byLine[fmt.Sprintf("%s:%d", fd.File, fd.Line)] = fd.Message + " fix: " + fd.Fix
		}
	}
	if len(byLine) != 2 {
		t.Fatalf("EM108 delete notes: %q", byLine)
	}
	for _, want := range []struct{ name, sql string }{{"drop_shared", "FROM `images` WHERE (`owner` = 'shared')) AS"}, {"drop_legacy", "FROM `images` WHERE (`name` LIKE 'legacy-%')) AS"}} {
		note := byLine[f.lineOf("plans/pike/pike_contract01.sql", want.sql, false)]
		if strings.Count(note, "declared on purpose") != 1 || !strings.Contains(note, `data_migration "`+want.name+`" at schema/pike.hcl:`) || strings.Contains(note, "duplicates") {
			t.Fatalf("note of %s: %q (all: %q)", want.name, note, byLine)
		}
	}
}

// The note reads the statement's predicate (sqlsyntax.DeletedRows) and
// compares it with each declaration's as the parser reads both
// (sqlsyntax.SameExpr): it wrote the DELETE again for each key form and
// compared text, so a DELETE written otherwise (another emcee's spelling,
// an unquoted column) named no declaration.
func TestEM108ReadsTheDeletesPredicate(t *testing.T) {
	f := planned(t, ocata+"data_migration \"drop_shared\" {\n  table  = \"images\"\n  delete = \"owner = 'shared'\"\n}\n")
	const plan = "plans/pike/pike_contract01.sql"
	text := f.read(plan)
	planned := "DELETE `images` FROM `images` JOIN (SELECT `id` FROM `images` WHERE (`owner` = 'shared')) AS `emcee_rows` USING (`id`)"
	if !strings.Contains(text, planned) {
		t.Fatalf("%s does not hold %s:\n%s", plan, planned, text)
	}
	f.write(plan, strings.Replace(text, planned, "DELETE images FROM images JOIN (SELECT id FROM images WHERE ((owner='shared'))) AS emcee_rows USING (id)", 1))
	var notes []string
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" && strings.Contains(fd.Message, "deletes the rows of images") {
			notes = append(notes, fd.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `declared on purpose: data_migration "drop_shared" at schema/pike.hcl:`) {
		t.Fatalf("EM108 delete notes: %q", notes)
	}
}

// A table whose rows data migrations move into another table's rows
// (LimeSurvey 1.92's surveys_rights into survey_permissions, a migration a
// permission), dropped in the same release, says where its rows live on:
// the note read as if they were lost, and its fix said to move them.
func TestEM108NamesTheMoveOfADroppedTable(t *testing.T) {
	const rights = "table \"rights\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	const perms = "table \"perms\" {\n  schema = schema.app\n  column \"right_id\" {\n    type = bigint\n  }\n  column \"permission\" {\n    type = varchar(20)\n  }\n  primary_key {\n    columns = [column.right_id, column.permission]\n  }\n}\n"
	move := func(name string) string {
		return "data_migration \"" + name + "\" {\n  table   = \"perms\"\n  from    = \"rights\"\n  insert  = \"right_id = id, permission = '" + name + "'\"\n  pending = \"NOT EXISTS (SELECT 1 FROM perms AS p WHERE p.right_id = rights.id AND p.permission = '" + name + "')\"\n}\n"
	}
	f := planned(t, ocata)
	f.write("schema/ocata.hcl", ocata+rights)
	f.write("schema/pike.hcl", ocata+perms+move("edit")+move("view"))
	if err := os.RemoveAll(filepath.Join(f.dir, "plans")); err != nil {
		t.Fatal(err)
	}
	f.plan()
	var notes []string
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" {
			notes = append(notes, fd.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `Dropping table "rights"`) || !strings.Contains(notes[0], `; the rows of rights move into rows of perms (data_migration "edit" at schema/pike.hcl:`) || !strings.Contains(notes[0], ", and 1 more data_migration, whose gates run before the drop)") {
		t.Fatalf("EM108 notes: %q", notes)
	}
}
