package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer collects a running command's output for polling.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is an emcee run in the background.
type running struct {
	cmd *exec.Cmd
	out syncBuffer
}

func (p *opProject) start(args ...string) *running {
	p.t.Helper()
	r := &running{cmd: p.command(args...)}
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	if err := r.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	return r
}

// wait ends the run and returns its output and exit code.
func (r *running) wait(t *testing.T) opResult {
	t.Helper()
	code := exitCode(t, r.cmd.Wait())
	return opResult{Stdout: r.out.String(), Code: code}
}

// expandedOpProject is the fixture with rows written by ocata code and
// pike's expand applied: its backfill is next.
func expandedOpProject(t *testing.T, rows int) *opProject {
	t.Helper()
	p := newOpProject(t)
	p.must("db", "sync", "ocata")
	p.insertOcataRows(rows)
	p.must("db", "expand")
	return p
}

// lockRows opens a transaction on its own connection and runs the
// statements in it (SELECT ... FOR UPDATE, writes); the locks are held
// until the returned function ends the transaction.
func (p *opProject) lockRows(stmts ...string) (conn *sql.Conn, release func()) {
	p.t.Helper()
	ctx := context.Background()
	conn, err := p.DB.Conn(ctx)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, q := range append([]string{"START TRANSACTION"}, stmts...) {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			p.t.Fatalf("%s: %v", q, err)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_, _ = conn.ExecContext(ctx, "ROLLBACK")
			conn.Close()
		})
	}
	p.t.Cleanup(release)
	return conn, release
}

// Hole: a lock wait timeout during a backfill batch ended the run. A
// transaction of the application holds a row of the second batch; with a
// 1-second innodb_lock_wait_timeout the batch times out, is retried after
// a pause, and goes through once that transaction ends. Then the bounded
// give-up: with the row held throughout, the run stops after its retries
// with a message that says what to do, reported in --format json too, and
// a rerun resumes after the last committed batch.
func TestMigrateRetriesLockWaitTimeout(t *testing.T) {
	t.Parallel()
	p := expandedOpProject(t, 3000)
	url := p.DB.URL + "?lock_wait_timeout=1"

	_, release := p.lockRows("SELECT id FROM images WHERE id = 1500 FOR UPDATE")
	run := p.start("db", "migrate", "--url", url, "--batch-size", "1000")
	p.waitFor("the batch to time out and be retried", func() bool { return strings.Contains(run.out.String(), "retry 1 of 5") })
	release()
	r := run.wait(t)
	if r.Code != 0 {
		t.Fatalf("migrate must retry the batch and finish: %s", r)
	}
	opContains(t, r, "backfill batch of images after id = 1000: Error 1205 (HY000): Lock wait timeout exceeded", "retry 1 of 5 in 500ms", "3000 rows backfilled by this run (3000 in all)")
	if got := p.query("SELECT rows_done, finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'pike_migrate01'"); got != "3000 1" {
		t.Fatalf("record: %s", got)
	}
	if got := p.query("SELECT COUNT(*) FROM images WHERE visibility IS NULL"); got != "0" {
		t.Fatalf("%s rows not backfilled", got)
	}

	// Give up: the row stays locked through every retry.
	p2 := expandedOpProject(t, 3000)
	_, release = p2.lockRows("SELECT id FROM images WHERE id = 1500 FOR UPDATE")
	r = p2.run("db", "migrate", "--url", p2.DB.URL+"?lock_wait_timeout=1", "--batch-size", "1000", "--retries", "2", "--format", "json")
	release()
	if r.Code != 1 {
		t.Fatalf("migrate with the row locked throughout must give up: %s", r)
	}
	var res struct {
		Error   string `json:"error"`
		Retries []struct {
			Revision  string `json:"revision"`
			Statement int    `json:"statement"`
			What      string `json:"what"`
			Error     string `json:"error"`
			Attempt   int    `json:"attempt"`
			Wait      string `json:"wait"`
		} `json:"retries"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &res); err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	if len(res.Retries) != 2 || res.Retries[0].Wait != "500ms" || res.Retries[1].Wait != "1s" || res.Retries[1].Attempt != 2 ||
		res.Retries[0].Revision != "pike_migrate01" || res.Retries[0].Statement != 1 || !strings.Contains(res.Retries[0].Error, "1205") {
		t.Fatalf("retries in json: %+v\n%s", res.Retries, r)
	}
	for _, want := range []string{"gave up after 3 attempts", "Lock wait timeout exceeded", "information_schema.INNODB_TRX", "rerun `emcee db migrate --batch-size 1000 --env test --retries 2` (with this run's --url, left out here: it may hold a password)"} {
		if !strings.Contains(res.Error, want) {
			t.Errorf("error %q does not say %q", res.Error, want)
		}
	}
	if got := p2.query("SELECT rows_done, resume_key FROM emcee_revisions WHERE name = 'pike_migrate01'"); got != "1000 1000" {
		t.Fatalf("record after giving up: %s", got)
	}
	r = p2.must("db", "migrate", "--batch-size", "1000")
	opContains(t, r, "resuming after id = 1000", "2000 rows backfilled by this run (3000 in all)")
}

// Hole: a deadlock during a backfill batch ended the run. An application
// transaction that has written a lot holds a row of the first batch; once
// the batch waits for it, the transaction asks for a row the batch holds.
// The server rolls back the lighter one, the batch (1213); emcee retries it
// and finishes.
func TestMigrateRetriesDeadlock(t *testing.T) {
	t.Parallel()
	p := expandedOpProject(t, 3000)
	conn, release := p.lockRows(
		"INSERT INTO image_members (image_id, member) SELECT seq, 'weight' FROM seq_1_to_3000", // not read from images: no lock there
		"SELECT id FROM images WHERE id = 10 FOR UPDATE")
	run := p.start("db", "migrate", "--batch-size", "100")
	// InnoDB refreshes INNODB_TRX only when it was not read for 0.1 s:
	// polled faster, it would show the same snapshot for ever.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for p.query("SELECT COUNT(*) FROM information_schema.INNODB_TRX t JOIN information_schema.PROCESSLIST l ON l.ID = t.trx_mysql_thread_id WHERE t.trx_state = 'LOCK WAIT' AND l.DB = ? AND l.INFO LIKE 'UPDATE `images`%'", p.DB.Name) == "0" {
		if out := run.out.String(); strings.Contains(out, "pike_migrate01 applied") || strings.Contains(out, "emcee:") {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for the batch to wait for row 10:\n%s", run.out.String())
		case <-time.After(250 * time.Millisecond):
		}
	}
	if out := run.out.String(); strings.Contains(out, "pike_migrate01 applied") || strings.Contains(out, "emcee:") {
		t.Fatalf("migrate ended before its batch waited for row 10:\n%s", out)
	}
	if _, err := conn.ExecContext(context.Background(), "SELECT id FROM images WHERE id = 5 FOR UPDATE"); err != nil {
		t.Fatalf("the heavier transaction was rolled back instead of the batch: %v", err)
	}
	release()
	r := run.wait(t)
	if r.Code != 0 {
		t.Fatalf("migrate must retry the batch and finish: %s", r)
	}
	opContains(t, r, "backfill batch of images: Error 1213 (40001): Deadlock found", "retry 1 of 5 in 500ms", "3000 rows backfilled by this run (3000 in all)")
	if got := p.query("SELECT COUNT(*) FROM images WHERE visibility IS NULL"); got != "0" {
		t.Fatalf("%s rows not backfilled", got)
	}
}

// A gate or DDL statement that waits longer than lock_wait_timeout for its
// metadata lock did not run: contract retries it after a pause (so the
// application's queries queued behind a DDL get through), and goes on once
// the session holding the table lets go.
func TestContractRetriesMetadataLockTimeout(t *testing.T) {
	t.Parallel()
	p := expandedOpProject(t, 10)
	p.must("db", "migrate")

	// The gate: LOCK TABLES ... WRITE keeps even readers out.
	ctx := context.Background()
	locker, err := p.DB.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close()
	if _, err := locker.ExecContext(ctx, "LOCK TABLES images WRITE"); err != nil {
		t.Fatal(err)
	}
	run := p.start("db", "contract", "--dry-run", "--url", p.DB.URL+"?lock_wait_timeout=1")
	p.waitFor("the gate to time out and be retried", func() bool { return strings.Contains(run.out.String(), "retry 1 of 5") })
	if _, err := locker.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
		t.Fatal(err)
	}
	r := run.wait(t)
	if r.Code != 0 {
		t.Fatalf("contract --dry-run must retry the gate and go on: %s", r)
	}
	opContains(t, r, "gate replace-column of pike_contract01 (statement 1): Error 1205 (HY000): Lock wait timeout exceeded", "would apply pike_contract01")

	// The DDL: an open transaction that read the table holds its
	// metadata lock.
	release := p.holdMDL("images")
	run = p.start("db", "contract", "--url", p.DB.URL+"?lock_wait_timeout=1")
	p.waitFor("the DROP TRIGGER to time out and be retried", func() bool { return strings.Contains(run.out.String(), "retry 1 of 5") })
	release()
	r = run.wait(t)
	if r.Code != 0 {
		t.Fatalf("contract must retry the statement and finish: %s", r)
	}
	opContains(t, r, "statement 2 of pike_contract01: Error 1205 (HY000): Lock wait timeout exceeded", "pike_contract01 applied (4 statements")
	if got := p.triggers(); got != "" {
		t.Fatalf("triggers left: %s", got)
	}
}
