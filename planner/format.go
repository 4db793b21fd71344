package planner

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Format is the plan format this emcee writes: the number of the way the
// planner writes revisions and snapshots, bumped whenever it writes other
// bytes for the same release files (a rule's statement or comment, a
// script's layout). Each planning step records the format that planned it
// in its snapshot (`# plan format: N`), so that `plan --check` and lint
// tell a revision an emcee of another format wrote (after an emcee
// upgrade: a released release keeps it, an open one is planned again with
// --rewrite) from one edited by hand (recorded in this format, which
// writes it otherwise).
//
// A number and not emcee's version: the plans must be the same bytes
// whichever emcee build writes the same revisions, and a build from a
// checkout is "(devel)" or a pseudo-version that changes with every
// commit, output changed or not; recording it would make every planning
// step of a project, the bundled example's too, differ from build to
// build. `emcee version` prints the format a build writes.
//
// TestPlanFormat fails when the planner writes other bytes for its corpus
// while Format stays: bump Format, then record the new output with
// EMCEE_PLAN_FORMAT_UPDATE=1 (format_test.go).
const Format = 6

// unrecorded is the format of a snapshot whose header records none: one
// written before emcee recorded plan formats. A step planned so that this
// emcee does not write its revisions as they are records 0 (stamp).
const unrecorded = -1

// maxFormatDigits bounds what a format line may hold: a plan format is a
// small number, and a line holding anything else is refused whole.
const maxFormatDigits = 6

// parseFormat reads the number of a `# plan format:` line as renderSnapshot
// writes it: decimal digits, no sign, blank or leading zero.
func parseFormat(text string) (int, error) {
	n, err := strconv.Atoi(text)
	if err != nil || n < 0 || len(text) > maxFormatDigits || strconv.Itoa(n) != text {
		if len(text) > 40 {
			text = text[:40] + "..."
		}
		return 0, fmt.Errorf("the %q line holds %q, which is not a plan format (a number, as `emcee plan` writes it)", strings.TrimSpace(formatPrefix), text)
	}
	return n, nil
}

// formatName words a recorded format in messages.
func formatName(n int) string {
	switch n {
	case unrecorded:
		return "no plan format (planned by an emcee from before plan formats were recorded)"
	case 0:
		return "plan format 0 (planned by an emcee from before plan formats were recorded)"
	}
	return fmt.Sprintf("plan format %d", n)
}

// Planned is a release whose revisions an emcee of another plan format
// than this one planned, and that this emcee writes otherwise.
type Planned struct {
	Release  string
	Released bool
	Format   int    // the format of its first differing step, unrecorded if none
	Where    string // the snapshot recording it (file:line), or the snapshot that records none
	Count    int    // how many of its revisions differ
	// SQL is every statement that differs, revision by revision
	// (Edit.SQL): a kept revision is read by a person instead.
	SQL []string
	// Err is why this emcee cannot recompute its revisions at all, for a
	// released release (Edit.Err).
	Err error
}

// kept tells a release plan --check passes though this emcee writes its
// revisions otherwise (Edit.Kept).
func (pl Planned) kept() bool { return Edit{Format: pl.Format}.Kept(pl.Released) }

// Note is the line `plan --check` prints for a released release it
// passes: what planned its revisions, and why they stay.
func (pl Planned) Note() string {
	if pl.Err != nil {
		return fmt.Sprintf("release %s: this emcee (plan format %d) cannot recompute its revisions (%v); %s records %s. %s is released, so they stay as the databases ran them, verified by plans/%s",
			pl.Release, Format, pl.Err, pl.Where, formatName(pl.Format), pl.Release, revision.SumFile)
	}
	them := sqlsyntax.OneOrMany(pl.Count, "it", "them")
	note := fmt.Sprintf("release %s: %s from what this emcee (plan format %d) writes; %s records %s. %s is released, so %s as the databases ran %s, verified by plans/%s",
		pl.Release, pl.differ(), Format, pl.Where, formatName(pl.Format), pl.Release, sqlsyntax.OneOrMany(pl.Count, "it stays", "they stay"), them, revision.SumFile)
	if len(pl.SQL) > 0 {
		note += fmt.Sprintf("; read the statements that differ, each of which runs on every database not yet at %s: %s", pl.Release, strings.Join(pl.SQL, "; "))
	}
	return note
}

// Refusal is why `plan --check` refuses a release not released, and the
// way out: planning it again as this emcee writes it.
func (pl Planned) Refusal() string {
	them := sqlsyntax.OneOrMany(pl.Count, "it", "them")
	rewrite := fmt.Sprintf("while no database has applied %s, `emcee plan --rewrite %s` plans %s again as this emcee writes it", them, pl.Release, pl.Release)
	switch {
	case pl.Format == unrecorded || pl.Format == 0:
		return fmt.Sprintf("Release %s: %s from what this emcee (plan format %d) writes, and %s records %s, so emcee cannot tell an older emcee's output from a hand edit: if %s edited, restore %s from version control; otherwise, %s",
			pl.Release, pl.differ(), Format, pl.Where, formatName(pl.Format), sqlsyntax.OneOrMany(pl.Count, "it was", "they were"), them, rewrite)
	case pl.Format > Format && pl.Released:
		return fmt.Sprintf("Release %s was planned by an emcee of plan format %d (%s), newer than this one (plan format %d), which writes %d of its revisions otherwise and cannot tell that emcee's output from a hand edit: check it with that emcee or a newer one (`emcee version` prints its plan format); %s is released, so its revisions stay as the databases ran them",
			pl.Release, pl.Format, pl.Where, Format, pl.Count, pl.Release)
	case pl.Format > Format:
		return fmt.Sprintf("Release %s was planned by an emcee of plan format %d (%s), newer than this one (plan format %d), which writes %d of its revisions otherwise: check it with that emcee or a newer one (`emcee version` prints its plan format); `emcee plan --rewrite %s` would plan it again as this older emcee writes it",
			pl.Release, pl.Format, pl.Where, Format, pl.Count, pl.Release)
	}
	return fmt.Sprintf("Release %s was planned by an emcee of plan format %d (%s), and this one (plan format %d) writes %d of its revisions otherwise: %s is not released, so %s",
		pl.Release, pl.Format, pl.Where, Format, pl.Count, pl.Release, rewrite)
}

// differ says how many of the release's revisions differ.
func (pl Planned) differ() string {
	return sqlsyntax.Plural(pl.Count, "revision") + sqlsyntax.OneOrMany(pl.Count, " differs", " differ")
}

// stamp records a plan format in every snapshot of out that records none
// (written before emcee recorded plan formats): Format where this emcee
// writes every revision of the snapshot's step as it is, so that an edit
// of one is found as an edit from then on, and 0 where it does not (or
// cannot recompute the step), which `plan --check` treats as another
// format's: a released release keeps such revisions, an open one is
// planned again with --rewrite. Recording 0 spares every later run
// recomputing the step. It answers the note that says what it recorded,
// "" when nothing.
func stamp(p *project.Project, out *Output) (string, error) {
	todo, err := unrecordedSnapshots(p, out.Files)
	if err != nil {
		return "", err
	}
	var stamped, zero, differ []string
	for _, rel := range p.Releases {
		if len(todo[rel]) == 0 {
			continue
		}
		// A release this emcee cannot plan as it was planned (one it now
		// refuses) is not its output either: 0.
		want, _ := Expected(p, out.Files, rel)
		steps := stepsOf(out.Files, rel)
		revs := map[string][]string{} // snapshot -> the revisions of its step
		for rev := range out.Files {
			if id, ok := revision.FileID(rev); ok && id.Release == rel {
				snap := snapshotOf(rel, id.Seq, steps)
				revs[snap] = append(revs[snap], rev)
			}
		}
		for _, path := range todo[rel] {
			format := Format
			for _, rev := range revs[path] {
				w, ok := want[rev]
				if ok && bytes.Equal(w, out.Files[rev]) {
					continue
				}
				format = 0
				if !ok {
					continue // not recomputed: nothing to compare with
				}
				// What 0 vouches for, named for whoever commits it: an
				// edit made before the line was recorded too.
				for _, st := range (Edit{Path: rev, got: out.Files[rev], want: w}).SQL() {
					differ = append(differ, project.Rel(filepath.Join(p.PlansDir, rev))+": "+st)
				}
			}
			out.Files[path] = withFormat(out.Files[path], format)
			name := project.Rel(filepath.Join(p.PlansDir, path))
			stamped = append(stamped, name)
			if format == 0 {
				zero = append(zero, name)
			}
		}
	}
	if len(stamped) == 0 {
		return "", nil
	}
	note := fmt.Sprintf("recorded the plan format that planned them in %d %s written before emcee recorded it (%s): commit %s",
		len(stamped), sqlsyntax.OneOrMany(len(stamped), "snapshot", "snapshots"), someOf(stamped), sqlsyntax.OneOrMany(len(stamped), "it", "them"))
	if len(zero) > 0 {
		note += fmt.Sprintf("; %s %s 0, since this emcee writes the revisions of %s step otherwise: `emcee plan --check` says what that means for %s release",
			someOf(zero), sqlsyntax.OneOrMany(len(zero), "records", "record"), sqlsyntax.OneOrMany(len(zero), "its", "their"), sqlsyntax.OneOrMany(len(zero), "its", "their"))
		if len(differ) > 0 {
			note += "; read the statements that differ before committing it: " + strings.Join(differ, "; ")
		}
	}
	return note, nil
}

// unrecordedSnapshots are the snapshots of files that record no plan
// format, by release.
func unrecordedSnapshots(p *project.Project, files map[string][]byte) (map[string][]string, error) {
	todo := map[string][]string{}
	for path, data := range files {
		rel, _, _ := strings.Cut(path, "/")
		if !revision.IsSnapshot(rel, path) {
			continue
		}
		if snap, err := readSnapshot(p, path, data); err != nil {
			return nil, err
		} else if snap.format == unrecorded {
			todo[rel] = append(todo[rel], path)
		}
	}
	return todo, nil
}

// unrecordedNote is what `plan --check` says of snapshots that record no
// plan format: not stale, but until `emcee plan` records it, a differing
// revision of theirs cannot be told from another emcee's output.
func unrecordedNote(p *project.Project, files map[string][]byte) (string, error) {
	todo, err := unrecordedSnapshots(p, files)
	if err != nil || len(todo) == 0 {
		return "", err
	}
	var names []string
	for _, paths := range todo {
		for _, path := range paths {
			names = append(names, project.Rel(filepath.Join(p.PlansDir, path)))
		}
	}
	return fmt.Sprintf("%d %s (%s) %s no plan format (written before emcee recorded it), so an edit of %s revisions cannot be told from an older emcee's output: `emcee plan` records it; commit the result",
		len(names), sqlsyntax.OneOrMany(len(names), "snapshot", "snapshots"), someOf(names), sqlsyntax.OneOrMany(len(names), "records", "record"), sqlsyntax.OneOrMany(len(names), "its", "their")), nil
}

// someOf names the first few of a list, and how many more there are.
func someOf(names []string) string {
	slices.Sort(names)
	if len(names) <= 3 {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:3], ", "), len(names)-3)
}

// withFormat puts a format line into a snapshot that has none, where
// renderSnapshot writes it: after the two lines of its title.
func withFormat(data []byte, format int) []byte {
	lines := bytes.SplitAfterN(data, []byte("\n"), 3)
	line := fmt.Appendf(nil, "%s%d\n", formatPrefix, format)
	return slices.Concat(lines[0], lines[1], line, lines[2])
}
