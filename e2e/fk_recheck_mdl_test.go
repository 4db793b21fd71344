package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/internal/testserver"
)

// mdlServer is a server of the test's own showing its metadata locks
// (information_schema.METADATA_LOCK_INFO, of the plugin metadata_lock_info
// loaded at start): the shared server's plugins stay as they are.
func mdlServer(t *testing.T) *testserver.Server {
	t.Helper()
	return testserver.Start(t, testserver.Options{Args: []string{"--plugin-load-add=metadata_lock_info"}})
}

// openUnrelatedWrite inserts a row into a table of db in a transaction it
// leaves open (until the test ends): a long transaction of another
// application.
func openUnrelatedWrite(t *testing.T, db *testdb.DB) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	for _, q := range []string{"CREATE TABLE job (id int PRIMARY KEY) ENGINE=InnoDB", "START TRANSACTION", "INSERT INTO job VALUES (1)"} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}

// A transaction of another application, in another database, has written
// and stays open. The count after the key was added waited for it like
// for any writer (INNODB_TRX does not say which tables a transaction
// wrote), past its bound, and the key was dropped again (exit 1). Where
// the server shows its metadata locks, it waits only for the writers
// holding parent or child: none here, so the key stands at once.
func TestForeignKeyRecheckLeavesUnrelatedWritersAlone(t *testing.T) {
	t.Parallel()
	srv := mdlServer(t)
	p := fkPidMigratedOn(t, srv.NewDB(t))
	lockWaitAtMost(t, p, 2)
	openUnrelatedWrite(t, srv.NewDB(t))

	began := time.Now()
	r := p.run("db", "contract", "--retries", "1")
	t.Logf("contract with an unrelated transaction open: %s", time.Since(began))
	if r.Code != 0 {
		t.Fatalf("contract while a transaction of another database is open: %s", r)
	}
	if out := r.Stdout + r.Stderr; strings.Contains(out, fkWaits) {
		t.Errorf("contract waited for the unrelated transaction:\n%s", out)
	}
	if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_pid'"); got != "1" {
		t.Fatalf("contract did not add the key:\n%s", r)
	}
}

// Waiting only for the writers holding parent or child still waits for
// the one that deleted a parent before the ALTER (it holds parent's
// metadata lock until it ends), an unrelated one open meanwhile: once the
// delete commits the orphan is found and the key dropped again (exit 7);
// rolled back, the key stays. Before, the unrelated transaction kept the
// wait going past its bound either way (exit 1).
func TestForeignKeyRecheckWaitsForParentDeleteAmongUnrelatedWriters(t *testing.T) {
	t.Parallel()
	srv := mdlServer(t)
	openUnrelatedWrite(t, srv.NewDB(t))
	for _, name := range []string{"commit", "rollback"} {
		commit := name == "commit"
		t.Run(name, func(t *testing.T) {
			p := fkPidMigratedOn(t, srv.NewDB(t))
			lockWaitAtMost(t, p, 3)
			end := openParentDelete(t, p)
			contractWhileDeleteOpen(t, p, commit, end)
		})
	}
}

// An XA transaction prepared, its connection gone, holds no metadata lock
// (thread 0 in INNODB_TRX): where the server shows the locks, the count
// still waits for it.
func TestForeignKeyRecheckWaitsForPreparedXAWithLocksShown(t *testing.T) {
	t.Parallel()
	preparedXADeletedParent(t, fkPidMigratedOn(t, mdlServer(t).NewDB(t)))
}

// withGrand is schema (fkParentChild or fkPid) with parent's rows deleted
// in cascade with grand's.
func withGrand(schema string) string {
	return strings.Replace(schema, `table "parent" {
  schema = schema.s
  column "id" {
    type = int
  }
`, `table "grand" {
  schema = schema.s
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "parent" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "gid" {
    type = int
    null = true
  }
  foreign_key "fk_gid" {
    columns     = [column.gid]
    ref_columns = [table.grand.column.id]
    on_delete   = CASCADE
  }
`, 1)
}

// A parent deleted in cascade, by a transaction that deleted its own
// parent (grand) before the ALTER and commits after it: that transaction
// holds parent's metadata lock too (the server takes it on the tables a
// statement may change in cascade), so it is waited for, an unrelated
// writer open meanwhile, and the orphan it leaves found.
func TestForeignKeyRecheckWaitsForCascadeDeleteAmongUnrelatedWriters(t *testing.T) {
	t.Parallel()
	srv := mdlServer(t)
	openUnrelatedWrite(t, srv.NewDB(t))
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", withGrand(fkParentChild)}, [2]string{"b", withGrand(fkPid)})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO grand VALUES (1), (2)")
	p.exec("INSERT INTO parent VALUES (1, 1), (2, 2)")
	p.exec("INSERT INTO child VALUES (1, 1), (2, 2)")
	p.must("db", "expand")
	p.must("db", "migrate")
	lockWaitAtMost(t, p, 3)
	conn, _ := p.lockRows("DELETE FROM grand WHERE id = 2")
	contractWhileDeleteOpen(t, p, true, func(bool) {
		if _, err := conn.ExecContext(context.Background(), "COMMIT"); err != nil {
			t.Fatal(err)
		}
	})
}
