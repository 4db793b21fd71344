package diff

import (
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// withCheckExprChanges adds the CHECK changes Atlas's MySQL differ does not
// report: it matches checks by name and compares only whether they are
// enforced, so a new expression under the same name would reach no rule
// and the database would keep the old check silently. emcee reports it as
// a ModifyCheck of the table.
func withCheckExprChanges(from, to *schema.Schema, changes []schema.Change) []schema.Change {
	for old, t := range kept(from, to) {
		for _, c := range t.Checks() {
			if c.Name == "" {
				continue
			}
			for _, o := range old.Checks() {
				if o.Name == c.Name && !sqlsyntax.SameExpr(o.Expr, c.Expr) {
					if mt := modifyTable(&changes, t); !hasCheckChange(mt.Changes, c.Name) {
						mt.Changes = append(mt.Changes, &schema.ModifyCheck{From: o, To: c})
					}
				}
			}
		}
	}
	return changes
}

func hasCheckChange(changes []schema.Change, name string) bool {
	return slices.ContainsFunc(changes, func(c schema.Change) bool {
		switch c := c.(type) {
		case *schema.ModifyCheck:
			return c.To.Name == name
		case *schema.AddCheck:
			return c.C.Name == name
		}
		return false
	})
}
