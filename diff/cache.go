package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// The evaluation cache keeps evaluated releases between runs, outside the
// plans directory: under os.UserCacheDir()/emcee, or $EMCEE_CACHE_DIR
// ("off" turns it off). A file's entry is named by what determines the
// evaluation: the source (content, release name, file name), the target
// flavor, and the emcee executable itself, so a new build never reads an
// older build's entries. It lists where each of the file's blocks is kept:
// a pack, the pieces of the blocks Atlas evaluated together (evalGroup),
// encoded once and named by the hash of its content; a table evaluated as
// an edit of one kept in a pack (edits.go) is kept as the columns it adds
// and where. Consecutive releases share most blocks, so their entries
// share packs, and a run decodes each pack once. Files are written to a temporary file and renamed into place,
// so a concurrent run reads a whole file or none; an entry carries a
// checksum of its data and a pack is checked against its name, so a
// damaged one is evaluated again and rewritten instead of being believed.
// Nothing in it is needed: removing the directory only costs time.
const (
	cacheEnv    = "EMCEE_CACHE_DIR"
	cacheMagic  = "emcee evaluation cache 2\n"
	cacheMaxAge = 30 * 24 * time.Hour
	packPrefix  = "pack-"
	// slotSize is an entry's record of one block: its pack and its place.
	slotSize = sha256.Size + 4
)

// cached evaluates a source, or reads what an earlier run evaluated.
func cached(key [32]byte, src Source, t project.Target) (*Release, error) {
	dir, build := cacheDir()
	path := ""
	if dir != "" {
		path = entryPath(dir, build, key)
		if r := readEntry(path, src, t); r != nil {
			return r, compareWhole(src, t, r, nil)
		}
	}
	r, ps, err := evalChunks(src, t)
	if err := compareWhole(src, t, r, err); err != nil {
		return nil, err
	}
	if err != nil {
		evalSlots <- struct{}{}
		defer func() { <-evalSlots }()
		return ParseRelease(src.Release, src.File, src.Src, t)
	}
	if path != "" && !slices.ContainsFunc(ps, func(p *piece) bool { return p.pack == [32]byte{} }) {
		payload := make([]byte, 0, len(ps)*slotSize)
		for _, p := range ps {
			payload = binary.BigEndian.AppendUint32(append(payload, p.pack[:]...), uint32(p.slot))
		}
		pending.Go(func() {
			sum := sha256.Sum256(payload)
			writeFile(dir, path, []byte(cacheMagic), sum[:], payload)
		})
	}
	return r, nil
}

// writePack keeps pieces just evaluated in a pack, when the cache is on and
// its codec carries what the pack holds of them (packed, by piece): the
// piece, or for an edit of a version kept in a pack, only what the edit
// adds to it (evalEdits).
func writePack(ps, packed []*piece) {
	dir, _ := cacheDir()
	if dir == "" {
		return
	}
	data, err := encodePieces(packed)
	if err != nil {
		return
	}
	sum := sha256.Sum256(data)
	if !writeFile(dir, filepath.Join(dir, packPrefix+hex.EncodeToString(sum[:])), data) {
		return
	}
	for i, p := range ps {
		p.pack, p.slot = sum, i
	}
}

// packs are the packs read in this process, each decoded once.
var packs = &fifoMap[func() []*piece]{}

// readPack is a pack's pieces; nil when it is missing or damaged.
func readPack(dir string, sum [32]byte) []*piece {
	packs.Lock()
	read, _ := packs.get(sum, func() func() []*piece { return sync.OnceValue(func() []*piece { return decodePack(dir, sum) }) })
	packs.Unlock()
	ps := read()
	if ps == nil {
		packs.Lock()
		delete(packs.entries, sum) // written again, perhaps, by the evaluation that follows
		packs.Unlock()
	}
	return ps
}

// decodePack reads a pack from the cache directory; nil when it is missing
// or damaged.
func decodePack(dir string, sum [32]byte) []*piece {
	path := filepath.Join(dir, packPrefix+hex.EncodeToString(sum[:]))
	data, err := os.ReadFile(path)
	if err != nil || sha256.Sum256(data) != sum {
		return nil
	}
	ps, err := decodePieces(data)
	if err != nil {
		return nil
	}
	for i, p := range ps {
		if p.Edit != nil && !p.unpack(dir) {
			return nil
		}
		p.pack, p.slot = sum, i
	}
	touch(path)
	return ps
}

// unpack puts together a table a pack keeps as an edit: the version it
// edits, read from its own pack, with the new columns in place of
// [From, To) and its keys linked to them, as evalEdits built it.
func (p *piece) unpack(dir string) bool {
	e := p.Edit
	bases := readPack(dir, e.Pack)
	if e.Slot < 0 || e.Slot >= len(bases) || p.Table == nil {
		return false
	}
	base := bases[e.Slot].Table
	if bases[e.Slot].Kind != "table" || base == nil || e.From < 0 || e.From > e.To || e.To > len(base.Columns) {
		return false
	}
	ct := &cachedTable{Name: base.Name, Attrs: base.Attrs, Columns: slices.Concat(base.Columns[:e.From], p.Table.Columns, base.Columns[e.To:])}
	if !relink(ct, base) {
		return false
	}
	p.Kind, p.Name, p.InSchema, p.Table, p.Edit = bases[e.Slot].Kind, bases[e.Slot].Name, bases[e.Slot].InSchema, ct, nil
	return true
}

// entryPath is where a source's entry is, for a build.
func entryPath(dir string, build, key [32]byte) string {
	name := hashOf(build[:], key[:])
	return filepath.Join(dir, hex.EncodeToString(name[:]))
}

// pending are the cache entries being written.
var pending sync.WaitGroup

// Flush waits for the evaluation cache's entries being written: a command
// calls it before it exits, or the next run evaluates again what this one
// did.
func Flush() { pending.Wait() }

// verifyEval is EMCEE_VERIFY_EVAL=1, the default in tests (=0 turns it
// off): every file is also evaluated whole, and any difference is an
// error, so the whole test suite proves the block-by-block evaluation.
func verifyEval() bool {
	v := os.Getenv("EMCEE_VERIFY_EVAL")
	return v == "1" || (testing.Testing() && v != "0")
}

// compareWhole is what EMCEE_VERIFY_EVAL finds evaluating the whole file
// beside r (or err) evaluated block by block.
func compareWhole(src Source, t project.Target, r *Release, err error) error {
	if !verifyEval() {
		return nil
	}
	whole, werr := ParseRelease(src.Release, src.File, src.Src, t)
	switch {
	case err != nil && !errors.Is(err, errChunks):
		return fmt.Errorf("EMCEE_VERIFY_EVAL: %s: block by block: %w", src.File, err)
	case err == nil && werr != nil:
		return fmt.Errorf("EMCEE_VERIFY_EVAL: %s evaluates block by block, but not whole: %w", src.File, werr)
	case err == nil && !sameRelease(r, whole):
		return fmt.Errorf("EMCEE_VERIFY_EVAL: %s evaluates differently block by block", src.File)
	}
	return nil
}

// sameRelease is deep equality of two evaluations of one file. The parsed
// expressions' positions are kept in maps keyed by the expressions
// themselves, so they are compared in the order declared, by what they
// hold.
func sameRelease(a, b *Release) bool {
	da, db := *a.Declarations, *b.Declarations
	ea, eb := da.exprs, db.exprs
	da.exprs, db.exprs = nil, nil
	da.positions, db.positions, da.placed, db.placed = da.positionMap(), db.positionMap(), nil, nil
	ca, cb := *a, *b
	ca.Declarations, cb.Declarations = &da, &db
	ca.blocks, cb.blocks = nil, nil // only a release assembled block by block knows them
	return reflect.DeepEqual(&ca, &cb) && reflect.DeepEqual(ea.ordered(), eb.ordered()) &&
		(ea == nil) == (eb == nil) && (ea == nil || bytes.Equal(ea.src, eb.src))
}

// readEntry reads where a file's pieces are kept, reads them and assembles
// them; nil when there is no usable entry.
func readEntry(path string, src Source, t project.Target) *Release {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	rest, ok := bytes.CutPrefix(data, []byte(cacheMagic))
	if !ok || len(rest) < sha256.Size {
		return nil
	}
	sum, payload := rest[:sha256.Size], rest[sha256.Size:]
	if got := sha256.Sum256(payload); !bytes.Equal(sum, got[:]) {
		return nil
	}
	chunks := schemadef.Chunks(src.Src)
	if len(payload) != len(chunks)*slotSize {
		return nil
	}
	ps := make([]*piece, len(chunks))
	for i := range ps {
		rec := payload[i*slotSize : (i+1)*slotSize]
		pack := readPack(filepath.Dir(path), [32]byte(rec[:sha256.Size]))
		slot := binary.BigEndian.Uint32(rec[sha256.Size:])
		if uint64(slot) >= uint64(len(pack)) {
			return nil
		}
		ps[i] = pack[slot]
	}
	_, keys, ok := pieceKeys(chunks, t)
	if !ok {
		return nil
	}
	r, err := assemble(src, t, ps, chunks, keys)
	if err != nil {
		return nil
	}
	// Later files in this run share most of these blocks.
	for i := range chunks {
		pieceMemo.put(keys[i], ps[i])
	}
	touch(path)
	return r
}

// touch marks a file in use: pruneCache removes the ones not used for a
// month.
func touch(path string) {
	if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
		now := time.Now()
		_ = os.Chtimes(path, now, now)
	}
}

// writeFile writes a cache file atomically; false when it could not.
func writeFile(dir, path string, parts ...[]byte) bool {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return false
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return false
	}
	for _, p := range parts {
		if err == nil {
			_, err = f.Write(p)
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return false
	}
	pruneCache(dir)
	return true
}

// pruneCache removes, at most once a day, the entries no run has used for
// a month, and temporary files a killed run left behind.
func pruneCache(dir string) {
	marker := filepath.Join(dir, ".pruned")
	if fi, err := os.Stat(marker); err == nil && time.Since(fi.ModTime()) < 24*time.Hour {
		return
	}
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || e.Name() == ".pruned" {
			continue
		}
		age := time.Since(fi.ModTime())
		if age > cacheMaxAge || (e.Name()[0] == '.' && age > time.Hour) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// cacheDir is where entries live ("" when the cache is off) and the
// identity of the running build. Test binaries use no cache unless told
// where: a test must not depend on what an earlier run left.
func cacheDir() (string, [32]byte) {
	dir := os.Getenv(cacheEnv)
	switch {
	case dir == "off" || (dir == "" && testing.Testing()):
		return "", [32]byte{}
	case dir == "":
		base, err := os.UserCacheDir()
		if err != nil {
			return "", [32]byte{}
		}
		dir = filepath.Join(base, "emcee")
	}
	build, err := buildIdentity()
	if err != nil {
		return "", [32]byte{}
	}
	return dir, build
}

var buildIdentity = sync.OnceValues(buildID)

// buildID hashes the running executable: everything that decides how a
// source evaluates (emcee, Atlas, HCL) is compiled into it.
func buildID() ([32]byte, error) {
	exe, err := os.Executable()
	if err != nil {
		return [32]byte{}, err
	}
	f, err := os.Open(exe)
	if err != nil {
		return [32]byte{}, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return [32]byte{}, err
	}
	var id [32]byte
	h.Sum(id[:0])
	return id, nil
}
