package e2e

import (
	"bufio"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
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

// With the SQL thread stopped half-way, migrate pauses mid-run at a batch
// boundary and resumes from there; rows are neither lost nor done twice.
// The replica is given by URL.
func TestMigratePausesMidRunAndResumes(t *testing.T) {
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
