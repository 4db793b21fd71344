package splitter

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// widening tells whether every part of a column change keeps all values and
// all writes of the previous release valid, and which online algorithm the
// server can use for it. ok is false for anything that could reject or
// truncate a value: those are tightenings, planned in contract.
func widening(from, to *schema.Column, ch schema.ChangeKind) (alg Algorithm, ok bool) {
	alg = Instant
	rest := ch &^ (schema.ChangeNull | schema.ChangeDefault | schema.ChangeComment | schema.ChangeType)
	if rest != schema.NoChange {
		return "", false
	}
	if ch.Is(schema.ChangeNull) {
		if !to.Type.Null {
			return "", false
		}
		alg = worse(alg, Inplace)
	}
	if dropsNeededDefault(from, to, ch) {
		return "", false
	}
	if ch.Is(schema.ChangeType) {
		a, ok := typeWidening(from, to)
		if !ok {
			return "", false
		}
		alg = worse(alg, a)
	}
	return alg, true
}

// Widens reports whether a column change keeps every value and every write
// of the previous release valid: the only column changes that may run
// before contract. emcee lint asks it about the changes a replayed plan makes.
// A charset or collation change counts as one when it keeps every
// character (rule convert-charset, which places it in expand).
func Widens(target project.Target, from, to *schema.Column, ch schema.ChangeKind) bool {
	if conv := schema.ChangeCharset | schema.ChangeCollate; ch&conv != 0 {
		if !convertsLosslessly(target, from, to) {
			return false
		}
		ch &^= conv
	}
	_, ok := widening(from, to, ch)
	return ok
}

// KeepsRows reports whether every row a column holds stays valid under a
// change of its type and nullability, so that no gate need count the rows
// it would reject: a widening, or a tightening whose gate would have nothing
// to count (an ENUM whose values only change order: the server maps each
// stored value by its text). emcee lint asks it of the tightenings a
// replayed contract makes, as the tighten-column rule decides its gate.
func KeepsRows(target project.Target, from, to *schema.Column, ch schema.ChangeKind) bool {
	// What the caller asks about but did not change (review asks about
	// both for every MODIFY, Moodle 3.6's DEFAULT 0 dropped alone) keeps
	// every row: joinType would count an integer's own range.
	ch &= typeNullKind(from.Type, to.Type)
	if ch == schema.NoChange {
		return true
	}
	if Widens(target, from, to, ch) {
		return true
	}
	tg, err := planTightening(from, to, ch)
	return err == nil && len(tg.preds) == 0
}

// convertsLosslessly reports a column whose charset, as its attributes
// say (an inspected column has them), stays or widens.
func convertsLosslessly(target project.Target, from, to *schema.Column) bool {
	charset := func(c *schema.Column) string {
		_, hasCS := schemadef.Charset(c.Attrs)
		if _, hasColl := schemadef.Collation(c.Attrs); !hasCS && !hasColl {
			return ""
		}
		cs, _ := schemadef.Effective(target, &schema.Table{}, c)
		return cs
	}
	f, t := charset(from), charset(to)
	return f != "" && t != "" && (f == t || slices.Contains(lossless[f], t))
}

func typeWidening(from, to *schema.Column) (Algorithm, bool) {
	// Either way: a TINYINT declared BOOL keeps every value it holds.
	if displayOnly(from.Type.Type, to.Type.Type) {
		return Instant, true
	}
	if _, ok := from.Type.Type.(*schema.BoolType); ok {
		// A bigger signed integer holds a BOOL too.
		t, ok := to.Type.Type.(*schema.IntegerType)
		if !ok || t.Unsigned || intRank(t.T) < 0 {
			return "", false
		}
		return Copy, true
	}
	switch f := from.Type.Type.(type) {
	case *schema.TimeType:
		// A DATETIME, TIMESTAMP or TIME with more fractional digits holds
		// every value with fewer (Friendica 2023.12's report.created,
		// datetime -> datetime(6)); both servers copy the table.
		t, ok := to.Type.Type.(*schema.TimeType)
		if ok && strings.EqualFold(f.T, t.T) && diff.TimePrecision(t) > diff.TimePrecision(f) && !strings.EqualFold(f.T, mysql.TypeDate) {
			return Copy, true
		}
		return "", false
	case *schema.StringType:
		t, ok := to.Type.Type.(*schema.StringType)
		// A CHAR's values are read without their padding, and a VARCHAR
		// as long keeps them as read; the row format changes.
		if ok && (lobWidens(f.T, t.T) || textHolds(f, t) || strings.EqualFold(f.T, mysql.TypeChar) && strings.EqualFold(t.T, mysql.TypeVarchar) && t.Size >= f.Size) {
			return Copy, true
		}
		if !ok || t.T != f.T || t.Size < f.Size {
			return "", false
		}
		// VARCHAR keeps its length prefix (1 byte up to 255 bytes, 2 above)
		// in place; crossing that line rewrites every row.
		if f.T == mysql.TypeVarchar && (f.Size*4 <= 255) == (t.Size*4 <= 255) {
			return Inplace, true
		}
		return Copy, true
	case *schema.BinaryType:
		t, ok := to.Type.Type.(*schema.BinaryType)
		if ok && lobWidens(f.T, t.T) {
			return Copy, true
		}
	case *schema.IntegerType:
		t, ok := to.Type.Type.(*schema.IntegerType)
		if !ok || intRank(t.T) < intRank(f.T) {
			return "", false
		}
		// A signed type a rank above an unsigned one holds all of it: the
		// type tighten-column widens an unsigned integer to while both
		// releases write it, narrowed to a signed type or a BOOL in
		// contract (smallint unsigned -> bool goes through mediumint).
		if t.Unsigned != f.Unsigned && (t.Unsigned || intRank(t.T) == intRank(f.T)) {
			return "", false
		}
		return Copy, true
	case *schema.EnumType:
		t, ok := to.Type.Type.(*schema.EnumType)
		if !ok || len(t.Values) < len(f.Values) || !slices.Equal(t.Values[:len(f.Values)], f.Values) {
			return "", false
		}
		// Appending values keeps every stored index; the server does it
		// instantly while the value count stays under 256.
		if len(t.Values) > 255 && len(f.Values) <= 255 {
			return Copy, true
		}
		return Instant, true
	case *schema.DecimalType:
		t, ok := to.Type.Type.(*schema.DecimalType)
		if !ok || t.Unsigned != f.Unsigned || t.Scale < f.Scale || t.Precision-t.Scale < f.Precision-f.Scale {
			return "", false
		}
		return Copy, true
	case *schema.FloatType:
		// A DOUBLE holds every FLOAT exactly (Matomo 4.0's goal.revenue and
		// log_conversion_item.price, float -> double): the stored binary
		// value is the same number, only more of its digits are shown.
		// Both servers copy the table.
		t, ok := to.Type.Type.(*schema.FloatType)
		if !ok || !singleFloat(f) || singleFloat(t) || t.Unsigned && !f.Unsigned {
			return "", false
		}
		return Copy, true
	}
	return "", false
}

// singleFloat reports a FLOAT stored in 4 bytes: FLOAT, or FLOAT(p) with p
// up to 24 (above, the server makes it a DOUBLE).
func singleFloat(t *schema.FloatType) bool {
	return strings.EqualFold(t.T, mysql.TypeFloat) && t.Precision <= 24
}

// displayOnly reports a type change between BOOL, which is TINYINT(1), and
// a signed TINYINT (GLPI 10.0's tinyint(1) -> tinyint): the same storage,
// whose display width alone changes, so every value stays and both
// servers change it instantly, either way.
func displayOnly(a, b schema.Type) bool {
	tinyint := func(t schema.Type) bool {
		i, ok := t.(*schema.IntegerType)
		return ok && !i.Unsigned && intRank(i.T) == 0
	}
	_, aBool := a.(*schema.BoolType)
	_, bBool := b.(*schema.BoolType)
	return aBool && tinyint(b) || bBool && tinyint(a)
}

// textHolds reports whether a TEXT type holds every value of a CHAR or
// VARCHAR (Zabbix 5.0's item_preproc.params, varchar(255) -> text): its
// limit is in bytes, so the column's length is counted at 4 bytes a
// character, the most any charset emcee plans takes. A CHAR's values are
// read without their padding, and the TEXT keeps them as read.
func textHolds(from, to *schema.StringType) bool {
	return charOrVarchar(from.T) && int64(from.Size)*4 <= diff.LobMax(to.T)
}

// lobWidens reports whether from -> to is a bigger TEXT, or a bigger BLOB
// (the callers' Atlas types keep the families apart): it holds every value
// of the smaller one (same charset), but both servers copy the table to
// change the length prefix of every stored value (MariaDB 10.11 refuses
// INSTANT, NOCOPY and INPLACE for TEXT -> LONGTEXT).
func lobWidens(from, to string) bool {
	f := diff.LobTier(from)
	return f >= 0 && diff.LobTier(to) > f
}

var intTypes = []string{mysql.TypeTinyInt, mysql.TypeSmallInt, mysql.TypeMediumInt, mysql.TypeInt, mysql.TypeBigInt}

func intRank(t string) int { return slices.Index(intTypes, strings.ToLower(t)) }

// dropsNeededDefault reports a NOT NULL column losing its default: the
// previous release's INSERTs that omit the column relied on it, so they
// would fail from that statement on.
func dropsNeededDefault(from, to *schema.Column, ch schema.ChangeKind) bool {
	return ch.Is(schema.ChangeDefault) && from.Default != nil && to.Default == nil && !to.Type.Null
}

// keptKeysFit is what an index of the previous release on a column expand
// retypes to col, kept until contract, needs to stay within the key length
// the server takes (Zabbix 5.0's items.key_, varchar(255) -> varchar(2048),
// under 4.0's unique items_1 (hostid, key_), which 5.0 turns into a prefix
// only in contract; Drupal 7.17's aggregator_feed.url, varchar(255) under
// the unique url -> text, whose index 7.17 declares url(255)): the server
// refuses the ALTER otherwise, with a reason about virtual columns on
// MariaDB 10.11. Where the index holds the whole of a CHAR or VARCHAR(n),
// the same ALTER makes that part a prefix of n characters (expand): every
// value the previous release writes is n characters at most, so the index
// keys those rows, and keeps them apart, as before; the new release's
// longer values are keyed by their first n characters until contract gives
// the index the release's definition. The rollback, narrowing the column
// back, gives the index its definition back (rollback). A prefix
// already there, a part of another type, a primary key, or a prefixed
// index still too long is refused, with the way out of two releases.
func (c *Change) keptKeysFit(col *schema.Column) (expand, rollback []schema.Change, err error) {
	if c.FromTable == nil {
		return nil, nil, nil
	}
	t := *c.FromTable
	t.Columns = slices.Clone(t.Columns)
	i := slices.IndexFunc(t.Columns, func(o *schema.Column) bool { return o.Name == col.Name })
	if i < 0 {
		return nil, nil, nil
	}
	was := t.Columns[i]
	t.Columns[i] = col
	for _, idx := range indexesOn(c.FromTable, col.Name) {
		kept := onColumn(idx, col.Name, func(q *schema.IndexPart) { q.C = col })
		why := diff.KeyTooLong(c.ctx.Target, &t, kept)
		if why == "" {
			continue
		}
		if prefixed := prefixedKey(kept, col.Name, was); prefixed != nil && idx != c.FromTable.PrimaryKey && diff.KeyTooLong(c.ctx.Target, &t, prefixed) == "" {
			expand = append(expand, &schema.DropIndex{I: idx}, &schema.AddIndex{I: prefixed})
			rollback = append(rollback, &schema.DropIndex{I: prefixed}, &schema.AddIndex{I: idx})
			continue
		}
		return nil, nil, fmt.Errorf("%s: %s.%s becomes %s in expand, but index %s of the previous release, which stays until contract, would then be too long: %s. Split it over two releases: first the index on a prefix short enough for the new type, then the column", c.ctx.Transition.To.Where(c.Table.Name, col.Name), c.Table.Name, col.Name, schemadef.TypeName(col.Type), idx.Name, why)
	}
	return expand, rollback, nil
}

// prefixedKey is idx with its parts on column, the whole of a CHAR or
// VARCHAR(n) in the previous release (was), made prefixes of n characters;
// nil when a part on it has a prefix already or was is of another type.
func prefixedKey(idx *schema.Index, column string, was *schema.Column) *schema.Index {
	st, ok := was.Type.Type.(*schema.StringType)
	if !ok || !charOrVarchar(st.T) || st.Size <= 0 || slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C != nil && p.C.Name == column && diff.Prefix(p) > 0 }) {
		return nil
	}
	return onColumn(idx, column, func(q *schema.IndexPart) { q.Attrs = append(slices.Clone(q.Attrs), &mysql.SubPart{Len: st.Size}) })
}

// onColumn is a copy of idx whose parts on column are copies that set
// changes.
func onColumn(idx *schema.Index, column string, set func(*schema.IndexPart)) *schema.Index {
	out := *idx
	out.Parts = make([]*schema.IndexPart, len(idx.Parts))
	for j, p := range idx.Parts {
		q := *p
		if p.C != nil && p.C.Name == column {
			set(&q)
		}
		out.Parts[j] = &q
	}
	return &out
}

// widenSteps are expand's MODIFY m, a widening (the declared column, or
// one holding both releases' values), with the previous release's indexes
// on the column fitted to it (keptKeysFit), and its rollback, which undoes
// what (restoreColumn). A statement that rewrites every row (cost) carries
// optIn's note, or is refused by it.
func (c *Change) widenSteps(m *schema.ModifyColumn, why, what string, optIn func(cost string) (string, error)) ([]Step, error) {
	keys, keysBack, err := c.keptKeysFit(m.To)
	if err != nil {
		return nil, err
	}
	conv := m.Change & (schema.ChangeCharset | schema.ChangeCollate)
	alg, ok := c.ctx.widenAlgorithm(c.Table, m.From, m.To, m.Change&^conv)
	if !ok {
		return nil, fmt.Errorf("%s: %s.%s: emcee could not find a column type accepting both releases' writes", c.ctx.Transition.To.Where(c.Table.Name, m.To.Name), c.Table.Name, m.To.Name)
	}
	var gates []Step
	if conv != schema.NoChange {
		// A charset widened with the type (a renamed column's,
		// widenRenamed) costs what convert-charset's conversion does.
		v := conversion{from: m.From, to: m.To}
		v.fromCS, v.fromColl = schemadef.Effective(c.ctx.Target, c.FromTable, m.From)
		v.toCS, v.toColl = schemadef.Effective(c.ctx.Target, c.Table, m.To)
		a, how := c.ctx.conversionAlgorithm(c.FromTable, v)
		if alg = worse(alg, a); how != "" {
			why += "; " + how
		}
		if gates, err = collisionGates(c, []conversion{v}, false); err != nil {
			return nil, err
		}
	}
	alg, why = prefixedKeysWhy(keys, alg, why, m.From)
	sql, err := c.Alter(append([]schema.Change{m}, keys...)...)
	if err != nil {
		return nil, err
	}
	if len(keys) > 0 && alg != Copy {
		// MariaDB 10.11, making a whole-column key a prefix of the same
		// length in place, kept the index's entries as they were: a lookup
		// by the column (WHERE name = 'bob') found no row from then on.
		sql, why = withForce(sql), why+"; FORCE rebuilds the table with the prefixed index (in place, MariaDB kept the old entries, which no lookup then found)"
	}
	if cost := c.ctx.costOf(alg.With(sql)); Rebuilds(cost) {
		note, err := optIn(cost)
		if err != nil {
			return nil, err
		}
		why += "; " + note
	}
	back, err := c.restoreColumn(m.From, m.To, m.Change, what, keysBack...)
	return append(append(gates, stmt(revision.Expand, StageModifyColumn, why, alg.With(sql))), back...), err
}

// prefixedKeysWhy says what keptKeysFit's index changes (DropIndex, AddIndex
// pairs) do in expand's ALTER, whose algorithm they lift to in place at
// least: an index is dropped and added, which is not metadata only.
func prefixedKeysWhy(keys []schema.Change, alg Algorithm, why string, was *schema.Column) (Algorithm, string) {
	var names []string
	for _, k := range keys {
		if a, ok := k.(*schema.AddIndex); ok {
			names = append(names, a.I.Name)
		}
	}
	if len(names) == 0 {
		return alg, why
	}
	if alg == Instant || alg == NoCopy {
		alg = Inplace
	}
	return alg, why + fmt.Sprintf("; index %s of the previous release, which the new type would make too long, holds %s as a prefix of %d characters from this statement until contract gives it the release's definition: the previous release's values are that long at most, so it keys them as before", strings.Join(names, ", "), was.Name, was.Type.Type.(*schema.StringType).Size)
}
