package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// copyProject copies the bundled example (project file, schemas, plans)
// into a temporary directory.
func copyProject(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, from := range []string{"atlas.hcl", "schema", "plans"} {
		err := filepath.WalkDir(filepath.Join("../..", from), func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel("../..", path)
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(rel)), 0o755); err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runIn(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"--config", filepath.Join(dir, "atlas.hcl")}, args...))
	err := root.Execute()
	return out.String(), err
}

// Without plans/emcee.sum the applier and plan say the same thing, and it
// leads somewhere: plan writes a new sum over revisions it recomputes
// exactly, and names the ones it cannot vouch for.
func TestMissingSumLeadsToPlan(t *testing.T) {
	dir := copyProject(t)
	sum := filepath.Join(dir, "plans", "emcee.sum")
	committed, err := os.ReadFile(sum)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(sum); err != nil {
		t.Fatal(err)
	}
	// The applier refuses before connecting anywhere.
	_, err = runIn(t, dir, "db", "expand", "--url", "mysql://nobody@127.0.0.1:1/none")
	if err == nil || !strings.Contains(err.Error(), "emcee.sum is missing: restore it from version control, or run `emcee plan`: it writes a new sum only if every revision is exactly what the planner writes") {
		t.Fatalf("db expand without a sum: %v", err)
	}
	out, err := runIn(t, dir, "plan")
	if err != nil || !strings.Contains(out, "emcee.sum was missing or damaged; every revision is what `emcee plan` writes from its snapshot, so a new one is written: commit it") {
		t.Fatalf("plan without a sum: %v\n%s", err, out)
	}
	if got, err := os.ReadFile(sum); err != nil || !bytes.Equal(got, committed) {
		t.Fatalf("plan wrote a different sum (%v):\n%s", err, got)
	}

	// An edited revision under a lost sum: plan names it and writes nothing.
	dropGate(t, dir)
	if err := os.Remove(sum); err != nil {
		t.Fatal(err)
	}
	_, err = runIn(t, dir, "plan")
	if code(err) != codeError || !strings.Contains(err.Error(), "will not write a new sum over revisions it cannot vouch for") || !strings.Contains(err.Error(), "train_contract01.sql differs from what `emcee plan` writes") {
		t.Fatalf("plan over an edited revision without a sum: exit %d, %v", code(err), err)
	}
	if _, err := os.Stat(sum); !os.IsNotExist(err) {
		t.Fatal("plan wrote a sum over an edited revision")
	}
}

// plan --check recomputes every revision: a hand edit with a regenerated sum
// is refused.
func TestPlanCheckRefusesAnEditUnderARegeneratedSum(t *testing.T) {
	dir := copyProject(t)
	dropGate(t, dir)
	if err := os.Remove(filepath.Join(dir, "plans", "emcee.sum")); err != nil {
		t.Fatal(err)
	}
	// The hand that edits also regenerates the sum: the files as they are.
	if err := writeSumOverDisk(dir); err != nil {
		t.Fatal(err)
	}
	out, err := runIn(t, dir, "plan", "--check")
	if code(err) != codeFindings || !strings.Contains(err.Error(), "edited by hand") || !strings.Contains(out, "+-- emcee:gate") {
		t.Fatalf("plan --check over an edited revision: exit %d, %v\n%s", code(err), err, out)
	}
}

// dropGate edits train_contract01.sql by hand: its first gate becomes a
// plain statement, which contract would run without waiting for it.
func dropGate(t *testing.T, dir string) {
	t.Helper()
	script := filepath.Join(dir, "plans", "train", "train_contract01.sql")
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, bytes.Replace(data, []byte("-- emcee:gate\n"), nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeSumOverDisk(dir string) error {
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		return err
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		return err
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(p.PlansDir, revision.SumFile), sum, 0o644)
}
