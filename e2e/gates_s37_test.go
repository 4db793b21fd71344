package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// replannedProject is release a, and b planned first as b1, then again as
// b2 (its later revisions b_*02), on a database synced to a.
func replannedProject(t *testing.T, a, b1, b2 string) *opProject {
	t.Helper()
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b1})
	p.must("plan")
	opWrite(t, filepath.Join(p.Dir, "schema", "b.hcl"), []byte(b2))
	p.must("plan")
	p.must("db", "sync", "a")
	return p
}

// migratedProject is release a's table t (legacy), and b (its release
// file), planned; the rows inserted at a, then b expanded and migrated.
func migratedProject(t *testing.T, b, rows string) *opProject {
	t.Helper()
	p := newSchemaProject(t, [2]string{"a", gateTable(gateColumn("legacy", "int", ""), "", "")}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t VALUES " + rows)
	p.must("db", "expand")
	p.must("db", "migrate")
	return p
}

// gateTable is table t (id, name, then the given columns), with the given
// index blocks, and the data migrations after it.
func gateTable(columns, indexes, migrations string) string {
	return "schema \"app\" {}\n\ntable \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"name\" {\n    type = varchar(20)\n    null = true\n  }\n" + columns +
		"  primary_key {\n    columns = [column.id]\n  }\n" + indexes + "}\n" + migrations
}

// gateColumn is a nullable int column block, with extra attributes.
func gateColumn(name, typ, extra string) string {
	return "  column \"" + name + "\" {\n    type = " + typ + "\n    null = true\n" + extra + "  }\n"
}

const (
	deleteLegacy = "\ndata_migration \"legacy_rows\" {\n  table  = \"t\"\n  delete = \"legacy = 1\"\n}\n"
	uniqueName   = "  index \"uk_name\" {\n    unique  = true\n    columns = [column.name]\n  }\n"
)

// Migrate whose backfill leaves rows pending (the copy of a rename, from a
// NULL) counts contract's gates to say whether contract is blocked by
// data. It ran b_contract02's unique gate against the rows b_contract01
// deletes first (legacy = 1, and legacy dropped after): duplicate names
// among them made migrate exit 7, "contract blocked by data", for a
// contract that applies. It leaves that gate to contract, as db check does.
func TestMigrateCatchUpGateWaitsForEarlierContract(t *testing.T) {
	t.Parallel()
	note := gateColumn("note", "varchar(20)", "")
	memo := gateColumn("memo", "varchar(20)", "    renamed_from = \"note\"\n")
	p := replannedProject(t,
		gateTable(gateColumn("legacy", "int", "")+note, "", ""),
		gateTable(memo, "", deleteLegacy),
		gateTable(memo, uniqueName, deleteLegacy))
	if c2 := p.read("plans/b/b_contract02.sql"); strings.Contains(c2, "legacy") || !strings.Contains(p.read("plans/b/b_contract01.sql"), "DROP COLUMN `legacy`") {
		t.Fatalf("the test needs b_contract01 deleting by legacy and dropping it, b_contract02's unique gate:\n%s", c2)
	}
	p.exec("INSERT INTO t VALUES (1, 'x', 0, 'n'), (2, 'x', 1, NULL), (3, 'y', 1, NULL)")
	p.must("db", "expand")
	p.must("db", "migrate")
	r := p.run("db", "migrate")
	if r.Code != 0 {
		t.Fatalf("migrate again, its copy leaving rows 2 and 3 pending: %s", r)
	}
	opContains(t, r, "migrate of b")
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"); got != "1" {
		t.Fatalf("rows kept: %s", got)
	}
}

// b_contract01 deletes the rows where legacy = 1 and keeps legacy;
// b_contract02's unique gate leaves those rows out by legacy = 1, as
// planned while b_contract01 had not run. Once it has, a row legacy = 1
// was written after the delete, and no statement deletes it: the gate
// passed over duplicate names among such rows, and the ALTER adding
// uk_name failed (1062) on every rerun. The gate counts them once the
// delete has run, for contract and db check alike.
func TestContractGateCountsRowsWrittenAfterAnEarlierDelete(t *testing.T) {
	t.Parallel()
	p := contractProject(t, false)
	p.exec("INSERT INTO t VALUES (1, 'x', 0), (2, 'x', 0), (3, 'y', 1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	if r := p.run("db", "contract"); r.Code != 7 || p.version() != "b_expand02, b_contract01" {
		t.Fatalf("contract over duplicates of x: %s", r)
	}
	p.exec("DELETE FROM t WHERE id = 2")
	p.exec("INSERT INTO t VALUES (4, 'z', 1), (5, 'z', 1)")
	for _, args := range [][]string{{"db", "contract"}, {"db", "check"}} {
		r := p.run(args...)
		if r.Code != 7 {
			t.Fatalf("%s over duplicates of z written after b_contract01's delete: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "gate add-unique-index: 2 rows")
	}
	p.exec("UPDATE t SET name = 'w' WHERE id = 5")
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"); got != "1,4,5" {
		t.Fatalf("rows kept: %s", got)
	}
}

// A contract revision that deleted the rows legacy = 1 and stopped before
// its ALTER adding uk_name resumes at the ALTER, its gates checked again
// first; the unique gate left the delete's rows out, and two rows
// legacy = 1 written since holding one name passed it: the ALTER failed
// (1062), and so on every rerun. The rerun counts them: blocked by data.
func TestResumedContractGateCountsRowsWrittenAfterItsDelete(t *testing.T) {
	t.Parallel()
	p := migratedProject(t, gateTable(gateColumn("legacy", "int", ""), uniqueName, deleteLegacy), "(1, 'x', 0), (2, 'x', 1), (3, 'y', 1)")
	release := p.holdMDL("t")
	p.killWhileWaiting("ALTER TABLE `t` ADD UNIQUE", true, "db", "contract")
	release()
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM t"); got != "1" {
		t.Fatalf("the killed run did not delete the legacy rows: %s", got)
	}
	p.exec("INSERT INTO t VALUES (4, 'z', 1), (5, 'z', 1)")
	r := p.run("db", "contract")
	if r.Code != 7 {
		t.Fatalf("contract resumed over duplicates of z written after its delete: %s", r)
	}
	opContains(t, r, "gate add-unique-index: 2 rows")
	p.exec("UPDATE t SET name = 'w' WHERE id = 5")
	p.must("db", "contract")
}

// The rows b's delete removes first (legacy = 1) need neither the value
// fill gives slug nor the rewrite of data_migration "todo": the gates of
// both counted them, and contract was blocked by data over rows it was
// about to delete (the fill yields NULL for an empty name; the rewrite
// leaves a legacy row as it is). They leave those rows out, as the gates
// of keys, checks and tightenings do.
func TestFillAndRewriteGatesLeaveOutTheRowsADeleteRemoves(t *testing.T) {
	t.Parallel()
	legacy := gateColumn("legacy", "int", "")
	slug := "  column \"slug\" {\n    type = varchar(20)\n    fill = \"NULLIF(name, '')\"\n  }\n"
	todo := "\ndata_migration \"todo\" {\n  table   = \"t\"\n  set     = \"name = IF(legacy = 1, name, 'done')\"\n  pending = \"name = 'todo'\"\n}\n"
	p := migratedProject(t, gateTable(legacy+slug, "", todo+deleteLegacy), "(1, 'todo', 0), (2, '', 1), (3, 'todo', 1)")
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(id, ':', name, ':', slug ORDER BY id) FROM t"); got != "1:done:todo" {
		t.Fatalf("rows after contract: %s", got)
	}
}

// Two deletes of t, each keeping some rows, none the same: each delete's
// gate against emptying the table counted the rows it alone keeps, and
// contract deleted every row unseen. Each counts the rows both keep.
func TestDeletesEmptyingATableTogetherStopContract(t *testing.T) {
	t.Parallel()
	legacy := gateColumn("legacy", "int", "")
	rest := "\ndata_migration \"current_rows\" {\n  table  = \"t\"\n  delete = \"legacy = 0\"\n}\n"
	p := migratedProject(t, gateTable(legacy, "", deleteLegacy+rest), "(1, 'x', 1), (2, 'y', 0)")
	r := p.run("db", "contract")
	if r.Code != 7 {
		t.Fatalf("contract whose two deletes empty t: %s", r)
	}
	opContains(t, r, `the delete of data_migration "legacy_rows" selects every row of t that data_migration "current_rows" keeps`, "gate data-migration: 2 rows")
	if got := p.query("SELECT COUNT(*) FROM t"); got != "2" {
		t.Fatalf("rows after the refused contract: %s", got)
	}
	p.exec("INSERT INTO t VALUES (3, 'z', NULL)")
	p.must("db", "contract")
	if got := p.query("SELECT GROUP_CONCAT(id) FROM t"); got != "3" {
		t.Fatalf("rows kept: %s", got)
	}
}
