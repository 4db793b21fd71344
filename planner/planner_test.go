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

const projectFile = `
emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
  %s
}
`

const ocata = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(100)
  }
  primary_key {
    columns = [column.id]
  }
}
`

func pikeWith(extra string) string {
	return strings.Replace(ocata, `  primary_key {`, extra+"  primary_key {", 1)
}

// newProject writes a two-release project into a temp dir.
func newProject(t *testing.T, released string) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "atlas.hcl", strings.Replace(projectFile, "%s", released, 1))
	write(t, dir, "schema/ocata.hcl", ocata)
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n"))
	return dir
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func plan(t *testing.T, dir string, opts Options) *Output {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Plan(p, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	return out
}

func planErr(t *testing.T, dir string, opts Options) error {
	t.Helper()
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Plan(p, opts)
	return err
}

func TestEveryReleaseGetsThreePhasesAndRerunChangesNothing(t *testing.T) {
	dir := newProject(t, "")
	out := plan(t, dir, Options{})
	var names []string
	for _, id := range out.New {
		names = append(names, id.String())
	}
	want := "ocata_expand01 ocata_migrate01 ocata_contract01 ocata_rollback01 pike_expand01 pike_migrate01 pike_contract01 pike_rollback01"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("new revisions: %s, want %s", got, want)
	}
	if got := string(read(t, dir, "plans/pike/pike_expand01.sql")); !strings.Contains(got, "ADD COLUMN `owner` varchar(50) NULL, ALGORITHM=INSTANT;") || !strings.Contains(got, "-- rule add-column: ") {
		t.Fatalf("pike_expand01 lacks the owner column with its rule:\n%s", got)
	}
	if got := string(read(t, dir, "plans/pike/pike_migrate01.sql")); !strings.Contains(got, "No migrate step is needed") {
		t.Fatalf("empty phase should still be a revision:\n%s", got)
	}
	sum := read(t, dir, "plans/emcee.sum")
	again := plan(t, dir, Options{})
	if len(again.New) != 0 || len(again.Stale) != 0 {
		t.Fatalf("rerun planned %v and removed %v; want nothing", again.New, again.Stale)
	}
	if d, err := again.Diff(); err != nil || d != "" {
		t.Fatalf("rerun differs from disk (%v):\n%s", err, d)
	}
	if !bytes.Equal(sum, read(t, dir, "plans/emcee.sum")) {
		t.Fatal("sum file changed on rerun")
	}
}

func TestSameInputsGiveByteIdenticalOutputs(t *testing.T) {
	a, b := newProject(t, ""), newProject(t, "")
	oa, ob := plan(t, a, Options{}), plan(t, b, Options{})
	if len(oa.Files) != len(ob.Files) {
		t.Fatalf("%d files vs %d", len(oa.Files), len(ob.Files))
	}
	for path, data := range oa.Files {
		if !bytes.Equal(data, ob.Files[path]) {
			t.Errorf("%s differs between two runs", path)
		}
	}
}

func TestEditingAPlannedReleaseAppendsRevisions(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	before := map[string][]byte{}
	for _, f := range []string{"pike_expand01.sql", "pike_migrate01.sql", "pike_contract01.sql"} {
		before[f] = read(t, dir, "plans/pike/"+f)
	}
	// Widen name and drop owner: expand02 holds the widening, contract02 the drop.
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	p, _ := project.Load(filepath.Join(dir, "atlas.hcl"))
	stale, err := Plan(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := stale.Diff(); !strings.Contains(d, "pike_expand02.sql") {
		t.Fatalf("--check diff should name the new revision:\n%s", d)
	}
	out := plan(t, dir, Options{})
	if len(out.New) != 4 || out.New[0].String() != "pike_expand02" || out.New[3].String() != "pike_rollback02" {
		t.Fatalf("new revisions %v, want pike_expand02, pike_migrate02, pike_contract02, pike_rollback02", out.New)
	}
	for f, data := range before {
		if !bytes.Equal(data, read(t, dir, "plans/pike/"+f)) {
			t.Errorf("%s was rewritten; existing revisions must stay untouched", f)
		}
	}
	e2 := string(read(t, dir, "plans/pike/pike_expand02.sql"))
	c2 := string(read(t, dir, "plans/pike/pike_contract02.sql"))
	if !strings.Contains(e2, "MODIFY COLUMN `name` varchar(200)") || strings.Contains(e2, "owner` varchar(50) NULL, ALGORITHM") {
		t.Errorf("expand02 should hold only the delta:\n%s", e2)
	}
	if !strings.Contains(c2, "DROP COLUMN `owner`") {
		t.Errorf("contract02 should drop owner:\n%s", c2)
	}
}

func TestReleasedReleasesAreFrozen(t *testing.T) {
	dir := newProject(t, `released = ["ocata", "pike"]`)
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	err := planErr(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "release pike is marked as released") || !strings.Contains(err.Error(), "schema/pike.hcl") {
		t.Fatalf("editing a released release: got %v", err)
	}
	err = planErr(t, dir, Options{Rewrite: []string{"pike"}})
	if err == nil || !strings.Contains(err.Error(), "--rewrite pike refused") {
		t.Fatalf("rewriting a released release: got %v", err)
	}
}

func TestRewriteReplansFromScratch(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	plan(t, dir, Options{})
	out := plan(t, dir, Options{Rewrite: []string{"pike"}})
	if want := "pike/pike.snapshot01.hcl pike/pike_contract02.sql pike/pike_expand02.sql pike/pike_migrate02.sql pike/pike_rollback02.sql"; strings.Join(out.Stale, " ") != want {
		t.Fatalf("rewrite should remove the 02 revisions and the snapshot of step 01, removed %v", out.Stale)
	}
	if _, err := os.Stat(filepath.Join(dir, "plans/pike/pike_expand02.sql")); !os.IsNotExist(err) {
		t.Fatal("pike_expand02.sql still exists after --rewrite pike")
	}
	if got := string(read(t, dir, "plans/pike/pike_expand01.sql")); !strings.Contains(got, "varchar(200)") || strings.Contains(got, "owner") {
		t.Fatalf("rewritten pike_expand01 should go straight from ocata to the new pike:\n%s", got)
	}
}

func TestHandEditedPlanIsRefused(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	path := filepath.Join(dir, "plans/pike/pike_expand01.sql")
	data := read(t, dir, "plans/pike/pike_expand01.sql")
	if err := os.WriteFile(path, append(data, []byte("DROP TABLE images;\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	err := planErr(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "pike/pike_expand01.sql: checksum mismatch") {
		t.Fatalf("got %v", err)
	}
}

func TestChangedBaseIsRefused(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	// ocata changes after pike was planned on top of it.
	write(t, dir, "schema/ocata.hcl", pikeWith("  index \"ix_name\" {\n    columns = [column.name]\n  }\n"))
	err := planErr(t, dir, Options{})
	if err == nil || !strings.Contains(err.Error(), "release pike was planned on top of ocata") || !strings.Contains(err.Error(), "--rewrite pike") ||
		!strings.Contains(err.Error(), "plans/pike/pike_contract01.sql line 3 would be") {
		t.Fatalf("got %v", err)
	}
}

// A declaration that only the earlier release's own revisions read (its
// data migration runs in its migrate, gates its contract) leaves the later
// release's revisions as they are: it is re-based, not refused.
func TestBaseChangeLaterRevisionsIgnoreIsAccepted(t *testing.T) {
	dir := newProject(t, "")
	plan(t, dir, Options{})
	// pike planned in two steps: both are recomputed on top of the new ocata.
	write(t, dir, "schema/pike.hcl", strings.Replace(ocata, "varchar(100)", "varchar(200)", 1))
	plan(t, dir, Options{})
	pike := map[string][]byte{}
	for _, f := range []string{"pike_expand01.sql", "pike_migrate01.sql", "pike_contract01.sql", "pike_rollback01.sql", "pike_expand02.sql", "pike_contract02.sql", "pike_rollback02.sql"} {
		pike[f] = read(t, dir, "plans/pike/"+f)
	}
	write(t, dir, "schema/ocata.hcl", ocata+"data_migration \"m1\" {\n  table   = \"images\"\n  set     = \"name = TRIM(name)\"\n  pending = \"name <> TRIM(name)\"\n}\n")
	out := plan(t, dir, Options{})
	if got := fmt.Sprint(out.New); got != "[ocata_expand02 ocata_migrate02 ocata_contract02 ocata_rollback02]" {
		t.Fatalf("new revisions %s, want ocata's step 02 only", got)
	}
	for f, data := range pike {
		if !bytes.Equal(data, read(t, dir, "plans/pike/"+f)) {
			t.Errorf("%s was rewritten", f)
		}
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := revision.ReadFiles(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	if edits, untold, err := Compare(p, files.Files); err != nil || len(edits)+len(untold) > 0 {
		t.Fatalf("re-based pike is not recomputable from its snapshots: %v %v %v", edits, untold, err)
	}
	if again := plan(t, dir, Options{}); len(again.New)+len(again.Stale) != 0 {
		t.Fatalf("rerun changed %v %v; want nothing", again.New, again.Stale)
	}
}

// The bundled example's committed plans must be what `emcee plan` writes.
func TestBundledExamplePlansAreCurrent(t *testing.T) {
	p, err := project.Load("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	out, err := Plan(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := out.Diff()
	if err != nil {
		t.Fatal(err)
	}
	if d != "" || len(out.New) > 0 {
		t.Fatalf("plans/ is stale; run `go run ./cmd/emcee plan` and commit:\n%s", d)
	}
}
