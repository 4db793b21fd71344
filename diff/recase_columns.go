package diff

import (
	"errors"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// recaseColumns gives each column of base whose name the release changes
// only in letter case (LimeSurvey 1.92's DBVersion 155 renames
// surveys.showXquestions to showxquestions) its new name, in a copy of
// its table, so that Atlas compares the column with itself: a change of
// its definition too is planned as any other, and the rename is the one
// change it is then given (withColumnRecases). Atlas, comparing names
// exactly, saw a column dropped and another added, which the server,
// comparing them without regard to case, refuses (1060: the table still
// has the column). The indexes and foreign keys of the table that hold
// the column hold the renamed one. base is the state before the release
// with its table renames applied; it is copied before it changes (it may
// be the caller's). A column renamed so by an earlier revision of the
// release has its new name in base already.
func recaseColumns(base *schema.Schema, to *Release, from *schema.Schema) (*schema.Schema, map[string][]*schema.RenameColumn) {
	renames := map[string][]*schema.RenameColumn{}
	for _, nt := range to.Schema.Tables {
		bt, ok := base.Table(nt.Name)
		if !ok {
			continue
		}
		var c *schema.Table
		for _, nc := range nt.Columns {
			if _, same := bt.Column(nc.Name); same {
				continue
			}
			i := slices.IndexFunc(bt.Columns, func(oc *schema.Column) bool {
				_, kept := nt.Column(oc.Name)
				return !kept && strings.EqualFold(oc.Name, nc.Name)
			})
			if i < 0 {
				continue
			}
			if c == nil {
				cp := *bt
				cp.Columns = slices.Clone(bt.Columns)
				c = &cp
				base = setTable(base, from, bt, c)
			}
			old := c.Columns[i]
			renamed := *old
			renamed.Name = nc.Name
			c.Columns[i] = &renamed
			holdRenamed(c, old, &renamed)
			respellGenerated(c, nt)
			renames[nt.Name] = append(renames[nt.Name], &schema.RenameColumn{From: old, To: &renamed})
		}
	}
	refRenamed(base, renames)
	return base, renames
}

// refRenamed makes the foreign keys of base that reference a renamed
// column (another table's key to it, or its own table's) reference the
// renamed one, each table and key copied before it changes: the server
// respells the column in the keys referencing it too, and Atlas,
// comparing their referenced columns by name, saw each key changed, which
// the splitter refused (and now drops and adds again in contract, rule
// modify-foreign-key), though the key stays as it is.
func refRenamed(base *schema.Schema, renames map[string][]*schema.RenameColumn) {
	to := map[*schema.Column]*schema.Column{}
	for _, rs := range renames {
		for _, r := range rs {
			to[r.From] = r.To
		}
	}
	if len(to) == 0 {
		return
	}
	for i, t := range base.Tables {
		var fks []*schema.ForeignKey
		for j, fk := range t.ForeignKeys {
			if !slices.ContainsFunc(fk.RefColumns, func(c *schema.Column) bool { return to[c] != nil }) {
				continue
			}
			if fks == nil {
				cp := *t
				fks = slices.Clone(t.ForeignKeys)
				cp.ForeignKeys = fks
				base.Tables[i] = &cp
			}
			f := *fk
			f.RefColumns = slices.Clone(fk.RefColumns)
			for k, c := range f.RefColumns {
				if r := to[c]; r != nil {
					f.RefColumns[k] = r
				}
			}
			if rt, ok := base.Table(fk.RefTable.Name); ok {
				f.RefTable = rt
			}
			fks[j] = &f
		}
	}
}

// holdRenamed makes the key, indexes and foreign keys of t that hold old
// hold renamed instead, each copied before it changes.
func holdRenamed(t *schema.Table, old, renamed *schema.Column) {
	index := func(idx *schema.Index) *schema.Index {
		if idx == nil || !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C == old }) {
			return idx
		}
		cp := *idx
		cp.Table = t
		cp.Parts = make([]*schema.IndexPart, len(idx.Parts))
		for i, p := range idx.Parts {
			q := *p
			if q.C == old {
				q.C = renamed
			}
			cp.Parts[i] = &q
		}
		return &cp
	}
	t.PrimaryKey = index(t.PrimaryKey)
	t.Indexes = slices.Clone(t.Indexes)
	for i, idx := range t.Indexes {
		t.Indexes[i] = index(idx)
	}
	t.ForeignKeys = slices.Clone(t.ForeignKeys)
	for i, fk := range t.ForeignKeys {
		if !slices.Contains(fk.Columns, old) {
			continue
		}
		cp := *fk
		cp.Table = t
		cp.Columns = slices.Clone(fk.Columns)
		cp.Columns[slices.Index(cp.Columns, old)] = renamed
		t.ForeignKeys[i] = &cp
	}
}

// respellGenerated gives each generated column of t (a copy of the base
// table) the expression its column of nt declares, where the two are one
// expression but for the letter case of a column's name
// (sqlsyntax.SameExpr): the server respells a generated column's
// expression with a column it reads renamed in letter case, as it does a
// CHECK, so the expression does not change; Atlas, comparing it as
// written, saw a changed generated expression, which is refused.
func respellGenerated(t, nt *schema.Table) {
	for i, col := range t.Columns {
		g, ok := schemadef.Attr[*schema.GeneratedExpr](col.Attrs)
		if !ok {
			continue
		}
		nc, ok := nt.Column(col.Name)
		if !ok {
			continue
		}
		ng, ok := schemadef.Attr[*schema.GeneratedExpr](nc.Attrs)
		if !ok || ng.Expr == g.Expr || ng.Type != g.Type || !sqlsyntax.SameExpr(g.Expr, ng.Expr) {
			continue
		}
		cp := *col
		cp.Attrs = slices.Clone(col.Attrs)
		r := *g
		r.Expr = ng.Expr
		schema.ReplaceOrAppend(&cp.Attrs, &r)
		t.Columns[i] = &cp
		holdRenamed(t, col, &cp)
	}
}

// withColumnRecases adds each column rename of recaseColumns to its
// table's changes, where Atlas would have put it.
// A column whose definition changes as well is refused: the server
// spells a column as the MODIFY COLUMN changing it names it, so the new
// spelling would come with that change, in expand, while the previous
// release still reads the old one.
func withColumnRecases(to *Release, renames map[string][]*schema.RenameColumn, changes []schema.Change) ([]schema.Change, error) {
	var errs []error
	for _, c := range changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		for _, cc := range m.Changes {
			mc, ok := cc.(*schema.ModifyColumn)
			if !ok {
				continue
			}
			for _, r := range renames[m.T.Name] {
				if r.To.Name == mc.To.Name {
					errs = append(errs, posOrFile(to, m.T.Name, mc.To.Name).Errorf("column %s of table %s changes the letter case of %s and its definition too: the server spells a column as the statement changing its definition names it, so the new spelling would come with that change, while the previous release still reads %s. Keep the name %s in this release and change its letter case in the next, or change the definition in the next",
						mc.To.Name, m.T.Name, r.From.Name, r.From.Name, r.From.Name))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, name := range slices.Sorted(maps.Keys(renames)) {
		changes = appendToTable(to, changes, name, renames[name])
	}
	return changes, nil
}
