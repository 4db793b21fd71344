package dbconn

import (
	"context"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
)

// A database of a mariadb 11.4 project is connected to with the
// project's character_set_collations pinned where the server has the
// variable (11.2.1 on: an executable comment), so that CHARACTER SET
// utf8mb4 alone gives utf8mb4_uca1400_ai_ci as planned whatever the
// server's configuration; a server before 11.2 skips it. Every
// connection reads utf8 as utf8mb3 (old_mode UTF8_IS_UTF8MB3, the
// server's other flags kept).
func TestSessionPinsWhatCharsetNamesMean(t *testing.T) {
	db := testdb.New(t)
	p := &project.Project{Target: project.Target{Flavor: "mariadb", Major: 11, Minor: 4}}
	c, err := Resolve(db.URL, "", p)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mysql.ParseDSN(c.DSN())
	if err != nil {
		t.Fatal(err)
	}
	const want = "/*M!110201 , character_set_collations = 'utf8mb3=utf8mb3_general_ci,ucs2=ucs2_general_ci,utf8mb4=utf8mb4_uca1400_ai_ci,utf16=utf16_general_ci,utf32=utf32_general_ci' */"
	if got := m.Params["time_zone"]; !strings.HasSuffix(got, want) {
		t.Errorf("the session's pins: %s\nwant them to end with %s", got, want)
	}
	pool, err := Open(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pool.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version string
	if err := conn.QueryRowContext(context.Background(), "SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	pins, err := ToolPins(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pins {
		if p[0] == "old_mode" || p[0] == "character_set_collations" {
			got = append(got, p[0]+"="+p[1])
		}
	}
	target, err := project.TargetOf(version)
	switch {
	case err != nil || !target.MariaDB():
		t.Logf("%s: no old_mode to check", version)
	case target.Before(10, 6):
	case target.Before(11, 2):
		if len(got) != 1 || !strings.Contains(got[0], "old_mode=") || !strings.Contains(got[0], "UTF8_IS_UTF8MB3") {
			t.Errorf("on %s the session's pins are %q, want old_mode with UTF8_IS_UTF8MB3", version, got)
		}
	default:
		if len(got) != 2 || !strings.Contains(strings.Join(got, " "), "utf8mb4=utf8mb4_uca1400_ai_ci") {
			t.Errorf("on %s the session's pins are %q", version, got)
		}
	}
}
