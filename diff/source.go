package diff

import (
	"crypto/sha256"
	"encoding/binary"
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
	f, _ := memo.get(key, func() func() (*Release, error) {
		return sync.OnceValues(func() (*Release, error) { return load(key, src, t) })
	})
	memo.Unlock()
	return f()
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
	memo.forget()
	pieceMemo.forget()
	packs.forget()
}

// memoSize bounds the releases kept in memory: a few runs' worth of
// releases and snapshots, so a long-lived process (tests, benchmarks) does
// not keep every realm it ever evaluated.
const memoSize = 64

var (
	memo = &fifoMap[func() (*Release, error)]{max: memoSize}
	// evalSlots bounds the evaluations running at a time: they are pure
	// CPU.
	evalSlots = make(chan struct{}, runtime.GOMAXPROCS(0))
)

// fifoMap is a map of at most max keys (0: any number), the oldest
// dropped first.
type fifoMap[V any] struct {
	sync.Mutex
	entries map[[32]byte]V
	order   [][32]byte
	max     int
}

// get is the key's value, made by add when the map has none (true then);
// m is locked.
func (m *fifoMap[V]) get(key [32]byte, add func() V) (V, bool) {
	if v, ok := m.entries[key]; ok {
		return v, false
	}
	if m.entries == nil {
		m.entries = map[[32]byte]V{}
	}
	v := add()
	m.entries[key] = v
	if m.max > 0 {
		m.order = append(m.order, key)
		if len(m.order) > m.max {
			delete(m.entries, m.order[0])
			m.order = m.order[1:]
		}
	}
	return v, true
}

func (m *fifoMap[V]) forget() {
	m.Lock()
	defer m.Unlock()
	m.entries, m.order = nil, nil
}

// sourceKey identifies what a source evaluates to: its content, how it is
// named (positions in declarations carry the name) and the target flavor
// (Atlas evaluates MariaDB and MySQL types differently).
func sourceKey(src Source, t project.Target) [32]byte {
	return hashOf([]byte(t.String()), []byte(src.Release), []byte(src.File), src.Src)
}

// hashOf is the SHA-256 of parts, each after its length, so that no two
// lists of parts hash alike.
func hashOf(parts ...[]byte) [32]byte {
	h := sha256.New()
	var n [8]byte
	for _, s := range parts {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write(s)
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}
