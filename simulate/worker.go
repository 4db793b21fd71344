package simulate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The operation mix of every worker, in percent: mostly updates and
// inserts (the writes an upgrade can break), some reads, a few deletes
// (enough to prove a delete by one release is a delete for the other).
const (
	pctInsert = 30
	pctUpdate = 35
	pctDelete = 5
)

// workload is the set of workers of both kinds and what they share.
type workload struct {
	db     *sql.DB
	tables []*table
	ledger map[string]*ledger
	phase  *atomic.Int32
	// pause is held for writing while the verifier reads a quiet database;
	// each statement runs under the read side.
	pause sync.RWMutex

	mu      sync.Mutex
	running map[Kind]*crew
	recs    []*recorder
	// throttle, when set, makes each worker wait that long between
	// statements, so the load is a steady application rather than a
	// saturating benchmark.
	throttle time.Duration
	// origin is when the run started: writes are also counted per second
	// since then, for the time series (Report.Series).
	origin time.Time
}

type crew struct {
	stop atomic.Bool
	wg   sync.WaitGroup
}

func (w *workload) start(k Kind, n int, seed uint64) {
	c := &crew{}
	w.mu.Lock()
	w.running[k] = c
	for i := range n {
		r := &recorder{m: map[statKey]*Stats{}, origin: w.origin, secs: map[secKey][]time.Duration{}}
		w.recs = append(w.recs, r)
		rnd := rand.New(rand.NewPCG(seed, uint64(k)<<32|uint64(i)))
		c.wg.Go(func() {
			for !c.stop.Load() {
				w.pause.RLock()
				w.step(k, rnd, r)
				w.pause.RUnlock()
				if w.throttle > 0 {
					time.Sleep(w.throttle)
				}
			}
		})
	}
	w.mu.Unlock()
}

// stop ends the workers of a kind and waits for their last statement.
func (w *workload) stop(k Kind) {
	w.mu.Lock()
	c := w.running[k]
	delete(w.running, k)
	w.mu.Unlock()
	if c != nil {
		c.stop.Store(true)
		c.wg.Wait()
	}
}

// quiet runs f while no worker has a statement in flight.
func (w *workload) quiet(f func() error) error {
	w.pause.Lock()
	defer w.pause.Unlock()
	return f()
}

func (w *workload) step(k Kind, r *rand.Rand, rec *recorder) {
	t := w.tables[r.IntN(len(w.tables))]
	l := w.ledger[t.name]
	cols := t.columns(k)
	ctx := context.Background()
	x := r.IntN(100)
	if l.maxKey.Load() == 0 {
		x = 0 // an empty table: nothing to update, delete or read yet
	}
	// The row numbers the key holds are the simulator's, not the
	// release's, to run out of (a TINYINT key of 127 rows, seeded 120,
	// failed every insert after the seventh with the server's 1264,
	// counted as failed statements of both releases in every phase, and
	// the rehearsal blamed the upgrade; its deletes then emptied the
	// table, and the verifier checked no row): past them, an insert takes
	// the number of a row deleted, and is an update where it finds none
	// (a key the server assigns, whose numbers it never gives again).
	var key int64 // the row's number (key.go)
	reuse := false
	if x < pctInsert {
		key = l.nextKey.Add(1) // for a key the server assigns, a reservation
		if key > t.key.cols[t.key.lead].holds && l.maxKey.Load() > 0 {
			if t.key.auto {
				x = pctInsert
			} else {
				key, reuse = 1+r.Int64N(l.maxKey.Load()), true
			}
		}
	}
	if len(cols) == 0 && x >= pctInsert && x < pctInsert+pctUpdate {
		// A row that is its key alone (a join table's, in a release that
		// writes no other column) has nothing to update: it is read.
		x = pctInsert + pctUpdate + pctDelete
	}
	switch {
	case x < pctInsert:
		if reuse {
			s := l.stripe(key)
			s.Lock()
			defer s.Unlock()
			if st := s.rows[key]; st == nil || !st.deleted {
				return // a row holds the number: pick again next time
			}
		}
		q, args, vals := t.newRow(k, key, r)
		phase := int(w.phase.Load())
		start := time.Now()
		res, err := w.db.ExecContext(ctx, q, args...)
		rec.add(phase, k, Write, time.Since(start), err)
		if err != nil {
			return
		}
		if t.key.auto {
			if key, err = res.LastInsertId(); err != nil {
				return
			}
		}
		s := l.stripe(key)
		if !reuse {
			s.Lock()
			defer s.Unlock()
		}
		s.record(l, key, k, vals, false)
	case x < pctInsert+pctUpdate+pctDelete:
		key = 1 + r.Int64N(l.maxKey.Load())
		s := l.stripe(key)
		s.Lock()
		defer s.Unlock()
		if !s.known(l, key) {
			return // deleted, or its insert is not recorded yet: pick again next time
		}
		phase := int(w.phase.Load())
		if x >= pctInsert+pctUpdate {
			start := time.Now()
			_, err := w.db.ExecContext(ctx, fmt.Sprintf("DELETE FROM %s WHERE %s", sqlsyntax.Ident(t.name), t.key.where()), t.key.args(key)...)
			rec.add(phase, k, Write, time.Since(start), err)
			if err == nil {
				s.record(l, key, k, nil, true)
			}
			return
		}
		sets, args, vals := t.values(k, r)
		for i, c := range sets {
			sets[i] = sqlsyntax.Ident(c) + " = ?"
		}
		args = append(args, t.key.args(key)...)
		start := time.Now()
		_, err := w.db.ExecContext(ctx, fmt.Sprintf("UPDATE %s SET %s WHERE %s", sqlsyntax.Ident(t.name), strings.Join(sets, ", "), t.key.where()), args...)
		rec.add(phase, k, Write, time.Since(start), err)
		if err == nil {
			s.record(l, key, k, vals, false)
		}
	default:
		key := 1 + r.Int64N(l.maxKey.Load())
		sel := append(t.key.names(), names(cols)...)
		phase := int(w.phase.Load())
		start := time.Now()
		err := dbconn.EachRow(ctx, w.db, fmt.Sprintf("SELECT %s FROM %s WHERE %s", quoteAll(sel), sqlsyntax.Ident(t.name), t.key.where()), t.key.args(key), func(*sql.Rows) error { return nil })
		rec.add(phase, k, Read, time.Since(start), err)
	}
}
