package diff

import (
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/schemadef"
)

// Consecutive releases share most of their tables verbatim: a table whose
// block evaluated to the same piece on both sides (the same text, schema
// block and target: Release.blocks) cannot change, and diffing and copying
// it (private.go) is most of what a transition of a large schema costs.
// Between leaves such tables out of the diff and hands them on as they
// are. That is only the same transition as diffing them if Atlas's diff
// of a table with itself reports nothing and writes nothing into it, and
// nothing else in the transition reaches into it; unchanged says which
// tables are so.

// unchanged names the tables of to that Between can leave out of the diff:
// the same evaluation on both sides, not renamed, not the old name of a
// renamed table, untouched by Atlas's diff of the table with itself
// (leftAlone), matched by name alone (no other table of either side has
// the name in another case), and referencing by foreign key only tables
// that are left out too (a table diffed is a copy the diff writes into: a
// table left out must not point at its original).
func unchanged(from, to *Release) map[string]bool {
	if from == nil || from.Schema == nil || len(from.blocks) == 0 || len(to.blocks) == 0 {
		return nil
	}
	renamed := map[string]bool{}
	for name, td := range to.Declarations.Tables {
		if td.RenamedFrom != "" {
			renamed[name], renamed[td.RenamedFrom] = true, true
		}
	}
	// A name in one case only: Atlas matches tables case-insensitively
	// on some servers.
	spelled, clash := map[string]string{}, map[string]bool{}
	for _, s := range []*schema.Schema{from.Schema, to.Schema} {
		for _, t := range s.Tables {
			lower := strings.ToLower(t.Name)
			if n, ok := spelled[lower]; ok && n != t.Name {
				clash[lower] = true
			}
			spelled[lower] = t.Name
		}
	}
	tables := make(map[string]*schema.Table, len(to.Schema.Tables))
	out := map[string]bool{}
	for _, t := range to.Schema.Tables {
		tables[t.Name] = t
		key, ok := to.blocks[t.Name]
		if old, found := from.blocks[t.Name]; !ok || !found || old != key || renamed[t.Name] || clash[strings.ToLower(t.Name)] {
			continue
		}
		// The same key is the same evaluation, of a table the diff leaves
		// alone (assemble keeps only those keys).
		out[t.Name] = true
	}
	for dropped := true; dropped; {
		dropped = false
		for name := range out {
			if slices.ContainsFunc(tables[name].ForeignKeys, func(fk *schema.ForeignKey) bool { return fk.RefTable == nil || !out[fk.RefTable.Name] }) {
				delete(out, name)
				dropped = true
			}
		}
	}
	return out
}

// leftAlone reports a table that Atlas's MySQL diff, comparing it with an
// equal table, neither changes nor fails on: it rewrites integer types
// without their display width (and fails on a type it cannot parse),
// fills in a column's charset from its collation and the other way round,
// and fails on types it cannot format or does not know. Everything else it
// does with two equal tables (the index list it rebuilds, the table's
// default charset and collation it fills in from the other side) leaves
// them as they are.
func leftAlone(t *schema.Table) bool {
	for _, c := range t.Columns {
		if c.Type == nil || c.Type.Type == nil {
			return false
		}
		_, charset := schemadef.Attr[*schema.Charset](c.Attrs)
		if _, collation := schemadef.Attr[*schema.Collation](c.Attrs); charset != collation {
			return false
		}
		switch ct := c.Type.Type.(type) {
		case *schema.IntegerType:
			if strings.ContainsAny(ct.T, "(), /*") || ct.T == "" {
				return false
			}
		case *schema.EnumType, *mysql.SetType:
		case *mysql.BitType, *schema.BinaryType, *schema.BoolType, *schema.DecimalType, *schema.FloatType,
			*schema.JSONType, *schema.StringType, *schema.SpatialType, *schema.TimeType, *schema.UUIDType, *mysql.NetworkType:
			if _, err := mysql.FormatType(ct); err != nil {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// without is s without the tables named in out; s itself when none is.
func without(s *schema.Schema, out map[string]bool) *schema.Schema {
	if s == nil || len(out) == 0 {
		return s
	}
	c := *s
	c.Tables = slices.DeleteFunc(slices.Clone(s.Tables), func(t *schema.Table) bool { return out[t.Name] })
	return &c
}

// rejoin puts the tables left out of a diff back among the copies the
// diff worked on, in the order of all, the schema before it left them out.
func rejoin(diffed, all *schema.Schema, out map[string]bool) *schema.Schema {
	if diffed == nil || len(out) == 0 {
		return diffed
	}
	tables := make([]*schema.Table, 0, len(all.Tables))
	next := 0
	for _, t := range all.Tables {
		if out[t.Name] {
			tables = append(tables, t)
		} else {
			tables = append(tables, diffed.Tables[next])
			next++
		}
	}
	diffed.Tables = tables
	return diffed
}
