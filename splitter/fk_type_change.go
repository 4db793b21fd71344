package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// MariaDB refuses to change the type, charset or collation of a column
// that a foreign key uses, on either side of the key, under every
// algorithm and with foreign_key_checks = 0 too ("Cannot change column
// ...: used in a foreign key constraint", error 1832 on the referencing
// column, 1833 on the referenced one; MariaDB 10.11), but for an integer's
// display width and enum values appended. Planned, expand (a widening, a
// conversion) or contract (a tightening) failed at that statement, and
// nothing could be done but edit the release. underForeignKey is the way
// out the refusals give.
const underForeignKey = "MariaDB refuses that for a column a foreign key uses, on either side of the key, whatever the algorithm and with foreign_key_checks = 0 too (error 1832 or 1833), so the release would fail at that statement. Remove the foreign key in this release (contract drops it), change the column in the next, and declare the key again in the one after (contract adds it behind a gate counting orphans)"

// typeUnderForeignKey refuses a type change of a column (from -> to) that
// a foreign key of the previous release uses, on MariaDB: in expand, any
// such key; in contract (inContract), only one the release keeps as it
// is, since contract drops the others first (StageDropForeignKey, or in
// the same ALTER, which the server takes), a key changed under its name
// too.
func (c *Change) typeUnderForeignKey(from, to *schema.Column, inContract bool) error {
	if !c.ctx.Target.MariaDB() || schemadef.TypeName(from.Type) == schemadef.TypeName(to.Type) || displayOnly(from.Type.Type, to.Type.Type) || enumAppended(from.Type.Type, to.Type.Type) {
		return nil
	}
	keys := c.foreignKeysUsing(from.Name, inContract)
	if len(keys) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s.%s changes type (%s -> %s), and it is a column of foreign key %s in the previous release: %s; or keep the type",
		c.ctx.Transition.To.Where(c.Table.Name, to.Name), c.Table.Name, to.Name, schemadef.TypeName(from.Type), schemadef.TypeName(to.Type), strings.Join(keys, ", "), underForeignKey)
}

// foreignKeysUsing are the foreign keys of the previous release that
// column col of the table (its name there) is a column of, or that
// reference it, each named with its table; none on a table the release
// creates. kept leaves out the keys contract drops before it changes
// columns: a key's name is the database's, so one no table of the
// release has is dropped (StageDropForeignKey), and so is one the
// release changes under its name (modify-foreign-key: the old key goes at
// StageDropForeignKey, the new one comes at add-foreign-key's stages,
// after StageTighten, so it is built on the changed column).
func (c *Change) foreignKeysUsing(col string, kept bool) []string {
	if c.FromTable == nil || c.ctx.Transition.From == nil {
		return nil
	}
	dropped := func(fk *schema.ForeignKey) bool {
		if !kept {
			return false
		}
		modified := slices.ContainsFunc(c.ctx.changes, func(ch *Change) bool {
			m, ok := ch.Change.(*schema.ModifyForeignKey)
			return ok && m.From.Symbol == fk.Symbol
		})
		return modified || !slices.ContainsFunc(c.ctx.Transition.To.Schema.Tables, func(t *schema.Table) bool {
			return slices.ContainsFunc(t.ForeignKeys, func(o *schema.ForeignKey) bool { return o.Symbol == fk.Symbol })
		})
	}
	var keys []string
	for _, fk := range c.FromTable.ForeignKeys {
		if !dropped(fk) && slices.ContainsFunc(fk.Columns, func(o *schema.Column) bool { return o.Name == col }) {
			keys = append(keys, fmt.Sprintf("%s of %s", fk.Symbol, c.FromTable.Name))
		}
	}
	for _, t := range c.ctx.Transition.From.Tables {
		for _, fk := range t.ForeignKeys {
			if !dropped(fk) && fk.RefTable != nil && fk.RefTable.Name == c.FromTable.Name && slices.ContainsFunc(fk.RefColumns, func(o *schema.Column) bool { return o.Name == col }) {
				keys = append(keys, fmt.Sprintf("%s of %s (referencing it)", fk.Symbol, t.Name))
			}
		}
	}
	return keys
}

// enumAppended reports an enum whose values are the old ones, in their
// order, and more after them.
func enumAppended(from, to schema.Type) bool {
	f, ok := from.(*schema.EnumType)
	t, ok2 := to.(*schema.EnumType)
	return ok && ok2 && len(t.Values) > len(f.Values) && slices.Equal(t.Values[:len(f.Values)], f.Values)
}
