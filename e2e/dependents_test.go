package e2e

import (
	"strings"
	"testing"
)

// droppedColumnProject is a project whose release b drops t.x of release
// a, planned, with t created on its database as a has it (for a baseline).
func droppedColumnProject(t *testing.T) *opProject {
	t.Helper()
	a := `schema "s" {}
table "t" {
  schema = schema.s
  column "id" {
    type = int
  }
  column "x" {
    type = int
    null = true
  }
  column "y" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
}
`
	b := strings.Replace(a, "  column \"x\" {\n    type = int\n    null = true\n  }\n", "", 1)
	p := newSchemaProject(t, [2]string{"a", a}, [2]string{"b", b})
	p.must("plan")
	p.exec("CREATE TABLE t (id int NOT NULL, x int NULL, y int NULL, PRIMARY KEY (id))")
	return p
}

// Contract refuses to drop a column that a trigger or view emcee does not
// manage still reads (accepted at baseline, or made by hand), naming each
// one, in db check as in contract; once they are changed, it runs.
func TestContractRefusesDropsLiveTriggersAndViewsRead(t *testing.T) {
	t.Parallel()
	p := droppedColumnProject(t)
	p.exec("CREATE TABLE audit (id int NOT NULL AUTO_INCREMENT PRIMARY KEY, v int)")
	p.exec("CREATE TRIGGER legacy_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.y = NEW.`x`")
	p.exec("CREATE VIEW t_x AS SELECT id, x FROM t")
	p.exec("CREATE TRIGGER audit_ai AFTER INSERT ON audit FOR EACH ROW UPDATE t SET y = NEW.v WHERE x = NEW.v")
	p.must("db", "baseline", "a", "--allow-drift")
	p.must("db", "expand")
	p.must("db", "migrate")
	for _, args := range [][]string{{"db", "contract"}, {"db", "contract", "--dry-run"}, {"db", "check"}, {"db", "sync"}} {
		r := p.run(args...)
		if r.Code != 1 {
			t.Fatalf("emcee %s: %s", strings.Join(args, " "), r)
		}
		opContains(t, r, "b_contract01 refused, nothing was changed: it drops what triggers, views, stored routines or events it does not manage still read",
			"plans/b/b_contract01.sql:", "(rule drop-column) drops t.x, which trigger legacy_bi (BEFORE INSERT on t) reads",
			"drops t.x, which trigger audit_ai (AFTER INSERT on audit) reads", "drops t.x, which view t_x reads")
		if strings.Contains(r.String(), "which trigger emcee_") {
			t.Errorf("emcee's own trigger listed:\n%s", r)
		}
	}
	if got := p.columns("t"); !strings.Contains(got, "x") {
		t.Fatalf("x was dropped: %s", got)
	}
	p.exec("DROP VIEW t_x")
	p.exec("DROP TRIGGER audit_ai")
	p.exec("DROP TRIGGER legacy_bi")
	p.exec("CREATE TRIGGER legacy_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.y = COALESCE(NEW.y, 0)")
	p.must("db", "contract")
	p.exec("INSERT INTO t (id) VALUES (1)")
	if got := p.query("SELECT y FROM t WHERE id = 1"); got != "0" {
		t.Fatalf("row written through the changed trigger: %s", got)
	}
}
