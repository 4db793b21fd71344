package review

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Revisions this emcee cannot recompute (their planning step's snapshot
// gone) are listed at the top of the review, as the ones it writes
// otherwise are: only the sum vouches for them.
func TestReviewShowsRevisionsItCannotRecompute(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"schema", "plans"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join("..", sub))); err != nil {
			t.Fatal(err)
		}
	}
	if data, err := os.ReadFile("../atlas.hcl"); err != nil || os.WriteFile(filepath.Join(dir, "atlas.hcl"), data, 0o644) != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	ussuri, err := os.ReadFile("schema/ussuri.hcl")
	if err != nil || !bytes.Contains(ussuri, []byte("    type = varchar(60)\n")) {
		t.Fatalf("schema/ussuri.hcl: %v", err)
	}
	if err := os.WriteFile("schema/ussuri.hcl", bytes.Replace(ussuri, []byte("    type = varchar(60)\n"), []byte("    type = varchar(62)\n"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load("atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join("plans", revision.StepSnapshotFile("ussuri", 1))); err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Build(p, plans, []string{"ussuri"})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	WriteText(&b, rep)
	if !strings.Contains(b.String(), "Revisions this emcee writes otherwise") || !strings.Contains(b.String(), "plan --check cannot recompute ") || !strings.Contains(b.String(), "plans/ussuri/ussuri.snapshot01.hcl is missing") {
		t.Errorf("the review does not say what it cannot recompute:\n%s", b.String())
	}
}
