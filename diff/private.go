package diff

import (
	"cmp"
	"slices"

	"ariga.io/atlas/sql/schema"
)

// Atlas's diff writes into the tables it compares: Normalize replaces the
// old table's index list and fills in default collations and charsets, and
// comparing two integer columns rewrites both types without their display
// width. A release Load evaluated is shared, by the two transitions it ends
// and starts (planned side by side) and, block by block, with every release
// holding the same table; so each diff works on copies of its own, and no
// transition reads what another one's diff writes.

// private copies a schema's tables for one diff: tables, columns, indexes
// and foreign keys are new objects pointing at each other as the originals
// do; what Atlas only reads (attribute values, types other than integers,
// expressions, views) is shared. A foreign key to a table outside the schema
// keeps pointing at it.
func private(s *schema.Schema) *schema.Schema {
	if s == nil {
		return nil
	}
	c := *s
	c.Tables = make([]*schema.Table, len(s.Tables))
	c.Attrs = clip(s.Attrs)
	tables := make(map[*schema.Table]*schema.Table, len(s.Tables))
	n := 0
	for _, t := range s.Tables {
		n += len(t.Columns)
	}
	columns := make(map[*schema.Column]*schema.Column, n)
	indexes := map[*schema.Index]*schema.Index{}
	fks := map[*schema.ForeignKey]*schema.ForeignKey{}
	for i, t := range s.Tables {
		nt := *t
		nt.Schema = &c
		nt.Attrs = clip(t.Attrs)
		nt.Columns = make([]*schema.Column, len(t.Columns))
		// One allocation each for a table's columns and their types.
		ncs, types := make([]schema.Column, len(t.Columns)), make([]schema.ColumnType, len(t.Columns))
		for j, col := range t.Columns {
			nc := &ncs[j]
			*nc = *col
			nc.Attrs = clip(col.Attrs)
			if col.Type != nil {
				ct := &types[j]
				*ct = *col.Type
				if it, ok := ct.Type.(*schema.IntegerType); ok {
					nit := *it
					ct.Type = &nit
				}
				nc.Type = ct
			}
			nt.Columns[j] = nc
			columns[col] = nc
		}
		nt.Indexes = make([]*schema.Index, len(t.Indexes))
		for j, idx := range t.Indexes {
			nt.Indexes[j] = copyIndex(idx, &nt, indexes)
		}
		if t.PrimaryKey != nil {
			nt.PrimaryKey = copyIndex(t.PrimaryKey, &nt, indexes)
		}
		nt.ForeignKeys = make([]*schema.ForeignKey, len(t.ForeignKeys))
		for j, fk := range t.ForeignKeys {
			nfk := *fk
			nfk.Table = &nt
			nfk.Attrs = clip(fk.Attrs)
			nt.ForeignKeys[j] = &nfk
			fks[fk] = &nfk
		}
		c.Tables[i] = &nt
		tables[t] = &nt
	}
	remap := func(cols []*schema.Column) []*schema.Column {
		out := make([]*schema.Column, len(cols))
		for i, col := range cols {
			out[i] = cmp.Or(columns[col], col)
		}
		return out
	}
	for _, idx := range indexes {
		for _, p := range idx.Parts {
			p.C = cmp.Or(columns[p.C], p.C)
		}
	}
	for _, fk := range fks {
		fk.Columns = remap(fk.Columns)
		if n, ok := tables[fk.RefTable]; ok {
			fk.RefTable = n
			fk.RefColumns = remap(fk.RefColumns)
		}
	}
	for _, col := range columns {
		col.Indexes = slices.Clone(col.Indexes)
		for i, idx := range col.Indexes {
			col.Indexes[i] = cmp.Or(indexes[idx], idx)
		}
		col.ForeignKeys = slices.Clone(col.ForeignKeys)
		for i, fk := range col.ForeignKeys {
			col.ForeignKeys[i] = cmp.Or(fks[fk], fk)
		}
	}
	return &c
}

// copyIndex copies an index of a table being copied (its parts' columns are
// pointed at the copies afterwards); the primary key, also listed among the
// indexes by some sources, stays one object.
func copyIndex(idx *schema.Index, t *schema.Table, seen map[*schema.Index]*schema.Index) *schema.Index {
	if n, ok := seen[idx]; ok {
		return n
	}
	n := *idx
	n.Table = t
	n.Attrs = clip(idx.Attrs)
	n.Parts = make([]*schema.IndexPart, len(idx.Parts))
	for i, p := range idx.Parts {
		np := *p
		np.Attrs = clip(p.Attrs)
		n.Parts[i] = &np
	}
	seen[idx] = &n
	return &n
}

// clip copies a slice with no room to grow, so that an append to the copy
// never writes into the original's array.
func clip[S ~[]E, E any](s S) S {
	return slices.Clip(slices.Clone(s)) // nil stays nil
}
