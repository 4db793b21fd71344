package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// ruleCase proves one splitter rule on the real server: the previous
// release's schema is created and seeded, then expand runs; writes of the
// old release (old columns only) and of the new release (new columns only)
// must both succeed; then migrate and contract run (gates included) and the
// live schema must equal the declared one, with every row as expected.
type ruleCase struct {
	name          string
	before, after string   // table blocks; the harness adds the schema block
	seed          []string // rows in the previous release's shape
	oldWrites     []string // after expand, as the previous release writes
	newWrites     []string // after expand, as the new release writes
	// rules the plan must use, so the case proves the rule it names.
	rules []string
	// checks are "query => expected" pairs run after contract; the result
	// rows are joined as "a|b;c|d".
	checks map[string]string
	// gateBlocks, when set, runs before contract and must make a gate fail;
	// fix then repairs the data so contract can go on.
	gateBlocks []string
	fix        []string
}

var target = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}

func release(t *testing.T, name, body string) *diff.Release {
	t.Helper()
	r, err := diff.ParseRelease(name, name+".hcl", []byte("schema \"app\" {}\n"+body), target)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

// planCase splits before -> after, the way `emcee plan` does.
func planCase(t *testing.T, before, after *diff.Release) splitter.Phases {
	t.Helper()
	drv, err := diff.Offline(target)
	if err != nil {
		t.Fatal(err)
	}
	var from *schema.Schema
	if before != nil {
		from = before.Schema
	}
	tr, err := diff.Between(drv, from, after)
	if err != nil {
		t.Fatal(err)
	}
	ph, err := splitter.Split(tr, target, drv)
	if err != nil {
		t.Fatal(err)
	}
	return ph
}

// apply runs a phase's statements as the applier would, without batching:
// gates first (each must return 0), then everything else in order.
func apply(t *testing.T, db *sql.DB, stmts []revision.Statement) error {
	t.Helper()
	ctx := context.Background()
	for _, s := range stmts {
		if s.Kind != revision.Gate {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, s.SQL).Scan(&n); err != nil {
			return fmt.Errorf("gate %s: %v\n%s", s.Rule, err, s.SQL)
		}
		if n != 0 {
			return fmt.Errorf("gate closed: rule %s: %d row(s): %s", s.Rule, n, s.SQL)
		}
	}
	for _, s := range stmts {
		if s.Kind == revision.Gate {
			continue
		}
		d := effect.Parse(s.SQL)
		id := tableID(t, db, d.Name)
		if _, err := db.ExecContext(ctx, s.SQL); err != nil {
			return fmt.Errorf("rule %s: %v\n%s", s.Rule, err, s.SQL)
		}
		// The cost review shows is the server's: a statement classed
		// instant or in place leaves the table's InnoDB id alone, one
		// classed rebuild or copy gets a new one.
		if d.Kind != effect.KindAlterTable || id == 0 {
			continue
		}
		cost := splitter.AlterCost(target, d, nil)
		if after := tableID(t, db, d.Name); (after != id) != splitter.Rebuilds(cost) {
			return fmt.Errorf("rule %s: classed %q, but the server %s table %s (InnoDB id %d -> %d)\n%s", s.Rule, cost, map[bool]string{true: "rebuilt", false: "did not rebuild"}[after != id], d.Name, id, after, s.SQL)
		}
	}
	return nil
}

// tableID is the InnoDB id of a table of the current database, which a
// rebuild changes; 0 when the server does not list it by that name.
func tableID(t *testing.T, db *sql.DB, table string) int64 {
	t.Helper()
	if table == "" {
		return 0
	}
	var id int64
	err := db.QueryRow("SELECT TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME = CONCAT(DATABASE(), '/', ?)", table).Scan(&id)
	if err != nil && err != sql.ErrNoRows {
		t.Fatalf("InnoDB id of %s: %v", table, err)
	}
	return id
}

func execAll(t *testing.T, db *sql.DB, who string, stmts []string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %s: %v", who, q, err)
		}
	}
}

func (c ruleCase) run(t *testing.T) {
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
	if err := apply(t, db.DB, phases[revision.Migrate]); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	execAll(t, db.DB, "new release after migrate", nil)
	if len(c.gateBlocks) > 0 {
		execAll(t, db.DB, "data that must close a gate", c.gateBlocks)
		err := apply(t, db.DB, phases[revision.Contract])
		if err == nil || !strings.Contains(err.Error(), "gate closed") {
			t.Fatalf("contract ran although a gate should have been closed (err %v)", err)
		}
		execAll(t, db.DB, "fix", c.fix)
	}
	if err := apply(t, db.DB, phases[revision.Contract]); err != nil {
		t.Fatalf("contract: %v", err)
	}
	assertSchema(t, db, after.Schema)
	for q, want := range c.checks {
		if got := rows(t, db.DB, q); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", q, got, want)
		}
	}
}

// assertSchema compares the live schema with the declared one using Atlas's
// differ for the live server; triggers are Atlas-invisible and checked
// separately by the cases that create them.
func assertSchema(t *testing.T, db *testdb.DB, want *schema.Schema) {
	t.Helper()
	ctx := context.Background()
	drv, err := mysql.Open(db.DB)
	if err != nil {
		t.Fatal(err)
	}
	// emcee's own version table is not part of any declared schema.
	live, err := drv.InspectSchema(ctx, db.Name, &schema.InspectOptions{Exclude: []string{"emcee_revisions"}})
	if err != nil {
		t.Fatal(err)
	}
	declared := *want
	declared.Name = db.Name
	changes, err := drv.SchemaDiff(live, &declared)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) > 0 {
		plan, _ := drv.PlanChanges(ctx, "drift", changes)
		var b strings.Builder
		if plan != nil {
			for _, c := range plan.Changes {
				b.WriteString(c.Cmd + "\n")
			}
		}
		t.Fatalf("live schema differs from the declared one; to reach it:\n%s", b.String())
	}
}

func rows(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rs, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rs.Close()
	cols, _ := rs.Columns()
	var out []string
	for rs.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var f []string
		for _, v := range vals {
			if v.Valid {
				f = append(f, v.String)
			} else {
				f = append(f, "NULL")
			}
		}
		out = append(out, strings.Join(f, "|"))
	}
	return strings.Join(out, ";")
}

// rulesUsed names the rules a plan's statements come from; one ALTER may
// carry the changes of several rules.
func rulesUsed(phases splitter.Phases) map[string]bool {
	used := map[string]bool{}
	for _, ph := range revision.Phases {
		for _, s := range phases[ph] {
			for _, r := range strings.Split(s.Rule, ", ") {
				used[r] = true
			}
		}
	}
	return used
}
