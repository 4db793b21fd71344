package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
)

// syncCase extends ruleCase for rules whose expand leaves triggers (or a
// view) that translate between the releases. Beyond what ruleCase proves,
// it checks the rows right after both releases have written through the
// expanded schema (before migrate: only the triggers can have put the
// values there), runs the backfills the way the applier does (in primary
// key ranges, with `AND key > ? AND key <= ?` appended), lets both
// releases write again between migrate and contract, and checks that
// contract leaves no trigger or view behind.
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
	db := testdb.New(t)
	before := release(t, "before", c.before)
	after := release(t, "after", c.after)
	if err := apply(t, db.DB, planCase(t, nil, before)[revision.Expand]); err != nil {
		t.Fatalf("creating the previous release: %v", err)
	}
	execAll(t, db.DB, "seed", c.seed)

	phases := planCase(t, before, after)
	used := rulesUsed(phases)
	for _, r := range c.rules {
		if !used[r] {
			t.Fatalf("plan does not use rule %s; it used %v", r, used)
		}
	}
	if err := apply(t, db.DB, phases[revision.Expand]); err != nil {
		t.Fatalf("expand: %v", err)
	}
	execAll(t, db.DB, "previous release after expand", c.oldWrites)
	execAll(t, db.DB, "new release after expand", c.newWrites)
	checkRows(t, db.DB, "after expand", c.afterExpand)
	if err := applyBatched(t, db.DB, phases[revision.Migrate]); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	execAll(t, db.DB, "writes between migrate and contract", c.duringMigrate)
	checkRows(t, db.DB, "after migrate", c.afterMigrate)
	if len(c.gateBlocks) > 0 {
		execAll(t, db.DB, "data that must close a gate", c.gateBlocks)
		err := applyWithReasons(t, db.DB, phases[revision.Contract])
		if err == nil || !strings.Contains(err.Error(), "gate closed") {
			t.Fatalf("contract ran although a gate should have been closed (err %v)", err)
		}
		if !strings.Contains(err.Error(), c.gateMessage) {
			t.Fatalf("closed gate does not say %q: %v", c.gateMessage, err)
		}
		// Nothing of contract may have run: the triggers are still there.
		if n := rows(t, db.DB, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); n == "0" && len(triggersIn(phases[revision.Expand])) > 0 {
			t.Fatalf("a closed gate let contract drop the triggers")
		}
		execAll(t, db.DB, "fix", c.fix)
	}
	if err := apply(t, db.DB, phases[revision.Contract]); err != nil {
		t.Fatalf("contract: %v", err)
	}
	assertSchema(t, db, after.Schema)
	if got := rows(t, db.DB, "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("contract left %s trigger(s) behind", got)
	}
	if got := rows(t, db.DB, "SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()"); got != "0" {
		t.Errorf("contract left %s view(s) behind", got)
	}
	checkRows(t, db.DB, "after contract", c.checks)
}

func checkRows(t *testing.T, db *sql.DB, when string, checks map[string]string) {
	t.Helper()
	for q, want := range checks {
		if got := rows(t, db, q); got != want {
			t.Errorf("%s: %s\n got: %s\nwant: %s", when, q, got, want)
		}
	}
}

func triggersIn(stmts []revision.Statement) []string {
	var out []string
	for _, s := range stmts {
		if strings.HasPrefix(s.SQL, "CREATE TRIGGER") {
			out = append(out, s.SQL)
		}
	}
	return out
}

// applyWithReasons is apply, with each closed gate's reason in the error.
func applyWithReasons(t *testing.T, db *sql.DB, stmts []revision.Statement) error {
	t.Helper()
	for _, s := range stmts {
		if s.Kind != revision.Gate {
			continue
		}
		var n int64
		if err := db.QueryRow(s.SQL).Scan(&n); err != nil {
			return fmt.Errorf("gate %s: %v\n%s", s.Rule, err, s.SQL)
		}
		if n != 0 {
			return fmt.Errorf("gate closed: rule %s: %d row(s): %s: %s", s.Rule, n, s.Why, s.SQL)
		}
	}
	return apply(t, db, stmts)
}

// applyBatched runs a phase as the applier does: backfills in primary-key
// ranges (here of two rows, so every case crosses several batches), which
// proves the statement keeps its WHERE last and parenthesised.
func applyBatched(t *testing.T, db *sql.DB, stmts []revision.Statement) error {
	t.Helper()
	ctx := context.Background()
	for _, s := range stmts {
		if s.Kind != revision.Backfill {
			if err := apply(t, db, []revision.Statement{s}); err != nil {
				return err
			}
			continue
		}
		if s.Table == "" || s.Key == "" {
			return fmt.Errorf("backfill %s has no table/key for batching: %s", s.Rule, s.SQL)
		}
		var max sql.NullInt64
		if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT MAX(`%s`) FROM `%s`", s.Key, s.Table)).Scan(&max); err != nil {
			return err
		}
		for lo := int64(0); lo < max.Int64; lo += 2 {
			q := s.SQL + " AND `" + s.Key + "` > ? AND `" + s.Key + "` <= ?"
			if _, err := db.ExecContext(ctx, q, lo, lo+2); err != nil {
				return fmt.Errorf("backfill %s: %v\n%s", s.Rule, err, q)
			}
		}
	}
	return nil
}
