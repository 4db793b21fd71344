// Package review explains committed plans to the release manager who
// approves them: per release, the order operators follow; per revision,
// every statement with the rule that placed it, what it changes and what
// it locks; and across the release, the gates contract runs, the triggers
// created and dropped, and the data at risk. It reads only plans/ (and the
// snapshots beside the scripts), so it needs no database and describes the
// files as committed.
package review

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Report is the review of one or more releases. Its JSON form is part of
// emcee's interface (`emcee review --format json`).
type Report struct {
	Target   string     `json:"target"` // the server the plans are written for
	Releases []*Release `json:"releases"`
	// SizesFrom is the database table sizes were read from (password
	// hidden); empty when review had no database.
	SizesFrom string `json:"sizes_from,omitempty"`
	// Redo is that database's redo log, where the server shows its limit
	// (MariaDB).
	Redo *RedoLog `json:"redo_log,omitempty"`
}

// Release is everything a release manager approves for one release.
type Release struct {
	Name     string `json:"release"`
	Previous string `json:"previous,omitempty"`
	// Order is what operators do, in order; steps with a Command run emcee.
	Order []Step `json:"order"`
	// Differs are its revisions that differ from what this emcee writes
	// from their snapshots: another emcee's output (a released release
	// keeps it, plan --check passes it) or an edit, which emcee cannot
	// tell apart; each statement that differs is for a person to read.
	Differs []Difference `json:"differs_from_planner,omitempty"`
	Gates   []Gate       `json:"gates"`
	// ExpandGates run before expand changes anything: a charset
	// conversion's count of the keys its collation makes collide.
	ExpandGates []Gate       `json:"expand_gates,omitempty"`
	Objects     []SyncObject `json:"triggers_and_views"`
	DataAtRisk  []Risk       `json:"data_at_risk"`
	Tightened   []Tightening `json:"tightened"`
	// Rebuilds are the statements that rewrite every row of a table (in
	// place or by a copy), in plan order.
	Rebuilds []Rebuild `json:"rebuilds"`
	// Tables are the tables the release changes, column by column.
	Tables []TouchedTable `json:"tables"`
	// Rollback is what undoing the release's expand does, before its
	// contract starts.
	Rollback  *Rollback   `json:"rollback"`
	Revisions []*Revision `json:"revisions"`
}

// Rollback is what `emcee db rollback` does to a release whose contract has
// not started: its rollback revisions, newest first, undo what its expand
// revisions did, while the previous release keeps serving.
type Rollback struct {
	// Revisions are the rollback revisions in the order they run.
	Revisions []string `json:"revisions"`
	// Refused are the expand statements that cannot be undone online;
	// with any, the rollback changes nothing and the way back is a
	// backup.
	Refused []Refusal `json:"refused"`
	Gates   []Gate    `json:"gates"`
	// Undoes is what each statement changes, in the order they run.
	Undoes []Undo `json:"undoes"`
	// Lost is what only the new release wrote and the rollback drops.
	Lost []Loss `json:"lost"`
	// Stays is what the rollback leaves as it is.
	Stays []string `json:"stays"`
	// Copies are the tables its statements copy (a widened type narrowed
	// back), which `emcee db rollback` runs only with --osc pt-osc or
	// --allow-copy.
	Copies []string `json:"copies"`
}

// Refusal is an expand statement emcee cannot undo online, and why.
type Refusal struct {
	At   string `json:"at"`
	Rule string `json:"rule"`
	Why  string `json:"why"`
}

// Undo is one statement of a rollback revision.
type Undo struct {
	At      string   `json:"at"`
	Rule    string   `json:"rule"`
	Changes []string `json:"changes"`
}

// Loss is data the rollback drops: a column or a table the new release
// wrote, or nothing where sync triggers kept the data elsewhere.
type Loss struct {
	What string `json:"what"` // column or table
	Name string `json:"name"` // table.column or table
	Lost string `json:"lost"` // what goes with it
	At   string `json:"at"`
	Rule string `json:"rule"`
}

// Difference is a revision that differs from what this emcee writes.
type Difference struct {
	File string `json:"file"`
	// PlannedBy is the plan format its snapshot records, where, and, for
	// a revision emcee knows was edited by hand, that it was.
	PlannedBy string `json:"planned_by"`
	// Edited is set for a revision edited by hand (planner.Edit.ByHand:
	// its snapshot records this emcee's format, or it holds a statement
	// no emcee writes), not another emcee's output.
	Edited bool `json:"edited,omitempty"`
	// Statements are those that differ (planner.Edit.SQL), or why this
	// emcee cannot recompute the release.
	Statements []string `json:"statements"`
}

// Step is one step of the upgrade; Command is empty for what operators do
// outside emcee (deploying and retiring application instances).
type Step struct {
	Command string `json:"command,omitempty"`
	Text    string `json:"text"`
}

// Revision is one plan file.
type Revision struct {
	ID         string       `json:"id"`
	Phase      string       `json:"phase"`
	File       string       `json:"file"`
	Checksum   string       `json:"checksum"`
	Statements []*Statement `json:"statements"`
}

// Statement is one statement of a plan file.
type Statement struct {
	N       int      `json:"n"`
	At      string   `json:"at"` // file:line
	Rule    string   `json:"rule"`
	Why     string   `json:"why"`
	Kind    string   `json:"kind"` // ddl, gate or backfill
	Changes []string `json:"changes"`
	Lock    Lock     `json:"lock"`
	SQL     string   `json:"sql"`
}

// Gate is a check contract runs before changing anything.
type Gate struct {
	At    string `json:"at"`
	Rule  string `json:"rule"`
	Means string `json:"means"` // what a non-zero count means, and what to do
	SQL   string `json:"sql"`
}

// SyncObject is a trigger or view emcee creates for the time both releases
// run. Dropped is empty when the release does not drop it.
type SyncObject struct {
	Kind    string `json:"kind"` // trigger or view
	Name    string `json:"name"`
	On      string `json:"on"` // "BEFORE INSERT ON images", or the table a view reads
	Created string `json:"created,omitempty"`
	Dropped string `json:"dropped,omitempty"`
}

// Risk is data a statement destroys: a column or table and everything in it.
type Risk struct {
	What       string `json:"what"` // column, table or rows
	Name       string `json:"name"` // table.column or table
	Definition string `json:"definition"`
	At         string `json:"at"`
	Rule       string `json:"rule"`
	// MovedBy names the data migration that moves a dropped column's
	// values into rows of another table before the drop (its gate runs
	// first), and where it is declared.
	MovedBy string `json:"moved_by,omitempty"`
}

// Tightening is a column contract makes stricter, or a unique index,
// foreign key or check it adds to existing rows; the gates that guard it
// must pass first, or the statement fails on rows that do not fit.
type Tightening struct {
	What  string   `json:"what"` // column, unique index, foreign key or check
	Name  string   `json:"name"` // table.column or table.constraint
	From  string   `json:"from,omitempty"`
	To    string   `json:"to"`
	At    string   `json:"at"`
	Gates []string `json:"gates"`
}

// Build reviews the given releases of a project from its plans, which the
// caller has read and verified against the sum file.
func Build(p *project.Project, plans *revision.Plans, releases []string) (*Report, error) {
	rep := &Report{Target: p.Target.String(), Releases: []*Release{}}
	for _, name := range releases {
		r, err := buildRelease(p, plans, name)
		if err != nil {
			return nil, err
		}
		rep.Releases = append(rep.Releases, r)
	}
	return rep, nil
}

// state is what the snapshots say about the columns and tables a release
// starts from and ends with.
type state struct{ before, after *schema.Schema }

func buildRelease(p *project.Project, plans *revision.Plans, name string) (*Release, error) {
	r := &Release{Name: name, Gates: []Gate{}, Objects: []SyncObject{}, DataAtRisk: []Risk{}, Tightened: []Tightening{}, Rebuilds: []Rebuild{}, Revisions: []*Revision{}}
	if i := p.Index(name); i > 0 {
		r.Previous = p.Releases[i-1]
	}
	var st state
	var err error
	if r.Previous != "" {
		if st.before, err = snapshot(p, r.Previous); err != nil {
			return nil, err
		}
	}
	after, err := declared(p, name)
	if err != nil {
		return nil, err
	}
	st.after = after.Schema
	if r.Differs, err = differs(p, plans, name); err != nil {
		return nil, err
	}
	var revs []*revision.Revision
	for _, phase := range revision.Phases {
		for _, rev := range plans.Of(name, phase) {
			revs = append(revs, rev)
			r.Revisions = append(r.Revisions, r.addRevision(p, rev, st))
		}
	}
	takesOver := map[string]string{}
	for ref, d := range after.Declarations.Columns {
		if src := d.Source(); src != "" {
			takesOver[ref.String()] = src
		}
	}
	for i, d := range r.DataAtRisk {
		if table, column, ok := strings.Cut(d.Name, "."); ok && d.What == "column" {
			if m := after.Declarations.MovedBy(table, column); m != nil {
				r.DataAtRisk[i].MovedBy = fmt.Sprintf("data_migration %q inserts its values into rows of %s; its gate runs before the drop", m.Name, m.Table)
			}
		} else if ms := after.Declarations.RowsMovedBy(d.Name); len(ms) > 0 && d.What == "table" {
			names := make([]string, len(ms))
			for j, m := range ms {
				names[j] = strconv.Quote(m.Name)
			}
			r.DataAtRisk[i].MovedBy = fmt.Sprintf("data_migration %s %s its rows into %s; %s before the drop", strings.Join(names, ", "), sqlsyntax.OneOrMany(len(ms), "inserts", "insert"), ms[0].Table, sqlsyntax.OneOrMany(len(ms), "its gate runs", "their gates run"))
		}
	}
	r.Tables = touchedTables(revs, st, takesOver)
	r.Rollback = r.rollback(p, plans.Of(name, revision.Rollback), st, after, takesOver)
	r.Order = order(r)
	return r, nil
}

// differs recomputes the release's revisions, as plan --check and lint
// do: a revision of a released release an older plan format planned passes
// them with a note, and review, where a person reads a release, shows every
// statement of it that this emcee does not write, at the top.
func differs(p *project.Project, plans *revision.Plans, name string) ([]Difference, error) {
	edits, unchecked, err := planner.CompareRelease(p, plans.Files, name)
	if err != nil {
		return nil, err
	}
	var out []Difference
	for _, u := range unchecked {
		out = append(out, Difference{File: strings.Join(u.Revisions, ", "), PlannedBy: "not recomputed", Statements: []string{u.String()}})
	}
	for _, e := range edits {
		d := Difference{File: project.Rel(filepath.Join(p.PlansDir, e.Path)), Statements: e.SQL()}
		where := project.Rel(filepath.Join(p.PlansDir, e.Snapshot))
		if e.FormatLine > 0 {
			where = fmt.Sprintf("%s:%d", where, e.FormatLine)
		}
		d.PlannedBy = fmt.Sprintf("%s records %s; this emcee writes plan format %d", where, e.PlannedBy(), planner.Format)
		// What emcee can tell, it says: a revision of its own format, or
		// holding a statement no emcee writes, was edited by hand (plan
		// --check refuses it), which the review called "another emcee's
		// output or an edit: emcee cannot tell".
		if e.Err == nil && e.ByHand() {
			d.PlannedBy += ": edited by hand (`emcee plan --check` refuses it); restore it from version control"
			d.Edited = true
		}
		foreign := e.Foreign()
		for i, st := range d.Statements {
			if slices.Contains(foreign, st) {
				d.Statements[i] = st + ": no emcee writes it, and the applier refuses the revision"
			}
		}
		if e.Err != nil {
			d.Statements = []string{fmt.Sprintf("this emcee cannot recompute the release's revisions: %v", e.Err)}
		} else if len(d.Statements) == 0 {
			d.Statements = []string{"no statement: only comments differ"}
		}
		out = append(out, d)
	}
	return out, nil
}

// declared reads a release's snapshot with its declarations (which new
// column takes over from which old one, the data migrations): as the
// planner reads it, so that a release declared as SQL has those of its
// declarations file.
func declared(p *project.Project, release string) (*diff.Release, error) {
	src, err := planner.SnapshotSource(p, release)
	if err != nil {
		return nil, missing(filepath.Join(p.PlansDir, revision.SnapshotFile(release)), err)
	}
	return diff.Load(src, p.Target)
}

func snapshot(p *project.Project, release string) (*schema.Schema, error) {
	path := filepath.Join(p.PlansDir, revision.SnapshotFile(release))
	s, err := schemadef.ReadSnapshot(path, p.Target)
	return s, missing(path, err)
}

// missing says that the review needs a snapshot it cannot find.
func missing(path string, err error) error {
	if os.IsNotExist(err) {
		return fmt.Errorf("%s is missing: the review needs it to name what drops lose; run `emcee plan`", project.Rel(path))
	}
	return err
}

// rollback reviews the release's rollback revisions, newest first as
// they run; each is also listed with the other revisions.
func (r *Release) rollback(p *project.Project, revs []*revision.Revision, st state, after *diff.Release, takesOver map[string]string) *Rollback {
	rb := &Rollback{Revisions: []string{}, Refused: []Refusal{}, Gates: []Gate{}, Undoes: []Undo{}, Lost: []Loss{}, Stays: []string{}, Copies: []string{}}
	var placeholders []string
	for _, rev := range revs {
		rb.Revisions = append(rb.Revisions, rev.ID.String())
		out := r.addRevision(p, rev, st)
		r.Revisions = append(r.Revisions, out)
		for k, s := range rev.Statements {
			stmt := out.Statements[k]
			why, refused := s.RollbackRefusal()
			switch {
			case refused:
				rb.Refused = append(rb.Refused, Refusal{At: stmt.At, Rule: s.Rule, Why: why})
			case s.Kind == revision.Gate:
				rb.Gates = append(rb.Gates, Gate{At: stmt.At, Rule: s.Rule, Means: s.Why, SQL: s.SQL})
			default:
				rb.Undoes = append(rb.Undoes, Undo{At: stmt.At, Rule: s.Rule, Changes: stmt.Changes})
				if t := stmt.Lock.Rebuilds; stmt.Lock.Class == splitter.CostCopy && !slices.Contains(rb.Copies, t) {
					rb.Copies = append(rb.Copies, t)
				}
				for _, e := range effect.Parse(s.SQL).Effects() {
					if l, ok := lost(e, stmt, takesOver); ok {
						rb.Lost = append(rb.Lost, l)
					}
					if e.Op == effect.ColumnDefault {
						placeholders = append(placeholders, e.Table+"."+e.Name)
					}
				}
			}
		}
	}
	if len(revs) > 0 {
		for _, m := range after.Declarations.DataMigrations {
			old := m.Table
			if td, ok := after.Declarations.Tables[m.Table]; ok {
				old = td.RenamedFrom
			}
			// Rows inserted into a table new in the release (or in the first
			// release, with no previous one to return to) go with the table,
			// said there.
			had := schemadef.TableIn(st.before, old) != nil
			switch {
			case m.InsertList != nil && had:
				rb.Stays = append(rb.Stays, fmt.Sprintf("data migration %s: the rows of %s it inserted in migrate stay; it ran while %s served, which tolerates them (their values in columns new in this release go with those columns)", m.Name, m.Table, r.previous()))
			case m.InsertList != nil, m.DeleteExpr != nil: // a delete is contract's: no rollback runs after it
			case m.Seed != nil && had:
				rb.Stays = append(rb.Stays, fmt.Sprintf("data migration %s: the %s of %s it declares stay; %s's schema holds them, and a row it does not look for is kept as any other", m.Name, sqlsyntax.Plural(len(m.Seed), "row"), m.Table, r.previous()))
			case m.Seed != nil:
			default:
				rb.Stays = append(rb.Stays, fmt.Sprintf("data migration %s: the rows of %s it rewrote in migrate stay as they are; it ran while %s served, which tolerates them", m.Name, m.Table, r.previous()))
			}
		}
		rb.Stays = append(rb.Stays, fmt.Sprintf("every row in the tables and columns of %s, with what either release wrote there", r.previous()))
		for _, c := range placeholders {
			rb.Stays = append(rb.Stays, fmt.Sprintf("%s in the rows the new release inserted: the placeholder default expand gave it, which the rollback takes away for later INSERTs", c))
		}
	}
	return rb
}

func (r *Release) previous() string {
	if r.Previous == "" {
		return "the empty database"
	}
	return "release " + r.Previous
}

// lost is what a rollback statement's drop loses.
func lost(e effect.Effect, stmt *Statement, takesOver map[string]string) (Loss, bool) {
	switch e.Op {
	case effect.DropColumn:
		what := "the values the new release wrote in it"
		if src, ok := takesOver[e.Table+"."+e.Name]; ok {
			what = fmt.Sprintf("nothing the previous release reads: the triggers kept %s.%s in step with it, as far as its backward conversion carries", e.Table, src)
		}
		return Loss{What: "column", Name: e.Table + "." + e.Name, Lost: what, At: stmt.At, Rule: stmt.Rule}, true
	case effect.DropTable:
		return Loss{What: "table", Name: e.Table, Lost: "the rows the new release wrote in it", At: stmt.At, Rule: stmt.Rule}, true
	}
	return Loss{}, false
}

func (r *Release) addRevision(p *project.Project, rev *revision.Revision, st state) *Revision {
	file, _ := filepath.Rel(p.Dir, filepath.Join(p.PlansDir, rev.Path))
	file = filepath.ToSlash(file)
	out := &Revision{ID: rev.ID.String(), Phase: string(rev.ID.Phase), File: file, Checksum: rev.Checksum, Statements: []*Statement{}}
	var gates []*Statement
	before := st.before // the tables as the previous release has them
	if rev.ID.Phase == revision.Rollback {
		// A rollback starts from the state after expand, which no
		// snapshot describes: without the columns, an in-place MODIFY
		// (rollback's only one: NOT NULL again) is classed a rebuild.
		before = nil
	}
	for i, s := range rev.Statements {
		at := fmt.Sprintf("%s:%d", file, s.Line)
		stmt := &Statement{N: i + 1, At: at, Rule: s.Rule, Why: s.Why, Kind: kind(s.Kind), Changes: []string{}, Lock: LockOf(p.Target, s, before), SQL: s.SQL}
		if p.OSC.Enabled() {
			stmt.Lock.handToOSC(p.Target, s, rev, st.before)
		}
		out.Statements = append(out.Statements, stmt)
		if stmt.Lock.Rebuilds != "" {
			rb := Rebuild{Table: stmt.Lock.Rebuilds, Phase: out.Phase, At: at, Class: stmt.Lock.Class}
			if o := stmt.Lock.OSC; o != nil && o.Refused == "" {
				rb.OSC = o.Tool
			}
			r.Rebuilds = append(r.Rebuilds, rb)
		}
		if s.Kind == revision.Gate {
			gates = append(gates, stmt)
			switch rev.ID.Phase {
			case revision.Expand:
				r.ExpandGates = append(r.ExpandGates, Gate{At: at, Rule: s.Rule, Means: s.Why, SQL: s.SQL})
			case revision.Contract:
				r.Gates = append(r.Gates, Gate{At: at, Rule: s.Rule, Means: s.Why, SQL: s.SQL})
			}
			continue
		}
		if s.Kind == revision.Backfill {
			if b, err := sqlsyntax.ReadBackfill(s.SQL); err == nil && b.Into != "" {
				stmt.Changes = append(stmt.Changes, "insert rows into "+b.Into+" from the rows of "+s.Table)
			} else {
				stmt.Changes = append(stmt.Changes, "backfill rows of "+s.Table)
			}
			continue
		}
		d := effect.Parse(s.SQL)
		if d.Err != nil {
			stmt.Changes = append(stmt.Changes, fmt.Sprintf("emcee cannot read this statement (%v): what it changes is not in this review; read it yourself", d.Err))
		}
		for _, e := range d.Effects() {
			stmt.Changes = append(stmt.Changes, describe(e))
			if rev.ID.Phase != revision.Rollback {
				// The upgrade's triggers, data at risk and tightenings;
				// the rollback has its own section.
				r.note(p.Target, e, stmt, rev.ID.Phase, st, gates)
			}
		}
	}
	return out
}

// note records what an effect means for the release as a whole.
func (r *Release) note(target project.Target, e effect.Effect, stmt *Statement, phase revision.Phase, st state, gates []*Statement) {
	switch e.Op {
	case effect.CreateTrigger:
		r.Objects = append(r.Objects, SyncObject{Kind: "trigger", Name: e.Name, On: e.Def + " ON " + e.Table, Created: stmt.At})
	case effect.CreateView:
		r.Objects = append(r.Objects, SyncObject{Kind: "view", Name: e.Name, Created: stmt.At})
	case effect.DropTrigger, effect.DropView:
		kind := strings.TrimPrefix(string(e.Op), "drop ")
		if i := slices.IndexFunc(r.Objects, func(o SyncObject) bool { return o.Kind == kind && o.Name == e.Name && o.Dropped == "" }); i >= 0 {
			r.Objects[i].Dropped = stmt.At
		} else {
			r.Objects = append(r.Objects, SyncObject{Kind: kind, Name: e.Name, Dropped: stmt.At})
		}
	case effect.DropColumn:
		r.DataAtRisk = append(r.DataAtRisk, Risk{What: "column", Name: e.Table + "." + e.Name, Definition: columnDef(st, e.Table, e.Name), At: stmt.At, Rule: stmt.Rule})
	case effect.DropTable:
		r.DataAtRisk = append(r.DataAtRisk, Risk{What: "table", Name: e.Table, Definition: tableDef(st, e.Table), At: stmt.At, Rule: stmt.Rule})
	case effect.DeleteRows:
		r.DataAtRisk = append(r.DataAtRisk, Risk{What: "rows", Name: e.Table, Definition: "rows the statement deletes: data destroyed, which no rollback brings back" + cascades(st.before, e.Table), At: stmt.At, Rule: stmt.Rule})
	case effect.AddUnique, effect.AddForeignKey, effect.AddCheck, effect.ModifyColumn, effect.AddPrimary:
		if phase != revision.Contract {
			return
		}
		t := Tightening{What: strings.TrimPrefix(string(e.Op), "add "), Name: e.Table + "." + e.Name, To: "added to existing rows", At: stmt.At, Gates: []string{}}
		if e.Op == effect.AddPrimary {
			t.Name = e.Table + " " + strings.TrimPrefix(e.Def, "UNIQUE ")
		}
		var columns []string
		key, tbl := t.What, schemadef.TableIn(st.after, e.Table)
		switch {
		case e.Op == effect.ModifyColumn:
			// Without a key, any gate reading the column guards it, whatever its rule.
			t.What, t.To, key, columns = "column", "as the statement declares", "", []string{e.Name}
			t.From = "new in this release: NULL until contract"
			before, after := column(st.before, e.Table, e.Name), column(st.after, e.Table, e.Name)
			if before != nil && after != nil && splitter.KeepsRows(target, before, after, schema.ChangeNull|schema.ChangeType) {
				// No stored value can break it (an ENUM's values
				// reordered, a default dropped): not a tightening.
				return
			}
			if before != nil {
				t.From = schemadef.ColumnDef(before)
			}
			if after != nil {
				t.To = schemadef.ColumnDef(after)
			}
		case tbl == nil:
		case e.Op == effect.AddUnique:
			if idx, ok := tbl.Index(e.Name); ok {
				columns = diff.PartColumns(idx)
			}
		case e.Op == effect.AddForeignKey:
			if fk, ok := tbl.ForeignKey(e.Name); ok {
				columns = diff.Names(fk.Columns)
			}
		case e.Op == effect.AddPrimary && tbl.PrimaryKey != nil:
			columns = diff.PartColumns(tbl.PrimaryKey)
		}
		for _, g := range gates {
			if revision.Guards(revision.Statement{Kind: revision.Gate, Rule: g.Rule, SQL: g.SQL}, revision.Statement{Rule: stmt.Rule}, key, e.Table, columns) {
				t.Gates = append(t.Gates, g.At)
			}
		}
		r.Tightened = append(r.Tightened, t)
	}
}

func kind(k revision.Kind) string {
	if k == revision.DDL {
		return "ddl"
	}
	return string(k)
}

func describe(e effect.Effect) string {
	switch {
	case e.Op == effect.RenameTable:
		return fmt.Sprintf("rename table %s to %s", e.Table, e.Name)
	case e.Op == effect.RenameColumn:
		return fmt.Sprintf("rename column %s.%s to %s", e.Table, e.Name, e.Def)
	case e.Op == effect.CreateTrigger:
		return fmt.Sprintf("create trigger %s (%s ON %s)", e.Name, e.Def, e.Table)
	case e.Op == effect.AddPrimary:
		return fmt.Sprintf("add primary key %s %s", e.Table, strings.TrimPrefix(e.Def, "UNIQUE "))
	case e.Table != "" && e.Name != "":
		return fmt.Sprintf("%s %s.%s", e.Op, e.Table, e.Name)
	case e.Table != "":
		return fmt.Sprintf("%s %s", e.Op, e.Table)
	}
	return fmt.Sprintf("%s %s", e.Op, e.Name)
}

func column(s *schema.Schema, table, name string) *schema.Column {
	t := schemadef.TableIn(s, table)
	if t == nil {
		return nil
	}
	c, _ := t.Column(name)
	return c
}

// columnDef names what a dropped column held. A column the snapshots do
// not know was added and dropped by revisions of this release.
func columnDef(st state, table, name string) string {
	for _, s := range []*schema.Schema{st.before, st.after} {
		if c := column(s, table, name); c != nil {
			return schemadef.ColumnDef(c)
		}
	}
	return "not in the snapshots of this release or the previous one: added and dropped within this release"
}

func tableDef(st state, table string) string {
	for _, s := range []*schema.Schema{st.before, st.after} {
		if t := schemadef.TableIn(s, table); t != nil {
			return strings.Join(schemadef.ColumnDefs(t), ", ")
		}
	}
	return "not in the snapshots of this release or the previous one"
}

// order is the sequence operators follow, with what each step runs.
func order(r *Release) []Step {
	prev := r.Previous
	var steps []Step
	if prev == "" {
		steps = append(steps, Step{Text: "Start from an empty database (or `emcee db baseline` an existing one)."})
	} else {
		steps = append(steps, Step{Command: "emcee db check", Text: fmt.Sprintf("Exit code 3 (expand needed) means %s is fully contracted and %s can start.", prev, r.Name)})
	}
	count := func(phase revision.Phase, k string) (revs []string, n, unbatched int) {
		for _, rev := range r.Revisions {
			if rev.Phase != string(phase) {
				continue
			}
			revs = append(revs, rev.ID)
			for _, s := range rev.Statements {
				if k == "" || s.Kind == k {
					n++
					if s.Lock.Unbatched {
						unbatched++
					}
				}
			}
		}
		return revs, n, unbatched
	}
	what := func(revs []string, n int, noun string) string {
		if n == 0 {
			return fmt.Sprintf("%s: nothing to change; it records the version", strings.Join(revs, ", "))
		}
		return fmt.Sprintf("%s: %s", strings.Join(revs, ", "), sqlsyntax.Plural(n, noun))
	}
	// Expand and contract run their gates first.
	gated := func(phase revision.Phase, gates int) string {
		revs, n, _ := count(phase, "")
		if gates == 0 {
			return what(revs, n, "statement")
		}
		return fmt.Sprintf("%s: %s first (%s stops, changing nothing, unless each returns 0), then %s", strings.Join(revs, ", "), sqlsyntax.Plural(gates, "gate"), phase, sqlsyntax.Plural(n-gates, "statement"))
	}
	created := map[string]int{}
	for _, o := range r.Objects {
		if o.Created != "" {
			created[o.Kind]++
		}
	}
	text := gated(revision.Expand, len(r.ExpandGates))
	for _, k := range []string{"trigger", "view"} {
		if created[k] > 0 {
			text += fmt.Sprintf(", creating %s", sqlsyntax.Plural(created[k], k))
		}
	}
	if prev != "" {
		text += fmt.Sprintf("; %s code keeps working", prev)
	}
	steps = append(steps, Step{Command: "emcee db expand", Text: text + "."})
	if prev != "" {
		steps = append(steps, Step{Text: fmt.Sprintf("Deploy %s beside %s; both now run against the same database.", r.Name, prev)})
	} else {
		steps = append(steps, Step{Text: fmt.Sprintf("Deploy %s.", r.Name)})
	}
	revs, n, unbatched := count(revision.Migrate, "backfill")
	_, all, _ := count(revision.Migrate, "")
	text = what(revs, all, "statement")
	if n > 0 {
		// A backfill of a table without a single-column primary key runs
		// as one statement: counted among the batched ones, it read as if
		// it left the other rows' writes alone.
		var how []string
		if n > unbatched {
			how = append(how, sqlsyntax.Plural(n-unbatched, "backfill")+" in primary-key batches")
		}
		if unbatched > 0 {
			how = append(how, sqlsyntax.Plural(unbatched, "backfill")+" not batched (no single-column primary key to batch on: "+sqlsyntax.OneOrMany(unbatched, "it holds", "each holds")+" its row locks until it ends)")
		}
		text = fmt.Sprintf("%s: %s, while both releases run", strings.Join(revs, ", "), strings.Join(how, ", "))
	}
	steps = append(steps, Step{Command: "emcee db migrate", Text: text + "."})
	if prev != "" {
		steps = append(steps, Step{Text: fmt.Sprintf("Retire every %s instance: contract may drop what %s code still uses.", prev, prev)})
	}
	steps = append(steps, Step{Command: "emcee db contract", Text: gated(revision.Contract, len(r.Gates)) + "."})
	return steps
}

// cascades says which foreign keys of the schema a delete of table's rows
// goes on through (ON DELETE CASCADE deletes the child rows, SET NULL
// clears their key): data the statement's own table does not show.
func cascades(s *schema.Schema, table string) string {
	if s == nil {
		return ""
	}
	var out []string
	for _, t := range s.Tables {
		for _, fk := range t.ForeignKeys {
			if fk.RefTable == nil || !strings.EqualFold(fk.RefTable.Name, table) {
				continue
			}
			switch fk.OnDelete {
			case schema.Cascade:
				out = append(out, fmt.Sprintf("ON DELETE CASCADE of %s.%s deletes their child rows in %s too", t.Name, fk.Symbol, t.Name))
			case schema.SetNull:
				out = append(out, fmt.Sprintf("ON DELETE SET NULL of %s.%s clears the key of their child rows in %s", t.Name, fk.Symbol, t.Name))
			}
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, "; ")
}
