package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/revision"
)

// opNoRollback removes pike_rollback01, as in plans written before emcee
// planned rollbacks.
func opNoRollback(m map[revision.ID][]revision.Statement) {
	delete(m, revision.ID{Release: "pike", Phase: revision.Rollback, Seq: 1})
}

// ocataWrites are statements of ocata code: they must all succeed on the
// database before pike's expand, during the upgrade, and after a rollback.
var ocataWrites = []string{
	"INSERT INTO images (name, is_public) VALUES ('ocata-late', 1)",
	"UPDATE images SET is_public = NOT is_public WHERE name = 'img-1'",
	"INSERT INTO image_properties (image_id, name, value) SELECT id, 'os', 'linux' FROM images WHERE name = 'img-2'",
	"SELECT id, name, is_public, created_at FROM images",
	"DELETE FROM images WHERE name = 'img-4'",
}

func (p *opProject) ocataWrites() {
	p.t.Helper()
	for _, q := range ocataWrites {
		p.exec(q)
	}
}

// ocataCheckout is the project as ocata's checkout has it, on the same
// database: ocata's schema and plans only, with their sum.
func (p *opProject) ocataCheckout() *opProject {
	p.t.Helper()
	dir := p.t.TempDir()
	releases := []string{"ocata"}
	plans, err := revision.ReadPlans(filepath.Join(p.Dir, "plans"), releases)
	if err != nil {
		p.t.Fatal(err)
	}
	sum, err := revision.Sum(plans.Order, plans.Files)
	if err != nil {
		p.t.Fatal(err)
	}
	for path, data := range plans.Files {
		opWrite(p.t, filepath.Join(dir, "plans", path), data)
	}
	opWrite(p.t, filepath.Join(dir, "plans", revision.SumFile), sum)
	copyTree(p.t, filepath.Join(p.Dir, "schema"), filepath.Join(dir, "schema"))
	if err := os.Remove(filepath.Join(dir, "schema", "pike.hcl")); err != nil {
		p.t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(p.Dir, "atlas.hcl"))
	if err != nil {
		p.t.Fatal(err)
	}
	opWrite(p.t, filepath.Join(dir, "atlas.hcl"), []byte(strings.Replace(string(cfg), `releases = ["ocata", "pike"]`, `releases = ["ocata"]`, 1)))
	return &opProject{t: p.t, Dir: dir, DB: p.DB}
}

// The walkthrough: pike misbehaves after expand and migrate, with
// both releases writing; rollback returns the database to ocata while
// ocata code keeps writing, keeps every ocata row, and a later expand
// starts pike afresh and finishes it.
func TestRollbackReturnsToThePreviousRelease(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(30)
	p.must("db", "expand")
	p.ocataWrites()
	p.exec("INSERT INTO images (name, visibility) VALUES ('pike-public', 'public'), ('pike-community', 'community')")
	p.exec("UPDATE images SET visibility = 'public' WHERE name = 'img-5'")
	p.exec("INSERT INTO image_members (image_id, member) SELECT id, 'tenant-a' FROM images WHERE name = 'img-6'")
	p.must("db", "migrate")
	ocataRows := p.query("SELECT id, name, is_public, created_at FROM images ORDER BY id")

	// pike wrote 'community' and a member, which ocata cannot hold:
	// refused (TestRollbackRefusesToDropNewData) until accepted.
	if r := p.run("db", "rollback", "--dry-run"); r.Code != 1 || !strings.Contains(r.Stderr, "rerun `emcee db rollback --drop-new-data --env test`") {
		t.Fatalf("rollback dropping pike's data without --drop-new-data: %s", r)
	}
	dry := p.must("db", "rollback", "--dry-run", "--drop-new-data")
	opContains(t, dry, "would apply pike_rollback01", "DROP TRIGGER IF EXISTS `"+opTriggerBU+"`;", "ALTER TABLE `images` DROP COLUMN `visibility`, ALGORITHM=INSTANT;",
		"would mark pike_expand01, pike_migrate01, pike_rollback01 as rolled back", "data migrations already run stay")
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("a dry run changed the version: %s", v)
	}

	r := p.must("db", "rollback", "--drop-new-data")
	opContains(t, r, "preflight: live schema matches what ocata_expand01 ... pike_migrate01 produce", "applying pike_rollback01 (4 statements)",
		"rollback of pike complete: the database is at release ocata again", "data migrations already run stay", "to upgrade to pike again, run `emcee db expand --env test`")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version after rollback: %s", v)
	}
	p.must("db", "diff")
	if got := p.query("SELECT id, name, is_public, created_at FROM images ORDER BY id"); got != ocataRows {
		t.Fatalf("rows changed by the rollback:\nbefore %s\nafter  %s", ocataRows, got)
	}
	if got := p.query("SELECT name, is_public FROM images WHERE name LIKE 'pike-%' OR name = 'img-5' ORDER BY name"); got != "img-5 1\npike-community 0\npike-public 1" {
		t.Fatalf("rows pike wrote, as ocata reads them: %s", got)
	}
	p.ocataWrites()
	if got := p.triggers(); got != "" {
		t.Fatalf("triggers left: %s", got)
	}

	st := p.must("db", "status")
	opContains(t, st, "rolled back (the records stay in emcee_revisions)", "rolled back  4/4", "rolled back  1/1", "(rollback 1)")
	if got := p.query("SELECT name, applied, total, finished_at IS NOT NULL, rolled_back, rolled_back_at IS NOT NULL FROM emcee_revisions WHERE release_name = 'pike' ORDER BY name"); got != "pike_expand01 4 4 1 1 1\npike_migrate01 1 1 1 1 1\npike_rollback01 4 4 1 1 1" {
		t.Fatalf("records: %s", got)
	}
	if c := p.run("db", "check"); c.Code != 3 {
		t.Fatalf("db check with pike planned: want 3 (expand needed): %s", c)
	}
	if c := p.ocataCheckout().run("db", "check"); c.Code != 0 {
		t.Fatalf("db check with ocata's plans: %s", c)
	}

	// The database is at ocata again, where a rollback brings it: a
	// second rollback has nothing to do (a fleet's rerun does this).
	again := p.run("db", "rollback")
	if again.Code != 0 {
		t.Fatalf("second rollback: %s", again)
	}
	opContains(t, again, "nothing to roll back: pike was rolled back already (rollback 1, ", "; version ocata_expand01, ocata_contract01")

	// pike again from scratch, to the end.
	r = p.must("db", "expand")
	opContains(t, r, "preflight: live schema matches release ocata", "applying pike_expand01")
	p.must("db", "migrate")
	p.must("db", "contract")
	if v := p.version(); v != "pike_expand01, pike_contract01" {
		t.Fatalf("version after the second upgrade: %s", v)
	}
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE rolled_back = 1"); got != "3" {
		t.Fatalf("rolled-back records: %s", got)
	}
	if got := p.query("SELECT name, visibility FROM images WHERE name IN ('img-5', 'pike-community', 'ocata-late') ORDER BY id"); got != "img-5 public\nocata-late public\npike-community shared\nocata-late public" {
		t.Fatalf("rows after the second upgrade: %s", got)
	}
	late := p.run("db", "rollback", "--format", "json")
	if late.Code != 9 {
		t.Fatalf("rollback after contract: %s", late)
	}
	if doc := cliDoc(t, "json", late); exitCodeOf(doc) != 9 || !strings.Contains(doc["error"].(string), "release pike is complete") {
		t.Fatalf("rollback after contract, JSON: %v", doc)
	}
}

// Once a contract revision has started, rollback is refused with exit 9
// and says what is left; nothing changes.
func TestRollbackRefusedOnceContractStarted(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(10)
	p.must("db", "expand")
	p.must("db", "migrate")
	release := p.holdMDL("images")
	p.killWhileWaiting("DROP TRIGGER IF EXISTS `emcee_images_pike_", true, "db", "contract")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'pike_contract01'"); got != "1 1" {
		t.Fatalf("contract record after the kill: %s", got)
	}
	r := p.run("db", "rollback")
	if r.Code != 9 {
		t.Fatalf("rollback after contract started: %s", r)
	}
	opContains(t, r, "cannot roll back pike: its contract has started (pike_contract01: 1 of 4 statements applied, statement 2 sent without confirmation)",
		"Nothing was changed", "what is left: finish the release with `emcee db contract --env test`", "restore the backup taken before `emcee db expand` of pike")
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name LIKE 'pike_rollback%'"); got != "0" {
		t.Fatalf("the refused rollback recorded something: %s", got)
	}
	p.must("db", "contract", "--lock-timeout", "60s")
}

// kill -9 in the middle of a rollback: whether the server ran the dead
// run's statement on its own or never ran it, the rerun resumes and ends
// where an uninterrupted rollback ends. While the first run holds the
// lock, a second operator is refused.
func TestRollbackKilledResumes(t *testing.T) {
	t.Parallel()
	for _, killServer := range []bool{false, true} {
		name := "server finishes the statement"
		if killServer {
			name = "server never runs the statement"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := newOpProject(t)
			p.must("db", "sync", "ocata")
			p.insertOcataRows(20)
			p.must("db", "expand")
			p.must("db", "migrate")
			want := p.query("SELECT id, name, is_public FROM images ORDER BY id")

			release := p.holdMDL("image_members")
			run := p.command("db", "rollback")
			if err := run.Start(); err != nil {
				t.Fatal(err)
			}
			var id string
			p.waitFor("the rollback's DROP TABLE to wait for its metadata lock", func() bool {
				id = p.query("SELECT COALESCE(MAX(ID), 0) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE 'DROP TABLE `image_members`%'", p.DB.Name)
				return id != "0"
			})
			second := p.run("db", "rollback")
			if second.Code != 1 {
				t.Fatalf("a second operator must be refused by the lock: %s", second)
			}
			opContains(t, second, "another emcee run holds the lock", "applying pike_rollback01 (3 of 4 statements)")
			if err := run.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			_ = run.Wait()
			if killServer {
				p.exec("KILL " + id)
			}
			release()
			if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "3 1" {
				t.Fatalf("record after the kill: %s", got)
			}
			// The rollback is the latest revision recorded, after the
			// expand and migrate it undoes: forget weighs its record
			// against the schema (which shows its first statements) and
			// does not call pike_expand01 later.
			f := p.run("db", "forget", "pike_rollback01", "--lock-timeout", "60s")
			if f.Code != 1 || strings.Contains(f.Stdout+f.Stderr, "later revision") {
				t.Fatalf("forget of the stopped rollback: %s", f)
			}
			opContains(t, f, "pike_rollback01 is not forgotten: the live schema differs from what", "undo by hand what pike_rollback01 applied")
			// No other phase runs in the middle of a rollback.
			mid := p.run("db", "migrate", "--lock-timeout", "60s")
			if mid.Code != 1 {
				t.Fatalf("migrate during a rollback: %s", mid)
			}
			opContains(t, mid, "a rollback of pike is in progress", "run `emcee db rollback --env test --lock-timeout 1m0s` to finish it")
			if c := p.run("db", "check"); c.Code != 1 || !strings.Contains(c.Stdout+c.Stderr, "a rollback of pike is in progress") {
				t.Fatalf("db check during a rollback: %s", c)
			}

			r := p.must("db", "rollback", "--lock-timeout", "60s")
			opContains(t, r, "resuming pike_rollback01 at statement 4 of 4", "rollback of pike complete")
			if strings.Contains(r.Stdout+r.Stderr, "drop-new-data") {
				t.Fatalf("pike wrote nothing, yet the rollback speaks of lost data:\n%s", r)
			}
			if !killServer {
				opContains(t, r, "counted as applied")
			}
			if v := p.version(); v != "ocata_expand01, ocata_contract01" {
				t.Fatalf("version: %s", v)
			}
			p.must("db", "diff")
			if got := p.query("SELECT id, name, is_public FROM images ORDER BY id"); got != want {
				t.Fatalf("rows:\nwant %s\ngot  %s", want, got)
			}
			if got := p.query("SELECT name, applied, total, finished_at IS NOT NULL, rolled_back FROM emcee_revisions WHERE release_name = 'pike' ORDER BY name"); got != "pike_expand01 4 4 1 1\npike_migrate01 1 1 1 1\npike_rollback01 4 4 1 1" {
				t.Fatalf("records: %s", got)
			}
			p.ocataWrites()
		})
	}
}

// A rollback refuses to run over a schema that is not what the recorded
// revisions produce: its statements were written for that schema.
func TestRollbackRefusesDrift(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")
	p.exec("ALTER TABLE images ADD COLUMN hotfix int NULL")
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback over drift: %s", r)
	}
	opContains(t, r, "the live schema differs from what ocata_expand01 ... pike_expand01 produce, which the rollback revisions of pike start from", "hotfix", "nothing was changed", "--allow-drift")
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "0" {
		t.Fatalf("recorded: %s", got)
	}
	p.must("db", "rollback", "--allow-drift")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version: %s", v)
	}
}

// An applied expand revision without its rollback revision: the plans
// predate rollback. Refused before anything runs, saying which file.
func TestRollbackNeedsTheRollbackRevision(t *testing.T) {
	t.Parallel()
	p := newOpProject(t, opNoRollback)
	p.must("db", "sync", "ocata")
	p.must("db", "expand")
	r := p.run("db", "rollback", "pike", "--allow-copy")
	if r.Code != 1 {
		t.Fatalf("rollback without its revision: %s", r)
	}
	// The rerun is the rollback as it was run (Session.rerun): its release
	// and opt-ins, and its --env, which `emcee db rollback` alone left out.
	opContains(t, r, "plans/pike/pike_rollback01.sql is missing: pike_expand01 was applied and nothing undoes it", "run `emcee plan`", "rerun `emcee db rollback pike --allow-copy --env test`")
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("version: %s", v)
	}
}

// opRelaxName makes pike_expand01 relax images.name to NULL (as expand
// does for a column the new release omits) and pike_rollback01 make it
// NOT NULL again behind a gate, as `emcee plan` words it.
func opRelaxName(m map[revision.ID][]revision.Statement) {
	ex := revision.ID{Release: "pike", Phase: revision.Expand, Seq: 1}
	m[ex] = append(m[ex], revision.Statement{Rule: "drop-column", Why: "images.name must accept NULL until it is dropped",
		SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(100) NULL, ALGORITHM=INPLACE, LOCK=NONE"})
	rb := revision.ID{Release: "pike", Phase: revision.Rollback, Seq: 1}
	m[rb] = append([]revision.Statement{
		{Rule: "drop-column", Why: "images.name is NOT NULL again in the previous release: rows the new release left NULL in it must get a value first",
			Kind: revision.Gate, SQL: "SELECT COUNT(*) FROM `images` WHERE `name` IS NULL"},
	}, append(m[rb][:2:2], append([]revision.Statement{
		{Rule: "drop-column", Why: "images.name gets back its definition of the previous release",
			SQL: "ALTER TABLE `images` MODIFY COLUMN `name` varchar(100) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE"},
	}, m[rb][2:]...)...)...)
}

// A rollback's gates run before its first statement, and again before a
// resumed run's next one: a row the new release left NULL in a column the
// previous release has NOT NULL refuses the rollback, nothing changes,
// and the operator is told which rows; once fixed, the rollback runs.
func TestRollbackGates(t *testing.T) {
	t.Parallel()
	p := newOpProject(t, opRelaxName)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(10)
	p.must("db", "expand")
	p.exec("INSERT INTO images (visibility) VALUES ('public')") // pike omits name
	r := p.run("db", "rollback")
	if r.Code != 7 {
		t.Fatalf("rollback with a closed gate (blocked by data, exit 7): %s", r)
	}
	opContains(t, r, "rollback refused at pike_rollback01: 1 of 1 gate closed", "plans/pike/pike_rollback01.sql:6  gate drop-column: 1 row",
		"images.name is NOT NULL again", "list them: SELECT", "fix or remove the rows each gate lists")
	if got := p.triggers(); got != opTriggers {
		t.Fatalf("the refused rollback changed the schema: triggers %q", got)
	}
	p.exec("UPDATE images SET name = 'named later' WHERE name IS NULL")

	// Killed after the gate passed; a NULL written meanwhile must refuse
	// the resumed run before its next statement.
	release := p.holdMDL("images")
	p.killWhileWaiting("DROP TRIGGER IF EXISTS `emcee_images_pike_", true, "db", "rollback")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'pike_rollback01'"); got != "1 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	p.exec("INSERT INTO images (visibility) VALUES ('shared')")
	r = p.run("db", "rollback")
	if r.Code != 7 {
		t.Fatalf("resumed rollback with a closed gate: %s", r)
	}
	opContains(t, r, "rollback refused at pike_rollback01: 1 of 1 gate closed")
	p.exec("DELETE FROM images WHERE name IS NULL")
	r = p.must("db", "rollback")
	opContains(t, r, "resuming pike_rollback01 at statement 2 of 6", "[1/6] drop-column: gate open (rechecked before resuming)", "rollback of pike complete")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM images WHERE name = 'named later'"); got != "1" {
		t.Fatalf("the fixed row: %s", got)
	}
}

// A release planned twice has two expand revisions: rollback runs the
// rollbacks of those applied, newest first, and skips one whose expand
// never ran.
func TestRollbackNewestFirst(t *testing.T) {
	t.Parallel()
	for _, both := range []bool{true, false} {
		name := "both expands applied"
		if !both {
			name = "second expand not applied"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := exampleProject(t)
			p.must("db", "sync", "train")
			p.exec("INSERT INTO images (name, status, visibility, slug) VALUES ('train image', 'active', 'public', 'ti')")
			p.must("db", "expand")
			p.editSchema("ussuri", func(src string) string {
				return strings.Replace(src, "  column \"checksum\" {", "  column \"region\" {\n    type = varchar(20)\n    null = true\n  }\n  column \"checksum\" {", 1)
			})
			if r := p.plan(); r.Code != 0 || !strings.Contains(r.Stdout, "plans/ussuri/ussuri_rollback02.sql") {
				t.Fatalf("plan:\n%s", r)
			}
			if both {
				p.must("db", "expand")
			}
			r := p.must("db", "rollback")
			ran := []string{"applying ussuri_rollback01"}
			if both {
				ran = []string{"applying ussuri_rollback02", "applying ussuri_rollback01"}
				if i, j := strings.Index(r.Stdout, ran[0]), strings.Index(r.Stdout, ran[1]); i < 0 || j < i {
					t.Fatalf("rollbacks not newest first:\n%s", r)
				}
			} else if strings.Contains(r.Stdout, "ussuri_rollback02") && !strings.Contains(r.Stdout, "marked ussuri_expand01, ussuri_migrate01, ussuri_rollback01 as rolled back") {
				t.Fatalf("ran the rollback of an expand that never ran:\n%s", r)
			}
			opContains(t, r, ran...)
			if v := p.version(); v != "train_expand01, train_contract01" {
				t.Fatalf("version: %s", v)
			}
			p.must("db", "diff")
			if got := p.query("SELECT name, visibility, slug FROM images"); got != "train image public ti" {
				t.Fatalf("train's row: %s", got)
			}
			p.must("db", "sync")
			if v := p.version(); v != "ussuri_expand02, ussuri_contract02" {
				t.Fatalf("version after finishing ussuri: %s", v)
			}
		})
	}
}

// A contract that ran only its gates and then failed on its first change
// (a metadata lock it could not get) has changed nothing: the rollback
// still runs, instead of sending the operator to a backup.
func TestRollbackAfterContractChangedNothing(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(10)
	p.must("db", "expand")
	p.must("db", "migrate")
	release := p.holdMDL("images")
	c := p.run("db", "contract", "--url", p.DB.URL+"?lock_wait_timeout=1", "--retries", "0")
	release()
	if c.Code != 1 || !strings.Contains(c.Stdout+c.Stderr, "Lock wait timeout") {
		t.Fatalf("contract behind a metadata lock: %s", c)
	}
	if got := p.query("SELECT applied, in_flight, error IS NOT NULL FROM emcee_revisions WHERE name = 'pike_contract01'"); got != "1 0 1" {
		t.Fatalf("contract record after the timeout (only its gate applied): %s", got)
	}
	r := p.run("db", "rollback")
	if r.Code != 0 {
		t.Fatalf("rollback after a contract that changed nothing: %s", r)
	}
	opContains(t, r, "rollback of pike complete")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version after rollback: %s", v)
	}
	p.must("db", "diff")
	p.must("db", "expand")
}
