package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// columnTightening is how a column change that is not a widening is split. Both
// releases write the column between expand and contract, so expand first
// moves it to the narrowest column that accepts the writes of BOTH
// releases (mid: the old type joined with the new one, nullable if either
// is, with the new default and comment); contract, behind a gate counting
// the rows the final column would truncate or reject, moves it from mid to
// the declared column.
type columnTightening struct {
	mid      *schema.Column
	midKind  schema.ChangeKind // from -> mid (NoChange: no expand step)
	contract schema.ChangeKind // mid -> to
	preds    []string          // a row matching any is truncated or rejected
}

// tightenable are the parts of a column change emcee can gate exactly;
// charset, collation, generated expressions and attributes are not.
const tightenable = schema.ChangeType | schema.ChangeNull | schema.ChangeDefault | schema.ChangeComment

func planTightening(from, to *schema.Column, kind schema.ChangeKind) (*columnTightening, error) {
	if rest := kind &^ tightenable; rest != schema.NoChange {
		return nil, fmt.Errorf("the change of %s cannot be checked row by row", describeColumnChange(rest))
	}
	col := sqlsyntax.Ident(to.Name)
	mid := *from
	midType := *from.Type
	mid.Type = &midType
	mid.Default, mid.Attrs = to.Default, to.Attrs
	tg := &columnTightening{mid: &mid}
	if kind.Is(schema.ChangeType) {
		t, pred, err := joinType(col, from.Type, to.Type)
		if err != nil {
			return nil, err
		}
		midType.Type = t
		if pred != "" {
			tg.preds = append(tg.preds, pred)
		}
	}
	midType.Null = from.Type.Null || to.Type.Null
	if !to.Type.Null && midType.Null {
		tg.preds = append([]string{col + " IS NULL"}, tg.preds...)
	}
	tg.midKind = typeNullKind(from.Type, &midType) | kind&(schema.ChangeDefault|schema.ChangeComment)
	if dropsNeededDefault(from, to, kind) {
		mid.Default = from.Default
		tg.midKind &^= schema.ChangeDefault
		tg.contract |= schema.ChangeDefault
	}
	tg.contract |= typeNullKind(&midType, to.Type)
	return tg, nil
}

// typeNullKind is what a column change from type a to type b changes of
// the type and the nullability.
func typeNullKind(a, b *schema.ColumnType) schema.ChangeKind {
	k := schema.NoChange
	if !sameType(a.Type, b.Type) {
		k |= schema.ChangeType
	}
	if a.Null != b.Null {
		k |= schema.ChangeNull
	}
	return k
}

func sameType(a, b schema.Type) bool {
	fa, err1 := mysql.FormatType(a)
	fb, err2 := mysql.FormatType(b)
	return err1 == nil && err2 == nil && fa == fb
}

// joinType returns the narrowest type holding every value of both types,
// and the predicate true for stored values the new type cannot hold. It
// refuses type pairs whose conversion it cannot predict exactly.
func joinType(col string, fromCT, toCT *schema.ColumnType) (schema.Type, string, error) {
	from, to := fromCT.Type, toCT.Type
	if _, ok := from.(*schema.BoolType); ok {
		if _, ok := to.(*schema.IntegerType); ok {
			// BOOL is a signed TINYINT (Friendica 2023.12's
			// user-contact.remote_self, bool -> tinyint unsigned).
			from = &schema.IntegerType{T: mysql.TypeTinyInt}
		}
	}
	if _, ok := to.(*schema.BoolType); ok {
		if _, ok := from.(*schema.IntegerType); ok {
			// The other way (the rollback of Moodle 3.7's
			// grade_categories.hidden, bool -> bigint): the values a
			// signed TINYINT holds, and the column written back as BOOL.
			to = &schema.IntegerType{T: mysql.TypeTinyInt}
		}
	}
	switch f := from.(type) {
	case *schema.StringType:
		if _, ok := to.(*schema.JSONType); ok && (charOrVarchar(f.T) || diff.LobTier(f.T) >= 0) {
			// Text to JSON (Mattermost 6.0's Posts.Props, Threads.Participants):
			// until contract both releases write a LONGTEXT, which holds every
			// JSON document and every text, and contract rejects what is not
			// JSON.
			return &schema.StringType{T: mysql.TypeLongText}, "NOT JSON_VALID(" + col + ")", nil
		}
		t, ok := to.(*schema.StringType)
		if ok && textHolds(f, t) {
			return t, "", nil
		}
		var preds []string
		if ok && f.T != t.T && strings.EqualFold(t.T, mysql.TypeChar) {
			// CHAR drops the trailing spaces of what it stores (Piwigo
			// 15's history.IP, varchar(15) -> char(39)); LIKE, unlike =,
			// does not pad, so it finds them.
			preds = append(preds, fmt.Sprintf("%s LIKE %s", col, sqlsyntax.String("% ")))
		}
		if ok && diff.LobTier(f.T) >= 0 {
			// A TEXT narrowed: to a smaller TEXT or to a CHAR/VARCHAR, as
			// the rollback of Redmine 3.4's text -> longtext widenings
			// (issues.description, journals.notes) and of 3.2's
			// auth_sources.filter, varchar(255) -> text, narrows them back.
			// Until contract both releases write the TEXT, which holds
			// every value of either; the gate counts what the narrower
			// type cannot hold: a TEXT's limit is in bytes, a CHAR's or
			// VARCHAR's in characters.
			switch {
			case lobWidens(f.T, t.T):
				return t, "", nil
			case diff.LobTier(t.T) >= 0:
				return f, fmt.Sprintf("OCTET_LENGTH(%s) > %d", col, diff.LobMax(t.T)), nil
			case charOrVarchar(t.T):
				preds = append([]string{fmt.Sprintf("CHAR_LENGTH(%s) > %d", col, t.Size)}, preds...)
				return f, strings.Join(preds, " OR "), nil
			}
		}
		if !ok || !charOrVarchar(f.T) || !charOrVarchar(t.T) {
			break
		}
		if t.Size < f.Size {
			preds = append([]string{fmt.Sprintf("CHAR_LENGTH(%s) > %d", col, t.Size)}, preds...)
		}
		switch {
		case f.T == t.T && t.Size >= f.Size:
			return t, "", nil
		case f.T == t.T, strings.EqualFold(f.T, mysql.TypeVarchar) && f.Size >= t.Size:
			return f, strings.Join(preds, " OR "), nil
		}
		// CHAR <-> VARCHAR: until contract both releases write a VARCHAR
		// as long as the longer of the two.
		j := *t
		j.T, j.Size = mysql.TypeVarchar, max(f.Size, t.Size)
		return &j, strings.Join(preds, " OR "), nil
	case *schema.IntegerType:
		t, ok := to.(*schema.IntegerType)
		if !ok || intRank(f.T) < 0 || intRank(t.T) < 0 {
			break
		}
		lo, hi := intRange(t)
		pred := fmt.Sprintf("%s NOT BETWEEN %s AND %s", col, lo, hi)
		switch {
		case intCovers(f, t):
			return f, pred, nil
		case intCovers(t, f):
			return toCT.Type, "", nil
		}
		// Signedness differs both ways: a signed type a rank above the
		// unsigned one holds both.
		u, s := f, t
		if t.Unsigned {
			u, s = t, f
		}
		r := max(intRank(u.T)+1, intRank(s.T))
		if r >= len(intTypes) {
			return nil, "", fmt.Errorf("no integer type holds both %s and %s values, so the two releases cannot share the column", schemadef.TypeName(fromCT), schemadef.TypeName(toCT))
		}
		j := *s
		j.T, j.Unsigned = intTypes[r], false
		return &j, pred, nil
	case *schema.EnumType:
		t, ok := to.(*schema.EnumType)
		if !ok {
			break
		}
		j := &schema.EnumType{T: f.T, Values: slices.Clone(f.Values), Schema: f.Schema}
		for _, v := range t.Values {
			// The server compares enum values without regard to case (and
			// refuses enum('b','B')): a value only re-cased is the old one,
			// which accepts the new release's writes; contract re-cases it.
			if !slices.ContainsFunc(f.Values, func(o string) bool { return strings.EqualFold(o, v) }) {
				j.Values = append(j.Values, v)
			}
		}
		if !slices.ContainsFunc(f.Values, func(v string) bool { return !slices.Contains(t.Values, v) }) {
			// Reordered only: every stored value is kept.
			return j, "", nil
		}
		// The empty string a non-strict session stores for a value the
		// column does not list (index 0) is kept as it is by the narrowing
		// copy, strict or not: counted, it closed the gate for good on rows
		// neither release's type rejects.
		return j, fmt.Sprintf("%s NOT IN (%s) AND %s + 0 <> 0", col, joinEach(t.Values, ", ", sqlsyntax.String), col), nil
	case *schema.DecimalType:
		t, ok := to.(*schema.DecimalType)
		if !ok || t.Unsigned != f.Unsigned {
			break
		}
		j := *f
		j.Scale = max(f.Scale, t.Scale)
		j.Precision = max(f.Precision-f.Scale, t.Precision-t.Scale) + j.Scale
		if j.Precision > 65 {
			return nil, "", fmt.Errorf("no DECIMAL holds both %s and %s values", schemadef.TypeName(fromCT), schemadef.TypeName(toCT))
		}
		var preds []string
		if t.Precision-t.Scale < f.Precision-f.Scale {
			preds = append(preds, fmt.Sprintf("ABS(%s) >= 1%s", col, strings.Repeat("0", t.Precision-t.Scale)))
		}
		if t.Scale < f.Scale {
			preds = append(preds, fmt.Sprintf("%s <> ROUND(%s, %d)", col, col, t.Scale))
		}
		return &j, strings.Join(preds, " OR "), nil
	}
	return nil, "", fmt.Errorf("%s -> %s is not a change emcee can check row by row (only shorter CHAR/VARCHAR, CHAR <-> VARCHAR, a smaller TEXT or TEXT -> CHAR/VARCHAR, smaller or re-signed integers and BOOL, DECIMAL precision/scale, ENUM value removals and CHAR/VARCHAR/TEXT to JSON are)", schemadef.TypeName(fromCT), schemadef.TypeName(toCT))
}

// intCovers reports whether every value of b fits in a.
func intCovers(a, b *schema.IntegerType) bool {
	switch {
	case a.Unsigned == b.Unsigned:
		return intRank(a.T) >= intRank(b.T)
	case b.Unsigned:
		return intRank(a.T) > intRank(b.T)
	}
	return false
}

func intRange(t *schema.IntegerType) (lo, hi string) {
	l, h := diff.IntRange(t.T, t.Unsigned)
	return l.String(), h.String()
}

func charOrVarchar(t string) bool {
	return strings.EqualFold(t, mysql.TypeVarchar) || strings.EqualFold(t, mysql.TypeChar)
}
