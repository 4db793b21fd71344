package planner

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
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

// Edits are the revisions that differ from what the planner writes for
// them from their snapshots, while the sum file vouches for them.
type Edits struct {
	Diff     string   // a unified diff, revision by revision; empty when none differs
	Releases []string // the releases holding them, in the project's order
}

// Edited recomputes every revision the planner can (Expected) and returns
// those that differ. The sum file only proves that a file is as it was
// last summed; a hand edit whose sum was recomputed is found here, for
// every planning step Expected can recompute.
func (o *Output) Edited(p *project.Project) (Edits, error) {
	var e Edits
	var b bytes.Buffer
	wants, errs := expectedAll(p, o.Files)
	for i, rel := range p.Releases {
		if errs[i] != nil {
			return Edits{}, fmt.Errorf("recomputing the revisions of release %s: %w", rel, errs[i])
		}
		want := wants[i]
		for _, path := range slices.Sorted(maps.Keys(want)) {
			if got := o.Files[path]; got != nil && !bytes.Equal(got, want[path]) {
				d, err := unified(path, got, want[path])
				if err != nil {
					return Edits{}, err
				}
				b.WriteString(d)
				if !slices.Contains(e.Releases, rel) {
					e.Releases = append(e.Releases, rel)
				}
			}
		}
	}
	e.Diff = b.String()
	return e, nil
}

// Refusal says what plan --check found and the ways out. The sum cannot
// tell a revision edited by hand, its sum recomputed, from one an emcee
// that writes it otherwise planned (an emcee upgrade that changed how such
// a revision is written): the plans record no emcee version. Restoring the
// file mends the first; the second is mended for a release no database
// has applied by planning it again, and a released one's revisions stay as
// the databases ran them.
func (e Edits) Refusal(p *project.Project) string {
	var open, released []string
	for _, rel := range e.Releases {
		if p.Released(rel) {
			released = append(released, rel)
		} else {
			open = append(open, rel)
		}
	}
	names := func(rels []string) string {
		return sqlsyntax.OneOrMany(len(rels), "release ", "releases ") + strings.Join(rels, ", ")
	}
	msg := fmt.Sprintf("plans/ holds revisions of %s that differ from what this emcee writes from the snapshots they were planned from, though plans/emcee.sum vouches for them: either they were edited by hand and their sum recomputed, or an emcee that writes them otherwise planned them (after an emcee upgrade). If they were edited, restore them from version control; to change a release, edit its schema file and run `emcee plan`",
		names(e.Releases))
	if len(open) > 0 {
		msg += fmt.Sprintf(". If another emcee planned them: %s %s not released; while no database has applied %s revisions, `emcee plan --rewrite %s` plans %s again as this emcee writes %s",
			names(open), sqlsyntax.OneOrMany(len(open), "is", "are"), sqlsyntax.OneOrMany(len(open), "its", "their"), strings.Join(open, ","), sqlsyntax.OneOrMany(len(open), "it", "them"), sqlsyntax.OneOrMany(len(open), "it", "them"))
	}
	if len(released) > 0 {
		msg += fmt.Sprintf(". %s %s released: databases may have run %s revisions as they are, so they stay (`emcee plan --rewrite` refuses a released release); `emcee plan --check` passes for them with the emcee that planned them",
			sqlsyntax.OneOrMany(len(released), "Release ", "Releases ")+strings.Join(released, ", "), sqlsyntax.OneOrMany(len(released), "is", "are"), sqlsyntax.OneOrMany(len(released), "its", "their"))
	}
	return msg
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
