package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// InnoDB gives a foreign key that no index leads with an index of its own,
// named after the key (schemadef.KeyIndexes), and a release declares none
// of it: a database built from the release has exactly the indexes the
// server makes for its keys, and every database a release's statements
// reach must end with the same. Whether the server drops such an index by
// itself when another index comes to serve the key, or a new key over the
// same columns, depends on how the index came to be (the one it made, yes;
// one a dump, a table copy by pt-online-schema-change or a rename wrote
// back, no), which no inspection shows; and it refuses to drop the last
// index a key can use (error 1553). So the statements say it: the index
// that comes to serve a key drops the key's own index, the last declared
// index a key loses gives it one back, and a dropped key's index goes,
// giving the keys it served theirs.

// takenOver are the indexes the server made for the table's keys that
// idx, added by the release (or an index it gives other columns), serves
// from now on, when idx is the first such index (a non-unique one, added
// in expand, before a unique one, added in contract): the statement adding
// idx drops them.
func takenOver(c *Change, idx *schema.Index) []*schema.Index {
	if c.FromTable == nil {
		return nil
	}
	var out []*schema.Index
	for _, made := range schemadef.KeyIndexes(c.FromTable) {
		cols := schemadef.PartColumns(made)
		if !schemadef.Leads(idx, cols) {
			continue
		}
		serving := slices.DeleteFunc(slices.Clone(c.Table.Indexes), func(o *schema.Index) bool {
			return !schemadef.Leads(o, cols) || servesUnder(c.FromTable, o.Name, cols)
		})
		first := max(slices.IndexFunc(serving, func(o *schema.Index) bool { return !o.Unique }), 0)
		if first < len(serving) && strings.EqualFold(serving[first].Name, idx.Name) {
			out = append(out, made)
		}
	}
	return out
}

// tookOver adds to a statement adding an index the drops of fks, the key
// indexes it takes over (takenOver), and says so in its why.
func tookOver(fks []*schema.Index, sql, why string) (string, string) {
	if len(fks) == 0 {
		return sql, why
	}
	return sql + dropKeyIndexes(fks), why + fmt.Sprintf("; it serves the foreign keys of index %s from now on, which the server made and which goes (the release declares none)", indexNames(fks))
}

// withKeyIndexes adds to a statement the key indexes fks the server gives
// keys (givenBack, or those an added index took over, on its rollback),
// and says so in its why as format does with their names.
func withKeyIndexes(fks []*schema.Index, sql, why, format string) (string, string) {
	if len(fks) == 0 {
		return sql, why
	}
	return sql + addKeyIndexes(fks), why + fmt.Sprintf(format, indexNames(fks))
}

// givenBack are the indexes the server gives the keys the table keeps
// that idx, dropped by the release (or given other columns), served, and
// that no index the release declares serves, when idx is the first of the
// dropped indexes serving the key: the statement dropping idx adds them.
func givenBack(c *Change, idx *schema.Index) []*schema.Index {
	if c.FromTable == nil {
		return nil
	}
	var out []*schema.Index
	for _, fk := range c.Table.ForeignKeys {
		if !hasForeignKey(c.FromTable, fk.Symbol) || !schemadef.ImplicitIndex(c.Table, fk) || !schemadef.Leads(idx, fk.Columns) {
			continue
		}
		first := slices.IndexFunc(c.FromTable.Indexes, func(o *schema.Index) bool {
			return schemadef.Leads(o, fk.Columns) && !servesUnder(c.Table, o.Name, fk.Columns)
		})
		if first >= 0 && c.FromTable.Indexes[first].Name == idx.Name {
			out = appendMade(out, c.FromTable, c.Table, fk)
		}
	}
	return out
}

// droppedKeyIndex reports whether a foreign key the release drops takes
// the index the server made for it, and which indexes the server gives the
// keys the table keeps that the index served. It stays where a key the
// table keeps may use it and the release declares an index for that key,
// not built yet when the drop runs.
func droppedKeyIndex(from, to *schema.Table, fk *schema.ForeignKey) (bool, []*schema.Index) {
	if from == nil || !schemadef.ImplicitIndex(to, fk) {
		return false, nil
	}
	made := schemadef.KeyIndexes(from)
	i := slices.IndexFunc(made, func(o *schema.Index) bool { return strings.EqualFold(o.Name, fk.Symbol) })
	if i < 0 {
		return false, nil
	}
	own := made[i]
	var add []*schema.Index
	for _, o := range to.ForeignKeys {
		if strings.EqualFold(o.Symbol, fk.Symbol) {
			return false, nil
		}
		if !hasForeignKey(from, o.Symbol) || !schemadef.Leads(own, o.Columns) {
			continue
		}
		// Served by another index that stays.
		if slices.ContainsFunc(made, func(m *schema.Index) bool { return m != own && schemadef.Leads(m, o.Columns) }) ||
			slices.ContainsFunc(from.Indexes, func(m *schema.Index) bool { return servesUnder(to, m.Name, o.Columns) }) {
			continue
		}
		if !schemadef.ImplicitIndex(to, o) {
			return false, nil
		}
		add = appendMade(add, from, to, o)
	}
	return true, add
}

// supersededBy are the indexes the server made for the keys the table
// keeps that a key the release adds to it makes redundant (its index leads with
// their columns, and, of two over the same columns, the later key's
// stays), and the index it makes for the key in their place: the
// statement adding the key drops and adds them. The server does that by
// itself only to an index it made.
func supersededBy(from, to *schema.Table, fk *schema.ForeignKey) (drop []*schema.Index, add *schema.Index) {
	if from == nil {
		return nil, nil
	}
	after := schemadef.KeyIndexes(to)
	i := slices.IndexFunc(after, func(m *schema.Index) bool { return strings.EqualFold(m.Name, fk.Symbol) })
	if i < 0 || hasIndex(from, fk.Symbol) {
		return nil, nil
	}
	for _, m := range schemadef.KeyIndexes(from) {
		// A key the release drops takes its index before keys are added.
		if hasForeignKey(to, m.Name) && schemadef.Leads(after[i], schemadef.PartColumns(m)) && !slices.ContainsFunc(after, func(o *schema.Index) bool { return strings.EqualFold(o.Name, m.Name) }) {
			drop = append(drop, m)
		}
	}
	if len(drop) == 0 {
		return nil, nil
	}
	return drop, after[i]
}

// appendMade adds the index the server makes for key fk of table to, when
// table from has no index of its name.
func appendMade(out []*schema.Index, from, to *schema.Table, fk *schema.ForeignKey) []*schema.Index {
	for _, m := range schemadef.KeyIndexes(to) {
		if !schemadef.Leads(m, fk.Columns) || hasIndex(from, m.Name) || slices.ContainsFunc(schemadef.KeyIndexes(from), func(o *schema.Index) bool { return strings.EqualFold(o.Name, m.Name) }) {
			continue
		}
		if !slices.ContainsFunc(out, func(o *schema.Index) bool { return strings.EqualFold(o.Name, m.Name) }) {
			out = append(out, m)
		}
		break
	}
	return out
}

// dropKeyIndexes are the clauses dropping the indexes.
func dropKeyIndexes(made []*schema.Index) string {
	return joinEach(made, "", func(m *schema.Index) string { return ", DROP INDEX " + sqlsyntax.Ident(m.Name) })
}

// addKeyIndexes are the clauses adding the indexes, as the server makes
// them for a key: named after it, over its columns.
func addKeyIndexes(made []*schema.Index) string {
	return joinEach(made, "", func(m *schema.Index) string {
		return ", ADD INDEX " + sqlsyntax.Ident(m.Name) + " (" + joinEach(m.Parts, ", ", func(p *schema.IndexPart) string { return sqlsyntax.Ident(p.C.Name) }) + ")"
	})
}

// indexNames lists the indexes' names (the keys they are named after) for
// a statement's why.
func indexNames(made []*schema.Index) string {
	return joinEach(made, ", ", func(m *schema.Index) string { return m.Name })
}

// servesUnder reports that the table has an index of that name leading
// with the columns.
func servesUnder(t *schema.Table, name string, cols []*schema.Column) bool {
	return slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return strings.EqualFold(o.Name, name) && schemadef.Leads(o, cols) })
}

func hasIndex(t *schema.Table, name string) bool {
	return slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return strings.EqualFold(o.Name, name) })
}

func hasForeignKey(t *schema.Table, symbol string) bool {
	return slices.ContainsFunc(t.ForeignKeys, func(o *schema.ForeignKey) bool { return strings.EqualFold(o.Symbol, symbol) })
}
