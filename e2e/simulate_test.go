package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/simulate"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// simulation runs the Glance example (images.is_public -> visibility) on a
// fresh database with both releases' workers hammering it. The durations
// only decide how much load there is, never what passes.
func simulation(t *testing.T, naive, rollback bool) *simulate.Report {
	t.Helper()
	db := testdb.New(t)
	p, err := simulate.WriteExample(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	var log strings.Builder
	sim, err := simulate.Prepare(context.Background(), simulate.Config{
		Project: p, New: simulate.ExampleRelease, DB: cfg,
		Rows: 20000, OldWorkers: 3, NewWorkers: 3,
		Baseline: time.Second, Settle: 2 * time.Second,
		// small batches so that migrate takes many batches while the
		// workers write, which is where a race would show
		BatchSize: 500,
		Naive:     naive,
		Rollback:  rollback,
		Verify:    true,
		Seed:      42,
		Log:       &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	rep, err := sim.Run(context.Background())
	var out strings.Builder
	if rep != nil {
		rep.Print(&out)
	}
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, log.String(), out.String())
	}
	t.Logf("%s", out.String())
	return rep
}

// The invariant, proved under load: neither release's code sees a single
// failed statement while expand, migrate and contract run, and every row
// either side wrote is there afterwards, with the old and new columns
// agreeing through the declared forward/backward expressions.
func TestSimulateRollingUpgrade(t *testing.T) {
	t.Parallel()
	rep := simulation(t, false, false)
	for _, ph := range []string{"expand", "migrate"} {
		for _, k := range []simulate.Kind{simulate.Old, simulate.New} {
			if n := rep.Failed(k, ph); n != 0 {
				t.Errorf("%d failed statements of the %s release during %s", n, k, ph)
			}
		}
	}
	if n := rep.Failed(simulate.Old) + rep.Failed(simulate.New); n != 0 {
		t.Errorf("%d failed statements in the whole upgrade", n)
	}
	if !rep.Verified || rep.RowsChecked == 0 {
		t.Fatalf("rows were not verified")
	}
	if rep.Lost != 0 || rep.Inconsistent != 0 {
		t.Errorf("%d lost and %d inconsistent rows: %s", rep.Lost, rep.Inconsistent, strings.Join(rep.Problems, "\n"))
	}
	// The run must have exercised what it claims: both kinds wrote while
	// migrate ran, and the backfill moved the seeded rows.
	for _, k := range []simulate.Kind{simulate.Old, simulate.New} {
		if s := rep.Find("migrate", k, simulate.Write); s == nil || s.Count == 0 {
			t.Errorf("no %s-release write ran during migrate", k)
		}
	}
	if m := rep.Phase("migrate"); m == nil || m.Rows == 0 {
		t.Errorf("migrate backfilled no rows")
	}
}

// The same workers against the single-phase migration a diff tool would
// run: the previous release's code breaks as soon as its column is gone,
// and the seeded rows lose their visibility.
func TestSimulateNaiveBreaksOldRelease(t *testing.T) {
	t.Parallel()
	rep := simulation(t, true, false)
	if len(rep.NaiveSQL) == 0 || !strings.Contains(strings.Join(rep.NaiveSQL, "\n"), "DROP COLUMN `is_public`") {
		t.Fatalf("the naive migration does not drop is_public: %q", rep.NaiveSQL)
	}
	if n := rep.Failed(simulate.Old, "naive-alter", "after"); n == 0 {
		t.Fatalf("the old release saw no failure against the naive migration")
	}
	found := false
	for _, s := range rep.Stats {
		for _, e := range s.Errors {
			found = found || (s.Kind == simulate.Old && strings.Contains(e, "Unknown column 'is_public'"))
		}
	}
	if !found {
		t.Errorf("no old-release failure names the dropped column")
	}
	if rep.Inconsistent == 0 {
		t.Errorf("the naive migration kept every seeded row's visibility, which it cannot: it never converts is_public")
	}
}

// The rollback scenario: old and new workers through expand and migrate,
// then the new release stops and the rollback runs while the previous
// release keeps writing. Not one of its statements fails, every row it
// wrote is intact, and the rows it wrote during the window read back with
// their values; the version is the previous release's again.
func TestSimulateRollback(t *testing.T) {
	t.Parallel()
	rep := simulation(t, false, true)
	if !rep.Rollback || !rep.Verified || rep.RowsChecked == 0 {
		t.Fatalf("rows were not verified after the rollback: %+v", rep)
	}
	if n := rep.Failed(simulate.Old); n != 0 {
		t.Errorf("%d failed statements of the old release", n)
	}
	if rep.Lost != 0 || rep.Inconsistent != 0 {
		t.Errorf("%d lost and %d inconsistent rows: %s", rep.Lost, rep.Inconsistent, strings.Join(rep.Problems, "\n"))
	}
	for _, ph := range []string{"rollback", "rolled-back"} {
		if s := rep.Find(ph, simulate.Old, simulate.Write); s == nil || s.Count == 0 {
			t.Errorf("no old-release write ran during %s", ph)
		}
		if s := rep.Find(ph, simulate.New, simulate.Write); s != nil {
			t.Errorf("new-release writes ran during %s: %d", ph, s.Count)
		}
	}
	if rep.WindowRows == 0 {
		t.Errorf("no old-release row written during the rollback window was read back")
	}
	if rep.Phase("contract") != nil {
		t.Errorf("contract ran in the rollback scenario")
	}
	// The new release's workers wrote values its new columns alone hold:
	// the first run refused, nothing changed (no old-release statement
	// failed), and the rerun accepting the loss rolled back.
	if len(rep.RollbackLosses) == 0 {
		t.Errorf("the rollback dropped the new release's data without refusing first")
	}
	for _, l := range rep.RollbackLosses {
		if l.Rows <= 0 || l.Save == "" {
			t.Errorf("loss without rows or a way to copy it out: %+v", l)
		}
	}
}

// Prepare created the scratch database before it refused a table it
// cannot drive (--table naming one the release lacks), leaving an empty
// database behind for a rehearsal that never ran: it refuses first.
func TestSimulateRefusedTableLeavesNoScratchDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	p, err := simulate.WriteExample(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := dbconn.Parse(db.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Database = db.Name + "_sim"
	t.Cleanup(func() { db.DB.Exec("DROP DATABASE IF EXISTS " + sqlsyntax.Ident(cfg.Database)) })
	_, err = simulate.Prepare(context.Background(), simulate.Config{Project: p, New: simulate.ExampleRelease, DB: cfg, Tables: []string{"no_such_table"}, Rows: 10, OldWorkers: 1, NewWorkers: 1})
	if err == nil || !strings.Contains(err.Error(), "table no_such_table: release "+simulate.ExampleRelease+" does not have it") {
		t.Fatalf("a table the release lacks: %v", err)
	}
	var n int
	if err := db.DB.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", cfg.Database).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the refusal left the scratch database %s behind (%v)", cfg.Database, err)
	}
}
