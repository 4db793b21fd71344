package review

import (
	"fmt"
	"slices"

	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// handToOSC says, for a statement that copies its table (cost class
// "copy"), what the tool would be given instead of the server: the
// clauses of its --alter, written back from the statement's tree as the
// applier writes them (sqlsyntax.ReadOSCAlter), or why it cannot take the
// statement (the db commands then refuse the revision before it runs).
func (l *Lock) handToOSC(t project.Target, st revision.Statement, rev *revision.Revision, before *schema.Schema) {
	if l.Class != splitter.CostCopy {
		return
	}
	a, err := sqlsyntax.ReadOSCAlter(st.SQL)
	switch {
	case err != nil:
	case rev.CollisionGated(a.Table):
		err = fmt.Errorf("it converts a unique key of %s to a collation under which keys may collide, and the tool copies with INSERT IGNORE: a colliding row would silently take another's place", sqlsyntax.Ident(a.Table))
	case slices.Contains(st.Rules(), "tighten-column"):
		if col, key := roundedKey(t, before, a.Table, st.SQL); key != "" {
			err = fmt.Errorf("it tightens %s.%s, a column of unique key %s, whose new type stores some values otherwise than written (decimals rounded, trailing spaces cut), and the tool's triggers write with REPLACE: a row written while it copies whose key then equals another's would silently take that row's place", sqlsyntax.Ident(a.Table), sqlsyntax.Ident(col), sqlsyntax.Ident(key))
		}
	}
	if err != nil {
		l.OSC = &OSC{Tool: project.PtOSCProgram, Refused: err.Error()}
		l.Detail += fmt.Sprintf("; NOT handed to %s (%v): under --osc pt-osc the db commands refuse this revision before it runs", project.PtOSCProgram, err)
		return
	}
	l.OSC = &OSC{Tool: project.PtOSCProgram, Alter: a.OnCopy()}
	l.Detail = fmt.Sprintf("handed to %s: it copies %s in chunks while reads and writes continue (its triggers carry writes to the copy), then swaps the tables under a brief metadata lock", project.PtOSCProgram, l.Rebuilds)
}

// OSC is what a statement's table copy is handed to.
type OSC struct {
	Tool    string `json:"tool"`
	Alter   string `json:"alter,omitempty"`   // its --alter
	Refused string `json:"refused,omitempty"` // why it cannot take the statement
}

// roundedKey finds a column the statement modifies that is, in the previous
// release, of a type whose tightening changes values without an error
// (DECIMAL with fewer decimals, text) and part of a unique key (text: under a NO PAD
// collation), or read by a generated column of one: what the applier
// refuses to hand to the tool on the live table (apply's oscRoundedKeys).
func roundedKey(target project.Target, before *schema.Schema, table, sql string) (col, key string) {
	if before == nil {
		return "", ""
	}
	t, ok := before.Table(table)
	if !ok {
		return "", ""
	}
	for _, e := range effect.Parse(sql).Clauses {
		if e.Object != "COLUMN" || e.Op != "MODIFY" && e.Op != "CHANGE" {
			continue
		}
		c, ok := t.Column(e.Name)
		if !ok {
			continue
		}
		var dataType string
		var scale int
		switch d := c.Type.Type.(type) {
		case *schema.DecimalType:
			dataType, scale = "decimal", d.Scale
		case *schema.StringType:
			dataType = d.T
		}
		_, coll := schemadef.Effective(target, t, c)
		changes, collides := e.Rounds(dataType, scale, coll)
		if !changes {
			continue
		}
		changed := map[*schema.Column]bool{c: collides}
		for _, g := range t.Columns {
			if x, ok := schemadef.Attr[*schema.GeneratedExpr](g.Attrs); ok {
				if d := effect.Parse("SELECT " + x.Expr); d.Err != nil || d.Mentions(c.Name) {
					changed[g] = true
				}
			}
		}
		for _, idx := range append([]*schema.Index{t.PrimaryKey}, t.Indexes...) {
			if idx == nil || (!idx.Unique && idx != t.PrimaryKey) {
				continue
			}
			for _, part := range idx.Parts {
				if part.C != nil && changed[part.C] {
					if idx == t.PrimaryKey {
						return c.Name, "PRIMARY"
					}
					return c.Name, idx.Name
				}
			}
		}
	}
	return "", ""
}
