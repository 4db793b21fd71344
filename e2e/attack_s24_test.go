package e2e

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// A table without a primary key had a column's lost values put back by
// an UPDATE finding each row by its other columns: once the previous
// release, serving again after the rollback, changed one of them (a tag
// renamed), that row's UPDATE matched nothing, and the restore exited 0
// with its value gone; rows alike in every other column got each other's
// values. Such a column gets no commands now, and the refusal says why.
func TestAttackKeylessColumnRestoreMissesNoRowSilently(t *testing.T) {
	t.Parallel()
	a := `schema "app" {}

table "tags" {
  schema = schema.app
  column "image" {
    type = varchar(64)
  }
  column "tag" {
    type = varchar(64)
  }
}
`
	b := strings.Replace(a, "  column \"tag\" {", "  column \"colour\" {\n    type = varchar(16)\n    null = true\n  }\n  column \"tag\" {", 1)
	p := plannedProjectOn(t, testdb.New(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO tags (image, tag, colour) VALUES ('img-1', 'new', 'red'), ('img-2', 'new', 'blue')")
	r := p.run("db", "rollback")
	if r.Code != 1 {
		t.Fatalf("rollback: want the refusal: %s", r)
	}
	if strings.Contains(r.Stderr, "--execute=") {
		// The commands given must put every value back, or fail.
		losses, dir := copyOutAndRollBack(t, p)
		p.exec("UPDATE tags SET tag = 'renamed' WHERE image = 'img-1'")
		p.must("db", "expand")
		cmd := exec.Command("sh", "-c", losses[0].Restore)
		cmd.Dir = dir
		r := opRunCmd(t, cmd)
		if got := p.query("SELECT COUNT(*) FROM tags WHERE colour IS NOT NULL"); got != "2" && r.Code == 0 {
			t.Fatalf("the restore put back %s of 2 values and exited 0: %s", got, r)
		}
		return
	}
	opContains(t, r, "column tags.colour: 2 row(s)", "no command to copy out tags.colour: table tags has no primary key", "ways out")
}

// A table a rollback drops was copied out by the dump tool, which writes
// the values of its generated columns too; a strict restore refuses them
// (MariaDB's error 1906), so a table with one was put back in a sql_mode
// that was not strict: once the release was rewritten with a shorter
// column and expanded again, 'a name longer than ten' went back as 'a
// name lon', the restore exiting 0. The copy-out names the columns it
// writes, the generated ones left out, and the restore is strict.
func TestAttackTableRestoreOfGeneratedColumnsIsStrict(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := a + `
table "extra" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "name" {
    type = varchar(100)
  }
  column "shout" {
    type = varchar(200)
    null = true
    as {
      expr = "UPPER(` + "`name`" + `)"
      type = PERSISTENT
    }
  }
  primary_key {
    columns = [column.id]
  }
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec("INSERT INTO extra (id, name) VALUES (1, 'a name longer than ten'), (2, 'short')")
	restoreIntoAShorterColumn(t, p, b, "extra", "name")
}

// A backfill run as one UPDATE checked the throttles once, before its
// first attempt: a deadlock or lock wait timeout tried the whole UPDATE
// again seconds later without looking again, so a server that crossed
// --critical-load meanwhile (here the first attempt's own lock wait, on a
// private server where nothing else waits) got the whole table rewritten.
// They are checked before every attempt now.
func TestAttackOneUpdateBackfillChecksThrottlesBeforeARetry(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	a := strings.Replace(keyTable("int"), "columns = [column.id]", "columns = [column.id, column.name]", 1)
	a = strings.Replace(a, "type = varchar(20)\n    null = true", "type = varchar(20)\n    null = false", 1)
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"UPPER(name)\"\n  }\n  primary_key {", 1)
	db := *srv.NewDB(t)
	db.URL += "?lock_wait_timeout=1"
	p := plannedProjectOn(t, &db, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO t (id, name) SELECT seq, 'n' FROM seq_1_to_20")
	p.must("db", "expand")
	holder, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.Exec("SELECT * FROM t WHERE id = 1 FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	run := p.start("db", "migrate", "--critical-load", "Innodb_row_lock_waits=1")
	p.waitFor("the UPDATE's first lock wait timeout, or migrate to end", func() bool {
		return exited(run.cmd) || strings.Contains(run.out.String(), "retry 1 of")
	})
	holder.Rollback()
	r := run.wait(t)
	if got := p.query("SELECT COUNT(*) FROM t WHERE upper_name = 'N'"); got != "0" {
		t.Fatalf("migrate --critical-load Innodb_row_lock_waits=1 retried the one UPDATE past it, %s rows backfilled: %s", got, r)
	}
	opContains(t, r, "retry 1 of", "stopped by --critical-load: Innodb_row_lock_waits is 1 (limit 1), before the backfill's one UPDATE")
}

// A contract whose run stopped after pt-online-schema-change had swapped
// in the table it altered (killed before it recorded so) was refused on
// the rerun "before it ran anything", the check of the tool's statements
// reading the table already altered: the shortening of a NO PAD key,
// which an emcee that handed such keys to the tool had run. The rerun
// finds first that the tool had finished, and counts the statement. (The
// NO PAD collation is the database's, which the plans were not computed
// for: every run goes on past that refusal with --allow-drift.)
func TestAttackOSCResumeAfterTheSwapIsNotRefusedAsUnrun(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	a := padKeyTable()
	b := strings.Replace(a, "type = varchar(40)", "type = varchar(20)\n    allow_copy = true", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.exec("ALTER DATABASE " + p.query("SELECT DATABASE()") + " CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin")
	p.must("db", "sync", "--allow-drift", "a")
	p.exec("INSERT INTO t (id, code) VALUES (1, 'k1'), (2, 'k2')")
	p.must("db", "expand", "--allow-drift")
	p.must("db", "migrate", "--allow-drift")
	p.must("db", "contract", "--allow-drift")
	n := p.query("SELECT total FROM emcee_revisions WHERE name = 'b_contract01'")
	// What the record held between the tool's swap and its record.
	p.exec(`UPDATE emcee_revisions SET applied = ` + n + ` - 1, in_flight = 1, finished_at = NULL, osc = '{"running":{"statement":` + n + `,"tool":"pt-online-schema-change 3.2.1","table":"t"}}' WHERE name = 'b_contract01'`)
	// Had the tool not finished, the statement is checked before it
	// goes to the tool again.
	p.exec("ALTER TABLE t MODIFY code varchar(40) NOT NULL")
	r := p.run("db", "contract", "--allow-drift", "--osc", "pt-osc")
	if r.Code != 1 {
		t.Fatalf("rerun handed a NO PAD key's shortening to the tool: %s", r)
	}
	opContains(t, r, "b_contract01 stopped, statement "+n+" not handed to pt-online-schema-change 3.2.1 again", "a column of unique key `u_code`")
	p.exec("ALTER TABLE t MODIFY code varchar(20) NOT NULL")
	r = p.run("db", "contract", "--allow-drift", "--osc", "pt-osc")
	if r.Code != 0 {
		t.Fatalf("rerun after the tool had swapped the tables: %s", r)
	}
	opContains(t, r, "had swapped in the altered table before the run stopped: counted as applied", "b_contract01 applied")
}

// A backfill batched on its table's primary key, read and compared as
// text in the application's time zone: a TIMESTAMP key in the hour a zone's
// clocks go back names two instants with one text, and batches bounded
// there skipped rows. On a server in Europe/Berlin, 180 rows a minute
// apart across 2026-10-25's fall-back: 53 left unfilled, migrate saying
// applied, then "complete: nothing to migrate". Such keys then took one
// UPDATE of the whole table. They batch on instants now: stopped in each
// pass of the hour, killed there, resumed, every row filled, each counted
// once; each batch a range of the key's index.
func TestAttackTimestampKeyBackfillAcrossAFallBackHour(t *testing.T) {
	t.Parallel()
	berlin := []string{"TZ=Europe/Berlin"} // the server's SYSTEM zone, and emcee's
	srv := testserver.Start(t, testserver.Options{Env: berlin})
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "at" {
    type = timestamp
  }
  column "name" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.at]
  }
}
`
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.env = berlin
	p.must("db", "sync", "a")
	p.exec("SET time_zone = '+00:00'")
	// 00:00 to 03:59 UTC: the clocks go back from 03:00 CEST to 02:00 CET at 01:00 UTC.
	p.exec("INSERT INTO t (at, name) SELECT FROM_UNIXTIME(1792886400 + seq * 60), 'n' FROM seq_0_to_239")
	p.must("db", "expand")
	dry := p.must("db", "migrate", "--batch-size", "7", "--dry-run")
	opContains(t, dry, "-- runs in batches of 7 keys")
	var batch string
	for _, l := range strings.Split(dry.Stdout, "\n") {
		if strings.HasPrefix(l, "UPDATE `t`") {
			batch = l
		}
	}
	if !strings.HasSuffix(batch, " AND `at` >= ? AND UNIX_TIMESTAMP(`at`) > ? AND `at` <= ? AND UNIX_TIMESTAMP(`at`) <= ?;") {
		t.Fatalf("batch statement: %q\n%s", batch, dry)
	}
	// The batch after the first pass's 00:30 UTC to the second pass's 01:10.
	p.exec("SET time_zone = 'SYSTEM'")
	explain := strings.TrimSuffix(batch, ";")
	for _, v := range []string{"'2026-10-25 01:30:00'", "1792888200", "'2026-10-25 03:10:00'", "1792890600"} {
		explain = strings.Replace(explain, "?", v, 1)
	}
	if got := p.query("SELECT COUNT(*) FROM t WHERE " + explain[strings.Index(explain, " WHERE ")+7:]); got != "40" {
		t.Errorf("the batch from 00:30 to 01:10 UTC selects %s rows, want 40", got)
	}
	if got := p.query("EXPLAIN " + explain); !strings.Contains(got, " range PRIMARY PRIMARY ") {
		t.Errorf("EXPLAIN of a batch: %s, want a range of PRIMARY", got)
	}
	progress := func() string {
		return p.query("SELECT CONCAT_WS(' ', (SELECT COUNT(*) FROM t WHERE upper_name IS NOT NULL), rows_done, resume_key) FROM emcee_revisions WHERE name = 'b_migrate01'")
	}
	// Stopped in the first pass of the hour (00:48 UTC, 02:48 CEST), then
	// in the second (01:16 UTC, 02:16 CET).
	r := p.must("db", "migrate", "--batch-size", "7", "--max-rows", "49")
	opContains(t, r, "stopped by --max-rows after 49 rows")
	if got := progress(); got != "49 49 1792889280" {
		t.Fatalf("filled, counted, resume key after --max-rows 49: %s", got)
	}
	r = p.must("db", "migrate", "--batch-size", "7", "--max-rows", "28")
	opContains(t, r, "resuming after UNIX_TIMESTAMP(at) = 1792889280 (bound UNIX_TIMESTAMP(at) = 1792900740", "stopped by --max-rows after 28 rows")
	if got := progress(); got != "77 77 1792890960" {
		t.Fatalf("filled, counted, resume key after --max-rows 28: %s", got)
	}
	// Killed in a batch that waits for a row an application holds (03:20
	// UTC: past the rows a batch of the hour after the fall-back takes in).
	_, release := p.lockRows("SET time_zone = '+00:00'", "SELECT * FROM t WHERE at = '2026-10-25 03:20:00' FOR UPDATE")
	run := p.start("db", "migrate", "--batch-size", "7", "--lock-timeout", "60s")
	p.waitFor("the batch to wait for the held row", func() bool {
		return exited(run.cmd) || strings.Contains(run.out.String(), "backfill batch of t after UNIX_TIMESTAMP(at) = 1792898100: Error 1205")
	})
	if exited(run.cmd) {
		t.Fatalf("migrate ended before the held row: %s", run.wait(t))
	}
	_ = run.cmd.Process.Kill()
	run.wait(t)
	release()
	if got := progress(); got != "196 196 1792898100" {
		t.Fatalf("filled, counted, resume key after kill -9: %s", got)
	}
	r = p.must("db", "migrate", "--batch-size", "7")
	opContains(t, r, "resuming after UNIX_TIMESTAMP(at) = 1792898100 (bound", "44 rows pending up to", "44 rows backfilled by this run (240 in all)")
	if got := progress(); got != "240 240" {
		t.Fatalf("filled, counted at the end: %s\n%s", got, r)
	}
}

// An emcee before instants recorded a TIMESTAMP key's progress as its
// time in the application's zone (RFC 3339, read through the driver): such
// a record resumes at the instant the server compared it as, or, a time
// the zone names twice, is refused.
func TestAttackTimestampKeyBackfillResumesAnOlderRecord(t *testing.T) {
	t.Parallel()
	berlin := []string{"TZ=Europe/Berlin"} // the server's SYSTEM zone, and emcee's
	srv := testserver.Start(t, testserver.Options{Env: berlin})
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "at" {
    type = timestamp
  }
  column "name" {
    type = varchar(20)
    null = true
  }
  primary_key {
    columns = [column.at]
  }
}
`
	b := strings.Replace(a, "  primary_key {", "  column \"upper_name\" {\n    type = varchar(20)\n    null = false\n    fill = \"COALESCE(UPPER(name), '')\"\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.env = berlin
	p.must("db", "sync", "a")
	p.exec("SET time_zone = '+00:00'")
	p.exec("INSERT INTO t (at, name) SELECT FROM_UNIXTIME(1792886400 + seq * 60), 'n' FROM seq_0_to_179")
	p.must("db", "expand")
	p.must("db", "migrate", "--batch-size", "7", "--max-rows", "7")
	// 02:37 names 00:37 and 01:37 UTC.
	p.exec("UPDATE emcee_revisions SET resume_key = '2026-10-25T02:37:00Z', resume_bound = '2026-10-25T03:59:00Z' WHERE name = 'b_migrate01'")
	r := p.run("db", "migrate", "--batch-size", "7")
	if r.Code == 0 {
		t.Fatalf("resumed after a time named twice: %s", r)
	}
	opContains(t, r, "recorded its progress as the time 2026-10-25 02:37:00 in the application's time zone", "names no single instant there")
	p.exec("UPDATE emcee_revisions SET resume_key = '2026-10-25T00:06:00Z' WHERE name = 'b_migrate01'")
	r = p.must("db", "migrate", "--batch-size", "7")
	opContains(t, r, "resuming after UNIX_TIMESTAMP(at) = 1792879560 (bound UNIX_TIMESTAMP(at) = 1792897140", "173 rows backfilled by this run")
	if got := p.query("SELECT COUNT(*) FROM t WHERE upper_name IS NULL"); got != "0" {
		t.Fatalf("%s rows left unfilled: %s", got, r)
	}
}

// A table's copy-out is an INSERT a row, each value a literal of its
// exact bytes: every kind of column comes back as it was, an id 0 of an
// AUTO_INCREMENT column too, a TIMESTAMP that the server stamps on update
// with its own time, latin1 text and the generated column computed anew.
func TestAttackTableCopyOutRestoresEveryKindOfColumn(t *testing.T) {
	t.Parallel()
	a := keyTable("int")
	b := a + `
table "x" {
  schema = schema.s
  column "id" {
    type           = int
    auto_increment = true
  }
  column "ts" {
    type      = timestamp(6)
    default   = sql("CURRENT_TIMESTAMP(6)")
    on_update = sql("CURRENT_TIMESTAMP(6)")
  }
  column "dt" {
    type = datetime(3)
    null = true
  }
  column "d" {
    type = date
    null = true
  }
  column "y" {
    type = year
    null = true
  }
  column "bits" {
    type = bit(5)
    null = true
  }
  column "f" {
    type = float
    null = true
  }
  column "dbl" {
    type = double
    null = true
  }
  column "dec" {
    type = decimal(30,10)
    null = true
  }
  column "e" {
    type = enum("a","b c")
    null = true
  }
  column "s" {
    type = set("x","y")
    null = true
  }
  column "j" {
    type = json
    null = true
  }
  column "l1" {
    type    = varchar(20)
    charset = "latin1"
    collate = "latin1_swedish_ci"
    null    = true
  }
  column "bin" {
    type = varbinary(20)
    null = true
  }
  column "gen" {
    type = varchar(40)
    null = true
    as {
      expr = "CONCAT(` + "`e`" + `, '/', ` + "`l1`" + `)"
      type = VIRTUAL
    }
  }
  primary_key {
    columns = [column.id]
  }
}
`
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.must("db", "sync", "a")
	p.must("db", "expand")
	p.exec(`SET STATEMENT sql_mode = 'STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO' FOR INSERT INTO x (id, ts, dt, d, y, bits, f, dbl, ` + "`dec`" + `, e, s, j, l1, bin) VALUES
  (0, '2001-02-03 04:05:06.789012', '2001-02-03 04:05:06.789', '1999-12-31', 1999, b'10101', 0.1, 0.30000000000000004, -12345678901234567890.0123456789, 'b c', 'x,y', '{"k": [1, "\\u00e9"]}', 'Ærø naïve', X'00FF5C27'),
  (7, '2038-01-19 03:14:07.999998', NULL, NULL, NULL, NULL, 3.4028e38, -1.7976931348623157e308, 0, NULL, '', 'null', '', X'')`)
	const state = "SELECT id, HEX(ts), HEX(dt), d, y, HEX(bits), HEX(f), HEX(dbl), `dec`, e, s, HEX(j), HEX(l1), HEX(bin), HEX(gen), ISNULL(bin) FROM x ORDER BY id"
	before := p.query(state)
	losses, dir := copyOutAndRollBack(t, p)
	if len(losses) != 1 || losses[0].Table != "x" {
		t.Fatalf("losses: %+v", losses)
	}
	p.must("db", "expand")
	shellIn(t, dir, losses[0].Restore)
	if after := p.query(state); after != before {
		t.Fatalf("put back:\n%s\nwant\n%s", after, before)
	}
}

// emcee killed while pt-online-schema-change copied the table, and the
// rerun without --osc (the operator dropping the tool, or forgetting the
// flag): the server altered the table with the tool's three triggers still
// on it, copying every write of the application into the stale half copy
// left beside it, and the record, still naming the tool's run, had the
// drift checks of every later phase of the release skipped ("what it left
// is dropped when its statement runs again", which no run would do). The
// rerun refuses now, and --osc cleans up as before.
func TestAttackOSCKilledThenRerunWithoutTheTool(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 300000, false, "")
	run := p.start("db", "expand", "--osc", "pt-osc", "--osc-chunk-time", "20ms")
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	tools := childPIDs(t, run.cmd.Process.Pid)
	_ = run.cmd.Process.Kill()
	_ = run.cmd.Wait()
	p.waitFor("the tool to die with emcee", func() bool { return len(tools) == 0 || syscall.Kill(tools[0], 0) != nil })
	r := p.run("db", "expand")
	if r.Code != 1 {
		t.Fatalf("rerun without --osc over the tool's leftovers: %s\ntriggers: %s", r, p.triggers())
	}
	opContains(t, r, "v2_expand01 statement 1 at plans/v2/v2_expand01.sql:", "had handed it to pt-online-schema-change 3.2.1, which left", "_events_new", "nothing of it ran", "rerun with --osc pt-osc")
	opContains(t, p.must("db", "expand", "--osc", "pt-osc"), "dropping what pt-online-schema-change 3.2.1 left behind", "v2_expand01 applied")
	if got := p.triggers(); got != "" {
		t.Fatalf("triggers left: %s", got)
	}
	opContains(t, p.must("db", "migrate"), "live schema matches")
}
