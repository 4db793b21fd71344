package e2e

import (
	"context"
	"strings"
	"testing"
	"time"
)

// An XA transaction deleted parent 2 and was prepared before the ALTER,
// its connection still there: it holds parent's metadata lock, and the
// wait after the key was added waits for it. Then its connection goes
// (an application crashing): the transaction stays prepared, holding no
// lock, while INNODB_TRX's copy, which InnoDB makes again only once
// nobody has read it for 0.1 s (a monitor polling it), still shows it
// on its old thread. The wait took "its thread holds no lock" for "it
// ended" and let it go: contract left the key standing (exit 0), and the
// XA COMMIT that followed left child 2 an orphan under it.
func TestAttackS34PreparedXADetachedWhileTheTransactionListIsStale(t *testing.T) {
	t.Parallel()
	p := fkPidMigratedOn(t, mdlServer(t).NewDB(t))
	lockWaitAtMost(t, p, 3)
	xid, xa := xaPreparedParentDelete(t, p)
	t.Cleanup(func() { _, _ = p.DB.Exec("XA ROLLBACK " + xid) })

	run := p.start("db", "contract", "--retries", "0")
	done := make(chan error, 1)
	go func() { done <- run.cmd.Wait() }()
	var exited error
	waited := false
	p.waitFor("contract to wait for the prepared transaction", func() bool {
		select {
		case exited = <-done:
			return true
		default:
		}
		waited = strings.Contains(run.out.String(), fkWaits)
		return waited
	})
	if !waited {
		t.Fatalf("contract did not wait for the prepared transaction: %v\n%s", exited, run.out.String())
	}
	// A monitor reading INNODB_TRX every 20 ms from now on: the copy
	// InnoDB serves stays the one that shows the transaction on its
	// connection's thread.
	ctx, stop := context.WithCancel(context.Background())
	monitored := make(chan struct{})
	go func() {
		defer close(monitored)
		for ctx.Err() == nil {
			_, _ = p.DB.ExecContext(ctx, "SELECT COUNT(*) FROM information_schema.INNODB_TRX")
			time.Sleep(20 * time.Millisecond)
		}
	}()
	defer func() { stop(); <-monitored }()
	xa.Close() // the prepared transaction outlives its connection

	code := exitCode(t, <-done)
	stop()
	<-monitored
	keys := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_pid'")
	if code == 0 || keys != "0" {
		p.exec("XA COMMIT " + xid)
		t.Fatalf("contract while an XA transaction that deleted a parent stays prepared, its connection gone: exit %d, keys %s; orphans under the key once it commits: %s\n%s", code, keys,
			p.query("SELECT COUNT(*) FROM child WHERE NOT EXISTS (SELECT 1 FROM parent WHERE parent.id = child.pid)"), run.out.String())
	}
	if out := run.out.String(); code != 1 || !strings.Contains(out, "1 transaction that had written before the key was added still open after") || !strings.Contains(out, "whose connection is gone (an XA transaction prepared: XA RECOVER lists it") || !strings.Contains(out, "the key was dropped again") {
		t.Errorf("contract, exit %d, does not say it gave up waiting for the prepared transaction:\n%s", code, out)
	}
}
