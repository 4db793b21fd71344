package diff

import (
	"crypto/sha256"
	"runtime"
	"sync"

	"github.com/emcee-db/emcee/project"
)

// Source is one release's declared schema as the release pipeline reads it:
// a schema file, or the copy of one that a snapshot keeps.
type Source struct {
	Release string
	// File names the source in positions, which `emcee plan` writes into
	// scripts ("declared at schema/train.hcl:26:5"): relative to the
	// project directory, never to the working directory, so the scripts do
	// not depend on where emcee runs.
	File string
	Src  []byte
}

// Load evaluates a source. Evaluating a large release is a fraction of a
// second of Atlas's HCL evaluation, and one run of emcee needs the same
// source several times (a release is the end of one transition and the
// start of the next; lint and `plan --check` recompute what plan computed),
// so each source is evaluated once per process, at most GOMAXPROCS at a
// time, and kept in the evaluation cache between runs (cache.go). The
// release returned is shared: callers must not change it.
func Load(src Source, t project.Target) (*Release, error) {
	key := sourceKey(src, t)
	memo.Lock()
	e, ok := memo.entries[key]
	if !ok {
		e = &memoEntry{}
		memo.entries[key] = e
		memo.order = append(memo.order, key)
		if len(memo.order) > memoSize {
			delete(memo.entries, memo.order[0])
			memo.order = memo.order[1:]
		}
	}
	memo.Unlock()
	e.once.Do(func() { e.r, e.err = load(key, src, t) })
	return e.r, e.err
}

// load evaluates a source; one written from SQL (sqlsource.go) gets its
// declarations and the SQL positions of its tables and columns.
func load(key [32]byte, src Source, t project.Target) (*Release, error) {
	s, err := readSQLSource(src)
	if err != nil {
		return nil, err
	}
	r, err := cached(key, src, t)
	switch {
	case s == nil:
		return r, err
	case err != nil:
		return nil, s.remap(err)
	}
	return s.overlay(r, t)
}

// Forget drops the releases this process has evaluated, so that the next
// Load evaluates again or reads the evaluation cache, as a new run would:
// for benchmarks of a fresh run.
func Forget() {
	memo.Lock()
	defer memo.Unlock()
	memo.entries, memo.order = map[[32]byte]*memoEntry{}, nil
	pieceMemo.forget()
	forgetPacks()
}

type memoEntry struct {
	once sync.Once
	r    *Release
	err  error
}

// memoSize bounds the releases kept in memory: a few runs' worth of
// releases and snapshots, so a long-lived process (tests, benchmarks) does
// not keep every realm it ever evaluated.
const memoSize = 64

var (
	memo = struct {
		sync.Mutex
		entries map[[32]byte]*memoEntry
		order   [][32]byte
	}{entries: map[[32]byte]*memoEntry{}}
	// evalSlots bounds the evaluations running at a time: they are pure
	// CPU.
	evalSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
)

// sourceKey identifies what a source evaluates to: its content, how it is
// named (positions in declarations carry the name) and the target flavor
// (Atlas evaluates MariaDB and MySQL types differently).
func sourceKey(src Source, t project.Target) [32]byte {
	h := sha256.New()
	for _, s := range []string{t.String(), src.Release, src.File} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	h.Write(src.Src)
	var k [32]byte
	h.Sum(k[:0])
	return k
}
