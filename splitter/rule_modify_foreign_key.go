package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/sqlname"
)

// A foreign key changed under its name: Doctrine (Sylius 1.0's
// FK_C7056A99F675F31B, made ON DELETE CASCADE by Version20170214095710)
// and other ORMs name a key by a hash of its table and columns, so a new
// action or referenced table keeps the name. Which phase, per kind of
// change:
//
//   - other columns, referenced table or referenced columns: the new key
//     rejects rows the old one accepted (the previous release writes
//     values of the old columns only, or parents of the old table), a
//     tightening like add-foreign-key's; and the old key may be what the
//     previous release relies on (its cascades, its refusal of orphans),
//     as drop-foreign-key's. Contract, behind add-foreign-key's orphan
//     gate.
//   - ON DELETE or ON UPDATE: the action decides what the previous
//     release's DELETE of a parent (or change of its key) does to the
//     child rows. In expand, from RESTRICT to CASCADE or SET NULL, that
//     release's delete it was written to have refused deletes or clears
//     children silently; from CASCADE or SET NULL to RESTRICT, its
//     deletes fail (error 1451); from CASCADE to SET NULL, it leaves
//     children it meant gone. So the old action holds until that release
//     is gone: contract. The new release meets the old action meanwhile,
//     as it meets a key the release drops (drop-foreign-key) and misses
//     one the release adds. The same orphan gate guards the new key: the
//     old one kept orphans out, but not rows written with
//     foreign_key_checks off, and the new key is added with checks off.
//
// Neither server takes the drop of a key and the add of one of the same
// name in one ALTER (MariaDB: error 1826), so the old key is dropped at
// StageDropForeignKey (combine may join that to the table's other
// contract ALTERs) and the new one added at add-foreign-key's stage, in a
// statement of its own (fkOff). Between the two the table has no key:
// the applier counts the orphans again right before the add and right
// after it (apply/fkcheck.go: the gate is this rule's), and drops the
// key again if one was written in between, contract then exiting 7
// (blocked by data) with the table keyless until the rows are fixed. A
// run that stops between the two resumes at the add: the drop resent
// finds no key (error 1091, counted as applied), the gates run again,
// and the add follows. Nothing happens in expand, so the release's
// rollback, which runs only before contract, leaves the key as the
// previous release has it.
//
// A name the server generated (t_ibfk_N) is refused (refusal_kinds.go):
// it does not name one key across databases.
func init() {
	register(&Rule{
		Name: "modify-foreign-key",
		Doc: RuleDoc{
			Change:   "foreign key changed under its name: its columns, referenced table or columns, ON DELETE or ON UPDATE (a name the server generated, t_ibfk_N, refused)",
			Phases:   "contract: the old key dropped, then the new one added in an ALTER of its own (MariaDB refuses both in one, error 1826), ALGORITHM=INPLACE, LOCK=NONE, foreign_key_checks off for the add; the previous release keeps the old key's actions until then",
			Gate:     "add-foreign-key's (no orphans under the new key), run again right before and after the add",
			Rollback: "nothing to undo: contract only",
			Example: `# on_delete was NO_ACTION (the default) in the previous release
foreign_key "fk_owner" {
  columns     = [column.owner_id]
  ref_columns = [table.owners.column.id]
  on_delete   = CASCADE
}`,
		},
		Match: matches(func(c *Change, m *schema.ModifyForeignKey) bool {
			return !sqlname.IsForeignKeyName(c.Table.Name, m.From.Symbol)
		}),
		Split: splits(func(c *Change, m *schema.ModifyForeignKey) ([]Step, error) {
			from, to := m.From, m.To
			if err := c.pairedKey(to); err != nil {
				return nil, err
			}
			what := changeWords(c.Table.Name, m)
			// With other columns the old key's index, which the server
			// named after it, is no longer the key's: it goes with the
			// old key (or the new key's index could not take its name).
			left := c.Table
			if m.Change.Is(schema.ChangeColumn) {
				t := *c.Table
				t.ForeignKeys = slices.DeleteFunc(slices.Clone(t.ForeignKeys), func(fk *schema.ForeignKey) bool { return strings.EqualFold(fk.Symbol, to.Symbol) })
				left = &t
			}
			drop := c.keyDrop(from, left, fmt.Sprintf("%s: the previous release relies on the old key until it is gone (%s), so it is dropped in contract; the new key is added by a statement of its own after the gate, since MariaDB refuses to drop and add a key of one name in one ALTER (error 1826)", what, keyWords(c.Table.Name, from)))
			effect := "would reject writes of the previous release"
			if !m.Change.Is(schema.ChangeColumn | schema.ChangeRefTable | schema.ChangeRefColumn) {
				effect = fmt.Sprintf("would change what the previous release's deletes (or key changes) of %s rows do to the rows of %s that reference them", to.RefTable.Name, c.Table.Name)
			}
			why := fmt.Sprintf("%s: the new key (%s) %s, so it comes after that release; the gate proved there are no orphans, so it is added in place without re-checking rows (a copy would block writes)", what, keyWords(c.Table.Name, to), effect)
			stage, idx := c.keyStage(to)
			if idx != nil {
				why += afterIndex(to, idx)
			}
			add, err := c.keyAdd(to, stage, why)
			if err != nil {
				return nil, err
			}
			gateWhy := fmt.Sprintf("%s: rows without a parent in %s under the new key (written by the previous release under the old key, with foreign_key_checks off, or while contract stood between the old key's drop and the new key's add) would stand under it unchecked; contract waits until there are none: give them a parent or delete them, or declare a data_migration on %s with delete = \"<predicate>\" selecting them (contract runs it first after the gates, and this gate leaves its rows out)", what, to.RefTable.Name, c.Table.Name)
			return []Step{c.keyGate(to, gateWhy), drop, add}, nil
		}),
	})
}

// keyWords says what a foreign key constrains and does, for a statement's
// why: its columns, what they reference, and its actions (RESTRICT,
// NO ACTION and none declared are one to InnoDB).
func keyWords(table string, fk *schema.ForeignKey) string {
	action := func(o schema.ReferenceOption) string { return cmp.Or(string(o), string(schema.NoAction)) }
	return fmt.Sprintf("%s(%s) references %s(%s) ON DELETE %s ON UPDATE %s", table, columnNames(fk.Columns), fk.RefTable.Name, columnNames(fk.RefColumns), action(fk.OnDelete), action(fk.OnUpdate))
}
