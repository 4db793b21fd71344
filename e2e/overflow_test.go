package e2e

import (
	"strings"
	"testing"
)

// Matomo 4 turns visitor_days_since_first (SMALLINT UNSIGNED) into
// visitor_seconds_since_first (INT UNSIGNED) with forward = "days *
// 86400": a day count over 49710 gives more seconds than the INT holds.
// No value is ever stored clipped. The sync trigger runs under the strict
// sql_mode emcee created it with, so the previous release's INSERT of such
// a row is refused even from a session with an empty sql_mode (the server
// would otherwise store 4294967295 with a warning); the backfill is
// refused too, changing no row, and says where (the plan's line), why
// (a value the column cannot hold, refused rather than clipped) and the
// ways out (change the rows, or roll back and declare a wider type or a
// bounded expression). Once the row is changed, migrate goes on.
func TestReplacesForwardOverflowIsRefusedNotClipped(t *testing.T) {
	t.Parallel()
	const m3 = `schema "app" {}
table "log_visit" {
  schema = schema.app
  column "idvisit" {
    type           = bigint
    unsigned       = true
    auto_increment = true
  }
  column "visitor_days_since_first" {
    type     = smallint
    unsigned = true
    null     = true
  }
  primary_key {
    columns = [column.idvisit]
  }
}
`
	m4 := strings.Replace(m3, `  column "visitor_days_since_first" {
    type     = smallint
    unsigned = true
    null     = true
  }`, `  column "visitor_seconds_since_first" {
    type     = int
    unsigned = true
    null     = true
    replaces {
      column   = "visitor_days_since_first"
      forward  = "visitor_days_since_first * 86400"
      backward = "visitor_seconds_since_first DIV 86400"
    }
  }`, 1)
	p := plannedProject(t, "mariadb 10.11", [2]string{"m3", m3}, [2]string{"m4", m4})
	p.must("db", "sync", "m3")
	p.exec("INSERT INTO log_visit (visitor_days_since_first) VALUES (10), (60000), (20)")
	p.must("db", "expand")

	// The previous release, in a lax session: refused, not clipped.
	if _, err := p.DB.Exec("SET STATEMENT sql_mode = '' FOR INSERT INTO log_visit (visitor_days_since_first) VALUES (65000)"); err == nil || !strings.Contains(err.Error(), "Out of range value for column 'visitor_seconds_since_first'") {
		t.Fatalf("the previous release's INSERT of 65000 days with sql_mode '': %v, want the trigger to refuse it", err)
	}
	if got := p.query("SELECT COUNT(*) FROM log_visit WHERE visitor_days_since_first = 65000 OR visitor_seconds_since_first = 4294967295"); got != "0" {
		t.Fatalf("a clipped or refused row was stored: %s", got)
	}

	r := p.run("db", "migrate")
	if r.Code != 1 {
		t.Fatalf("migrate over a row whose seconds overflow the INT must fail: %s", r)
	}
	opContains(t, r, "Out of range value for column 'visitor_seconds_since_first'",
		"the backfill at plans/m4/m4_migrate01.sql:6 computes, for a pending row of `log_visit`, a value its column cannot hold",
		"nothing was stored clipped and the failing batch changed no row",
		"change those rows so that the expression fits the column",
		"roll the release back with `emcee db rollback --env test`",
		"rerun `emcee db migrate --env test`: it resumes at statement 1")
	if got := p.query("SELECT COUNT(*) FROM log_visit WHERE visitor_seconds_since_first IS NOT NULL"); got != "0" {
		t.Fatalf("the refused batch wrote %s rows", got)
	}

	p.exec("UPDATE log_visit SET visitor_days_since_first = 40000 WHERE visitor_days_since_first = 60000")
	p.must("db", "migrate")
	if got := p.query("SELECT GROUP_CONCAT(visitor_seconds_since_first ORDER BY idvisit) FROM log_visit"); got != "864000,3456000000,1728000" {
		t.Fatalf("seconds after migrate: %s", got)
	}
}
