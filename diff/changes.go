package diff

import (
	"fmt"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// Transition is everything the splitter needs to plan one step between two
// states: where the database is, what the release declares, and Atlas's
// changes between the two.
type Transition struct {
	From    *schema.Schema // nil for the first release: an empty database
	To      *Release
	Changes []schema.Change
}

// Between diffs two states offline. Atlas never detects renames, so declared
// table renames are injected: the old table is renamed in a copy of the
// source state before diffing, and a RenameTable change leads the list.
func Between(drv *mysql.Driver, from *schema.Schema, to *Release) (*Transition, error) {
	base := from
	if base == nil {
		base = schema.New(to.Schema.Name)
	}
	var renames []schema.Change
	for _, name := range sortedTables(to.Declarations.Tables) {
		td := to.Declarations.Tables[name]
		old, ok := base.Table(td.RenamedFrom)
		if !ok {
			// Already renamed by an earlier revision of this release.
			continue
		}
		if base == from {
			base = copySchema(from)
			old, _ = base.Table(td.RenamedFrom)
		}
		renamed := *old
		renamed.Name = name
		renames = append(renames, &schema.RenameTable{From: old, To: &renamed})
		for i, t := range base.Tables {
			if t == old {
				base.Tables[i] = &renamed
			}
		}
	}
	changes, err := drv.SchemaDiff(base, to.Schema)
	if err != nil {
		return nil, fmt.Errorf("%s: diffing against the previous state: %w", to.File, err)
	}
	return &Transition{From: from, To: to, Changes: append(renames, changes...)}, nil
}

func copySchema(s *schema.Schema) *schema.Schema {
	c := *s
	c.Tables = append([]*schema.Table(nil), s.Tables...)
	return &c
}
