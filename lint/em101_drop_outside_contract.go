package lint

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
)

// Before contract the previous release still runs: anything it reads or
// writes must still be there. A drop (or a rename, which drops the old
// name) in expand or migrate breaks it while it serves.
var _ = register(&Analyzer{
	Code:   "EM101",
	Title:  "drop (table, column, index, foreign key, check, view) or rename in expand or migrate: the previous release still uses it",
	Replay: "drops only Atlas's destructive, condrop and incompatible analyzers see in the replayed changes",
	Run: func(p *Pass) {
		p.statements(false, func(rev *Revision, i int, d *effect.DDL) {
			drops := textualDrops(p, rev, i, d)
			if len(drops) == 0 {
				for _, diag := range p.replay.atlas(rev, i, atlasDestructive, atlasConDrop, atlasIncompatible) {
					drops = append(drops, fmt.Sprintf("%s (Atlas %s)", strings.TrimSuffix(diag.Text, "."), diag.Code))
				}
			}
			if len(drops) > 0 {
				p.atStatement("EM101", Error, rev, i,
					fmt.Sprintf("%s in %s: the previous release still runs during %s and uses what is dropped", strings.Join(drops, ", "), rev.ID, rev.ID.Phase),
					"drops belong in contract, after the previous release is gone; "+replan(rev))
			}
		})
	},
})

// textualDrops names what a statement drops, as its text says.
func textualDrops(p *Pass, rev *Revision, i int, d *effect.DDL) []string {
	var out []string
	switch d.Kind {
	case effect.KindDropTable, effect.KindDropView:
		for _, n := range d.Names {
			out = append(out, "drop of "+strings.ToLower(strings.TrimPrefix(d.Kind, "DROP "))+" "+n)
		}
	case effect.KindDropIndex:
		out = append(out, fmt.Sprintf("drop of index %s.%s", d.Name, d.Index))
	case effect.KindRenameTable:
		for _, r := range d.Renames {
			if !viewKeepsName(rev, i, r[0], r[1]) {
				out = append(out, fmt.Sprintf("rename of table %s to %s without a view under the old name", r[0], r[1]))
			}
		}
	case effect.KindAlterTable:
		for _, c := range d.Clauses {
			switch {
			case c.Op == "DROP" && (c.Object == "CHECK" || c.Object == "CONSTRAINT") && checkReadded(p, rev.ID.Release, d.Name, c.Name):
				// A changed check: the old one goes in expand (dropping a
				// check only allows more), the new one comes in contract
				// behind a gate (rule add-check).
			case c.Op == "DROP" && c.Object == "INDEX" && addsIndex(d) && serverMadeIndex(p, rev.ID.Release, d.Name, c.Name):
				// The index the server made for a foreign key, which an
				// index the same ALTER adds serves from now on
				// (splitter/fk_index.go): the previous release keeps an
				// index over the key's columns throughout.
			case c.Op == "DROP" && c.Object == "INDEX" && rekeysKeptIndex(p, rev.ID.Release, d, c.Name):
				// An index of the previous release keyed on a prefix of a
				// column the same ALTER retypes (splitter's keptKeysFit):
				// the index stays, under its name, for that release.
			case c.Op == "DROP" && c.Object == "PRIMARY KEY":
				out = append(out, "drop of the primary key of "+d.Name)
			case c.Op == "DROP":
				out = append(out, fmt.Sprintf("drop of %s %s.%s", strings.ToLower(c.Object), d.Name, c.Name))
			case c.Op == "RENAME" && c.Object == "TABLE" && !viewKeepsName(rev, i, d.Name, c.To):
				out = append(out, fmt.Sprintf("rename of table %s to %s without a view under the old name", d.Name, c.To))
			case (c.Op == "RENAME" || c.Op == "CHANGE") && c.Object == "COLUMN" && c.To != "" && !strings.EqualFold(c.To, c.Name):
				out = append(out, fmt.Sprintf("rename of column %s.%s to %s", d.Name, c.Name, c.To))
			}
		}
	}
	return out
}

// viewKeepsName reports whether the revision creates, after statement i, a
// view under a renamed table's old name reading the new one: rule
// rename-table keeps the previous release working that way until contract.
func viewKeepsName(rev *Revision, i int, old, new string) bool {
	return slices.ContainsFunc(rev.parsed[i+1:], func(d *effect.DDL) bool {
		return d.Kind == effect.KindCreateView && strings.EqualFold(d.Name, old) && d.Mentions(new)
	})
}

// addsIndex reports whether an ALTER adds an index.
func addsIndex(d *effect.DDL) bool {
	return slices.ContainsFunc(d.Clauses, func(c effect.Clause) bool {
		return c.Op == "ADD" && (c.Object == "INDEX" || c.Object == "UNIQUE")
	})
}

// serverMadeIndex reports whether the previous release's table has, of
// that name, the index the server makes for a foreign key, which no
// release declares.
func serverMadeIndex(p *Pass, rel, table, name string) bool {
	prev := p.before(rel)
	if prev == nil {
		return false
	}
	t, ok := prev.Table(table)
	return ok && slices.ContainsFunc(schemadef.KeyIndexes(t), func(m *schema.Index) bool { return strings.EqualFold(m.Name, name) })
}

// rekeysKeptIndex reports whether an ALTER drops index name of the
// previous release's table and adds it again, of the same uniqueness, on
// the same columns, a prefix now on a column the ALTER retypes (MODIFY):
// splitter's keptKeysFit keeps an index the new type would make too long
// that way until contract (Drupal 7.17's aggregator_feed.url, varchar(255)
// -> text under the unique url), keying every value the previous release
// writes, at most as long as the prefix, as before.
func rekeysKeptIndex(p *Pass, rel string, d *effect.DDL, name string) bool {
	prev := p.before(rel)
	if prev == nil || d.Kind != effect.KindAlterTable {
		return false
	}
	t, ok := prev.Table(d.Name)
	if !ok {
		return false
	}
	idx, ok := t.Index(name)
	if !ok {
		return false
	}
	var cols []string
	for _, part := range idx.Parts {
		if part.C == nil || diff.Prefix(part) > 0 {
			return false
		}
		cols = append(cols, part.C.Name)
	}
	dropped, added, retyped := false, false, false
	for _, c := range d.Clauses {
		switch {
		case c.Op == "DROP" && c.Object == "INDEX" && strings.EqualFold(c.Name, name):
			dropped = true
		case c.Op == "ADD" && (c.Object == "INDEX" || c.Object == "UNIQUE") && strings.EqualFold(c.Name, name):
			added = (c.Object == "UNIQUE") == idx.Unique && !c.Whole && slices.EqualFunc(c.Columns, cols, strings.EqualFold)
		case c.Op == "MODIFY" && c.Object == "COLUMN" && sqlname.IsOneOf(c.Name, cols...):
			retyped = true
		}
	}
	return dropped && added && retyped
}

// checkReadded reports whether a contract revision of the release adds a
// check of that name to the table again.
func checkReadded(p *Pass, release, table, name string) bool {
	for _, rev := range p.Plans.Of(release) {
		for _, d := range rev.parsed {
			if rev.ID.Phase == revision.Contract && d.Kind == effect.KindAlterTable && strings.EqualFold(d.Name, table) && slices.ContainsFunc(d.Clauses, func(c effect.Clause) bool {
				return c.Op == "ADD" && c.Object == "CHECK" && strings.EqualFold(c.Name, name)
			}) {
				return true
			}
		}
	}
	return false
}
