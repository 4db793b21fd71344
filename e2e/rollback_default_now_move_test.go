package e2e

import (
	"strings"
	"testing"
)

// A table a data migration fills (Matomo 4.0's user_token_auth) with a
// column of DEFAULT CURRENT_TIMESTAMP: each row it inserted holds the
// moment of its insert, and the rollback compared that with the default
// evaluated as it counted, so that no row read as one migrate inserts
// again, and it refused for rows only the new release wrote. The rows'
// moment is set apart from the count's by hand (no clock).
func TestRollbackOfMovedRowsWithAColumnDefaultingToNow(t *testing.T) {
	t.Parallel()
	tables := strings.Replace(matomo4Tables, "  column \"password\" {", "  column \"date_created\" {\n    type    = datetime\n    default = sql(\"CURRENT_TIMESTAMP\")\n  }\n  column \"password\" {", 1)
	p := plannedProject(t, "mariadb 10.11", [2]string{"m3", matomo3}, [2]string{"m4", tables + matomoMove})
	p.must("db", "sync", "m3")
	p.exec("INSERT INTO user (login, token_auth) VALUES ('a', 'tok-a'), ('b', 'tok-b'), ('c', '')")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.exec("UPDATE user_token_auth SET date_created = '2001-09-09 01:46:40'")
	if r := p.run("db", "rollback", "--dry-run"); r.Code != 0 || strings.Contains(r.Stdout+r.Stderr, "refused") {
		t.Fatalf("a rollback with only migrated rows in user_token_auth: %s", r)
	}
	// A row only m4 wrote is still counted.
	p.exec("INSERT INTO user_token_auth (login, description, password) VALUES ('a', 'made by m4', 'tok-new')")
	r := p.run("db", "rollback", "--dry-run")
	if r.Code != 1 {
		t.Fatalf("a rollback dropping a token only m4 wrote must be refused: %s", r)
	}
	opContains(t, r, "table user_token_auth: 1 row(s)")
}
