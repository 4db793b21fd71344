package planner

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// Expected recomputes what `emcee plan` wrote for a release's revisions, so
// that a revision edited by hand is found even when its sum was
// regenerated. files are the plans directory's files (path relative to it ->
// content); the answer maps revision paths to the content plan writes for
// them.
//
// Each planning step is recomputed from the snapshots it was planned from:
// the release's snapshot of that step, the one of the step before (or, for
// the first step, the previous release's latest snapshot, when it is still
// the state the release was planned on top of). A step whose snapshots are
// gone is left out of the answer: a release planned in several steps by an
// emcee that kept only the latest snapshot, or one planned on top of an
// older state of the previous release (which `emcee plan` re-bases or
// refuses).
func Expected(p *project.Project, files map[string][]byte, release string) (map[string][]byte, error) {
	i := p.Index(release)
	if i < 0 {
		return nil, nil
	}
	steps := stepsOf(files, release)
	var prev *diff.Source
	base, from := "empty", "an empty database"
	if i > 0 {
		from = p.Releases[i-1]
		snap, err := snapshotIn(p, files, revision.SnapshotFile(from))
		if snap == nil || err != nil {
			return nil, err
		}
		prev = snap.source(p, from)
		base = baseHash(prev)
	}
	out := map[string][]byte{}
	var asOf *snapshot
	for seq := 1; seq <= steps; seq++ {
		path := snapshotOf(release, seq, steps)
		to, err := snapshotIn(p, files, path)
		if err != nil {
			return nil, err
		}
		if to != nil && to.base == base && (seq == 1 || asOf != nil) {
			s := splitter.Sources{Prev: prev, To: *to.source(p, release)}
			stepFrom := from
			if seq > 1 {
				s.AsOf = asOf.source(p, release)
				stepFrom = fmt.Sprintf("%s as of %s_contract%02d", release, release, seq-1)
			}
			pl, err := splitter.Transition(p.Target, s)
			if err != nil {
				return nil, fmt.Errorf("recomputing %s_*%02d from %s: %w", release, seq, project.Rel(filepath.Join(p.PlansDir, path)), err)
			}
			for _, sc := range scripts(release, seq, stepFrom, pl.Phases) {
				out[sc.ID.File()] = sc.Render()
			}
		}
		asOf = to
	}
	return out, nil
}

// stepsOf is how many times a release was planned: its last revision number.
func stepsOf(files map[string][]byte, release string) int {
	steps := 0
	for path := range files {
		if id, ok := revision.FileID(path); ok && id.Release == release {
			steps = max(steps, id.Seq)
		}
	}
	return steps
}

// snapshotOf is the snapshot of planning step seq of a release planned in
// steps steps: the latest one's, or one kept for its step.
func snapshotOf(release string, seq, steps int) string {
	if seq < steps {
		return revision.StepSnapshotFile(release, seq)
	}
	return revision.SnapshotFile(release)
}

func snapshotIn(p *project.Project, files map[string][]byte, path string) (*snapshot, error) {
	data, ok := files[path]
	if !ok {
		return nil, nil
	}
	return readSnapshot(p, path, data)
}

// An Edit is a revision that differs from what the planner writes for it.
type Edit struct {
	Path     string // relative to the plans directory
	Snapshot string // the snapshot it is recomputed from, relative to the plans directory
	// Line is the first line that differs; Is and Should are what the file
	// and the planner have there.
	Line       int
	Is, Should string
	// Format is the plan format the snapshot records for the revision's
	// planning step (unrecorded when it records none), at FormatLine.
	Format, FormatLine int
	// got and want are the revision and what the planner writes for it.
	got, want []byte
	// Err is why this emcee cannot recompute the revisions of a released
	// release of another plan format (Path is then its latest snapshot):
	// an emcee that refuses what the one that planned it accepted. Such a
	// release keeps its revisions, as one it writes otherwise does.
	Err error
}

// ByHand tells a revision edited by hand: the emcee that planned it wrote
// the plan format this one writes, which writes it otherwise. Of another
// format, the difference may be that emcee's output (an upgrade that
// writes the revision otherwise: Planned says what it means for the
// release), or an edit: emcee cannot tell them apart.
func (e Edit) ByHand() bool { return e.Format == Format || len(e.Foreign()) > 0 }

// Foreign are the statements the revision holds, and the planner does not
// write, that no emcee writes, whatever its plan format
// (revision.Statement.Foreign, which the applier refuses: gates and
// backfills included), as
// `line N "..."`; a revision that does not read is one. Such a revision
// was edited by hand whatever format its snapshot records (ByHand).
func (e Edit) Foreign() []string {
	if e.Err != nil {
		return nil
	}
	added, _, err := e.statements()
	if err != nil {
		return []string{fmt.Sprintf("%q", err.Error())}
	}
	var out []string
	for _, st := range added {
		if st.Foreign(nil) != "" {
			out = append(out, fmt.Sprintf("line %d %q", st.Line, st.SQL))
		}
	}
	return out
}

// Kept tells a differing revision plan --check and lint pass: one of a
// released release (the databases ran it as it is, and the sum vouches
// for it) whose step an older emcee planned, or one from before plan
// formats were recorded. A format newer than this emcee's is not kept:
// this emcee cannot know what that emcee writes, so any revision would
// pass by claiming one (an edit whose snapshot says plan format 999999);
// an emcee of that format or a newer one checks it.
func (e Edit) Kept(released bool) bool { return !e.ByHand() && released && e.Format < Format }

// PlannedBy words the plan format the revision's step records, for
// messages: "plan format 2", or that it records none.
func (e Edit) PlannedBy() string { return formatName(e.Format) }

func (e Edit) describe(p *project.Project) string {
	if e.Err != nil {
		return fmt.Sprintf("%s: this emcee cannot recompute the revisions it was planned for (%v)", project.Rel(filepath.Join(p.PlansDir, e.Path)), e.Err)
	}
	return fmt.Sprintf("%s differs from what `emcee plan` writes from %s: line %d is %s, the planner writes %s", project.Rel(filepath.Join(p.PlansDir, e.Path)), project.Rel(filepath.Join(p.PlansDir, e.Snapshot)), e.Line, e.Is, e.Should)
}

// Compare recomputes every revision of the plans directory (Expected) and
// returns those that differ from what the planner writes, and those it
// cannot recompute (untold). A release the planner fails to recompute is
// an error, unless it is released and another plan format planned it (an
// Edit with Err); the other releases are still compared.
func Compare(p *project.Project, files map[string][]byte) (edits []Edit, untold []string, err error) {
	wants, errs := expectedAll(p, files)
	for i, rel := range p.Releases {
		var e []Edit
		var u []string
		e, u, errs[i] = compareRelease(p, files, rel, wants[i], errs[i])
		edits, untold = append(edits, e...), append(untold, u...)
	}
	return edits, untold, errors.Join(errs...)
}

// CompareRelease is Compare for one release, for review, which says what
// of a release differs from what this emcee writes, and what it cannot
// recompute.
func CompareRelease(p *project.Project, files map[string][]byte, rel string) ([]Edit, []Unchecked, error) {
	want, err := Expected(p, files, rel)
	edits, untold, err := compareRelease(p, files, rel, want, err)
	return edits, Uncheckable(p, files, untold), err
}

// compareRelease compares the revisions of rel with want, what the
// planner writes for them, or says why it cannot (err: Expected's).
func compareRelease(p *project.Project, files map[string][]byte, rel string, want map[string][]byte, err error) (edits []Edit, untold []string, _ error) {
	if err != nil {
		if e, ok := unplannable(p, files, rel, err); ok {
			return []Edit{e}, nil, nil
		}
		return nil, nil, fmt.Errorf("the planner cannot recompute release %s: %w", rel, err)
	}
	steps := stepsOf(files, rel)
	for _, path := range slices.Sorted(maps.Keys(files)) {
		id, ok := revision.FileID(path)
		if !ok || id.Release != rel {
			continue
		}
		w, ok := want[path]
		if !ok {
			untold = append(untold, path)
			continue
		}
		if got := files[path]; string(got) != string(w) {
			line, is, should := firstDifference(got, w)
			e := Edit{Path: path, Snapshot: snapshotOf(rel, id.Seq, steps), Line: line, Is: is, Should: should, Format: unrecorded, got: got, want: w}
			// Expected read this snapshot: it is there, and reads.
			if snap, err := snapshotIn(p, files, e.Snapshot); err == nil && snap != nil {
				e.Format, e.FormatLine = snap.format, snap.formatLine
			}
			edits = append(edits, e)
		}
	}
	return edits, untold, nil
}

// unplannable is the Edit of a released release this emcee fails to
// recompute (err) when no snapshot of it records this emcee's plan format:
// another emcee planned it, and a newer emcee may refuse what an older one
// accepted. The databases ran its revisions as they are, and the sum
// vouches for them; a release of this format that fails is an error.
func unplannable(p *project.Project, files map[string][]byte, rel string, err error) (Edit, bool) {
	if !p.Released(rel) {
		return Edit{}, false
	}
	latest := revision.SnapshotFile(rel)
	e := Edit{Path: latest, Snapshot: latest, Line: 1, Format: unrecorded, Err: err}
	for path, data := range files {
		if !revision.IsSnapshot(rel, path) {
			continue
		}
		snap, rerr := readSnapshot(p, path, data)
		if rerr != nil || snap.format == Format {
			return Edit{}, false
		}
		if path == latest {
			e.Format, e.FormatLine, e.Line = snap.format, snap.formatLine, max(snap.formatLine, 1)
		}
	}
	return e, true
}

// expectedAll is Expected for every release, side by side: each waits only
// for the evaluations it shares with the others.
func expectedAll(p *project.Project, files map[string][]byte) ([]map[string][]byte, []error) {
	futures := make([]func() (map[string][]byte, error), len(p.Releases))
	for i, rel := range p.Releases {
		futures[i] = sync.OnceValues(func() (map[string][]byte, error) { return Expected(p, files, rel) })
		go futures[i]()
	}
	wants, errs := make([]map[string][]byte, len(futures)), make([]error, len(futures))
	for i, f := range futures {
		wants[i], errs[i] = f()
	}
	return wants, errs
}

// requirePlannerOutput is the condition for writing a new sum file: every
// revision is exactly what the planner writes from its snapshots.
func requirePlannerOutput(p *project.Project, plans *revision.Plans, sumErr error) error {
	edits, untold, err := Compare(p, plans.Files)
	if err != nil {
		return errors.Join(sumErr, err)
	}
	if len(edits) == 0 && len(untold) == 0 {
		return nil
	}
	var b strings.Builder
	for _, e := range edits {
		fmt.Fprintf(&b, "\n  %s", e.describe(p))
	}
	for _, path := range untold {
		fmt.Fprintf(&b, "\n  %s cannot be recomputed: the snapshot it was planned from is gone (a release planned in several steps before emcee kept one snapshot per step)", project.Rel(filepath.Join(p.PlansDir, path)))
	}
	return fmt.Errorf("%w\nemcee plan will not write a new sum over revisions it cannot vouch for:%s", sumErr, b.String())
}

// firstDifference is the first line where got differs from want, and what
// each has there.
// SQL is every statement of the revision (with its directive: a gate, a
// backfill) that the planner does not write, as `line N "..."`, read as
// the applier reads the revision (revision.Parse); comments are not
// statements. A revision kept for its plan format (Kept) is what a person
// reads instead of this emcee's check, and an edit behind a harmless
// first difference (a reworded rule comment, as an older emcee writes)
// must show too. A revision that does not read is one line saying so:
// the applier refuses it.
func (e Edit) SQL() []string {
	added, missing, err := e.statements()
	if err != nil {
		return []string{fmt.Sprintf("%q", err.Error())}
	}
	var out []string
	for _, st := range added {
		out = append(out, fmt.Sprintf("line %d %s%q", st.Line, kindOf(st.Kind), st.SQL))
	}
	// A statement the planner writes that the revision lacks (a gate
	// taken out) matters as much as one added.
	for _, st := range missing {
		out = append(out, fmt.Sprintf("no %s%q, which the planner writes", kindOf(st.Kind), st.SQL))
	}
	return out
}

// statements are the statements of the revision the planner does not
// write (added), and those the planner writes that it lacks (missing),
// each with its directive.
func (e Edit) statements() (added, missing []revision.Statement, err error) {
	key := func(st revision.Statement) string {
		return strings.Join([]string{string(st.Kind), st.Table, st.Key, st.SQL}, "\x00")
	}
	want, err := revision.Parse(e.Path, e.want)
	if err != nil {
		return nil, nil, nil // what the planner writes reads
	}
	planned := map[string]int{}
	for _, st := range want {
		planned[key(st)]++
	}
	got, err := revision.Parse(e.Path, e.got)
	if err != nil {
		return nil, nil, err
	}
	for _, st := range got {
		if k := key(st); planned[k] > 0 {
			planned[k]--
			continue
		}
		added = append(added, st)
	}
	for _, st := range want {
		if k := key(st); planned[k] > 0 {
			planned[k]--
			missing = append(missing, st)
		}
	}
	return added, missing, nil
}

// kindOf words a statement's directive before its SQL: "gate ", or "".
func kindOf(k revision.Kind) string {
	if k == revision.DDL {
		return ""
	}
	return string(k) + " "
}

func firstDifference(got, want []byte) (line int, is, should string) {
	g, w := strings.SplitAfter(string(got), "\n"), strings.SplitAfter(string(want), "\n")
	at := func(lines []string, i int) string {
		if i >= len(lines) || lines[i] == "" {
			return "the end of the file"
		}
		return fmt.Sprintf("%q", strings.TrimSuffix(lines[i], "\n"))
	}
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	// Lines added at the end: point at what was added, not at a blank line.
	for i+1 < len(g) && strings.TrimSpace(g[i]) == "" && at(w, i) == "the end of the file" {
		i++
	}
	return i + 1, at(g, i), at(w, i)
}
