package lint

import (
	"os"
	"strings"
	"testing"
)

func TestEM106HandEdited(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	owner := pike("varchar(50)", "varchar(60)")
	check(t, "EM106", []lintCase{
		{name: "edited, sum not updated", pike: owner, setup: func(f *fixture) string {
			src := f.read(expand)
			f.write(expand, strings.Replace(src, "varchar(60)", "varchar(70)", 1))
			return f.lineOf(expand, "varchar(70)", false)
		}},
		{name: "edited, sum regenerated", pike: owner, setup: func(f *fixture) string {
			f.edit(expand, "varchar(60)", "varchar(70)")
			return f.lineOf(expand, "varchar(70)", false)
		}},
		{name: "statement appended, sum regenerated", pike: owner, setup: func(f *fixture) string {
			f.appendStatement(expand, "DO 1")
			return f.lineOf(expand, "-- rule hand-made", false)
		}},
		{name: "edited in a release planned in two steps, sum regenerated", pike: owner, setup: func(f *fixture) string {
			// The snapshot of the first step is kept: both steps are
			// recomputed from what they were planned from.
			f.write("schema/pike.hcl", pike("varchar(50)", "varchar(60)", "varchar(100)", "varchar(120)"))
			f.plan()
			f.edit(expand, "varchar(60)", "varchar(70)")
			return f.lineOf(expand, "varchar(70)", false)
		}},
		{name: "edited where the planner cannot tell", pike: owner, setup: func(f *fixture) string {
			// Planned in two steps by an emcee that kept only the latest
			// snapshot: the first step is left to the sum.
			f.write("schema/pike.hcl", pike("varchar(50)", "varchar(60)", "varchar(100)", "varchar(120)"))
			f.plan()
			f.remove("plans/pike/pike.snapshot01.hcl")
			f.write("plans/pike/pike_expand01.sql", strings.Replace(f.read(expand), "varchar(60)", "varchar(70)", 1))
			return expand + ":1"
		}},
		{name: "revision added by hand", pike: owner, setup: func(f *fixture) string {
			f.write("plans/pike/pike_expand02.sql", "DO 1;\n")
			return "plans/pike/pike_expand02.sql:1"
		}},
		{name: "revision removed", pike: owner, setup: func(f *fixture) string {
			if err := os.Remove("plans/pike/pike_migrate01.sql"); err != nil {
				t.Fatal(err)
			}
			return f.lineOf("plans/emcee.sum", "pike/pike_migrate01.sql", false)
		}},
		{name: "sum file missing", pike: owner, setup: func(f *fixture) string {
			if err := os.Remove("plans/emcee.sum"); err != nil {
				t.Fatal(err)
			}
			return "plans/emcee.sum:1"
		}},
		{name: "as planned", pike: owner},
	})
}
