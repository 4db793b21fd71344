package e2e

import (
	"database/sql"
	"net/url"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A deployer with every right on its database and no global privilege
// adds a foreign key in contract. The count after the ALTER waits first
// for the transactions that had written before it, which it reads from
// information_schema.INNODB_TRX: the server shows that table only to a
// user holding PROCESS (error 1227). Contract must not add the key and
// then drop it again over a privilege it could have asked for before
// anything ran: the revision is refused before its first statement,
// naming the GRANT, and runs once PROCESS is granted.
func TestAttackS33ForeignKeyRecheckWithoutProcess(t *testing.T) {
	t.Parallel()
	p := fkPidMigrated(t)
	args, account := contractWithoutProcess(t, p)
	before := p.query("SELECT CONCAT(COUNT(*), ' ', COALESCE(SUM(applied), 0)) FROM emcee_revisions WHERE name = 'b_contract01'")
	r := p.run(args...)
	if r.Code == 0 {
		t.Logf("contract without PROCESS ran:\n%s", r)
		if got := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_pid'"); got != "1" {
			t.Fatalf("contract succeeded without the key")
		}
		return
	}
	opContains(t, r, "b_contract01 refused before this run applied any of it: statement 2 at plans/b/b_contract01.sql:", "adds foreign key fk_pid on child", "lacks it (Error 1227", "next: as an administrator: GRANT PROCESS ON *.* TO "+account)
	if out := r.Stdout + r.Stderr; strings.Contains(out, "dropped again") || strings.Contains(out, "KILL <thread>") {
		t.Errorf("the key was added and dropped again, or the operator is sent after transactions, for a missing privilege:\n%s", out)
	}
	if got := p.query("SELECT CONCAT(COUNT(*), ' ', COALESCE(SUM(applied), 0)) FROM emcee_revisions WHERE name = 'b_contract01'"); got != before {
		t.Errorf("the refusal ran statements of the revision: record %s, was %s\n%s", got, before, r)
	}
	p.exec("GRANT PROCESS ON *.* TO " + account)
	p.must(args...)
}

// contractWithoutProcess is the arguments of db contract as a user with
// every right on p's database and no global privilege, and its account.
func contractWithoutProcess(t *testing.T, p *opProject) (args []string, account string) {
	t.Helper()
	user := strings.Replace(p.DB.Name, "emcee_t_", "emcee_u_", 1)
	account = sqlsyntax.String(user) + "@'%'"
	p.exec("CREATE USER " + account + " IDENTIFIED BY 'pw-not-printed'")
	t.Cleanup(func() { _, _ = p.DB.Exec("DROP USER IF EXISTS " + account) })
	p.exec("GRANT ALL ON " + sqlsyntax.Ident(p.DB.Name) + ".* TO " + account)
	u, err := url.Parse(p.DB.URL)
	if err != nil {
		t.Fatal(err)
	}
	dev := testdb.New(t)
	return []string{"db", "contract", "--url", "mysql://" + user + ":pw-not-printed@" + u.Host + "/" + p.DB.Name, "--dev-url", dev.URL}, account
}

// The connection contract waits on after the ALTER is lost (KILL
// CONNECTION: a failover, a proxy's timeout) while a transaction that
// deleted a parent before the key was there is open: the run stops with
// the key unconfirmed, and whatever stands, no later run leaves the key
// over the orphan once that transaction commits.
func TestAttackS33ForeignKeyRecheckLosesItsConnection(t *testing.T) {
	t.Parallel()
	p := fkPidMigrated(t)
	end := openParentDelete(t, p)
	run := p.start("db", "contract")
	p.waitFor("contract to wait for the delete's transaction", func() bool { return strings.Contains(run.out.String(), fkWaits) })
	killLockHolder(p)
	code := exitCode(t, run.cmd.Wait())
	if code == 0 {
		t.Fatalf("contract succeeded without its count")
	}
	// No count ran: the run knows of no row without a parent.
	opContains(t, opResult{Code: code, Stdout: run.out.String()}, "added foreign key fk_pid on child, but its orphan count could not run after it, and dropping the key again failed (", "it stands, not confirmed", "cannot run: invalid connection")
	if strings.Contains(run.out.String(), "over rows without a parent") {
		t.Errorf("the run says the key stands over rows without a parent, which it never counted:\n%s", run.out.String())
	}
	end(true)
	r := p.run("db", "contract")
	keys := p.query("SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = 'fk_pid'")
	orphans := p.query("SELECT COUNT(*) FROM child WHERE NOT EXISTS (SELECT 1 FROM parent WHERE parent.id = child.pid)")
	if r.Code != 7 || orphans != "1" || keys != "0" { // the key the run left unconfirmed dropped again
		t.Fatalf("the next contract over the orphan: exit %d, orphans %s, keys %s", r.Code, orphans, keys)
	}
	p.exec("DELETE FROM child WHERE id = 2")
	p.must("db", "contract")
}

// A transaction that deleted a parent before the key was added is an XA
// transaction prepared, its connection gone (it stays in INNODB_TRX with
// thread 0 until XA COMMIT or XA ROLLBACK of its xid): the wait past its
// bound named "thread 0" and said KILL <thread> ends it, which no KILL
// does. It names the XA transaction and how to end it.
//
// On a server of its own, and waiting 3 s: other tests' polls of
// INNODB_TRX keep InnoDB from making its copy again, and a copy older than
// the ALTER names nobody.
func TestAttackS33ForeignKeyRecheckPreparedXA(t *testing.T) {
	t.Parallel()
	preparedXADeletedParent(t, fkPidMigratedAlone(t))
}

// preparedXADeletedParent runs contract on p while an XA transaction that
// deleted parent 2 is prepared, its connection gone: the key is dropped
// again, the transaction named; once it is rolled back, contract adds the
// key.
func preparedXADeletedParent(t *testing.T, p *opProject) {
	t.Helper()
	restore := lockWaitAtMost(t, p, 3)
	xid, xa := xaPreparedParentDelete(t, p)
	xa.Close() // the prepared transaction outlives its connection
	t.Cleanup(func() { _, _ = p.DB.Exec("XA ROLLBACK " + xid) })
	r := p.run("db", "contract", "--retries", "0")
	if r.Code != 1 {
		t.Fatalf("contract while an XA transaction that deleted a parent is prepared: %s", r)
	}
	opContains(t, r, "an XA transaction prepared with no connection (trx ", "XA RECOVER lists it; XA COMMIT or XA ROLLBACK of its xid ends it", "the key was dropped again")
	if strings.Contains(r.Stdout+r.Stderr, "thread 0 ") {
		t.Errorf("the XA transaction is named as thread 0:\n%s", r)
	}
	p.exec("XA ROLLBACK " + xid)
	restore()
	p.must("db", "contract")
}

// xaPreparedParentDelete deletes parent 2 in an XA transaction it
// prepares, on a connection of its own (closing it leaves the transaction
// prepared with none); it returns the xid, quoted, and that connection.
func xaPreparedParentDelete(t *testing.T, p *opProject) (string, *sql.DB) {
	t.Helper()
	xid := "'" + p.DB.Name + "'"
	xa, err := sql.Open("mysql", p.DB.DSN)
	if err != nil {
		t.Fatal(err)
	}
	xa.SetMaxOpenConns(1)
	for _, q := range []string{"XA START " + xid, "DELETE FROM parent WHERE id = 2", "XA END " + xid, "XA PREPARE " + xid} {
		if _, err := xa.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return xid, xa
}
