package simulate

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// InsertRate measures how many rows per second n concurrent workers of one
// release insert into the simulated tables for d, with nothing else
// running. The benchmarks compare it with and without the sync triggers.
// The rows are not recorded in any ledger: measure after a run, not during.
func (s *Sim) InsertRate(ctx context.Context, k Kind, n int, d time.Duration) (float64, error) {
	var count, keys atomic.Int64
	var firstErr error
	var once sync.Once
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(s.cfg.Seed+7, uint64(i)))
			for time.Now().Before(deadline) {
				t := s.tables[r.IntN(len(s.tables))]
				// keys far above anything the run allocated
				q, args, _ := t.newRow(k, int64(1)<<40+keys.Add(1), r)
				if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
				count.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(count.Load()) / d.Seconds(), nil
}
