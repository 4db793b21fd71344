package splitter

import (
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// A foreign key needs an index on the columns it references: the server
// refuses it (CREATE TABLE: errno 150, "Foreign key constraint is
// incorrectly formed"; ALTER TABLE: error 1822, "Missing index"),
// foreign_key_checks off or not, unless those columns lead an index of the
// parent (its primary key, one it declares, or one the server made for
// its own keys). A key the release adds may reference columns or an index
// that the same release adds to a table it keeps; it must then come after
// the statement adding that index:
//
//   - an index expand adds: a new table's key that stays in expand is
//     added after the index, in an ALTER of its own once the tables are
//     created, as the keys of a cycle are (create-table);
//   - an index only contract adds: a new table's key waits for contract
//     (deferKeys), and there, as any key, comes after the index
//     (add-foreign-key, StageAddKeyAfterIndex).
//
// Which phase and stage each rule gives the index is the rules' own
// decision; refIndex names the ones that can serve a key:
// add-index (expand), add-unique-index (expand on a new column the
// previous release leaves NULL, uniqueInExpand; else contract, gated),
// add-primary-key (a new AUTO_INCREMENT column: expand; else contract,
// gated), index-uniqueness and replace-primary-key (contract, gated) and
// index-columns (contract, at the stage of dropped indexes, before every
// key contract adds).

// refReady is when the index a key needs on the columns it references is
// there.
type refReady int

const (
	// refBefore: before expand (the previous release's table has one, or
	// the parent is new: created with its indexes before the tables
	// referencing it).
	refBefore refReady = iota
	// refExpand: expand adds it, after the tables are created.
	refExpand
	// refContract: contract adds it before the keys it adds
	// (index-columns, at StageDropIndex).
	refContract
	// refGated: contract adds it behind a gate, at StageAddGatedConstraint:
	// a key referencing it comes after (StageAddKeyAfterIndex).
	refGated
)

// refIndex says when the index the key needs on the columns it
// references is there, and which index of the parent (as the release
// declares it) it is when a change of the release adds it (nil before).
func (c *Context) refIndex(fk *schema.ForeignKey) (refReady, *schema.Index) {
	if fk.RefTable == nil || c.Transition.From == nil || c.isNewTable(fk.RefTable.Name) {
		return refBefore, nil
	}
	prev := c.previousTable(fk.RefTable.Name)
	renamed := map[string]bool{} // indexes of prev the release renames (rename-index)
	for _, ch := range c.changes {
		if r, ok := ch.Change.(*schema.RenameIndex); ok && ch.Table.Name == fk.RefTable.Name {
			renamed[r.From.Name] = true
		}
	}
	if prev == nil || keptServes(prev, fk.RefTable, fk.RefColumns, renamed) {
		return refBefore, nil
	}
	ready, by := refGated, (*schema.Index)(nil)
	for _, ch := range c.changes {
		if ch.FromTable == nil || ch.Table.Name != fk.RefTable.Name {
			continue
		}
		var idx *schema.Index
		when := refGated
		switch x := ch.Change.(type) {
		case *schema.AddIndex:
			idx = x.I
			if !x.I.Unique || uniqueInExpand(ch, x.I) != "" {
				when = refExpand
			}
		case *schema.AddPrimaryKey:
			idx = x.P
			if ch.FromTable.PrimaryKey == nil && newAutoKey(ch, x) != nil {
				when = refExpand
			}
		case *schema.ModifyPrimaryKey:
			idx = x.To
		case *schema.ModifyIndex:
			idx = x.To
			if !x.Change.Is(schema.ChangeUnique) {
				when = refContract
			}
		}
		if idx == nil || isFulltext(idx) || !schemadef.Leads(idx, fk.RefColumns) {
			continue
		}
		if by == nil || when < ready {
			ready, by = when, idx
		}
	}
	if by == nil && !serves(fk.RefTable, fk.RefColumns) {
		// The release declares no index the key can use: the server
		// refuses the key wherever it goes.
		return refBefore, nil
	}
	return ready, by
}

// serves reports that the columns lead an index of the table: its
// primary key, one it declares, or one the server made for its keys.
func serves(t *schema.Table, cols []*schema.Column) bool {
	lead := func(idx *schema.Index) bool { return schemadef.Leads(idx, cols) }
	return t.PrimaryKey != nil && lead(t.PrimaryKey) || slices.ContainsFunc(t.Indexes, lead) || slices.ContainsFunc(schemadef.KeyIndexes(t), lead)
}

// keptServes reports that the columns lead an index of the previous
// release's table prev that the release keeps on the same columns (t is
// the table as the release declares it): its primary key, an index under
// the same name or renamed by the release (renamed: rename-index keeps it
// as it is), or one the server made for keys both have. An index of
// prev the release drops, or changes so that it no longer serves, is gone
// by the time contract adds keys: a key needing it comes after what the
// release adds in its place (a plain index replaced by a unique one under
// another name; the key before it failed with error 1822).
func keptServes(prev, t *schema.Table, cols []*schema.Column, renamed map[string]bool) bool {
	lead := func(idx *schema.Index) bool { return schemadef.Leads(idx, cols) }
	if prev.PrimaryKey != nil && lead(prev.PrimaryKey) && t.PrimaryKey != nil && lead(t.PrimaryKey) {
		return true
	}
	for _, idx := range prev.Indexes {
		if n, ok := t.Index(idx.Name); ok && lead(idx) && lead(n) || renamed[idx.Name] && lead(idx) {
			return true
		}
	}
	return slices.ContainsFunc(schemadef.KeyIndexes(prev), lead) && slices.ContainsFunc(schemadef.KeyIndexes(t), lead)
}

// indexWord names an index the key needs in a statement's why.
func indexWord(idx *schema.Index) string {
	if idx.Table != nil && idx.Table.PrimaryKey == idx || idx.Name == "" {
		return "the primary key"
	}
	return "index " + idx.Name
}
