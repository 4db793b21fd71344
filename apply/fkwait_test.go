package apply

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// INNODB_TRX's copy is cut short once it takes 16 MB, which MariaDB says
// only in its error log ("[Warning] InnoDB: Data in INNODB_TRX truncated
// due to memory limit of 16777216 bytes": trx_i_s_common_fill_table,
// storage/innobase/handler/i_s.cc, sql_print_warning; SHOW WARNINGS after
// the SELECT is empty), and the copy lists the newest connections first
// (trx_sys.register_trx pushes to the front). Measured on MariaDB 10.11
// (a server of its own): 1,500 transactions waiting for the row one
// transaction had updated, the copy listed 1,017 of the 1,501, all
// waiters, not the one holding the row. Shaped so: the transaction that
// deleted a parent, on the oldest connection, is not in the list, and its
// thread holds the parent's metadata lock taken before the key was
// added: it is waited for, until it lets the lock go.
func TestWaitForThreadHoldingTheParentThatTheListLacks(t *testing.T) {
	w := writers{names: map[uint64]string{}, threads: map[uint64]uint64{}, held: map[uint64]string{}, connected: map[uint64]bool{7: true}}
	for i := range uint64(1017) { // the newest connections, writing elsewhere
		w.names[5000+i], w.threads[5000+i], w.connected[100+i] = fmt.Sprintf("thread %d", 100+i), 100+i, true
	}
	w.held[7] = "MDL_SHARED_WRITE on app.parent"  // the oldest connection, cut off the list
	w.held[100] = "MDL_SHARED_WRITE on app.child" // listed: waited for as a writer
	open := w.waitFor(nil)
	if got := waited(open); got != "[[0 7] [5000 100]]" {
		t.Fatalf("waited for %v, want thread 7 (unlisted) and trx 5000 (thread 100)", got)
	}
	if want := "thread 7 (it holds MDL_SHARED_WRITE on app.parent, taken before the key was added, and the server's list of transactions, information_schema.INNODB_TRX, does not show it writing: InnoDB cuts that list short past 16 MB)"; open[[2]uint64{0, 7}] != want {
		t.Errorf("named %q, want %q", open[[2]uint64{0, 7}], want)
	}
	// Still cut short, thread 7 still holding its lock: still waited for.
	if open = w.waitFor(open); len(open) != 2 {
		t.Fatalf("waiting for %v", waited(open))
	}
	// Its lock gone (the transaction ended; a lock it took since is newer
	// than the key, and keyHolders leaves it out), thread 100's too.
	delete(w.held, 7)
	delete(w.held, 100)
	if open = w.waitFor(open); len(open) != 0 {
		t.Fatalf("still waiting for %v", waited(open))
	}
}

// Where the server does not show its locks (held nil), every writer listed
// is waited for until it leaves the list; a prepared XA transaction with
// no connection (thread 0, no lock) is waited for either way.
func TestWaitForWithoutLocksShown(t *testing.T) {
	w := writers{names: map[uint64]string{1: "thread 9", 2: "xa"}, threads: map[uint64]uint64{1: 9, 2: 0}}
	open := w.waitFor(nil)
	if len(open) != 2 {
		t.Fatalf("waiting for %v", open)
	}
	// The locks shown, none held: thread 9's connection gone, its
	// transaction still listed on it (a copy up to 0.1 s old, or older
	// while a monitor reads it), it may be an XA transaction prepared
	// since, holding none: still waited for (TestAttackS34Prepared-
	// XADetachedWhileTheTransactionListIsStale).
	w.held, w.connected = map[uint64]string{}, map[uint64]bool{}
	if open = w.waitFor(open); len(open) != 2 {
		t.Fatalf("thread 9 gone, waiting for %v, want both", open)
	}
	w.connected[9] = true
	if open = w.waitFor(open); waited(open) != "[[2 0]]" {
		t.Fatalf("with no lock held, waiting for %v, want the XA transaction alone", open)
	}
	delete(w.names, 2)
	if open = w.waitFor(open); len(open) != 0 {
		t.Fatalf("still waiting for %v", open)
	}
}

// waited is what open waits for, as trx id and thread pairs in order.
func waited(open map[[2]uint64]string) string {
	return fmt.Sprint(slices.SortedFunc(maps.Keys(open), func(a, b [2]uint64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }))
}

// The pause between awaitWriters' reads of the server's lists: today's
// 0.15 to 0.45 s on a server without a lock pile-up, as long as the
// writers change; longer by half for each read finding the same ones, up
// to 1 s and the jitter; never past the wait's bound (a last read there);
// and at least 9 times the read it follows, so that emcee's reads, which
// hold InnoDB's lock system latch while they fill INNODB_TRX's copy, take
// at most a tenth of the time. Read times as measured on MariaDB 10.11
// (docs/rules-gated.md): 2 ms with no pile-up, 4 s a read at 1,500
// waiters on one row.
func TestPollPause(t *testing.T) {
	const ms = time.Millisecond
	long := time.Minute
	for _, c := range []struct {
		took      time.Duration
		unchanged int
		left      time.Duration
		jitter    time.Duration
		want      time.Duration
	}{
		{2 * ms, 0, long, 0, 150 * ms}, // as before the bound: 0.15 to 0.45 s
		{2 * ms, 0, long, 299 * ms, 449 * ms},
		{2 * ms, 1, long, 0, 225 * ms}, // the same writers: longer by half
		{2 * ms, 2, long, 100 * ms, 437500 * time.Microsecond},
		{2 * ms, 5, long, 0, 1000 * ms}, // 1.14 s: capped
		{2 * ms, 50, long, 299 * ms, 1299 * ms},
		{2 * ms, 5, 400 * ms, 200 * ms, 400 * ms},                  // a last read at the bound
		{2 * ms, 0, 10 * ms, 0, 150 * ms},                          // but over 0.1 s after the last
		{30 * ms, 0, long, 0, 270 * ms},                            // 9 times the read, once past 17 ms
		{160 * ms, 0, long, 299 * ms, 1440 * ms},                   // 300 waiters
		{4 * time.Second, 0, long, 0, 36 * time.Second},            // 1,500 waiters
		{4 * time.Second, 0, 5 * time.Second, 0, 36 * time.Second}, // whatever the bound
	} {
		got := pollPause(c.took, c.unchanged, c.left, c.jitter)
		if got != c.want {
			t.Errorf("pollPause(%s, %d, %s, %s) = %s, want %s", c.took, c.unchanged, c.left, c.jitter, got, c.want)
		}
		if duty := float64(c.took) / float64(c.took+got); duty > 0.1 {
			t.Errorf("after a read of %s, a pause of %s: reads take %.0f%% of the time", c.took, got, 100*duty)
		}
	}
}

// The writer that deleted a parent is in the first list made after the
// ALTER, on the oldest connection, holding parent's metadata lock. Then
// new connections open transactions enough to fill INNODB_TRX's copy past
// 16 MB, which keeps the newest ones and cuts the oldest off (as measured
// above): the writer, still open and still holding the lock, leaves the
// list. Taken for ended, it was let go, and its commit left an orphan
// under the standing key; its thread still holding the lock taken before
// the key says it is open.
func TestAttackS34WaitForWriterCutOffTheListLater(t *testing.T) {
	w := writers{names: map[uint64]string{4000: "thread 7"}, threads: map[uint64]uint64{4000: 7},
		held: map[uint64]string{7: "MDL_SHARED_WRITE on app.parent"}, connected: map[uint64]bool{7: true}}
	open := w.waitFor(nil)
	if len(open) != 1 {
		t.Fatalf("first list: waiting for %v", waited(open))
	}
	cut := writers{names: map[uint64]string{}, threads: map[uint64]uint64{}, held: w.held, connected: w.connected}
	for i := range uint64(1017) {
		cut.names[5000+i], cut.threads[5000+i], cut.connected[100+i] = fmt.Sprintf("thread %d", 100+i), 100+i, true
	}
	if open = cut.waitFor(open); len(open) != 1 {
		t.Fatalf("the writer cut off the list, its thread still holding parent: waiting for %v, want it", waited(open))
	}
	// Its lock gone: it ended.
	cut.held = map[uint64]string{}
	if open = cut.waitFor(open); len(open) != 0 {
		t.Fatalf("still waiting for %v", waited(open))
	}
}
