package lint

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Plans are generated: what a reviewer approves is the schema and the rule
// table, not hand-written SQL. plans/emcee.sum (Atlas's atlas.sum format)
// records every file as `emcee plan` wrote it, and where a release was
// planned in one step the planner can recompute its revisions, which also
// catches an edit whose sum was regenerated.
var _ = register(&Analyzer{
	Code:  "EM106",
	Title: "hand-edited plan: checksum differs from plans/emcee.sum, a file missing from or unknown to the sum, or a revision that differs from what `emcee plan` writes",
	Run: func(p *Pass) {
		reported := map[string]bool{}
		edits, untold, err := planner.Compare(p.Project, p.Plans.Files)
		if err != nil {
			// The sum check below still runs: an edited snapshot
			// shows there.
			p.fail(err)
		}
		for _, e := range edits {
			reported[e.Path] = true
			f := Finding{Code: "EM106", Severity: Error, File: planFile(p, e.Path), Line: e.Line,
				Message: fmt.Sprintf("differs from what `emcee plan` writes from %s: line %d is %s, the planner writes %s", planFile(p, e.Snapshot), e.Line, e.Is, e.Should),
				Fix:     editedFix(p, e.Path)}
			// Of another plan format than this emcee's, the revision
			// may be another emcee's output (planner.Edit.ByHand): a
			// released release keeps it, as plan --check does.
			if e.Err != nil {
				f.Message = fmt.Sprintf("this emcee cannot recompute the revisions this snapshot was planned for (%v)", e.Err)
			}
			// Every statement that differs, not only the first line:
			// a kept revision is read by a person instead of this check.
			if sql := e.SQL(); len(sql) > 0 {
				f.Message += "; the statements that differ: " + strings.Join(sql, ", ")
			}
			// An edit whatever the format line says (planner.Edit.Foreign).
			if foreign := e.Foreign(); len(foreign) > 0 && e.Format != planner.Format {
				what := sqlsyntax.OneOrMany(len(foreign), "is no statement any emcee writes", "are statements no emcee writes")
				f.Message += fmt.Sprintf("; %s %s, whatever plan format its snapshot records (%s records %s)", strings.Join(foreign, ", "), what, planFile(p, e.Snapshot), e.PlannedBy())
			}
			if rel, _, _ := strings.Cut(e.Path, "/"); !e.ByHand() {
				f.Message += fmt.Sprintf("; %s records %s, and this emcee writes plan format %d", planFile(p, e.Snapshot), e.PlannedBy(), planner.Format)
				switch released := p.Project.Released(rel); {
				case e.Kept(released):
					f.Severity = Note
					f.Message += fmt.Sprintf(": release %s is released, so its revisions stay as the databases ran them, verified by plans/%s; read the statements that differ: each runs on every database not yet at %s", rel, revision.SumFile, rel)
					f.Fix = "none while it was written by that emcee; if it was edited by hand, restore it from version control"
				case released:
					// A newer format: this emcee cannot know what that
					// emcee writes (planner.Edit.Kept).
					f.Fix = fmt.Sprintf("check it with an emcee of plan format %d or newer (`emcee version` prints it): this emcee cannot tell that emcee's output from a hand edit; if it was edited by hand, restore it from version control", e.Format)
				default:
					f.Fix = fmt.Sprintf("if it was edited by hand, restore it from version control; otherwise, while no database has applied release %s, `emcee plan --rewrite %s` plans it again as this emcee writes it", rel, rel)
				}
			}
			p.report(f)
		}
		if !checkSum(p, reported) {
			return // the sum's findings come first: it vouches for nothing yet
		}
		// What cannot be recomputed is said, as plan --check says it: a
		// note (only the sum vouches for it), an error where a step
		// snapshot was deleted.
		for _, u := range planner.Uncheckable(p.Project, p.Plans.Files, untold) {
			f := Finding{Code: "EM106", Severity: Note, File: u.Revisions[0], Line: 1, Message: u.String(),
				Fix: "none where an emcee that kept only the latest snapshot planned them; a deleted snapshot is restored from version control"}
			if u.Deleted() {
				f.Severity, f.Fix = Error, "restore "+u.Snapshot+" from version control"
			}
			p.report(f)
		}
	},
})

// sumFix is how a missing or damaged sum file is mended.
const sumFix = "restore it from version control, or run `emcee plan`, which writes a new one only if every revision is what the planner writes from its snapshots"

// checkSum compares the plan files with plans/emcee.sum. Its hashes are
// chained (each covers every file before it), so after the first edited
// file the sum can tell nothing about the ones after it. It tells whether
// the sum vouches for every file (it found nothing).
func checkSum(p *Pass, reported map[string]bool) (clean bool) {
	sumPath := filepath.Join(p.Plans.Dir, revision.SumFile)
	sumFile := project.Rel(sumPath)
	data, err := os.ReadFile(sumPath)
	if os.IsNotExist(err) {
		if len(p.Plans.Files) > 0 {
			p.atFile("EM106", sumFile, "the sum file is missing, so nothing guards the plans against edits", sumFix)
			return false
		}
		return true
	}
	if err != nil {
		p.fail(err)
		return false
	}
	var sum migrate.HashFile
	if err := sum.UnmarshalText(data); err != nil {
		p.atFile("EM106", sumFile, fmt.Sprintf("the sum file is damaged (%v)", err), sumFix)
		return false
	}
	listed := map[string]bool{}
	h := sha256.New()
	intact := true
	for i, entry := range sum {
		listed[entry.N] = true
		content, ok := p.Plans.Files[entry.N]
		if !ok {
			p.report(Finding{Code: "EM106", Severity: Error, File: sumFile, Line: i + 2,
				Message: fmt.Sprintf("%s is listed in the sum file but missing", planFile(p, entry.N)),
				Fix:     "restore it from version control (a revision an operator may have applied cannot disappear)"})
			intact = false
			continue
		}
		h.Write([]byte(entry.N))
		h.Write(content)
		if intact && base64.StdEncoding.EncodeToString(h.Sum(nil)) != entry.H {
			intact = false
			if !reported[entry.N] {
				p.atFile("EM106", planFile(p, entry.N), "checksum differs from plans/emcee.sum: the file was edited after `emcee plan` wrote it (the sum cannot check the files listed after it until this one is restored)", editedFix(p, entry.N))
			}
		}
	}
	clean = intact
	for _, path := range slices.Sorted(maps.Keys(p.Plans.Files)) {
		if !listed[path] {
			p.atFile("EM106", planFile(p, path), "not in plans/emcee.sum: the file was added by hand", "remove it; revisions come from `emcee plan`, which also records them in the sum")
			clean = false
		}
	}
	return clean
}

func editedFix(p *Pass, path string) string {
	rel, _, _ := strings.Cut(path, "/")
	return fmt.Sprintf("restore %s from version control; to change a release, edit %s and run `emcee plan`", planFile(p, path), project.Rel(p.Project.SchemaFile(rel)))
}

// planFile names a file of the plans directory as findings do.
func planFile(p *Pass, path string) string { return project.Rel(filepath.Join(p.Plans.Dir, path)) }
