package e2e

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// A rehearsed rollback that its own gates refuse: v2 appends an enum value
// that its workers write, which v1's type cannot hold, so the rollback's
// gate counts those rows. That is what the rehearsal found about the
// release: blocked by data, exit 7 as emcee db rollback exits (it exited
// 6 while db rollback exited 1), with the gate's count and where it is.
func TestFixesS33SimulateRollbackRefusedByItsGate(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v1", enumRelease(`"a", "b"`, "")}, [2]string{"v2", enumRelease(`"a", "b", "c"`, "")})
	p.must("plan")
	r := p.run("simulate", "--rollback", "--allow-copy", "--url", testdb.New(t).URL, "--rows", "200", "--baseline", "200ms", "--settle", "500ms", "--quiet")
	if r.Code != 7 {
		t.Fatalf("simulate --rollback refused by the rollback's gate: %s", r)
	}
	opContains(t, r, "rollback refused at v2_rollback01", "gate widen-column:", "result: the rollback was refused (above)")
}

// contractUndoWaits runs contract over fkPidMigrated with lock_wait_timeout
// 2 s and --retries 3 while a delete of parent 2 is open across the ALTER
// adding fk_pid; once contract waits for that delete after the ALTER,
// another connection takes the metadata lock of child (a read in an open
// transaction) and the delete commits: the count finds child 2 without a
// parent, and the ALTER dropping the key again waits for the metadata
// lock. hold is called with the running contract then; it returns once the
// lock may go. On a server of its own (fkPidMigratedAlone): the wait after
// the ALTER (8 s here) is for every writer of the server, and contracts
// reading INNODB_TRX at once keep it from being made again.
func contractUndoWaits(t *testing.T, hold func(p *opProject, run *running)) (*opProject, opResult) {
	t.Helper()
	p := fkPidMigratedAlone(t)
	restore := lockWaitAtMost(t, p, 2)
	end := openParentDelete(t, p)
	run, done := contractWaitingForDelete(t, p, "--retries", "3")
	release := p.holdMDL("child")
	end(true)
	p.waitFor("the ALTER dropping fk_pid again to wait for its metadata lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE '%DROP FOREIGN KEY `fk_pid`%'", p.DB.Name) == "1"
	})
	hold(p, run)
	release()
	r := opResult{Stdout: run.out.String(), Code: exitCode(t, <-done)}
	r.Stdout = run.out.String()
	restore()
	return p, r
}

func fkPidKeys(p *opProject) string {
	return p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_pid'")
}

// The ALTER dropping a key again over an orphan found after it was added
// waited for a metadata lock past lock_wait_timeout: it was sent once, and
// contract stopped with the key standing over the orphan. It is retried
// as every statement is: the lock released during the retry, the key is
// dropped again and contract is blocked by data (exit 7).
func TestFixesS33KeyDroppedAgainIsRetried(t *testing.T) {
	t.Parallel()
	p, r := contractUndoWaits(t, func(p *opProject, run *running) {
		p.waitFor("the retry of the drop", func() bool { return strings.Contains(run.out.String(), "retry 1 of 3") })
	})
	// Exit 7 on the orphan counted; 1 when the count gave up first, the
	// test's delete still open past the wait's bound (8 s) on a busy
	// machine: the key is dropped again either way.
	if r.Code != 7 && r.Code != 1 || fkPidKeys(p) != "0" {
		t.Fatalf("contract whose drop of the key waited for a metadata lock once: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "dropping foreign key fk_pid on child again: Error 1205", "the key was dropped again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`)")
	if got := p.query("SELECT in_flight FROM emcee_revisions WHERE name = 'b_contract01'"); got != "0" {
		t.Fatalf("the statement is in flight after its key was dropped again: %s", got)
	}
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once the orphan was gone")
	}
}

// The drop waits past every retry: contract stops, the key standing over
// the orphan. The rerun's gates refuse on the orphan (exit 7), and it
// drops the key first (the record keeps the statement in flight, with the
// drop that failed); once the orphan is gone, contract adds the key.
func TestFixesS33RerunDropsTheKeyADropAgainLeft(t *testing.T) {
	t.Parallel()
	p, r := contractUndoWaits(t, func(p *opProject, run *running) {
		p.waitFor("contract to give up", func() bool { return strings.Contains(run.out.String(), "dropping the key again failed") })
	})
	if r.Code != 7 && r.Code != 1 || fkPidKeys(p) != "1" {
		t.Fatalf("contract whose drop of the key waited for a metadata lock past the retries: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "dropping the key again failed (gave up after 4 attempts", "it stands over them", "Rerun `emcee db contract --env test --retries 3`: while its gates count rows without a parent, it drops the key again")
	r = p.run("db", "contract")
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun over the key left standing: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "foreign key fk_pid on child, which statement 2 of 2 added in a run that stopped before confirming it, was dropped again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`)", "gate add-foreign-key: 1 row")
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once the orphan was gone")
	}
}
