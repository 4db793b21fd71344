package e2e

import (
	"database/sql"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
)

// syncCase extends ruleCase for rules whose expand leaves triggers (or a
// view) that translate between the releases. Beyond what ruleCase proves,
// it checks the rows right after both releases have written through the
// expanded schema (before migrate: only the triggers can have put the
// values there), lets both releases write again between migrate and
// contract, and checks that contract leaves no trigger or view behind.
type syncCase struct {
	ruleCase
	// afterExpand are "query => rows" checks run after oldWrites and
	// newWrites, before migrate.
	afterExpand map[string]string
	// duringMigrate are writes by either release after migrate, before
	// contract: the triggers must still be in place.
	duringMigrate []string
	// afterMigrate are checks run after migrate and duringMigrate.
	afterMigrate map[string]string
	// gateMessage, with gateBlocks, is a substring the closed gate's
	// reason must contain, so the operator is told what is wrong.
	gateMessage string
}

func (c syncCase) run(t *testing.T) {
	t.Helper()
	r := newRuleProject(t, c.before, c.after)
	phases := r.phases
	r.usesRules(c.rules)
	r.must("before")
	execAll(t, r.db.DB, "seed", c.seed)
	r.must("expand")
	execAll(t, r.db.DB, "previous release after expand", c.oldWrites)
	execAll(t, r.db.DB, "new release after expand", c.newWrites)
	checkRows(t, r.db.DB, "after expand", c.afterExpand)
	r.must("migrate")
	execAll(t, r.db.DB, "writes between migrate and contract", c.duringMigrate)
	checkRows(t, r.db.DB, "after migrate", c.afterMigrate)
	if len(c.gateBlocks) > 0 {
		execAll(t, r.db.DB, "data that must close a gate", c.gateBlocks)
		err := r.contractBlocked()
		if !strings.Contains(err.Error(), c.gateMessage) {
			t.Fatalf("closed gate does not say %q: %v", c.gateMessage, err)
		}
		// Nothing of contract may have run: the triggers are still there.
		if n := rows(t, r.db.DB, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); n == "0" && triggersIn(phases[revision.Expand]) {
			t.Fatalf("a closed gate let contract drop the triggers")
		}
		execAll(t, r.db.DB, "fix", c.fix)
	}
	r.must("contract")
	assertSchema(t, r.db, r.declared)
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("contract left %s trigger(s) behind", got)
	}
	if got := rows(t, r.db.DB, "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("contract left %s view(s) behind", got)
	}
	checkRows(t, r.db.DB, "after contract", c.checks)
	t.Run("rollback", func(t *testing.T) { c.ruleCase.rollback(t, r) })
}

func checkRows(t *testing.T, db *sql.DB, when string, checks map[string]string) {
	t.Helper()
	for q, want := range checks {
		if got := rows(t, db, q); got != want {
			t.Errorf("%s: %s\n got: %s\nwant: %s", when, q, got, want)
		}
	}
}

// triggersIn reports whether statements create a trigger.
func triggersIn(stmts []revision.Statement) bool {
	return slices.ContainsFunc(stmts, func(s revision.Statement) bool {
		return effect.Parse(s.SQL).Kind == effect.KindCreateTrigger
	})
}
