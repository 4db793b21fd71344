package lint

import (
	"os"
	"strings"
	"testing"
)

func TestEM107OutOfOrder(t *testing.T) {
	// visibility replaces is_public: sync triggers in expand, dropped in
	// contract before is_public, behind a gate.
	replaced := pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", `  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
`)
	const contract = "plans/pike/pike_contract01.sql"
	check(t, "EM107", []lintCase{
		{name: "gap in NN", pike: ocata, setup: func(f *fixture) string {
			for _, ph := range []string{"expand", "migrate", "contract"} {
				if err := os.Rename("plans/pike/pike_"+ph+"01.sql", "plans/pike/pike_"+ph+"02.sql"); err != nil {
					t.Fatal(err)
				}
			}
			f.resum()
			return "plans/pike/pike_expand02.sql:1"
		}},
		{name: "phase missing", pike: ocata, setup: func(f *fixture) string {
			f.remove("plans/pike/pike_migrate01.sql")
			return "plans/pike/pike_expand01.sql:1"
		}},
		{name: "release not in atlas.hcl", pike: ocata, setup: func(f *fixture) string {
			f.write("plans/newton/newton_expand01.sql", "-- newton\n")
			f.resum()
			return "plans/newton/newton_expand01.sql:1"
		}},
		{name: "later release planned, earlier one missing", pike: ocata, setup: func(f *fixture) string {
			for _, ph := range []string{"expand", "migrate", "contract"} {
				if err := os.Remove("plans/ocata/ocata_" + ph + "01.sql"); err != nil {
					t.Fatal(err)
				}
			}
			f.resum()
			return "plans/pike/pike_expand01.sql:1"
		}},
		{name: "gate after a change", pike: replaced, setup: func(f *fixture) string {
			src := f.read(contract)
			gate := src[strings.Index(src, "\n-- rule replace-column: rows where"):strings.Index(src, "\n-- rule replace-column: the previous release is gone")]
			f.edit(contract, gate, "")
			f.edit(contract, "\n-- rule replace-column: one ALTER for images", gate+"\n-- rule replace-column: one ALTER for images")
			return f.lineOf(contract, "SELECT COUNT(*)", false)
		}},
		{name: "column dropped before the trigger reading it", pike: replaced, setup: func(f *fixture) string {
			src := f.read(contract)
			// One ALTER drops is_public and tightens visibility (the last
			// statement of the file).
			drop := src[strings.Index(src, "\n-- rule replace-column: one ALTER for images"):]
			src = strings.Replace(src, drop, "", 1)
			at := strings.Index(src, "\n-- rule replace-column: the previous release is gone")
			f.write(contract, src[:at]+drop+src[at:])
			f.resum()
			return f.lineOf(contract, "DROP COLUMN `is_public`", false)
		}},
		{name: "a replacement as planned", pike: replaced},
	})
}
