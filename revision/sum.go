package revision

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/migrate"
)

// SumFile is the name of the integrity file inside the plans directory. Its
// format is Atlas's atlas.sum: a total hash, then one chained h1: hash per
// file, so editing, removing or reordering any script is detected.
const SumFile = "emcee.sum"

// ErrNoSum is a sum file missing or unreadable while plan files exist.
// Nothing then tells an edited revision from a generated one, so the way
// out is the committed sum, or `emcee plan`, which writes a new one only
// when every revision is exactly what it writes from its snapshots.
var ErrNoSum = errors.New("restore it from version control, or run `emcee plan`: it writes a new sum only if every revision is exactly what the planner writes from its snapshots, and otherwise names the revisions that are not")

// hashFile is migrate.NewHashFile's chain: one SHA-256 over every file's
// name and content in order, its state after each file being the file's
// hash. NewHashFile copies each whole file into a string to look for an
// "atlas:sum ignore" directive, which its pattern finds on the first line
// only: the plans of a large project are tens of megabytes, so NewHashFile
// is asked about each first line, and the chain hashes the bytes as they
// are. TestHashFileIsAtlasHashFile holds the two equal.
func hashFile(paths []string, content map[string][]byte) (migrate.HashFile, error) {
	var hs migrate.HashFile
	h := sha256.New()
	for _, p := range paths {
		data := content[p]
		h.Write([]byte(p))
		first, _, _ := bytes.Cut(data, []byte("\n"))
		if ignored, err := migrate.NewHashFile([]migrate.File{migrate.NewLocalFile(p, first)}); err != nil {
			return nil, err
		} else if len(ignored) == 0 {
			continue
		}
		h.Write(data)
		hs = append(hs, struct{ N, H string }{p, base64.StdEncoding.EncodeToString(h.Sum(nil))})
	}
	return hs, nil
}

// Sum computes the sum file for the given plan files (path relative to the
// plans directory -> content), in the order given.
func Sum(paths []string, content map[string][]byte) ([]byte, error) {
	hf, err := hashFile(paths, content)
	if err != nil {
		return nil, err
	}
	return hf.MarshalText()
}

// Verify checks plan files against the sum file and names the first file
// that does not match, so an operator knows which script was edited.
func Verify(paths []string, content map[string][]byte, sum []byte) error {
	var want migrate.HashFile
	if err := want.UnmarshalText(sum); err != nil {
		return fmt.Errorf("plans/%s is damaged (%v): %w", SumFile, err, ErrNoSum)
	}
	got, err := hashFile(paths, content)
	if err != nil {
		return err
	}
	for i := 0; i < len(want) || i < len(got); i++ {
		switch {
		case i >= len(got):
			return fmt.Errorf("plans/%s is listed in plans/%s but missing: restore it from version control", want[i].N, SumFile)
		case i >= len(want):
			return fmt.Errorf("plans/%s is not in plans/%s: it was added by hand; remove it or regenerate with `emcee plan`", got[i].N, SumFile)
		case want[i].N != got[i].N:
			return fmt.Errorf("plans/%s: expected plans/%s at this position of plans/%s; the plans directory does not match its sum file", got[i].N, want[i].N, SumFile)
		case want[i].H != got[i].H:
			return fmt.Errorf("plans/%s: checksum mismatch, the file was edited after `emcee plan` wrote it; restore it from version control (plans are generated, never edited)", got[i].N)
		}
	}
	return nil
}

// Checksum is a per-file h1: hash, recorded in the version table so that a
// revision applied from one script is never resumed from a different one.
func Checksum(path string, data []byte) (string, error) {
	hf, err := hashFile([]string{path}, map[string][]byte{path: data})
	if err != nil {
		return "", err
	}
	return "h1:" + hf[0].H, nil
}
