package apply

import (
	"bytes"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/internal/testserver"
	"github.com/emcee-db/emcee/project"
)

// A lock pile-up while contract waits for the writers that were open
// before a foreign key was added: hundreds of transactions waiting for
// one row a transaction holds. InnoDB fills INNODB_TRX's copy holding its
// lock system's latch, longer the more waiters (the square of them), and
// every lock taken or released on the server waits for that latch. Read
// every 0.15 to 0.45 s as before, emcee's reads held it a third of the
// time at 300 waiters; now at most a tenth (pollCost), counted by the
// wait itself in the line it ends with. On a server of its own: the
// pile-up is what is measured, and it would stall the shared server.
func TestAwaitWritersUnderALockPileUp(t *testing.T) {
	const waiters = 600
	srv := testserver.Start(t, testserver.Options{Args: []string{"--max-connections=" + strconv.Itoa(waiters+50)}})
	db := srv.NewDB(t)
	ctx := t.Context()
	for _, q := range []string{
		"CREATE TABLE parent (id int NOT NULL PRIMARY KEY)",
		"CREATE TABLE child (id int NOT NULL PRIMARY KEY, p int, CONSTRAINT fk_c FOREIGN KEY (p) REFERENCES parent (id))",
		"CREATE TABLE hot (id int NOT NULL PRIMARY KEY, n int NOT NULL)",
		"INSERT INTO hot VALUES (1, 0)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	g := &fkGuard{keys: []effect.Effect{{Op: effect.AddForeignKey, Table: "child", Name: "fk_c"}}}
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.LockWaitTimeout = time.Minute
	session := func(log *bytes.Buffer) *Session {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		return &Session{Cfg: cfg, Conn: conn, Project: &project.Project{Target: project.Target{Flavor: "mariadb"}}, opts: Options{Log: log}}
	}
	// writer opens a transaction that updates the hot row, on a
	// connection of its own: it returns once the update has the row (or
	// at once if wait is false, the update then waiting), and commit
	// ends it.
	writer := func(wait bool) (commit func()) {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"SET SESSION innodb_lock_wait_timeout = 3600", "BEGIN"} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		done := make(chan error, 1)
		go func() {
			_, err := conn.ExecContext(ctx, "UPDATE hot SET n = n + 1 WHERE id = 1")
			done <- err
		}()
		end := func() {
			if err := <-done; err != nil {
				t.Error(err)
			}
			if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
				t.Error(err)
			}
			conn.Close()
		}
		if wait {
			err := <-done
			done <- err
		}
		return end
	}
	count := func(q string) int {
		var n int
		if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// read is one fresh read of INNODB_TRX as awaitWriters makes it (the
	// copy is made again once it was not read for 0.1 s).
	read := func() time.Duration {
		time.Sleep(150 * time.Millisecond)
		start := time.Now()
		err := dbconn.EachRow(ctx, db.DB, "SELECT trx_mysql_thread_id = CONNECTION_ID(), trx_id, trx_mysql_thread_id, trx_started FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = CONNECTION_ID() OR trx_id BETWEEN 1 AND ?", []any{uint64(lastWriterID)}, func(*sql.Rows) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	median := func() time.Duration {
		var ds []time.Duration
		for range 5 {
			ds = append(ds, read())
		}
		slices.Sort(ds)
		return ds[2]
	}
	t.Logf("INNODB_TRX read, no transaction open: %s", median())

	// The common case: one short writer, open when the key is added and
	// ended 0.1 s later, seen gone as soon as before (0.15 to 0.45 s).
	var late []time.Duration
	for range 10 {
		commit := writer(true)
		var log bytes.Buffer
		s := session(&log)
		timer := time.AfterFunc(100*time.Millisecond, commit)
		start := time.Now()
		if err := s.awaitWriters(ctx, g); err != nil {
			t.Fatal(err)
		}
		timer.Stop()
		late = append(late, time.Since(start)-100*time.Millisecond)
	}
	slices.Sort(late)
	t.Logf("one writer ending 0.1 s after the key: the wait ended %s to %s (median %s) after it", late[0], late[len(late)-1], late[len(late)/2])
	if late[len(late)/2] > 450*time.Millisecond {
		t.Errorf("one short writer seen gone %s after it ended (median), want at most 0.45 s as before", late[len(late)/2])
	}

	// The pile-up, made and measured step by step.
	holder := writer(true)
	var ends []func()
	for _, n := range []int{100, 200, 300, 400, 500, waiters} {
		for len(ends) < n {
			ends = append(ends, writer(false))
		}
		for count("SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'") < n {
			time.Sleep(150 * time.Millisecond) // the copy is made again only after 0.1 s unread
		}
		t.Logf("INNODB_TRX read, %d transactions waiting for one row: %s", n, median())
	}
	took := median()
	before := float64(took) / float64(took+300*time.Millisecond) // the mean pause was 0.3 s
	t.Logf("emcee's reads at %d waiters, read every 0.15 to 0.45 s as before: %.0f%% of the time", waiters, 100*before)

	var log bytes.Buffer
	s := session(&log)
	// The holder ends 10 s into the wait; then each waiter in turn gets
	// the row and commits.
	var wg sync.WaitGroup
	timer := time.AfterFunc(10*time.Second, func() {
		holder()
		for _, end := range ends {
			wg.Go(end)
		}
	})
	defer timer.Stop()
	if err := s.awaitWriters(ctx, g); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	m := regexp.MustCompile(`they ended after ([^;]+); (\d+) reads? of the server's lists took (\S+) of it`).FindStringSubmatch(log.String())
	if m == nil {
		t.Fatalf("the wait did not say what its reads took:\n%s", log.String())
	}
	elapsed, err1 := time.ParseDuration(m[1])
	busy, err2 := time.ParseDuration(m[3])
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	duty := float64(busy) / float64(elapsed)
	t.Logf("emcee's wait at %d waiters: %s reads over %s, %s of reading: %.1f%% of the time", waiters, m[2], elapsed, busy, 100*duty)
	// A tenth, and the last read, made once the pile-up has gone.
	if duty > 0.12 {
		t.Errorf("emcee's reads took %.0f%% of the wait under %d lock waiters, want at most a tenth:\n%s", 100*duty, waiters, log.String())
	}
}
