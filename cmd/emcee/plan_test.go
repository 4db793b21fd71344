package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/planner"
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
	// The bundled example's pike is released at plan format 1, which this
	// emcee writes otherwise: without a sum nothing vouches for it, and
	// plan names its revisions.
	if err := os.Remove(filepath.Join(dir, "plans", "emcee.sum")); err != nil {
		t.Fatal(err)
	}
	if _, err := runIn(t, dir, "plan"); err == nil || !strings.Contains(err.Error(), "pike_expand01.sql differs from what `emcee plan` writes") {
		t.Fatalf("plan without a sum over pike of plan format 1: %v", err)
	}
	// Planned again in this format (the copy no longer counts it
	// released), every revision is what plan writes.
	cfg := filepath.Join(dir, "atlas.hcl")
	data, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, bytes.Replace(data, []byte(`released = ["ocata", "pike"]`), []byte(`released = ["ocata"]`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSumOverDisk(dir); err != nil {
		t.Fatal(err)
	}
	if out, err := runIn(t, dir, "plan", "--rewrite", "pike"); err != nil {
		t.Fatalf("plan --rewrite pike: %v\n%s", err, out)
	}
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

// After an emcee upgrade that writes a revision otherwise (its snapshot
// records the plan format of the emcee that planned it), plan --check
// passes a released release with a note naming that format, in text and
// in the document, and refuses an open one with --rewrite as the way out.
func TestPlanCheckAfterAnEmceeUpgrade(t *testing.T) {
	dir := copyProject(t)
	for _, rel := range []string{"pike", "stein"} {
		script := filepath.Join(dir, "plans", rel, rel+"_expand01.sql")
		data, err := os.ReadFile(script)
		if err != nil {
			t.Fatal(err)
		}
		// What an emcee of plan format 0 might have written.
		if err := os.WriteFile(script, bytes.Replace(data, []byte("\n-- rule "), []byte("\n-- rule (older wording) "), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		snap := filepath.Join(dir, "plans", rel, rel+".snapshot.hcl")
		data, err = os.ReadFile(snap)
		if err != nil {
			t.Fatal(err)
		}
		// stein records this emcee's plan format; pike, released, the
		// format 1 that created image_tags with its key in expand.
		line := regexp.MustCompile(`(?m)^# plan format: [0-9]+\n`)
		if !line.Match(data) {
			t.Fatalf("%s records no plan format", snap)
		}
		if err := os.WriteFile(snap, line.ReplaceAll(data, []byte("# plan format: 0\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := writeSumOverDisk(dir); err != nil {
		t.Fatal(err)
	}
	out, err := runIn(t, dir, "plan", "--check")
	if code(err) != codeFindings || !strings.Contains(err.Error(), "Release stein: 1 revision differs") || !strings.Contains(err.Error(), "`emcee plan --rewrite stein` plans stein again") ||
		!strings.Contains(out, "release pike: 2 revisions differ from what this emcee") || !strings.Contains(out, "+-- rule add-column") || strings.Contains(err.Error(), "pike") {
		t.Fatalf("plan --check with pike and stein of plan format 0: exit %d, %v\n%s", code(err), err, out)
	}
	// stein planned again as this emcee writes it: only pike's note is left.
	if out, err := runIn(t, dir, "plan", "--rewrite", "stein"); err != nil {
		t.Fatalf("plan --rewrite stein: %v\n%s", err, out)
	}
	out, err = runIn(t, dir, "plan", "--check")
	if err != nil || !strings.Contains(out, "plans/ is up to date") || !strings.Contains(out, "plans/pike/pike.snapshot.hcl:3 records plan format 0 (planned by an emcee from before plan formats were recorded). pike is released, so they stay as the databases ran them, verified by plans/emcee.sum") {
		t.Fatalf("plan --check with pike of plan format 0: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	c := execute(newRoot(), []string{"--config", filepath.Join(dir, "atlas.hcl"), "plan", "--check", "--format", "json"}, &stdout, &stderr)
	if doc := oneDocument(t, "json", stdout.String()); c != 0 || doc["up_to_date"] != true || !strings.Contains(fmt.Sprint(doc["notes"]), "release pike: 2 revisions differ") {
		t.Fatalf("plan --check --format json: exit %d\n%s\n%s", c, stdout.String(), stderr.String())
	}
}

// `emcee plan` recording the plan format in a snapshot written before
// formats were (no release changed) rewrote the snapshot and the sum, yet
// said on stdout "plans/ is up to date: no release changed" (the note to
// commit them went to stderr): stdout names the files it wrote, in text
// and in the document, and says nothing changed only when nothing did.
func TestPlanSaysWhichFilesItUpdatedWhenNoReleaseChanged(t *testing.T) {
	dir := copyProject(t)
	snap := filepath.Join(dir, "plans", "queens", "queens.snapshot.hcl")
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(fmt.Sprintf("# plan format: %d\n", planner.Format))
	if !bytes.Contains(data, line) {
		t.Fatalf("%s records no plan format %d", snap, planner.Format)
	}
	if err := os.WriteFile(snap, bytes.Replace(data, line, nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSumOverDisk(dir); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	c := execute(newRoot(), []string{"--config", filepath.Join(dir, "atlas.hcl"), "plan", "--format", "json"}, &stdout, &stderr)
	doc := oneDocument(t, "json", stdout.String())
	if updated := fmt.Sprint(doc["updated"]); c != 0 || !strings.Contains(updated, "plans/queens/queens.snapshot.hcl") || !strings.Contains(updated, "plans/emcee.sum") || fmt.Sprint(doc["wrote"]) != "[]" {
		t.Fatalf("plan --format json recording the format: exit %d\n%s\n%s", c, stdout.String(), stderr.String())
	}
	if b, err := os.ReadFile(snap); err != nil || !bytes.Contains(b, line) {
		t.Fatalf("the snapshot does not record the format: %v", err)
	}
	// Text: the same run again, over the snapshot as it was.
	if err := os.WriteFile(snap, bytes.Replace(data, line, nil, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeSumOverDisk(dir); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	c = execute(newRoot(), []string{"--config", filepath.Join(dir, "atlas.hcl"), "plan"}, &stdout, &stderr)
	if c != 0 || strings.Contains(stdout.String(), "up to date") || !regexp.MustCompile(`(?m)^updated \S*plans/queens/queens\.snapshot\.hcl$`).MatchString(stdout.String()) || !regexp.MustCompile(`(?m)^updated \S*plans/emcee\.sum$`).MatchString(stdout.String()) {
		t.Fatalf("plan recording the format: exit %d\nstdout:\n%s\nstderr:\n%s", c, stdout.String(), stderr.String())
	}
	stdout.Reset()
	if c = execute(newRoot(), []string{"--config", filepath.Join(dir, "atlas.hcl"), "plan"}, &stdout, &stderr); c != 0 || stdout.String() != "plans/ is up to date: no release changed\n" {
		t.Fatalf("plan with nothing to write: exit %d\n%s", c, stdout.String())
	}
}
