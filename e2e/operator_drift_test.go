package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// opDriftJSON is the drift report of a changing command's JSON document.
type opDriftJSON struct {
	Error string
	Drift *struct {
		Expected string
		Tables   []opDiffObject
		Accepted []opDiffObject
	}
}

type opDiffObject struct {
	Table       string
	Differences []opDiffEntry
}

func (p *opProject) driftJSON(args ...string) (opDriftJSON, opResult) {
	p.t.Helper()
	r := p.run(append(args, "--format", "json")...)
	var doc opDriftJSON
	if err := json.Unmarshal([]byte(r.Stdout), &doc); err != nil {
		p.t.Fatalf("%s --format json: %v\n%s", strings.Join(args, " "), err, r)
	}
	return doc, r
}

// A trigger and a view made by hand are drift for expand's preflight and
// for baseline exactly as for db diff: the same lines, the same JSON.
func TestOperatorHandMadeTriggerAndViewStopExpandAndBaseline(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("CREATE TRIGGER images_audit AFTER INSERT ON images FOR EACH ROW SET @emcee_audit = NEW.id")
	p.exec("CREATE VIEW public_images AS SELECT id, name FROM images WHERE is_public")

	diff := p.run("db", "diff")
	if diff.Code != 6 {
		t.Fatalf("db diff: %s", diff)
	}
	doc, _ := p.diffJSON()
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("expand must refuse a hand-made trigger and view: %s", r)
	}
	lines := diffLines(diff.Stdout)
	if len(lines) != 2 || lines[0] != "trigger images_audit is unexpected (AFTER INSERT)" ||
		!strings.HasPrefix(lines[1], "view public_images is unexpected (select `images`.`id` AS `id`,`images`.`name` AS `name` from `images` where") {
		t.Fatalf("db diff: %q\n%s", lines, diff)
	}
	if !slices.Equal(diffLines(r.Stderr), lines) {
		t.Fatalf("expand must refuse with db diff's differences %q: %s", lines, r)
	}
	opContains(t, r, "the live schema differs from release ocata (plans/ocata/ocata.snapshot.hcl), which the pike plans start from (2 differences in 1 table and 1 view):\ntable images:\n  - trigger images_audit", "\nview public_images:\n  - view public_images", "nothing was changed")
	if p.version() != "ocata_expand01, ocata_contract01" || strings.Contains(p.columns("images"), "visibility") {
		t.Fatal("a refused expand changed the database")
	}
	exp, _ := p.driftJSON("db", "expand")
	if exp.Drift == nil || !jsonEqual(t, exp.Drift.Tables, doc.Tables) {
		t.Fatalf("expand's JSON differences must be db diff's:\n%+v\n%+v", exp.Drift, doc.Tables)
	}

	// The same database, before emcee managed it: baseline sees the same.
	p.exec("DROP TABLE emcee_revisions")
	r = p.run("db", "baseline", "ocata")
	if r.Code != 1 || !slices.Equal(diffLines(r.Stderr), lines) {
		t.Fatalf("baseline must refuse with db diff's differences %q: %s", lines, r)
	}
	bl, _ := p.driftJSON("db", "baseline", "ocata")
	if bl.Drift == nil || !jsonEqual(t, bl.Drift.Tables, doc.Tables) || bl.Drift.Expected != "release ocata (plans/ocata/ocata.snapshot.hcl)" {
		t.Fatalf("baseline's JSON differences must be db diff's:\n%+v\n%+v", bl.Drift, doc.Tables)
	}
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}

// An older install of the application, with objects its release does not
// declare that are meant to stay: the refusals lead to baseline
// --allow-drift, which accepts them; later checks list them apart, and
// anything else is still drift.
func TestOperatorAdoptWithAcceptedDifferences(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	for _, q := range opHandMadeOcata {
		p.exec(q)
	}
	p.exec("CREATE TABLE legacy_jobs (id int PRIMARY KEY, payload text)")
	p.exec("INSERT INTO legacy_jobs VALUES (1, 'keep me')")
	p.exec("ALTER TABLE images ADD COLUMN checksum char(32) NULL, ADD INDEX ix_images_created (created_at)")
	p.insertOcataRows(30)

	r := p.run("db", "sync")
	if r.Code != 1 {
		t.Fatalf("sync on an older install: %s", r)
	}
	opContains(t, r, "is not under emcee control yet (no revision recorded in emcee_revisions), and it already has tables that ocata creates (image_properties, images): adopt it with `emcee db baseline RELEASE --env test`", "with --allow-drift, baseline also accepts objects that release does not declare")
	if r := p.run("db", "sync", "--allow-drift"); r.Code != 1 || !strings.Contains(r.Stderr, "emcee db baseline RELEASE") {
		t.Fatalf("--allow-drift must not expand over an older install's tables: %s", r)
	}
	r = p.run("db", "baseline", "ocata")
	want := []string{
		"column checksum is unexpected (char(32) NULL)",
		"index ix_images_created is unexpected (created_at)",
		"table legacy_jobs is unexpected",
	}
	if r.Code != 1 || !slices.Equal(diffLines(r.Stderr), want) {
		t.Fatalf("baseline without --allow-drift: %s", r)
	}
	opContains(t, r, "rerun with --allow-drift: baseline then records them as accepted in emcee_accepted_drift")

	r = p.must("db", "baseline", "ocata", "--allow-drift")
	opContains(t, r, "accepting 3 differences in 2 tables that release ocata (plans/ocata/ocata.snapshot.hcl) does not declare (--allow-drift):\ntable images:\n  - column checksum",
		"the live schema matches release ocata (plans/ocata/ocata.snapshot.hcl), apart from 3 differences in 2 tables accepted when it was adopted (emcee_accepted_drift)",
		"recorded ocata_contract01 as applied (baseline)")
	if got := p.query("SELECT COUNT(*), MIN(release_name) FROM emcee_accepted_drift"); got != "3 ocata" {
		t.Fatalf("accepted differences recorded: %s", got)
	}

	r = p.run("db", "diff")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, p.masked()+" (version ocata_expand01, ocata_contract01) matches what its recorded revisions ocata_expand01 ... ocata_contract01 produce, apart from 3 differences in 2 tables accepted when it was adopted (emcee_accepted_drift):\ntable images:\n") ||
		!slices.Equal(diffLines(r.Stdout), want) {
		t.Fatalf("db diff after adopting: %s", r)
	}
	doc, _ := p.diffJSON()
	if !doc.Clean || len(doc.Tables) != 0 {
		t.Fatalf("json: %+v", doc)
	}

	r = p.must("db", "expand")
	opContains(t, r, "preflight: live schema matches release ocata (plans/ocata/ocata.snapshot.hcl), apart from 3 differences in 2 tables accepted when it was adopted (emcee_accepted_drift)")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT payload FROM legacy_jobs"); got != "keep me" {
		t.Fatalf("legacy_jobs: %s", got)
	}
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public'), COUNT(checksum) FROM images"); got != "30 10 0" {
		t.Fatalf("images after the upgrade: %s", got)
	}
	if r := p.run("db", "diff"); r.Code != 0 {
		t.Fatalf("after the upgrade the accepted objects are still accepted: %s", r)
	}

	// Anything else is drift, and so is an accepted object changed since.
	p.exec("ALTER TABLE images MODIFY checksum char(64) NULL")
	p.exec("ALTER TABLE image_members ADD COLUMN hotfix int NULL")
	r = p.run("db", "diff")
	if got := diffLines(r.Stdout); r.Code != 6 || !slices.Equal(got, []string{
		"column hotfix is unexpected (int NULL)",
		"column checksum is unexpected (char(64) NULL)",
		"index ix_images_created is unexpected (created_at)",
		"table legacy_jobs is unexpected",
	}) {
		t.Fatalf("drift beside accepted differences: %q\n%s", got, r)
	}
	opContains(t, r, "\naccepted when the database was adopted (emcee_accepted_drift), not drift:\ntable images:\n  - index ix_images_created", "2 differences in 2 tables: the database has drifted")
}

// Only what the release does not declare can be accepted: a missing index
// or a column in another form is refused even with --allow-drift.
func TestOperatorBaselineAllowDriftRefusesMissingAndChanged(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.exec("CREATE TABLE images (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(100) NOT NULL, is_public TINYINT(1) NOT NULL DEFAULT 0, created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, checksum VARCHAR(32) NULL)")
	p.exec("CREATE TABLE image_properties (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, image_id bigint NOT NULL, name varchar(255) NOT NULL, value varchar(255), CONSTRAINT fk_image_properties_image FOREIGN KEY (image_id) REFERENCES images (id))")
	r := p.run("db", "baseline", "ocata", "--allow-drift")
	if got := diffLines(r.Stderr); r.Code != 1 || !slices.Equal(got, []string{"column value is varchar(255) NULL, expected text NULL", "index ix_images_name is missing (name)"}) {
		t.Fatalf("baseline --allow-drift with a missing index and a changed column: %q\n%s", got, r)
	}
	opContains(t, r, "--allow-drift accepts only objects that release ocata (plans/ocata/ocata.snapshot.hcl) does not declare", "nothing was recorded", "bring them to it by hand")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'emcee%'"); got != "0" {
		t.Fatalf("a refused baseline wrote %s emcee tables", got)
	}
}

// A database shared with another application: expand installs beside its
// tables when told to, and records them as accepted.
func TestOperatorInstallBesideAnotherApplication(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.exec("CREATE TABLE wiki_pages (id int PRIMARY KEY, body text)")
	r := p.run("db", "sync")
	if r.Code != 1 || !slices.Equal(diffLines(r.Stderr), []string{"table wiki_pages is unexpected"}) {
		t.Fatalf("sync into a shared database: %s", r)
	}
	opContains(t, r, "if these objects belong to another application sharing the database, rerun with --allow-drift to install beside them")
	r = p.must("db", "sync", "--allow-drift")
	opContains(t, r, "accepting 1 difference in 1 table that ocata does not create (--allow-drift): table wiki_pages:\n  - table wiki_pages is unexpected")
	if r := p.run("db", "diff"); r.Code != 0 || !strings.Contains(r.Stdout, "apart from 1 difference in 1 table accepted when it was adopted (emcee_accepted_drift):\ntable wiki_pages:\n") {
		t.Fatalf("db diff: %s", r)
	}
}

// An Atlas project's usual dev URL names a container emcee does not start:
// every command that needs a dev database says so, before anything changes,
// and never builds on the live server instead.
func TestOperatorDockerDevURLIsRefused(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	hcl, err := os.ReadFile(filepath.Join(p.Dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(strings.Replace(string(hcl), "env \"test\" {\n", "env \"test\" {\n  dev = \"docker://mariadb/10.11/dev\"\n", 1)))
	for _, args := range [][]string{{"db", "sync"}, {"db", "baseline", "ocata"}, {"lint"}} {
		r := p.run(args...)
		if r.Code != 1 || !strings.Contains(r.Stderr, "dev database: scheme docker:// is not supported (emcee does not start containers for Atlas's docker:// dev databases): point --dev-url or the env's dev at an empty database on a running MySQL or MariaDB server") {
			t.Errorf("%s: %s", strings.Join(args, " "), r)
		}
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Fatalf("a refused run created %s tables", got)
	}
	// --dev-url names the dev database instead; migrate and contract
	// compare too, so they refuse the docker:// one as well.
	p.must("db", "sync", "ocata", "--dev-url", newDevDB(t).URL)
	p.must("db", "expand", "--dev-url", newDevDB(t).URL)
	if r := p.run("db", "migrate"); r.Code != 1 || !strings.Contains(r.Stderr, "scheme docker:// is not supported") {
		t.Errorf("migrate: %s", r)
	}
	p.must("db", "migrate", "--dev-url", newDevDB(t).URL)
	p.must("db", "contract", "--dev-url", newDevDB(t).URL)
}

// kill -9 during a drift check leaves its scratch database behind; the
// next run drops it. db diff is stopped after its replay, with its scratch
// database there, by the test's lock on emcee_accepted, which it reads
// before it drops the scratch database (no statement added to the plans
// for the test: the applier refuses one emcee does not write). On a
// private server, the one scratch database there is this run's.
func TestOperatorKilledDriftCheckLeavesNoScratchForever(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	p := newOpProjectOn(t, srv.NewDB(t))
	p.must("db", "sync", "ocata")
	p.must("db", "expand")

	ctx := context.Background()
	hold, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	if err := devdb.RecordAccepted(ctx, hold, nil, "ocata", "test", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := hold.ExecContext(ctx, "LOCK TABLES "+sqlsyntax.Ident(devdb.AcceptedTable)+" WRITE"); err != nil {
		t.Fatal(err)
	}
	run := p.command("db", "diff", "--url", p.heldURL())
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	var session, scratch string
	p.waitFor("db diff to wait for emcee_accepted after its replay", func() bool {
		session = p.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'SELECT table_name, kind, name, state, live, detail FROM%'", p.DB.Name)
		scratch = p.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE 'emcee\\_scratch\\_%'")
		return session != "" && scratch != ""
	})
	if err := run.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.Wait()
	p.exec("KILL CONNECTION " + session)
	if _, err := hold.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		t.Fatal(err)
	}
	// The killed run's session ends once the server notices.
	p.waitFor("the killed run's session to end", func() bool {
		return p.query("SELECT IS_USED_LOCK(?) IS NULL", scratch) == "1"
	})
	r := p.must("db", "diff")
	if p.query("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", scratch) != "0" {
		t.Fatalf("%s, left by the killed run, is still there after the next one:\n%s", scratch, r)
	}
}

// A sequence and a system-versioned table made by hand are drift too:
// Atlas's inspection reads base tables only, and would not see them.
func TestOperatorHandMadeSequenceAndVersionedTableAreDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("CREATE SEQUENCE image_ids")
	p.exec("CREATE TABLE image_history (id int PRIMARY KEY) WITH SYSTEM VERSIONING")
	diff := p.run("db", "diff")
	lines := diffLines(diff.Stdout)
	if diff.Code != 6 || !slices.Contains(lines, "sequence image_ids is unexpected") || !slices.Contains(lines, "table image_history is unexpected (system-versioned)") {
		t.Fatalf("db diff: %q\n%s", lines, diff)
	}
	if r := p.run("db", "expand"); r.Code != 1 || !strings.Contains(r.Stderr+r.Stdout, "image_ids") {
		t.Fatalf("expand must refuse a hand-made sequence: %s", r)
	}
}

// A table partitioned by hand is drift: Atlas's inspection does not read
// partitioning, and emcee plans unpartitioned tables.
func TestOperatorHandPartitionedTableIsDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.exec("ALTER TABLE image_properties DROP FOREIGN KEY fk_image_properties_image")
	p.exec("ALTER TABLE image_properties PARTITION BY KEY() PARTITIONS 2")
	diff := p.run("db", "diff")
	lines := diffLines(diff.Stdout)
	if diff.Code != 6 || !slices.Contains(lines, "table option partitioning is unexpected (KEY, 2 partitions)") {
		t.Fatalf("db diff: %q\n%s", lines, diff)
	}
}

// Migrate and contract ran without a drift check: a sync trigger dropped
// by hand after expand left the previous release's writes unsynced, and
// contract then dropped is_public, the only column holding what they
// wrote; an index added by hand went unseen by the backfill. Both compare
// the live schema with what the recorded revisions produce first, as a
// resumed expand and a rollback do, on every path into their statements
// (db migrate, db contract, db sync).
func TestOperatorMigrateAndContractCheckDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")

	p.exec("CREATE INDEX ix_by_hand ON images (name)")
	for _, cmd := range [][]string{{"db", "migrate"}, {"db", "sync"}} {
		r := p.run(cmd...)
		if r.Code != 1 {
			t.Fatalf("%s over an index added by hand: want exit 1:\n%s", strings.Join(cmd, " "), r)
		}
		opContains(t, r, "live schema differs", "ix_by_hand", "nothing was changed", "--allow-drift")
		if v := p.version(); v != "pike_expand01, ocata_contract01" {
			t.Fatalf("%s refused, version %q", strings.Join(cmd, " "), v)
		}
	}
	p.exec("DROP INDEX ix_by_hand ON images")
	r := p.must("db", "migrate")
	opContains(t, r, "live schema matches", "pike_migrate01 applied")

	p.insertOcataRows(3)
	p.exec("DROP TRIGGER emcee_images_pike_23af2a_bu")
	r = p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract after a sync trigger was dropped by hand: want exit 1:\n%s", r)
	}
	opContains(t, r, "live schema differs", "emcee_images_pike_23af2a_bu", "pike's contract revisions", "nothing was changed")
	if got := p.columns("images"); !strings.Contains(got, "is_public") {
		t.Fatalf("the refused contract dropped is_public: %s", got)
	}
	r = p.must("db", "contract", "--allow-drift")
	opContains(t, r, "WARNING (--allow-drift)", "pike_contract01 applied")
}
