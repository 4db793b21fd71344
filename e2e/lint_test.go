package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// runLint runs `emcee lint` in dir with no $EMCEE_URL, so that only the
// flags say which database to use.
func runLint(t *testing.T, dir string, args ...string) opResult {
	t.Helper()
	cmd := exec.Command(opBinary(t), append([]string{"lint"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "EMCEE_URL=")
	return opRunCmd(t, cmd)
}

// The bundled example, as committed, passes `emcee lint` with every check:
// its plans replayed in MariaDB as the dev database. Its two contract drops
// are notes, never failures, and so are pike's two revisions of plan
// format 1 (released: image_tags's key in expand, which this emcee writes
// in contract).
func TestLintBundledExample(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := copyExample(t, "")

	r := runLint(t, dir, "--dev-url", db.URL)
	if r.Code != 0 {
		t.Fatalf("emcee lint on the bundled example:\n%s", r)
	}
	notes := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	want := []string{
		`plans/pike/pike_contract01.sql:3: EM106 note: differs from what ` + "`emcee plan`" + ` writes from plans/pike/pike.snapshot.hcl`,
		`plans/pike/pike_expand01.sql:4: EM106 note: differs from what ` + "`emcee plan`" + ` writes from plans/pike/pike.snapshot.hcl`,
		`plans/rocky/rocky_contract01.sql:8: EM108 note: data at risk: Dropping table "image_properties"`,
		`plans/train/train_contract01.sql:19: EM108 note: data at risk: Dropping non-virtual column "is_public"`,
	}
	if len(notes) != len(want) {
		t.Fatalf("want exactly the notes of pike's revisions and of the contract drops:\n%s", r)
	}
	for i, w := range want {
		if !strings.HasPrefix(notes[i], w) {
			t.Errorf("note %d:\n got %s\nwant %s...", i, notes[i], w)
		}
	}
	var tables int
	if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the dev database must be left empty: %d tables (%v)", tables, err)
	}

	// Offline, the text checks pass, and lint names what it skipped.
	r = runLint(t, dir, "--offline")
	if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); r.Code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], want[0]) || !strings.HasPrefix(lines[1], want[1]) || !strings.Contains(r.Stderr, "EM109: all of it") {
		t.Errorf("emcee lint --offline:\n%s", r)
	}
	// Without a database and without --offline, lint fails loudly.
	r = runLint(t, dir)
	if r.Code != 1 || !strings.Contains(r.Stderr, "NO DEV DATABASE") || !strings.Contains(r.Stderr, "--offline") {
		t.Errorf("emcee lint without a database must fail and say why:\n%s", r)
	}
}

// e2e/testdata/lint holds one hand-made forbidden pattern per code (its
// README.md lists them): lint reports each at its position and exits 6.
func TestLintFixtureFindsEveryCode(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	dir := filepath.Join("testdata", "lint")

	r := runLint(t, dir, "--dev-url", db.URL, "--format", "json")
	if r.Code != 6 {
		t.Fatalf("emcee lint on the fixture must exit 6:\n%s", r)
	}
	var doc struct {
		Findings []struct {
			Code, Severity, File, Message, Fix string
			Line, Column                       int
		}
		Error    string
		ExitCode int `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		t.Fatalf("--format json: %v\n%s", err, r)
	}
	if doc.ExitCode != 6 || doc.Error != "lint: 11 finding(s) must be fixed before release" {
		t.Errorf("--format json: the document lacks the error or the exit code:\n%s", r)
	}
	var got []string
	for _, f := range doc.Findings {
		pos := fmt.Sprintf("%s:%d", f.File, f.Line)
		if f.Column > 0 {
			pos += fmt.Sprintf(":%d", f.Column)
		}
		got = append(got, f.Code+" "+f.Severity+" "+pos)
		if f.Message == "" || f.Fix == "" {
			t.Errorf("%s at %s has no message or no fix", f.Code, pos)
		}
	}
	want := []string{
		"EM101 error plans/pike/pike_expand02.sql:5",
		"EM102 error plans/pike/pike_expand02.sql:8",
		"EM103 error plans/pike/pike_expand02.sql:11",
		"EM104 error schema/queens.hcl:14:5",
		"EM105 error schema/pike.hcl:23:3",
		"EM106 error plans/ocata/ocata_expand01.sql:4",
		"EM107 error plans/pike/pike_contract02.sql:9",
		"EM108 note plans/queens/queens_contract01.sql:15",
		"EM109 error plans/pike/pike_contract02.sql:5",
		"EM110 error plans/pike/pike_expand02.sql:16:33",
		"EM111 error plans/pike/pike_expand02.sql:20",
		"EM112 error plans/pike/pike_rollback02.sql:1",
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}

	// The text format: one finding a line, position first, then the fix.
	r = runLint(t, dir, "--dev-url", db.URL)
	const line = "plans/pike/pike_expand02.sql:5: EM101 error: drop of index images.ix_owner in pike_expand02: "
	if r.Code != 6 || !strings.Contains(r.Stdout, "\n"+line) || !strings.Contains(r.Stderr, "lint: 11 finding(s) must be fixed") {
		t.Errorf("text output:\n%s", r)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Stdout), "\n") {
		if !strings.Contains(l, "; fix: ") {
			t.Errorf("a finding without its fix: %s", l)
		}
	}
}
