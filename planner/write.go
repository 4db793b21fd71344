package planner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/pmezard/go-difflib/difflib"
)

// Write makes the plans directory match the output.
func (o *Output) Write() error {
	for _, path := range o.paths() {
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
	paths := append(o.paths(), o.Stale...)
	for _, path := range paths {
		old, err := os.ReadFile(filepath.Join(o.Dir, path))
		if err != nil && !os.IsNotExist(err) {
			return "", err
		}
		want := o.Files[path]
		if bytes.Equal(old, want) && (want != nil || old == nil) {
			continue
		}
		d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A:        difflib.SplitLines(string(old)),
			B:        difflib.SplitLines(string(want)),
			FromFile: "plans/" + path + " (committed)",
			ToFile:   "plans/" + path + " (emcee plan)",
			Context:  2,
		})
		if err != nil {
			return "", err
		}
		if d == "" {
			d = fmt.Sprintf("--- plans/%s differs\n", path)
		}
		b.WriteString(d)
	}
	return b.String(), nil
}

func (o *Output) paths() []string {
	out := make([]string, 0, len(o.Files))
	for k := range o.Files {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
