package simulate_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emcee-db/emcee/simulate"
)

// redoSampler reads the server's redo and page-flushing counters every
// 100 ms while a benchmark run goes on, so that the result says where the
// checkpoint age sat while migrate ran: the writers' p99 follows it
// (BENCHMARKS.md, "Where the time goes"). It is also the run's log, to
// learn when migrate started.
type redoSampler struct {
	mu      sync.Mutex
	t0      time.Time
	samples []redoSample
	migrate time.Duration // since t0; 0 until migrate starts
	tee     io.Writer
	stop    func()
	done    chan struct{}
}

type redoSample struct {
	at                         time.Duration
	age, maxAge, flushed, redo int64
}

// redoStatus is what is read: the checkpoint age and its limit (MariaDB;
// a server without them reads 0 and the summary says so), the pages
// written from the buffer pool and the redo written.
const redoStatus = "SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_checkpoint_age', 'Innodb_checkpoint_max_age', 'Innodb_buffer_pool_pages_flushed', 'Innodb_os_log_written')"

func startRedoSampler(db *sql.DB, tee io.Writer) *redoSampler {
	ctx, cancel := context.WithCancel(context.Background())
	r := &redoSampler{t0: time.Now(), tee: tee, stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		for ctx.Err() == nil {
			if s, ok := readRedo(ctx, db); ok {
				s.at = time.Since(r.t0)
				r.mu.Lock()
				r.samples = append(r.samples, s)
				r.mu.Unlock()
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()
	return r
}

func readRedo(ctx context.Context, db *sql.DB) (redoSample, bool) {
	rows, err := db.QueryContext(ctx, redoStatus)
	if err != nil {
		return redoSample{}, false
	}
	defer rows.Close()
	var s redoSample
	for rows.Next() {
		var k, v string
		if rows.Scan(&k, &v) != nil {
			return redoSample{}, false
		}
		n, _ := strconv.ParseInt(v, 10, 64)
		switch strings.ToLower(k) {
		case "innodb_checkpoint_age":
			s.age = n
		case "innodb_checkpoint_max_age":
			s.maxAge = n
		case "innodb_buffer_pool_pages_flushed":
			s.flushed = n
		case "innodb_os_log_written":
			s.redo = n
		}
	}
	return s, rows.Err() == nil
}

func (r *redoSampler) Write(p []byte) (int, error) {
	r.mu.Lock()
	if r.migrate == 0 && strings.Contains(string(p), "== migrate:") {
		r.migrate = time.Since(r.t0)
	}
	r.mu.Unlock()
	if r.tee != nil {
		return r.tee.Write(p)
	}
	return len(p), nil
}

// redoUse is the redo log during migrate: the checkpoint age's median,
// 90th percentile and maximum as fractions of Innodb_checkpoint_max_age
// (the age at which InnoDB makes writes wait for a checkpoint), and the
// pages flushed and redo written per second.
type redoUse struct {
	ageP50, ageP90, ageMax float64
	flushedPerSec, redoMBs float64
	known                  bool
}

func (u redoUse) String() string {
	if !u.known {
		return "not known (the server has no Innodb_checkpoint_age)"
	}
	return fmt.Sprintf("%.0f%% / %.0f%% / %.0f%%; %.0f pages flushed/s; %.1f MB/s of redo", 100*u.ageP50, 100*u.ageP90, 100*u.ageMax, u.flushedPerSec, u.redoMBs)
}

// finish stops sampling and sums up the samples taken while migrate ran
// (nothing when the run failed before a report).
func (r *redoSampler) finish(rep *simulate.Report) redoUse {
	r.stop()
	<-r.done
	if rep == nil {
		return redoUse{}
	}
	mig := rep.Phase("migrate")
	if mig == nil || r.migrate == 0 {
		return redoUse{}
	}
	from, to := r.migrate, r.migrate+mig.Elapsed
	var in []redoSample
	for _, s := range r.samples {
		if s.at >= from && s.at <= to {
			in = append(in, s)
		}
	}
	if len(in) < 2 || in[0].maxAge == 0 {
		return redoUse{}
	}
	ages := make([]float64, len(in))
	for i, s := range in {
		ages[i] = float64(s.age) / float64(s.maxAge)
	}
	slices.Sort(ages)
	first, last := in[0], in[len(in)-1]
	secs := (last.at - first.at).Seconds()
	return redoUse{
		ageP50: ages[len(ages)/2], ageP90: ages[len(ages)*9/10], ageMax: ages[len(ages)-1],
		flushedPerSec: float64(last.flushed-first.flushed) / secs,
		redoMBs:       float64(last.redo-first.redo) / secs / 1e6,
		known:         true,
	}
}
