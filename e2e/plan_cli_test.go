package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// `emcee plan --check`, as CI runs it: it passes on the committed example,
// and fails with a diff naming the new revision once a schema file changes.
// Needs no database.
func TestPlanCheckCLI(t *testing.T) {
	t.Parallel()
	dir := copyExample(t, "")
	plan := func(args ...string) opResult {
		cmd := exec.Command(opBinary(t), append([]string{"plan"}, args...)...)
		cmd.Dir = dir
		return opRunCmd(t, cmd)
	}
	if r := plan("--check"); r.Code != 0 || !strings.Contains(r.Stdout, "plans/ is up to date") {
		t.Fatalf("plan --check on the committed example:\n%s", r)
	}
	ussuri := filepath.Join(dir, "schema", "ussuri.hcl")
	src, err := os.ReadFile(ussuri)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "  column \"checksum\" {", "  column \"region\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"checksum\" {", 1)
	if edited == string(src) {
		t.Fatal("fixture anchor not found in schema/ussuri.hcl")
	}
	opWrite(t, ussuri, []byte(edited))
	r := plan("--check")
	if r.Code != 6 || !strings.Contains(r.Stdout, "+++ plans/ussuri/ussuri_expand02.sql (emcee plan)") || !strings.Contains(r.Stdout, "ADD COLUMN `region`") || !strings.Contains(r.Stderr, "plans/ is stale") {
		t.Fatalf("plan --check after an edit must fail with the diff:\n%s", r)
	}
	if r := plan(); r.Code != 0 || !strings.Contains(r.Stdout, "wrote plans/ussuri/ussuri_expand02.sql") {
		t.Fatalf("plan after an edit:\n%s", r)
	}
	if r := plan("--check"); r.Code != 0 {
		t.Fatalf("plan --check after plan:\n%s", r)
	}
	// A released release is frozen.
	pike := filepath.Join(dir, "schema", "pike.hcl")
	src, _ = os.ReadFile(pike)
	opWrite(t, pike, []byte(strings.Replace(string(src), "varchar(255)", "varchar(300)", 1)))
	if r := plan(); r.Code != 1 || !strings.Contains(r.Stderr, "release pike is marked as released") {
		t.Fatalf("editing a released release:\n%s", r)
	}
}
