package e2e

import (
	"strings"
	"testing"
)

// killLockHolder ends the connection holding the project's operator lock
// (KILL CONNECTION: a failover, a proxy's timeout): the running command's.
func killLockHolder(p *opProject) {
	p.exec("KILL CONNECTION " + p.query("SELECT IS_USED_LOCK(CONCAT('emcee:', DATABASE()))"))
}

// droppedAgainByRerun checks a rerun of contract over child 2, whose
// parent is gone, after a run that added fk_pid stopped with it standing:
// the rerun drops the key again and says so, not that nothing was
// changed, and is blocked by the orphan (exit 7) with the statement
// recorded as not applied; once the orphan is gone, contract adds the key.
func droppedAgainByRerun(t *testing.T, p *opProject, r opResult) {
	t.Helper()
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun over the key left standing: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "was dropped again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`", "nothing else was changed", "gate add-foreign-key: 1 row")
	if strings.Contains(r.Stdout+r.Stderr, "nothing was changed") {
		t.Errorf("the rerun that dropped the key says nothing was changed:\n%s", r)
	}
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'b_contract01'"); got != "1 0" {
		t.Errorf("record after the key was dropped again: %s", got)
	}
	if d := p.run("db", "diff"); d.Code != 0 {
		t.Errorf("after the key was dropped again: %s", d)
	}
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once the orphan was gone")
	}
}

// The connection is lost while the ALTER dropping the key again waits for
// its metadata lock: the key stands over the orphan, and the run can write
// nothing more to its record. The rerun's gates refused over the orphan
// saying that nothing was changed, the key standing. The drop is in the
// record from before the ALTER: the rerun drops the key first.
func TestForeignKeyDropAgainLosesItsConnection(t *testing.T) {
	t.Parallel()
	p, r := contractUndoWaits(t, func(p *opProject, _ *running) { killLockHolder(p) })
	if r.Code == 0 || fkPidKeys(p) != "1" {
		t.Fatalf("contract whose connection was lost while it dropped the key again: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "dropping the key again failed (", "it stands over them")
	droppedAgainByRerun(t, p, p.run("db", "contract"))
}

// A second operator's contract waits for the operator lock while the
// first one drops the key again; the first one's connection is lost: the
// second takes the lock at once, and finds the key standing over the
// orphan with no word of it from the first run. It drops it first.
func TestForeignKeyDropAgainTakenOverBySecondContract(t *testing.T) {
	t.Parallel()
	var second *running
	p, r := contractUndoWaits(t, func(p *opProject, _ *running) {
		second = p.start("db", "contract", "--lock-timeout", "600s")
		p.waitFor("the second contract to wait for the operator lock", func() bool {
			return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT GET_LOCK(%' AND STATE = 'User lock'") != "0"
		})
		killLockHolder(p)
	})
	if r.Code == 0 {
		t.Fatalf("the first contract, its connection lost: %s", r)
	}
	droppedAgainByRerun(t, p, second.wait(t))
}

// The run adding the key is killed (kill -9) before its count, and the
// parent's delete commits. The operator drops the key by hand: the rerun
// finds nothing to drop, says so (not that it dropped it), and records
// the statement as not applied. Or the operator deletes the orphan by
// hand: the rerun keeps the key, counts again and confirms it.
func TestForeignKeyUnconfirmedFixedByHand(t *testing.T) {
	t.Parallel()
	t.Run("key dropped", func(t *testing.T) {
		t.Parallel()
		p := killedOverOrphan(t, fkParentChild, fkPid)
		p.exec("ALTER TABLE child DROP FOREIGN KEY fk_pid")
		leftNothing(t, p, p.run("db", "contract"))
	})
	// Its index left behind is drift; accepted, the rerun drops it.
	t.Run("key dropped, index left", func(t *testing.T) {
		t.Parallel()
		a, b := fkOwnIndex()
		p := killedOverOrphan(t, a, b)
		p.exec("ALTER TABLE child DROP FOREIGN KEY fk_pid")
		opContains(t, p.run("db", "contract"), "index fk_pid is unexpected")
		r := p.run("db", "contract", "--allow-drift")
		if r.Code != 7 || p.query("SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'child' AND INDEX_NAME = 'fk_pid'") != "0" {
			t.Fatalf("rerun after the key was dropped by hand, its index left: %s", r)
		}
		opContains(t, r, "left foreign key fk_pid on child gone (dropped by hand, or by a run that stopped part way through undoing it) and the rest of it undone now (ALTER TABLE `child` DROP INDEX `fk_pid`)", "nothing else was changed")
		p.must("db", "diff")
	})
	t.Run("orphan deleted", func(t *testing.T) {
		t.Parallel()
		a, b := fkOwnIndex()
		p := killedOverOrphan(t, a, b)
		p.exec("DELETE FROM child WHERE id = 2")
		r := p.run("db", "contract")
		if r.Code != 0 || fkPidKeys(p) != "1" {
			t.Fatalf("rerun after the orphan was deleted by hand: keys %s, %s", fkPidKeys(p), r)
		}
		opContains(t, r, "counted as applied", "orphan gate rechecked after adding foreign key fk_pid on child")
		p.must("db", "diff")
	})
}

// killedOverOrphan is fkMigrated(a, b) whose contract was killed (kill
// -9) after it added fk_pid, before its count; child 2 has lost its
// parent since.
func killedOverOrphan(t *testing.T, a, b string) *opProject {
	t.Helper()
	p := fkMigrated(t, a, b)
	end := openParentDelete(t, p)
	killWhileKeyUnconfirmed(t, p)
	end(true)
	return p
}

// The drop again waited past every retry, and the operator drops the key
// by hand, as the refusal offers: the rerun said it had dropped it.
func TestForeignKeyDropAgainLeftThenDroppedByHand(t *testing.T) {
	t.Parallel()
	p, r := contractUndoWaits(t, func(p *opProject, run *running) {
		p.waitFor("contract to give up", func() bool { return strings.Contains(run.out.String(), "dropping the key again failed") })
	})
	if r.Code == 0 || fkPidKeys(p) != "1" {
		t.Fatalf("contract whose drop of the key waited past the retries: keys %s, %s", fkPidKeys(p), r)
	}
	p.exec("ALTER TABLE child DROP FOREIGN KEY fk_pid")
	leftNothing(t, p, p.run("db", "contract"))
}

// The same, and the operator deletes the orphan by hand instead: the
// rerun keeps the key (it dropped it and added it again), counts its
// orphans again and confirms it.
func TestForeignKeyDropAgainLeftThenOrphanDeletedByHand(t *testing.T) {
	t.Parallel()
	p, _ := contractUndoWaits(t, func(p *opProject, run *running) {
		p.waitFor("contract to give up", func() bool { return strings.Contains(run.out.String(), "dropping the key again failed") })
	})
	p.exec("DELETE FROM child WHERE id = 2")
	r := p.must("db", "contract")
	opContains(t, r, "counted as applied", "orphan gate rechecked after adding foreign key fk_pid on child")
	if fkPidKeys(p) != "1" || p.query("SELECT finished_at IS NOT NULL FROM emcee_revisions WHERE name = 'b_contract01'") != "1" {
		t.Fatalf("the key, or the record, after the orphan was deleted by hand: keys %s\n%s", fkPidKeys(p), r)
	}
}

// leftNothing checks a rerun of contract over the orphan after the
// operator dropped the key a run left unconfirmed: it says that nothing
// of the statement stands, and records it as not applied.
func leftNothing(t *testing.T, p *opProject, r opResult) {
	t.Helper()
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun after the key was dropped by hand: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "statement 2 of 2, sent by a run that stopped before confirming it, left nothing standing (foreign key fk_pid on child dropped by hand, or never added)", "nothing else was changed", "gate add-foreign-key: 1 row")
	if strings.Contains(r.Stdout+r.Stderr, "was dropped again") {
		t.Errorf("the rerun says it dropped the key the operator dropped:\n%s", r)
	}
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'b_contract01'"); got != "1 0" {
		t.Errorf("record after the key was dropped by hand: %s", got)
	}
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once the orphan was gone")
	}
}

// The run adding the key is killed (kill -9) while a transaction that
// deleted a parent before the ALTER is open. The rerun's gates pass (the
// delete is not committed), and the transaction commits before the rerun
// sends the statement again (here: while it waits to write its record):
// the count right before the ALTER refuses over the orphan. It recorded
// the statement as not applied, the killed run's key standing over the
// orphan (the next run refused it as made by hand). It drops it again.
func TestForeignKeyResumeRefusedRightBeforeTheALTER(t *testing.T) {
	t.Parallel()
	p := fkMigrated(t, fkParentChild, fkPid)
	end := openParentDelete(t, p)
	killWhileKeyUnconfirmed(t, p)
	_, release := p.lockRows("SELECT * FROM emcee_revisions WHERE name = 'b_contract01' FOR UPDATE")
	run := p.start("db", "contract")
	p.waitFor("the rerun to wait to write its record", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'UPDATE `emcee_revisions` SET error = NULL%'") != "0"
	})
	end(true)
	release()
	r := run.wait(t)
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun refused right before the ALTER: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "refused at statement 2 of 2, which adds foreign key fk_pid on child", "was dropped again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`)")
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'b_contract01'"); got != "1 0" {
		t.Errorf("record: %s", got)
	}
	p.must("db", "diff")
}

// The run adding the key is killed (kill -9) before its count; the
// parent's delete is rolled back. The rerun's gates pass and it sends the
// ALTER again, which waits for a metadata lock past --retries: it
// recorded the statement failed and not in flight, its undo lost, the
// killed run's key standing (the next run refused it as made by hand).
// The record keeps it in flight with its undo: the next run confirms it.
func TestForeignKeyResentALTERWaitsPastRetries(t *testing.T) {
	t.Parallel()
	p := fkMigrated(t, fkParentChild, fkPid)
	end := openParentDelete(t, p)
	killWhileKeyUnconfirmed(t, p)
	end(false)
	restore := lockWaitAtMost(t, p, 1)
	release := p.holdMDL("child")
	r := p.run("db", "contract", "--retries", "1")
	release()
	restore()
	if r.Code == 0 || fkPidKeys(p) != "1" {
		t.Fatalf("rerun whose ALTER waited past the retries: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "Lock wait timeout", "foreign key fk_pid on child, which the run that stopped added, may stand, not confirmed")
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight, ' ', failed_statement) FROM emcee_revisions WHERE name = 'b_contract01'"); got != "1 1 ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`;\nALTER TABLE `child` DROP INDEX `fk_pid`" {
		t.Errorf("record after the resent ALTER failed: %s", got)
	}
	r = p.run("db", "contract")
	if r.Code != 0 || fkPidKeys(p) != "1" {
		t.Fatalf("the run after: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "counted as applied", "orphan gate rechecked after adding foreign key fk_pid on child")
	p.must("db", "diff")
}

// The run adding the key is killed (kill -9) before its count; the
// parent's delete is rolled back. The rerun, as a user without PROCESS,
// passes its gates and is refused before it runs anything: the refusal
// said nothing of the killed run's key, which stands unconfirmed. It says
// so, and what the rerun does with it.
func TestForeignKeyUnconfirmedRefusedAfterTheGates(t *testing.T) {
	t.Parallel()
	p := fkMigrated(t, fkParentChild, fkPid)
	end := openParentDelete(t, p)
	killWhileKeyUnconfirmed(t, p)
	end(false)
	args, account := contractWithoutProcess(t, p)
	r := p.run(args...)
	if r.Code == 0 || fkPidKeys(p) != "1" {
		t.Fatalf("rerun without PROCESS: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "lacks it (Error 1227", "foreign key fk_pid on child, added by statement 2 of 2 in a run that stopped before confirming it, may stand, not confirmed (its orphans not counted since): the rerun keeps it and counts them if its gates pass, else drops it again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`")
	p.exec("GRANT PROCESS ON *.* TO " + account)
	opContains(t, p.must(args...), "counted as applied")
}

// The run adding the key is killed (kill -9) before its count, and the
// parent's delete commits: the key stands over an orphan, unconfirmed.
// db diff said it was counted as applied (contract would drop it), db
// status that contract was blocked by data without a word of the key, and
// db version --format json gave its undo as the failed statement. Each says what
// stands and what contract does with it.
func TestForeignKeyUnconfirmedReadSide(t *testing.T) {
	t.Parallel()
	p := killedOverOrphan(t, fkParentChild, fkPid)
	const note = "foreign key fk_pid on child, added by statement 2 of 2 in a run that stopped before confirming it, may stand, not confirmed"
	d := p.run("db", "diff")
	opContains(t, d, note)
	if strings.Contains(d.Stdout+d.Stderr, "counted as applied") {
		t.Errorf("db diff counts the unconfirmed key as applied:\n%s", d)
	}
	opContains(t, p.run("db", "status"), "contract blocked by data", note)
	v := p.run("db", "version", "--format", "json")
	opContains(t, v, `"undo":`, "DROP FOREIGN KEY `fk_pid`")
	if strings.Contains(v.Stdout, "failed_statement") {
		t.Errorf("db version --format json gives the undo as the failed statement:\n%s", v)
	}
}

// The undo of a key a killed run left unconfirmed stops part way: the key
// goes, and its index stays, needed by a key of another table the
// operator added by hand (error 1553). The refusal said the key stood and
// nothing else was run, and offered the whole undo by hand, its first
// statement failing; the rerun, once the other key was gone, said the key
// had been dropped by hand. They say what was undone and what is left.
func TestForeignKeyDropAgainStopsPartWay(t *testing.T) {
	t.Parallel()
	a, b := fkOwnIndex()
	p := killedOverOrphan(t, a, b)
	p.exec("CREATE TABLE other (x int, CONSTRAINT fk_other FOREIGN KEY (x) REFERENCES child (pid))")
	r := p.run("db", "contract", "--allow-drift")
	if r.Code == 0 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun whose undo stops part way: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "undoing it stopped part way: it ran ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`, then failed (Error 1553", "what is left (ALTER TABLE `child` DROP INDEX `fk_pid`)", "nothing else was changed")
	for _, wrong := range []string{"it stands", "nothing was changed"} {
		if strings.Contains(r.Stdout+r.Stderr, wrong) {
			t.Errorf("the refusal of an undo that stopped part way says %q:\n%s", wrong, r)
		}
	}
	p.exec("DROP TABLE other")
	r = p.run("db", "contract", "--allow-drift")
	if r.Code != 7 {
		t.Fatalf("rerun once the other key is gone: %s", r)
	}
	opContains(t, r, "left foreign key fk_pid on child gone (dropped by hand, or by a run that stopped part way through undoing it) and the rest of it undone now (ALTER TABLE `child` DROP INDEX `fk_pid`)")
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	p.must("db", "diff")
}
