package splitter

import (
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// InnoDB gives a foreign key that no index leads with an index of its own,
// named after the key (schemadef.ImplicitIndex), and a release declares
// none of it: a database built from the release has exactly the indexes
// the server makes for its keys, and every database a release's
// statements reach must end with the same. Whether the server drops such
// an index by itself when another index comes to serve the key depends on
// how the index came to be (the one it made, yes; one a dump, a table
// copy by pt-online-schema-change or a rename wrote back, no), which no
// inspection shows; and it refuses to drop the last index a key can use
// (error 1553). So the statements say it: the index that comes to serve a
// key drops the key's own index, and the last declared index a key loses
// gives it one back.

// takenOver are the foreign keys of the table whose index the server made
// that idx, added by the release (or an index it gives other columns),
// serves from now on, when idx is the first such index (a non-unique one, added
// in expand, before a unique one, added in contract): the statement adding
// idx drops their indexes.
func takenOver(c *Change, idx *schema.Index) []*schema.ForeignKey {
	if c.FromTable == nil {
		return nil
	}
	var out []*schema.ForeignKey
	for _, fk := range c.FromTable.ForeignKeys {
		if !schemadef.ImplicitIndex(c.FromTable, fk) || !schemadef.Leads(idx, fk.Columns) || hasIndex(c.FromTable, fk.Symbol) {
			continue
		}
		serving := slices.DeleteFunc(slices.Clone(c.Table.Indexes), func(o *schema.Index) bool {
			return !schemadef.Leads(o, fk.Columns) || servesUnder(c.FromTable, o.Name, fk)
		})
		slices.SortStableFunc(serving, func(a, b *schema.Index) int {
			switch {
			case a.Unique == b.Unique:
				return 0
			case b.Unique:
				return -1
			}
			return 1
		})
		if len(serving) > 0 && strings.EqualFold(serving[0].Name, idx.Name) {
			out = append(out, fk)
		}
	}
	return out
}

// givenBack are the foreign keys the table keeps that idx, dropped by the
// release (or given other columns), served, and that no index the release declares serves: the
// server gives such a key an index of its own, so the statement dropping
// idx adds it, when idx is the first of the dropped indexes serving the
// key.
func givenBack(c *Change, idx *schema.Index) []*schema.ForeignKey {
	if c.FromTable == nil {
		return nil
	}
	var out []*schema.ForeignKey
	for _, fk := range c.Table.ForeignKeys {
		if !hasForeignKey(c.FromTable, fk.Symbol) || !schemadef.ImplicitIndex(c.Table, fk) || !schemadef.Leads(idx, fk.Columns) {
			continue
		}
		first := slices.IndexFunc(c.FromTable.Indexes, func(o *schema.Index) bool {
			return schemadef.Leads(o, fk.Columns) && !servesUnder(c.Table, o.Name, fk)
		})
		if first >= 0 && c.FromTable.Indexes[first].Name == idx.Name {
			out = append(out, fk)
		}
	}
	return out
}

// dropKeyIndexes are the clauses dropping the keys' own indexes.
func dropKeyIndexes(fks []*schema.ForeignKey) string {
	var b strings.Builder
	for _, fk := range fks {
		b.WriteString(", DROP INDEX " + sqlsyntax.Ident(fk.Symbol))
	}
	return b.String()
}

// addKeyIndexes are the clauses adding the keys' own indexes, as the
// server makes them: named after the key, over its columns.
func addKeyIndexes(fks []*schema.ForeignKey) string {
	var b strings.Builder
	for _, fk := range fks {
		cols := make([]string, len(fk.Columns))
		for i, col := range fk.Columns {
			cols[i] = sqlsyntax.Ident(col.Name)
		}
		b.WriteString(", ADD INDEX " + sqlsyntax.Ident(fk.Symbol) + " (" + strings.Join(cols, ", ") + ")")
	}
	return b.String()
}

// keyNames lists the keys' names for a statement's why.
func keyNames(fks []*schema.ForeignKey) string {
	names := make([]string, len(fks))
	for i, fk := range fks {
		names[i] = fk.Symbol
	}
	return strings.Join(names, ", ")
}

// servesUnder reports that the table has an index of that name that
// serves the key.
func servesUnder(t *schema.Table, name string, fk *schema.ForeignKey) bool {
	return slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return strings.EqualFold(o.Name, name) && schemadef.Leads(o, fk.Columns) })
}

func hasIndex(t *schema.Table, name string) bool {
	return slices.ContainsFunc(t.Indexes, func(o *schema.Index) bool { return strings.EqualFold(o.Name, name) })
}

func hasForeignKey(t *schema.Table, symbol string) bool {
	return slices.ContainsFunc(t.ForeignKeys, func(o *schema.ForeignKey) bool { return strings.EqualFold(o.Symbol, symbol) })
}
