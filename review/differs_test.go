package review

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// A revision of a released release edited behind a lowered plan format
// (its snapshot's `# plan format:` line set to 0, the sum recomputed)
// passes plan --check with a note, and review, where a release manager
// reads the release, listed its statement among the others as if emcee
// had written it: the review now says, at the top, which revisions this
// emcee writes otherwise and every statement of them that differs.
func TestReviewShowsRevisionsThisEmceeWritesOtherwise(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"schema", "plans"} {
		if err := os.CopyFS(filepath.Join(dir, sub), os.DirFS(filepath.Join("..", sub))); err != nil {
			t.Fatal(err)
		}
	}
	if data, err := os.ReadFile("../atlas.hcl"); err != nil || os.WriteFile(filepath.Join(dir, "atlas.hcl"), data, 0o644) != nil {
		t.Fatal(err)
	}
	edit := func(path, old, new string) {
		t.Helper()
		path = filepath.Join(dir, path)
		data, err := os.ReadFile(path)
		if err != nil || bytes.Count(data, []byte(old)) != 1 {
			t.Fatalf("%s: %q is not there once (%v)", path, old, err)
		}
		if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("plans/pike/pike.snapshot.hcl", "# plan format: 1\n", "# plan format: 0\n")
	edit("plans/pike/pike_expand01.sql", "-- rule add-column: ", "-- rule add-column (worded otherwise): ")
	edit("plans/pike/pike_expand01.sql", "`owner` varchar(255) NULL, ALGORITHM=INSTANT;\n", "`owner` varchar(255) NULL, ALGORITHM=INSTANT;\nGRANT ALL ON *.* TO `evil`@`%`;\n")
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	rep, err := Build(p, plans, []string{"ocata", "pike"})
	if err != nil {
		t.Fatal(err)
	}
	if d := rep.Releases[0].Differs; len(d) != 0 {
		t.Errorf("ocata differs: %+v", d)
	}
	var b bytes.Buffer
	WriteText(&b, rep)
	out := b.String()
	for _, want := range []string{
		"Release pike (from ocata), planned for mariadb 10.11\n\nRevisions this emcee writes otherwise (another emcee's output or an edit, said where emcee can tell; read every statement listed",
		// A GRANT is no emcee's output, whatever format the snapshot
		// records: the review called it "an edit or another emcee's
		// output: emcee cannot tell", though plan --check and the
		// applier refuse it.
		"  plans/pike/pike_expand01.sql (plans/pike/pike.snapshot.hcl:3 records plan format 0 (planned by an emcee from before plan formats were recorded); this emcee writes plan format " + strconv.Itoa(planner.Format) + ": edited by hand (`emcee plan --check` refuses it); restore it from version control)\n",
		"      line 9 \"GRANT ALL ON *.* TO `evil`@`%`\": no emcee writes it, and the applier refuses the revision\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the review lacks %q:\n%s", want, out)
		}
	}
	b.Reset()
	WriteMarkdown(&b, rep)
	if !strings.Contains(b.String(), "### Revisions this emcee writes otherwise") || !strings.Contains(b.String(), "GRANT ALL ON \\*.\\* TO \\`evil\\`@\\`%\\`") {
		t.Errorf("the markdown review lacks the differing statement:\n%s", b.String())
	}
}
