package simulate_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emcee-db/emcee/simulate"
)

// BenchmarkRollback measures what the previous release's writers see while
// `emcee db rollback` runs (issue 12): the Glance example, seeded, expanded
// and migrated with both releases writing; then the new release's workers
// stop and the rollback runs while the old release's keep writing. Their
// write p99 during the rollback is set against the same workers with no
// DDL (baseline phase), within the same run, and against the same workers
// alone again right after (rolled-back phase). Every run must also keep
// the scenario's invariant: no failed old-release statement, no lost or
// changed row.
//
//	EMCEE_BENCH=1 EMCEE_TEST_DSN='root@tcp(127.0.0.1:3306)/' \
//	  go test ./simulate -run '^$' -bench Rollback -benchtime 1x -count 3 -timeout 60m
//
// EMCEE_BENCH_ROWS (default 1000000) and EMCEE_BENCH_THROTTLE (default
// 5ms) change the setup.
func BenchmarkRollback(b *testing.B) {
	if os.Getenv("EMCEE_BENCH") == "" {
		b.Skip("set EMCEE_BENCH=1 (and EMCEE_TEST_DSN) to run the rollback benchmark; it takes minutes")
	}
	rows := envInt(b, "EMCEE_BENCH_ROWS", 1_000_000)
	throttle := envDur(b, "EMCEE_BENCH_THROTTLE", 5*time.Millisecond)
	for range b.N {
		sim, rep, _ := benchRun(b, simulate.Config{
			New: simulate.ExampleRelease, Rows: rows, OldWorkers: 4, NewWorkers: 4,
			Throttle: throttle, Baseline: 10 * time.Second, Settle: 10 * time.Second,
			Verify: true, Rollback: true, Seed: 7,
		})
		sim.Close()
		base := writes(rep, "baseline", simulate.Old)
		during := writes(rep, "rollback", simulate.Old)
		after := writes(rep, "rolled-back", simulate.Old)
		var out strings.Builder
		fmt.Fprintf(&out, "\n%d rows, 4 old + 4 new workers (the new stop before the rollback), %s between statements\n", rows, throttle)
		fmt.Fprintf(&out, "old-release statements failed: %d; rows checked %d, lost %d, inconsistent %d; rows written during the window, read back: %d\n",
			rep.Failed(simulate.Old), rep.RowsChecked, rep.Lost, rep.Inconsistent, rep.WindowRows)
		fmt.Fprintf(&out, "| rollback took | old write p99 / max: baseline | during rollback (writes) | after | p99 during / baseline |\n|---|---|---|---|---|\n")
		fmt.Fprintf(&out, "| %s | %s / %s | %s / %s (%d) | %s / %s | %.2f |\n", rep.Phase("rollback").Elapsed.Round(time.Millisecond),
			base.p(0.99), base.max(), during.p(0.99), during.max(), len(during), after.p(0.99), after.max(), ratio(during.p(0.99), base.p(0.99)))
		fmt.Print(out.String())
		b.ReportMetric(ratio(during.p(0.99), base.p(0.99)), "rollback-p99-x")
		if rep.Failed(simulate.Old) != 0 || rep.Lost+rep.Inconsistent != 0 {
			b.Errorf("the rollback broke the invariant under load")
		}
	}
}
