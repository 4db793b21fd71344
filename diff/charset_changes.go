package diff

import (
	"iter"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// withColumnCharsetChanges makes the column charset and collation changes
// the ones schemadef.Effective sees. Atlas compares a column's attributes
// with its table's (mysql diff.columnCharsetChanged), level by level:
//   - a level the table does not declare, which it inherits from the
//     database, hides them: a column of a table declaring none given
//     `collate = "utf8mb4_bin"` or `charset = "latin1"` in the next
//     release, and one of a utf8mb4_bin table that stops declaring
//     `charset = "utf8mb4"` (utf8mb4_general_ci -> utf8mb4_bin), were
//     planned as no change at all, so the column kept its old collation
//     under a snapshot saying otherwise;
//   - it gives the new release's column the charset its collation names,
//     and the previous release's none: a column declaring only
//     utf8mb4_general_ci in a latin1 table "changed" its charset with
//     every release, and widening it was refused as a charset change
//     together with a type change.
func withColumnCharsetChanges(target project.Target, from, to *schema.Schema, changes []schema.Change) []schema.Change {
	for old, t := range kept(from, to) {
		mt := tableChange(changes, t)
		for _, c := range t.Columns {
			oc, ok := old.Column(c.Name)
			if !ok {
				continue
			}
			fromCS, fromColl := schemadef.Effective(target, old, oc)
			toCS, toColl := schemadef.Effective(target, t, c)
			var kind, same schema.ChangeKind
			// A column declaring neither follows its table: a change of
			// the table's default is the table's (ModifyAttr), which
			// converts it.
			own := slices.ContainsFunc(oc.Attrs, schemadef.CharsetAttr) || slices.ContainsFunc(c.Attrs, schemadef.CharsetAttr)
			if fromCS == toCS {
				same |= schema.ChangeCharset
			} else if own {
				kind |= schema.ChangeCharset
			}
			if fromColl == toColl {
				same |= schema.ChangeCollate
			} else if own {
				kind |= schema.ChangeCollate
			}
			if m := columnChange(mt, c.Name); m != nil {
				if m.Change = m.Change&^same | kind; m.Change == schema.NoChange {
					mt.Changes = slices.DeleteFunc(mt.Changes, func(ch schema.Change) bool { return ch == m })
				}
				continue
			}
			if kind == schema.NoChange {
				continue
			}
			mt = modifyTable(&changes, t)
			mt.Changes = append(mt.Changes, &schema.ModifyColumn{From: oc, To: c, Change: kind})
		}
	}
	return slices.DeleteFunc(changes, func(ch schema.Change) bool {
		mt, ok := ch.(*schema.ModifyTable)
		return ok && len(mt.Changes) == 0
	})
}

// withDeclaredCollations takes back the collation Atlas's diff gives, in
// place, a table or column of the release (copy, a private copy of
// declared) that declares a charset alone (mysql diff.defaultCollate):
// that charset's default in Atlas's own list, MariaDB 10's and MySQL's,
// which a MariaDB 11 target does not have (utf8mb4's is uca1400_ai_ci
// from 11.3, utf8mb3's, ucs2's, utf16's and utf32's from 11.5). Such a
// column "changed" its collation, from the previous release's to Atlas's:
// widening it was refused as a conversion together with a type change,
// and a table default change wrote MODIFY ... CHARSET ucs2 COLLATE
// ucs2_general_ci, another collation than the server gave it. The
// declaration is then read by target (schemadef.Effective). Where Atlas's
// is target's, it stays, and with it the statements planned so far.
func withDeclaredCollations(target project.Target, declared, copy *schema.Schema) {
	tables := make(map[string]*schema.Table, len(declared.Tables))
	for _, t := range declared.Tables {
		tables[t.Name] = t
	}
	undo := func(was []schema.Attr, attrs *[]schema.Attr) {
		cs, ok := schemadef.Charset(was)
		if _, declared := schemadef.Collation(was); !ok || declared {
			return
		}
		*attrs = slices.DeleteFunc(slices.Clone(*attrs), func(a schema.Attr) bool {
			co, ok := a.(*schema.Collation)
			return ok && sqlsyntax.CanonicalCharset(co.V) != schemadef.DefaultCollation(target, cs)
		})
	}
	for _, t := range copy.Tables {
		d, ok := tables[t.Name]
		if !ok {
			continue
		}
		undo(d.Attrs, &t.Attrs)
		for _, c := range t.Columns {
			if dc, ok := d.Column(c.Name); ok {
				undo(dc.Attrs, &c.Attrs)
			}
		}
	}
}

// withTableCharsetChanges plans a table that stops declaring its charset
// or collation back to the default schemadef.Effective then gives it (the
// database's, or its charset's default collation). Atlas cannot drop a
// table option and moves it to the schema block's value instead
// (mysql diff.charsetChange, collationChange); a schema block declaring
// none (the database's default is then schemadef.ServerDefault), it planned no
// change at all, and the table and its columns kept the old collation
// under a snapshot saying otherwise.
func withTableCharsetChanges(target project.Target, from, to *schema.Schema, changes []schema.Change) []schema.Change {
	for old, t := range kept(from, to) {
		cs, coll := schemadef.Effective(target, t, &schema.Column{})
		for _, kind := range []schema.Attr{&schema.Charset{V: cs}, &schema.Collation{V: coll}} {
			was, ok := attrOf(old.Attrs, kind)
			if !ok || hasKind(t.Attrs, kind) {
				continue
			}
			now, _ := attrOf([]schema.Attr{kind}, kind)
			if mt := tableChange(changes, t); sqlsyntax.CanonicalCharset(was) == now || mt != nil && slices.ContainsFunc(mt.Changes, func(ch schema.Change) bool { return hasKind([]schema.Attr{ChangedAttr(ch)}, kind) }) {
				continue
			}
			mt := modifyTable(&changes, t)
			var prev schema.Attr = &schema.Charset{V: was}
			if _, ok := kind.(*schema.Collation); ok {
				prev = &schema.Collation{V: was}
			}
			mt.Changes = append(mt.Changes, &schema.ModifyAttr{From: prev, To: kind})
		}
	}
	return changes
}

// kept yields each table of to that from has too, with from's.
func kept(from, to *schema.Schema) iter.Seq2[*schema.Table, *schema.Table] {
	return func(yield func(old, t *schema.Table) bool) {
		for _, t := range to.Tables {
			if old, ok := from.Table(t.Name); ok && !yield(old, t) {
				return
			}
		}
	}
}

// ChangedAttr is the table attribute a change adds, drops, or sets (nil
// for other changes).
func ChangedAttr(ch schema.Change) schema.Attr {
	switch ch := ch.(type) {
	case *schema.AddAttr:
		return ch.A
	case *schema.ModifyAttr:
		return ch.To
	case *schema.DropAttr:
		return ch.A
	}
	return nil
}

func hasKind(attrs []schema.Attr, kind schema.Attr) bool {
	_, ok := attrOf(attrs, kind)
	return ok
}

func attrOf(attrs []schema.Attr, kind schema.Attr) (string, bool) {
	get := schemadef.Charset
	if _, ok := kind.(*schema.Collation); ok {
		get = schemadef.Collation
	}
	v, ok := get(attrs)
	return strings.ToLower(v), ok
}

func modifyTable(changes *[]schema.Change, t *schema.Table) *schema.ModifyTable {
	if mt := tableChange(*changes, t); mt != nil {
		return mt
	}
	mt := &schema.ModifyTable{T: t}
	*changes = append(*changes, mt)
	return mt
}

// tableChange is the change of table t among changes, nil if none.
func tableChange(changes []schema.Change, t *schema.Table) *schema.ModifyTable {
	for _, ch := range changes {
		if m, ok := ch.(*schema.ModifyTable); ok && m.T.Name == t.Name {
			return m
		}
	}
	return nil
}

// columnChange is the change of column name in mt, nil if none (Atlas
// pairs the columns of a ModifyColumn by name).
func columnChange(mt *schema.ModifyTable, name string) *schema.ModifyColumn {
	if mt == nil {
		return nil
	}
	if i := schema.Changes(mt.Changes).IndexModifyColumn(name); i >= 0 {
		return mt.Changes[i].(*schema.ModifyColumn)
	}
	return nil
}

// CharsetBytes is the longest character of a column, in bytes, in the
// charset schemadef.Effective gives it; 1 for a column that is not text.
// The release's limits (row size, key length) and the splitter's VARCHAR
// length prefix count bytes with it.
func CharsetBytes(target project.Target, t *schema.Table, c *schema.Column) int {
	if !schemadef.Textual(c.Type.Type) {
		return 1
	}
	cs, _ := schemadef.Effective(target, t, c)
	if n, ok := sqlsyntax.CharsetMaxLen(cs); ok {
		return n
	}
	cs, _ = schemadef.ServerDefault(target)
	n, _ := sqlsyntax.CharsetMaxLen(cs)
	return n
}
