package lint

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/mysql"
	_ "ariga.io/atlas/sql/mysql/mysqlcheck" // registers Atlas's MySQL analyzers
	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
)

// replay is Atlas's view of the plans: what each statement changes, and
// what Atlas's own analyzers (destructive, data_depend, condrop,
// incompatible) say about each revision. Atlas's analyzers need the
// changes statement by statement; `atlas migrate lint` gets them by running
// the files in a dev database and inspecting it after each statement, and
// so does emcee.
type replay struct {
	files map[*Revision]*sqlcheck.File
	diags map[*Revision][]diagnostic
	// fired are the triggers that failed when fired after their revision
	// was replayed (devdb.FireTriggers), by the statement creating them,
	// and the backfills and gates that failed to run.
	fired map[*Revision][]firedTrigger
	// seen are the trigger failures reported, by table and error: a
	// trigger left in place fails again when a later revision's triggers
	// on its table fire, and is reported once.
	seen map[string]bool
}

// firedTrigger is a trigger that cannot run on the dev database's server.
type firedTrigger struct {
	stmt int // the statement of the revision that creates it
	devdb.Failure
}

// diagnostic is one Atlas diagnostic and who made it.
type diagnostic struct {
	stmt     int    // index of the statement in its revision
	analyzer string // the Atlas analyzer's name, e.g. "destructive"
	sqlcheck.Diagnostic
}

// file is the revision as Atlas's analyzers saw it.
func (r *replay) file(rev *Revision) *sqlcheck.File {
	if r == nil {
		return nil
	}
	return r.files[rev]
}

// atlas lists the diagnostics of the named Atlas analyzers at a statement.
func (r *replay) atlas(rev *Revision, i int, analyzers ...string) []diagnostic {
	if r == nil {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(r.diags[rev]), func(d diagnostic) bool { return d.stmt != i || !slices.Contains(analyzers, d.analyzer) })
}

// Names of the Atlas analyzers whose diagnostics emcee maps.
const (
	atlasDestructive   = "destructive"
	atlasDataDependent = "data_depend"
	atlasConDrop       = "condrop"
	atlasIncompatible  = "incompatible"
)

// foreignStatement refuses to replay plans holding a statement no emcee
// writes (revision.Statement.Foreign): a GRANT or CREATE USER added by
// hand would run on the dev database's server as the replay reached it.
// The findings that read the files alone (EM106 names the statement) are
// still reported.
func foreignStatement(plans *Plans) error {
	for _, rev := range slices.Concat(plans.Revisions, plans.Rollbacks) {
		for i, st := range rev.Statements {
			if why := st.Foreign(rev.parsed[i]); why != "" {
				return fmt.Errorf("%s:%d: %q is %s: lint replays no plan in the dev database while one holds it; restore plans from version control (`emcee plan --check` says what differs)", rev.File, rev.Line(i), st.SQL, why)
			}
		}
	}
	return nil
}

// replayPlans replays the revisions; stored gives the stored functions a
// release declares, which its triggers may call although the dev database
// cannot have them.
func replayPlans(ctx context.Context, dev *devdb.DB, revs []*Revision, stored func(release string) []string) (*replay, error) {
	drv, err := mysql.Open(dev.Conn)
	if err != nil {
		return nil, err
	}
	// Atlas's analyzers ask the dev client for its driver only.
	client := &sqlclient.Client{Name: mysql.DriverName, Driver: drv}
	azs, err := sqlcheck.AnalyzerFor(mysql.DriverName, nil)
	if err != nil {
		return nil, err
	}
	prev, err := dev.Tables(ctx)
	if err != nil {
		return nil, err
	}
	r := &replay{files: map[*Revision]*sqlcheck.File{}, diags: map[*Revision][]diagnostic{}, fired: map[*Revision][]firedTrigger{}, seen: map[string]bool{}}
	for _, rev := range revs {
		f := &sqlcheck.File{File: migrate.NewLocalFile(rev.Path, rev.Data), Parser: parser{rev}}
		fns := declared(stored(rev.ID.Release))
		// One session for all plans: they may set session variables for
		// the statements after them.
		for i := range rev.Statements {
			fails, err := replayStatement(ctx, dev, rev, i, fns)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", rev.File, rev.Line(i), err)
			}
			for _, fl := range fails {
				r.fired[rev] = append(r.fired[rev], firedTrigger{stmt: i, Failure: fl})
			}
			cur, err := dev.Tables(ctx)
			if err != nil {
				return nil, err
			}
			changes, err := drv.SchemaDiff(prev, cur)
			if err != nil {
				return nil, err
			}
			f.Changes = append(f.Changes, &sqlcheck.Change{Stmt: rev.Stmts[i], Changes: renamed(rev.parsed[i], changes)})
			prev = cur
		}
		r.files[rev] = f
		if err := r.fire(ctx, dev, rev, fns); err != nil {
			return nil, err
		}
		for _, az := range azs {
			var name string
			if n, ok := az.(sqlcheck.NamedAnalyzer); ok {
				name = n.Name()
			}
			reported := false
			pass := &sqlcheck.Pass{File: f, Dev: client, Reporter: sqlcheck.ReportWriterFunc(func(rep sqlcheck.Report) {
				reported = true
				for _, d := range rep.Diagnostics {
					r.diags[rev] = append(r.diags[rev], diagnostic{stmt: rev.stmtAt(d.Pos), analyzer: name, Diagnostic: d})
				}
			})}
			// An analyzer set to fail a lint returns an error after its
			// report; emcee decides what fails by its own policy.
			if err := az.Analyze(ctx, pass); err != nil && !reported {
				return nil, fmt.Errorf("%s: Atlas analyzer %s: %w", rev.File, name, err)
			}
		}
	}
	return r, nil
}

// replayStatement runs statement i of rev in the dev database: a gate or
// a backfill as the expand preflight runs them, rolled back, a stored
// function the release declares (fns) not counted, returning the ways it
// cannot run; any other statement for good, a failure a *devdb.StepError.
func replayStatement(ctx context.Context, dev *devdb.DB, rev *Revision, i int, fns devdb.Functions) ([]devdb.Failure, error) {
	step := []devdb.Step{{Revision: rev.ID.String(), N: i + 1, SQL: rev.Statements[i].SQL}}
	if k := rev.Statements[i].Kind; k == revision.Gate || k == revision.Backfill {
		return dev.Run(ctx, step, fns)
	}
	return nil, dev.Build(ctx, nil, step, nil)
}

// fire fires the triggers a revision creates, once it is replayed, as the
// expand preflight does before it creates them on a live database.
func (r *replay) fire(ctx context.Context, dev *devdb.DB, rev *Revision, fns devdb.Functions) error {
	creates := map[string]int{}
	for i, d := range rev.parsed {
		if d.Kind == effect.KindCreateTrigger {
			creates[strings.ToLower(d.Trigger)] = i
		}
	}
	if len(creates) == 0 {
		return nil
	}
	fails, err := dev.FireTriggers(ctx, fns)
	if err != nil {
		return fmt.Errorf("%s: firing its triggers in the dev database: %w", rev.File, err)
	}
	for _, f := range fails {
		if f.Unsafe {
			// How the dev server logs says nothing of the target's.
			continue
		}
		key := strings.ToLower(f.Table) + "\x00" + f.Err.Error()
		if r.seen[key] {
			continue
		}
		r.seen[key] = true
		for _, t := range f.Triggers {
			if i, ok := creates[strings.ToLower(t)]; ok {
				r.fired[rev] = append(r.fired[rev], firedTrigger{stmt: i, Failure: f})
				break
			}
		}
	}
	return nil
}

// declared knows the stored functions a release declares: the dev database
// cannot have them, so a call of one is not counted against a statement.
func declared(names []string) devdb.Functions {
	return func(_ context.Context, name string) (string, bool, error) {
		return "", sqlname.IsOneOf(name, names...), nil
	}
}

// stmtAt is the index of the statement at a byte offset.
func (r *Revision) stmtAt(pos int) int {
	return slices.IndexFunc(r.Stmts, func(s *migrate.Stmt) bool { return s.Pos == pos })
}

// renamed turns the drop and re-creation that a diff of two inspections
// reports for a rename into the rename it is, as Atlas's SQL parser does
// for `atlas migrate lint`: a rename kept working by a view under the old
// name is not a drop.
func renamed(d *effect.DDL, changes schema.Changes) schema.Changes {
	pairs := d.Renames
	for _, c := range d.Clauses {
		if c.Op == "RENAME" && c.Object == "TABLE" {
			pairs = append(pairs, [2]string{d.Name, c.To})
		}
	}
	for _, p := range pairs {
		rename(&changes, changes.IndexDropTable(p[0]), changes.IndexAddTable(p[1]), func(drop, add schema.Change) schema.Change {
			return &schema.RenameTable{From: drop.(*schema.DropTable).T, To: add.(*schema.AddTable).T}
		})
	}
	for _, c := range changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok || d.Kind != effect.KindAlterTable || !strings.EqualFold(m.T.Name, d.Name) {
			continue
		}
		mc := (*schema.Changes)(&m.Changes)
		for _, cl := range d.Clauses {
			if cl.To == "" || cl.To == cl.Name {
				continue
			}
			switch cl.Object {
			case "COLUMN":
				rename(mc, mc.IndexDropColumn(cl.Name), mc.IndexAddColumn(cl.To), func(drop, add schema.Change) schema.Change {
					return &schema.RenameColumn{From: drop.(*schema.DropColumn).C, To: add.(*schema.AddColumn).C}
				})
			case "INDEX":
				// RENAME INDEX (rule rename-index): the same key under
				// another name, which no stored row can break; Atlas
				// alone reads a unique one as a key added (MF101).
				rename(mc, mc.IndexDropIndex(cl.Name), mc.IndexAddIndex(cl.To), func(drop, add schema.Change) schema.Change {
					return &schema.RenameIndex{From: drop.(*schema.DropIndex).I, To: add.(*schema.AddIndex).I}
				})
			}
		}
	}
	return changes
}

// rename replaces the drop at i and the add at j of changes (-1: not
// there) by the one change as makes of the two.
func rename(changes *schema.Changes, i, j int, as func(drop, add schema.Change) schema.Change) {
	if i >= 0 && j >= 0 {
		(*changes)[i] = as((*changes)[i], (*changes)[j])
		changes.RemoveIndex(j)
	}
}

// parser answers the questions Atlas's analyzers ask the SQL parser of a
// file; Atlas's parser is part of its CLI, not of its library. The one
// question emcee's plans need answered: is a renamed table followed by a
// view under its old name (rule rename-table)? The analyzer then does not
// report the rename as breaking the previous release.
type parser struct{ rev *Revision }

func (p parser) CreateViewAfter(_ []*migrate.Stmt, old, new string, pos int) (bool, error) {
	next := slices.IndexFunc(p.rev.Stmts, func(st *migrate.Stmt) bool { return st.Pos > pos })
	return next >= 0 && viewKeepsName(p.rev, next-1, old, new), nil
}
