package diff

import (
	"ariga.io/atlas/sql/schema"
)

// Atlas's MySQL differ leaves out of the old table, before comparing, every
// index the new table lacks that could serve one of the old table's foreign
// keys (of the key's columns, or named after it): on an inspected database
// that is the index InnoDB made for a key, which no declaration shows. A
// release declares no such index (schemadef.Declared reads them out of an
// inspected one), so what Atlas leaves out is an index the previous release
// declared and this one drops: no DropIndex, the index stayed on every
// database, and a key that stays was then left with it instead of the index
// of its own name the release's schema gives it (db diff: index missing).

// indexLists are the index lists of the old tables, before Atlas replaces
// them.
func indexLists(base *schema.Schema) map[*schema.Table][]*schema.Index {
	out := map[*schema.Table][]*schema.Index{}
	for _, t := range base.Tables {
		out[t] = t.Indexes
	}
	return out
}

// withForeignKeyIndexDrops gives the old tables their index lists back and
// adds a DropIndex for each declared index Atlas left out.
func withForeignKeyIndexDrops(base, to *schema.Schema, lists map[*schema.Table][]*schema.Index, changes []schema.Change) []schema.Change {
	for _, old := range base.Tables {
		had := lists[old]
		if len(had) == len(old.Indexes) {
			continue
		}
		old.Indexes = had
		t, ok := to.Table(old.Name)
		if !ok {
			continue
		}
		mt := tableChange(changes, t)
		for _, idx := range had {
			if _, ok := t.Index(idx.Name); ok || mt != nil && schema.Changes(mt.Changes).IndexDropIndex(idx.Name) >= 0 {
				continue
			}
			mt = modifyTable(&changes, t)
			mt.Changes = append(mt.Changes, &schema.DropIndex{I: idx})
		}
	}
	return changes
}
