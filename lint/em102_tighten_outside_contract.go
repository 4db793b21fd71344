package lint

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
)

// A tightening (NOT NULL, a shorter or narrower type, enum values removed, a
// unique index, foreign key or check on a table the previous release
// writes) rejects writes the previous release still makes, or fails on rows
// it wrote. Before contract it breaks that release.
var _ = register(&Analyzer{
	Code:   "EM102",
	Title:  "tightening (NULL to NOT NULL, narrower type, enum values removed, unique index, foreign key or check on an existing table) in expand or migrate",
	Replay: "column tightenings (NOT NULL, narrower types, removed enum values), seen in the replayed changes and by Atlas's data_depend analyzer",
	Run: func(p *Pass) {
		unwrittenOf := map[*Revision]map[string]bool{}
		p.statements(false, func(rev *Revision, i int, d *effect.DDL) {
			created := createdBefore(p, rev, i)
			if unwrittenOf[rev] == nil {
				unwrittenOf[rev] = unwrittenColumns(p, rev)
			}
			unwritten := unwrittenOf[rev]
			rekeys := rekeyedIndexes(p, rev.ID.Release, d)
			what := textualTightenings(d, created, unwritten, rekeys)
			if len(what) == 0 && !created[strings.ToLower(d.Name)] {
				exempt := false
				for _, t := range tightenings(p.Project.Target, p.replay.file(rev), i) {
					if t.key == "unique index" && (rekeys[strings.ToLower(t.index)] || slices.ContainsFunc(t.columns, func(c string) bool { return unwritten[strings.ToLower(t.table+"."+c)] })) {
						exempt = true // and so is Atlas's MF101 about it
						continue
					}
					if !created[strings.ToLower(t.table)] {
						what = append(what, t.what)
					}
				}
				if !exempt || len(what) > 0 {
					what = withAtlas(what, p.replay.atlas(rev, i, atlasDataDependent))
				}
			}
			if len(what) > 0 {
				p.atStatement("EM102", Error, rev, i,
					fmt.Sprintf("%s in %s: it rejects writes the previous release still makes, or fails on rows it wrote", strings.Join(what, ", "), rev.ID),
					"tightenings belong in contract, behind a gate that counts the rows they would reject; "+replan(rev))
			}
		})
	},
})

// rekeyedIndexes are the indexes (lower-cased names) an ALTER drops and adds
// again as em101's rekeysKeptIndex says.
func rekeyedIndexes(p *Pass, rel string, d *effect.DDL) map[string]bool {
	out := map[string]bool{}
	for _, c := range d.Clauses {
		if c.Op == "DROP" && c.Object == "INDEX" && rekeysKeptIndex(p, rel, d, c.Name) {
			out[strings.ToLower(c.Name)] = true
		}
	}
	return out
}

// createdBefore lists the tables the release created before statement i
// of rev: no code of the previous release uses them, so nothing on them is
// a tightening.
func createdBefore(p *Pass, rev *Revision, i int) map[string]bool {
	out := map[string]bool{}
	for _, r := range p.Plans.Of(rev.ID.Release) {
		for j, d := range r.parsed {
			if r == rev && j == i {
				return out
			}
			if d.Kind == effect.KindCreateTable {
				out[strings.ToLower(d.Name)] = true
			}
		}
	}
	return out
}

// unwrittenColumns are the columns ("table.column", lower-cased) the
// release adds before contract, up to rev, nullable without a default,
// that no other statement of those revisions names (no trigger fills
// them, no backfill sets them; a statement on another table does not
// count, mayWrite): the previous release writes NULL there,
// which a unique key never counts as a duplicate (the splitter's
// uniqueInExpand places such a key in expand, Dolibarr 20's barcode).
func unwrittenColumns(p *Pass, rev *Revision) map[string]bool {
	added := map[string]bool{}
	var named []*effect.DDL
	for _, r := range p.Plans.Of(rev.ID.Release) {
		if r.ID.Phase == revision.Contract {
			continue
		}
		for _, d := range r.parsed {
			adds := false
			if d.Kind == effect.KindAlterTable {
				for _, c := range d.Clauses {
					if c.Op == "ADD" && c.Object == "COLUMN" {
						adds = true
						if !c.NotNull && !c.Filled && !c.AutoIncrement {
							added[strings.ToLower(d.Name+"."+c.Name)] = true
						}
					}
				}
			}
			if !adds && !slices.ContainsFunc(d.Clauses, func(c effect.Clause) bool { return c.Object == "UNIQUE" }) {
				named = append(named, d)
			}
		}
		if r == rev {
			break
		}
	}
	for key := range added {
		table, col, _ := strings.Cut(key, ".")
		if slices.ContainsFunc(named, func(d *effect.DDL) bool { return mayWrite(d, table) && d.Mentions(col) }) {
			delete(added, key)
		}
	}
	return added
}

// mayWrite reports whether a statement may write into table (lower-cased):
// a statement on another table (its CREATE TABLE, an index) names a column of the same name without filling this one, as
// Moodle 4.1's new question_bank_entries.idnumber beside
// question_categories.idnumber; a statement without a table of its own
// (a backfill's UPDATE, a gate) may name any, and so may a trigger whose
// body names the table.
func mayWrite(d *effect.DDL, table string) bool {
	return d.Name == "" || strings.ToLower(d.Name) == table || d.Kind == effect.KindCreateTrigger && d.Mentions(table)
}

// textualTightenings names the constraints a statement adds to a table
// that existed before the release, as its text says; a unique key with a
// column of unwritten rejects nothing the previous release writes.
func textualTightenings(d *effect.DDL, created, unwritten, rekeys map[string]bool) []string {
	if created[strings.ToLower(d.Name)] {
		return nil
	}
	var out []string
	switch d.Kind {
	case effect.KindCreateIndex:
		if d.Unique {
			out = append(out, fmt.Sprintf("unique index %s on %s", d.Index, d.Name))
		}
	case effect.KindAlterTable:
		numbered := map[string]bool{}
		for _, c := range d.Clauses {
			if c.Op == "ADD" && c.Object == "COLUMN" && c.AutoIncrement {
				numbered[strings.ToLower(c.Name)] = true
			}
		}
		for _, c := range d.Clauses {
			if c.Op != "ADD" {
				continue
			}
			if len(c.Columns) > 0 && slices.ContainsFunc(c.Columns, func(col string) bool { return numbered[strings.ToLower(col)] }) {
				// A key on an AUTO_INCREMENT column the statement adds
				// (Roundcube 1.3's dictionary.id): the server numbers
				// the rows there are and the previous release's inserts,
				// so it rejects none of them.
				continue
			}
			if c.Object == "UNIQUE" && slices.ContainsFunc(c.Columns, func(col string) bool { return unwritten[strings.ToLower(d.Name+"."+col)] }) {
				continue
			}
			if c.Object == "UNIQUE" && rekeys[strings.ToLower(c.Name)] {
				// The previous release's unique index again, keyed on a
				// prefix as long as the column it retypes was (em101's
				// rekeysKeptIndex): it rejects nothing it did not.
				continue
			}
			what, ok := map[string]string{"UNIQUE": "unique index", "PRIMARY KEY": "primary key", "FOREIGN KEY": "foreign key", "CHECK": "check"}[c.Object]
			if !ok {
				continue
			}
			if c.Name != "" {
				what += " " + c.Name
			}
			out = append(out, what+" on "+d.Name)
		}
	}
	return out
}

// tightening is one change that rejects writes the previous release makes.
type tightening struct {
	what    string
	table   string
	columns []string
	key     string // the kind of key added or changed (revision.Guards), "" for a column
	index   string // the unique index added or changed
	// dataDependent is set when rows already stored can break it too: then
	// contract must count them in a gate first. (A default removed from a
	// NOT NULL column only breaks writers.)
	dataDependent bool
}

// tightenings lists what the changes of statement i of a replayed
// revision (nil without a replay) make stricter on tables that existed
// before the revision.
func tightenings(target project.Target, f *sqlcheck.File, i int) []tightening {
	if f == nil {
		return nil
	}
	var out []tightening
	for _, c := range f.Changes[i].Changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok || f.TableSpan(m.T)&sqlcheck.SpanAdded != 0 {
			continue
		}
		t := m.T.Name
		for _, c := range m.Changes {
			switch c := c.(type) {
			case *schema.ModifyColumn:
				if !splitter.Widens(target, c.From, c.To, c.Change) {
					out = append(out, tightening{what: fmt.Sprintf("tightening of column %s.%s (%s -> %s)", t, c.To.Name, columnType(c.From), columnType(c.To)), table: t, columns: []string{c.To.Name},
						dataDependent: !splitter.KeepsRows(target, c.From, c.To, c.Change)})
				}
			case *schema.AddColumn:
				if !c.C.Type.Null && c.C.Default == nil && !splitter.ServerFills(c.C) {
					out = append(out, tightening{what: fmt.Sprintf("NOT NULL column %s.%s without a default", t, c.C.Name), table: t, dataDependent: true})
				}
			case *schema.AddIndex:
				if c.I.Unique {
					out = append(out, tightening{what: fmt.Sprintf("unique index %s on %s", c.I.Name, t), table: t, columns: diff.PartColumns(c.I), key: "unique index", index: c.I.Name, dataDependent: true})
				}
			case *schema.ModifyIndex:
				// Made unique, or a unique key over other columns: rows
				// stored under the old key can break the new one.
				if c.To.Unique && c.Change&(schema.ChangeUnique|schema.ChangeParts) != 0 {
					out = append(out, tightening{what: fmt.Sprintf("unique index %s on %s", c.To.Name, t), table: t, columns: diff.PartColumns(c.To), key: "unique index", index: c.To.Name, dataDependent: true})
				}
			case *schema.AddForeignKey:
				out = append(out, tightening{what: fmt.Sprintf("foreign key %s on %s", c.F.Symbol, t), table: t, columns: diff.Names(c.F.Columns), key: "foreign key", dataDependent: true})
			case *schema.AddCheck:
				out = append(out, tightening{what: fmt.Sprintf("check %s on %s", c.C.Name, t), table: t, key: "check", dataDependent: true})
			}
		}
	}
	return out
}

// columnType is a column's type and nullability, as a tightening names them.
func columnType(c *schema.Column) string { return c.Type.Raw + " " + schemadef.Nullability(c) }

// withAtlas adds what Atlas's analyzers say about a statement, or uses it
// alone when emcee saw nothing there.
func withAtlas(what []string, diags []diagnostic) []string {
	for _, d := range diags {
		note := fmt.Sprintf("Atlas %s: %s", d.Code, strings.TrimSuffix(d.Text, "."))
		if len(what) == 0 {
			what = append(what, note)
			continue
		}
		what[len(what)-1] += " (" + note + ")"
	}
	return what
}
