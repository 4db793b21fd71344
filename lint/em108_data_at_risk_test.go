package lint

import (
	"fmt"
	"strings"
	"testing"
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
func TestEM108NamesTheTakeOver(t *testing.T) {
	f := planned(t, pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", "  column \"shown\" {\n    type         = bool\n    default      = false\n    renamed_from = \"is_public\"\n  }\n"))
	var notes []string
	for _, fd := range f.lint(true).Findings {
		if fd.Code == "EM108" {
			notes = append(notes, fd.Message)
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], `Dropping non-virtual column "is_public"`) || !strings.Contains(notes[0], "; images.is_public lives on in images.shown (renamed_from at schema/pike.hcl:") {
		t.Fatalf("EM108 notes: %q", notes)
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
	for _, want := range []struct{ name, sql string }{{"drop_shared", "DELETE FROM `images` WHERE (`owner` = 'shared')"}, {"drop_legacy", "DELETE FROM `images` WHERE (`name` LIKE 'legacy-%')"}} {
		note := byLine[f.lineOf("plans/pike/pike_contract01.sql", want.sql, false)]
		if strings.Count(note, "declared on purpose") != 1 || !strings.Contains(note, `data_migration "`+want.name+`" at schema/pike.hcl:`) || strings.Contains(note, "duplicates") {
			t.Fatalf("note of %s: %q (all: %q)", want.name, note, byLine)
		}
	}
}
