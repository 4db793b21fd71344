package diff

import (
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// withColumnCharsetChanges adds the column charset and collation changes
// Atlas does not see: it compares a column's charset with its table's
// (mysql diff.columnCharsetChanged), and a table that declares none, which
// inherits the database's, hides them. A column of such a table given
// `collate = "utf8mb4_bin"` or `charset = "latin1"` in the next release was
// planned as no change at all, so the column kept its old collation under
// a snapshot saying otherwise.
func withColumnCharsetChanges(from, to *schema.Schema, changes []schema.Change) []schema.Change {
	for _, t := range to.Tables {
		old, ok := from.Table(t.Name)
		if !ok {
			continue
		}
		for _, c := range t.Columns {
			oc, ok := old.Column(c.Name)
			if !ok {
				continue
			}
			var kind schema.ChangeKind
			// The charset a collation names counts: Atlas's diff gives the
			// new release's column a charset attribute from its collation,
			// and the previous release's has none to compare it with.
			fromCS, _ := Effective(old, oc)
			toCS, _ := Effective(t, c)
			if blind(old, oc, c, &schema.Charset{}) && fromCS != toCS {
				kind |= schema.ChangeCharset
			}
			if blind(old, oc, c, &schema.Collation{}) && !sameCollation(effective(old, oc), effective(t, c)) {
				kind |= schema.ChangeCollate
			}
			if kind == schema.NoChange {
				continue
			}
			mt := modifyTable(&changes, t)
			if m := columnChange(mt, c.Name); m != nil {
				m.Change |= kind
				continue
			}
			mt.Changes = append(mt.Changes, &schema.ModifyColumn{From: oc, To: c, Change: kind})
		}
	}
	return changes
}

// blind reports whether Atlas cannot see a change of the attribute kind of
// a column: its table declared none in the previous release, and the
// column declares one in either release.
func blind(oldT *schema.Table, from, to *schema.Column, kind schema.Attr) bool {
	return !hasKind(oldT.Attrs, kind) && (hasKind(from.Attrs, kind) || hasKind(to.Attrs, kind))
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

// effective is a column's collation: its own, else its table's, else the
// server's the offline planner assumes. A column (or table) that names
// only a charset has that charset's default collation, which is not known
// offline: "charset:<name>".
func effective(t *schema.Table, c *schema.Column) string {
	for _, attrs := range [][]schema.Attr{c.Attrs, t.Attrs} {
		if v, ok := attrOf(attrs, &schema.Collation{}); ok {
			return v
		}
		if cs, ok := attrOf(attrs, &schema.Charset{}); ok {
			return "charset:" + cs
		}
	}
	return ServerCollation
}

// sameCollation compares effective collations; one known only by its
// charset is taken to be any collation of that charset.
func sameCollation(a, b string) bool {
	switch {
	case a == b:
		return true
	case strings.HasPrefix(a, "charset:"):
		return strings.HasPrefix(b, strings.TrimPrefix(a, "charset:")+"_")
	case strings.HasPrefix(b, "charset:"):
		return strings.HasPrefix(a, strings.TrimPrefix(b, "charset:")+"_")
	}
	return false
}

func modifyTable(changes *[]schema.Change, t *schema.Table) *schema.ModifyTable {
	for _, ch := range *changes {
		if m, ok := ch.(*schema.ModifyTable); ok && m.T.Name == t.Name {
			return m
		}
	}
	mt := &schema.ModifyTable{T: t}
	*changes = append(*changes, mt)
	return mt
}

func columnChange(mt *schema.ModifyTable, name string) *schema.ModifyColumn {
	for _, ch := range mt.Changes {
		if m, ok := ch.(*schema.ModifyColumn); ok && m.To.Name == name {
			return m
		}
	}
	return nil
}

// Effective is the charset and collation the server gives a column: its
// own, else its table's, else the server default the offline planner
// assumes. A collation names its charset; a charset named without a
// collation has its default one (DefaultCollation). The utf8 alias reads
// as utf8mb3, as the server prints it.
func Effective(t *schema.Table, c *schema.Column) (charset, collation string) {
	collation = effective(t, c)
	if cs, ok := strings.CutPrefix(collation, "charset:"); ok {
		collation = DefaultCollation(cs)
	}
	collation = CanonicalCharset(collation)
	charset, _, _ = strings.Cut(collation, "_")
	if collation == "binary" {
		charset = "binary"
	}
	return charset, collation
}

// CanonicalCharset spells a charset or collation name as MariaDB 10.11
// prints it: lower case, utf8 as utf8mb3.
func CanonicalCharset(name string) string {
	name = strings.ToLower(name)
	if name == "utf8" || strings.HasPrefix(name, "utf8_") {
		return "utf8mb3" + strings.TrimPrefix(name, "utf8")
	}
	return name
}

// DefaultCollation is a charset's default collation on MariaDB 10.11
// (information_schema.CHARACTER_SETS), for the charsets emcee converts
// between; any other charset's is <charset>_general_ci, which a
// comparison then treats as a different collation at worst.
func DefaultCollation(charset string) string {
	switch cs := CanonicalCharset(charset); cs {
	case "latin1":
		return "latin1_swedish_ci"
	case "binary":
		return "binary"
	default:
		return cs + "_general_ci"
	}
}

// CharsetMaxLen is the longest character of a charset, in bytes.
func CharsetMaxLen(charset string) (int, bool) {
	n, ok := charsetMaxLen[strings.ToLower(charset)]
	return n, ok
}
