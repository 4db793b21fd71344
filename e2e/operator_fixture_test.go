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

// The operator fixture is a two-release project in the shape the planner
// writes: ocata creates images and image_properties; pike replaces
// images.is_public with images.visibility (new column and sync triggers in
// expand, batched backfill in migrate, gated contract dropping the old
// column) and creates image_members.

const opVisibility = "enum('private','public','shared','community')"

var opOcataExpand = []revision.Statement{
	{Rule: "create-table", Why: "table images is new: no code of the previous release reads or writes it",
		SQL: "CREATE TABLE `images` (`id` bigint NOT NULL AUTO_INCREMENT, `name` varchar(100) NOT NULL, `is_public` bool NOT NULL DEFAULT false, `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (`id`), INDEX `ix_images_name` (`name`))"},
	{Rule: "create-table", Why: "table image_properties is new: no code of the previous release reads or writes it",
		SQL: "CREATE TABLE `image_properties` (`id` bigint NOT NULL AUTO_INCREMENT, `image_id` bigint NOT NULL, `name` varchar(255) NOT NULL, `value` text NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_image_properties_image` FOREIGN KEY (`image_id`) REFERENCES `images` (`id`))"},
}

var opPikeExpand = []revision.Statement{
	{Rule: "create-table", Why: "table image_members is new: no code of the previous release reads or writes it",
		SQL: "CREATE TABLE `image_members` (`id` bigint NOT NULL AUTO_INCREMENT, `image_id` bigint NOT NULL, `member` varchar(255) NOT NULL, PRIMARY KEY (`id`), INDEX `ix_image_members_image` (`image_id`))"},
	{Rule: "replace-column", Why: "images.visibility replaces is_public: added NULL so that NULL means not written yet; instant",
		SQL: "ALTER TABLE `images` ADD COLUMN `visibility` " + opVisibility + " NULL, ALGORITHM=INSTANT"},
	{Rule: "replace-column", Why: "images.is_public becomes NULL so that pike code, which no longer writes it, can insert",
		SQL: "ALTER TABLE `images` MODIFY COLUMN `is_public` bool NULL DEFAULT NULL"},
	{Rule: "replace-column", Why: "sync trigger: an insert by either release fills the column the other release reads",
		SQL: "CREATE TRIGGER `images_visibility_bi` BEFORE INSERT ON `images` FOR EACH ROW BEGIN\n" +
			"  IF NEW.`visibility` IS NULL THEN SET NEW.`visibility` = CASE WHEN NEW.`is_public` THEN 'public' ELSE 'shared' END; END IF;\n" +
			"  IF NEW.`is_public` IS NULL THEN SET NEW.`is_public` = (NEW.`visibility` = 'public'); END IF;\n" +
			"END"},
	{Rule: "replace-column", Why: "sync trigger: an update by either release is copied to the column the other release reads",
		SQL: "CREATE TRIGGER `images_visibility_bu` BEFORE UPDATE ON `images` FOR EACH ROW BEGIN\n" +
			"  IF NOT (NEW.`is_public` <=> OLD.`is_public`) AND (NEW.`visibility` <=> OLD.`visibility`) THEN\n" +
			"    SET NEW.`visibility` = CASE WHEN NEW.`is_public` THEN 'public' ELSE 'shared' END;\n" +
			"  ELSEIF NOT (NEW.`visibility` <=> OLD.`visibility`) AND (NEW.`is_public` <=> OLD.`is_public`) THEN\n" +
			"    SET NEW.`is_public` = (NEW.`visibility` = 'public');\n" +
			"  END IF;\n" +
			"END"},
}

var opPikeMigrate = []revision.Statement{
	{Rule: "replace-column", Why: "fill images.visibility from is_public for rows written before the triggers",
		Kind: revision.Backfill, Table: "images", Key: "id",
		SQL: "UPDATE `images` SET `visibility` = CASE WHEN `is_public` THEN 'public' ELSE 'shared' END WHERE `visibility` IS NULL"},
}

var opPikeContract = []revision.Statement{
	{Rule: "replace-column", Why: "every row must have visibility before it becomes NOT NULL and is_public is dropped",
		Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE `visibility` IS NULL"},
	{Rule: "replace-column", Why: "the sync triggers read is_public: dropped before it",
		SQL: "DROP TRIGGER `images_visibility_bi`"},
	{Rule: "replace-column", Why: "the sync triggers read is_public: dropped before it",
		SQL: "DROP TRIGGER `images_visibility_bu`"},
	{Rule: "replace-column", Why: "tighten: no code writes NULL any more",
		SQL: "ALTER TABLE `images` MODIFY COLUMN `visibility` " + opVisibility + " NOT NULL DEFAULT 'shared'"},
	{Rule: "replace-column", Why: "no ocata code is left to read is_public",
		SQL: "ALTER TABLE `images` DROP COLUMN `is_public`"},
}

// opProject is a fixture project on its own test database.
type opProject struct {
	t   *testing.T
	Dir string
	DB  *testdb.DB
}

type opOption func(map[revision.ID][]revision.Statement)

// opSleepInExpand makes pike_expand01 pause (a statement that takes time on
// the server) just before the triggers, so a test can stop the run there.
func opSleepInExpand(secs int) opOption {
	return func(m map[revision.ID][]revision.Statement) {
		id := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
		s := append([]revision.Statement{}, m[id][:3]...)
		s = append(s, revision.Statement{Rule: "test-pause", Why: "stands for a long ALTER", SQL: fmt.Sprintf("DO SLEEP(%d)", secs)})
		m[id] = append(s, m[id][3:]...)
	}
}

// opPlans renders the fixture's plans directory: every revision script,
// the two snapshots and the sum file, keyed by path inside plans/.
func opPlans(t *testing.T, opts ...opOption) map[string][]byte {
	t.Helper()
	revs := map[revision.ID][]revision.Statement{
		{Release: "ocata", Phase: revision.Expand, Seq: 1}:   opOcataExpand,
		{Release: "ocata", Phase: revision.Migrate, Seq: 1}:  nil,
		{Release: "ocata", Phase: revision.Contract, Seq: 1}: nil,
		{Release: "pike", Phase: revision.Expand, Seq: 1}:    opPikeExpand,
		{Release: "pike", Phase: revision.Migrate, Seq: 1}:   opPikeMigrate,
		{Release: "pike", Phase: revision.Contract, Seq: 1}:  opPikeContract,
	}
	for _, o := range opts {
		o(revs)
	}
	files := map[string][]byte{}
	for id, stmts := range revs {
		from := "an empty database"
		if id.Release == "pike" {
			from = "ocata"
		}
		files[id.File()] = (&revision.Script{ID: id, From: from, To: id.Release, Statements: stmts}).Render()
	}
	for _, rel := range []string{"ocata", "pike"} {
		snap, err := os.ReadFile(filepath.Join("testdata", "operator", "project", "plans", revision.SnapshotFile(rel)))
		if err != nil {
			t.Fatal(err)
		}
		files[revision.SnapshotFile(rel)] = snap
	}
	var paths []string
	for p := range files {
		paths = append(paths, p)
	}
	sum, err := revision.Sum(revision.SumOrder([]string{"ocata", "pike"}, paths), files)
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
	db := testdb.New(t)
	dir := t.TempDir()
	for p, data := range opPlans(t, opts...) {
		opWrite(t, filepath.Join(dir, "plans", p), data)
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\n%s", db.URL, opSettings)))
	return &opProject{t: t, Dir: dir, DB: db}
}

func opWrite(t *testing.T, path string, data []byte) {
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
func opBinary(t *testing.T) string {
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
	cmd.Env = append(os.Environ(), "EMCEE_URL=")
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
