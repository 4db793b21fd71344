package planner

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/emcee-db/emcee/project"
)

// Write makes the plans directory match the output.
func (o *Output) Write() error {
	for _, path := range slices.Sorted(maps.Keys(o.Files)) {
		full := filepath.Join(o.Dir, path)
		if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, o.Files[path]) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, o.Files[path], 0o644); err != nil {
			return err
		}
	}
	for _, path := range o.Stale {
		if err := os.Remove(filepath.Join(o.Dir, path)); err != nil {
			return err
		}
	}
	return nil
}

// Diff returns a unified diff between the plans directory on disk and the
// output, empty when they match.
func (o *Output) Diff() (string, error) {
	var b bytes.Buffer
	for _, path := range append(slices.Sorted(maps.Keys(o.Files)), o.Stale...) {
		old, err := os.ReadFile(filepath.Join(o.Dir, path))
		if err != nil && !os.IsNotExist(err) {
			return "", err
		}
		want := o.Files[path]
		if bytes.Equal(old, want) && (want != nil || old == nil) {
			continue
		}
		d, err := unified(path, old, want)
		if err != nil {
			return "", err
		}
		b.WriteString(d)
	}
	return b.String(), nil
}

// Edited returns a unified diff of the revisions that differ from what the
// planner writes for them, empty when none does. The sum file only proves
// that a file is as it was last summed; a hand edit whose sum was
// recomputed is found here, for every planning step Expected can
// recompute.
func (o *Output) Edited(p *project.Project) (string, error) {
	var b bytes.Buffer
	wants, errs := expectedAll(p, o.Files)
	for i, rel := range p.Releases {
		if errs[i] != nil {
			return "", fmt.Errorf("recomputing the revisions of release %s: %w", rel, errs[i])
		}
		want := wants[i]
		for _, path := range slices.Sorted(maps.Keys(want)) {
			if got := o.Files[path]; got != nil && !bytes.Equal(got, want[path]) {
				d, err := unified(path, got, want[path])
				if err != nil {
					return "", err
				}
				b.WriteString(d)
			}
		}
	}
	return b.String(), nil
}

func unified(path string, committed, planned []byte) (string, error) {
	d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A:        difflib.SplitLines(string(committed)),
		B:        difflib.SplitLines(string(planned)),
		FromFile: "plans/" + path + " (committed)",
		ToFile:   "plans/" + path + " (emcee plan)",
		Context:  2,
	})
	if err == nil && d == "" {
		d = fmt.Sprintf("--- plans/%s differs\n", path)
	}
	return d, err
}
