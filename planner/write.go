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
	"github.com/emcee-db/emcee/revision"
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
		o.Written = append(o.Written, path)
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
// them from their snapshots, while the sum file vouches for them, told
// apart by the plan format that planned them.
type Edits struct {
	// Diff is a unified diff of the revisions refused (edited by hand, or
	// of another plan format in a release not released), revision by
	// revision; empty when none is.
	Diff string
	// Edited are the releases holding revisions of this emcee's plan
	// format that it writes otherwise: edited by hand, their sum
	// recomputed. In the project's order.
	Edited []string
	// Foreign says, of revisions of another plan format, each statement
	// no emcee writes (Edit.Foreign): such a revision is an edit too,
	// and its release is among Edited.
	Foreign []string
	// Unchecked are the revisions plan --check cannot recompute, by the
	// snapshot that is missing.
	Unchecked []Unchecked
	// Planned are the releases whose differing revisions an emcee of
	// another plan format planned, or one that recorded none: a released
	// one keeps them (Note), an open one is refused (Refusal).
	Planned []Planned
}

// Edited recomputes every revision the planner can (Compare) and returns
// those that differ. The sum file only proves that a file is as it was
// last summed; a hand edit whose sum was recomputed is found here, for
// every planning step Expected can recompute, and told from an older
// emcee's output by the plan format its step records.
func (o *Output) Edited(p *project.Project) (Edits, error) {
	edits, untold, err := Compare(p, o.Files)
	if err != nil {
		return Edits{}, err
	}
	var e Edits
	e.Unchecked = Uncheckable(p, o.Files, untold)
	var b bytes.Buffer
	planned := map[string]*Planned{}
	byHand := map[string]bool{} // releases holding an edit: refused whole
	for _, ed := range edits {
		rel, _, _ := strings.Cut(ed.Path, "/")
		switch foreign := ed.Foreign(); {
		case len(foreign) > 0 && ed.Format != Format:
			// An edit whatever format its snapshot records.
			for _, st := range foreign {
				e.Foreign = append(e.Foreign, fmt.Sprintf("%s: %s is no statement any emcee writes", project.Rel(filepath.Join(p.PlansDir, ed.Path)), st))
			}
			e.Foreign = append(e.Foreign, fmt.Sprintf("it was edited by hand, whatever plan format %s records", formatWhere(p, ed)))
			byHand[rel] = true
			delete(planned, rel)
		case ed.ByHand():
			if !slices.Contains(e.Edited, rel) {
				e.Edited = append(e.Edited, rel)
			}
			byHand[rel] = true
			delete(planned, rel) // an edit is refused whatever else differs
		case byHand[rel]:
		case planned[rel] != nil:
			planned[rel].Count++
			if pl := planned[rel]; pl.kept() && !ed.Kept(pl.Released) {
				// One revision this emcee cannot vouch for refuses the
				// release, whatever an older format planned.
				pl.Format, pl.Where, pl.Err = ed.Format, formatWhere(p, ed), ed.Err
			}
		default:
			planned[rel] = &Planned{Release: rel, Released: p.Released(rel), Format: ed.Format, Where: formatWhere(p, ed), Count: 1, Err: ed.Err}
		}
		if pl := planned[rel]; pl != nil {
			for _, st := range ed.SQL() {
				pl.SQL = append(pl.SQL, project.Rel(filepath.Join(p.PlansDir, ed.Path))+": "+st)
			}
		}
		if ed.Kept(p.Released(rel)) {
			continue // kept: not part of the refusal's diff
		}
		d, err := unified(ed.Path, ed.got, ed.want)
		if err != nil {
			return Edits{}, err
		}
		b.WriteString(d)
	}
	for _, rel := range p.Releases {
		if pl := planned[rel]; pl != nil {
			e.Planned = append(e.Planned, *pl)
		}
	}
	e.Diff = b.String()
	return e, nil
}

// formatWhere is the snapshot line recording the format of ed's step,
// or the snapshot alone where it records none.
func formatWhere(p *project.Project, ed Edit) string {
	where := project.Rel(filepath.Join(p.PlansDir, ed.Snapshot))
	if ed.FormatLine > 0 {
		where = fmt.Sprintf("%s:%d", where, ed.FormatLine)
	}
	return where
}

// Unchecked are revisions plan --check cannot recompute, for want of a
// snapshot of their planning step (Compare's untold): only the sum vouches
// for them, so they are said, never passed in silence.
type Unchecked struct {
	Snapshot string // the snapshot missing, or present but planned on another base
	Missing  bool   // Snapshot is not there
	Earlier  string // a snapshot of an earlier step of the release that is there ("" if none)
	// Later is the snapshot of the step after the missing one's, when it
	// records a plan format (FormatLine its line): the emcee that planned
	// that step kept the snapshot before it, as every emcee recording plan
	// formats does (step snapshots came first).
	Later     string
	Revisions []string // the revisions, as the messages name them
}

// Deleted tells a step snapshot missing though an earlier step's is there,
// or though the emcee that planned the next step kept it (Later): every
// emcee that keeps step snapshots keeps each from then on, so it was
// deleted (one that kept only the latest left the earliest steps without,
// and recorded no plan format).
func (u Unchecked) Deleted() bool { return u.Missing && (u.Earlier != "" || u.Later != "") }

// String says which revisions only the sum vouches for, and why; for a
// deleted snapshot, the way out.
func (u Unchecked) String() string {
	what := fmt.Sprintf("plan --check cannot recompute %d %s (%s)", len(u.Revisions), sqlsyntax.OneOrMany(len(u.Revisions), "revision", "revisions"), someOf(slices.Clone(u.Revisions)))
	switch {
	case u.Deleted() && u.Earlier != "":
		return fmt.Sprintf("%s: %s is missing, though %s, of an earlier step, is there: it was deleted; restore it from version control", what, u.Snapshot, u.Earlier)
	case u.Deleted():
		return fmt.Sprintf("%s: %s is missing, though %s records that the next step was planned by an emcee recording plan formats, which keeps the snapshot of every step: it was deleted; restore it from version control", what, u.Snapshot, u.Later)
	case u.Missing:
		return fmt.Sprintf("%s: %s is missing (an emcee that kept only the latest snapshot planned them, or it was deleted: then restore it from version control); only plans/%s vouches for them", what, u.Snapshot, revision.SumFile)
	}
	return fmt.Sprintf("%s: their step was planned on top of another state of the previous release than %s records now; only plans/%s vouches for them", what, u.Snapshot, revision.SumFile)
}

// Uncheckable groups the revisions Compare could not recompute (untold) by the
// snapshot their step lacks: its own, or the step's before it.
func Uncheckable(p *project.Project, files map[string][]byte, untold []string) []Unchecked {
	var out []Unchecked
	at := map[string]int{}
	rel := func(path string) string { return project.Rel(filepath.Join(p.PlansDir, path)) }
	for _, path := range untold {
		id, ok := revision.FileID(path)
		if !ok {
			continue
		}
		steps := stepsOf(files, id.Release)
		snap := snapshotOf(id.Release, id.Seq, steps)
		if _, ok := files[snap]; ok && id.Seq > 1 {
			if before := snapshotOf(id.Release, id.Seq-1, steps); files[before] == nil {
				snap = before
			}
		}
		i, ok := at[snap]
		if !ok {
			u := Unchecked{Snapshot: rel(snap), Missing: files[snap] == nil}
			if seq, isStep := revision.SnapshotStep(id.Release, snap); u.Missing && isStep {
				for m := 1; m < seq; m++ {
					if _, there := files[revision.StepSnapshotFile(id.Release, m)]; there {
						u.Earlier = rel(revision.StepSnapshotFile(id.Release, m))
						break
					}
				}
				next := snapshotOf(id.Release, seq+1, steps)
				if s, err := snapshotIn(p, files, next); err == nil && s != nil && s.format >= 1 {
					u.Later = fmt.Sprintf("%s:%d", rel(next), s.formatLine)
				}
			}
			i, at[snap] = len(out), len(out)
			out = append(out, u)
		}
		out[i].Revisions = append(out[i].Revisions, rel(path))
	}
	return out
}

// Notes are the lines `plan --check` prints for the released releases it
// passes though this emcee writes their revisions otherwise, and for the
// revisions it cannot recompute.
func (e Edits) Notes() []string {
	var notes []string
	for _, u := range e.Unchecked {
		if !u.Deleted() {
			notes = append(notes, u.String())
		}
	}
	for _, pl := range e.Planned {
		if pl.kept() && !slices.Contains(e.Edited, pl.Release) {
			notes = append(notes, pl.Note())
		}
	}
	return notes
}

// Refusal says what plan --check refuses and the ways out, "" when
// nothing is refused: revisions edited by hand (their step records this
// emcee's plan format, and this emcee writes them otherwise), mended by
// restoring them; revisions of open releases another emcee planned,
// planned again with --rewrite. A released release's revisions of another
// format stay as the databases ran them (Notes).
func (e Edits) Refusal(p *project.Project) string {
	var parts []string
	for _, u := range e.Unchecked {
		if u.Deleted() {
			parts = append(parts, u.String())
		}
	}
	if len(e.Foreign) > 0 {
		parts = append(parts, strings.Join(e.Foreign, "; ")+": restore it from version control")
	}
	if len(e.Edited) > 0 {
		parts = append(parts, fmt.Sprintf("plans/ holds revisions of %s that differ from what this emcee writes from the snapshots they were planned from, though plans/emcee.sum vouches for them, and their snapshots record plan format %d, the one this emcee writes: they were edited by hand and their sum recomputed. Restore them from version control; to change a release, edit its schema file and run `emcee plan`",
			sqlsyntax.OneOrMany(len(e.Edited), "release ", "releases ")+strings.Join(e.Edited, ", "), Format))
	}
	for _, pl := range e.Planned {
		if !pl.kept() {
			parts = append(parts, pl.Refusal())
		}
	}
	return strings.Join(parts, ". ")
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
