package planner

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// asBeforeRollbacks removes the rollback revisions of a planned project and
// writes the sum over what is left: plans as an emcee without rollbacks
// wrote them.
func asBeforeRollbacks(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadFiles(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range plans.Rollbacks {
		if err := os.Remove(filepath.Join(p.PlansDir, rb.Path)); err != nil {
			t.Fatal(err)
		}
	}
	return asPlanned(t, dir)
}

// Releases planned before emcee wrote rollbacks get one per expand, every
// step of a release planned in several, recomputed from the step
// snapshots; no existing file changes, and a rerun changes nothing.
func TestRollbacksAreAddedToPlannedReleases(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n  column \"size\" {\n    type = int\n    null = true\n  }\n"))
	plan(t, dir, Options{})
	want := map[string][]byte{}
	for _, f := range []string{"ocata/ocata_rollback01.sql", "pike/pike_rollback01.sql", "pike/pike_rollback02.sql"} {
		want[f] = read(t, dir, "plans/"+f)
	}
	before := asBeforeRollbacks(t, dir)

	out := plan(t, dir, Options{})
	var names []string
	for _, id := range out.New {
		names = append(names, id.String())
	}
	if got := strings.Join(names, " "); got != "ocata_rollback01 pike_rollback01 pike_rollback02" {
		t.Fatalf("new revisions: %s, want the three rollbacks", got)
	}
	for f, data := range want {
		if !bytes.Equal(read(t, dir, "plans/"+f), data) {
			t.Errorf("%s differs from what planning the release wrote", f)
		}
	}
	if !strings.Contains(string(want["pike/pike_rollback02.sql"]), "DROP COLUMN `size`") || strings.Contains(string(want["pike/pike_rollback02.sql"]), "`owner`") {
		t.Errorf("pike_rollback02 must undo step 02 only:\n%s", want["pike/pike_rollback02.sql"])
	}
	for f, data := range before {
		if f != revision.SumFile && !bytes.Equal(read(t, dir, "plans/"+f), data) {
			t.Errorf("%s was rewritten; existing files must stay untouched", f)
		}
	}
	if again := plan(t, dir, Options{}); len(again.New) != 0 {
		t.Fatalf("rerun planned %v; want nothing", again.New)
	}
}

// A step whose snapshots are gone gets no rollback, and the run says so.
func TestRollbackOfAStepWithoutSnapshots(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", ocata)
	plan(t, dir, Options{})
	if err := os.Remove(filepath.Join(dir, "plans", revision.StepSnapshotFile("pike", 1))); err != nil {
		t.Fatal(err)
	}
	asBeforeRollbacks(t, dir)
	out := plan(t, dir, Options{})
	if len(out.New) != 1 || out.New[0].String() != "ocata_rollback01" {
		t.Fatalf("new revisions %v, want ocata_rollback01 only", out.New)
	}
	notes := strings.Join(out.Notes, "\n")
	for _, f := range []string{"pike_rollback01.sql is not written", "pike_rollback02.sql is not written"} {
		if !strings.Contains(notes, f) {
			t.Errorf("notes lack %q:\n%s", f, notes)
		}
	}
}

// A rollback revision an older emcee refused at plan time (only closed
// gates) is written again as this emcee plans it: no database ran a
// statement of it. One this emcee refuses too stays as it is.
func TestRefusedRollbackIsWrittenAgain(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	want := read(t, dir, "plans/pike/pike_rollback01.sql")
	id := revision.ID{Release: "pike", Phase: revision.Rollback, Seq: 1}
	refused := (&revision.Script{ID: id, From: "ocata", To: "pike", Statements: []revision.Statement{
		{Rule: "widen-column", Kind: revision.Gate, Why: revision.RefusedRollback + "an older emcee could not undo this", SQL: "SELECT 1"},
	}}).Render()
	write(t, dir, "plans/pike/pike_rollback01.sql", string(refused))
	files := asPlanned(t, dir)
	if bytes.Equal(files["pike/pike_rollback01.sql"], want) {
		t.Fatal("the refused rollback is what emcee plans")
	}
	out := plan(t, dir, Options{})
	if len(out.New) != 1 || out.New[0] != id {
		t.Fatalf("new revisions %v, want pike_rollback01", out.New)
	}
	if got := read(t, dir, "plans/pike/pike_rollback01.sql"); !bytes.Equal(got, want) {
		t.Fatalf("pike_rollback01 after plan:\n%s\nwant:\n%s", got, want)
	}
	if again := plan(t, dir, Options{}); len(again.New) != 0 {
		t.Fatalf("rerun planned %v; want nothing", again.New)
	}
}

// asPlanned writes the sum over the plans as they are, as `emcee plan`
// would have: the files an older emcee wrote.
func asPlanned(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadFiles(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for path := range plans.Files {
		paths = append(paths, path)
	}
	sum, err := revision.Sum(revision.SumOrder(p.Releases, paths), plans.Files)
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "plans/"+revision.SumFile, string(sum))
	return plans.Files
}
