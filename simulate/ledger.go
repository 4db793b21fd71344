package simulate

import (
	"sync"
	"sync/atomic"
)

// The ledger is the client side's memory of every write: which release
// wrote a row last and with what values, or that it deleted it. The
// verifier compares the database with it, so "nothing written by either
// side is lost" is checked against what the workers were told succeeded,
// not against what the database happens to hold.
//
// A worker holds the stripe of a row's key while its statement runs and
// while it records the outcome, so two workers never touch the same row at
// once and the ledger's order is the commit order.
type ledger struct {
	stripes [1024]stripe
	seq     atomic.Uint64
	// maxKey is the highest key recorded; workers pick rows up to it.
	maxKey atomic.Int64
	// nextKey allocates keys for tables whose key the server does not assign.
	nextKey atomic.Int64
	seeded  int64 // keys 1..seeded were inserted by the seed, in the old shape
}

type stripe struct {
	sync.Mutex
	rows map[int64]*rowState
}

type rowState struct {
	kind    Kind
	seq     uint64
	deleted bool
	// vals are the columns the last writer set (every column its release
	// writes), as the server returns them.
	vals map[string]string
}

func newLedger(seeded int64) *ledger {
	l := &ledger{seeded: seeded}
	for i := range l.stripes {
		l.stripes[i].rows = map[int64]*rowState{}
	}
	l.maxKey.Store(seeded)
	l.nextKey.Store(seeded)
	return l
}

func (l *ledger) stripe(key int64) *stripe { return &l.stripes[uint64(key)%uint64(len(l.stripes))] }

// known tells whether a row may be picked for an update or delete: a seed
// row or one whose insert is recorded, and not deleted. Call with the
// stripe held.
func (s *stripe) known(l *ledger, key int64) bool {
	st, ok := s.rows[key]
	if !ok {
		return key <= l.seeded
	}
	return !st.deleted
}

// record notes a successful write; call with the stripe held.
func (s *stripe) record(l *ledger, key int64, k Kind, vals map[string]string, deleted bool) {
	s.rows[key] = &rowState{kind: k, seq: l.seq.Add(1), deleted: deleted, vals: vals}
	for {
		m := l.maxKey.Load()
		if key <= m || l.maxKey.CompareAndSwap(m, key) {
			return
		}
	}
}

// state returns the recorded state of a row, nil for an untouched seed row
// (or a key nobody wrote). Only for use while no worker runs.
func (l *ledger) state(key int64) *rowState { return l.stripe(key).rows[key] }

// each calls f for every recorded row; only while no worker runs.
func (l *ledger) each(f func(key int64, st *rowState)) {
	for i := range l.stripes {
		for k, st := range l.stripes[i].rows {
			f(k, st)
		}
	}
}
