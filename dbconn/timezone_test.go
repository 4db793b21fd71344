package dbconn

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// The application's zone is the server's global one unless declared; a
// declared zone the server does not know is refused; InTimeZone computes
// in the zone and puts the session back at PinnedTimeZone, also when fn
// fails.
func TestInTimeZone(t *testing.T) {
	db := testdb.New(t)
	ctx := context.Background()
	c, err := Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var global string
	if err := conn.QueryRowContext(ctx, "SELECT @@global.time_zone").Scan(&global); err != nil {
		t.Fatal(err)
	}
	if got, err := AppTimeZone(ctx, conn, ""); err != nil || got != global {
		t.Errorf("undeclared: %q %v, want the server's %q", got, err, global)
	}
	if got, err := AppTimeZone(ctx, conn, "+05:00"); err != nil || got != "+05:00" {
		t.Errorf("declared +05:00: %q %v", got, err)
	}
	if _, err := AppTimeZone(ctx, conn, "Mars/Olympus"); err == nil || !strings.Contains(err.Error(), `does not know the time zone "Mars/Olympus"`) {
		t.Errorf("unknown zone: %v", err)
	}
	session := func() string {
		var z string
		if err := conn.QueryRowContext(ctx, "SELECT @@session.time_zone").Scan(&z); err != nil {
			t.Fatal(err)
		}
		return z
	}
	if z := session(); z != PinnedTimeZone {
		t.Fatalf("a new session is in %s, want %s", z, PinnedTimeZone)
	}
	boom := errors.New("boom")
	var day string
	err = InTimeZone(ctx, conn, "+05:00", func() error {
		if err := conn.QueryRowContext(ctx, "SELECT CAST(DATE(FROM_UNIXTIME(1704135600)) AS CHAR)").Scan(&day); err != nil { // 2024-01-01 19:00 UTC
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || day != "2024-01-02" {
		t.Errorf("in +05:00: day %q, error %v; want 2024-01-02 and fn's error", day, err)
	}
	if z := session(); z != PinnedTimeZone {
		t.Errorf("after InTimeZone the session is in %s, want %s", z, PinnedTimeZone)
	}
}
