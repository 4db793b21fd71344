package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A new table is invisible to the previous release's code, so creating it
// (with its indexes and foreign keys) is additive. New tables whose foreign
// keys form a cycle cannot each be created with its keys (the server
// refuses a key to a table that does not exist yet, errno 150): they are
// created without the keys inside the cycle, which are added afterwards in
// expand. Both tables are new and empty and no code writes them before
// expand ends, so the keys are added in place with foreign_key_checks off.
//
// A key is not additive, though, where it makes a write of the previous
// release fail: a key to a table that release deletes rows from, ON
// DELETE RESTRICT or NO ACTION (the default), refuses the delete of a
// parent (error 1451) once the new release or migrate wrote a child row,
// and ON UPDATE the same refuses that release's change of a referenced
// column. Such a key is created without (the table gets the index the
// server would have made for it) and added in contract, when that release
// is gone, by add-foreign-key behind its orphan gate (deferKeys). ON
// DELETE CASCADE and SET NULL (and ON UPDATE CASCADE and SET NULL) do not
// fail the previous release's write: it deletes or clears the new
// release's child rows as the new release declared, which is what the
// new release's own deletes do; those keys stay in expand. So do the keys
// between tables new in the release, which the previous release never
// writes, unless such a cascade reaches the parent's rows.
//
// A key to columns of a kept table that no index serves before an index
// the release adds there (fk_ref_index.go) cannot be in the CREATE TABLE,
// which runs before the ALTERs of kept tables: with the index added in
// expand, it is added after it, as a cycle's keys are; with the index
// added only in contract, it waits for contract (deferKeys).
func init() {
	register(&Rule{
		Name: "create-table",
		Doc: RuleDoc{
			Change:   "create table, with its indexes and foreign keys",
			Phases:   "expand (foreign keys between new tables that reference each other in a cycle, and keys to columns of a kept table that an index expand adds serves: added after the tables and that index, ALGORITHM=INPLACE, LOCK=NONE; a key whose index only contract adds waits for contract, where add-foreign-key adds it after the index, behind its orphan gate); a foreign key that would fail a write of the previous release (to a table it deletes rows from, ON DELETE RESTRICT or NO ACTION, the default; or ON UPDATE so, on a column it changes; a cascade from its writes into new tables counts) is left out of the CREATE TABLE, whose table gets the index the server would make for it, and added in contract by add-foreign-key, behind its orphan gate; ON DELETE and ON UPDATE CASCADE or SET NULL stay in expand (the previous release's delete then deletes or clears the new release's child rows, as the new release declared its own deletes to), and so do keys between new tables no such cascade reaches",
			Gate:     "a foreign key added in contract: add-foreign-key's (no orphans)",
			Rollback: "drop the table (foreign keys added after the tables of a cycle or after an index of a kept table: dropped first, ALGORITHM=INPLACE, LOCK=NONE; a key waiting for contract was never added); the rows the new release wrote in it are lost. The first release's tables: refused (no previous release to return to; it would drop every table with its rows)",
			Example: `table "image_tags" {
  schema = schema.glance
  column "image_id" {
    type = bigint
  }
  column "tag" {
    type = varchar(255)
  }
  primary_key {
    columns = [column.image_id, column.tag]
  }
}`,
		},
		Match: is[*schema.AddTable],
		Split: func(c *Change) ([]Step, error) {
			t := c.Table
			base := t
			if e, ok := c.ctx.created[t.Name]; ok {
				base = e // without the keys that wait for contract
			}
			created := *base
			created.ForeignKeys = nil
			var later, afterIndex []*schema.ForeignKey
			for _, fk := range base.ForeignKeys {
				ready, _ := c.ctx.refIndex(fk)
				switch {
				case fk.RefTable != nil && fk.RefTable.Name == t.Name:
					// A key to the table itself (Friendica's
					// user.parent-uid) points at the copy: Atlas tells a
					// self-reference by identity, and took one to the
					// original for a cycle, writing it as a second
					// statement.
					self := *fk
					self.Table, self.RefTable = &created, &created
					created.ForeignKeys = append(created.ForeignKeys, &self)
				case fk.RefTable != nil && c.ctx.fks.cyclic(t.Name, fk.RefTable.Name) && c.ctx.isNewTable(fk.RefTable.Name):
					later = append(later, fk)
				case ready == refExpand:
					// fk_ref_index.go: the index it needs comes with
					// expand's ALTERs, after the tables.
					afterIndex = append(afterIndex, fk)
				default:
					created.ForeignKeys = append(created.ForeignKeys, fk)
				}
			}
			sql, err := c.ctx.SQL(&schema.AddTable{T: &created})
			if err != nil {
				return nil, err
			}
			why := "table " + t.Name + " is new: no code of the previous release reads or writes it"
			var waiting []string
			for _, fk := range t.ForeignKeys {
				if slices.Contains(base.ForeignKeys, fk) {
					continue
				}
				if ready, idx := c.ctx.refIndex(fk); ready >= refContract && idx != nil {
					why += fmt.Sprintf("; its foreign key %s waits for contract, which adds %s of %s that the key needs (the server refuses the key before it): add-foreign-key adds the key there, after it, behind its orphan gate", fk.Symbol, indexWord(idx), fk.RefTable.Name)
					continue
				}
				waiting = append(waiting, fk.Symbol)
			}
			if n := len(waiting); n > 0 {
				why += fmt.Sprintf("; its %s %s %s for contract (add-foreign-key adds %s there, behind %s orphan %s): in expand, %s would fail writes of the previous release to the rows %s", sqlsyntax.OneOrMany(n, "foreign key", "foreign keys"), strings.Join(waiting, ", "), sqlsyntax.OneOrMany(n, "waits", "wait"),
					sqlsyntax.OneOrMany(n, "it", "them"), sqlsyntax.OneOrMany(n, "its", "their"), sqlsyntax.OneOrMany(n, "gate", "gates"), sqlsyntax.OneOrMany(n, "it", "they"), sqlsyntax.OneOrMany(n, "it references", "they reference"))
			}
			steps := []Step{stmt(revision.Expand, StageCreateTable, why, sql),
				undo(StageRollbackDropTable, fmt.Sprintf("table %s is new in this release and the previous release never reads it; the rows the new release wrote in it are lost", t.Name), dropTable(t.Name))}
			if c.ctx.Transition.From == nil {
				// The first release has no previous one to return to:
				// undoing its expand would leave no release serving and
				// drop every table with its rows (all of a database
				// adopted with db baseline). The refusal stands for the
				// whole rollback (onlyRefusals).
				steps = append(steps, refuseRollback(fmt.Sprintf("release %s is the first release: there is no previous release to return to, and undoing its expand would drop every table it created with all their rows (to start over, drop the database)", c.ctx.Transition.To.Name)))
			}
			for _, fk := range later {
				steps, err = c.addKeyLater(steps, fk,
					fmt.Sprintf("foreign key %s of new table %s references new table %s, which references %s back: both tables are created first, then their keys; the tables are empty and no code writes them yet, so no row is checked", fk.Symbol, t.Name, fk.RefTable.Name, t.Name),
					fmt.Sprintf("foreign key %s of new table %s references new table %s, which references %s back: it goes first so that either table can be dropped", fk.Symbol, t.Name, fk.RefTable.Name, t.Name))
				if err != nil {
					return nil, err
				}
			}
			for _, fk := range afterIndex {
				_, idx := c.ctx.refIndex(fk)
				ref := fk.RefTable.Name + "(" + columnNames(fk.RefColumns) + ")"
				steps, err = c.addKeyLater(steps, fk,
					fmt.Sprintf("foreign key %s of new table %s references %s, which no index served before this expand adds %s to %s: the server refuses the key until then (errno 150), so the table is created without it and it is added after the index; the table is empty and no code writes it yet, so no row is checked", fk.Symbol, t.Name, ref, indexWord(idx), fk.RefTable.Name),
					fmt.Sprintf("foreign key %s of new table %s needs %s of %s, which this expand added: it goes first, so that the index can be dropped (error 1553 otherwise)", fk.Symbol, t.Name, indexWord(idx), fk.RefTable.Name))
				if err != nil {
					return nil, err
				}
			}
			return steps, nil
		},
	})
}

// addKeyLater adds to steps a key of a new table that its CREATE TABLE
// leaves out, added in expand once the tables and the indexes it needs
// are there (why), in place with foreign_key_checks off: the table is new
// and empty, and no code writes it before expand ends. The rollback drops
// it first (undoWhy), before the tables and indexes it needs.
func (c *Change) addKeyLater(steps []Step, fk *schema.ForeignKey, why, undoWhy string) ([]Step, error) {
	sql, err := c.Alter(&schema.AddForeignKey{F: fk})
	if err != nil {
		return nil, err
	}
	steps = append(steps, undo(StageRollbackDropConstraint, undoWhy,
		Inplace.With(fmt.Sprintf("ALTER TABLE %s DROP FOREIGN KEY %s", sqlsyntax.Ident(c.Table.Name), sqlsyntax.Ident(fk.Symbol)))))
	for _, s := range c.ctx.withoutFKChecks(Inplace.With(sql)) {
		steps = append(steps, stmt(revision.Expand, StageAddConstraint, why, s))
	}
	return steps, nil
}

// deferKeys are the foreign keys of new tables that would make a write of
// the previous release fail, or that reference columns only an index
// contract adds serves (fk_ref_index.go), each as an AddForeignKey
// change of its own on the table as expand creates it (Context.created,
// which create-table creates), for add-foreign-key to place in contract
// with its gate.
//
// Which writes those are: the previous release deletes rows of every
// table it has, and changes every column it has or that something fills
// as it writes (writtenMeanwhile); a cascade carries its writes on into
// new tables (ON DELETE CASCADE deletes the child rows, SET NULL and ON
// UPDATE CASCADE or SET NULL change the key's columns), where a key
// restricting that write fails it just the same. The cascades counted
// are those of every key of the new tables, contract's too: a key that
// waits does nothing until then, so more keys wait, never fewer.
func (c *Context) deferKeys() []*Change {
	if c.Transition.From == nil {
		return nil // the first release: there is no previous one
	}
	var added []*schema.Table
	isNew := map[string]bool{}
	for _, ch := range c.changes {
		if a, ok := ch.Change.(*schema.AddTable); ok {
			added = append(added, a.T)
			isNew[a.T.Name] = true
		}
	}
	if len(added) == 0 {
		return nil
	}
	type col struct{ table, column string }
	deleted, changed := map[string]bool{}, map[col]bool{}
	// What the previous release writes of its own tables, asked once a
	// column: a release of thousands of tables asks for many keys.
	written := map[col]bool{}
	deletes := func(table string) bool { return deleted[table] || !isNew[table] }
	changes := func(fk *schema.ForeignKey) bool {
		return slices.ContainsFunc(fk.RefColumns, func(rc *schema.Column) bool {
			k := col{fk.RefTable.Name, rc.Name}
			if _, asked := written[k]; !asked && !isNew[k.table] {
				written[k] = c.writtenMeanwhile(k.table, c.previousTable(k.table), rc)
			}
			return changed[k] || written[k]
		})
	}
	for grew := true; grew; {
		grew = false
		mark := func(table string, cols []*schema.Column) {
			for _, cl := range cols {
				if k := (col{table, cl.Name}); !changed[k] {
					changed[k], grew = true, true
				}
			}
		}
		for _, t := range added {
			for _, fk := range t.ForeignKeys {
				if fk.RefTable == nil {
					continue
				}
				if deletes(fk.RefTable.Name) {
					switch fk.OnDelete {
					case schema.Cascade:
						if !deleted[t.Name] {
							deleted[t.Name], grew = true, true
						}
					case schema.SetNull:
						mark(t.Name, fk.Columns)
					}
				}
				if changes(fk) && !restricts(fk.OnUpdate) {
					mark(t.Name, fk.Columns)
				}
			}
		}
	}
	var out []*Change
	for _, t := range added {
		var wait []*schema.ForeignKey
		for _, fk := range t.ForeignKeys {
			if fk.RefTable == nil {
				continue
			}
			// fk_ref_index.go: the index the key needs comes with
			// contract.
			ready, _ := c.refIndex(fk)
			if deletes(fk.RefTable.Name) && restricts(fk.OnDelete) || changes(fk) && restricts(fk.OnUpdate) || ready >= refContract {
				wait = append(wait, fk)
			}
		}
		if len(wait) == 0 {
			continue
		}
		created := *t
		created.ForeignKeys = slices.DeleteFunc(slices.Clone(t.ForeignKeys), func(fk *schema.ForeignKey) bool { return slices.Contains(wait, fk) })
		// The index the server would have made for a waiting key (of those
		// KeyIndexes lists for the whole table, the others the server
		// makes for the keys the table is created with): the new release
		// finds its rows by it from the start, and contract's ALTER only
		// adds the constraint.
		created.Indexes = slices.Clone(t.Indexes)
		for _, idx := range schemadef.KeyIndexes(t) {
			if slices.ContainsFunc(wait, func(fk *schema.ForeignKey) bool { return strings.EqualFold(fk.Symbol, idx.Name) }) {
				made := *idx
				made.Table = &created
				created.Indexes = append(created.Indexes, &made)
			}
		}
		c.created[t.Name] = &created
		for _, fk := range wait {
			out = append(out, &Change{Change: &schema.AddForeignKey{F: fk}, Table: t, FromTable: &created, ctx: c, seq: len(c.changes) + len(out)})
		}
	}
	return out
}

// restricts reports that a key's action refuses the write to its parent
// while child rows reference it: RESTRICT, NO ACTION, none declared (NO
// ACTION), and SET DEFAULT, which InnoDB does not carry out. CASCADE and
// SET NULL let the write through, changing the child rows.
func restricts(o schema.ReferenceOption) bool { return o != schema.Cascade && o != schema.SetNull }

// previousTable is the table as the previous release has it (under its
// old name when the release renames it), nil if it is new.
func (c *Context) previousTable(name string) *schema.Table {
	for _, ch := range c.changes {
		if ch.FromTable != nil && ch.Table.Name == name {
			return ch.FromTable
		}
	}
	return schemadef.TableIn(c.Transition.From, name)
}

func (c *Context) isNewTable(name string) bool {
	return slices.ContainsFunc(c.changes, func(ch *Change) bool { a, ok := ch.Change.(*schema.AddTable); return ok && a.T.Name == name })
}
