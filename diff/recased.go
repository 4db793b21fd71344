package diff

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"
)

// recased refuses a non-unique index of a table that only changes the
// letter case of its name. Atlas compares names exactly, so it plans a
// drop and an add; the server compares them without regard to case, and
// the add comes in expand, before contract drops the old one: it names
// what the table still has, and expand fails half-way with 1061 (worse,
// that answer to a statement resent after a crash is taken as proof that
// it had run). A column so renamed never reaches it: Between gives it as
// a RenameColumn (recase_columns.go), renamed in contract (rule
// recase-column). Unique indexes, foreign keys and checks are
// dropped and added in contract, drop first, and need no refusal (a unique
// index the splitter would add in expand, on a new nullable column, waits
// for contract when the table has its name in another case).
func recased(tr *Transition) []error {
	errs := recasedTables(tr)
	for _, c := range tr.Changes {
		m, ok := c.(*schema.ModifyTable)
		if !ok {
			continue
		}
		var dropped []string
		for _, cc := range m.Changes {
			if d, ok := cc.(*schema.DropIndex); ok {
				dropped = append(dropped, d.I.Name)
			}
		}
		for _, cc := range m.Changes {
			a, ok := cc.(*schema.AddIndex)
			if !ok || a.I.Unique {
				continue
			}
			for _, old := range dropped {
				if name := a.I.Name; old != name && strings.EqualFold(old, name) {
					errs = append(errs, posOrFile(tr.To, m.T.Name, "").Errorf(
						"index %s of table %s differs from %s of the previous release only in letter case: the server compares these names without regard to case, so planning it as a drop of %s and an add of %s would fail on the server (the table still has %s). Keep the name %s",
						name, m.T.Name, old, old, name, old, old))
				}
			}
		}
	}
	return errs
}

// recasedTables refuses a table of the release whose name differs from a
// table of the previous release only in letter case: renamed so (the
// previous release's name stays as a view until contract) or created
// beside one the release drops in contract, both names are in the
// database while both releases run. MariaDB's information_schema, asked
// for both by name as Atlas inspects, answers for one: after expand
// every drift check failed (`table "t" was not found in schema`), so
// migrate, contract and rollback all refused, and the database was stuck
// half-way. A server with lower_case_table_names = 1 or 2 takes the two
// names for one table.
func recasedTables(tr *Transition) []error {
	if tr.From == nil {
		return nil
	}
	var errs []error
	for _, t := range tr.To.Schema.Tables {
		if _, same := tr.From.Table(t.Name); same {
			continue
		}
		for _, o := range tr.From.Tables {
			if !strings.EqualFold(o.Name, t.Name) {
				continue
			}
			how := fmt.Sprintf("Keep the name %s, or give the new table a name that differs in more than case", o.Name)
			if d := tr.To.Declarations.Tables[t.Name]; d != nil && d.RenamedFrom == o.Name {
				how = fmt.Sprintf("Rename %s to another name in this release, and to %s in the next", o.Name, t.Name)
			}
			errs = append(errs, posOrFile(tr.To, t.Name, "").Errorf(
				"table %s differs from table %s of the previous release only in letter case, and both names are in the database while both releases run (a rename leaves a view under the old name until contract): MariaDB's information_schema, asked for both by name, gives the columns of only one, so every drift check after expand fails (db migrate, db contract and db rollback would stop), and a server with lower_case_table_names = 1 or 2 takes them for one table. %s",
				t.Name, o.Name, how))
		}
	}
	return errs
}
