package diff

import (
	"bytes"
	"crypto/sha256"
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
)

// The evaluation cache keeps evaluated releases between runs, outside the
// plans directory: under os.UserCacheDir()/emcee, or $EMCEE_CACHE_DIR
// ("off" turns it off). An entry is named by what determines the
// evaluation: the source (content, release name, file name), the target
// flavor, and the emcee executable itself, so a new build never reads an
// older build's entries. Entries are written to a temporary file and
// renamed into place, so a concurrent run reads a whole entry or none; each
// carries a checksum of its data, so a damaged entry is evaluated again and
// rewritten instead of being believed. Nothing in it is needed: removing
// the directory only costs time.
const (
	cacheEnv    = "EMCEE_CACHE_DIR"
	cacheMagic  = "emcee evaluation cache 1\n"
	cacheMaxAge = 30 * 24 * time.Hour
)

// cached evaluates a source, or reads what an earlier run evaluated.
func cached(key [32]byte, src Source, t project.Target) (*Release, error) {
	dir, build := cacheDir()
	path := ""
	if dir != "" {
		h := sha256.New()
		h.Write(build[:])
		h.Write(key[:])
		path = filepath.Join(dir, hex.EncodeToString(h.Sum(nil)))
		if r := readEntry(path, src, t); r != nil {
			if verifyEval() {
				if err := compareWhole(src, t, r, nil); err != nil {
					return nil, err
				}
			}
			return r, nil
		}
	}
	r, ps, err := evalChunks(src, t)
	if verifyEval() {
		if err := compareWhole(src, t, r, err); err != nil {
			return nil, err
		}
	}
	if err != nil {
		evalSlots <- struct{}{}
		defer func() { <-evalSlots }()
		return ParseRelease(src.Release, src.File, src.Src, t)
	}
	if path != "" && !slices.ContainsFunc(ps, func(p *piece) bool { return p.unverified }) {
		pending.Add(1)
		go func() {
			defer pending.Done()
			if data, err := encodePieces(ps); err == nil {
				writeEntry(dir, path, data)
			}
		}()
	}
	return r, nil
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

func compareWhole(src Source, t project.Target, r *Release, err error) error {
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
// themselves, so they are compared in file order, by what they hold.
func sameRelease(a, b *Release) bool {
	da, db := *a.Declarations, *b.Declarations
	ea, eb := da.exprs, db.exprs
	da.exprs, db.exprs = nil, nil
	ca, cb := *a, *b
	ca.Declarations, cb.Declarations = &da, &db
	ca.blocks, cb.blocks = nil, nil // only a release assembled block by block knows them
	return reflect.DeepEqual(&ca, &cb) && reflect.DeepEqual(ea.inOrder(), eb.inOrder()) &&
		(ea == nil) == (eb == nil) && (ea == nil || bytes.Equal(ea.src, eb.src))
}

// readEntry reads a file's pieces from the cache and assembles them; nil
// when there is no usable entry.
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
	ps, err := decodePieces(payload)
	if err != nil {
		return nil
	}
	chunks := splitChunks(src.Src)
	if len(chunks) != len(ps) {
		return nil
	}
	var schemaChunk []byte
	for _, c := range chunks {
		if isSchemaChunk(c.data) {
			schemaChunk = c.data
		}
	}
	keys := make([][32]byte, len(chunks))
	for i, c := range chunks {
		keys[i] = pieceKey(t, schemaChunk, c.data)
	}
	r, err := assemble(src, t, ps, chunks, keys)
	if err != nil {
		return nil
	}
	// Later files in this run share most of these blocks.
	for i := range chunks {
		pieceMemo.put(keys[i], ps[i])
	}
	// Entries in use stay; pruneCache removes the ones not used for a month.
	if fi, err := os.Stat(path); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
		now := time.Now()
		_ = os.Chtimes(path, now, now)
	}
	return r
}

func writeEntry(dir, path string, payload []byte) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return
	}
	sum := sha256.Sum256(payload)
	_, err = io.Copy(f, io.MultiReader(bytes.NewReader([]byte(cacheMagic)), bytes.NewReader(sum[:]), bytes.NewReader(payload)))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return
	}
	pruneCache(dir)
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
	if id == ([32]byte{}) {
		return id, errors.New("no build identity")
	}
	return id, nil
}
