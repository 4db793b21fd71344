package lint

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
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

// A revision of another plan format than this emcee's (its snapshot says
// which emcee planned it) that differs may be that emcee's output: an
// error whose fix is --rewrite for an open release, a note for a released
// one, which keeps its revisions as plan --check does; of this emcee's
// format it is an edit (TestEM106HandEdited).
func TestEM106OtherPlanFormat(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	for _, c := range []struct {
		released bool
		format   int
	}{{false, 0}, {true, 0}, {true, planner.Format + 1}} {
		released, format := c.released, c.format
		t.Run(fmt.Sprintf("released=%v,format=%d", released, format), func(t *testing.T) {
			f := planned(t, pike("varchar(50)", "varchar(60)"))
			if released {
				f.write("atlas.hcl", "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"ocata\", \"pike\"]\n  released = [\"ocata\", \"pike\"]\n}\n")
				p, err := project.Load("atlas.hcl")
				if err != nil {
					t.Fatal(err)
				}
				f.p = p
			}
			f.edit("plans/pike/pike.snapshot.hcl", fmt.Sprintf("# plan format: %d\n", planner.Format), fmt.Sprintf("# plan format: %d\n", format))
			f.edit(expand, "-- rule widen-column: ", "-- rule widen-column (worded by another emcee): ")
			// A second difference after the first: a note naming only
			// the first differing line would hide it.
			f.edit(expand, "ALGORITHM=INSTANT;\n", "ALGORITHM=INSTANT;\nDROP TABLE `audit`;\n")
			var got []Finding
			for _, fd := range f.lint(false).Findings {
				if fd.Code == "EM106" {
					got = append(got, fd)
				}
			}
			if len(got) != 1 || got[0].File != expand {
				t.Fatalf("EM106 findings: %v", got)
			}
			fd := got[0]
			if !strings.Contains(fd.Message, fmt.Sprintf("plans/pike/pike.snapshot.hcl records plan format %d", format)) {
				t.Errorf("the message does not name the plan format: %s", fd.Message)
			}
			if !strings.Contains(fd.Message, "the statements that differ: line 6 \"DROP TABLE `audit`\"") {
				t.Errorf("the message hides a differing line: %s", fd.Message)
			}
			switch {
			case released && format > planner.Format && (fd.Severity != Error || !strings.Contains(fd.Fix, fmt.Sprintf("an emcee of plan format %d or newer", format))):
				t.Errorf("released, newer format: %+v", fd)
			case released && format < planner.Format && (fd.Severity != Note || !strings.Contains(fd.Message, "release pike is released, so its revisions stay")):
				t.Errorf("released: %+v", fd)
			case !released && (fd.Severity != Error || !strings.Contains(fd.Fix, "`emcee plan --rewrite pike`")):
				t.Errorf("open: %+v", fd)
			}
		})
	}
}

// A statement no emcee writes (a GRANT), in a released release's revision
// whose snapshot records plan format 0, is an edit whatever the format
// line says: an error naming the statement, not the note of another
// emcee's output.
func TestEM106StatementNoEmceeWrites(t *testing.T) {
	const expand = "plans/pike/pike_expand01.sql"
	f := planned(t, pike("varchar(50)", "varchar(60)"))
	f.write("atlas.hcl", "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"ocata\", \"pike\"]\n  released = [\"ocata\", \"pike\"]\n}\n")
	p, err := project.Load("atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	f.edit("plans/pike/pike.snapshot.hcl", fmt.Sprintf("# plan format: %d\n", planner.Format), "# plan format: 0\n")
	f.edit(expand, "ALGORITHM=INSTANT;\n", "ALGORITHM=INSTANT;\nGRANT ALL ON *.* TO `evil`@`%`;\n")
	var got []Finding
	for _, fd := range f.lint(false).Findings {
		if fd.Code == "EM106" {
			got = append(got, fd)
		}
	}
	if len(got) != 1 || got[0].Severity != Error || !strings.Contains(got[0].Message, "line 6 \"GRANT ALL ON *.* TO `evil`@`%`\" is no statement any emcee writes, whatever plan format its snapshot records") {
		t.Fatalf("EM106 findings: %v", got)
	}
}

// Revisions EM106 cannot recompute (their step's snapshot is gone) were
// passed in silence: a note now says which and why, and an error where a
// step snapshot is missing though an earlier step's is there, or though
// the next step's records a plan format (deleted: the emcee that planned
// that step kept it).
func TestEM106SaysWhatItCannotRecompute(t *testing.T) {
	for _, c := range []struct {
		gone     int
		unformat bool // the next step's snapshot records no plan format
		sev      Severity
	}{{1, true, Note}, {1, false, Error}, {2, false, Error}} {
		f := planned(t, pike("varchar(50)", "varchar(52)"))
		f.write("schema/pike.hcl", pike("varchar(50)", "varchar(56)"))
		f.plan()
		f.write("schema/pike.hcl", pike("varchar(50)", "varchar(60)"))
		f.plan()
		f.remove(fmt.Sprintf("plans/pike/pike.snapshot%02d.hcl", c.gone))
		if c.unformat {
			f.edit(fmt.Sprintf("plans/pike/pike.snapshot%02d.hcl", c.gone+1), fmt.Sprintf("# plan format: %d\n", planner.Format), "")
		}
		var got []Finding
		for _, fd := range f.lint(false).Findings {
			if fd.Code == "EM106" {
				got = append(got, fd)
			}
		}
		want := fmt.Sprintf("plans/pike/pike.snapshot%02d.hcl is missing", c.gone)
		if len(got) != 1 || got[0].Severity != c.sev || !strings.Contains(got[0].Message, "plan --check cannot recompute ") || !strings.Contains(got[0].Message, want) {
			t.Errorf("without snapshot %02d: EM106 findings %v", c.gone, got)
		}
	}
}

// Lint with a dev database replays every plan there before EM106 reads
// the files: a CREATE USER added by hand (its sum recomputed) ran on the
// dev database's server. No plan is replayed while one holds a statement
// no emcee writes; lint says which and where, and the findings that read
// the files alone are still reported.
func TestLintReplaysNoStatementEmceeNeverWrites(t *testing.T) {
	const user = "emcee_lint_foreign"
	f := planned(t, pike("varchar(50)", "varchar(60)"))
	f.edit("plans/pike/pike_expand01.sql", "ALGORITHM=INSTANT;\n", "ALGORITHM=INSTANT;\nCREATE USER `"+user+"`@`%`;\n")
	db := testdb.New(t)
	t.Cleanup(func() { _, _ = db.Exec("DROP USER IF EXISTS `" + user + "`@`%`") })
	d, err := devdb.Open(context.Background(), devdb.Spec{URL: db.URL})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close(context.Background()) })
	res, err := Run(context.Background(), f.p, Options{Dev: d})
	if err == nil || !strings.Contains(err.Error(), "plans/pike/pike_expand01.sql:") || !strings.Contains(err.Error(), "is a statement no emcee writes") || !strings.Contains(err.Error(), "lint replays no plan in the dev database") {
		t.Fatalf("lint: %v", err)
	}
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM mysql.user WHERE User = ?", user).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the replay created the user (%d, %v)", n, err)
	}
	if !slices.ContainsFunc(res.Findings, func(fd Finding) bool { return fd.Code == "EM106" && fd.Severity == Error }) {
		t.Errorf("no EM106 error: %v", res.Findings)
	}
}
