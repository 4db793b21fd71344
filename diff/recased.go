package diff

import (
	"strings"

	"ariga.io/atlas/sql/schema"
)

// recased refuses a column, or a non-unique index, of a table that only
// changes the letter case of its name. Atlas compares names exactly, so it
// plans a drop and an add; the server compares them without regard to
// case, and the add comes in expand, before contract drops the old one: it
// names what the table still has, and expand fails half-way with 1060 or
// 1061 (worse, that answer to a statement resent after a crash is taken as
// proof that it had run). Unique indexes, foreign keys and checks are
// dropped and added in contract, drop first, and need no refusal (a unique
// index the splitter would add in expand, on a new nullable column, waits
// for contract when the table has its name in another case).
func recased(tr *Transition) []error {
	var errs []error
	for _, c := range tr.Changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		dropped := map[string][]string{}
		for _, cc := range m.Changes {
			if kind, name, added := changedName(cc); kind != "" && !added {
				dropped[kind] = append(dropped[kind], name)
			}
		}
		for _, cc := range m.Changes {
			kind, name, added := changedName(cc)
			column := ""
			if kind == "column" {
				column = name
			}
			for _, old := range dropped[kind] {
				if added && old != name && strings.EqualFold(old, name) {
					errs = append(errs, posOrFile(tr.To, m.T.Name, column).Errorf(
						"%s %s of table %s differs from %s of the previous release only in letter case: the server compares these names without regard to case, so planning it as a drop of %s and an add of %s would fail on the server (the table still has %s). Keep the name %s",
						kind, name, m.T.Name, old, old, name, old, old))
				}
			}
		}
	}
	return errs
}

// changedName is the column or index a change drops, or the column or
// non-unique index it adds.
func changedName(c schema.Change) (kind, name string, added bool) {
	switch c := c.(type) {
	case *schema.DropColumn:
		return "column", c.C.Name, false
	case *schema.DropIndex:
		return "index", c.I.Name, false
	case *schema.AddColumn:
		return "column", c.C.Name, true
	case *schema.AddIndex:
		if !c.I.Unique {
			return "index", c.I.Name, true
		}
	}
	return "", "", false
}
