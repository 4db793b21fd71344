package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// A backfill of a table without a single-column primary key runs as one
// UPDATE. It ignored --max-rows (all 20 rows written under --max-rows 5)
// and the throttles (written under --critical-load Threads_connected=1,
// which emcee's own connection reaches): the operator who limits a run to
// a chunk, or stops it on load, got the whole table rewritten at once.
func TestAttackOneUpdateBackfillHonoursMaxRowsAndLoad(t *testing.T) {
	t.Parallel()
	a := strings.Replace(keyTable("int"), "columns = [column.id]", "columns = [column.id, column.name]", 1)
	a = strings.Replace(a, "type = varchar(20)\n    null = true", "type = varchar(20)\n    null = false", 1)
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"UPPER(name)\"\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand")
	filled := func() string { return p.query("SELECT COUNT(*) FROM t WHERE upper_name IS NOT NULL") }
	r := p.run("db", "migrate", "--max-rows", "5")
	if got := filled(); got != "0" {
		t.Fatalf("migrate --max-rows 5 backfilled %s rows in one UPDATE: %s", got, r)
	}
	opContains(t, r, "stopped by --max-rows", "one UPDATE", "20 pending rows", "--max-rows 20 or more")
	r = p.run("db", "migrate", "--critical-load", "Threads_connected=1")
	if got := filled(); got != "0" {
		t.Fatalf("migrate --critical-load Threads_connected=1 backfilled %s rows: %s", got, r)
	}
	opContains(t, r, "stopped by --critical-load")
	p.must("db", "migrate", "--max-rows", "20")
	if got := filled(); got != "20" {
		t.Fatalf("migrate --max-rows 20: %s of 20 rows backfilled", got)
	}
}

// With binlog_format = STATEMENT the server logs the application's INSERT,
// and each replica runs it again, its triggers too: a fill trigger calling
// UUID() (a column of tokens) wrote other tokens on every replica than on
// the primary (a primary and a replica started by hand: same RAND(), other
// UUID() and SYSDATE()), with only a warning (1592) the application never
// reads. The backfill is refused at migrate (TestAttackBackfillUnsafeFor-
// StatementBinlog), but expand had created the trigger by then. Expand
// refuses it now, before it changes anything.
func TestAttackUnsafeTriggerForStatementBinlog(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{LogBin: true, Args: []string{"--binlog-format=STATEMENT"}})
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"token\" {\n    type = char(36)\n    null = false\n    fill = \"UUID()\"\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	r := p.run("db", "expand")
	if r.Code == 0 {
		t.Fatalf("expand created a trigger writing UUID()s every replica computes anew: %s", r)
	}
	opContains(t, r, "binlog_format = STATEMENT", "trigger emcee_t_b_", "plans/b/b_expand01.sql:", "binlog_format = MIXED or ROW", "nothing was changed")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("%s triggers created", got)
	}
	// Under MIXED the server logs such a statement as the rows it wrote.
	p.exec("SET GLOBAL binlog_format = 'MIXED'")
	p.must("db", "expand")
}

// The application's own triggers on a table fire for every row a backfill
// writes: an audit trigger logs each, a trigger stamping updated_at with
// NOW() stamps every row with the time of the migrate. emcee cannot run
// an UPDATE without them; migrate said nothing of it. It names them now,
// before the backfill's first row.
func TestAttackBackfillNamesApplicationTriggers(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("CREATE TABLE audit (id int, at datetime(6))")
	p.exec("CREATE TRIGGER app_audit AFTER UPDATE ON t FOR EACH ROW INSERT INTO audit VALUES (NEW.id, NOW(6))")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand", "--allow-drift")
	r := p.must("db", "migrate", "--allow-drift")
	if got := p.query("SELECT COUNT(*) FROM audit"); got != "20" {
		t.Fatalf("audit rows: %s", got)
	}
	opContains(t, r, "fires for each the UPDATE triggers of the table that emcee did not create: `app_audit`")
	if strings.Contains(r.Stdout, "`emcee_t_b_") {
		t.Errorf("emcee's own triggers named as the application's:\n%s", r)
	}
}
