package planner

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// readPlans reads the project's plans directory.
func readPlans(t *testing.T, dir string) *revision.Plans {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	return plans
}

// resum rewrites the sum file over the plans on disk, as someone covering
// a hand edit would.
func resum(t *testing.T, dir string) {
	t.Helper()
	plans := readPlans(t, dir)
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "plans/"+revision.SumFile, string(sum))
}

// twoSteps plans pike, then edits and plans it again: pike_*02.
func twoSteps(t *testing.T) string {
	t.Helper()
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(60)\n    null = true\n  }\n"))
	plan(t, dir, Options{})
	return dir
}

func TestCheckFindsAnEditCoveredByARegeneratedSum(t *testing.T) {
	for _, path := range []string{"plans/pike/pike_expand01.sql", "plans/pike/pike_expand02.sql"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			dir := twoSteps(t)
			write(t, dir, path, string(read(t, dir, path))+"\n-- rule hand-made: added by hand\nDROP TABLE `images`;\n")
			resum(t, dir)
			if d := check(t, dir); !strings.Contains(d, "--- "+path+" (committed)") || !strings.Contains(d, "\n-DROP TABLE `images`;") {
				t.Fatalf("plan --check does not show the edit of %s:\n%s", path, d)
			}
		})
	}
	if d := check(t, twoSteps(t)); d != "" {
		t.Fatalf("plan --check as planned:\n%s", d)
	}
}

// check is what `emcee plan --check` reports: the difference with what
// plan writes, else the revisions edited by hand.
func check(t *testing.T, dir string) string {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Plan(p, Options{})
	if err != nil {
		t.Fatalf("plan (no --check) trusts the sum: %v", err)
	}
	d, err := out.Diff()
	if err == nil && d == "" {
		var e Edits
		e, err = out.Edited(p)
		d = e.Diff
	}
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMissingSumIsRebuiltOnlyOverPlannerOutput(t *testing.T) {
	dir := twoSteps(t)
	sum := read(t, dir, "plans/emcee.sum")
	if err := os.Remove(filepath.Join(dir, "plans/emcee.sum")); err != nil {
		t.Fatal(err)
	}
	// What the applier and review say leads to plan.
	if err := readPlans(t, dir).Verify(); !errors.Is(err, revision.ErrNoSum) || !strings.Contains(err.Error(), "run `emcee plan`: it writes a new sum only if every revision is exactly what the planner writes") {
		t.Fatalf("Verify without a sum: %v", err)
	}
	out := plan(t, dir, Options{})
	if len(out.Notes) != 1 || !strings.Contains(out.Notes[0], "emcee.sum was missing or damaged; every revision is what `emcee plan` writes") {
		t.Fatalf("notes %q", out.Notes)
	}
	if !bytes.Equal(sum, read(t, dir, "plans/emcee.sum")) {
		t.Fatal("the rebuilt sum differs from the one plan wrote")
	}

	// An edited revision: no new sum, and the edit is named.
	path := "plans/pike/pike_migrate01.sql"
	write(t, dir, path, string(read(t, dir, path))+"DELETE FROM `images`;\n")
	if err := os.Remove(filepath.Join(dir, "plans/emcee.sum")); err != nil {
		t.Fatal(err)
	}
	err := planErr(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "will not write a new sum") || !strings.Contains(err.Error(), path+" differs") || !strings.Contains(err.Error(), "restore it from version control") {
		t.Fatalf("missing sum over an edited revision: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "plans/emcee.sum")); !os.IsNotExist(err) {
		t.Fatal("a sum was written over an edited revision")
	}

	// A damaged sum is the same.
	write(t, dir, "plans/emcee.sum", "not a sum\n")
	if err := planErr(t, dir, Options{}); err == nil || !strings.Contains(err.Error(), "is damaged") || !strings.Contains(err.Error(), path+" differs") {
		t.Fatalf("damaged sum over an edited revision: %v", err)
	}
}

// What `emcee plan` writes does not depend on the directory it runs from:
// positions in scripts name schema files relative to the project.
func TestOutputDoesNotDependOnTheWorkingDirectory(t *testing.T) {
	dir := newProject(t, "")
	fill := "  column \"slug\" {\n    type = varchar(100)\n    fill = \"LOWER(name)\"\n  }\n"
	write(t, dir, "schema/pike.hcl", pikeWith(fill))
	outputs := map[string]*Output{}
	for _, wd := range []string{dir, filepath.Join(dir, "schema"), t.TempDir()} {
		t.Chdir(wd)
		config := filepath.Join(dir, "atlas.hcl")
		if wd == dir {
			config = "atlas.hcl"
		}
		p, err := project.Load(config)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Plan(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		outputs[wd] = out
		// What plan --check and lint's EM106 recompute agrees from here.
		if edits, untold, err := Compare(p, out.Files); err != nil || len(edits) > 0 || len(untold) > 0 {
			t.Errorf("planned and checked from %s: edits %+v, untold %v, %v", wd, edits, untold, err)
		}
	}
	want := outputs[dir]
	if !strings.Contains(string(want.Files["pike/pike_expand01.sql"]), "(declared at schema/pike.hcl:") {
		t.Fatalf("pike_expand01 does not name the fill's position:\n%s", want.Files["pike/pike_expand01.sql"])
	}
	for wd, out := range outputs {
		for path, data := range want.Files {
			if !bytes.Equal(data, out.Files[path]) {
				t.Errorf("planned from %s, %s differs:\n%s", wd, path, out.Files[path])
			}
		}
	}
}
