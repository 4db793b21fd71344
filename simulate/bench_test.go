package simulate_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/simulate"
)

// BenchmarkRollingUpgrade measures the Glance upgrade on a large table
// against the references the issue names, each ratio within one run:
//
//   - write stall: old-release write latency while expand runs, against the
//     same writers with no DDL (baseline phase);
//   - backfill: rows/s of emcee's batched migrate against one unbatched
//     UPDATE of the whole table, with the writers' p99 during each against
//     the equal-load reference: the same 8 writers with no DDL (the
//     expanded and migrated phases on either side of migrate), and beside
//     it the pre-upgrade baseline (4 writers). The unbatched run's writers
//     wait up to an hour for a lock, so its reference is not cut short by
//     its own writers failing;
//   - trigger overhead: insert throughput with the sync triggers in place
//     against the same table with them dropped, in alternating rounds
//     (with/without, then without/with), reported as the median ratio and
//     its range.
//
// Beside each migrate it samples the redo log (redoSampler): where the
// checkpoint age sat against Innodb_checkpoint_max_age, the pages flushed
// and the redo written per second, which the writers' p99 follows.
//
// It needs a real server and minutes, so it runs only with EMCEE_BENCH=1:
//
//	EMCEE_BENCH=1 EMCEE_TEST_DSN='root@tcp(127.0.0.1:3306)/' \
//	  go test ./simulate -run '^$' -bench RollingUpgrade -benchtime 1x -count 3 -timeout 90m
//
// EMCEE_BENCH_ROWS (default 1000000), EMCEE_BENCH_THROTTLE (pause between
// one worker's statements, default 5ms), EMCEE_BENCH_BATCH (backfill
// batch size, default: the applier's), EMCEE_BENCH_PAUSE (sleep between
// backfill batches, default none), EMCEE_BENCH_CHUNK (--chunk-time,
// default none), EMCEE_BENCH_MAX_LOAD (--max-load, e.g.
// Innodb_checkpoint_age=40000000, default none), EMCEE_BENCH_CHECK
// (--check-interval, default 1s), EMCEE_BENCH_ROUNDS
// (trigger rounds, default 8) and
// EMCEE_BENCH_PLOT (a directory: each run's latency plot as a PNG)
// change the setup. Each run ends with one "RESULT" line for the
// summary across runs.
func BenchmarkRollingUpgrade(b *testing.B) {
	if os.Getenv("EMCEE_BENCH") == "" {
		b.Skip("set EMCEE_BENCH=1 (and EMCEE_TEST_DSN) to run the upgrade benchmarks; they take minutes")
	}
	rows := envInt(b, "EMCEE_BENCH_ROWS", 1_000_000)
	throttle := envDur(b, "EMCEE_BENCH_THROTTLE", 5*time.Millisecond)
	batch := envInt(b, "EMCEE_BENCH_BATCH", 0)
	pause := envDur(b, "EMCEE_BENCH_PAUSE", 0)
	chunk := envDur(b, "EMCEE_BENCH_CHUNK", 0)
	maxLoad, err := project.ParseLoads(os.Getenv("EMCEE_BENCH_MAX_LOAD"))
	if err != nil {
		b.Fatalf("EMCEE_BENCH_MAX_LOAD: %v", err)
	}
	check := envDur(b, "EMCEE_BENCH_CHECK", 0)
	rounds := envInt(b, "EMCEE_BENCH_ROUNDS", 8)
	plotDir := os.Getenv("EMCEE_BENCH_PLOT")
	for range b.N {
		base := simulate.Config{
			New: simulate.ExampleRelease, Rows: rows, OldWorkers: 4, NewWorkers: 4,
			Throttle: throttle, Baseline: 10 * time.Second, Settle: 10 * time.Second,
			BatchSize: batch, Pause: pause, ChunkTime: chunk, MaxLoad: maxLoad, CheckInterval: check, Verify: true, Seed: 7,
		}

		// A: the emcee upgrade, all three phases.
		a := base
		simA, repA, redoA := benchRun(b, a)
		simA.Close()
		if plotDir != "" {
			path := filepath.Join(plotDir, fmt.Sprintf("rolling-upgrade-%d.png", time.Now().Unix()))
			if err := repA.Plot(path); err != nil {
				b.Fatal(err)
			}
			fmt.Printf("plot: %s\n", path)
		}

		// B: the same, with the backfill as one UPDATE (the engine's own
		// limit); then the trigger overhead on the table it leaves, whose
		// triggers are still in place.
		bc := base
		bc.Unbatched = true
		bc.WorkerLockWait = time.Hour
		simB, repB, redoB := benchRun(b, bc)
		oldX, newX := triggerRounds(b, simB, rounds)
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
		both := []simulate.Kind{simulate.Old, simulate.New}
		refA, migA := writes(repA, "expanded", both...).and(writes(repA, "migrated", both...)), writes(repA, "migrate", both...)
		refB, migB := writes(repB, "expanded", both...).and(writes(repB, "migrated", both...)), writes(repB, "migrate", both...)
		contractNew, contractedNew := writes(repA, "contract", simulate.New), writes(repA, "contracted", simulate.New)
		rateA, rateB := rowsPerSec(repA.Phase("migrate")), rowsPerSec(repB.Phase("migrate"))
		// The writes the application got done while each backfill ran:
		// the unbatched UPDATE's rate is bought by blocking them, so it is
		// printed beside the rates it is compared with.
		wpsA, wpsB := perSec(migA, repA, "migrate"), perSec(migB, repB, "migrate")
		wpsRefA := float64(len(refA)) / (repA.Phase("expanded").Elapsed + repA.Phase("migrated").Elapsed).Seconds()
		wpsRefB := float64(len(refB)) / (repB.Phase("expanded").Elapsed + repB.Phase("migrated").Elapsed).Seconds()

		fmt.Fprintf(&out, "\n%d rows, 4 old + 4 new workers, %s between statements, backfill batch %d (0: applier default), pause %s, chunk time %s, max load %v\n\n", rows, throttle, batch, pause, chunk, maxLoad)
		fmt.Fprintf(&out, "failed statements, emcee run: old %d, new %d; rows checked %d, lost %d, inconsistent %d\n",
			repA.Failed(simulate.Old), repA.Failed(simulate.New), repA.RowsChecked, repA.Lost, repA.Inconsistent)
		fmt.Fprintf(&out, "failed statements, unbatched run: old %d, new %d; rows checked %d, lost %d, inconsistent %d\n\n",
			repB.Failed(simulate.Old), repB.Failed(simulate.New), repB.RowsChecked, repB.Lost, repB.Inconsistent)
		fmt.Fprintf(&out, "| measurement | value |\n|---|---|\n")
		fmt.Fprintf(&out, "| old writes, baseline (4 workers, no DDL): p99 / max | %s / %s (%d writes) |\n", baseOld.p(0.99), baseOld.max(), len(baseOld))
		fmt.Fprintf(&out, "| old writes during expand (%s): p99 / max | %s / %s (%d writes) |\n", repA.Phase("expand").Elapsed.Round(time.Millisecond), expOld.p(0.99), expOld.max(), len(expOld))
		fmt.Fprintf(&out, "| equal-load reference, run A (8 workers, no DDL: expanded + migrated): p99 / max | %s / %s (%d writes) |\n", refA.p(0.99), refA.max(), len(refA))
		fmt.Fprintf(&out, "| batched migrate: rows/s; writes p99 / max | %.0f (%d rows in %s); %s / %s |\n", rateA, repA.Phase("migrate").Rows, repA.Phase("migrate").Elapsed.Round(time.Millisecond), migA.p(0.99), migA.max())
		fmt.Fprintf(&out, "| equal-load reference, run B: p99 / max | %s / %s (%d writes) |\n", refB.p(0.99), refB.max(), len(refB))
		fmt.Fprintf(&out, "| unbatched UPDATE (writers' lock wait 1 h): rows/s; writes p99 / max | %.0f (%d rows in %s); %s / %s |\n", rateB, repB.Phase("migrate").Rows, repB.Phase("migrate").Elapsed.Round(time.Millisecond), migB.p(0.99), migB.max())
		fmt.Fprintf(&out, "| the application's writes per second (both releases): equal-load A / batched migrate / equal-load B / unbatched UPDATE | %.0f / %.0f / %.0f / %.0f |\n", wpsRefA, wpsA, wpsRefB, wpsB)
		fmt.Fprintf(&out, "| redo log during migrate, checkpoint age p50 / p90 / max of Innodb_checkpoint_max_age: batched | %s |\n", redoA)
		fmt.Fprintf(&out, "| ... unbatched UPDATE | %s |\n", redoB)
		fmt.Fprintf(&out, "| new writes: contracted (4 workers, no DDL) / during contract p99 | %s / %s |\n", contractedNew.p(0.99), contractNew.p(0.99))
		fmt.Fprintf(&out, "| inserts with triggers / without, %d alternating rounds: median (min-max) | old %.2f (%.2f-%.2f), new %.2f (%.2f-%.2f) |\n", rounds, median(oldX), slices.Min(oldX), slices.Max(oldX), median(newX), slices.Min(newX), slices.Max(newX))
		fmt.Fprintf(&out, "| contract (run A) | %s |\n\n", repA.Phase("contract").Elapsed.Round(time.Millisecond))
		fmt.Fprintf(&out, "| ratio | measured | target | |\n|---|---|---|---|\n")
		row("expand write p99 / baseline p99", ratio(expOld.p(0.99), baseOld.p(0.99)), 1.5, "<=")
		row("batched rows/s / unbatched rows/s", rateA/rateB, 0.7, ">=")
		row("batched migrate write p99 / equal-load p99", ratio(migA.p(0.99), refA.p(0.99)), 2, "<=")
		row("batched migrate write p99 / baseline p99 (4 workers)", ratio(migA.p(0.99), baseOld.p(0.99)), 2, "<=")
		row("unbatched UPDATE write p99 / equal-load p99", ratio(migB.p(0.99), refB.p(0.99)), 2, "<=")
		row("contract write p99 / contracted p99", ratio(contractNew.p(0.99), contractedNew.p(0.99)), 2, "<=")
		row("old-release inserts with triggers / without (median)", median(oldX), 0.6, ">=")
		row("new-release inserts with triggers / without (median)", median(newX), 0.6, ">=")
		fmt.Fprintf(&out, "\nRESULT rows=%d expand_x=%.2f rate_x=%.3f rate_a=%.0f rate_b=%.0f mig_p99_x=%.2f mig_p99=%s ref_p99=%s base_p99=%s unb_p99_x=%.0f writes_per_s_a=%.0f writes_per_s_b=%.0f contract_x=%.2f trig_old=%.2f trig_new=%.2f failed=%d lost=%d inconsistent=%d failed_b=%d age_p50_a=%.2f age_p90_a=%.2f flushed_a=%.0f redo_mb_a=%.1f\n",
			rows, ratio(expOld.p(0.99), baseOld.p(0.99)), rateA/rateB, rateA, rateB, ratio(migA.p(0.99), refA.p(0.99)), migA.p(0.99), refA.p(0.99), baseOld.p(0.99),
			ratio(migB.p(0.99), refB.p(0.99)), wpsA, wpsB, ratio(contractNew.p(0.99), contractedNew.p(0.99)), median(oldX), median(newX),
			repA.Failed(simulate.Old)+repA.Failed(simulate.New), repA.Lost, repA.Inconsistent, repB.Failed(simulate.Old)+repB.Failed(simulate.New),
			redoA.ageP50, redoA.ageP90, redoA.flushedPerSec, redoA.redoMBs)
		// Printed rather than logged: the testing package truncates
		// benchmark logs, and this table is the point of the run.
		fmt.Print(out.String())
		b.ReportMetric(ratio(expOld.p(0.99), baseOld.p(0.99)), "expand-p99-x")
		b.ReportMetric(rateA/rateB, "backfill-rate-x")
		b.ReportMetric(ratio(migA.p(0.99), refA.p(0.99)), "migrate-p99-x")
		b.ReportMetric(median(oldX), "trigger-insert-x")
		if repA.Failed(simulate.Old)+repA.Failed(simulate.New) != 0 || repA.Lost+repA.Inconsistent != 0 {
			b.Errorf("the emcee upgrade broke the invariant under load")
		}
	}
}

// triggerRounds measures inserts with and without the sync triggers in
// alternating rounds (2 inserters per release, 2 s each), the order
// flipped every round so that drift in the machine's load does not favour
// either; it returns each round's with/without ratio per release.
func triggerRounds(b *testing.B, sim *simulate.Sim, rounds int) (oldX, newX []float64) {
	b.Helper()
	ctx := context.Background()
	measure := func() (float64, float64) {
		o, err := sim.InsertRate(ctx, simulate.Old, 2, 2*time.Second)
		if err != nil {
			b.Fatalf("old-release inserts: %v", err)
		}
		n, err := sim.InsertRate(ctx, simulate.New, 2, 2*time.Second)
		if err != nil {
			b.Fatalf("new-release inserts: %v", err)
		}
		return o, n
	}
	for r := range rounds {
		var wo, wn, no, nn float64
		if r%2 == 0 {
			wo, wn = measure()
			triggers := dropTriggers(b, sim)
			no, nn = measure()
			recreate(b, sim, triggers)
		} else {
			triggers := dropTriggers(b, sim)
			no, nn = measure()
			recreate(b, sim, triggers)
			wo, wn = measure()
		}
		oldX, newX = append(oldX, wo/no), append(newX, wn/nn)
	}
	return oldX, newX
}

func recreate(b *testing.B, sim *simulate.Sim, triggers []string) {
	b.Helper()
	for _, q := range triggers {
		if _, err := sim.DB().ExecContext(context.Background(), q); err != nil {
			b.Fatalf("recreating a trigger: %v", err)
		}
	}
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func benchRun(b *testing.B, cfg simulate.Config) (*simulate.Sim, *simulate.Report, redoUse) {
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
	var tee io.Writer
	if os.Getenv("EMCEE_BENCH_LOG") != "" {
		tee = os.Stderr
	}
	sampler := startRedoSampler(db.DB, tee)
	cfg.Log = sampler
	sim, err := simulate.Prepare(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := sim.Run(context.Background())
	redo := sampler.finish(rep)
	var out strings.Builder
	if rep != nil {
		rep.Print(&out)
	}
	if err != nil {
		b.Fatalf("%v\n%s", err, out.String())
	}
	fmt.Print(out.String())
	return sim, rep, redo
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

// and merges two sorted latency lists.
func (l lat) and(m lat) lat {
	out := append(slices.Clone(l), m...)
	slices.Sort(out)
	return out
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

// perSec is the writes of one phase per second of it.
func perSec(l lat, r *simulate.Report, phase string) float64 {
	p := r.Phase(phase)
	if p == nil || p.Elapsed <= 0 {
		return 0
	}
	return float64(len(l)) / p.Elapsed.Seconds()
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
