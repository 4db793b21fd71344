package diff

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The server's limits on column types, rows and keys, as MariaDB 10.11
// reports them in emcee's strict sql_mode (e2e/limits_test.go runs each
// boundary on the server). A declaration over a limit would pass planning
// and fail in the middle of expand, or be silently changed by the server
// (a long non-unique key is cut to a prefix, a long unique key becomes a
// hash over a hidden column), so that the live schema never matches.
const (
	maxRowBytes     = 65535 // all columns but the content of TEXT and BLOB
	maxVarcharBytes = 65532 // one VARCHAR or VARBINARY column
	maxKeyBytes     = 3072  // one index (InnoDB, DYNAMIC rows, 16K pages)
)

// checkLimits validates sizes against the server's limits. The default
// character set is utf8mb4, as the offline planner assumes.
func checkLimits(loc *locator, s *schema.Schema, target project.Target) []string {
	mariadb := target.MariaDB()
	var errs []string
	add := func(p Pos, format string, args ...any) { errs = append(errs, p.Errorf(format, args...).Error()) }
	for _, t := range s.Tables {
		row, nullable, known, before := 0, 0, true, len(errs)
		for _, c := range t.Columns {
			at := loc.at(t.Name, "column", c.Name, "type")
			ref := t.Name + "." + c.Name
			mb := CharsetBytes(target, t, c)
			checkType(ref, c.Type.Type, mb, mariadb, at, add)
			n, ok := packLen(c.Type.Type, mb)
			known = known && ok
			row += n
			if c.Type.Null {
				nullable++
			}
		}
		// A column over its own limit is reported alone.
		if row += (nullable + 7) / 8; known && row > maxRowBytes && len(errs) == before {
			add(loc.name(t.Name, "", ""), "a row of table %s takes %d bytes (TEXT and BLOB columns counted as the pointer the row keeps); the server allows %d: make some columns shorter, or TEXT", t.Name, row, maxRowBytes)
		}
		for _, idx := range t.Indexes {
			checkKey(loc, target, t, idx, add)
		}
		if t.PrimaryKey != nil {
			checkKey(loc, target, t, t.PrimaryKey, add)
		}
		for _, fk := range t.ForeignKeys {
			checkSetNull(loc, t, fk, add)
			for _, idx := range t.Indexes {
				if strings.EqualFold(idx.Name, fk.Symbol) && !schemadef.Leads(idx, fk.Columns) {
					add(loc.name(t.Name, "foreign_key", fk.Symbol), "foreign key %s of table %s has the name of index %s, which does not start with the key's columns, whole: the server names the index a foreign key needs after the key and refuses the duplicate name; rename one", fk.Symbol, t.Name, idx.Name)
				}
			}
		}
	}
	return errs
}

// checkSetNull refuses a foreign key that sets a NOT NULL column of it to
// NULL (on_delete or on_update = SET_NULL): MariaDB and MySQL refuse the
// key on such a column, and to make a column under such a key NOT NULL
// (error 1830, whatever the algorithm, with foreign_key_checks = 0 too), so
// the release failed at its CREATE TABLE or ALTER, or, a column tightened
// to NOT NULL, at contract's MODIFY after its gate.
func checkSetNull(loc *locator, t *schema.Table, fk *schema.ForeignKey, add func(Pos, string, ...any)) {
	for _, act := range []struct {
		attr string
		v    schema.ReferenceOption
	}{{"on_delete", fk.OnDelete}, {"on_update", fk.OnUpdate}} {
		if act.v != schema.SetNull {
			continue
		}
		for _, c := range fk.Columns {
			// A column of the primary key is NOT NULL on the server
			// whatever it declares (null = true is dropped silently),
			// and the key is refused there too (errno 150).
			if t.PrimaryKey != nil && slices.ContainsFunc(t.PrimaryKey.Parts, func(p *schema.IndexPart) bool { return p.C == c }) {
				add(loc.at(t.Name, "foreign_key", fk.Symbol, act.attr), "foreign key %s of table %s sets %s to NULL (%s = SET_NULL), but %s is NOT NULL, as every column of the primary key is: the server refuses that key (errno 150); take %s out of the primary key, or declare another %s", fk.Symbol, t.Name, c.Name, act.attr, c.Name, c.Name, act.attr)
				return
			}
			if !c.Type.Null {
				add(loc.at(t.Name, "foreign_key", fk.Symbol, act.attr), "foreign key %s of table %s sets %s to NULL (%s = SET_NULL), but %s is NOT NULL: the server refuses that key on such a column, and to make a column under it NOT NULL (error 1830); declare the column null = true, or another %s", fk.Symbol, t.Name, c.Name, act.attr, c.Name, act.attr)
				return
			}
		}
	}
}

func checkType(ref string, t schema.Type, mb int, mariadb bool, p Pos, add func(Pos, string, ...any)) {
	switch t := t.(type) {
	case *schema.StringType:
		switch strings.ToLower(t.T) {
		case mysql.TypeChar:
			if t.Size == 0 {
				add(p, "%s is char(0): Atlas writes it as char, which is char(1); declare the length (at least 1)", ref)
			} else if t.Size > 255 {
				add(p, "%s is char(%d); the server allows at most char(255): use varchar or text", ref, t.Size)
			}
		case mysql.TypeVarchar:
			if t.Size == 0 {
				add(p, "%s is varchar(0), which holds only '' and NULL; declare the length the values need", ref)
			} else if max := maxVarcharBytes / mb; t.Size > max {
				add(p, "%s is varchar(%d); in its character set (%d bytes per character) the server allows at most varchar(%d): use text, or a shorter length", ref, t.Size, mb, max)
			}
		}
	case *schema.BinaryType:
		switch strings.ToLower(t.T) {
		case mysql.TypeBinary:
			if t.Size != nil && *t.Size > 255 {
				add(p, "%s is binary(%d); the server allows at most binary(255): use varbinary or blob", ref, *t.Size)
			}
		case mysql.TypeVarBinary:
			if t.Size != nil && *t.Size > maxVarcharBytes {
				add(p, "%s is varbinary(%d); the server allows at most varbinary(%d): use blob", ref, *t.Size, maxVarcharBytes)
			}
		}
	case *schema.DecimalType:
		maxScale := 30
		if mariadb {
			maxScale = 38
		}
		switch {
		case t.Precision > 65:
			add(p, "%s has precision %d; decimal allows at most 65 digits", ref, t.Precision)
		case t.Scale > maxScale:
			add(p, "%s has scale %d; the server allows at most %d digits after the point", ref, t.Scale, maxScale)
		case t.Precision > 0 && t.Scale > t.Precision:
			add(p, "%s has scale %d above its precision %d; the scale counts digits within the precision", ref, t.Scale, t.Precision)
		}
	case *schema.FloatType:
		if t.Precision > 53 {
			add(p, "%s is float(%d); the precision is at most 53", ref, t.Precision)
		}
	case *schema.TimeType:
		if t.Precision != nil && *t.Precision > 6 {
			add(p, "%s has fractional seconds precision %d; the server allows 0 to 6", ref, *t.Precision)
		}
	case *mysql.BitType:
		if t.Size > 64 {
			add(p, "%s is bit(%d); the server allows at most bit(64)", ref, t.Size)
		}
	case *schema.EnumType:
		if len(t.Values) > 65535 {
			add(p, "%s has %d enum values; the server allows 65535", ref, len(t.Values))
		}
	case *mysql.SetType:
		if len(t.Values) > 64 {
			add(p, "%s has %d set members; the server allows 64", ref, len(t.Values))
		}
	case *schema.SpatialType:
		add(p, "%s is %s: %s", ref, t.T, sqlsyntax.NoSpatial)
	}
}

// checkKey refuses an index whose key is longer than the server takes, or
// whose prefixes it refuses.
func checkKey(loc *locator, target project.Target, t *schema.Table, idx *schema.Index, add func(Pos, string, ...any)) {
	if it, ok := schemadef.Attr[*mysql.IndexType](idx.Attrs); ok && strings.EqualFold(it.T, mysql.IndexTypeFullText) {
		return
	}
	what, p := "index "+idx.Name, loc.name(t.Name, "index", idx.Name)
	if idx == t.PrimaryKey {
		what, p = "the primary key", loc.name(t.Name, "primary_key", "")
	}
	total := 0
	for _, part := range idx.Parts {
		if part.C == nil {
			return // an expression: its length is the server's to compute
		}
		c := part.C
		prefix := Prefix(part)
		mb := CharsetBytes(target, t, c)
		var n int
		switch ct := c.Type.Type.(type) {
		case *schema.StringType:
			length := ct.Size
			switch {
			case isLob(ct.T) && prefix == 0:
				add(p, "%s of table %s covers the %s column %s without a prefix; declare one (`prefix = N` in an `on` block): MySQL refuses it, MariaDB would index a prefix it chooses", what, t.Name, ct.T, c.Name)
				return
			case !isLob(ct.T) && prefix > length:
				add(p, "%s of table %s takes a prefix of %d characters of %s, which holds at most %d; the server refuses a prefix longer than the column", what, t.Name, prefix, c.Name, length)
				return
			case prefix > 0:
				length = prefix
			}
			n = length * mb
		case *schema.BinaryType:
			length := binarySize(ct)
			switch {
			case isLob(ct.T) && prefix == 0:
				add(p, "%s of table %s covers the %s column %s without a prefix; declare one (`prefix = N` in an `on` block)", what, t.Name, ct.T, c.Name)
				return
			case isLob(ct.T):
				length = prefix
			case prefix > 0:
				length = min(length, prefix)
			}
			n = length
		default:
			if prefix > 0 {
				add(p, "%s of table %s takes a prefix of %s, which is not a string column; the server refuses it: remove the prefix", what, t.Name, c.Name)
				return
			}
			var ok bool
			if n, ok = packLen(c.Type.Type, mb); !ok {
				return
			}
		}
		total += n
	}
	if total > maxKeyBytes {
		add(p, "%s of table %s is %d bytes long; the server allows keys of at most %d bytes (MySQL refuses a longer one; MariaDB cuts a one-column key to a prefix, or turns a unique one into a hash over a hidden column, so the table would never match its declaration): index a prefix (`prefix = N` in an `on` block) or shorter columns", what, t.Name, total, maxKeyBytes)
	}
}

func isLob(t string) bool { return LobTier(t) >= 0 }

// packLen is the bytes a column takes in the server's row buffer, the sum
// the row limit applies to; false when emcee does not know the type.
func packLen(t schema.Type, mb int) (int, bool) {
	lenBytes := func(n int) int {
		if n < 256 {
			return n + 1
		}
		return n + 2
	}
	switch t := t.(type) {
	case *schema.IntegerType:
		if bits, ok := intBits[strings.ToLower(t.T)]; ok {
			return int(bits / 8), true
		}
	case *schema.BoolType:
		return 1, true
	case *schema.DecimalType:
		p := cmp.Or(t.Precision, 10)
		return decimalBytes(p-t.Scale) + decimalBytes(t.Scale), true
	case *schema.FloatType:
		if singlePrecision(t) {
			return 4, true
		}
		return 8, true
	case *mysql.BitType:
		return (max(t.Size, 1) + 7) / 8, true
	case *schema.TimeType:
		fsp := TimePrecision(t)
		switch strings.ToLower(t.T) {
		case mysql.TypeDate:
			return 3, true
		case mysql.TypeTime:
			return 3 + (fsp+1)/2, true
		case mysql.TypeDateTime:
			return 5 + (fsp+1)/2, true
		case mysql.TypeTimestamp:
			return 4 + (fsp+1)/2, true
		case mysql.TypeYear:
			return 1, true
		}
	case *schema.StringType:
		switch strings.ToLower(t.T) {
		case mysql.TypeChar:
			return t.Size * mb, true
		case mysql.TypeVarchar:
			return lenBytes(t.Size * mb), true
		}
		return lobLen(t.T)
	case *schema.BinaryType:
		size := binarySize(t)
		switch strings.ToLower(t.T) {
		case mysql.TypeBinary:
			return size, true
		case mysql.TypeVarBinary:
			return lenBytes(size), true
		}
		return lobLen(t.T)
	case *schema.EnumType:
		if len(t.Values) > 255 {
			return 2, true
		}
		return 1, true
	case *mysql.SetType:
		if n := (len(t.Values) + 7) / 8; n <= 4 {
			return max(n, 1), true
		}
		return 8, true
	case *schema.JSONType:
		return 12, true
	}
	return 0, false
}

// TimePrecision is the fractional digits of a time type (0 when none is
// given).
func TimePrecision(t *schema.TimeType) int {
	if t.Precision == nil {
		return 0
	}
	return *t.Precision
}

// Prefix is the characters (bytes, of a binary column) an index part
// keeps of its column: 0 for the whole column.
func Prefix(p *schema.IndexPart) int {
	if sp, ok := schemadef.Attr[*mysql.SubPart](p.Attrs); ok {
		return sp.Len
	}
	return 0
}

// binarySize is a BINARY or VARBINARY's length (binary alone is
// binary(1)).
func binarySize(t *schema.BinaryType) int {
	if t.Size == nil {
		return 1
	}
	return *t.Size
}

// LobMax is the most bytes a TEXT or BLOB type holds; 0 for another type.
func LobMax(t string) int64 {
	if i := LobTier(t); i >= 0 {
		return lobTiers[i].max
	}
	return 0
}

// lobLen is what a row keeps of a TEXT or BLOB.
func lobLen(t string) (int, bool) {
	if i := LobTier(t); i >= 0 {
		return lobTiers[i].row, true
	}
	return 0, false
}

// lobTiers are the TEXT and BLOB types, smallest first: the most bytes a
// value of each holds (checkLob), and what a row keeps of it, its length
// and a pointer (packLen).
type lobTier struct {
	text, blob string
	max        int64
	row        int
}

var lobTiers = []lobTier{
	{mysql.TypeTinyText, mysql.TypeTinyBlob, 255, 9},
	{mysql.TypeText, mysql.TypeBlob, 65535, 10},
	{mysql.TypeMediumText, mysql.TypeMediumBlob, 16777215, 11},
	{mysql.TypeLongText, mysql.TypeLongBlob, 4294967295, 12},
}

// LobTier is the tier of a TEXT or BLOB type, smallest first; -1 for
// another type.
func LobTier(t string) int {
	t = strings.ToLower(t)
	return slices.IndexFunc(lobTiers, func(l lobTier) bool { return t == l.text || t == l.blob })
}

// decimalBytes is the storage of a run of decimal digits: 4 bytes per 9.
func decimalBytes(digits int) int {
	if digits <= 0 {
		return 0
	}
	return digits/9*4 + [...]int{0, 1, 1, 2, 2, 3, 3, 4, 4, 4}[digits%9]
}

// KeyTooLong says why the server refuses index idx of table t as t's
// columns are typed ("" when it takes it): the splitter asks it of the
// indexes the previous release keeps until contract while expand retypes
// their columns (Zabbix 5.0 widened items.key_ to varchar(2048) under the
// unique (hostid, key_) of 4.0, which only contract replaces by a prefix).
func KeyTooLong(target project.Target, t *schema.Table, idx *schema.Index) string {
	var why []string
	checkKey(&locator{}, target, t, idx, func(_ Pos, format string, args ...any) { why = append(why, fmt.Sprintf(format, args...)) })
	return strings.Join(why, "; ")
}
