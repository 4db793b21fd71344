package e2e

import (
	"strings"
	"testing"
)

// Issue 10, hole 8: new tables whose foreign keys form a cycle. Before the
// fix expand failed on the server with errno 150 (the first CREATE TABLE
// referenced a table not created yet); now the tables are created first
// and the keys added after them, and the keys hold. A later release drops
// the tables, which needs the keys dropped first.
func TestForeignKeyCycleOnTheServer(t *testing.T) {
	t.Parallel()
	table := func(name, ref string) string {
		return "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n  column \"ref\" {\n    type = int\n    null = true\n  }\n  primary_key {\n    columns = [column.id]\n  }\n" +
			"  foreign_key \"fk_" + name + "\" {\n    columns     = [column.ref]\n    ref_columns = [table." + ref + ".column.id]\n  }\n}\n"
	}
	withCycle := "schema \"app\" {}\n" + table("users", "teams") + table("teams", "users")
	p := newSchemaProject(t, [2]string{"a", withCycle}, [2]string{"b", "schema \"app\" {}\n"})
	if r := p.plan(); r.Code != 0 {
		t.Fatalf("plan: %s", r)
	}
	p.must("db", "expand")
	p.exec("INSERT INTO users (id, ref) VALUES (1, NULL)")
	p.exec("INSERT INTO teams (id, ref) VALUES (10, 1)")
	p.exec("UPDATE users SET ref = 10 WHERE id = 1")
	if _, err := p.DB.Exec("INSERT INTO teams (id, ref) VALUES (11, 99)"); err == nil || !strings.Contains(err.Error(), "1452") {
		t.Fatalf("the key teams -> users must reject an orphan: %v", err)
	}
	if _, err := p.DB.Exec("INSERT INTO users (id, ref) VALUES (2, 99)"); err == nil || !strings.Contains(err.Error(), "1452") {
		t.Fatalf("the key users -> teams must reject an orphan: %v", err)
	}
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "expand")
	p.must("db", "migrate")
	p.must("db", "contract")
	if got := p.query("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN ('users', 'teams')"); got != "0" {
		t.Fatalf("tables left after release b: %s", got)
	}
}
