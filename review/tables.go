package review

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// TouchedTable is a table the release changes, as it is after the release
// (or, for a dropped table, before it), with what happened to each column:
// what a release manager would sketch on a whiteboard.
type TouchedTable struct {
	Name    string          `json:"name"`
	Change  string          `json:"change"` // added, dropped, renamed or changed
	From    string          `json:"from,omitempty"`
	Columns []TouchedColumn `json:"columns"`
	// References are the table's foreign keys to other tables.
	References []Reference `json:"references"`
}

// TouchedColumn is one column of a touched table. Change is empty for a
// column the release leaves alone.
type TouchedColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
	Key  string `json:"key,omitempty"` // PK, FK, UK, comma-separated
	// Change: added, dropped, replaced (Replaces names the old column) or
	// changed (type, nullability or default).
	Change   string `json:"change,omitempty"`
	Replaces string `json:"replaces,omitempty"`
}

// Reference is a foreign key from a touched table.
type Reference struct {
	Name  string `json:"name"`
	Table string `json:"table"`
}

// touchedTables lists the tables the release's statements act on, in name
// order, from the snapshots before and after the release. Which new column
// takes over from which old one is read from the release's declarations.
func touchedTables(revs []*revision.Revision, st state, takesOver map[string]string) []TouchedTable {
	names := map[string]bool{}
	renamed := map[string]string{} // new name -> old name
	for _, rev := range revs {
		for _, s := range rev.Statements {
			if s.Kind == revision.Backfill {
				names[s.Table] = true
				continue
			}
			for _, e := range effect.Of(s.SQL) {
				switch {
				case e.Op == effect.RenameTable:
					names[e.Name] = true
					renamed[e.Name] = e.Table
				case e.Op == effect.CreateView || e.Op == effect.DropView:
					// a rename's compatibility view: the table itself is listed
				case e.Table != "":
					names[e.Table] = true
				}
			}
		}
	}
	out := []TouchedTable{}
	for _, old := range renamed {
		delete(names, old)
	}
	for _, name := range slices.Sorted(maps.Keys(names)) {
		oldName := cmp.Or(renamed[name], name)
		before, after := schemadef.TableIn(st.before, oldName), schemadef.TableIn(st.after, name)
		t := TouchedTable{Name: name, Change: "changed", Columns: []TouchedColumn{}, References: []Reference{}}
		switch {
		case after == nil && before == nil:
			continue // added and dropped within the release: nothing to draw
		case after == nil:
			t.Change, after = "dropped", before
		case before == nil:
			t.Change = "added"
		case renamed[name] != "":
			t.Change, t.From = "renamed", renamed[name]
		}
		for _, c := range after.Columns {
			tc := TouchedColumn{Name: c.Name, Type: typeName(c), Key: keys(after, c)}
			old := column(st.before, oldName, c.Name)
			switch {
			case t.Change == "added" || t.Change == "dropped":
			case takesOver[name+"."+c.Name] != "":
				tc.Change, tc.Replaces = "replaced", takesOver[name+"."+c.Name]
			case old == nil:
				tc.Change = "added"
			case schemadef.ColumnDef(old) != schemadef.ColumnDef(c):
				tc.Change = "changed"
			}
			t.Columns = append(t.Columns, tc)
		}
		if t.Change != "added" && t.Change != "dropped" && before != nil {
			for _, c := range before.Columns {
				if _, ok := after.Column(c.Name); !ok {
					t.Columns = append(t.Columns, TouchedColumn{Name: c.Name, Type: typeName(c), Key: keys(before, c), Change: "dropped"})
				}
			}
		}
		for _, fk := range after.ForeignKeys {
			if fk.RefTable != nil {
				t.References = append(t.References, Reference{Name: fk.Symbol, Table: fk.RefTable.Name})
			}
		}
		out = append(out, t)
	}
	return out
}

// typeName is the column's type without its arguments' lists of values
// (an enum's values are for the table, not the picture).
func typeName(c *schema.Column) string {
	t, _, _ := strings.Cut(schemadef.TypeName(c.Type), " ")
	if i := strings.IndexByte(t, '('); i > 0 && (strings.HasPrefix(t, "enum") || strings.HasPrefix(t, "set")) {
		t = t[:i]
	}
	return t
}

func keys(t *schema.Table, c *schema.Column) string {
	var out []string
	if t.PrimaryKey != nil && slices.ContainsFunc(t.PrimaryKey.Parts, func(p *schema.IndexPart) bool { return p.C == c }) {
		out = append(out, "PK")
	}
	if slices.ContainsFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return slices.Contains(fk.Columns, c) }) {
		out = append(out, "FK")
	}
	if slices.ContainsFunc(t.Indexes, func(i *schema.Index) bool {
		return i.Unique && slices.ContainsFunc(i.Parts, func(p *schema.IndexPart) bool { return p.C == c })
	}) {
		out = append(out, "UK")
	}
	return strings.Join(out, ",")
}
