package diff

import (
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// withAutoIncrementChanges adds the AUTO_INCREMENT changes of kept columns
// Atlas's MySQL differ does not report: it compares a column's type,
// nullability, default, charset, collation, comment and generated
// expression, not whether the server numbers it, so a column made
// AUTO_INCREMENT (LimeSurvey 1.92's DBVersion 156 recreates
// survey_url_parameters with an id it numbers) was planned as nothing,
// the snapshot saying AUTO_INCREMENT and the database not, and the new
// release's inserts without an id failed. emcee reports it as a
// ModifyColumn of the column with ChangeAttr (rule auto-increment), added
// to Atlas's change of the column when there is one.
func withAutoIncrementChanges(from, to *schema.Schema, changes []schema.Change) []schema.Change {
	for old, t := range kept(from, to) {
		for _, c := range t.Columns {
			o, ok := old.Column(c.Name)
			if !ok || AutoIncrement(o) == AutoIncrement(c) {
				continue
			}
			mt := modifyTable(&changes, t)
			if m := columnChange(mt, c.Name); m != nil {
				m.Change |= schema.ChangeAttr
				continue
			}
			mt.Changes = append(mt.Changes, &schema.ModifyColumn{From: o, To: c, Change: schema.ChangeAttr})
		}
	}
	return changes
}

// AutoIncrement tells whether the server numbers the column.
func AutoIncrement(c *schema.Column) bool {
	_, ok := schemadef.Attr[*mysql.AutoIncrement](c.Attrs)
	return ok
}
