package simulate_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/simulate"
)

// BenchmarkRollingUpgrade measures the Glance upgrade on a large table
// against the references the issue names, each ratio within one run:
//
//   - write stall: old-release write latency while expand runs, against the
//     same writers with no DDL (baseline phase);
//   - backfill: rows/s of emcee's batched migrate against one unbatched
//     UPDATE of the whole table, with the writers' p99 during each against
//     the same writers with no DDL (expanded phase);
//   - trigger overhead: insert throughput with the sync triggers in place
//     against the same table with them dropped.
//
// It needs a real server and minutes, so it runs only with EMCEE_BENCH=1:
//
//	EMCEE_BENCH=1 EMCEE_TEST_DSN='root@tcp(127.0.0.1:3306)/' \
//	  go test ./simulate -run '^$' -bench RollingUpgrade -benchtime 1x -timeout 60m -v
//
// EMCEE_BENCH_ROWS (default 1000000), EMCEE_BENCH_THROTTLE (pause between
// one worker's statements, default 5ms), EMCEE_BENCH_BATCH (backfill
// batch size, default: the applier's) and EMCEE_BENCH_PAUSE (sleep between
// backfill batches, default none) change the setup.
func BenchmarkRollingUpgrade(b *testing.B) {
	if os.Getenv("EMCEE_BENCH") == "" {
		b.Skip("set EMCEE_BENCH=1 (and EMCEE_TEST_DSN) to run the upgrade benchmarks; they take minutes")
	}
	rows := envInt(b, "EMCEE_BENCH_ROWS", 1_000_000)
	throttle := envDur(b, "EMCEE_BENCH_THROTTLE", 5*time.Millisecond)
	batch := envInt(b, "EMCEE_BENCH_BATCH", 0)
	pause := envDur(b, "EMCEE_BENCH_PAUSE", 0)
	for range b.N {
		ctx := context.Background()
		base := simulate.Config{
			New: simulate.ExampleRelease, Rows: rows, OldWorkers: 4, NewWorkers: 4,
			Throttle: throttle, Baseline: 10 * time.Second, Settle: 10 * time.Second,
			BatchSize: batch, Pause: pause, Verify: true, Seed: 7,
		}

		// A: the emcee upgrade, all three phases.
		a := base
		simA, repA := benchRun(b, a)
		simA.Close()

		// B: the same, with the backfill as one UPDATE (the engine's own
		// limit); then the trigger overhead on the table it leaves, whose
		// triggers are still in place.
		bc := base
		bc.Unbatched = true
		simB, repB := benchRun(b, bc)
		withOld1 := insertRate(b, simB, simulate.Old)
		withNew1 := insertRate(b, simB, simulate.New)
		triggers := dropTriggers(b, simB)
		withoutOld := insertRate(b, simB, simulate.Old)
		withoutNew := insertRate(b, simB, simulate.New)
		for _, q := range triggers {
			if _, err := simB.DB().ExecContext(ctx, q); err != nil {
				b.Fatalf("recreating a trigger: %v", err)
			}
		}
		withOld2 := insertRate(b, simB, simulate.Old)
		withNew2 := insertRate(b, simB, simulate.New)
		simB.Close()

		var out strings.Builder
		row := func(name string, got, target float64, better string) {
			ok := got <= target
			if better == ">=" {
				ok = got >= target
			}
			verdict := "met"
			if !ok {
				verdict = "NOT met"
			}
			fmt.Fprintf(&out, "| %s | %.2f | %s %.2f | %s |\n", name, got, better, target, verdict)
		}
		baseOld := writes(repA, "baseline", simulate.Old)
		expOld := writes(repA, "expand", simulate.Old)
		expandedA, migA := writes(repA, "expanded", simulate.Old, simulate.New), writes(repA, "migrate", simulate.Old, simulate.New)
		expandedB, migB := writes(repB, "expanded", simulate.Old, simulate.New), writes(repB, "migrate", simulate.Old, simulate.New)
		rateA, rateB := rowsPerSec(repA.Phase("migrate")), rowsPerSec(repB.Phase("migrate"))
		withOld, withNew := (withOld1+withOld2)/2, (withNew1+withNew2)/2

		fmt.Fprintf(&out, "\n%d rows, 4 old + 4 new workers, %s between statements, backfill batch %d (0: applier default), pause %s\n\n", rows, throttle, batch, pause)
		fmt.Fprintf(&out, "failed statements, emcee run: old %d, new %d; rows checked %d, lost %d, inconsistent %d\n",
			repA.Failed(simulate.Old), repA.Failed(simulate.New), repA.RowsChecked, repA.Lost, repA.Inconsistent)
		fmt.Fprintf(&out, "failed statements, unbatched run: old %d, new %d; rows checked %d, lost %d, inconsistent %d\n\n",
			repB.Failed(simulate.Old), repB.Failed(simulate.New), repB.RowsChecked, repB.Lost, repB.Inconsistent)
		fmt.Fprintf(&out, "| measurement | value |\n|---|---|\n")
		fmt.Fprintf(&out, "| old writes, baseline (no DDL): p99 / max | %s / %s (%d writes) |\n", baseOld.p(0.99), baseOld.max(), len(baseOld))
		fmt.Fprintf(&out, "| old writes during expand (%s): p99 / max | %s / %s (%d writes) |\n", repA.Phase("expand").Elapsed.Round(time.Millisecond), expOld.p(0.99), expOld.max(), len(expOld))
		fmt.Fprintf(&out, "| both releases' writes, no DDL (expanded), run A: p99 / max | %s / %s |\n", expandedA.p(0.99), expandedA.max())
		fmt.Fprintf(&out, "| batched migrate: rows/s; writes p99 / max | %.0f (%d rows in %s); %s / %s |\n", rateA, repA.Phase("migrate").Rows, repA.Phase("migrate").Elapsed.Round(time.Millisecond), migA.p(0.99), migA.max())
		fmt.Fprintf(&out, "| both releases' writes, no DDL (expanded), run B: p99 / max | %s / %s |\n", expandedB.p(0.99), expandedB.max())
		fmt.Fprintf(&out, "| unbatched UPDATE: rows/s; writes p99 / max | %.0f (%d rows in %s); %s / %s |\n", rateB, repB.Phase("migrate").Rows, repB.Phase("migrate").Elapsed.Round(time.Millisecond), migB.p(0.99), migB.max())
		fmt.Fprintf(&out, "| inserts/s, old release: triggers / none | %.0f (%.0f, %.0f) / %.0f |\n", withOld, withOld1, withOld2, withoutOld)
		fmt.Fprintf(&out, "| inserts/s, new release: triggers / none | %.0f (%.0f, %.0f) / %.0f |\n", withNew, withNew1, withNew2, withoutNew)
		fmt.Fprintf(&out, "| contract (run A) | %s |\n\n", repA.Phase("contract").Elapsed.Round(time.Millisecond))
		fmt.Fprintf(&out, "| ratio | measured | target | |\n|---|---|---|---|\n")
		row("expand write p99 / baseline p99", ratio(expOld.p(0.99), baseOld.p(0.99)), 2, "<=")
		row("expand worst write / baseline worst", ratio(expOld.max(), baseOld.max()), 2, "<=")
		row("batched rows/s / unbatched rows/s", rateA/rateB, 0.5, ">=")
		row("batched migrate write p99 / no-DDL p99 (expanded)", ratio(migA.p(0.99), expandedA.p(0.99)), 3, "<=")
		row("batched migrate write p99 / baseline p99", ratio(migA.p(0.99), baseOld.p(0.99)), 3, "<=")
		row("unbatched UPDATE write p99 / no-DDL p99 (expanded)", ratio(migB.p(0.99), expandedB.p(0.99)), 3, "<=")
		row("old-release inserts with triggers / without", withOld/withoutOld, 0.6, ">=")
		row("new-release inserts with triggers / without", withNew/withoutNew, 0.6, ">=")
		// Printed rather than logged: the testing package truncates
		// benchmark logs, and this table is the point of the run.
		fmt.Print(out.String())
		b.ReportMetric(ratio(expOld.p(0.99), baseOld.p(0.99)), "expand-p99-x")
		b.ReportMetric(rateA/rateB, "backfill-rate-x")
		b.ReportMetric(ratio(migA.p(0.99), expandedA.p(0.99)), "migrate-p99-x")
		b.ReportMetric(withOld/withoutOld, "trigger-insert-x")
		if repA.Failed(simulate.Old)+repA.Failed(simulate.New) != 0 || repA.Lost+repA.Inconsistent != 0 {
			b.Errorf("the emcee upgrade broke the invariant under load")
		}
	}
}

func benchRun(b *testing.B, cfg simulate.Config) (*simulate.Sim, *simulate.Report) {
	b.Helper()
	db := testdb.New(b)
	p, err := simulate.WriteExample(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	c, err := dbconn.Parse(db.URL)
	if err != nil {
		b.Fatal(err)
	}
	cfg.Project, cfg.DB = p, c
	if os.Getenv("EMCEE_BENCH_LOG") != "" {
		cfg.Log = os.Stderr
	}
	sim, err := simulate.Prepare(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := sim.Run(context.Background())
	var out strings.Builder
	if rep != nil {
		rep.Print(&out)
	}
	if err != nil {
		b.Fatalf("%v\n%s", err, out.String())
	}
	fmt.Print(out.String())
	return sim, rep
}

func insertRate(b *testing.B, sim *simulate.Sim, k simulate.Kind) float64 {
	b.Helper()
	r, err := sim.InsertRate(context.Background(), k, 2, 5*time.Second)
	if err != nil {
		b.Fatalf("%s-release inserts: %v", k, err)
	}
	return r
}

// dropTriggers drops the database's triggers and returns the statements
// that recreate them.
func dropTriggers(b *testing.B, sim *simulate.Sim) []string {
	b.Helper()
	ctx := context.Background()
	db := sim.DB()
	rows, err := db.QueryContext(ctx, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			b.Fatal(err)
		}
		names = append(names, n)
	}
	rows.Close()
	if len(names) == 0 {
		b.Fatal("no trigger to measure: the expand left none")
	}
	var create []string
	for _, n := range names {
		var name, mode, stmt string
		var rest [4]any
		if err := db.QueryRowContext(ctx, "SHOW CREATE TRIGGER `"+n+"`").Scan(&name, &mode, &stmt, &rest[0], &rest[1], &rest[2], &rest[3]); err != nil {
			b.Fatal(err)
		}
		create = append(create, stmt)
		if _, err := db.ExecContext(ctx, "DROP TRIGGER `"+n+"`"); err != nil {
			b.Fatal(err)
		}
	}
	return create
}

type lat []time.Duration

func (l lat) p(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[max(0, min(len(l)-1, int(q*float64(len(l))+0.5)-1))]
}

func (l lat) max() time.Duration {
	if len(l) == 0 {
		return 0
	}
	return l[len(l)-1]
}

// writes merges the write latencies of the given kinds in one phase.
func writes(r *simulate.Report, phase string, kinds ...simulate.Kind) lat {
	var out lat
	for _, k := range kinds {
		if s := r.Find(phase, k, simulate.Write); s != nil {
			out = append(out, s.Latencies...)
		}
	}
	slices.Sort(out)
	return out
}

func rowsPerSec(p *simulate.PhaseInfo) float64 {
	if p == nil || p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Rows) / p.Elapsed.Seconds()
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return n
}

func envDur(b *testing.B, name string, def time.Duration) time.Duration {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		b.Fatalf("%s: %v", name, err)
	}
	return d
}
