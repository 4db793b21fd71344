package dbconn

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A statement time limit set for the account (as a DBA might for the
// application's users) aborts emcee's long statements part way, on every
// rerun; emcee's sessions lift it, on every connection of the pool.
func TestSessionLiftsTheStatementTimeLimit(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	user := "emcee_mst_" + db.Name[len("emcee_t_"):]
	account := sqlsyntax.String(user) + "@'%'"
	for _, q := range []string{
		"CREATE USER " + account + " IDENTIFIED BY 'pw' WITH MAX_STATEMENT_TIME 0.2",
		"GRANT ALL ON " + sqlsyntax.Ident(db.Name) + ".* TO " + account,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() { _, _ = db.Exec("DROP USER " + account) })
	server, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}

	// The limit is in force for a session that does not lift it.
	plain := mysql.NewConfig()
	plain.User, plain.Passwd, plain.Net, plain.Addr, plain.DBName = user, "pw", "tcp", server.Addr, db.Name
	raw, err := sql.Open("mysql", plain.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var slept int
	if err := raw.QueryRowContext(ctx, "SELECT SLEEP(0.5)").Scan(&slept); err == nil || !strings.Contains(err.Error(), "max_statement_time") {
		t.Fatalf("the account's limit did not abort a plain session's statement: %v", err)
	}

	c := &Config{User: user, Password: "pw", Addr: server.Addr, Database: db.Name, LockWaitTimeout: 10 * time.Second}
	pool, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	// Two connections at once: the pin is on each, not on the first only.
	a, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for i, conn := range []*sql.Conn{a, b} {
		if err := conn.QueryRowContext(ctx, "SELECT SLEEP(0.5)").Scan(&slept); err != nil {
			t.Fatalf("connection %d: the account's statement time limit aborted emcee's statement: %v", i, err)
		}
	}
}

// The tool emcee hands a connection to is told to lift only the limit the
// server has: MariaDB's max_statement_time, not MySQL's
// max_execution_time, which it lacks (the tool warns of a variable it
// cannot set on every connection).
func TestStatementTimeLimitsTheServerHas(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version string
	if err := conn.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	want := "max_execution_time"
	if strings.Contains(version, "MariaDB") {
		want = "max_statement_time"
	}
	pins, err := ToolPins(ctx, conn)
	var got []string
	for _, p := range pins {
		if strings.HasPrefix(p[0], "max_") {
			got = append(got, p[0]+"="+p[1])
		}
	}
	if err != nil || len(got) != 1 || got[0] != want+"=0" {
		t.Fatalf("on %s: %v (%v), want [%s=0]", version, got, err, want)
	}
}
