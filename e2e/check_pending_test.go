package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// db check with several revisions pending runs the gates of each, as its
// command meets them. b_expand02 (u.name converted to utf8mb4, planned
// after b_expand01 added a column) gates the names the conversion makes
// equal: check looked at b_expand01's gates only and said "expand
// needed" (3), and expand applied b_expand01 and exited 7 on b_expand02.
func TestCheckPendingLaterExpandGate(t *testing.T) {
	t.Parallel()
	const a = "CREATE TABLE `u` (\n  `id` int NOT NULL,\n  `name` varchar(50) CHARACTER SET latin1 DEFAULT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `uk_name` (`name`)\n) ENGINE=InnoDB;\n"
	p := sqlReleasesProject(t, [2]string{"a", a}, [2]string{"b", strings.Replace(a, "  PRIMARY", "  `note` varchar(50) DEFAULT NULL,\n  PRIMARY", 1)})
	p.must("plan")
	b := strings.Replace(p.read("schema/b.sql"), "CHARACTER SET latin1", "CHARACTER SET utf8mb4", 1)
	opWrite(t, filepath.Join(p.Dir, "schema", "b.sql"), []byte(b))
	opWrite(t, filepath.Join(p.Dir, "schema", "b.emcee.hcl"), []byte("table \"u\" {\n  column \"name\" {\n    allow_copy = true\n  }\n}\n"))
	p.must("plan")
	if e2 := p.read("plans/b/b_expand02.sql"); !strings.Contains(e2, "-- emcee:gate") || strings.Contains(p.read("plans/b/b_expand01.sql"), "-- emcee:gate") {
		t.Fatalf("the test needs b_expand02 gated, b_expand01 not:\n%s", e2)
	}
	p.must("db", "sync", "a")
	p.exec("INSERT INTO u (id, name) VALUES (1, 'müller'), (2, 'muller')")
	r := p.run("db", "check")
	if r.Code != 7 {
		t.Fatalf("check with names b_expand02 makes equal: %s", r)
	}
	opContains(t, r, "expand blocked by data: 1 gate of b_expand02 counts rows written before the release started", "plans/b/b_expand02.sql:6  gate convert-charset: 2 rows")
	r = p.run("db", "expand", "--dry-run")
	if r.Code != 7 || strings.Contains(r.Stdout+r.Stderr, "this run applied") {
		t.Fatalf("a dry run of expand says it applied b_expand01: %s", r)
	}
	opContains(t, r, "b_expand02 refused: 1 of 1 gate closed, nothing was changed")
	r = p.run("db", "expand")
	if r.Code != 7 {
		t.Fatalf("expand with names b_expand02 makes equal: %s", r)
	}
	opContains(t, r, "b_expand02 refused: 1 of 1 gate closed, nothing of b_expand02 was changed (this run applied b_expand01 before it, which stays applied)", "plans/b/b_expand02.sql:6  gate convert-charset: 2 rows")
	if strings.Contains(r.Stdout+r.Stderr, "nothing was changed") {
		t.Errorf("expand applied b_expand01 and says nothing was changed:\n%s", r)
	}
	p.exec("UPDATE u SET name = 'muller2' WHERE id = 2")
	if r := p.run("db", "check"); r.Code != 3 || !strings.Contains(r.Stdout, "expand needed: b_expand02") {
		t.Fatalf("check once the names are fixed: %s", r)
	}
	p.must("db", "expand")
}

// contractProject is release a's table t (name, legacy) and b's, which
// deletes the legacy rows (b_contract01, planned first, with legacy
// dropped after the delete when dropLegacy) and adds a unique index on
// name, planned after as b_contract02, whose gate leaves out the rows of
// the delete by its predicate while legacy is there to read.
func contractProject(t *testing.T, dropLegacy bool) *opProject {
	t.Helper()
	legacy := "  column \"legacy\" {\n    type = int\n    null = true\n  }\n"
	table := func(legacy, index string) string {
		return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n" + legacy +
			"  primary_key {\n    columns = [column.id]\n  }\n" + index + "}\n"
	}
	migration := "\ndata_migration \"legacy_rows\" {\n  table  = \"t\"\n  delete = \"legacy = 1\"\n}\n"
	b := table(legacy, "") + migration
	if dropLegacy {
		b = table("", "") + migration
	}
	p := newSchemaProject(t, [2]string{"a", table(legacy, "")}, [2]string{"b", b})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "  }\n}\n", "  }\n  index \"uk_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n}\n", 1)))
	p.must("plan")
	if c2 := p.read("plans/b/b_contract02.sql"); strings.Contains(c2, "legacy") == dropLegacy || !strings.Contains(p.read("plans/b/b_contract01.sql"), "DELETE") {
		t.Fatalf("the test needs b_contract01 deleting, b_contract02's gate leaving its rows out by legacy unless b_contract01 drops it (dropped: %v):\n%s", dropLegacy, c2)
	}
	p.must("db", "sync", "a")
	return p
}

// A gate of b_contract02 that reads what b_contract01 changes first (the
// rows of t it deletes) was run against the schema and rows before
// b_contract01: duplicate names said "contract blocked by data" (7) for
// a gate contract ran once b_contract01 had deleted rows (and, as
// planned then, could not run at all: it read legacy, which b_contract01
// drops). check says the gate waits for b_contract01, as contract runs
// it; once b_contract01 has run, check and contract meet the gate alike:
// names still duplicated among the kept rows block it (7).
func TestCheckPendingContractGateWaitsForEarlierRevision(t *testing.T) {
	t.Parallel()
	p := contractProject(t, true)
	p.exec("INSERT INTO t VALUES (1, 'x', 0), (2, 'x', 0), (3, 'y', 1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.run("db", "check")
	if r.Code != 5 {
		t.Fatalf("check: want 5 (contract needed), the gate of b_contract02 waiting for b_contract01: %s", r)
	}
	opContains(t, r, "contract needed: b_contract01, b_contract02", "plans/b/b_contract02.sql:6  gate add-unique-index of b_contract02 not checked: it reads t, which b_contract01 changes first (statement 2: delete rows); `emcee db contract --env test` checks it after that")
	con := p.run("db", "contract")
	if v := p.version(); v != "b_expand02, b_contract01" || con.Code != 7 {
		t.Fatalf("contract did not stop at b_contract02 (version %s): %s", v, con)
	}
	r = p.run("db", "check")
	if r.Code != con.Code || !strings.Contains(r.Stdout, "b_contract02") || strings.Contains(r.Stdout, "not checked") {
		t.Fatalf("check after b_contract01 (contract exited %d):\ncheck %s\ncontract %s", con.Code, r, con)
	}
}

// b_contract01 deletes the rows where legacy = 1, then drops legacy.
// b_contract02's unique gate left those rows out by legacy = 1, which it
// cannot read once b_contract01 has run: contract applied b_contract01
// and exited 1 (error 1054), and contract --dry-run ran the gate before
// b_contract01 and said the run would reach b_contract02. The gate leaves
// out no rows now (they are gone when it runs); the dry run says it waits
// for b_contract01, and contract runs both where the duplicate names were
// all but one legacy rows.
func TestContractGateAfterAnEarlierRevisionDeletedByADroppedColumn(t *testing.T) {
	t.Parallel()
	p := contractProject(t, true)
	p.exec("INSERT INTO t VALUES (1, 'x', 0), (2, 'x', 1), (3, 'y', 1), (4, 'y', 1), (5, 'z', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")
	dry := p.must("db", "contract", "--dry-run")
	opContains(t, dry, "would apply b_contract02 (b/b_contract02.sql), 2 statements:\n-- [1] gate add-unique-index: unique index uk_name on t: the previous release could write duplicate keys; contract waits until there are none (not checked: it reads t, which b_contract01 changes first (statement 2: delete rows); a real run checks it after that)")
	p.must("db", "contract")
	if !strings.Contains(dry.Stdout, "version after a real run: "+p.version()+", if the gates not checked are open") {
		t.Fatalf("the dry run's version, now %s: %s", p.version(), dry)
	}
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"); got != "1,5" {
		t.Fatalf("rows kept: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND INDEX_NAME = 'uk_name'"); got != "1" {
		t.Fatalf("uk_name not added: %s", got)
	}
}

// A data_migration delete whose rows a later gate leaves out changes
// nothing it counts: check runs it before the delete and answers as
// contract does, open or blocked by data.
func TestCheckPendingContractGateLeavingOutAnEarlierDelete(t *testing.T) {
	t.Parallel()
	p := contractProject(t, false)
	p.exec("INSERT INTO t VALUES (1, 'x', 0), (2, 'x', 1), (3, 'y', 0), (4, 'y', 0)")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.run("db", "check")
	if r.Code != 7 || strings.Contains(r.Stdout, "not checked") {
		t.Fatalf("check over duplicates of y: %s", r)
	}
	opContains(t, r, "contract blocked by data: 1 gate of b_contract02 counts rows", "gate add-unique-index: 2 rows")
	r = p.run("db", "contract")
	if r.Code != 7 || p.version() != "b_expand02, b_contract01" {
		t.Fatalf("contract over duplicates of y: %s", r)
	}
	opContains(t, r, "b_contract02 refused, nothing of b_contract02 was changed (this run applied b_contract01 before it, which stays applied)")
	p.exec("DELETE FROM t WHERE id = 4")
	if r := p.run("db", "check"); r.Code != 5 {
		t.Fatalf("check once y is fixed: %s", r)
	}
	p.must("db", "contract")
}

// A rollback stopped half-way (b_rollback02 applied, b_rollback01 refused
// by its gate: a name the new release wrote that varchar(10) cannot hold)
// holds every other phase back: db version -v listed the records and said
// nothing of it; it says so, with what finishes it, in text and JSON.
func TestVersionShowsRollbackInProgress(t *testing.T) {
	t.Parallel()
	a := "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(10)\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	b := strings.Replace(a, "varchar(10)", "varchar(50)", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(strings.Replace(b, "  primary_key", "  column \"note\" {\n    type = int\n    null = true\n  }\n  primary_key", 1)))
	p.must("plan")
	if _, err := os.Stat(filepath.Join(p.Dir, "plans", "b", "b_rollback02.sql")); err != nil || !strings.Contains(p.read("plans/b/b_rollback01.sql"), "-- emcee:gate") {
		t.Fatalf("the test needs b_rollback02 and b_rollback01 gated: %v", err)
	}
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO t (id, name) VALUES (1, 'a-longer-name')")
	if r := p.run("db", "rollback", "--allow-copy"); r.Code != 7 {
		t.Fatalf("rollback over a name varchar(10) cannot hold: %s", r)
	}
	const during = "a rollback of b is in progress (b_rollback02 applied)"
	// What is left copies t: the rollback needs --allow-copy (or --osc), and the
	// command the next line gives carries it.
	const next = "run `emcee db rollback --allow-copy --env test` to finish it (the server copies t, which blocks writes while it runs), or `emcee db rollback --osc pt-osc --env test` to copy while writes continue"
	opContains(t, p.must("db", "version", "-v"), during, "next: "+next)
	doc := cliDoc(t, "json", p.must("db", "version", "-v", "--format", "json"))
	if rolling, _ := doc["rolling_back"].(string); !strings.HasPrefix(rolling, during) || doc["next"] != next {
		t.Fatalf("version -v in JSON: %v", doc)
	}
	p.exec("UPDATE t SET name = 'short' WHERE id = 1")
	p.must("db", "rollback", "--allow-copy")
	if v := p.must("db", "version", "-v"); strings.Contains(v.Stdout, "in progress") {
		t.Fatalf("version -v after the rollback finished: %s", v)
	}
}
