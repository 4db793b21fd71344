package planner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// The planner recomputes every revision of the bundled example (each
// release is planned in one step), from any working directory; a released
// release planned by an emcee of another plan format keeps its revisions
// as the databases ran them (pike: format 1 created image_tags with its
// key in expand), which `plan --check` notes.
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
		if len(want) != 4 {
			t.Fatalf("%s: the planner should tell all four revisions (rollback included), got %d", rel, len(want))
		}
		snap, err := snapshotIn(p, plans.Files, revision.SnapshotFile(rel))
		if err != nil || snap == nil {
			t.Fatalf("%s: snapshot: %v", rel, err)
		}
		kept := snap.format != Format && p.Released(rel)
		for path, data := range want {
			if !bytes.Equal(data, plans.Files[path]) && !kept {
				t.Errorf("%s: recomputed content differs from the committed file:\n%s", path, data)
			}
		}
	}
}

// A release planned in several steps keeps the snapshot of each step, so
// every step is recomputed; a step whose snapshot is gone (as emcee wrote
// them before it kept one per step) is left to the sum file.
func TestExpectedRecomputesEveryStep(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(300)", 1))
	plan(t, dir, Options{})
	p, err := project.Load(dir + "/atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	want, err := Expected(p, plans.Files, "pike")
	if err != nil || len(want) != 12 {
		t.Fatalf("pike has three steps: got %d files, %v; want 12", len(want), err)
	}
	for path, data := range want {
		if !bytes.Equal(data, plans.Files[path]) {
			t.Errorf("%s: recomputed content differs from the file plan wrote:\n%s", path, data)
		}
	}
	edits, untold, err := Compare(p, plans.Files)
	if err != nil || len(edits) != 0 || len(untold) != 0 {
		t.Fatalf("as planned: edits %v, untold %v, %v", edits, untold, err)
	}

	// Without the snapshot of step 01, steps 01 and 02 cannot be told.
	delete(plans.Files, revision.StepSnapshotFile("pike", 1))
	edits, untold, err = Compare(p, plans.Files)
	if err != nil || len(edits) != 0 || strings.Join(untold, " ") != "pike/pike_contract01.sql pike/pike_contract02.sql pike/pike_expand01.sql pike/pike_expand02.sql pike/pike_migrate01.sql pike/pike_migrate02.sql pike/pike_rollback01.sql pike/pike_rollback02.sql" {
		t.Fatalf("without pike.snapshot01.hcl: edits %v, untold %v, %v", edits, untold, err)
	}
}

// A revision plan --check cannot recompute (its planning step's snapshot
// is gone) passed in silence: delete pike.snapshot01.hcl, edit
// pike_expand01.sql, recompute the sum, and plan --check said "up to
// date". It now says which revisions only the sum vouches for, and why;
// a step snapshot missing while an earlier step's is there (no emcee
// kept a later step's snapshot and not an earlier one's) was deleted, and
// is refused; so is one missing while the next step's snapshot records a
// plan format (the emcee that planned that step kept it: step snapshots
// came before plan formats), which passed with a note, the edit of the
// step's revisions with it. Missing before a step whose snapshot records
// none (an older emcee's), it is a note.
func TestCheckSaysWhatItCannotRecompute(t *testing.T) {
	for _, c := range []struct {
		gone     int
		unformat bool // the next step's snapshot records no plan format
		refused  bool
		why      string
	}{
		{1, true, false, ""},
		{1, false, true, "plans/pike/pike.snapshot01.hcl is missing, though plans/pike/pike.snapshot02.hcl:3 records that the next step was planned by an emcee recording plan formats, which keeps the snapshot of every step: it was deleted; restore it from version control"},
		{2, false, true, "plans/pike/pike.snapshot02.hcl is missing, though plans/pike/pike.snapshot01.hcl, of an earlier step, is there: it was deleted; restore it from version control"},
	} {
		dir := newProject(t, "")
		t.Chdir(dir)
		plan(t, dir, Options{})
		write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
		plan(t, dir, Options{})
		write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(300)", 1))
		plan(t, dir, Options{})
		if err := os.Remove(filepath.Join(dir, "plans", revision.StepSnapshotFile("pike", c.gone))); err != nil {
			t.Fatal(err)
		}
		if c.unformat {
			next := filepath.Join(dir, "plans", revision.StepSnapshotFile("pike", c.gone+1))
			data, err := os.ReadFile(next)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(next, []byte(strings.Replace(string(data), fmt.Sprintf("%s%d\n", formatPrefix, Format), "", 1)), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		resum(t, dir)
		p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		e := checked(t, dir)
		gone := fmt.Sprintf("plans/pike/pike.snapshot%02d.hcl", c.gone)
		notes := strings.Join(e.Notes(), "\n")
		if !c.refused && !strings.Contains(notes, "plan --check cannot recompute ") || !c.refused && (!strings.Contains(notes, "plans/pike/pike_expand0") || !strings.Contains(notes, gone+" is missing") || !strings.Contains(notes, "only plans/emcee.sum vouches for them")) {
			t.Errorf("without %s: notes %q", gone, e.Notes())
		}
		if r := e.Refusal(p); c.refused != (r != "") || !strings.Contains(r, c.why) {
			t.Errorf("without %s: refusal %q", gone, r)
		}
	}
}
