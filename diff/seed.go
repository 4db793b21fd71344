package diff

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"golang.org/x/text/collate"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/language"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The seed form of data_migration declares rows as they are, a row block
// each, its attributes the row's columns:
//
//	data_migration "default_category" {
//	  table = "category"
//	  row {
//	    id         = 1
//	    project_id = 0
//	    name       = "General"
//	  }
//	}
//
// A block a row, not rows = [{...}, ...]: Atlas's HCL evaluates every
// attribute of the file, and refuses a list whose elements differ in type
// ("mixed list types"), which rows giving other columns, or null in one
// row and a string in the next, do. Values are HCL literals (strings,
// numbers, true/false, null), not SQL: a seed row is data, compared on
// every rerun with the row a database holds, and an expression (NOW(),
// UUID()) would differ each time; a column the server computes is left out
// of the row and takes its default. Each row is found again by its key
// (the primary key, or a unique key it gives whole and without NULL), so
// that a resume or rerun never inserts it twice.

// readSeed reads the seed form: table and row blocks, and none of the
// other forms' attributes.
func (m *DataMigration) readSeed(body *hclsyntax.Body, missing func(string) error) error {
	for _, other := range []string{"set", "from", "insert", "pending"} {
		if a, ok := body.Attributes[other]; ok {
			return project.PosOf(a.NameRange).Errorf("data_migration %q has row blocks and also %s: rows declared as they are are found again by their key (no pending predicate), while set updates rows and from and insert copy them from another table; keep one form (a second data_migration takes the other)", m.Name, other)
		}
	}
	if err := readStrings(body, []string{"table"}, []*string{&m.Table}, missing); err != nil {
		return err
	}
	for i, b := range body.Blocks {
		row := &SeedRow{Pos: project.PosOf(b.TypeRange), N: i + 1}
		attrs := slices.SortedFunc(maps.Values(b.Body.Attributes), func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte })
		if len(attrs) == 0 {
			return row.Pos.Errorf("row %d of data_migration %q is empty: give its columns, at least its key (column = value, one a line)", row.N, m.Name)
		}
		for _, a := range attrs {
			if j := slices.IndexFunc(row.Cells, func(c sqlsyntax.Cell) bool { return strings.EqualFold(c.Column, a.Name) }); j >= 0 {
				return project.PosOf(a.NameRange).Errorf("row %d of data_migration %q gives column %s twice (first at %s: column names are case-insensitive); keep one", row.N, m.Name, a.Name, row.At[j])
			}
			v, err := seedValue(a.Expr)
			if err != nil {
				return project.PosOf(a.Expr.Range()).Errorf("row %d of data_migration %q, column %s: %v", row.N, m.Name, a.Name, err)
			}
			row.Cells = append(row.Cells, sqlsyntax.Cell{Column: a.Name, Value: v})
			row.At = append(row.At, project.PosOf(a.Expr.Range()))
		}
		m.Seed = append(m.Seed, row)
	}
	return nil
}

// seedValue reads one value of a seed row: an HCL literal.
func seedValue(e hclsyntax.Expression) (sqlsyntax.Value, error) {
	v, diags := e.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		if interpolates(e) {
			return sqlsyntax.Value{}, fmt.Errorf("a value is a plain string, and HCL reads ${ and %%{ in one as a template: write $${ and %%%%{ for the characters themselves")
		}
		return sqlsyntax.Value{}, fmt.Errorf("a value is a literal (a string, a number, true, false or null), not a reference, a call or SQL: a seed row is data, written as it is stored. For a column the server computes (a time of insertion), leave the column out of the row and give it a default")
	}
	switch {
	case v.IsNull():
		return sqlsyntax.Value{Kind: sqlsyntax.ValueNull}, nil
	case v.Type().Equals(cty.String):
		return sqlsyntax.Value{Kind: sqlsyntax.ValueText, Text: v.AsString()}, nil
	case v.Type().Equals(cty.Bool):
		return sqlsyntax.Value{Kind: sqlsyntax.ValueBool, Text: fmt.Sprint(v.True())}, nil
	case v.Type().Equals(cty.Number):
		f := v.AsBigFloat()
		if f.IsInf() {
			return sqlsyntax.Value{}, fmt.Errorf("the number is infinite")
		}
		return sqlsyntax.Value{Kind: sqlsyntax.ValueNumber, Text: f.Text('f', -1)}, nil
	}
	return sqlsyntax.Value{}, fmt.Errorf("a value is a string, a number, true, false or null, not %s", v.Type().FriendlyName())
}

// interpolates says whether e is a string HCL reads as a template.
func interpolates(e hclsyntax.Expression) bool {
	switch t := e.(type) {
	case *hclsyntax.TemplateExpr:
		return !t.IsStringLiteral()
	case *hclsyntax.TemplateWrapExpr:
		return true
	}
	return false
}

// checkSeed checks a seed data_migration's rows against the table they go
// into: every column is one of the table's, stored as given (not
// generated), holds its value (checkValue, as for defaults), every NOT NULL
// column the server cannot fill is given, and every row gives a key no
// other row gives. Column names are set to the table's spelling.
func (r *Release) checkSeed(m *DataMigration) []string {
	t, ok := r.Schema.Table(m.Table)
	if !ok {
		return []string{m.Pos.Errorf("data_migration %q inserts rows into table %q, which release %s does not declare; fix the name%s", m.Name, m.Table, r.Name, project.Suggest(m.Table, tableNames(r.Schema))).Error()}
	}
	var errs []string
	add := func(p Pos, format string, args ...any) { errs = append(errs, p.Errorf(format, args...).Error()) }
	keys := map[string]seenKey{}
	for _, row := range m.Seed {
		what := fmt.Sprintf("row %d of data_migration %q", row.N, m.Name)
		fine := true
		for i := range row.Cells {
			cell := &row.Cells[i]
			c := columnFold(t, cell.Column)
			if c == nil {
				add(row.At[i], "%s: table %s has no column %s%s", what, t.Name, cell.Column, project.Suggest(cell.Column, ColumnNames(t)))
				fine = false
				continue
			}
			cell.Column = c.Name
			if generated(c) {
				add(row.At[i], "%s: column %s.%s is generated: the server computes it; leave it out of the row", what, t.Name, c.Name)
				fine = false
				continue
			}
			if msg := seedFits(r.target, t, c, &cell.Value); msg != "" {
				add(row.At[i], "%s: %s.%s: %s", what, t.Name, c.Name, msg)
				fine = false
			} else if msg := charsetHolds(r.target, t, c, cell.Value); msg != "" {
				add(row.At[i], "%s: %s.%s: %s", what, t.Name, c.Name, msg)
				fine = false
			}
		}
		var lack []string
		for _, c := range t.Columns {
			if needsValue(c) &&
				!slices.ContainsFunc(row.Cells, func(cell sqlsyntax.Cell) bool { return strings.EqualFold(cell.Column, c.Name) }) {
				lack = append(lack, c.Name)
			}
		}
		if len(lack) > 0 {
			add(row.Pos, "%s lacks %s of %s, NOT NULL without a default: the server refuses the row without %s; give %s", what, strings.Join(lack, ", "), t.Name, sqlsyntax.OneOrMany(len(lack), "it", "them"), strings.Join(lack, ", "))
			fine = false
		}
		if !fine {
			continue
		}
		key, _ := SeedKey(t, row)
		if key == nil {
			add(row.Pos, "%s gives neither the primary key of %s nor the whole of a unique key, without NULL (%s): emcee finds a seed row again by its key, so that a resume or a rerun never inserts it twice, and tells a row already there with other values from its own. %s", what, t.Name, strings.Join(keyChoices(t), "; "), seedKeyAdvice(t, row))
			continue
		}
		// Every unique key the row gives whole, without NULL, as the server
		// compares it: two rows one of them holds are one row to the
		// server, which migrate inserts once (the other's INSERT finds it),
		// and contract's gate, counting the declared rows found, waits for
		// the other forever.
		for _, k := range uniqueKeys(r.target, t, row) {
			if first, dup := keys[k.compared]; dup {
				add(row.Pos, "%s has the key of row %d (%s) as the server compares it (%s; %s): the server finds one row for both, so migrate inserts one and contract's gate waits for the other forever; remove one, or give them keys that differ", what, first.n, first.text, k.text, k.why)
				break
			}
			keys[k.compared] = seenKey{row.N, k.text}
		}
	}
	return errs
}

type seenKey struct {
	n    int
	text string
}

// seedUniqueKey is a unique key a seed row gives: its text (`id = 1`), what
// the server compares (compared: the key's name and each value folded as
// the column's collation or type compares it) and, where folding changed a
// value, why.
type seedUniqueKey struct{ text, compared, why string }

// uniqueKeys are the primary and unique keys of t that row gives whole and
// without NULL.
func uniqueKeys(target project.Target, t *schema.Table, row *SeedRow) []seedUniqueKey {
	var out []seedUniqueKey
	for _, idx := range seedKeys(t) {
		cells := givenCells(idx, row)
		if cells == nil {
			continue
		}
		compared, why := []string{"\x00" + strings.ToLower(idx.Name)}, []string{}
		for i, c := range cells {
			v, w := comparedValue(target, t, idx.Parts[i].C, c.Value)
			compared = append(compared, v)
			if w != "" && !slices.Contains(why, w) {
				why = append(why, w)
			}
		}
		out = append(out, seedUniqueKey{SeedKeyText(cells), strings.Join(compared, "\x00"), strings.Join(why, "; ")})
	}
	return out
}

// seedKeys are the keys a seed row may be found by: the primary key, then
// the unique keys in declared order.
func seedKeys(t *schema.Table) []*schema.Index {
	var out []*schema.Index
	if t.PrimaryKey != nil {
		out = append(out, t.PrimaryKey)
	}
	for _, idx := range t.Indexes {
		if idx.Unique || idx == t.PrimaryKey {
			out = append(out, idx)
		}
	}
	return out
}

// givenCells are the cells of row for the columns of idx; nil unless the
// row gives each of them, whole (not a prefix or an expression) and
// without NULL.
func givenCells(idx *schema.Index, row *SeedRow) []sqlsyntax.Cell {
	var cells []sqlsyntax.Cell
	for _, p := range idx.Parts {
		i := -1
		if p.C != nil && Prefix(p) == 0 {
			i = slices.IndexFunc(row.Cells, func(c sqlsyntax.Cell) bool { return strings.EqualFold(c.Column, p.C.Name) })
		}
		if i < 0 || row.Cells[i].Value.Kind == sqlsyntax.ValueNull {
			return nil
		}
		cells = append(cells, row.Cells[i])
	}
	return cells
}

// comparedValue is a seed value as the server compares it in column c (a
// key's equality): a number by its value (1, '1', '01' and 1.0 are one
// key), text under the column's collation: case and accents folded unless
// it tells them apart (_bin, _cs, _as_), trailing spaces dropped unless it
// is NO PAD. Under a general_ci collation of utf8mb4 or utf8mb3 (MariaDB's
// default) the folding is the server's own weight table
// (sqlsyntax.GeneralCIWeights: 'ß' = 's', every character past U+FFFF one,
// a zero width space a character); under any other it is Unicode's
// (golang.org/x/text/collate, in the language the collation names:
// sqlsyntax.CollationLanguage, utf8mb4_swedish_ci's 'Å' and 'A' apart;
// every character past U+FFFF as one where the server weighs them so:
// sqlsyntax.PastBasicPlaneAsOne), not the server's tables: where the two
// differ it may take two values for one that the collation tells apart,
// and a refusal says why it compared them equal. why is "" when the value
// compares as written.
func comparedValue(target project.Target, t *schema.Table, c *schema.Column, v sqlsyntax.Value) (compared, why string) {
	switch c.Type.Type.(type) {
	case *schema.IntegerType, *schema.DecimalType, *schema.FloatType, *schema.BoolType, *mysql.BitType:
		if r, ok := new(big.Rat).SetString(strings.TrimSpace(v.Number())); ok {
			return "n" + r.RatString(), "numbers compare by their value"
		}
	case *schema.StringType:
		_, coll := schemadef.Effective(target, t, c)
		text := v.Text
		var ignores []string
		if !sqlsyntax.NoPadCollation(coll) {
			text = strings.TrimRight(text, " ")
			ignores = append(ignores, "trailing spaces")
		}
		l := strings.ToLower(coll)
		var opts []collate.Option
		if l != "binary" && !strings.Contains(l, "_bin") && !strings.Contains(l, "_cs") {
			opts = append(opts, collate.IgnoreCase, collate.IgnoreWidth)
			ignores = append(ignores, "case")
			if !strings.Contains(l, "_as_") {
				opts = append(opts, collate.IgnoreDiacritics)
				ignores = append(ignores, "accents")
			}
		}
		why = fmt.Sprintf("text under %s.%s's collation %s, which emcee takes to ignore %s", t.Name, c.Name, coll, strings.Join(ignores, ", "))
		if len(ignores) == 0 {
			why = ""
		}
		if w, ok := sqlsyntax.GeneralCIWeights(coll, text); ok {
			return "s" + w, why + " as the server's weight table does ('ß' as 's', every character past U+FFFF as one)"
		}
		if len(opts) == 0 {
			return "s" + text, why
		}
		if sqlsyntax.PastBasicPlaneAsOne(coll) {
			text = strings.Map(func(r rune) rune {
				if r > 0xFFFF {
					return 0xFFFD
				}
				return r
			}, text)
			why += ", every character past U+FFFF as one"
		}
		tag := language.Und
		if name, l := sqlsyntax.CollationLanguage(coll); l != "" {
			if t, err := language.Parse(l); err == nil {
				tag = t
				why += ", the letters of " + name + " as Unicode's " + l + " collation has them"
			}
		}
		return "s" + string(collate.New(tag, opts...).KeyFromString(new(collate.Buffer), text)), why
	}
	return "v" + v.SQL(), ""
}

// SeedKey is the key a seed row is found again by: the cells of the
// table's primary key, else of its first unique key (in declared order)
// whose columns the row gives whole and without NULL; nil when it gives
// none. what names the key, for messages.
func SeedKey(t *schema.Table, row *SeedRow) (key []sqlsyntax.Cell, what string) {
	for _, idx := range seedKeys(t) {
		switch cells := givenCells(idx, row); {
		case cells == nil:
		case idx == t.PrimaryKey:
			return cells, "the primary key"
		default:
			return cells, "unique key " + idx.Name
		}
	}
	return nil, ""
}

// SeedKeyText is a row's key (SeedKey) as messages and plans show it:
// `id = 1`.
func SeedKeyText(key []sqlsyntax.Cell) string {
	parts := make([]string, len(key))
	for i, c := range key {
		parts[i] = c.Column + " = " + c.Value.SQL()
	}
	return strings.Join(parts, ", ")
}

// keyChoices are the keys a seed row of t may give, for messages.
// seedKeyAdvice says which key a seed row should give. A primary key the
// server numbers (one AUTO_INCREMENT column) is the last resort: a number
// written into the row may be one a live database already gave another
// row, and migrate stops on a row holding the key with other values.
// Redmine's settings are found by name, under a non-unique index: making
// that index unique in the release finds the row by it (contract adds it
// behind its duplicate gate).
func seedKeyAdvice(t *schema.Table, row *SeedRow) string {
	choices := keyChoices(t)
	pk := t.PrimaryKey
	if pk == nil || len(pk.Parts) != 1 || pk.Parts[0].C == nil || !AutoIncrement(pk.Parts[0].C) {
		return "Give " + choices[0]
	}
	numbered := fmt.Sprintf("%s.%s is numbered by the server (AUTO_INCREMENT): a number given here may be one a database already gave another row, and migrate stops on a row holding its key with other values", t.Name, pk.Parts[0].C.Name)
	if len(choices) > 1 {
		return fmt.Sprintf("Give %s; %s, so give %s only where no database can have used the number", choices[1], numbered, choices[0])
	}
	for _, idx := range t.Indexes {
		if givenCells(idx, row) != nil {
			return fmt.Sprintf("%s: make index %s (%s), whose columns the row gives, unique in this release (contract adds it behind a gate counting duplicates), or give %s only where no database can have used the number", numbered, idx.Name, strings.Join(PartColumns(idx), ", "), choices[0])
		}
	}
	return fmt.Sprintf("%s: declare a unique key of the columns that tell the row apart in this release (contract adds it behind a gate counting duplicates), or give %s only where no database can have used the number", numbered, choices[0])
}

func keyChoices(t *schema.Table) []string {
	var out []string
	if t.PrimaryKey != nil {
		out = append(out, "the primary key ("+strings.Join(PartColumns(t.PrimaryKey), ", ")+")")
	}
	for _, idx := range t.Indexes {
		if idx.Unique && !slices.ContainsFunc(idx.Parts, func(p *schema.IndexPart) bool { return p.C == nil || Prefix(p) > 0 }) {
			out = append(out, "unique key "+idx.Name+" ("+strings.Join(PartColumns(idx), ", ")+")")
		}
	}
	if len(out) == 0 {
		return []string{"a primary key or unique key to the table: it has none"}
	}
	return out
}

// seedFits says what is wrong with giving value v to column c ("" when
// nothing). A number for a column of text, dates or JSON is written as a
// string, as the server would store it, so that comparing the row with
// the one a database holds never converts the column to a number (which,
// in an INSERT ... SELECT under the strict sql_mode, fails on any row
// whose text is not one).
func seedFits(target project.Target, t *schema.Table, c *schema.Column, v *sqlsyntax.Value) string {
	if v.Kind == sqlsyntax.ValueNull {
		if !c.Type.Null {
			return "null, but the column is NOT NULL; give a value, or leave the column out if it has a default"
		}
		return ""
	}
	text := v.Text
	if r, ok := new(big.Rat).SetString(strings.TrimSpace(text)); ok && r.Sign() == 0 && v.Kind != sqlsyntax.ValueBool && AutoIncrement(c) {
		// Without NO_AUTO_VALUE_ON_ZERO, which emcee's sessions do not
		// set, the server reads 0 as "the next value": the row's check
		// (id <=> 0) never finds the row, and every rerun inserts another.
		return fmt.Sprintf("%s in an AUTO_INCREMENT column makes the server generate the next value instead (the row would be inserted again on every rerun, under another id); give another value, or leave the column out and key the row by a unique key", text)
	}
	switch c.Type.Type.(type) {
	case *schema.IntegerType, *schema.DecimalType, *schema.FloatType, *schema.BoolType:
		switch {
		case v.Kind == sqlsyntax.ValueBool:
			if _, isBool := c.Type.Type.(*schema.BoolType); !isBool {
				return fmt.Sprintf("%s for a column of numbers; give 1 or 0", v.Text)
			}
			text = v.Number()
		case v.Kind == sqlsyntax.ValueText && !numLiteral.MatchString(strings.TrimSpace(text)):
			return fmt.Sprintf("%q is not a number; the column holds numbers", text)
		}
		if _, ok := c.Type.Type.(*schema.FloatType); ok && v.Kind == sqlsyntax.ValueNumber {
			// A literal of more digits is no exact number to the parser
			// (TiDB's) nor to the server: the INSERT could not be read
			// back. As a string, the server reads it for the column.
			if n := len(strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(text), "0")); n > 65 {
				f, _ := new(big.Float).SetString(text)
				short := strings.Replace(f.Text('g', -1), "e+", "e", 1)
				return fmt.Sprintf("%s has %d digits, more than the 65 of SQL's exact numbers: give it as a string, %s, which the server reads as a number for this column", short, n, hclquote.Quote(short))
			}
		}
		if f, ok := c.Type.Type.(*schema.FloatType); ok && singlePrecision(f) && !exactFloat32(text) {
			// The server stores the nearest FLOAT (0.1 as 0.100000001),
			// which the INSERT's check for the row, comparing with the
			// literal, never finds equal: a rerun would fail on its key.
			return fmt.Sprintf("%s is not exactly a FLOAT (single precision): the column stores the nearest one, which emcee's check that the row is there never finds equal to %s; give a value a FLOAT holds exactly (0.5, 0.25), or declare the column double or decimal", text, text)
		}
	case *mysql.BitType:
		if v.Kind != sqlsyntax.ValueNumber {
			return "a bit column takes a number"
		}
	default:
		if v.Kind == sqlsyntax.ValueBool {
			return fmt.Sprintf("%s for a column of %s; give a string", v.Text, schemadef.TypeName(c.Type))
		}
		if v.Kind == sqlsyntax.ValueNumber {
			v.Kind = sqlsyntax.ValueText
		}
	}
	var msg string
	first := func(format string, args ...any) {
		if msg == "" {
			msg = fmt.Sprintf(format, args...)
		}
	}
	checkValue(c, text, "", first)
	checkPadded(c, text, first)
	checkLob(target, t, c, text, first)
	return msg
}

// checkLob refuses a value longer than the TEXT or BLOB column holds, in
// bytes of the column's charset: the server refuses it under emcee's
// strict sql_mode (1406, data too long), and migrate would stop on the
// row. TEXT(n) and BLOB(n) are the smallest type that holds n characters
// (bytes), as the server makes them.
func checkLob(target project.Target, t *schema.Table, c *schema.Column, v string, bad func(string, ...any)) {
	var name string
	var size int
	text := false
	switch ct := c.Type.Type.(type) {
	case *schema.StringType:
		name, size, text = strings.ToLower(ct.T), ct.Size, true
	case *schema.BinaryType:
		name = strings.ToLower(ct.T)
		if ct.Size != nil {
			size = *ct.Size
		}
	default:
		return
	}
	cs := "binary"
	if text {
		cs, _ = schemadef.Effective(target, t, c)
	}
	tier := LobTier(name)
	if tier < 0 {
		return
	}
	if size > 0 && (name == mysql.TypeText || name == mysql.TypeBlob) {
		need := int64(size)
		if text {
			n, _ := sqlsyntax.CharsetMaxLen(cs)
			need *= int64(max(n, 1))
		}
		tier = slices.IndexFunc(lobTiers, func(l lobTier) bool { return need <= l.max })
	}
	n := encodedLen(v, cs)
	if n <= lobTiers[tier].max {
		return
	}
	kind := lobTiers[tier].blob
	if text {
		kind = lobTiers[tier].text
	}
	longer := "none: no TEXT or BLOB holds more"
	if tier+1 < len(lobTiers) {
		longer = lobTiers[tier+1].blob
		if text {
			longer = lobTiers[tier+1].text
		}
	}
	shown := v
	if r := []rune(v); len(r) > 20 {
		shown = string(r[:20]) + "..."
	}
	bad("%q is %d bytes long (in %s); a %s column holds at most %d: the server refuses it (error 1406, data too long under emcee's strict sql_mode), and migrate would stop on the row. Shorten the value, or declare the column a longer type (%s)", shown, n, cs, kind, lobTiers[tier].max, longer)
}

// encodedLen is how many bytes v takes in charset cs: exact for binary,
// the UTF-8 charsets and the single-byte, UCS-2, UTF-16 and UTF-32 ones;
// for another multi-byte charset, at least one byte a character (a value
// refused on that count is too long for certain).
func encodedLen(v, cs string) int64 {
	cs = strings.ToLower(sqlsyntax.CanonicalCharset(cs))
	runes := int64(utf8.RuneCountInString(v))
	switch cs {
	case "binary", "utf8", "utf8mb3", "utf8mb4":
		return int64(len(v))
	case "ucs2":
		return 2 * runes
	case "utf32":
		return 4 * runes
	case "utf16", "utf16le":
		var n int64
		for _, r := range v {
			n += int64(utf16.RuneLen(r) * 2)
		}
		return n
	}
	return runes
}

// singlePrecision says whether a FLOAT column stores 4-byte floats.
func singlePrecision(f *schema.FloatType) bool {
	return strings.EqualFold(f.T, mysql.TypeFloat) && f.Precision <= 24
}

// exactFloat32 says whether the decimal text is exactly a 4-byte float.
func exactFloat32(text string) bool {
	want, ok := new(big.Float).SetPrec(512).SetString(strings.TrimSpace(text))
	if !ok {
		return true // not a number: checkValue says so
	}
	f32, _ := want.Float32()
	return new(big.Float).SetPrec(512).SetFloat64(float64(f32)).Cmp(want) == 0
}

func columnFold(t *schema.Table, name string) *schema.Column {
	if i := slices.IndexFunc(t.Columns, func(c *schema.Column) bool { return strings.EqualFold(c.Name, name) }); i >= 0 {
		return t.Columns[i]
	}
	return nil
}

// needsValue tells a column an INSERT must give a value: NOT NULL, no
// default, neither AUTO_INCREMENT nor generated, and not an ENUM (whose
// implicit default is its first value, strict sql_mode too; a SET has
// none: error 1364).
func needsValue(c *schema.Column) bool {
	_, enum := c.Type.Type.(*schema.EnumType)
	return !c.Type.Null && c.Default == nil && !AutoIncrement(c) && !generated(c) && !enum
}

func generated(c *schema.Column) bool {
	return slices.ContainsFunc(c.Attrs, func(a schema.Attr) bool { _, ok := a.(*schema.GeneratedExpr); return ok })
}

func tableNames(s *schema.Schema) []string {
	out := make([]string, len(s.Tables))
	for i, t := range s.Tables {
		out[i] = t.Name
	}
	return out
}

// charsetHolds says what of a text value the charset of column c
// (schemadef.Effective: its own, its table's or its schema's, else the
// server's default, utf8mb4 on every target) has no character for, ""
// when it holds every one: the row's INSERT compares the value, a
// utf8mb4 literal, with the column, and the server refused it in migrate
// (1267, illegal mix of collations) after expand had run; stored, the
// character would have been '?'. Checked for the charsets whose characters
// are known here: utf8mb3 and ucs2 (no character past U+FFFF, an emoji),
// ascii, latin1 (MariaDB's is cp1252).
func charsetHolds(target project.Target, t *schema.Table, c *schema.Column, v sqlsyntax.Value) string {
	if _, ok := c.Type.Type.(*schema.StringType); !ok || v.Kind != sqlsyntax.ValueText {
		return ""
	}
	cs, _ := schemadef.Effective(target, t, c)
	var holds func(rune) bool
	switch cs {
	case "utf8mb3", "ucs2":
		holds = func(r rune) bool { return r <= 0xFFFF }
	case "ascii":
		holds = func(r rune) bool { return r < 0x80 }
	case "latin1":
		holds = func(r rune) bool { _, ok := charmap.Windows1252.EncodeRune(r); return ok }
	default:
		return ""
	}
	for _, r := range v.Text {
		if !holds(r) {
			return fmt.Sprintf("%s holds %q (U+%04X), which charset %s has no character for: the server refuses the row; declare the column utf8mb4, or store the value without it", quoteLong(v.Text), r, r, cs)
		}
	}
	return ""
}

// quoteLong quotes a value for a message, its middle left out past 60
// characters.
func quoteLong(v string) string {
	if r := []rune(v); len(r) > 60 {
		return fmt.Sprintf("%q... (%d characters)", string(r[:40]), len(r))
	}
	return fmt.Sprintf("%q", v)
}
