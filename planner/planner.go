// Package planner turns the declared releases into the plans directory:
// three revision scripts per release (append-only), a snapshot of the state
// each release's revisions produce, and the sum file. It never needs a
// database: the snapshots are the memory of what earlier revisions do.
package planner

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Options change what Plan may do.
type Options struct {
	// Rewrite lists releases whose existing revisions are discarded and
	// planned again from scratch. Refused for released releases.
	Rewrite []string
	// SQL evaluates the releases declared as SQL whose files changed since
	// their last plan (sqlrelease.Evaluate, in a dev database); nil when no
	// database was given: such a release is then an error naming its file.
	SQL SQLEval
	// Reevaluate evaluates the releases declared as SQL with SQL also when
	// their snapshot records their files' hash (`plan --check`): the
	// snapshot then stands for the SQL only where no database is given.
	// Otherwise a snapshot edited to say something else than its SQL, with
	// revisions to match and the sum recomputed, would pass the check.
	Reevaluate bool
	// Check computes the plans directory only to compare it with the one
	// on disk (`plan --check`): snapshots written before emcee recorded
	// plan formats are left without one (stamp), since a check writes
	// nothing and such plans are not stale for lacking it; a note says
	// that `emcee plan` records it.
	Check bool
}

// SQLEval evaluates the SQL files of a release into the source the
// pipeline loads.
type SQLEval func(diff.SQLFiles) (diff.Source, error)

// Output is the plans directory as it should be.
type Output struct {
	Dir   string
	Files map[string][]byte // path relative to Dir -> content
	Order []string          // sum file order
	// New lists the revisions this run adds.
	New []revision.ID
	// Stale lists files on disk that the output no longer has.
	Stale []string
	// Notes are what the user should know about this run (a sum file
	// rebuilt).
	Notes []string
	// Written lists the files Write wrote (their content changed or they
	// were missing), relative to Dir, sorted: besides the new revisions,
	// their snapshots and the sum, and a snapshot rewritten alone (the
	// plan format recorded in one written before formats were).
	Written []string
}

// Plan computes the plans directory for the project.
func Plan(p *project.Project, opts Options) (*Output, error) {
	for _, r := range opts.Rewrite {
		if p.Index(r) < 0 {
			return nil, fmt.Errorf("--rewrite %s: no such release in %s (releases: %s)", r, project.Rel(p.Path), strings.Join(p.Releases, ", "))
		}
		if p.Released(r) {
			return nil, fmt.Errorf("--rewrite %s refused: %s is marked as released in %s, and operators may already have applied its revisions; put the change in the next release", r, r, project.Rel(p.Path))
		}
	}
	existing, err := revision.ReadFiles(p.PlansDir, p.Releases)
	if err != nil {
		return nil, err
	}
	out := &Output{Dir: p.PlansDir, Files: map[string][]byte{}}
	if err := existing.Verify(); errors.Is(err, revision.ErrNoSum) {
		// Rebuilding the sum over files that may have been edited would
		// bless the edits: it is rebuilt only over revisions that are
		// exactly what the planner writes from their snapshots.
		if err := requirePlannerOutput(p, existing, err); err != nil {
			return nil, err
		}
		out.Notes = append(out.Notes, fmt.Sprintf("%s was missing or damaged; every revision is what `emcee plan` writes from its snapshot, so a new one is written: commit it", project.Rel(existing.Dir+"/"+revision.SumFile)))
	} else if err != nil {
		return nil, err
	}
	rels, err := readReleases(p, existing, opts)
	if err != nil {
		return nil, err
	}
	// Each release's transition starts in the background as soon as its
	// sources are known, all side by side: a release's own evaluation and
	// split do not depend on the release before it having been split. They
	// assume the previous release ends where its schema file says; the loop
	// below redoes the rare one where it does not.
	for i, r := range rels {
		if r.needsTransition() {
			var prev *diff.Source
			if i > 0 {
				prev = &rels[i-1].src
			}
			r.speculative = r.transition(p, prev)
		}
	}
	var prev *release
	for _, r := range rels {
		name := r.name
		prevEnd := prev.endSource()
		if r.snap != nil {
			if want := baseHash(prevEnd); r.snap.base != want {
				why, err := rebase(p, existing, out, r, want)
				if err != nil {
					return nil, err
				}
				if why != "" {
					return nil, fmt.Errorf("release %s was planned on top of %s as %s was then; %s has changed since, and %s. Run `emcee plan --rewrite %s` to plan %s again (refused once it is released), or undo the change to %s",
						name, prev.name, prev.name, prev.name, why, name, name, prev.name)
				}
				out.Notes = append(out.Notes, fmt.Sprintf("%s changed under release %s, but in nothing %s's revisions depend on: they are what `emcee plan` writes on top of the new %s, so only the base line of %s's snapshots changes", prev.name, name, name, prev.name, name))
			}
			if err := sameDefault(p, r); err != nil {
				return nil, err
			}
			for _, rev := range slices.Concat(existing.Revisions, existing.Rollbacks) {
				if rev.ID.Release == name {
					out.Files[rev.Path] = rev.Data
				}
			}
			maps.Copy(out.Files, r.snapFiles)
			if !r.needsTransition() {
				// Unchanged since its last revision: nothing to diff.
				prev = r
				continue
			}
		}
		if err := defaultAsBefore(p, prev, r); err != nil {
			return nil, err
		}
		tr := r.speculative
		if prevEnd != nil && prevEnd != &prev.src {
			tr = r.transition(p, prevEnd)
		}
		pl, err := tr()
		if err != nil {
			return nil, err
		}
		if err := editUnderPlanned(p, existing, r, pl); err != nil {
			return nil, err
		}
		if r.snap != nil && pl.Phases.Empty() {
			// A change Atlas sees no difference in (comments, layout): the
			// existing snapshot still describes the database, and the next
			// release builds on it.
			r.end = r.snap.source(p, name)
			if r.sql != nil {
				// It records the new hash of the SQL files, so that the
				// next run recognizes them without a database.
				out.Files[revision.SnapshotFile(name)] = renderSnapshot(name, 0, r.snap.body, r.snap.base, r.sql.Hash(p.Target), r.snap.format)
			}
			prev = r
			continue
		}
		if r.snap != nil && p.Released(name) {
			return nil, fmt.Errorf("%s: release %s is marked as released in %s, but its schema file no longer matches what its revisions produce; a released schema is frozen, so put the change in the next release (a new schema file listed after %s)", project.Rel(p.SchemaFile(name)), name, project.Rel(p.Path), name)
		}
		seq, from := 1, "an empty database"
		switch {
		case r.snap != nil:
			seq = r.lastSeq + 1
			from = fmt.Sprintf("%s as of %s_contract%02d", name, name, r.lastSeq)
			// The snapshot being replaced stays, for recomputing its step.
			out.Files[revision.StepSnapshotFile(name, r.lastSeq)] = renderSnapshot(name, r.lastSeq, r.snap.body, r.snap.base, "", r.snap.format)
		case prev != nil:
			from = prev.name
		}
		for _, sc := range scripts(name, seq, from, pl.Phases) {
			out.Files[sc.ID.File()] = sc.Render()
			out.New = append(out.New, sc.ID)
		}
		sqlHash := ""
		if r.sql != nil {
			sqlHash = r.sql.Hash(p.Target)
		}
		out.Files[revision.SnapshotFile(name)] = renderSnapshot(name, 0, r.src.Src, baseHash(prevEnd), sqlHash, Format)
		prev = r
	}
	if err := addRollbacks(p, out); err != nil {
		return nil, err
	}
	record := stamp
	if opts.Check {
		record = func(p *project.Project, out *Output) (string, error) { return unrecordedNote(p, out.Files) }
	}
	if note, err := record(p, out); err != nil {
		return nil, err
	} else if note != "" {
		out.Notes = append(out.Notes, note)
	}
	for path := range existing.Files {
		if _, ok := out.Files[path]; !ok {
			out.Stale = append(out.Stale, path)
		}
	}
	slices.Sort(out.Stale)
	out.Order = revision.SumOrder(p.Releases, slices.Collect(maps.Keys(out.Files)))
	sum, err := revision.Sum(out.Order, out.Files)
	if err != nil {
		return nil, err
	}
	out.Files[revision.SumFile] = sum
	return out, nil
}

// editUnderPlanned refuses an edit of a planned release whose expand
// changes what the release's planned migrate or contract revisions change
// too: revisions run phase by phase, so the edit's expand runs before them,
// though it was planned from the state after them. A table renamed leaves
// only a view under the old name, which they cannot alter (MariaDB 1347,
// "not of type BASE TABLE"), which selects none of the columns they drop
// though the previous release still reads them, and which a foreign key
// they add would reference (the server takes it under foreign_key_checks=0,
// and every child row fails the key once contract drops the view); a
// column's definition restated (a widening) carries their tightening into
// expand, ungated.
func editUnderPlanned(p *project.Project, existing *revision.Plans, r *release, pl *splitter.Planned) error {
	if r.snap == nil {
		return nil // planned whole: its phases run in the order planned
	}
	var expand []effect.Effect
	for _, st := range pl.Phases[revision.Expand] {
		expand = append(expand, effect.Of(st.SQL)...)
	}
	if len(expand) == 0 {
		return nil
	}
	for _, rev := range existing.Revisions {
		if rev.ID.Release != r.name || rev.ID.Phase == revision.Expand {
			continue
		}
		// Planning reads revisions without their statements: they are
		// read here, for the rare edit that expands again.
		stmts, err := revision.Parse(filepath.Join(p.PlansDir, rev.Path), rev.Data)
		if err != nil {
			return err
		}
		for _, st := range stmts {
			for _, was := range effect.Of(st.SQL) {
				if was.Op == effect.DeleteRows || was.Op == effect.InsertRows {
					continue // rows, which a view serves as the table
				}
				for _, e := range expand {
					renamed := e.Op == effect.RenameTable
					touches := e.Table == was.Table || renamed && was.Op == effect.AddForeignKey && was.Def == e.Table
					if !touches || !renamed && e.Name != was.Name {
						continue
					}
					where, what := pl.To.Where(e.Table, e.Name), fmt.Sprintf("%s %s.%s", e.Op, e.Table, e.Name)
					if e.Op == effect.RenameTable {
						where, what = pl.To.Where(e.Name, ""), fmt.Sprintf("table %s renamed to %s", e.Table, e.Name)
					}
					return fmt.Errorf("%s: release %s was planned before this edit, and %s:%d still changes %s (%s); revisions run phase by phase, so the edit's expand (%s) runs before that statement, which it was planned after. While no database has applied %s's revisions, `emcee plan --rewrite %s` plans the release again with the edit; otherwise put the edit in the next release",
						where, r.name, project.Rel(filepath.Join(p.PlansDir, rev.Path)), st.Line, was.Table, st.SQL, what, r.name, r.name)
				}
			}
		}
	}
	return nil
}

// rebase accepts a planned release on top of a previous release that
// changed since (base is the new state's hash) when its revisions are still
// exactly what the planner writes on top of it: a change only the previous
// release's own revisions read (a data migration it runs) must not
// force rewriting every later release. It re-bases the release's snapshots
// in r and answers "", or answers why the revisions no longer apply.
func rebase(p *project.Project, existing *revision.Plans, out *Output, r *release, base string) (string, error) {
	files := maps.Clone(existing.Files)
	maps.Copy(files, out.Files)
	from := []byte(basePrefix + r.snap.base + "\n")
	rebased := map[string][]byte{}
	for path, data := range r.snapFiles {
		rebased[path] = bytes.Replace(data, from, []byte(basePrefix+base+"\n"), 1)
		files[path] = rebased[path]
	}
	want, err := Expected(p, files, r.name)
	if err != nil {
		return fmt.Sprintf("planning %s on top of it fails (%v)", r.name, err), nil
	}
	for _, rev := range slices.Concat(existing.Revisions, existing.Rollbacks) {
		if rev.ID.Release != r.name {
			continue
		}
		name := project.Rel(filepath.Join(p.PlansDir, rev.Path))
		w, ok := want[rev.Path]
		if !ok {
			return fmt.Sprintf("emcee cannot recompute %s from the snapshots it was planned from (gone, or of an older emcee), so cannot tell whether it still applies", name), nil
		}
		if !bytes.Equal(w, rev.Data) {
			line, is, should := firstDifference(rev.Data, w)
			return fmt.Sprintf("%s's revisions no longer apply: planned on top of it, %s line %d would be %s instead of %s", r.name, name, line, should, is), nil
		}
	}
	r.snapFiles = rebased
	snap, err := readSnapshot(p, revision.SnapshotFile(r.name), rebased[revision.SnapshotFile(r.name)])
	if err != nil {
		return "", err
	}
	r.snap = snap
	return "", nil
}

// sameDefault refuses a release whose schema block declares another
// database default than its revisions were computed for (its snapshot's):
// they count bytes, compare collations and choose INSTANT or a copy by it,
// and Atlas sees no difference in the tables to plan. A released release's
// revisions stay as they are; the releases after it are planned for what
// its file declares (diff.Between).
func sameDefault(p *project.Project, r *release) error {
	if !r.needsTransition() || p.Released(r.name) {
		return nil // the same source declares the same default
	}
	declared, err := schemadef.DeclaredDefault(r.src.File, r.src.Src, p.Target)
	if err != nil {
		return err
	}
	path := project.Rel(filepath.Join(p.PlansDir, revision.SnapshotFile(r.name)))
	planned, err := schemadef.DeclaredDefault(path, r.snap.body, p.Target)
	if err != nil || declared == planned {
		return err
	}
	return fmt.Errorf("%s: release %s declares the database default %s, but its revisions were computed for %s (%s): they count bytes, compare collations and choose INSTANT or a copy by it. Run `emcee plan --rewrite %s` to plan %s again for %s (refused once it is released), or declare %s again",
		r.src.File, r.name, declared, planned, path, r.name, r.name, declared, planned)
}

// defaultAsBefore refuses a release planned now whose schema block
// declares another database default than the release before it, which
// has a table taking it. The declaration says what the database's
// default is (emcee never changes it), and the release is planned with
// the previous release's tables taking the default it declares
// (diff.Between): a database of the previous release has them in the
// old one, whatever its default is changed to. Its plans were right for
// no database (refused before the change by the applier's default check,
// after it as drift), and applied over the drift they counted bytes the
// columns do not have.
func defaultAsBefore(p *project.Project, prev, r *release) error {
	if prev == nil {
		return nil
	}
	declared, err := schemadef.DeclaredDefault(r.src.File, r.src.Src, p.Target)
	if err != nil {
		return err
	}
	before, err := schemadef.DeclaredDefault(prev.src.File, prev.src.Src, p.Target)
	if err != nil || declared == before {
		return err
	}
	rel, err := diff.Load(prev.src, p.Target)
	if err != nil {
		return err
	}
	var taking []string
	for _, t := range rel.Schema.Tables {
		if slices.ContainsFunc(t.Columns, func(c *schema.Column) bool { return schemadef.FromDatabase(t, c) }) {
			taking = append(taking, t.Name)
		}
	}
	if len(taking) == 0 {
		return nil
	}
	return fmt.Errorf("%s: release %s declares the database default %s, but %s, the release before it, declares %s, and its tables %s take it: a database of %s keeps them in %s when its default changes, and %s would be planned as if they had %s. Declare one default in both files, the one the databases have (emcee never changes it); to move those tables to %s, keep %s's default in %s and declare charset and collate on them there (a conversion emcee plans): a later release may declare another default once no table takes it",
		r.src.File, r.name, declared, prev.name, before, strings.Join(sqlsyntax.Some(taking, 3), ", "), prev.name, before, r.name, declared, declared, prev.name, r.name)
}

// release is one release as the plans directory and its schema file know it.
type release struct {
	name string
	src  diff.Source // the schema file
	// snap is the latest snapshot, nil when the release has no revisions
	// yet or is being rewritten; snapFiles are all its snapshot files.
	snap      *snapshot
	snapFiles map[string][]byte
	lastSeq   int
	// end is the source of the state the release's revisions produce, when
	// it is not the schema file (a change Atlas sees no difference in).
	end         *diff.Source
	speculative func() (*splitter.Planned, error)
	// sql are the files of a release declared as SQL, nil for HCL.
	sql *diff.SQLFiles
}

func (r *release) needsTransition() bool {
	return r.snap == nil || !bytes.Equal(r.snap.body, r.src.Src)
}

// transition plans the release from the previous release's end state
// (prev), or from its own last revision, in the background (diff.Load
// bounds how many releases are evaluated at a time); the function returned
// waits for it.
func (r *release) transition(p *project.Project, prev *diff.Source) func() (*splitter.Planned, error) {
	s := splitter.Sources{Prev: prev, To: r.src}
	if r.snap != nil {
		s.AsOf = r.snap.source(p, r.name)
	}
	f := sync.OnceValues(func() (*splitter.Planned, error) { return splitter.Transition(p.Target, s) })
	go f()
	return f
}

// endSource is the state the release's revisions produce (nil before the
// first release).
func (r *release) endSource() *diff.Source {
	switch {
	case r == nil:
		return nil
	case r.end != nil:
		return r.end
	}
	return &r.src
}

func readReleases(p *project.Project, existing *revision.Plans, opts Options) ([]*release, error) {
	out := make([]*release, 0, len(p.Releases))
	for _, name := range p.Releases {
		// A release declared as SQL is recognized by its snapshot also
		// when it is rewritten: the evaluation does not depend on it.
		latest, snapErr := readSnapshot(p, revision.SnapshotFile(name), existing.Files[revision.SnapshotFile(name)])
		last := latest
		if last != nil && slices.Contains(opts.Rewrite, name) {
			if _, ok := diff.FromSQLFile(last.body); !ok {
				// The snapshot of a release declared in HCL when it was
				// planned stands for SQL files that change nothing in it,
				// but not for new revisions: they cite the SQL.
				last = nil
			}
		}
		src, sql, err := source(p, name, last, opts.SQL, opts.Reevaluate)
		if err != nil {
			return nil, err
		}
		r := &release{name: name, src: src, sql: sql}
		revs := existing.Of(name, revision.Expand)
		if len(revs) > 0 && !slices.Contains(opts.Rewrite, name) {
			r.lastSeq = revs[len(revs)-1].ID.Seq
			if r.snap = latest; snapErr != nil {
				return nil, snapErr
			}
			r.snapFiles = maps.Clone(existing.Files)
			maps.DeleteFunc(r.snapFiles, func(path string, _ []byte) bool { return !revision.IsSnapshot(name, path) })
		}
		out = append(out, r)
	}
	return out, nil
}

// Source reads a release's schema file as the release pipeline reads it.
// A release declared as SQL is what its latest snapshot holds when its
// files have not changed since (their hash is the one it records), and
// what sql evaluates otherwise; with sql nil, that is an error naming the
// file.
func Source(p *project.Project, release string, sql SQLEval) (diff.Source, error) {
	last, _ := latestSnapshot(p, release)
	src, _, err := source(p, release, last, sql, false)
	return src, err
}

func source(p *project.Project, release string, last *snapshot, eval SQLEval, reevaluate bool) (diff.Source, *diff.SQLFiles, error) {
	files, err := p.Files(release)
	if err != nil {
		return diff.Source{}, nil, err
	}
	src, err := os.ReadFile(files.Schema)
	if os.IsNotExist(err) {
		return diff.Source{}, nil, fmt.Errorf("%s: release %q is listed in %s but has no schema file; create it (copy the previous release's file to start), or declare it as SQL in %s", project.Rel(files.Schema), release, project.Rel(p.Path), project.Rel(strings.TrimSuffix(files.Schema, ".hcl")+".sql"))
	}
	if err != nil {
		return diff.Source{}, nil, err
	}
	if !files.SQL {
		return diff.Source{Release: release, File: schemaName(p, release), Src: src}, nil, nil
	}
	f := diff.SQLFiles{Release: release, File: schemaName(p, release), SQL: src}
	if files.Decl != "" {
		if f.Decl, err = os.ReadFile(files.Decl); err != nil {
			return diff.Source{}, nil, err
		}
		f.DeclFile = relName(p, files.Decl)
	}
	recorded := last != nil && last.sql == f.Hash(p.Target)
	if recorded && (!reevaluate || eval == nil) {
		return *last.source(p, release), &f, nil
	}
	var out diff.Source
	err = ErrNoDatabase
	if eval != nil {
		out, err = eval(f)
	}
	if errors.Is(err, ErrNoDatabase) && recorded {
		return *last.source(p, release), &f, nil
	}
	if errors.Is(err, ErrNoDatabase) {
		return diff.Source{}, nil, &NeedsDatabase{File: f.File, Snapshot: project.Rel(filepath.Join(p.PlansDir, revision.SnapshotFile(release))), Planned: last != nil}
	}
	return out, &f, err
}

// ErrNoDatabase is what an SQLEval returns when no database was given.
var ErrNoDatabase = errors.New("no dev database given")

// NeedsDatabase is the error of planning a release declared as SQL whose
// files changed since its last plan, without a dev database to evaluate
// them in.
type NeedsDatabase struct {
	File     string // the SQL file, relative to the project
	Snapshot string
	Planned  bool // the release has a snapshot, of other files
}

func (e *NeedsDatabase) Error() string {
	why := fmt.Sprintf("%s changed since its last plan (%s records other files)", e.File, e.Snapshot)
	if !e.Planned {
		why = fmt.Sprintf("%s has not been planned yet", e.File)
	}
	return why + ": a release declared as SQL is evaluated in a dev database (the SQL runs there and Atlas inspects what it creates), and no database was given. Pass --dev-url mysql://user@host/empty_db, --env NAME (an env with a dev or url), or --url mysql://user@host/any_db (a temporary emcee_scratch_* database is created on that server), or set $EMCEE_DEV_URL or $EMCEE_URL; once planned and committed, the release plans without a database until its files change"
}

// scripts are the revisions of one split, one per phase, in phase order,
// and the rollback that undoes its expand.
func scripts(release string, seq int, from string, phases splitter.Phases) []*revision.Script {
	out := make([]*revision.Script, 0, len(revision.Phases)+1)
	for _, ph := range append(slices.Clone(revision.Phases), revision.Rollback) {
		id := revision.ID{Release: release, Phase: ph, Seq: seq}
		out = append(out, &revision.Script{ID: id, From: from, To: release, Statements: phases[ph]})
	}
	return out
}

// addRollbacks writes the rollback of every expand revision that has none:
// releases planned before emcee wrote rollbacks get theirs, recomputed
// from the snapshots each step was planned from, as `plan --check`
// recomputes them. A rollback refused at plan time (closed gates only) is
// written again too, released or not: no database has run a statement of
// it (the applier refuses it before its first), and an emcee that can now
// undo what it refused (a widened type, narrowed back by a copy) gives
// the release its rollback. No other revision changes; a step whose
// snapshots are gone gets no rollback, and the run says so.
func addRollbacks(p *project.Project, out *Output) error {
	for _, rel := range p.Releases {
		var missing []revision.ID
		for path := range out.Files {
			if id, ok := revision.FileID(path); ok && id.Release == rel && id.Phase == revision.Expand {
				rb := revision.ID{Release: rel, Phase: revision.Rollback, Seq: id.Seq}
				if data, ok := out.Files[rb.File()]; !ok || refusedRollback(rb, data) {
					missing = append(missing, rb)
				}
			}
		}
		if len(missing) == 0 {
			continue
		}
		want, err := Expected(p, out.Files, rel)
		if err != nil {
			return fmt.Errorf("writing the rollback revisions of release %s: %w", rel, err)
		}
		slices.SortFunc(missing, func(a, b revision.ID) int { return a.Seq - b.Seq })
		for _, id := range missing {
			data, ok := want[id.File()]
			if had, committed := out.Files[id.File()]; committed && (!ok || bytes.Equal(had, data)) {
				continue
			}
			if !ok {
				out.Notes = append(out.Notes, fmt.Sprintf("%s is not written: the snapshots %s_expand%02d was planned from are gone, so emcee cannot tell what it did; that expand cannot be rolled back", project.Rel(filepath.Join(p.PlansDir, id.File())), rel, id.Seq))
				continue
			}
			out.Files[id.File()] = data
			out.New = append(out.New, id)
		}
	}
	return nil
}

// refusedRollback tells a rollback revision that holds only the closed
// gates of a refusal at plan time.
func refusedRollback(id revision.ID, data []byte) bool {
	stmts, err := revision.Parse(id.File(), data)
	return err == nil && len(stmts) > 0 && !slices.ContainsFunc(stmts, func(st revision.Statement) bool {
		_, refuses := st.RollbackRefusal()
		return !refuses
	})
}
