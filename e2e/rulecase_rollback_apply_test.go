package e2e

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// rollback is every rule case's rollback on a database of its own: the
// previous release is synced and seeded, expand runs, both releases
// write, migrate runs; then `db rollback`. Every row of the previous
// release must read as it did before the rollback, the previous release's
// writes must succeed again, and the live schema must be the previous
// release's snapshot (`db diff` clean). Then the release starts again
// from scratch: expand, both releases' writes, migrate, contract, and the
// declared schema. A rule whose expand emcee cannot undo online has a
// rollback refused at plan time: it must refuse with exit code 9 before
// changing anything, and the release then finishes as it would have.
func (c ruleCase) rollback(t *testing.T, planned *ruleProject) {
	t.Helper()
	r := &ruleProject{t: t, db: testdb.New(t), p: planned.p, phases: planned.phases, declared: planned.declared, previous: planned.previous}
	if len(r.phases[revision.Expand]) == 0 {
		return
	}
	r.must("before")
	execAll(t, r.db.DB, "seed", c.seed)
	r.must("expand")
	execAll(t, r.db.DB, "previous release after expand", c.oldWrites)
	execAll(t, r.db.DB, "new release after expand", c.newWrites)
	r.must("migrate")
	old := r.previousRows()
	res, err := r.apply("rollback")
	var refused *apply.NoRollback
	if err != nil && strings.Contains(err.Error(), "it would drop data only after wrote") {
		// What the new release wrote that nothing gives back: refused
		// before anything changed, and dropped on the rerun that accepts it.
		if len(res.Losses) == 0 {
			t.Fatalf("refused for lost data without saying which: %v", err)
		}
		if got := r.previousRows(); got != old {
			t.Fatalf("a rollback refused for lost data changed rows:\nbefore %s\nafter  %s", old, got)
		}
		if v := r.version(); v != "after_expand01, before_contract01" {
			t.Fatalf("a rollback refused for lost data changed the version: %s", v)
		}
		var dropped *apply.Result
		dropped, err = r.apply("rollback --drop-new-data")
		if err == nil && !reflect.DeepEqual(dropped.Losses, res.Losses) {
			t.Fatalf("--drop-new-data counts %+v, the refusal %+v", dropped.Losses, res.Losses)
		}
		res = dropped
	}
	switch {
	case errors.As(err, &refused) || err != nil && strings.Contains(err.Error(), "rollback refused at after_rollback01: "):
		// Refused at plan time, or held back by a gate counting what
		// only the new release's types hold (a widened type): either
		// way nothing changed, and the release finishes.
		if refused != nil && !strings.Contains(err.Error(), "the rollback was refused at plan time") {
			t.Fatalf("rollback refused for another reason than the plan's: %v", err)
		}
		if got := r.previousRows(); got != old {
			t.Fatalf("a refused rollback changed rows:\nbefore %s\nafter  %s", old, got)
		}
		if v := r.version(); v != "after_expand01, before_contract01" {
			t.Fatalf("a refused rollback changed the version: %s", v)
		}
		r.must("contract")
		assertSchema(t, r.db, r.declared)
		return
	case err != nil:
		t.Fatal(err)
	}
	// Rows migrate rewrote stay; a release whose migrate has nothing to
	// run rewrote none, and the message does not speak of them.
	if says, has := strings.Contains(res.Message, "data migrations already run stay"), len(r.phases[revision.Migrate]) > 0; says != has {
		t.Errorf("rollback result says that data migrations stay (%v) where migrate has %d statements: %s", says, len(r.phases[revision.Migrate]), res.Message)
	}
	if got := r.previousRows(); got != old {
		t.Fatalf("rows of the previous release changed by the rollback:\nbefore %s\nafter  %s", old, got)
	}
	again := c.oldWrites
	if c.oldAfterRollback != nil {
		again = c.oldAfterRollback
	}
	execAll(t, r.db.DB, "previous release after rollback", again)
	if v := r.version(); v != "before_expand01, before_contract01" {
		t.Fatalf("version after rollback: %s", v)
	}
	if d := r.diff(); !d.Clean {
		t.Fatalf("db diff after rollback: %s\n%s", d.Summary(), d.Report.String())
	}
	r.must("expand")
	execAll(t, r.db.DB, "new release after expand again", c.newWrites)
	r.must("migrate")
	if len(c.gateBlocks) > 0 {
		execAll(t, r.db.DB, "fix", c.fix)
	}
	r.must("contract")
	assertSchema(t, r.db, r.declared)
}

// previousRows reads every row of the previous release, its columns only,
// as its code reads them, in key order.
func (r *ruleProject) previousRows() string {
	r.t.Helper()
	prev, err := schemadef.ReadSnapshot(filepath.Join(r.p.PlansDir, revision.SnapshotFile("before")), target)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, tbl := range prev.Tables {
		var cols []string
		for _, c := range tbl.Columns {
			cols = append(cols, sqlsyntax.Ident(c.Name))
		}
		q := "SELECT " + strings.Join(cols, ", ") + " FROM " + sqlsyntax.Ident(tbl.Name) + " ORDER BY " + strings.Join(cols, ", ")
		out = append(out, tbl.Name+": "+rows(r.t, r.db.DB, q))
	}
	return strings.Join(out, "\n")
}

func (r *ruleProject) session() (*apply.Session, *strings.Builder) {
	r.t.Helper()
	cfg, err := dbconn.Parse(r.db.URL)
	if err != nil {
		r.t.Fatal(err)
	}
	var log strings.Builder
	s, err := apply.Open(context.Background(), r.p, cfg, apply.Options{Tool: "e2e", BatchSize: 2, Log: &log})
	if err != nil {
		r.t.Fatal(err)
	}
	return s, &log
}

func (r *ruleProject) version() string {
	r.t.Helper()
	s, _ := r.session()
	defer s.Close()
	return s.Version()
}

// diff is `db diff`: the live schema against what the recorded revisions
// produce.
func (r *ruleProject) diff() *apply.DiffResult {
	r.t.Helper()
	s, _ := r.session()
	defer s.Close()
	d, err := s.Diff(context.Background())
	if err != nil {
		r.t.Fatal(err)
	}
	return d
}
