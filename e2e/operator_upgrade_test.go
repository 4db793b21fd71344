package e2e

import (
	"encoding/json"
	"strings"
	"testing"
)

const opPikeImages = "id bigint(20) NO -\nname varchar(100) NO -\ncreated_at datetime NO current_timestamp()\nvisibility enum('private','public','shared','community') NO 'shared'"

// A fresh database synced to the latest release: every revision applied in
// order, the final schema, no leftover triggers, and a rerun that does
// nothing.
func TestOperatorFreshSync(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	if v := p.version(); v != "none" {
		t.Fatalf("empty database: version %q, want none", v)
	}
	if r := p.run("db", "upgrade"); r.Code != 1 || !strings.Contains(r.Stderr, "not under emcee control") {
		t.Fatalf("db upgrade on an empty database must be refused:\n%s", r)
	}
	if r := p.run("db", "check"); r.Code != 3 {
		t.Fatalf("db check on an empty database: want exit 3 (expand needed)\n%s", r)
	}
	r := p.must("db", "sync")
	opContains(t, r, "live schema matches an empty schema", "applying ocata_expand01", "applying pike_contract01", "version: pike_expand01, pike_contract01")
	if v := p.version(); v != "pike_expand01, pike_contract01" {
		t.Fatalf("version after sync = %q", v)
	}
	if got := p.columns("images"); got != opPikeImages {
		t.Errorf("images after sync:\n%s\nwant:\n%s", got, opPikeImages)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"); got != "4" {
		t.Errorf("want 3 tables and emcee_revisions, got %s", got)
	}
	if got := p.triggers(); got != "" {
		t.Errorf("triggers left after contract: %s", got)
	}
	if got := p.query("SELECT name, applied, total, finished_at IS NOT NULL, tool_version FROM emcee_revisions ORDER BY started_at, name"); got != strings.Join([]string{
		"ocata_expand01 2 2 1 e2e", "ocata_migrate01 0 0 1 e2e", "ocata_contract01 0 0 1 e2e",
		"pike_expand01 4 4 1 e2e", "pike_migrate01 1 1 1 e2e", "pike_contract01 4 4 1 e2e"}, "\n") {
		t.Errorf("version table:\n%s", got)
	}
	if r := p.must("db", "check"); !strings.Contains(r.Stdout, "up to date") {
		t.Errorf("db check after sync: %s", r)
	}
	r = p.must("db", "sync")
	opContains(t, r, "up to date: nothing to do")
	v := p.must("db", "version", "-v")
	opContains(t, v, "pike_contract01", "applied", "4/4")
}

// sync VERSION stops at a release, and upgrade continues a database emcee
// already manages.
func TestOperatorSyncToVersionThenUpgrade(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	if v := p.version(); v != "ocata_expand01, ocata_contract01" {
		t.Fatalf("version after sync ocata = %q", v)
	}
	p.insertOcataRows(10)
	// Machines read the same dry run as JSON.
	r := p.must("db", "upgrade", "--dry-run", "--format", "json")
	var plan struct {
		DryRun    bool   `json:"dry_run"`
		Before    string `json:"version_before"`
		After     string `json:"version_after"`
		Revisions []struct {
			Name string
			SQL  []string
		}
	}
	if err := json.Unmarshal([]byte(r.Stdout), &plan); err != nil {
		t.Fatalf("dry run json: %v\n%s", err, r)
	}
	if !plan.DryRun || plan.Before != "ocata_expand01, ocata_contract01" || plan.After != "pike_expand01, pike_contract01" ||
		len(plan.Revisions) != 3 || plan.Revisions[0].Name != "pike_expand01" || len(plan.Revisions[0].SQL) != 4 ||
		plan.Revisions[1].SQL[0] != "UPDATE `images` SET `visibility`=(COALESCE(CASE WHEN `is_public` THEN 'public' ELSE 'shared' END, 'shared')) WHERE (`visibility` IS NULL) AND `id` > ? AND `id` <= ?;" {
		t.Fatalf("dry run json: %+v", plan)
	}
	p.must("db", "upgrade", "pike_expand01")
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("version after upgrade pike_expand01 = %q", v)
	}
	p.must("db", "upgrade")
	if v := p.version(); v != "pike_expand01, pike_contract01" {
		t.Fatalf("version after upgrade = %q", v)
	}
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public') FROM images"); got != "10 3" {
		t.Errorf("rows after upgrade: %s, want 10 rows, 3 public", got)
	}
}

// A rolling upgrade ocata -> pike: expand, both releases' code working,
// migrate in chunks, contract refused while rows are pending and while a
// gate is closed, then accepted; the version printed at each stage.
func TestOperatorRollingUpgrade(t *testing.T) {
	t.Parallel()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(250)
	if r := p.run("db", "check"); r.Code != 3 || !strings.Contains(r.Stdout, "expand needed: pike_expand01") {
		t.Fatalf("before expand: %s", r)
	}

	// A dry run prints every statement and changes nothing.
	r := p.must("db", "expand", "--dry-run")
	for _, st := range opStatements(t, "pike_expand01") {
		opContains(t, r, st.SQL+";")
	}
	if strings.Contains(p.columns("images"), "visibility") || p.version() != "ocata_expand01, ocata_contract01" {
		t.Fatalf("dry run changed the database")
	}
	// Migrate and contract before expand are refused with the next command.
	if r := p.run("db", "migrate"); r.Code != 1 || !strings.Contains(r.Stderr, "next: run `emcee db expand --env test`") {
		t.Fatalf("migrate before expand: %s", r)
	}

	r = p.must("db", "expand")
	opContains(t, r, "preflight: 2 triggers to create", "preflight: live schema matches release ocata", "version: pike_expand01, ocata_contract01")
	if v := p.version(); v != "pike_expand01, ocata_contract01" {
		t.Fatalf("version after expand = %q", v)
	}
	if r := p.run("db", "check"); r.Code != 4 {
		t.Fatalf("after expand: want exit 4 (migrate needed)\n%s", r)
	}
	// Both releases work against the expanded schema.
	p.exec("INSERT INTO images (name, is_public) VALUES ('ocata-public', 1), ('ocata-private', 0)")
	p.exec("INSERT INTO images (name, visibility) VALUES ('pike-public', 'public'), ('pike-community', 'community')")
	p.exec("UPDATE images SET is_public = 1 WHERE name = 'img-1'")
	p.exec("UPDATE images SET visibility = 'private' WHERE name = 'img-3'")
	if got := p.query("SELECT name, is_public, visibility FROM images WHERE name IN ('ocata-public','ocata-private','pike-public','pike-community','img-1','img-3') ORDER BY name"); got != strings.Join([]string{
		"img-1 1 public", "img-3 0 private", "ocata-private 0 shared", "ocata-public 1 public", "pike-community 0 community", "pike-public 1 public"}, "\n") {
		t.Fatalf("old and new code against the expanded schema:\n%s", got)
	}
	// 248 old rows still wait for the backfill (img-1 and img-3 were synced
	// by the update trigger).
	if r := p.run("db", "contract"); r.Code != 1 || !strings.Contains(r.Stderr, "its migrate is not complete (pending: pike_migrate01)") ||
		!strings.Contains(r.Stderr, "next: run `emcee db migrate --env test`") {
		t.Fatalf("contract before migrate must be refused: %s", r)
	}

	r = p.must("db", "migrate", "--max-rows", "100", "--batch-size", "30")
	// The run to continue is this one, on its database (--env), in its
	// batches and chunks: `emcee db migrate` alone went to $EMCEE_ENV's
	// database, or migrated the rest at once.
	opContains(t, r, "248 rows pending", "stopped by --max-rows after 100 rows", "run `emcee db migrate --batch-size 30 --env test --max-rows 100` again")
	st := p.must("db", "status", "--format", "json")
	var status struct {
		Code     int
		Releases []struct {
			Revisions []struct {
				Name        string
				State       string
				PendingRows *int64 `json:"pending_rows"`
			}
		}
	}
	if err := json.Unmarshal([]byte(st.Stdout), &status); err != nil {
		t.Fatalf("status json: %v\n%s", err, st.Stdout)
	}
	mig := status.Releases[1].Revisions[1]
	if mig.Name != "pike_migrate01" || mig.State != "partial" || mig.PendingRows == nil || *mig.PendingRows != 148 || status.Code != 4 {
		t.Fatalf("status after a 100-row chunk: %+v (pending %v)", status, mig.PendingRows)
	}
	if r := p.run("db", "contract"); r.Code != 1 || !strings.Contains(r.Stderr, "pending: pike_migrate01") {
		t.Fatalf("contract with 148 rows pending must be refused: %s", r)
	}

	r = p.must("db", "migrate", "--batch-size", "30")
	opContains(t, r, "resuming pike_migrate01 at statement 1", "148 rows pending", "version: pike_expand01, ocata_contract01")
	if r := p.run("db", "check"); r.Code != 5 {
		t.Fatalf("after migrate: want exit 5 (contract needed)\n%s", r)
	}

	// A row that lost its visibility (written past the triggers, as a bulk
	// load without triggers would) closes the contract's gate.
	p.exec("DROP TRIGGER " + opTriggerBU)
	p.exec("UPDATE images SET visibility = NULL WHERE name = 'img-2'")
	p.exec(opStatements(t, "pike_expand01")[3].SQL)
	if r := p.run("db", "check"); r.Code != 4 {
		t.Fatalf("closed gate: db check want 4 (migrate needed): %s", r)
	}
	r = p.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract with a closed gate must be refused: %s", r)
	}
	opContains(t, r, "pike_contract01 refused: 1 of 1 gate closed", "plans/pike/pike_contract01.sql:6  gate replace-column: 1 row\n    rows where images.visibility is still NULL: the backfill has not run", "list them: SELECT * FROM `images` WHERE `visibility` IS NULL LIMIT 100", "nothing was changed")
	if p.triggers() == "" || !strings.Contains(p.columns("images"), "is_public") {
		t.Fatal("a refused contract changed the schema")
	}
	// The refusal sends the operator to migrate, which backfills the rows
	// that are pending again even though pike_migrate01 is applied.
	if got := p.must("db", "status"); !strings.Contains(got.Stdout, "pike_migrate01    applied  1/1         1\n") {
		t.Errorf("status should count the row pending again:\n%s", got)
	}
	r = p.must("db", "migrate")
	opContains(t, r, "pike_migrate01 is applied, but images has 1 row pending again", "migrate of pike caught up")
	if got := p.query("SELECT is_public, visibility FROM images WHERE name = 'img-2'"); got != "0 shared" {
		t.Fatalf("img-2 after the catch-up: %s", got)
	}
	if r := p.must("db", "migrate"); !strings.Contains(r.Stdout, "migrate of pike is complete: nothing to migrate") {
		t.Errorf("a second catch-up has nothing to do: %s", r)
	}

	r = p.must("db", "contract")
	opContains(t, r, "applying pike_contract01", "version: pike_expand01, pike_contract01")
	if got := p.columns("images"); got != opPikeImages {
		t.Errorf("images after contract:\n%s", got)
	}
	// Every row survived with the right visibility.
	if got := p.query("SELECT COUNT(*), SUM(visibility = 'public'), SUM(visibility = 'shared'), SUM(visibility = 'private'), SUM(visibility = 'community') FROM images"); got != "254 85 167 1 1" {
		t.Errorf("rows after the upgrade (count, public, shared, private, community) = %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM images WHERE name LIKE 'img-%' AND visibility <> CASE WHEN name = 'img-1' THEN 'public' WHEN name = 'img-3' THEN 'private' WHEN CAST(SUBSTRING(name, 5) AS UNSIGNED) % 3 = 0 THEN 'public' ELSE 'shared' END"); got != "0" {
		t.Errorf("%s old rows have the wrong visibility", got)
	}
	if r := p.run("db", "check"); r.Code != 0 {
		t.Fatalf("after contract: %s", r)
	}
}
