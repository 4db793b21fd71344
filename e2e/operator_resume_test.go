package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// plannedProject writes schema/<release>.hcl for each release (in order),
// plans them for target with the real binary, and points the project at
// the test's own database.
func plannedProject(t *testing.T, target string, releases ...[2]string) *opProject {
	t.Helper()
	return plannedProjectOn(t, testdb.New(t), target, releases...)
}

// plannedProjectOn is plannedProject on a database the test made, on a
// server of its own (internal/testserver).
func plannedProjectOn(t *testing.T, db *testdb.DB, target string, releases ...[2]string) *opProject {
	t.Helper()
	dir := t.TempDir()
	var names []string
	for _, r := range releases {
		names = append(names, fmt.Sprintf("%q", r[0]))
		opWrite(t, filepath.Join(dir, "schema", r[0]+".hcl"), []byte(r[1]))
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(fmt.Sprintf("env \"test\" {\n  url = %q\n}\n\nemcee {\n  target   = %q\n  releases = [%s]\n}\n", db.URL, target, strings.Join(names, ", "))))
	plan := exec.Command(opBinary(t), "plan")
	plan.Dir = dir
	if r := opRunCmd(t, plan); r.Code != 0 {
		t.Fatalf("emcee plan: %s", r)
	}
	return &opProject{t: t, Dir: dir, DB: db}
}

// holdMDL opens a transaction that has read the table and keeps it open:
// every DDL statement on the table waits for its metadata lock until
// release is called.
func (p *opProject) holdMDL(table string) (release func()) {
	p.t.Helper()
	ctx := context.Background()
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	var n int64
	if _, err := conn.ExecContext(ctx, "START TRANSACTION"); err != nil {
		p.t.Fatal(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM `"+table+"`").Scan(&n); err != nil {
		p.t.Fatal(err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "COMMIT")
			conn.Close()
		})
	}
	p.t.Cleanup(release) // a failed test must not leave the database locked
	return release
}

// killWhileWaiting starts emcee and kills it (kill -9) while the statement
// starting with prefix waits for a metadata lock. With killServer the
// server-side connection is killed too, so the statement never runs; without
// it the server runs the statement on its own once the lock is free, as it
// does for a client that died.
func (p *opProject) killWhileWaiting(prefix string, killServer bool, args ...string) {
	p.t.Helper()
	run := p.command(args...)
	if err := run.Start(); err != nil {
		p.t.Fatal(err)
	}
	var id string
	p.waitFor(prefix+" to wait for its metadata lock", func() bool {
		id = p.query("SELECT COALESCE(MAX(ID), 0) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE CONCAT(?, '%')", p.DB.Name, prefix)
		return id != "0"
	})
	if err := run.Process.Kill(); err != nil {
		p.t.Fatal(err)
	}
	_ = run.Wait()
	if killServer {
		// KILL returns before the thread has seen it: freed of its
		// metadata lock too soon, it could still run the statement.
		p.exec("KILL " + id)
		p.waitFor("the killed statement to end", func() bool {
			return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ?", id) == "0"
		})
	}
}

// Hole: a resumed contract skipped the gates before its resume point. The
// run is killed in the middle of train_contract01 (after the gates and the
// first DROP TRIGGER); a stein straggler then writes a row no trigger
// translates any more. The rerun must recheck every gate before its next
// statement: it refuses, and is_public (the row's only copy of its value) is
// not dropped.
func TestResumedContractRechecksGates(t *testing.T) {
	t.Parallel()
	p := exampleProject(t)
	p.must("db", "sync", "stein")
	p.exec("INSERT INTO images (name, status, is_public) VALUES ('Old Public', 'active', 1), ('Old Private', 'active', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")

	release := p.holdMDL("images")
	p.killWhileWaiting("DROP TRIGGER IF EXISTS `emcee_images_train_", false, "db", "contract")
	release() // the dead run's DROP TRIGGER (statement 3) now runs on the server
	p.waitFor("the server to finish the dead run's DROP TRIGGER", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()") == "1"
	})
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'train_contract01'"); got != "2 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	// No BEFORE INSERT trigger fills visibility any more.
	p.exec("INSERT INTO images (name, status, is_public, slug) VALUES ('Late Stein', 'active', 1, 'late-stein')")

	r := p.run("db", "contract", "--lock-timeout", "60s")
	if r.Code != 1 {
		t.Fatalf("the resumed contract must be refused by its gate: %s", r)
	}
	opContains(t, r, "train_contract01 refused", "plans/train/train_contract01.sql:6", "gate replace-column", "1 row", "run `emcee db migrate --env test --lock-timeout 1m0s` to finish the backfill", "then rerun `emcee db contract --env test --lock-timeout 1m0s`")
	if !strings.Contains(p.columns("images"), "is_public") {
		t.Fatalf("is_public was dropped although a row had no visibility yet:\n%s", r)
	}
	if got := p.query("SELECT applied FROM emcee_revisions WHERE name = 'train_contract01'"); got != "2" {
		t.Fatalf("the refused run applied statements: applied = %s", got)
	}

	p.must("db", "migrate") // catch-up fills the straggler's row
	r = p.must("db", "contract")
	opContains(t, r, "resuming train_contract01 at statement 3 of 5", "[1/5] replace-column: gate open (rechecked", "[2/5] add-column-fill: gate open (rechecked")
	if got := p.query("SELECT visibility FROM images WHERE name = 'Late Stein'"); got != "public" {
		t.Fatalf("the straggler's row: visibility %s", got)
	}
}

// The issue's own case: ussuri_contract01 is killed while its fourth
// statement (MODIFY owner) waits, before the server runs it; train code
// then writes a duplicate slug. The rerun used to resume at statement 4
// and fail on the ADD UNIQUE INDEX with a raw Error 1062; it must recheck
// the unique gate first, and since migrate has nothing to rewrite, say that
// the contract is blocked by data.
func TestResumedContractRechecksUniqueGate(t *testing.T) {
	t.Parallel()
	p := exampleProject(t)
	p.must("db", "sync", "train")
	p.exec("INSERT INTO images (name, status, visibility, slug, owner) VALUES ('a', 'active', 'public', 'a', 'ann'), ('b', 'active', 'public', 'b', NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")
	release := p.holdMDL("images")
	p.killWhileWaiting("ALTER TABLE `images` MODIFY COLUMN `owner`", true, "db", "contract")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'ussuri_contract01'"); got != "3 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	p.exec("INSERT INTO images (name, status, visibility, slug, owner) VALUES ('c', 'active', 'public', 'a', 'cy')")
	r := p.run("db", "contract", "--lock-timeout", "60s")
	if r.Code != 7 {
		t.Fatalf("the resumed contract must be refused by the unique gate: %s", r)
	}
	opContains(t, r, "contract blocked by data", "plans/ussuri/ussuri_contract01.sql:14  gate add-unique-index: 2 rows", "nothing was changed")
	// Every other path into the statements rechecks the gate too.
	for _, args := range [][]string{{"db", "upgrade"}, {"db", "sync"}, {"db", "contract", "--dry-run"}, {"db", "check"}} {
		if r := p.run(args...); r.Code != 7 || !strings.Contains(r.Stdout+r.Stderr, "plans/ussuri/ussuri_contract01.sql:14  gate add-unique-index: 2 rows") {
			t.Errorf("emcee %s on the resumed, blocked contract: %s", strings.Join(args, " "), r)
		}
	}
	if got := p.query("SELECT applied FROM emcee_revisions WHERE name = 'ussuri_contract01'"); got != "3" {
		t.Fatalf("the refused runs applied statements: applied = %s", got)
	}
	p.exec("UPDATE images SET slug = 'c' WHERE name = 'c'")
	r = p.must("db", "contract")
	opContains(t, r, "resuming ussuri_contract01 at statement 4 of 4", "[3/4] add-unique-index: gate open (rechecked before resuming)")
}

// A gate that reads what an applied statement of its own revision dropped
// cannot run again; it passed before that statement ran, and the data it
// counted went with the column. Here a nullable replacement's gate reads the
// old column, which contract drops last: a run that died after sending that
// DROP COLUMN (the server applied it, the run never confirmed it) is rerun.
// The rerun says that the gate is not rechecked and why, and completes.
func TestResumedContractGateReadsDroppedColumn(t *testing.T) {
	t.Parallel()
	one := `schema "app" {}

table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "is_public" {
    type = bool
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	two := replaceOnce(one, `  column "is_public" {
    type = bool
    null = true
  }`, `  column "visibility" {
    type = varchar(20)
    null = true
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }`)
	p := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p.must("db", "sync", "one")
	p.exec("INSERT INTO images (is_public) VALUES (1), (0), (NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.must("db", "contract", "--dry-run")
	opContains(t, r, "would apply two_contract01", "[4] replace-column", "DROP COLUMN `is_public`")
	if strings.Contains(r.Stdout, "[5]") {
		t.Fatalf("DROP COLUMN is no longer the last statement of two_contract01:\n%s", r)
	}
	p.must("db", "contract")
	// The state a run leaves when it dies between the server applying the
	// DROP COLUMN and the run confirming it.
	p.exec("UPDATE emcee_revisions SET applied = 3, in_flight = 1, finished_at = NULL WHERE name = 'two_contract01'")
	r = p.must("db", "contract")
	opContains(t, r, "resuming two_contract01 at statement 4 of 4",
		"[1/4] replace-column: gate not rechecked: it reads images.is_public, which statement 4 of this revision dropped (sent by an earlier run); it passed before that statement ran",
		"had applied it")
	if got := p.query("SELECT applied, finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'two_contract01'"); got != "4 1" {
		t.Fatalf("two_contract01 record: %s\n%s", got, r)
	}
	if got := p.query("SELECT visibility FROM images ORDER BY id"); got != "public\nprivate\nprivate" {
		t.Fatalf("visibility: %q", got)
	}

	// The column dropped by hand, not by the revision, is drift: contract
	// refuses before any gate runs; past the drift check (--allow-drift) a
	// gate that cannot run still refuses.
	p2 := plannedProject(t, "mariadb 10.11", [2]string{"one", one}, [2]string{"two", two})
	p2.must("db", "sync", "one")
	p2.must("db", "expand")
	p2.must("db", "migrate")
	p2.exec("ALTER TABLE images DROP COLUMN is_public")
	r = p2.run("db", "contract")
	if r.Code != 1 {
		t.Fatalf("contract after a column was dropped by hand must refuse: %s", r)
	}
	opContains(t, r, "live schema differs", "column is_public is missing", "nothing was changed")
	r = p2.run("db", "contract", "--allow-drift")
	if r.Code != 1 {
		t.Fatalf("a gate that cannot run must refuse: %s", r)
	}
	opContains(t, r, "cannot run", "Unknown column")
}

// listQuery finds the "list them:" query of a blocked-gate message.
var listQuery = regexp.MustCompile(`list them: (SELECT .*)`)

// Hole: a gate that migrate cannot open looped forever (check said
// "migrate needed", migrate said "complete, run contract", contract said
// "run migrate"). With duplicates under ussuri's new unique index, check,
// status and contract say "contract blocked by data", name the gate, count
// the offending rows (not keys) and give a query that lists them; check and
// contract exit 7.
func TestContractBlockedByData(t *testing.T) {
	t.Parallel()
	p := exampleProject(t)
	p.must("db", "sync", "train")
	p.exec("INSERT INTO images (name, status, visibility, slug, owner) VALUES " +
		"('a', 'active', 'public', 'dup', 'ann'), ('b', 'active', 'public', 'dup', 'ann'), ('c', 'active', 'public', 'DUP', 'ann'), " +
		"('d', 'active', 'public', 'twin', 'ann'), ('e', 'active', 'public', 'twin', 'ann'), ('f', 'active', 'public', 'solo', NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")

	check := p.run("db", "check")
	if check.Code != 7 {
		t.Fatalf("db check with duplicates left after migrate: %s", check)
	}
	want := []string{"contract blocked by data", "plans/ussuri/ussuri_contract01.sql:14", "gate add-unique-index", "5 rows"}
	opContains(t, check, want...)
	m := listQuery.FindStringSubmatch(check.Stdout)
	if m == nil {
		t.Fatalf("no query listing the rows:\n%s", check)
	}
	if got := p.query(m[1]); strings.Count(got, "\n")+1 != 5 || strings.Contains(got, "solo") {
		t.Fatalf("%s lists:\n%s", m[1], got)
	}
	status := p.must("db", "status")
	opContains(t, status, append(want, m[1])...)

	contract := p.run("db", "contract")
	if contract.Code != 7 {
		t.Fatalf("contract blocked by data: %s", contract)
	}
	opContains(t, contract, append(want, m[1], "nothing was changed")...)
	if v := p.version(); v != "ussuri_expand01, train_contract01" {
		t.Fatalf("a blocked contract changed the version: %q", v)
	}
	var res struct {
		Error string `json:"error"`
		Gates []struct {
			At    string `json:"at"`
			Count int64  `json:"count"`
			Open  bool   `json:"open"`
			List  string `json:"list_sql"`
		} `json:"gates"`
	}
	j := p.run("db", "contract", "--format", "json")
	if j.Code != 7 {
		t.Fatalf("contract --format json: %s", j)
	}
	if err := json.Unmarshal([]byte(j.Stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, j)
	}
	var closed []string
	for _, g := range res.Gates {
		if !g.Open {
			closed = append(closed, fmt.Sprintf("%s %d %s", g.At, g.Count, g.List))
		}
	}
	if len(closed) != 1 || closed[0] != "plans/ussuri/ussuri_contract01.sql:14 5 "+m[1] || !strings.Contains(res.Error, "contract blocked by data") {
		t.Fatalf("json gates: %q\n%s", closed, j)
	}

	// Rows that migrate can still fix are migrate's business, as before.
	p.exec("INSERT INTO images (name, status, visibility, slug) VALUES ('late train', 'active', 'private', 'late')") // owner NULL: the data migration's
	if r := p.run("db", "check"); r.Code != 4 || !strings.Contains(r.Stdout, "migrate needed") {
		t.Fatalf("check with rows the data migration can still rewrite: %s", r)
	}
	if r := p.run("db", "contract"); r.Code != 1 || !strings.Contains(r.Stdout+r.Stderr, "run `emcee db migrate --env test`") {
		t.Fatalf("contract with rows the data migration can still rewrite: %s", r)
	}
	p.must("db", "migrate")
	if r := p.run("db", "check"); r.Code != 7 {
		t.Fatalf("check after the catch-up: %s", r)
	}

	p.exec("UPDATE images SET slug = CONCAT(slug, '-', id) WHERE slug IN ('dup', 'twin')")
	if r := p.run("db", "check"); r.Code != 5 {
		t.Fatalf("check with the duplicates fixed: %s", r)
	}
	p.must("db", "contract")
}

// opStuckBackfill makes pike's backfill leave the private image img-4
// pending: its expression yields NULL for it.
func opStuckBackfill(m map[revision.ID][]revision.Statement) {
	id := revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}
	st := m[id][0]
	st.SQL = "UPDATE `images` SET `visibility` = CASE WHEN `is_public` THEN 'public' WHEN `name` <> 'img-4' THEN 'shared' END WHERE `visibility` IS NULL"
	m[id] = []revision.Statement{st}
}

// Rows a backfill cannot rewrite (its expression yields NULL for them) keep
// its gate closed however often migrate runs: the migrate that finds them
// still pending after its catch-up says that contract is blocked by data
// and exits 7, instead of "complete, run contract".
func TestMigrateReportsRowsItCannotRewrite(t *testing.T) {
	t.Parallel()
	p := newOpProject(t, opStuckBackfill)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(10)
	p.must("db", "expand")
	p.must("db", "migrate")
	if got := p.query("SELECT name, is_public, COALESCE(visibility, '-') FROM images WHERE visibility IS NULL"); got != "img-4 0 -" {
		t.Fatalf("rows the backfill left pending: %q", got)
	}
	// check tells without running the backfill that what it writes leaves
	// row 4 pending, as the migrate below finds by running it.
	if r := p.run("db", "check"); r.Code != 7 {
		t.Fatalf("check with a row no backfill can rewrite: %s", r)
	}
	r := p.run("db", "migrate")
	if r.Code != 7 {
		t.Fatalf("migrate that cannot rewrite a row: %s", r)
	}
	opContains(t, r, "rows left pending by the backfill: 1 (what it writes leaves them matching its WHERE)",
		"migrate of pike is complete, but its backfills leave 1 row pending",
		"contract blocked by data", "pike/pike_contract01.sql:6  gate replace-column: 1 row",
		"list them: SELECT * FROM `images` WHERE `visibility` IS NULL LIMIT 100")
	p.exec("UPDATE images SET visibility = 'private' WHERE id = 4")
	p.must("db", "contract")
}

// Hole: for the mysql 8.0 target a foreign key is added by three recorded
// statements (checks off, ALTER, checks on). A run that dies on the ALTER
// leaves the first one applied; the rerun's new session had the checks on
// again, and the in-place ALTER failed with 1846 on every rerun. The rerun
// must re-establish the session state the revision set before resuming.
// Proven on MariaDB (which runs these statements the same way); the mysql
// flavour itself is unit-tested only, as no MySQL 8 server is available.
func TestMySQLForeignKeyResumes(t *testing.T) {
	t.Parallel()
	one := "schema \"app\" {}\n" + gatedV1
	two := "schema \"app\" {}\n" + gatedBlock(`  foreign_key "fk_owner" {
    columns     = [column.owner_id]
    ref_columns = [table.owners.column.id]
  }`)
	p := plannedProject(t, "mysql 8.0", [2]string{"one", one}, [2]string{"two", two})
	contract, err := os.ReadFile(filepath.Join(p.Dir, "plans", "two", "two_contract01.sql"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(contract), "SET SESSION foreign_key_checks = 0;") {
		t.Fatalf("the mysql 8.0 plan no longer switches the checks off around the ALTER:\n%s", contract)
	}
	p.must("db", "sync", "one")
	p.exec("INSERT INTO owners VALUES (1), (2)")
	p.exec("INSERT INTO images (name, owner_id, note) VALUES ('a', 1, ''), ('b', 2, ''), ('c', NULL, '')")
	p.must("db", "expand")
	p.must("db", "migrate")

	release := p.holdMDL("images")
	p.killWhileWaiting("ALTER TABLE `images` ADD CONSTRAINT `fk_owner`", true, "db", "contract")
	release()
	if got := p.query("SELECT applied, in_flight FROM emcee_revisions WHERE name = 'two_contract01'"); got != "2 1" {
		t.Fatalf("record after the kill: %s", got)
	}
	r := p.must("db", "contract", "--dry-run", "--lock-timeout", "60s")
	opContains(t, r, "would resume two_contract01 (two/two_contract01.sql) at statement 3 of 4:",
		"[1/4] add-foreign-key: gate open (rechecked before resuming)",
		"-- [2] add-foreign-key: re-run first, to restore the session state it set for the statements after it\nSET SESSION foreign_key_checks = 0;\n-- [3]")
	r = p.run("db", "contract")
	if r.Code != 0 {
		t.Fatalf("the resumed contract must add the foreign key: %s", r)
	}
	opContains(t, r, "resuming two_contract01 at statement 3 of 4", "re-establishing the session state statement 2 set: SET SESSION foreign_key_checks = 0")
	if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_owner'"); got != "1" {
		t.Fatalf("foreign key: %s", got)
	}
	if _, err := p.DB.Exec("INSERT INTO images (name, owner_id, note) VALUES ('orphan', 3, '')"); err == nil {
		t.Fatal("the foreign key does not reject an orphan")
	}
}
