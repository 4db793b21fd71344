package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testserver"
)

const tzBefore = `schema "app" {}
table "events" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "at" {
    type = timestamp
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`

// tzAfter replaces events.at with the day it falls on: DATE() of a
// TIMESTAMP, whose value depends on the session's time zone.
const tzAfter = `schema "app" {}
table "events" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "day" {
    type = date
    null = true
    replaces {
      column   = "at"
      forward  = "DATE(at)"
      backward = "TIMESTAMP(day)"
    }
  }
  primary_key {
    columns = [column.id]
  }
}
`

// The sessions emcee opens pin time_zone to +00:00, and the application's
// get the server's zone. migrate's backfill computed DATE(at) in UTC while
// the triggers expand creates computed it in the application's zone: on a
// server in +05:00 the rows written before expand got the day before the
// one every row written since got, for the same instant, and contract made
// that permanent. The backfill now runs in the zone the application's
// writes run in (the server's @@global.time_zone here), so every row
// agrees, whichever path wrote it: rows of the old release before expand
// (backfill), of the old release after it (trigger), of the new release
// (trigger back), on a numeric zone and on a named one.
func TestBackfillRunsInTheApplicationsTimeZone(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--default-time-zone=+05:00"}})
	root := srv.Open(t)
	named := "Asia/Kathmandu" // +05:45, no daylight saving
	load := exec.Command("sh", "-c", "mariadb-tzinfo-to-sql /usr/share/zoneinfo/"+named+" "+named)
	zoneSQL, err := load.Output()
	if err != nil {
		t.Logf("no named zone: mariadb-tzinfo-to-sql: %v", err)
		zoneSQL = nil
	}
	zones := []string{"+05:00", "declared +09:00"}
	if zoneSQL != nil {
		conn := fmt.Sprintf("root@tcp(127.0.0.1:%d)/mysql?multiStatements=true", srv.Port)
		mysqlDB, err := sql.Open("mysql", conn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mysqlDB.Exec(string(zoneSQL)); err != nil {
			t.Fatalf("loading %s: %v", named, err)
		}
		mysqlDB.Close()
		zones = append(zones, named)
	}
	for _, zone := range zones {
		// One after the other: the named zone is the server's global zone
		// from here on.
		global, declared := zone, ""
		if d, ok := strings.CutPrefix(zone, "declared "); ok {
			// An application that sets its own zone, declared in the
			// emcee block: 02:00 on the 2nd in +09:00 is still the 1st in
			// the server's +05:00.
			global, declared = "+05:00", d
		}
		if _, err := root.Exec("SET GLOBAL time_zone = ?", global); err != nil {
			t.Fatal(err)
		}
		p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", tzBefore}, [2]string{"b", tzAfter})
		app, err := p.DB.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if declared != "" {
			if _, err := app.ExecContext(context.Background(), "SET SESSION time_zone = ?", declared); err != nil {
				t.Fatal(err)
			}
			cfg := p.read("atlas.hcl")
			opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(replaceOnce(cfg, "emcee {\n", "emcee {\n  app_time_zone = \"Mars/Olympus\"\n")))
			r := p.run("db", "sync", "a")
			opContains(t, r, `atlas.hcl:6:19: emcee.app_time_zone: the server does not know the time zone "Mars/Olympus"`, "mariadb-tzinfo-to-sql")
			opWrite(t, filepath.Join(p.Dir, "atlas.hcl"), []byte(replaceOnce(cfg, "emcee {\n", "emcee {\n  app_time_zone = \""+declared+"\"\n")))
		}
		write := func(q string) {
			t.Helper()
			if _, err := app.ExecContext(context.Background(), q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		p.must("db", "sync", "a")
		// 02:00 on the 2nd in the application's zone is the 1st in UTC.
		write("INSERT INTO events (id, at) VALUES (1, '2024-01-02 02:00:00')")
		p.must("db", "expand")
		write("INSERT INTO events (id, at) VALUES (2, '2024-01-02 02:00:00')")
		write("INSERT INTO events (id, day) VALUES (3, '2024-01-02')")
		p.must("db", "migrate")
		var rows []string
		for id := 1; id <= 3; id++ {
			var at, day string
			if err := app.QueryRowContext(context.Background(), "SELECT CAST(DATE(at) AS CHAR), CAST(day AS CHAR) FROM events WHERE id = ?", id).Scan(&at, &day); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, fmt.Sprintf("%d %s %s", id, at, day))
		}
		if got := strings.Join(rows, "\n"); got != "1 2024-01-02 2024-01-02\n2 2024-01-02 2024-01-02\n3 2024-01-02 2024-01-02" {
			t.Errorf("%s: after migrate, id DATE(at) day:\n%s\nwant every row 2024-01-02 2024-01-02", zone, got)
		}
		app.Close()
		p.must("db", "contract")
		if got := p.query("SELECT id, CAST(day AS CHAR) FROM events ORDER BY id"); got != "1 2024-01-02\n2 2024-01-02\n3 2024-01-02" {
			t.Errorf("%s: after contract, id day:\n%s\nwant 2024-01-02 for every row", zone, got)
		}
	}
}

// A rollback counts the values of a new column it would lose: those that
// differ from what the fill recomputes. It counted in UTC, where DATE(at)
// is the day before the one the backfill and the triggers wrote in the
// application's +05:00: every row read as lost, and the rollback refused
// without --drop-new-data although nothing is lost. It counts in the
// application's zone now. A value the new release wrote itself is still
// counted, copied out and put back exactly, a TIMESTAMP as its instant.
func TestRollbackCountsInTheApplicationsTimeZone(t *testing.T) {
	t.Parallel()
	srv := testserver.Start(t, testserver.Options{Args: []string{"--default-time-zone=+05:00"}})
	a := strings.Replace(tzBefore, "  primary_key {", "  column \"seen\" {\n    type = timestamp\n    null = true\n  }\n  primary_key {", 1)
	b := strings.Replace(a, "  primary_key {", "  column \"day\" {\n    type = date\n    fill = \"COALESCE(DATE(at), '2000-01-01')\"\n  }\n  column \"checked\" {\n    type = timestamp\n    null = true\n  }\n  primary_key {", 1)
	p := plannedProjectOn(t, srv.NewDB(t), "mariadb 10.11", [2]string{"a", a}, [2]string{"b", b})
	p.must("db", "sync", "a")
	p.exec("INSERT INTO events (id, at, seen) VALUES (1, '2024-01-02 02:00:00', '2024-01-02 02:00:00'), (2, '2024-01-02 02:00:00', '2024-01-02 02:00:00')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("INSERT INTO events (id, at) VALUES (3, '2024-01-02 02:00:00')")
	if r := p.must("db", "rollback", "--dry-run"); strings.Contains(r.Stdout+r.Stderr, "lose") {
		t.Errorf("rollback of values the fill recomputes counts losses:\n%s", r)
	}
	// The new release writes a day of its own on row 2, and a time.
	p.exec("UPDATE events SET day = '1999-12-31', checked = '2024-01-02 02:00:00.5' WHERE id = 2")
	const state = "SELECT id, UNIX_TIMESTAMP(at), UNIX_TIMESTAMP(seen), CAST(day AS CHAR), UNIX_TIMESTAMP(checked) FROM events ORDER BY id"
	before := p.query(state)
	losses := refusedLosses(t, p)
	if len(losses) != 2 {
		t.Fatalf("losses: %+v, want the day and the time of row 2", losses)
	}
	dir := t.TempDir()
	for _, l := range losses {
		shellIn(t, dir, l.Save)
	}
	p.must("db", "rollback", "--drop-new-data")
	p.must("db", "expand")
	p.must("db", "migrate")
	for _, l := range losses {
		shellIn(t, dir, l.Restore)
	}
	if after := p.query(state); after != before {
		t.Errorf("put back:\n%s\nwant\n%s", after, before)
	}
}
