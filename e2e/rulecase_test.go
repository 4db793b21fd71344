package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
)

// ruleCase proves one splitter rule on the real server, through the code
// path users run: the two releases are schema files of a project, planned
// by the planner as `emcee plan` plans them, and every phase is applied by
// apply.Session as `emcee db` applies it. The previous release is synced
// and seeded, then expand runs; writes of the old release (old columns
// only) and of the new release (new columns only) must both succeed; then
// migrate (backfills in batches of two keys, so every case crosses
// several) and contract (gates included) run, and the live schema must
// equal the declared one, with every row as expected.
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
	// afterContract are the new release's writes after contract, each of
	// which must succeed (run after checks).
	afterContract []string
	// oldAfterRollback are the previous release's writes after the
	// rollback, when oldWrites cannot run twice (explicit keys); nil
	// runs oldWrites again.
	oldAfterRollback []string
}

var target = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}

// ruleProject is a rule case as a project on its own test database.
type ruleProject struct {
	t  *testing.T
	db *testdb.DB
	p  *project.Project
	// phases are the statements of release "after", as planned.
	phases splitter.Phases
	// declared is the schema release "after" declares (its snapshot);
	// previous, release "before"'s.
	declared, previous *schema.Schema
	// said is what the last command applied said, as the command prints
	// it.
	said string
}

// newRuleProject writes releases "before" and "after" (table blocks of
// schema app) and plans them.
func newRuleProject(t *testing.T, before, after string) *ruleProject {
	t.Helper()
	r, err := planRuleProject(t, before, after)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// planRuleProject is newRuleProject returning the planner's refusal.
func planRuleProject(t *testing.T, before, after string) (*ruleProject, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"before": before, "after": after} {
		opWrite(t, filepath.Join(dir, "schema", name+".hcl"), []byte("schema \"app\" {}\n"+body))
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("emcee {\n  target   = \""+target.String()+"\"\n  releases = [\"before\", \"after\"]\n}\n"))
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		return nil, err
	}
	if err := out.Write(); err != nil {
		t.Fatal(err)
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		t.Fatal(err)
	}
	r := &ruleProject{t: t, db: testdb.New(t), p: p, phases: splitter.Phases{}}
	for _, ph := range revision.Phases {
		for _, rev := range plans.Of("after", ph) {
			r.phases[ph] = append(r.phases[ph], rev.Statements...)
		}
	}
	if r.declared, err = schemadef.ReadSnapshot(filepath.Join(p.PlansDir, revision.SnapshotFile("after")), target); err != nil {
		t.Fatal(err)
	}
	if r.previous, err = schemadef.ReadSnapshot(filepath.Join(p.PlansDir, revision.SnapshotFile("before")), target); err != nil {
		t.Fatal(err)
	}
	return r, nil
}

// usesRules fails the test unless the plan of "after" uses every rule.
func (r *ruleProject) usesRules(rules []string) {
	r.t.Helper()
	used := map[string]bool{}
	for _, ph := range revision.Phases {
		for _, s := range r.phases[ph] {
			// One ALTER may carry the changes of several rules.
			for _, rule := range strings.Split(s.Rule, ", ") {
				used[rule] = true
			}
		}
	}
	for _, rule := range rules {
		if !used[rule] {
			r.t.Fatalf("plan does not use rule %s; it used %v", rule, used)
		}
	}
}

// apply runs one `emcee db` command in a session of its own, as the
// command does: "before" syncs the previous release; "expand", "migrate"
// and "contract" run that phase of release "after". The session's output
// is in the error.
func (r *ruleProject) apply(cmd string) (_ *apply.Result, err error) {
	r.t.Helper()
	ctx := context.Background()
	cfg, err := dbconn.Parse(r.db.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	if ph := revision.Phase(cmd); ph == revision.Expand || ph == revision.Contract {
		before := r.tableIDs()
		defer func() {
			if err == nil { // a refused run changes nothing
				r.checkRebuilds(ph, before)
			}
		}()
	}
	var log strings.Builder
	s, err := apply.Open(ctx, r.p, cfg, apply.Options{Tool: "e2e", BatchSize: 2, Log: &log, DropNewData: cmd == "rollback --drop-new-data",
		// The rule cases accept the rollback's copies; the refusal without
		// the opt-in is TestRollbackS29WideningNarrowedBackByTheServersCopy's.
		AllowCopy: strings.HasPrefix(cmd, "rollback")})
	if err != nil {
		r.t.Fatal(err)
	}
	defer s.Close()
	var res *apply.Result
	switch cmd {
	case "before":
		res, err = s.Sync(ctx, "before", false)
	case "expand":
		res, err = s.Expand(ctx)
	case "migrate":
		res, err = s.Migrate(ctx)
	case "contract":
		res, err = s.Contract(ctx)
	case "rollback", "rollback --drop-new-data":
		res, err = s.Rollback(ctx)
	default:
		r.t.Fatalf("unknown command %q", cmd)
	}
	r.said = log.String()
	if err != nil {
		return res, fmt.Errorf("emcee db %s: %w\n%s", cmd, err, r.said)
	}
	return res, nil
}

// checkRebuilds holds the cost classes `emcee review` shows to what the
// server did in a phase: a table a statement is classed rebuild or copy
// on gets a new InnoDB id, any other table the phase alters keeps its id.
func (r *ruleProject) checkRebuilds(ph revision.Phase, before map[string]int64) {
	r.t.Helper()
	after := r.tableIDs()
	classed := map[string]bool{}
	// As review reads them: a rollback starts from a state no snapshot
	// describes.
	prev := r.previous
	if ph == revision.Rollback {
		prev = nil
	}
	for _, s := range r.phases[ph] {
		d := effect.Parse(s.SQL)
		if d.Kind != effect.KindAlterTable {
			continue
		}
		rebuilds := splitter.Rebuilds(splitter.AlterCost(target, d, prev))
		classed[d.Name] = classed[d.Name] || rebuilds
	}
	for table, rebuilt := range classed {
		id, ok := before[table]
		if !ok || after[table] == 0 {
			continue // created or dropped by the phase
		}
		if (after[table] != id) != rebuilt {
			r.t.Errorf("%s: %s classed rebuilt=%v, but its InnoDB id went %d -> %d", ph, table, rebuilt, id, after[table])
		}
	}
}

// tableIDs are the InnoDB ids of the database's tables, which a rebuild
// changes.
func (r *ruleProject) tableIDs() map[string]int64 {
	r.t.Helper()
	out := map[string]int64{}
	rows, err := r.db.DB.Query("SELECT SUBSTRING_INDEX(NAME, '/', -1), TABLE_ID FROM information_schema.INNODB_SYS_TABLES WHERE NAME LIKE CONCAT(DATABASE(), '/%')")
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			r.t.Fatal(err)
		}
		out[name] = id
	}
	return out
}

// must is apply, failing the test on an error.
func (r *ruleProject) must(cmd string) {
	r.t.Helper()
	if _, err := r.apply(cmd); err != nil {
		r.t.Fatal(err)
	}
}

// contractBlocked runs contract, which a closed gate must refuse before it
// changes anything; it returns the refusal.
func (r *ruleProject) contractBlocked() error {
	r.t.Helper()
	res, err := r.apply("contract")
	closed := res != nil && slices.ContainsFunc(res.Gates, func(g apply.GateResult) bool { return !g.Open && g.Error == "" })
	if err == nil || !closed {
		r.t.Fatalf("contract ran although a gate should have been closed (err %v)", err)
	}
	return err
}

func (c ruleCase) run(t *testing.T) {
	t.Helper()
	r := newRuleProject(t, c.before, c.after)
	r.usesRules(c.rules)
	r.must("before")
	execAll(t, r.db.DB, "seed", c.seed)
	r.must("expand")
	execAll(t, r.db.DB, "previous release after expand", c.oldWrites)
	execAll(t, r.db.DB, "new release after expand", c.newWrites)
	r.must("migrate")
	if len(c.gateBlocks) > 0 {
		execAll(t, r.db.DB, "data that must close a gate", c.gateBlocks)
		r.contractBlocked()
		execAll(t, r.db.DB, "fix", c.fix)
	}
	r.must("contract")
	assertSchema(t, r.db, r.declared)
	for q, want := range c.checks {
		if got := rows(t, r.db.DB, q); got != want {
			t.Errorf("%s\n got: %s\nwant: %s", q, got, want)
		}
	}
	execAll(t, r.db.DB, "new release after contract", c.afterContract)
	t.Run("rollback", func(t *testing.T) { c.rollback(t, r) })
}

func execAll(t *testing.T, db *sql.DB, who string, stmts []string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %s: %v", who, q, err)
		}
	}
}

// assertSchema compares the live schema with the declared one as `emcee db
// diff` compares a database with its expected state (devdb): the declared
// schema built in a dev database beside it, then tables, triggers and views
// of both compared. (Atlas's differ alone, comparing the live schema with
// the declared one, let an index the server made for a dropped foreign key
// pass where db diff reports it.)
func assertSchema(t *testing.T, db *testdb.DB, want *schema.Schema) {
	t.Helper()
	ctx := context.Background()
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	live, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	dev, err := devdb.Open(ctx, devdb.Spec{Beside: cfg, Like: live})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close(ctx)
	rep, err := dev.Compare(ctx, live, db.Name, &devdb.Replay{Base: want}, "the declared release")
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Clean() {
		t.Fatalf("live schema differs from the declared one:\n%s", rep)
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
