package splitter

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A foreign key on an existing table would reject writes the previous
// release may still make (a child row whose parent is gone), so it waits for
// contract, behind a gate counting orphans. With the gate passed, the key is
// added in place with foreign_key_checks off for that statement: with checks
// on, both servers can only add it by copying the table under a write lock.
// Rows keep changing between the gate, which runs before the revision's
// first statement, and the ALTER: earlier statements of the revision may
// wait long for their metadata locks while the new release deletes
// parents. So the applier runs the orphan gate again right before the
// ALTER and right after it, when the key stops new orphans, and drops the
// key again if one was written in between (apply/fkcheck.go).
//
// A new table's key that would fail a write of the previous release
// (rule_create_table.go, deferKeys) comes here too, on the table as
// expand created it: the orphans are then child rows the new release (or
// migrate) wrote whose parent the previous release deleted or re-keyed.
// The gate leaves out the rows a data_migration of the release deletes
// (delete = "...", in contract after the gates, before the key is added),
// as the duplicate gates do: declaring one is how a release removes the
// orphans it expects.
//
// A key whose referenced columns no index serves before contract adds one
// (a unique index behind its duplicate gate, fk_ref_index.go) is added
// after it, at StageAddKeyAfterIndex: at the same stage, contract ran the
// referencing table's statements first, and the server refused the key
// (error 1822).
func init() {
	register(&Rule{
		Name: "add-foreign-key",
		Doc: RuleDoc{
			Change:   "add foreign key on an existing table, or on a new table where expand would fail the previous release's writes or the index it references comes only in contract (create-table)",
			Phases:   "contract (ALGORITHM=INPLACE, LOCK=NONE, foreign_key_checks off for that statement), after the index it references where contract adds that index too",
			Rollback: "nothing to undo: contract only",
			Gate:     "no orphans: no child row whose non-NULL key has no parent (a parent a data_migration's delete removes first is none), less the rows a data_migration's delete removes first",
			Example: `foreign_key "fk_owner" {
  columns     = [column.owner_id]
  ref_columns = [table.owners.column.id]
}`,
		},
		Match: func(c *Change) bool { return is[*schema.AddForeignKey](c) && c.FromTable != nil },
		Split: splits(func(c *Change, add *schema.AddForeignKey) ([]Step, error) {
			fk := add.F
			if err := c.pairedKey(fk); err != nil {
				return nil, err
			}
			why := fmt.Sprintf("foreign key %s on %s would reject writes of the previous release, so it comes after that release; the gate proved there are no orphans, so it is added in place without re-checking rows (a copy would block writes)", fk.Symbol, c.Table.Name)
			gateWhy := fmt.Sprintf("foreign key %s on %s: the previous release could leave rows without a parent in %s; contract waits until there are none", fk.Symbol, c.Table.Name, fk.RefTable.Name)
			if c.ctx.isNewTable(c.Table.Name) {
				verb, noun := restricted(fk)
				why = fmt.Sprintf("foreign key %s of new table %s would make the previous release's %s of %s rows that rows of %s reference fail, so expand created the table without it and it comes after that release; the gate proved there are no orphans, so it is added in place without re-checking rows", fk.Symbol, c.Table.Name, noun, fk.RefTable.Name, c.Table.Name)
				if c.ctx.isNewTable(fk.RefTable.Name) {
					verb = "through a cascade of its writes, " + verb
				}
				gateWhy = fmt.Sprintf("foreign key %s of new table %s: the previous release, which knows nothing of %s, could %s %s rows that its rows reference, leaving them without a parent; contract waits until there are none: give them a parent or delete them, or declare a data_migration on %s with delete = \"<predicate>\" selecting them (contract runs it first after the gates, and this gate leaves its rows out)", fk.Symbol, c.Table.Name, c.Table.Name, verb, fk.RefTable.Name, c.Table.Name)
			}
			stage, idx := c.keyStage(fk)
			switch {
			case idx != nil && c.ctx.isNewTable(c.Table.Name):
				why = fmt.Sprintf("foreign key %s of new table %s references %s(%s), which no index serves before contract adds %s to %s: the server refuses the key until then, so expand created the table without it; the gate proved there are no orphans, so it is added in place without re-checking rows", fk.Symbol, c.Table.Name, fk.RefTable.Name, columnNames(fk.RefColumns), indexWord(idx), fk.RefTable.Name)
				gateWhy = fmt.Sprintf("foreign key %s of new table %s: until contract adds %s of %s, which the key needs, nothing kept rows of %s from referencing %s rows that are not there (the new release writing them, the previous release deleting or changing their parent); contract waits until there are none: give them a parent or delete them, or declare a data_migration on %s with delete = \"<predicate>\" selecting them (contract runs it first after the gates, and this gate leaves its rows out)", fk.Symbol, c.Table.Name, indexWord(idx), fk.RefTable.Name, c.Table.Name, fk.RefTable.Name, c.Table.Name)
			case idx != nil:
				why += afterIndex(fk, idx)
			}
			st, err := c.keyAdd(fk, stage, why)
			if err != nil {
				return nil, err
			}
			return []Step{c.keyGate(fk, gateWhy), st}, nil
		}),
	})
}

// pairedKey refuses a key whose columns and referenced columns do not
// pair up, which Atlas renders into a statement the server refuses.
func (c *Change) pairedKey(fk *schema.ForeignKey) error {
	if len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) || fk.RefTable == nil {
		return fmt.Errorf("%s: foreign key %s on %s: columns and ref_columns must pair up", c.ctx.Transition.To.Where(c.Table.Name, ""), fk.Symbol, c.Table.Name)
	}
	return nil
}

// keyStage is where contract adds fk to a table it keeps: after the index
// the key references where contract adds that index behind its gate
// (fk_ref_index.go), at StageAddKeyAfterIndex; at the same stage,
// contract ran the referencing table's statements first, and the server
// refused the key (error 1822). idx is the index contract adds that the
// key needs, nil when it is there before contract.
func (c *Change) keyStage(fk *schema.ForeignKey) (Stage, *schema.Index) {
	ready, idx := c.ctx.refIndex(fk)
	if ready < refContract || idx == nil {
		return StageAddGatedConstraint, nil
	}
	if ready == refGated && fk.RefTable.Name != c.Table.Name {
		return StageAddKeyAfterIndex, idx
	}
	return StageAddGatedConstraint, idx
}

// afterIndex says in an added key's why that it waits for the index idx
// it needs, which contract adds.
func afterIndex(fk *schema.ForeignKey, idx *schema.Index) string {
	return fmt.Sprintf("; it comes after %s of %s, which contract adds and the key needs (the server refuses the key before it, error 1822)", indexWord(idx), fk.RefTable.Name)
}

// keyGate is fk's orphan gate (orphanGate), its why also saying which
// rows a data_migration's delete of parents makes orphans.
func (c *Change) keyGate(fk *schema.ForeignKey, why string) Step {
	for _, m := range c.ctx.leftOut(fk.RefTable.Name) {
		why += fmt.Sprintf("; a row whose parent data_migration %q deletes (contract runs it first after the gates, before the key is added) counts too: delete it with its parent (a data_migration on %s with delete = \"<predicate>\"), or keep its parent", m.Name, c.Table.Name)
	}
	return gate(why, c.orphanGate(fk))
}

// keyAdd is the contract ALTER adding fk at stage, in place with
// foreign_key_checks off (Split wraps it once the table's ALTERs are
// combined; combine keeps it a statement of its own), the indexes the
// server made for other keys that its own index makes redundant dropped
// in it (fk_index.go: said, not left to the server).
func (c *Change) keyAdd(fk *schema.ForeignKey, stage Stage, why string) (Step, error) {
	sql, err := c.Alter(&schema.AddForeignKey{F: fk})
	if err != nil {
		return Step{}, err
	}
	if drop, idx := supersededBy(c.FromTable, c.Table, fk); len(drop) > 0 {
		sql += dropKeyIndexes(drop) + addKeyIndexes([]*schema.Index{idx})
		why += fmt.Sprintf("; index %s, which the server made for other keys, gives way to the key's own, which serves them too", indexNames(drop))
	}
	st := stmt(revision.Contract, stage, why, Inplace.With(sql))
	st.fkOff = true
	return st, nil
}

// restricted words the previous release's writes a new table's key
// would fail, as a verb and as a noun: deletes (ON DELETE RESTRICT or NO
// ACTION), changes of the referenced key (ON UPDATE so), or both.
func restricted(fk *schema.ForeignKey) (verb, noun string) {
	switch del, upd := restricts(fk.OnDelete), restricts(fk.OnUpdate); {
	case del && upd:
		return "delete (or change the key of)", "deletes (or key changes)"
	case del:
		return "delete", "deletes"
	default:
		return "change the key of", "key changes"
	}
}

// orphanGate counts child rows whose key is fully set (MATCH SIMPLE: a NULL
// in any key column exempts the row, as the server does) but matches no
// parent row the release keeps (a parent a data_migration's delete removes
// first is none), less the rows a data_migration of the release deletes
// first (its predicate reads the row of the table unaliased, so the child
// table keeps its name then). Aliases keep it right for a table
// referencing itself.
func (c *Change) orphanGate(fk *schema.ForeignKey) string {
	table := c.Table.Name
	child, kept := "child", ""
	for _, k := range c.ctx.keptRows(c.Table.Name) {
		child, kept = sqlsyntax.Ident(table), kept+" AND "+k
	}
	var cols, match, same []string
	ref := sqlsyntax.Ident(fk.RefTable.Name)
	// The parent's alias is neither table's name: a child table named
	// parent, read unaliased for its delete, or a parent table named parent,
	// read unaliased for its own, would be shadowed by it.
	parent := "parent"
	for strings.EqualFold(parent, table) || strings.EqualFold(parent, fk.RefTable.Name) {
		parent += "_"
	}
	for i, col := range fk.Columns {
		cols = append(cols, child+"."+sqlsyntax.Ident(col.Name))
		match = append(match, fmt.Sprintf("%s.%s = %s.%s", parent, sqlsyntax.Ident(fk.RefColumns[i].Name), child, sqlsyntax.Ident(col.Name)))
		same = append(same, fmt.Sprintf("%s.%s = %s.%s", ref, sqlsyntax.Ident(fk.RefColumns[i].Name), parent, sqlsyntax.Ident(fk.RefColumns[i].Name)))
	}
	// A parent a data_migration of the release deletes is none: the delete
	// runs first after the gates, before the key is added, so its children
	// would be orphans when the key is added (contract stopped there, the
	// parents deleted, its message blaming the previous release's writes).
	// The predicate reads the parent table unaliased, in a subquery of its
	// own, the parent row found again by its referenced columns (a key).
	for _, m := range c.ctx.leftOut(fk.RefTable.Name) {
		match = append(match, fmt.Sprintf("NOT EXISTS (SELECT 1 FROM %s WHERE %s AND (%s))", ref, strings.Join(same, " AND "), m.DeleteExpr.SQL()))
	}
	from := sqlsyntax.Ident(table)
	if child == "child" {
		from += " AS child"
	}
	return fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE %s AND NOT EXISTS (SELECT 1 FROM %s AS %s WHERE %s)%s",
		from, notNull(cols), ref, parent, strings.Join(match, " AND "), kept)
}
