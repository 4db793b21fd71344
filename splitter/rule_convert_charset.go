package splitter

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A table moved to another charset or collation (Roundcube 1.5's
// `CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`, WordPress
// 4.2's and MediaWiki's utf8 -> utf8mb4): the table's default changes and
// every text column that inherits it follows, as CONVERT TO does; a column
// declaring its own charset or collation changes alone.
//
// Expand, not contract: the new release writes what only the new charset
// stores (a 4-byte character is "Incorrect string value" under utf8mb3 in
// strict mode) and compares as the new collation says, so it must never
// run against the old one. The previous release loses nothing: every
// character it writes is in the wider charset. What it may see is a unique
// key the new collation makes coarser ('a' and 'A ' one key under a _ci
// collation): the gate, which runs before expand, refuses while stored rows
// collide; a collision the previous release writes after that makes its
// INSERT fail, as it would the new release's.
//
// An index the new charset makes longer than InnoDB stores (3072 bytes a
// key) is refused when the release is checked (diff/check_limits.go),
// before any rule; one past the 767 bytes of a COMPACT table waits on a
// gate reading the live row format (rowFormatGate).
//
// Never CONVERT TO itself: MariaDB 10.11 makes a TEXT column MEDIUMTEXT
// under it (a copy), and the declared type is TEXT. Each column is
// MODIFYed to what it declares, which MariaDB 10.11 does INSTANT (measured:
// docs/rules-charset.md), apart from:
//   - in place without a rebuild (NOCOPY) when an index on the column must
//     be sorted again (a collation that orders otherwise), and when the
//     table's default changes in the same statement ("DROP INDEX" is its
//     reason to refuse INSTANT);
//   - a copy, which a column opts in to with allow_copy, for ENUM and SET
//     (their collation too), a column in a FULLTEXT index, a primary key
//     column under a collation that orders otherwise, a VARCHAR whose
//     longest value passes 255 bytes (its length prefix grows), a column in
//     a prefix index whose order is kept, and from a single-byte charset.
//
// MySQL changes a column's charset only by a copy.
func init() {
	register(&Rule{
		Name: "convert-charset",
		Doc: RuleDoc{
			Change:   "charset or collation of a table (its text columns that inherit the default follow, as CONVERT TO would) or of a column: to a charset holding every character of the old one (utf8mb3 -> utf8mb4, ascii, latin1, latin2, cp1250 and the other single-byte ones -> a Unicode one, ucs2 -> utf8mb4, utf16 -> utf32), or another collation of the same charset",
			Phases:   "expand (MariaDB 10.11: INSTANT, or NOCOPY where an index is sorted again or the table default changes too; ENUM/SET, FULLTEXT, a primary key under a new order, a VARCHAR passing 255 bytes, a prefix index or a charset change other than utf8mb3 -> utf8mb4 copy the table and require allow_copy = true; MySQL: a copy)",
			Gate:     "before expand: no two rows whose keys in a unique index the new collation makes equal (rows with a NULL key part are never duplicates); an index column growing past 767 bytes: the live table is not COMPACT or REDUNDANT",
			Rollback: "collation only, no copy: set back the same way, behind a gate counting the rows whose keys in a unique index the old collation makes equal; a charset change cannot be undone online (utf8mb4 -> utf8mb3 copies the table and rejects the 4-byte characters the new release wrote): refused",
			Example: `# was utf8mb3
charset = "utf8mb4"
collate = "utf8mb4_unicode_ci"`,
		},
		Match: charsetChange,
		Split: splitCharset,
	})
}

// charsetChange claims a change of a table's charset or collation, and a
// column change of its charset or collation alone.
func charsetChange(c *Change) bool {
	if c.FromTable == nil {
		return false
	}
	switch ch := c.Change.(type) {
	case *schema.ModifyColumn:
		return ch.Change != schema.NoChange && ch.Change&^(schema.ChangeCharset|schema.ChangeCollate) == schema.NoChange
	case *schema.AddAttr, *schema.ModifyAttr, *schema.DropAttr:
		return schemadef.CharsetAttr(diff.ChangedAttr(ch))
	}
	return false
}

// conversion is one column moving to another charset or collation.
type conversion struct {
	from, to         *schema.Column
	fromCS, toCS     string
	fromColl, toColl string
	alg              Algorithm
	why              string // what makes it a copy or NOCOPY
}

// sameOrder reports a collation change under which every index keeps its
// order: none, or utf8mb3_x -> utf8mb4_x (MariaDB 10.11 keeps such an
// index as it is).
func (v conversion) sameOrder() bool {
	return v.fromColl == v.toColl || v.fromCS == "utf8mb3" && v.toCS == "utf8mb4" && strings.TrimPrefix(v.fromColl, "utf8mb3") == strings.TrimPrefix(v.toColl, "utf8mb4")
}

// lossless lists the charset changes that keep every character, measured
// on MariaDB 10.11 by an ALTER ... MODIFY in strict mode of a column
// holding every value of the old charset (each byte of a single-byte one;
// every code point of the Unicode ones up to U+FFFF and a sample above):
// each value read back unchanged in the old charset, or the ALTER refused
// (error 1366) a byte that is no character of the old charset (cp1250's
// 0x81, ascii's 0x80), which no client writes as text; it then changes
// nothing. armscii8 and tis620 are left out: the server rewrites some of
// their bytes (armscii8 0xA4, tis620 0xA0) into others without an error.
// utf8mb3 and ucs2 hold the surrogates U+D800..U+DFFF, which utf16 refuses.
var lossless = func() map[string][]string {
	unicode := []string{"utf8mb3", "utf8mb4", "ucs2", "utf16", "utf16le", "utf32"}
	m := map[string][]string{
		"utf8mb3": {"utf8mb4", "ucs2", "utf32"},
		"ucs2":    {"utf8mb3", "utf8mb4", "utf32"},
		"utf8mb4": {"utf32"},
		"utf16":   {"utf8mb4", "utf16le", "utf32"},
		"utf16le": {"utf8mb4", "utf16", "utf32"},
		"utf32":   {"utf8mb4"},
		"ascii":   append([]string{"latin1"}, unicode...),
	}
	for _, cs := range []string{"cp1250", "cp1251", "cp1256", "cp1257", "cp850", "cp852", "cp866", "dec8", "geostd8", "greek", "hebrew", "hp8", "keybcs2", "koi8r", "koi8u", "latin1", "latin2", "latin5", "latin7", "macce", "macroman", "swe7"} {
		m[cs] = unicode
	}
	return m
}()

func splitCharset(c *Change) ([]Step, error) {
	t, old := c.Table, c.FromTable
	same := func(o *Change) bool { return o.Table.Name == t.Name && charsetChange(o) }
	var attrs []schema.Change
	for o := c; o != nil; o = c.ctx.Claim(same) {
		if _, ok := o.Change.(*schema.ModifyColumn); !ok {
			attrs = append(attrs, o.Change)
		}
	}
	var convs []conversion
	var errs []string
	for _, col := range t.Columns {
		oc, ok := old.Column(col.Name)
		if !ok || !schemadef.Textual(col.Type.Type) || !schemadef.Textual(oc.Type.Type) {
			continue
		}
		v := conversion{from: oc, to: col}
		v.fromCS, v.fromColl = schemadef.Effective(c.ctx.Target, old, oc)
		v.toCS, v.toColl = schemadef.Effective(c.ctx.Target, t, col)
		if v.fromColl == v.toColl {
			continue
		}
		where := c.ctx.Transition.To.Where(t.Name, col.Name)
		if keys := c.foreignKeysUsing(oc.Name, false); len(keys) > 0 && c.ctx.Target.MariaDB() {
			errs = append(errs, fmt.Sprintf("%s: %s.%s: its collation changes %s -> %s, and it is a column of foreign key %s in the previous release: %s; or keep the column's charset and collation",
				where, t.Name, col.Name, v.fromColl, v.toColl, strings.Join(keys, ", "), underForeignKey))
			continue
		}
		if v.fromCS != v.toCS && !slices.Contains(lossless[v.fromCS], v.toCS) {
			errs = append(errs, fmt.Sprintf("%s: %s.%s: its charset changes %s -> %s, which cannot store every character the column holds (or emcee does not know that it can), so values would be lost or rejected. Keep %s for this column (`charset = %q` on it), or declare a new column that `replaces` it with a conversion you choose",
				where, t.Name, col.Name, v.fromCS, v.toCS, v.fromCS, v.fromCS))
			continue
		}
		v.alg, v.why = c.ctx.conversionAlgorithm(old, v)
		convs = append(convs, v)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	if fromCS, fromColl := tableDefault(c.ctx.Target, old); len(convs) == 0 {
		if toCS, toColl := tableDefault(c.ctx.Target, t); fromCS == toCS && fromColl == toColl {
			// The release declares the default the table already has
			// (charset = "utf8mb4" where it inherited utf8mb4).
			return nil, nil
		}
	}
	changes := slices.Clone(attrs)
	alg := Instant
	var copies, reasons []string
	why := fmt.Sprintf("%s moves to %s: the new release writes and compares as it says, so it must never see the old one; the previous release's values and writes all fit", t.Name, describeConversions(c.ctx.Target, old, t, convs))
	for _, v := range convs {
		changes = append(changes, &schema.ModifyColumn{From: v.from, To: converted(v.from, v.to), Change: schema.ChangeCharset | schema.ChangeCollate})
		alg = worse(alg, v.alg)
		if v.alg == Copy {
			copies = append(copies, v.to.Name)
			reasons = append(reasons, v.to.Name+": "+v.why)
		}
		if v.alg != Instant && v.why != "" {
			why += fmt.Sprintf("; %s.%s: %s", t.Name, v.to.Name, v.why)
		}
	}
	if len(attrs) > 0 && len(convs) > 0 {
		alg = worse(alg, NoCopy)
	}
	sql, err := c.Alter(changes...)
	if err != nil {
		return nil, err
	}
	if len(attrs) > 0 && len(convs) > 0 && alg == NoCopy {
		why += "; the table default changes in the same statement: NOCOPY (MariaDB refuses INSTANT for both at once), nothing rebuilt"
	}
	if alg == Copy {
		note, err := c.requireOptIn(CostCopy, fmt.Sprintf("the charset/collation change of %s (%s)", t.Name, strings.Join(reasons, "; ")), "", copies...)
		if err != nil {
			return nil, err
		}
		why += "; " + note
	}
	collisions, err := collisionGates(c, convs, false)
	if err != nil {
		return nil, err
	}
	steps := append(collisions, rowFormatGate(c, convs)...)
	steps = append(steps, stmt(revision.Expand, StageConvertTable, why, alg.With(sql)))
	back, err := c.undoConversion(attrs, convs, alg)
	return append(steps, back...), err
}

// converted is the column as the conversion leaves it: the previous
// release's definition under the new charset and collation. Whatever else
// changes (a longer VARCHAR) is the other rules' statement, which then
// runs on a column already converted, under the table's new default.
func converted(from, to *schema.Column) *schema.Column {
	c := *from
	c.Attrs = slices.DeleteFunc(slices.Clone(from.Attrs), schemadef.CharsetAttr)
	for _, a := range to.Attrs {
		if schemadef.CharsetAttr(a) {
			c.Attrs = append(c.Attrs, a)
		}
	}
	return &c
}

func worse(a, b Algorithm) Algorithm {
	rank := map[Algorithm]int{Instant: 0, NoCopy: 1, Inplace: 1, Copy: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// conversionAlgorithm is what MariaDB 10.11 needs to convert one column
// (each case measured by hand on a scratch table: docs/rules-charset.md).
func (ctx *Context) conversionAlgorithm(t *schema.Table, v conversion) (Algorithm, string) {
	if !ctx.Target.MariaDB() {
		return Copy, "MySQL changes a column's charset or collation by a table copy"
	}
	csChanges := v.fromCS != v.toCS
	if csChanges && (v.fromCS != "utf8mb3" || v.toCS != "utf8mb4") {
		return Copy, fmt.Sprintf("%s -> %s re-encodes every value: a table copy", v.fromCS, v.toCS)
	}
	s, ok := v.from.Type.Type.(*schema.StringType)
	if !ok {
		return Copy, "an ENUM or SET changes its charset or collation only by a table copy"
	}
	if csChanges && strings.EqualFold(s.T, mysql.TypeVarchar) {
		before, after := s.Size*3, s.Size*4
		if before <= 255 && after > 255 {
			return Copy, fmt.Sprintf("its longest value passes 255 bytes (%d -> %d), so every row's length prefix grows: a table copy", before, after)
		}
	}
	alg, why := Instant, ""
	for _, idx := range indexesOn(t, v.from.Name) {
		switch {
		case isFulltext(idx):
			return Copy, fmt.Sprintf("it is in FULLTEXT index %s: a table copy", idx.Name)
		case idx == t.PrimaryKey && !v.sameOrder():
			return Copy, "it is in the primary key and the new collation orders otherwise: a table copy"
		case !v.sameOrder():
			alg, why = NoCopy, fmt.Sprintf("index %s is sorted again under %s: NOCOPY, nothing else rebuilt", idx.Name, v.toColl)
		case csChanges && slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C != nil && p.C.Name == v.from.Name && diff.Prefix(p) > 0 }):
			return Copy, fmt.Sprintf("its prefix in index %s grows from 3 to 4 bytes a character while the order stays: a table copy", idx.Name)
		}
	}
	return alg, why
}

// indexesOn lists the table's indexes, primary key included, that hold the
// column.
func indexesOn(t *schema.Table, column string) []*schema.Index {
	return slices.DeleteFunc(slices.Clone(keysOf(t)), func(idx *schema.Index) bool {
		return !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C != nil && p.C.Name == column })
	})
}

func keysOf(t *schema.Table) []*schema.Index {
	if t.PrimaryKey == nil {
		return t.Indexes
	}
	return append(slices.Clone(t.Indexes), t.PrimaryKey)
}

// collisionGates count, before expand, the rows of each unique index that
// holds a column whose collation orders otherwise, whose keys the new
// collation makes equal: the ALTER would fail on them halfway through the
// release. The key is compared as the index will: the column converted to
// the new charset under the new collation. The indexes are the previous
// release's, those the conversion meets: a unique index new in the
// release is built in contract, behind a gate of its own (Keycloak 2.5.0
// converted KEYCLOAK_GROUP.NAME and added SIBLING_NAMES on it: duplicate
// sibling names held up the expand, which they cannot break). With back,
// the rollback's gates for a collation set back (undoConversion): the rows
// whose keys the previous release's collation makes equal, which the new
// release may have written (Drupal 7.14's file_managed.uri, unique, moved
// to utf8mb3_bin: 'a.jpg' and 'A.jpg' are two keys there, one under
// utf8mb3_general_ci).
func collisionGates(c *Change, convs []conversion, back bool) ([]Step, error) {
	t := c.Table
	old := cmp.Or(c.FromTable, t)
	conv := map[string]conversion{}
	for _, v := range convs {
		if !v.sameOrder() {
			conv[v.to.Name] = v
		}
	}
	var out []Step
	for _, idx := range keysOf(old) {
		if !idx.Unique && idx != old.PrimaryKey {
			continue
		}
		raw, err := partExprs(idx)
		if err != nil {
			return nil, fmt.Errorf("%s: unique index %s on %s: %w", c.ctx.Transition.To.Where(t.Name, ""), idx.Name, t.Name, err)
		}
		exprs := slices.Clone(raw)
		var moved []string
		for i, p := range idx.Parts {
			if p.C == nil {
				continue
			}
			if v, ok := conv[p.C.Name]; ok {
				cs, coll, from := v.toCS, v.toColl, v.fromColl
				if back {
					cs, coll, from = v.fromCS, v.fromColl, v.toColl
				}
				exprs[i] = fmt.Sprintf("CONVERT(%s USING %s)", sqlsyntax.Ident(v.to.Name), cs)
				if n := diff.Prefix(p); n > 0 {
					exprs[i] = fmt.Sprintf("LEFT(%s, %d)", exprs[i], n)
				}
				exprs[i] += " COLLATE " + coll
				moved = append(moved, fmt.Sprintf("%s (%s -> %s)", v.to.Name, from, coll))
			}
		}
		if len(moved) == 0 {
			continue
		}
		if back {
			// The rollback's gates run before its first statement, which
			// undoes the table's rename last: it is under its new name.
			out = append(out, rollbackGate(fmt.Sprintf("unique index %s on %s under the previous release's collation of %s: rows the new release wrote whose keys it makes equal would fail the way back; the rollback waits until there are none", idx.Name, t.Name, strings.Join(moved, ", ")), countDuplicates(t.Name, exprs, raw)))
			continue
		}
		// The gate runs before the revision's first statement: a table
		// the release renames is still under its old name.
		out = append(out, gateStmt(revision.Expand, StageExpandGate, fmt.Sprintf("unique index %s on %s under the new collation of %s: rows whose keys it makes equal would fail the conversion; expand waits until there are none", idx.Name, old.Name, strings.Join(moved, ", ")), countDuplicates(old.Name, exprs, raw)))
	}
	return out, nil
}

// compactColumnBytes is the most an index column holds in the COMPACT and
// REDUNDANT row formats (3072 in DYNAMIC, MariaDB 10.11's default).
const compactColumnBytes = 767

// rowFormatGate stops expand, before it changes anything, on a table in
// the COMPACT or REDUNDANT row format whose index the conversion makes
// longer than such a table stores for a column (a varchar(255) key: 765
// bytes in utf8mb3, 1020 in utf8mb4): the server refuses the ALTER ("Index
// column size too large. The maximum column size is 767 bytes", measured).
// The row format is the live table's (Atlas does not read it), so it is
// counted on the server, from information_schema.
func rowFormatGate(c *Change, convs []conversion) []Step {
	t := c.Table
	// The gate runs before the revision's first statement: a table the
	// release renames is still under its old name.
	old := cmp.Or(c.FromTable, t)
	var long []string
	for _, v := range convs {
		was, _ := sqlsyntax.CharsetMaxLen(v.fromCS)
		is, _ := sqlsyntax.CharsetMaxLen(v.toCS)
		s, ok := v.from.Type.Type.(*schema.StringType)
		if !ok || is <= was {
			continue
		}
		for _, idx := range indexesOn(t, v.to.Name) {
			if isFulltext(idx) {
				continue
			}
			for _, p := range idx.Parts {
				chars := cmp.Or(diff.Prefix(p), s.Size)
				if p.C != nil && p.C.Name == v.to.Name && chars*is > compactColumnBytes {
					long = append(long, fmt.Sprintf("%s.%s in index %s (%d characters x %d bytes = %d)", t.Name, v.to.Name, idx.Name, chars, is, chars*is))
				}
			}
		}
	}
	if len(long) == 0 {
		return nil
	}
	return []Step{gateStmt(revision.Expand, StageExpandGate,
		fmt.Sprintf("%s must be in the DYNAMIC row format: in COMPACT or REDUNDANT an index column holds at most %d bytes, and the conversion makes %s. Run ALTER TABLE %s ROW_FORMAT=DYNAMIC first (it rebuilds the table), or index a prefix of at most %d characters",
			old.Name, compactColumnBytes, strings.Join(long, ", "), sqlsyntax.Ident(old.Name), compactColumnBytes/4),
		fmt.Sprintf("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND ROW_FORMAT IN ('Compact', 'Redundant')", sqlsyntax.String(old.Name)))}
}

// describeConversions words what moves: the table default and the columns.
func describeConversions(target project.Target, old, t *schema.Table, convs []conversion) string {
	var parts []string
	fromCS, fromColl := tableDefault(target, old)
	toCS, toColl := tableDefault(target, t)
	if fromColl != toColl {
		parts = append(parts, fmt.Sprintf("default %s/%s -> %s/%s", fromCS, fromColl, toCS, toColl))
	}
	for _, v := range convs {
		parts = append(parts, fmt.Sprintf("%s %s -> %s", v.to.Name, v.fromColl, v.toColl))
	}
	return strings.Join(parts, ", ")
}

// tableDefault is what a new column of the table gets.
func tableDefault(target project.Target, t *schema.Table) (string, string) {
	return schemadef.Effective(target, t, &schema.Column{})
}

// undoConversion is the rollback: the same statement backwards for a
// collation change, behind a gate counting the rows whose keys in a unique
// index the old collation makes equal (collisionGates); refused for a
// charset change (utf8mb4 -> utf8mb3 copies the table and rejects the
// 4-byte characters the new release wrote) and where the way back needs a
// copy. A collation change under a unique index was refused too (Drupal
// 7.14 and 7.22 could not be rolled back at all), though the way back is
// the expand's statement backwards once no two keys collide.
func (c *Change) undoConversion(attrs []schema.Change, convs []conversion, alg Algorithm) ([]Step, error) {
	t := c.Table.Name
	for _, v := range convs {
		if v.fromCS != v.toCS {
			return []Step{refuseRollback(fmt.Sprintf("the conversion moved %s.%s from %s to %s, and moving it back copies the table on %s and rejects the characters only %s stores, which the new release may have written", t, v.to.Name, v.fromCS, v.toCS, c.ctx.Target, v.toCS))}, nil
		}
	}
	if alg == Copy {
		return []Step{refuseRollback(fmt.Sprintf("setting back the collation of %s needs a table copy; move it back in a release of its own", t))}, nil
	}
	gates, err := collisionGates(c, convs, true)
	if err != nil {
		return nil, err
	}
	var back []schema.Change
	for _, a := range attrs {
		switch a := a.(type) {
		case *schema.ModifyAttr:
			back = append(back, &schema.ModifyAttr{From: a.To, To: a.From})
		case *schema.AddAttr:
			back = append(back, &schema.DropAttr{A: a.A})
		case *schema.DropAttr:
			back = append(back, &schema.AddAttr{A: a.A})
		}
	}
	for _, v := range convs {
		back = append(back, &schema.ModifyColumn{From: converted(v.from, v.to), To: v.from, Change: schema.ChangeCollate})
	}
	sql, err := c.ctx.SQL(&schema.ModifyTable{T: c.FromTable, Changes: back})
	if err != nil {
		return nil, err
	}
	return append(gates, undo(StageRollbackRestoreColumn, fmt.Sprintf("%s gets back the collation of the previous release (undoes the conversion); %s", t, map[Algorithm]string{Instant: "metadata only", NoCopy: "indexes sorted again in place, nothing rebuilt"}[alg]), alg.With(sql))), nil
}
