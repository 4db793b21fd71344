package e2e

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

// keyTable is a table whose primary key is the column id of type typ.
func keyTable(typ string) string {
	return `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = ` + typ + `
  }
  column "name" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
}

// A backfill batches on its table's primary key, and records the last key
// done and the bound in the version table, to resume from. Keys that are
// not integers or plain text did not survive the trip: a BINARY(16) key
// (a UUID) and a VARCHAR key longer than 255 characters were refused by
// the version table, a DATETIME or DATE key came back in RFC 3339, which
// the batch's strict UPDATE refused, and a BIT key as bytes compared as a
// number; each failed every migrate run with "fix the cause and rerun".
// A FLOAT key's bound was read to six digits, below the largest key: that
// row was never backfilled, and migrate said complete. Each migrate here
// stops after a few batches (--max-rows) and resumes from its record.
func TestAttackBackfillKeysOfEveryType(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ typ, key string }{
		{"binary(16)", "UNHEX(MD5(seq))"},
		{"varchar(400)", "CONCAT(REPEAT('k', 300), LPAD(seq, 5, '0'))"},
		{"datetime(6)", "TIMESTAMP('2024-01-01') + INTERVAL seq*1001 MICROSECOND"},
		{"date", "DATE('2024-01-01') + INTERVAL seq DAY"},
		{"timestamp", "TIMESTAMP('2024-01-01') + INTERVAL seq SECOND"},
		{"bit(8)", "seq"},
		{"float", "seq / 7 + 1000"},
	} {
		t.Run(c.typ, func(t *testing.T) {
			t.Parallel()
			a := keyTable(c.typ)
			b := a + `data_migration "dm" {
  table   = "t"
  set     = "name = 'x'"
  pending = "name IS NULL"
}
`
			p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
			p.must("plan")
			p.must("db", "sync", "a")
			p.exec("INSERT INTO t (id) SELECT " + c.key + " FROM seq_1_to_50")
			p.must("db", "expand")
			if r := p.run("db", "migrate", "--batch-size", "7", "--max-rows", "20"); r.Code != 0 {
				t.Fatalf("migrate (stopped after 20 rows): %s", r)
			}
			if got := p.query("SELECT COUNT(*) FROM t WHERE name IS NULL"); got != "30" {
				t.Errorf("after 20 rows: %s rows pending, want 30", got)
			}
			r := p.run("db", "migrate", "--batch-size", "7")
			if r.Code != 0 {
				t.Fatalf("migrate (resumed): %s", r)
			}
			if c.typ == "binary(16)" {
				// Its bytes are no text: shown as the server's 0x literal.
				opContains(t, r, "resuming after id = 0x")
			}
			if got := p.query("SELECT COUNT(*) FROM t WHERE name IS NULL"); got != "0" {
				t.Errorf("migrate is complete, and %s of the 50 rows were never backfilled", got)
			}
		})
	}
}

// db baseline recorded the release's revisions one INSERT at a time. A
// run that died between two of them (killed, its connection lost) left
// the database recorded at a version it is not at: the rerun was refused
// ("already under emcee control"), and contract ran the revisions the
// dead run had not recorded on a database that already held them. The
// records are one transaction now: all of them or none. Here the version
// table refuses the second record, as a connection lost there would.
func TestAttackBaselineKilledBetweenItsRecords(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"c\" {\n    type = int\n    null = true\n  }\n  primary_key {", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync")
	p.exec("DELETE FROM emcee_revisions")
	p.exec("CREATE TRIGGER lost BEFORE INSERT ON emcee_revisions FOR EACH ROW BEGIN IF (SELECT COUNT(*) FROM emcee_revisions) > 0 THEN SIGNAL SQLSTATE '08S01' SET MESSAGE_TEXT = 'connection lost'; END IF; END")
	if r := p.run("db", "baseline", "b"); r.Code == 0 {
		t.Fatalf("baseline passed the version table's refusal: %s", r)
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions"); got != "0" {
		t.Errorf("the failed baseline left %s of its records: the database is recorded at %s", got, p.version())
	}
	p.exec("DROP TRIGGER lost")
	r := p.must("db", "baseline", "b")
	opContains(t, r, "placed under emcee control at release b")
	if got := p.version(); got != "b_expand01, b_contract01" {
		t.Errorf("version after the rerun: %s", got)
	}
}

// db diff takes no lock. Run while another run's pt-online-schema-change
// copied a table, it reported the tool's copy and triggers as drift and
// told the operator to "drop what is unexpected": dropping the tool's
// triggers mid-copy loses every write made to the table from then until
// the swap. A run holding the operator lock is reported instead (by every
// comparison made without the lock: a dry run's drift check too).
func TestAttackDiffDuringARun(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 20000, false, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	run := p.command("db", "expand")
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	// The last row, held, keeps the tool at its last chunk.
	ctx := context.Background()
	holder, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "SELECT id FROM events ORDER BY id DESC LIMIT 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	d := p.run("db", "diff")
	if _, err := holder.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := run.Wait(); err != nil {
		t.Fatalf("expand: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if strings.Contains(d.Stdout, "drop what is unexpected") || strings.Contains(d.Stdout, "_events_new") {
		t.Fatalf("db diff during the run told the operator to drop the tool's copy and triggers:\n%s", d)
	}
	if d.Code != 1 {
		t.Fatalf("db diff during the run: %s", d)
	}
	opContains(t, d, "another emcee run is changing the database", "nothing was compared", "rerun once it has finished")
	p.must("db", "diff")
}

// With binlog_format = STATEMENT the server writes a backfill's UPDATE to
// the binary log as the statement, and each replica runs it again: a
// backfill that calls UUID() (a new column of tokens) or RAND() gave every
// replica other values than the primary's, with only a warning (1592) that
// emcee never read, and migrate said complete. Such a batch is rolled back
// before it commits, so nothing reaches the binary log, and migrate stops.
func TestAttackBackfillUnsafeForStatementBinlog(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{LogBin: true, Args: []string{"--binlog-format=STATEMENT"}})
	a := keyTable("int")
	b := strings.Replace(a, "  primary_key {", "  column \"token\" {\n    type = char(36)\n    null = true\n  }\n  primary_key {", 1) + `data_migration "tokens" {
  table   = "t"
  set     = "token = UUID()"
  pending = "token IS NULL"
}
`
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) SELECT seq FROM seq_1_to_30")
	p.must("db", "expand")
	r := p.run("db", "migrate", "--batch-size", "10")
	if r.Code == 0 {
		t.Fatalf("migrate wrote UUID()s that every replica computes anew: %s", r)
	}
	opContains(t, r, "binlog_format", "STATEMENT", "ROW or MIXED")
	if got := p.query("SELECT COUNT(*) FROM t WHERE token IS NOT NULL"); got != "0" {
		t.Errorf("%s rows got a token only the primary has", got)
	}
	// A table without a single-column key is backfilled in one UPDATE:
	// refused the same.
	pair := strings.Replace(strings.Replace(b, "columns = [column.id]", "columns = [column.id, column.name]", 1), "    null = true\n  }\n  column \"token\"", "    null = false\n  }\n  column \"token\"", 1)
	if pair == b {
		t.Fatal("the test no longer builds the table without a single-column key")
	}
	q := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", strings.Replace(strings.Replace(a, "columns = [column.id]", "columns = [column.id, column.name]", 1), "type = varchar(20)\n    null = true", "type = varchar(20)\n    null = false", 1)}, [2]string{"b", pair})
	q.must("db", "sync", "a")
	q.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_30")
	q.must("db", "expand")
	if r := q.run("db", "migrate"); r.Code == 0 || !strings.Contains(r.Stderr, "binlog_format = STATEMENT") {
		t.Fatalf("migrate of a table without a single-column key: %s", r)
	}
	if got := q.query("SELECT COUNT(*) FROM t WHERE token IS NOT NULL"); got != "0" {
		t.Errorf("one UPDATE: %s rows got a token only the primary has", got)
	}
	// Under MIXED the server logs such a statement as the rows it wrote.
	p.exec("SET GLOBAL binlog_format = 'MIXED'")
	p.must("db", "migrate", "--batch-size", "10")
	if got := p.query("SELECT COUNT(*) FROM t WHERE token IS NULL"); got != "0" {
		t.Errorf("%s rows left without a token under binlog_format = MIXED", got)
	}
}

// A statement sent without confirmation (the run killed, its connection
// lost) is sent again, and the server's "already there" answer counts it
// applied. Adding a primary key (contract's add-primary-key, a rebuild of
// the whole table, the statement most likely to be running when a run is
// killed) is answered with 1068, "multiple primary key defined", which was
// not counted: every rerun of contract failed on it, db forget refused (the
// key is there), and only an edit of the version table got the database
// out.
func TestAttackResentPrimaryKeyCountsAsApplied(t *testing.T) {
	t.Parallel()
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(20)
    null = true
  }
}
`
	b := strings.Replace(a, "    null = true\n  }\n", "    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id) SELECT seq FROM seq_1_to_100")
	p.must("db", "expand")
	p.must("db", "migrate")
	release := p.holdMDL("t")
	p.killWhileWaiting("ALTER TABLE `t` ADD PRIMARY KEY", false, "db", "contract")
	release() // the dead run's ALTER now runs on the server
	p.waitFor("the dead run's ALTER to add the key", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 't' AND CONSTRAINT_TYPE = 'PRIMARY KEY'") == "1"
	})
	r := p.run("db", "contract")
	if r.Code != 0 {
		t.Fatalf("contract after a run killed while adding the primary key: %s", r)
	}
	opContains(t, r, "the server had applied it")
	p.must("db", "diff")
}

// A column declared ON UPDATE CURRENT_TIMESTAMP (updated_at) is set by
// the server on every row an UPDATE changes, unless the UPDATE names it.
// A backfill named only the columns it fills: every row of the table was
// stamped with the time of the migrate, and the time the application last
// changed it (what its sync jobs, caches and reports read) was lost for
// every row. A batched backfill and one UPDATE (a table without a
// single-column key) keep it now.
func TestAttackBackfillKeepsOnUpdateTimestamps(t *testing.T) {
	t.Parallel()
	stamped := func(key string) string {
		return strings.Replace(strings.Replace(keyTable("int"), "  primary_key {", "  column \"updated_at\" {\n    type      = timestamp\n    default   = sql(\"CURRENT_TIMESTAMP\")\n    on_update = sql(\"CURRENT_TIMESTAMP\")\n  }\n  primary_key {", 1), "columns = [column.id]", key, 1)
	}
	filled := func(a string) string {
		return strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	}
	for _, key := range []string{"columns = [column.id]", "columns = [column.id, column.updated_at]"} {
		a := stamped(key)
		p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", filled(a)})
		p.must("plan")
		p.must("db", "sync", "a")
		p.exec("INSERT INTO t (id, name, updated_at) SELECT seq, 'n', '2020-01-01 00:00:00' FROM seq_1_to_20")
		p.must("db", "expand")
		dry := p.must("db", "migrate", "--dry-run")
		opContains(t, dry, "`updated_at`=`updated_at`")
		p.must("db", "migrate", "--batch-size", "7")
		if got := p.query("SELECT COUNT(*) FROM t WHERE upper_name = 'N'"); got != "20" {
			t.Fatalf("%s: %s of 20 rows backfilled", key, got)
		}
		if got := p.query("SELECT COUNT(*) FROM t WHERE updated_at <> '2020-01-01 00:00:00'"); got != "0" {
			t.Errorf("primary key %s: the backfill stamped %s of 20 rows with its own time", key, got)
		}
	}
}

// Migrate's catch-up (rows the previous release wrote after the backfill
// passed them) keeps ON UPDATE timestamps too, and its dry run shows the
// statement it sends, written from the tree: it showed the plan's text with
// the key range appended as text, without the timestamps it keeps.
func TestAttackCatchUpKeepsOnUpdateTimestamps(t *testing.T) {
	t.Parallel()
	a := strings.Replace(keyTable("int"), "  primary_key {", "  column \"updated_at\" {\n    type      = timestamp\n    default   = sql(\"CURRENT_TIMESTAMP\")\n    on_update = sql(\"CURRENT_TIMESTAMP\")\n  }\n  primary_key {", 1)
	b := a + `data_migration "dm" {
  table   = "t"
  set     = "name = 'x'"
  pending = "name IS NULL"
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.must("db", "migrate")
	// Written by the previous release after the data migration ran.
	p.exec("INSERT INTO t (id, updated_at) SELECT seq, '2020-01-01 00:00:00' FROM seq_1_to_10")
	dry := p.must("db", "migrate", "--dry-run")
	opContains(t, dry, "UPDATE `t` SET `name`='x', `updated_at`=`updated_at` WHERE (`name` IS NULL) AND `id` > ? AND `id` <= ?;")
	r := p.must("db", "migrate")
	opContains(t, r, "caught up")
	if got := p.query("SELECT COUNT(*) FROM t WHERE name = 'x' AND updated_at = '2020-01-01 00:00:00'"); got != "10" {
		t.Errorf("%s of the 10 rows caught up kept the time the application wrote them", got)
	}
}
