package e2e

import (
	"strings"
	"syscall"
	"testing"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// hq is a name as an HCL string.
func hq(name string) string { return `"` + strings.ReplaceAll(name, `"`, `\"`) + `"` }

// Names with quotes, comment markers, spaces, non-ASCII letters and
// reserved words (a double quote only in names nothing references: emcee
// refuses it in a referenced one, which Atlas does not find), for the tables, columns and foreign key the recheck after
// the ALTER reaches: its gates, the narrowed writer wait's metadata lock
// list, the undo recorded before the ALTER (read back from the version
// table and parsed) and the drop-again.
const (
	s35Parent = `pa'rent ü -- x`
	s35Child  = `order /* "ch'ild" */`
	s35ColA   = `p 'a' #`
	s35ColB   = `select`
	s35Key    = `fk 'ü' "x" -- /*`
)

// s35Tables is a parent with a key of two columns and a child referencing
// it by two nullable columns, no index leading with them (InnoDB makes the
// key an index of its name); with key, the release adding the foreign key,
// ON DELETE CASCADE.
func s35Tables(key bool) string {
	fk := ""
	if key {
		fk = "  foreign_key " + hq(s35Key) + " {\n    columns     = [column[" + hq(s35ColA) + "], column[" + hq(s35ColB) + "]]\n    ref_columns = [table[" + hq(s35Parent) + "].column[\"a\"], table[" + hq(s35Parent) + "].column[\"b\"]]\n    on_delete   = CASCADE\n  }\n"
	}
	return `schema "s" {}
table ` + hq(s35Parent) + ` {
  schema = schema.s
  column "a" {
    type = int
  }
  column "b" {
    type = varchar(10)
  }
  primary_key {
    columns = [column.a, column.b]
  }
}
table ` + hq(s35Child) + ` {
  schema = schema.s
  column "id" {
    type = int
  }
  column ` + hq(s35ColA) + ` {
    type = int
    null = true
  }
  column ` + hq(s35ColB) + ` {
    type = varchar(10)
    null = true
  }
  primary_key {
    columns = [column.id]
  }
` + fk + `}
`
}

// A foreign key of two columns, every name hostile, ON DELETE CASCADE,
// over rows with a NULL in one column (MATCH SIMPLE: not checked). A
// parent is deleted while the ALTER adding the key waits for its metadata
// lock: the count after it finds the orphan, and the key is dropped again
// with the index InnoDB made for it (exit 7, no drift). A kill -9 while a
// second parent's delete is open across the ALTER leaves the key
// unconfirmed: the rerun, its gates refusing, reads the undo back from the
// version table and drops the key again. Once the orphans are fixed the
// key stands, and cascades.
func TestAttackS35HostileCompositeKeyDroppedAgain(t *testing.T) {
	t.Parallel()
	p := plannedProject(t, "mariadb 10.11", [2]string{"a", s35Tables(false)}, [2]string{"b", s35Tables(true)})
	parent, child := sqlsyntax.Ident(s35Parent), sqlsyntax.Ident(s35Child)
	p.must("db", "sync", "a")
	p.exec("INSERT INTO " + parent + " VALUES (1, 'x'), (2, 'y'), (3, 'z')")
	p.exec("INSERT INTO " + child + " VALUES (1, 1, 'x'), (2, 2, 'y'), (3, 3, 'z'), (4, 9, NULL), (5, NULL, 'q')")
	p.must("db", "expand")
	p.must("db", "migrate")
	keys := func() string {
		return p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = ?", s35Key)
	}

	// A parent deleted while the ALTER waits for its metadata lock.
	release := p.holdMDL(s35Child)
	run := p.start("db", "contract")
	p.waitFor("the ALTER adding the key to wait for its metadata lock", func() bool {
		return p.query("SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE DB = ? AND STATE = 'Waiting for table metadata lock' AND INFO LIKE '%ADD CONSTRAINT%'", p.DB.Name) == "1"
	})
	p.exec("DELETE FROM " + parent + " WHERE a = 2")
	release()
	r := run.wait(t)
	if r.Code != 7 || keys() != "0" {
		t.Fatalf("contract over an orphan written while its ALTER waited: keys %s, %s", keys(), r)
	}
	opContains(t, r, "the key was dropped again (ALTER TABLE "+child+" DROP FOREIGN KEY "+sqlsyntax.Ident(s35Key), "gate add-foreign-key: 1 row")
	p.must("db", "diff")

	// Killed while a delete of parent 3 is open across the ALTER.
	p.exec("DELETE FROM " + child + " WHERE id = 2")
	end := openDelete(t, p, "DELETE FROM "+parent+" WHERE a = 3")
	run = p.start("db", "contract")
	p.waitFor("contract to wait for the delete's transaction", func() bool {
		return strings.Contains(run.out.String(), "that had written before foreign key "+s35Key+" on "+s35Child+" was added to end")
	})
	if err := run.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = run.cmd.Wait()
	end(true)
	if keys() != "1" {
		t.Fatalf("the killed run left no key:\n%s", run.out.String())
	}
	r = p.run("db", "contract")
	if r.Code != 7 || keys() != "0" {
		t.Fatalf("rerun over the key the killed run left: keys %s, %s", keys(), r)
	}
	opContains(t, r, "was dropped again (ALTER TABLE "+child+" DROP FOREIGN KEY "+sqlsyntax.Ident(s35Key))
	p.must("db", "diff")

	p.exec("UPDATE " + child + " SET " + sqlsyntax.Ident(s35ColA) + " = NULL WHERE id = 3")
	p.must("db", "contract")
	if keys() != "1" {
		t.Fatal("the key was not added once the orphans were fixed")
	}
	p.exec("DELETE FROM " + parent + " WHERE a = 1")
	if got := p.query("SELECT GROUP_CONCAT(id ORDER BY id) FROM " + child); got != "3,4,5" {
		t.Errorf("children after parent 1 was deleted under ON DELETE CASCADE: %s", got)
	}
}

// openDelete runs q in a transaction it leaves open; end commits it (true)
// or rolls it back.
func openDelete(t *testing.T, p *opProject, q string) (end func(commit bool)) {
	t.Helper()
	conn, release := p.lockRows(q)
	return func(commit bool) {
		if commit {
			if _, err := conn.ExecContext(t.Context(), "COMMIT"); err != nil {
				t.Fatal(err)
			}
		}
		release()
	}
}

// The operator interrupts contract (SIGTERM: a deploy tool's timeout)
// while the count after the ALTER waits for a transaction that deleted a
// parent before the key was there. The run said that dropping the key
// again failed ("context canceled") and sent the operator after a lock
// wait; it was interrupted, and says so, with the key left standing,
// unconfirmed, and what the rerun does with it. That rerun drops it again
// over the orphan the transaction's commit leaves (exit 7), and once the
// orphan is gone adds it.
func TestAttackS35InterruptedWhileTheCountWaits(t *testing.T) {
	t.Parallel()
	p := fkPidMigrated(t)
	end := openParentDelete(t, p)
	run := p.start("db", "contract")
	p.waitFor("contract to wait for the delete's transaction", func() bool { return strings.Contains(run.out.String(), fkWaits) })
	if err := run.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	r := run.wait(t)
	end(true)
	if r.Code == 0 {
		t.Fatalf("contract interrupted while its count waited: %s", r)
	}
	opContains(t, r, "b_contract01 interrupted at statement 2 of 2 (context canceled), which added foreign key fk_pid on child, before its orphans were counted after it: the key stands, not confirmed", "if its gates pass, it keeps the key and counts its orphans again, else it drops it again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`")
	if out := r.Stdout + r.Stderr; strings.Contains(out, "dropping the key again failed") || strings.Contains(out, "a lock wait") {
		t.Errorf("the interrupted run says a drop failed, or sends the operator after a lock wait:\n%s", out)
	}
	if got := p.query("SELECT CONCAT(applied, ' ', in_flight) FROM emcee_revisions WHERE name = 'b_contract01'"); fkPidKeys(p) == "1" && got != "1 1" {
		t.Fatalf("the interrupted run left the key standing, recorded %q (not in flight with its undo)", got)
	}
	r = p.run("db", "contract")
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun over the orphan after the interrupted run: keys %s, %s", fkPidKeys(p), r)
	}
	p.must("db", "diff")
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once the orphan was gone")
	}
}

// Release b drops child.legacy and adds fk_pid, and its data_migration
// deletes the children whose legacy is 1 (reading the column the release
// drops, as it may: it is there while migrate runs and when contract's
// gates count). Contract runs the gate, the delete, the drop of legacy,
// then adds the key; the orphan gate, which leaves the delete's rows out
// by its predicate, reads legacy. A transaction deletes parent 2 before
// the ALTER and commits after it: the count after the ALTER found child 2
// and ran the delete again, which could not run without legacy, and
// contract exited 1 sending the operator after open transactions. Child 2
// has no parent, and the delete selects no row: blocked by data (exit 7).
func TestAttackS35RecheckOfAGateReadingAColumnTheRevisionDropped(t *testing.T) {
	t.Parallel()
	legacy := "  column \"legacy\" {\n    type = int\n    null = true\n  }\n  primary_key {"
	a := strings.Replace(fkParentChild, "  primary_key {", legacy, 2)
	a = strings.Replace(a, legacy, "  primary_key {", 1) // child's only
	b := fkPid + `
data_migration "legacy_rows" {
  table  = "child"
  delete = "legacy = 1"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO parent VALUES (1), (2)")
	p.exec("INSERT INTO child VALUES (1, 1, 0), (2, 2, 0), (3, NULL, 1)")
	p.must("db", "expand")
	p.must("db", "migrate")
	end := openParentDelete(t, p)
	contractWhileDeleteOpen(t, p, true, end)
}

// The same with the column dropped from parent, whose data_migration
// deletes the parents whose legacy is 1: the orphan gate counts their
// children as orphans, reading parent.legacy. Parent 2 is deleted while
// the ALTER adding the key waits for its metadata lock. The recheck right
// after the ALTER found legacy gone, took the gate for one that "passed
// before that statement ran" (as a resumed revision's gates are) and
// counted nothing: contract said the gate was open and confirmed the key
// over child 2 (exit 0). It counts the orphans without the delete's
// predicate (it ran before the ALTER: a parent it selects now was written
// since, and stays one), finds child 2 and drops the key again (exit 7);
// a rerun refuses right before the ALTER, until child 2 is fixed, and db
// check says so (it said contract needed, 5).
func TestAttackS35RecheckOfAGateReadingAParentColumnTheRevisionDropped(t *testing.T) {
	t.Parallel()
	legacy := "  column \"legacy\" {\n    type = int\n    null = true\n  }\n  primary_key {"
	a := strings.Replace(fkParentChild, "  primary_key {", legacy, 1) // parent's
	b := fkPid + `
data_migration "legacy_parents" {
  table  = "parent"
  delete = "legacy = 1"
}
`
	p := plannedProject(t, "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO parent VALUES (1, 0), (2, 0), (3, 1)")
	p.exec("INSERT INTO child VALUES (1, 1), (2, 2)")
	p.must("db", "expand")
	p.must("db", "migrate")
	code, out := deleteParentWhileKeyWaits(t, p)
	if code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("contract over a parent deleted while its ALTER waited: exit %d, keys %s, orphans %s\n%s", code, fkPidKeys(p),
			p.query("SELECT COUNT(*) FROM child WHERE NOT EXISTS (SELECT 1 FROM parent WHERE parent.id = child.pid)"), out)
	}
	opContains(t, opResult{Code: code, Stdout: out}, "the key was dropped again (ALTER TABLE `child` DROP FOREIGN KEY `fk_pid`)", "gate add-foreign-key: 1 row")
	// db check said contract needed (5), the gates passing as read
	// before the drop: it says what contract's count finds.
	if r := p.run("db", "check"); r.Code != 7 || !strings.Contains(r.Stdout, "contract blocked by data") {
		t.Errorf("db check over child 2, which contract refuses: %s", r)
	}
	r := p.run("db", "contract")
	if r.Code != 7 || fkPidKeys(p) != "0" {
		t.Fatalf("rerun over child 2: keys %s, %s", fkPidKeys(p), r)
	}
	opContains(t, r, "refused at statement 5 of 5, which adds foreign key fk_pid on child", "gate add-foreign-key: 1 row")
	p.must("db", "diff")
	p.exec("UPDATE child SET pid = NULL WHERE id = 2")
	p.must("db", "contract")
	if fkPidKeys(p) != "1" {
		t.Fatal("the key was not added once child 2 was fixed")
	}
}
