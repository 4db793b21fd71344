package lint

import (
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
