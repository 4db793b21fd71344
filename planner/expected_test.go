package planner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// The planner recomputes every revision of the bundled example (each
// release is planned in one step), from any working directory.
func TestExpectedRecomputesTheBundledExample(t *testing.T) {
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range p.Releases {
		want, err := Expected(p, plans.Files, rel)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		if len(want) != 3 {
			t.Fatalf("%s: the planner should tell all three revisions, got %d", rel, len(want))
		}
		for path, data := range want {
			if !bytes.Equal(data, plans.Files[path]) {
				t.Errorf("%s: recomputed content differs from the committed file:\n%s", path, data)
			}
		}
	}
}

func TestExpectedCannotTellAfterSeveralSteps(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	plan(t, dir, Options{})
	p, err := project.Load(dir + "/atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := Expected(p, plans.Files, "pike"); got != nil || err != nil {
		t.Errorf("pike has 02 revisions: got %d files, %v; want nil (cannot tell)", len(got), err)
	}
	if got, err := Expected(p, plans.Files, "ocata"); len(got) != 3 || err != nil {
		t.Errorf("ocata is planned in one step: got %d files, %v", len(got), err)
	}
}
