package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// The operator fixture, e2e/testdata/operator/project, is a two-release
// project planned by `emcee plan` from its schema files (TestFixturesPlanned
// keeps the plans current): ocata creates images and image_properties;
// pike replaces images.is_public with images.visibility (new column and
// sync triggers in expand, batched backfill in migrate, gated contract
// dropping the old column) and creates image_members. docs/operators.md
// runs it.
const opFixture = "testdata/operator/project"

// The sync triggers pike_expand01 creates (rule replace-column names them).
const (
	opTriggerBI = "emcee_images_pike_23af2a_bi"
	opTriggerBU = "emcee_images_pike_23af2a_bu"
	opTriggers  = opTriggerBI + "\n" + opTriggerBU
)

// opStatements reads the statements of one revision of the fixture.
func opStatements(t *testing.T, id string) []revision.Statement {
	t.Helper()
	rid, err := revision.ParseID(id)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(opFixture, "plans", rid.File()))
	if err != nil {
		t.Fatal(err)
	}
	stmts, err := revision.Parse(rid.File(), data)
	if err != nil {
		t.Fatal(err)
	}
	return stmts
}

// opProject is a fixture project on its own test database.
type opProject struct {
	t   *testing.T
	Dir string
	DB  *testdb.DB
	// env are further environment variables of its emcee runs (a
	// parallel test cannot t.Setenv).
	env []string
}

// opOption changes a revision of the fixture's plans, as a hand would.
type opOption func(map[revision.ID][]revision.Statement)

// holdImages holds a metadata lock on images from a transaction of the
// test's own (a read of the table), until release: pike_expand01's second
// statement (ALTER TABLE images, after CREATE TABLE image_members) then
// waits on the server, so a test can stop or race a run while the server
// executes a statement of the plans, none added for the test (the applier
// refuses a revision holding a statement emcee does not write). The run
// is given a lock_wait_timeout (heldURL) longer than any test.
func (p *opProject) holdImages() (release func()) {
	_, release = p.lockRows("SELECT COUNT(*) FROM images")
	return release
}

// heldURL is the fixture's database for a run that waits on holdImages'
// lock as long as the test holds it.
func (p *opProject) heldURL() string { return p.DB.URL + "?lock_wait_timeout=3600" }

// waitingAlter is the connection id of the run whose ALTER TABLE images
// waits on holdImages' lock; "" while there is none.
func (p *opProject) waitingAlter() string {
	return p.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'ALTER TABLE `images` ADD COLUMN `visibility`%'", p.DB.Name)
}

// opPlans is the fixture's plans directory (every revision script, the
// snapshots and the sum file, keyed by path inside plans/), with the
// options' edits: an edited revision is written again and the sum
// recomputed, as a hand would.
func opPlans(t *testing.T, opts ...opOption) map[string][]byte {
	t.Helper()
	releases := []string{"ocata", "pike"}
	plans, err := revision.ReadPlans(filepath.Join(opFixture, "plans"), releases)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for p, data := range plans.Files {
		files[p] = data
	}
	if len(opts) == 0 {
		files[revision.SumFile], err = os.ReadFile(filepath.Join(opFixture, "plans", revision.SumFile))
		if err != nil {
			t.Fatal(err)
		}
		return files
	}
	revs := map[revision.ID][]revision.Statement{}
	for _, r := range append(plans.Revisions, plans.Rollbacks...) {
		revs[r.ID] = r.Statements
	}
	for _, o := range opts {
		o(revs)
	}
	for _, r := range append(plans.Revisions, plans.Rollbacks...) {
		if _, ok := revs[r.ID]; !ok {
			delete(files, r.ID.File()) // an option removed it
		}
	}
	for id, stmts := range revs {
		from, to := "an empty database", id.Release
		if id.Release == "pike" {
			from = "ocata"
		}
		if id.Phase == revision.Rollback {
			from, to = to, from
		}
		files[id.File()] = (&revision.Script{ID: id, From: from, To: to, Statements: stmts}).Render()
	}
	// An option may add a revision (a rollback written by hand).
	order := make([]string, 0, len(files))
	for p := range files {
		order = append(order, p)
	}
	sum, err := revision.Sum(revision.SumOrder(releases, order), files)
	if err != nil {
		t.Fatal(err)
	}
	files[revision.SumFile] = sum
	return files
}

const opSettings = `emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
}
`

func newOpProject(t *testing.T, opts ...opOption) *opProject {
	t.Helper()
	return newOpProjectOn(t, testdb.New(t), opts...)
}

// newOpProjectOn is newOpProject on a database of another server (a
// private one: testserver).
func newOpProjectOn(t *testing.T, db *testdb.DB, opts ...opOption) *opProject {
	t.Helper()
	dir := t.TempDir()
	for p, data := range opPlans(t, opts...) {
		opWrite(t, filepath.Join(dir, "plans", p), data)
	}
	copyTree(t, filepath.Join(opFixture, "schema"), filepath.Join(dir, "schema"))
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\n%s", db.URL, opSettings)))
	return &opProject{t: t, Dir: dir, DB: db}
}

func opWrite(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

var (
	opBinOnce sync.Once
	opBinPath string
	opBinErr  error
)

// opBinary builds emcee once for all operator tests: the tests run the
// real command, and the kill tests need a process to kill.
func opBinary(t testing.TB) string {
	t.Helper()
	opBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "emcee-e2e-")
		if err != nil {
			opBinErr = err
			return
		}
		opBinPath = filepath.Join(dir, "emcee")
		_, file, _, _ := runtime.Caller(0)
		cmd := exec.Command("go", "build", "-ldflags", "-X main.version=e2e", "-o", opBinPath, "./cmd/emcee")
		cmd.Dir = filepath.Join(filepath.Dir(file), "..")
		if out, err := cmd.CombinedOutput(); err != nil {
			opBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if opBinErr != nil {
		t.Fatal(opBinErr)
	}
	return opBinPath
}

// opResult is one finished emcee run.
type opResult struct {
	Stdout, Stderr string
	Code           int
}

func (r opResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.Code, r.Stdout, r.Stderr)
}

// command prepares an emcee run against the fixture's database.
func (p *opProject) command(args ...string) *exec.Cmd {
	cmd := exec.Command(opBinary(p.t), append(args, "--env", "test")...)
	cmd.Dir = p.Dir
	cmd.Env = append(append(os.Environ(), "EMCEE_URL="), p.env...)
	return cmd
}

// run runs emcee and returns its output and exit code.
func (p *opProject) run(args ...string) opResult {
	p.t.Helper()
	return opRunCmd(p.t, p.command(args...))
}

func opRunCmd(t *testing.T, cmd *exec.Cmd) opResult {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	code := exitCode(t, cmd.Run())
	return opResult{Stdout: out.String(), Stderr: errb.String(), Code: code}
}

// exitCode is the exit code of a finished emcee run.
func exitCode(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// must runs emcee and fails the test unless it exits 0.
func (p *opProject) must(args ...string) opResult {
	p.t.Helper()
	r := p.run(args...)
	if r.Code != 0 {
		p.t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// version is what `emcee db version` prints.
func (p *opProject) version() string {
	p.t.Helper()
	return strings.TrimSpace(p.must("db", "version").Stdout)
}

func (p *opProject) query(q string, args ...any) string {
	p.t.Helper()
	rows, err := p.DB.Query(q, args...)
	if err != nil {
		p.t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var lines []string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			p.t.Fatal(err)
		}
		var f []string
		for _, v := range vals {
			if v.Valid {
				f = append(f, v.String)
			} else {
				f = append(f, "NULL")
			}
		}
		lines = append(lines, strings.Join(f, " "))
	}
	if err := rows.Err(); err != nil {
		p.t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}

func (p *opProject) exec(q string, args ...any) {
	p.t.Helper()
	if _, err := p.DB.Exec(q, args...); err != nil {
		p.t.Fatalf("%s: %v", q, err)
	}
}

// columns lists a table's columns as "name type nullable default".
func (p *opProject) columns(table string) string {
	return p.query("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, '-') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", table)
}

func (p *opProject) triggers() string {
	return p.query("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME")
}

// insertOcataRows writes n images the way ocata code does (is_public
// only); every third one is public.
func (p *opProject) insertOcataRows(n int) {
	p.t.Helper()
	var b strings.Builder
	b.WriteString("INSERT INTO images (name, is_public) VALUES ")
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "('img-%d', %v)", i, i%3 == 0)
	}
	p.exec(b.String())
}

// waitFor polls the database until cond holds; the deadline only guards
// against a hung test, it is not what the test asserts.
func (p *opProject) waitFor(what string, cond func() bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			p.t.Fatalf("timed out waiting for %s", what)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func opContains(t *testing.T, r opResult, want ...string) {
	t.Helper()
	all := r.Stdout + r.Stderr
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("output does not contain %q:\n%s", w, r)
		}
	}
}
