package e2e

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/project"
)

// Two releases of one table: the second adds a slug filled from the name,
// a backfill over every row written before it.
const throttleA = `schema "app" {}

table "items" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.id]
  }
}
`

var throttleB = strings.Replace(throttleA, `  primary_key {`, `  column "slug" {
    type = varchar(64)
    fill = "LOWER(name)"
  }
  primary_key {`, 1)

const throttleRows = 3000

// throttleProject is a project at release a with throttleRows rows and
// release b expanded: migrate has every row to backfill.
func throttleProject(t *testing.T, db *testdb.DB) *opProject {
	t.Helper()
	p := plannedProjectOn(t, db, "mariadb 10.11", [2]string{"a", throttleA}, [2]string{"b", throttleB})
	if r := p.run("db", "sync", "a"); r.Code != 0 {
		t.Fatalf("sync a: %s", r)
	}
	for i := 0; i < throttleRows; i += 500 {
		if _, err := db.Exec("INSERT INTO items (name) WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) SELECT CONCAT('Item ', ? + i) FROM n", i); err != nil {
			t.Fatal(err)
		}
	}
	if r := p.run("db", "expand"); r.Code != 0 {
		t.Fatalf("expand: %s", r)
	}
	return p
}

func pendingSlugs(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow("SELECT COUNT(*) FROM items WHERE slug IS NULL OR slug <> LOWER(name)").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lineWaiter reads a running emcee's stdout and waits for a line.
type lineWaiter struct {
	lines chan string
	seen  strings.Builder
}

func newLineWaiter(r io.Reader) *lineWaiter {
	w := &lineWaiter{lines: make(chan string, 1000)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.lines <- sc.Text()
		}
		close(w.lines)
	}()
	return w
}

func (w *lineWaiter) waitFor(t *testing.T, sub string) string {
	t.Helper()
	timeout := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-w.lines:
			if !ok {
				t.Fatalf("emcee ended without printing %q:\n%s", sub, w.seen.String())
			}
			w.seen.WriteString(l + "\n")
			if strings.Contains(l, sub) {
				return l
			}
		case <-timeout:
			t.Fatalf("no %q from emcee:\n%s", sub, w.seen.String())
		}
	}
}

func (w *lineWaiter) rest() string {
	for l := range w.lines {
		w.seen.WriteString(l + "\n")
	}
	return w.seen.String()
}

// Migrate with --max-lag waits while the replica's SQL thread is stopped
// (its lag is unknown, no proof it keeps up), having changed nothing, and
// goes on once it runs again; every row is filled, on the primary and on
// the replica. The replica is found on the primary (SHOW SLAVE HOSTS).
func TestMigratePausesWhileReplicaLags(t *testing.T) {
	t.Parallel()
	primary := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	rep := testserver.Start(t, testserver.Options{ServerID: 2, Report: true})
	rep.ReplicateFrom(t, primary)
	db := primary.NewDB(t)
	p := throttleProject(t, db)
	r := rep.Open(t)
	waitReplica(t, r, db.Name, throttleRows)

	if _, err := r.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	run := p.command("db", "migrate", "--max-lag", "1s", "--batch-size", "200", "--check-interval", "100ms")
	out, err := run.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	w := newLineWaiter(out)
	w.waitFor(t, fmt.Sprintf("watching 127.0.0.1:%d (found by SHOW SLAVE HOSTS, checked against the binlog dump connections)", rep.Port))
	w.waitFor(t, fmt.Sprintf("paused: replica 127.0.0.1:%d has replication stopped", rep.Port))
	// Paused before its first batch: nothing written, so nothing for the
	// replica to fall further behind on.
	if n := pendingSlugs(t, db.DB); n != throttleRows {
		t.Fatalf("migrate paused for a stopped replica, yet %d of %d rows were backfilled", throttleRows-n, throttleRows)
	}
	if _, err := r.Exec("START SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "resumed after")
	log := w.rest()
	if code := exitCode(t, run.Wait()); code != 0 {
		t.Fatalf("migrate exit %d:\n%s", code, log)
	}
	if n := pendingSlugs(t, db.DB); n != 0 {
		t.Fatalf("%d rows not backfilled after migrate:\n%s", n, log)
	}
	waitReplicaFilled(t, r, db.Name)
	if r := p.run("db", "contract"); r.Code != 0 {
		t.Fatalf("contract after the throttled migrate: %s", r)
	}
}

// A replica found on the primary is reached with the primary's user and
// password over the guarded connection: a real server's authentication
// (a scramble, never the password) passes it, and the lag is watched.
func TestMigrateWatchesADiscoveredReplicaWithAPassword(t *testing.T) {
	t.Parallel()
	primary := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	rep := testserver.Start(t, testserver.Options{ServerID: 2, Report: true})
	rep.ReplicateFrom(t, primary)
	// Created on the primary, replicated before the rows waitReplica
	// waits for.
	if _, err := primary.Open(t).Exec("GRANT ALL PRIVILEGES ON *.* TO 'emcee_op'@'%' IDENTIFIED BY 'guarded s3cret'"); err != nil {
		t.Fatal(err)
	}
	db := primary.NewDB(t)
	p := throttleProject(t, db)
	waitReplica(t, rep.Open(t), db.Name, throttleRows)
	r := p.run("db", "migrate", "--url", fmt.Sprintf("mysql://emcee_op:guarded%%20s3cret@127.0.0.1:%d/%s", primary.Port, db.Name), "--max-lag", "5s", "--check-interval", "100ms")
	if r.Code != 0 {
		t.Fatalf("migrate watching a discovered replica as a user with a password: %s", r)
	}
	opContains(t, r, fmt.Sprintf("watching 127.0.0.1:%d (found by SHOW SLAVE HOSTS, checked against the binlog dump connections)", rep.Port))
	if strings.Contains(r.Stdout+r.Stderr, "guarded s3cret") {
		t.Fatalf("the password was printed:\n%s", r)
	}
	if n := pendingSlugs(t, db.DB); n != 0 {
		t.Fatalf("%d rows not backfilled", n)
	}
}

// Anyone with a replication account registers any address in SHOW SLAVE
// HOSTS (report_host): emcee would have sent the primary's user and
// password there. An address no binlog dump connection comes from is not
// used, and the operator is told how to give it if it is a replica.
func TestMigrateIgnoresAForgedReplicaAddress(t *testing.T) {
	t.Parallel()
	primary := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	forged := testserver.Start(t, testserver.Options{ServerID: 2, Args: []string{"--report-host=192.0.2.7", "--report-port=3306"}})
	forged.ReplicateFrom(t, primary)
	db := primary.NewDB(t)
	p := throttleProject(t, db)
	waitReplica(t, forged.Open(t), db.Name, throttleRows)
	hosts := primary.Open(t)
	var listed int
	if err := hosts.QueryRow("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'").Scan(&listed); err != nil || listed != 1 {
		t.Fatalf("binlog dump connections on the primary: %d (%v)", listed, err)
	}
	r := p.run("db", "migrate", "--max-lag", "1s", "--check-interval", "100ms")
	opContains(t, r, "--max-lag: not watching 192.0.2.7:3306 (SHOW SLAVE HOSTS): no binlog dump connection comes from 192.0.2.7", "give it with --replica")
	// What is left is the dump connection's own host, on the primary's
	// port: here the primary itself, which is no replica.
	if r.Code != 1 || !strings.Contains(r.Stderr, fmt.Sprintf("replica localhost:%d (the replica found by the processlist's binlog dump connections (on the primary's port)): is not a replica", primary.Port)) {
		t.Fatalf("migrate with a forged replica address: %s", r)
	}
	if n := pendingSlugs(t, db.DB); n != throttleRows {
		t.Fatalf("a refused migrate backfilled %d rows", throttleRows-n)
	}
}

// With the SQL thread stopped half-way, migrate pauses mid-run at a batch
// boundary and resumes from there; rows are neither lost nor done twice.
// The replica is given by URL.
func TestMigratePausesMidRunAndResumes(t *testing.T) {
	t.Parallel()
	primary := testserver.Start(t, testserver.Options{ServerID: 1, LogBin: true})
	rep := testserver.Start(t, testserver.Options{ServerID: 2})
	rep.ReplicateFrom(t, primary)
	db := primary.NewDB(t)
	p := throttleProject(t, db)
	r := rep.Open(t)
	waitReplica(t, r, db.Name, throttleRows)
	// The status variable counting rows updated tells the test when the
	// first batches are in; the test then stops replication.
	run := p.command("db", "migrate", "--max-lag", "1s", "--replica", fmt.Sprintf("mysql://root@127.0.0.1:%d/", rep.Port),
		"--batch-size", "100", "--check-interval", "100ms", "--pause", "50ms")
	out, _ := run.StdoutPipe()
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	w := newLineWaiter(out)
	w.waitFor(t, "pending up to id")
	for pendingSlugs(t, db.DB) == throttleRows {
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := r.Exec("STOP SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	w.waitFor(t, "paused: replica")
	at := pendingSlugs(t, db.DB)
	time.Sleep(500 * time.Millisecond)
	if again := pendingSlugs(t, db.DB); again != at || at == 0 {
		t.Fatalf("paused migrate went on writing (%d then %d rows pending)", at, again)
	}
	if _, err := r.Exec("START SLAVE SQL_THREAD"); err != nil {
		t.Fatal(err)
	}
	log := w.rest()
	if code := exitCode(t, run.Wait()); code != 0 || !strings.Contains(log, "resumed after") {
		t.Fatalf("migrate exit %d:\n%s", code, log)
	}
	if n := pendingSlugs(t, db.DB); n != 0 {
		t.Fatalf("%d rows not backfilled:\n%s", n, log)
	}
	var done int64
	if err := db.QueryRow("SELECT rows_done FROM emcee_revisions WHERE name = 'b_migrate01'").Scan(&done); err != nil || done != throttleRows {
		t.Fatalf("recorded %d rows backfilled (%v), want each of the %d once", done, err, throttleRows)
	}
	waitReplicaFilled(t, r, db.Name)
}

func waitReplica(t *testing.T, r *sql.DB, dbName string, rows int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		err := r.QueryRow("SELECT COUNT(*) FROM `" + dbName + "`.items").Scan(&n)
		if err == nil && n == rows {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica has %d of %d rows (%v)", n, rows, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func waitReplicaFilled(t *testing.T, r *sql.DB, dbName string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var n int
		err := r.QueryRow("SELECT COUNT(*) FROM `" + dbName + "`.items WHERE slug IS NULL OR slug <> LOWER(name)").Scan(&n)
		if err == nil && n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica still has %d rows without their slug (%v)", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The load checks, the batch sizing and the flags' hostile values, on a
// private server (Threads_connected and the row counters are its own).
func TestMigrateLoadThrottle(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{})
	status := func(t *testing.T, db *sql.DB, name string) int64 {
		t.Helper()
		var v int64
		if err := db.QueryRow("SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = ?", strings.ToUpper(name)).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	t.Run("hostile values are refused before anything runs", func(t *testing.T) {
		db := srv.NewDB(t)
		p := throttleProject(t, db)
		for _, c := range []struct {
			args []string
			code int
			msg  string
		}{
			{[]string{"--max-load", "Threads_running=-5"}, 2, "--max-load Threads_running=-5: the limit must be a whole number of 1 or more"},
			{[]string{"--max-load", "Threads_running=0"}, 2, "whole number of 1 or more"},
			{[]string{"--max-load", "Threads_running=lots"}, 2, "whole number of 1 or more"},
			{[]string{"--max-load", "Threads_running"}, 2, `--max-load "Threads_running": want VAR=N[,VAR=N], e.g. Threads_running=25`},
			{[]string{"--max-load", "Threads_running=1; DROP TABLE items"}, 2, "whole number of 1 or more"},
			{[]string{"--max-load", "Threads_running`=1"}, 2, "is not a status variable name"},
			{[]string{"--critical-load", "(SELECT SLEEP(5))=1"}, 2, "is not a status variable name"},
			{[]string{"--critical-load", "x' OR '1'='1=3"}, 2, "is not a status variable name"},
			{[]string{"--critical-load", "Threads_running=5,threads_running=9"}, 2, "threads_running is given twice"},
			{[]string{"--critical-load", "No_such_status=5"}, 1, `--critical-load No_such_status=5: the server has no global status variable "No_such_status"`},
			{[]string{"--max-load", "Innodb_buffer_pool_dump_status=1"}, 1, "not a number: pick a counter or gauge"},
			{[]string{"--max-lag", "-1s"}, 2, "--max-lag -1s: want a duration of 0 or more"},
			{[]string{"--chunk-time", "-500ms"}, 2, "--chunk-time -500ms: want a duration of 0 or more"},
			{[]string{"--max-batch-size", "0"}, 2, "want a number of rows of 1 or more"},
			{[]string{"--check-interval", "0s"}, 2, "--check-interval 0s: want a positive duration"},
			{[]string{"--max-lag", "1s", "--replica", "http://127.0.0.1:1/"}, 1, `--replica: database URL scheme "http" is not supported`},
			{[]string{"--replica", fmt.Sprintf("mysql://root@127.0.0.1:%d/", srv.Port)}, 1, "--replica is only used with --max-lag"},
			{[]string{"--max-lag", "1s", "--replica", fmt.Sprintf("mysql://root@127.0.0.1:%d/", srv.Port)}, 1, "is not a replica (SHOW SLAVE STATUS is empty)"},
			{[]string{"--max-lag", "1s"}, 1, "the primary lists no replica"},
		} {
			r := p.run(append([]string{"db", "migrate"}, c.args...)...)
			if r.Code != c.code || !strings.Contains(r.Stderr, c.msg) || strings.Contains(r.Stdout, "applying") {
				t.Errorf("%q: want exit %d saying %q, nothing applied; got %s", c.args, c.code, c.msg, r)
			}
		}
		if n := pendingSlugs(t, db.DB); n != throttleRows {
			t.Fatalf("a refused migrate backfilled %d rows", throttleRows-n)
		}
		var tables int
		if err := db.QueryRow("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&tables); err != nil || tables != 2 {
			t.Fatalf("%d tables after the hostile flags (%v), want items and emcee_revisions", tables, err)
		}
	})

	t.Run("critical load stops cleanly and the next run resumes", func(t *testing.T) {
		db := srv.NewDB(t)
		p := throttleProject(t, db)
		// A counter that each batch raises (its rows, and its progress
		// row) reaches the limit a few batches in.
		limit := status(t, db.DB, "Handler_update") + 350
		r := p.run("db", "migrate", "--batch-size", "100", "--critical-load", fmt.Sprintf("Handler_update=%d", limit))
		if r.Code != 8 || !strings.Contains(r.Stderr, "at or over --critical-load Handler_update=") || !strings.Contains(r.Stderr, "stopped cleanly after the batch ending at key id = ") {
			t.Fatalf("want exit 8 and the reason; got %s", r)
		}
		left := pendingSlugs(t, db.DB)
		var done int
		if err := db.QueryRow("SELECT rows_done FROM emcee_revisions WHERE name = 'b_migrate01'").Scan(&done); err != nil {
			t.Fatal(err)
		}
		if left == 0 || left == throttleRows || done != throttleRows-left {
			t.Fatalf("stopped with %d rows pending and %d recorded done, want some of each adding up to %d", left, done, throttleRows)
		}
		if r := p.run("db", "check"); r.Code != 4 {
			t.Fatalf("status after the stop: want 4 (migrate needed): %s", r)
		}
		r = p.run("db", "migrate", "--batch-size", "100")
		if r.Code != 0 || !strings.Contains(r.Stdout, "resuming after id = ") {
			t.Fatalf("rerun: %s", r)
		}
		if err := db.QueryRow("SELECT rows_done FROM emcee_revisions WHERE name = 'b_migrate01'").Scan(&done); err != nil || done != throttleRows || pendingSlugs(t, db.DB) != 0 {
			t.Fatalf("after the resumed run %d rows recorded done (%v), %d pending; want %d and 0", done, err, pendingSlugs(t, db.DB), throttleRows)
		}
	})

	t.Run("max load pauses until the load is down", func(t *testing.T) {
		db := srv.NewDB(t)
		p := throttleProject(t, db)
		root := srv.Open(t)
		limit := status(t, root, "Threads_connected") + 10
		var held []*sql.Conn
		for range 20 {
			c, err := root.Conn(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			held = append(held, c)
		}
		run := p.command("db", "migrate", "--batch-size", "500", "--check-interval", "100ms", "--max-load", fmt.Sprintf("Threads_connected=%d", limit), "--format", "text")
		out, _ := run.StdoutPipe()
		if err := run.Start(); err != nil {
			t.Fatal(err)
		}
		w := newLineWaiter(out)
		w.waitFor(t, "paused: Threads_connected is")
		if n := pendingSlugs(t, db.DB); n != throttleRows {
			t.Fatalf("paused for load, yet %d rows were backfilled", throttleRows-n)
		}
		for _, c := range held {
			c.Close()
		}
		log := w.rest()
		if code := exitCode(t, run.Wait()); code != 0 || !strings.Contains(log, "resumed after") || pendingSlugs(t, db.DB) != 0 {
			t.Fatalf("exit %d, %d rows pending:\n%s", code, pendingSlugs(t, db.DB), log)
		}
	})

	t.Run("chunk time sizes the batches within the maximum", func(t *testing.T) {
		db := srv.NewDB(t)
		p := throttleProject(t, db)
		// Through apply.Session, as the command runs it, to see each
		// batch's size in its progress.
		proj, err := project.Load(filepath.Join(p.Dir, "atlas.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := dbconn.Parse(db.URL)
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int64
		var rates []float64
		s, err := apply.Open(t.Context(), proj, cfg, apply.Options{Tool: "e2e", BatchSize: 50, ChunkTime: 20 * time.Millisecond, MaxBatchSize: 400,
			Progress: func(pr apply.Progress) {
				if !pr.Finished {
					sizes = append(sizes, pr.BatchSize)
					rates = append(rates, pr.RowsPerSecond)
				}
			}})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(t.Context()); err != nil || pendingSlugs(t, db.DB) != 0 {
			t.Fatalf("migrate with ChunkTime: %v", err)
		}
		if rates[len(rates)-1] <= 0 {
			t.Fatalf("progress reports no rate: %v", rates)
		}
		if len(sizes) < 2 || sizes[0] != 50 {
			t.Fatalf("batch sizes %v: want the first at --batch-size 50 and more after it", sizes)
		}
		grew := false
		for _, s := range sizes {
			if s > 400 || s < 1 {
				t.Fatalf("batch sizes %v: one is outside 1..--max-batch-size 400", sizes)
			}
			grew = grew || s != sizes[0]
		}
		if !grew {
			t.Fatalf("batch sizes %v never adapted to --chunk-time", sizes)
		}
	})
}
