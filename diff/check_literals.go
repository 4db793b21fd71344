package diff

import (
	_ "embed"
	"regexp"
	"strconv"
	"strings"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// checkNames validates every name of the evaluated schema (sqlname) and
// every value Atlas writes into DDL without escaping it, each with the
// position it is declared at. Atlas's MySQL planner (measured on v1.3.0):
//
//   - writes names between backticks without doubling backticks inside;
//   - writes enum and set values between single quotes without escaping;
//   - writes a default of a numeric type, or any default starting with 0x,
//     as it is; and a string default or comment that starts and ends with
//     a quote as it is (as an already quoted literal), any other one with
//     Go's strconv.Quote, whose escapes MySQL reads differently for
//     characters that are not printable (\a, \x01, \u00a0 ...);
//   - writes charset, collation, engine, ON UPDATE, the generated column
//     kind and foreign key actions as they are.
//
// Each of those is refused here unless it is exactly one SQL token of the
// kind expected, so no declared value can end a name or literal early.
func checkNames(loc *locator, s *schema.Schema, target project.Target) []string {
	var errs []string
	add := func(p Pos, format string, args ...any) { errs = append(errs, p.Errorf(format, args...).Error()) }
	name := func(k sqlname.Kind, n string, p Pos) {
		if err := sqlname.Validate(k, n); err != nil {
			add(p, "%v; rename it", err)
		}
	}
	// The schema's charset and collate declare the databases' default
	// (schemadef.Effective).
	for _, sa := range s.Attrs {
		checkCharsetAttr(target, sa, loc.schemaAt(attrName(loc.schema, sa)), add)
	}
	checkCollationOfCharset(s.Attrs, loc.schemaAt(attrName(loc.schema, &schema.Collation{})), add)
	for _, t := range s.Tables {
		tpos := loc.name(t.Name, "", "")
		name(sqlname.Table, t.Name, tpos)
		if err := sqlname.Reserved(t.Name); err != nil {
			add(tpos, "%v; rename it", err)
		}
		for _, a := range t.Attrs {
			switch a := a.(type) {
			case *schema.Comment:
				checkAtlasString("comment of table "+t.Name, a.Text, 2048, loc.at(t.Name, "", "", "comment"), add)
			case *mysql.Engine:
				switch {
				case !plainWord.MatchString(a.V):
					add(loc.at(t.Name, "", "", "engine"), "engine %q of table %s is not a storage engine name (letters, digits and _); Atlas writes it into the DDL as it is", a.V, t.Name)
				case !strings.EqualFold(a.V, mysql.EngineInnoDB):
					// The plans' ALGORITHM=INSTANT and LOCK=NONE clauses are
					// InnoDB's: another engine refuses them when they run.
					add(loc.at(t.Name, "", "", "engine"), "table %s is created with engine %s: emcee plans InnoDB tables (online DDL, foreign keys); declare engine = \"InnoDB\", or leave it out", t.Name, a.V)
				}
			case *schema.Charset, *schema.Collation:
				checkCharsetAttr(target, a, loc.at(t.Name, "", "", attrName(loc.block(t.Name, "", ""), a)), add)
			}
		}
		checkCollationOfCharset(t.Attrs, loc.at(t.Name, "", "", attrName(loc.block(t.Name, "", ""), &schema.Collation{})), add)
		for _, c := range t.Columns {
			cpos := loc.name(t.Name, "column", c.Name)
			at := func(attr string) Pos { return loc.at(t.Name, "column", c.Name, attr) }
			name(sqlname.Column, c.Name, cpos)
			ref := t.Name + "." + c.Name
			checkValues(ref, c.Type.Type, at("type"), add)
			switch d := c.Default.(type) {
			case *schema.Literal:
				n := len(errs)
				if checkDefault(ref, c.Type.Type, d.V, at("default"), add); len(errs) == n {
					checkDefaultValue(ref, c, d.V, at("default"), add)
				}
			case *schema.RawExpr:
				// Atlas writes a time default that neither starts with
				// CURRENT_TIMESTAMP nor is in parentheses as a string.
				if _, ok := c.Type.Type.(*schema.TimeType); ok && !strings.HasPrefix(strings.ToLower(d.X), "current_timestamp") && !(strings.HasPrefix(d.X, "(") && strings.HasSuffix(d.X, ")")) {
					checkDefaultValue(ref, c, d.X, at("default"), add)
				} else if quotedByAtlas(c.Type.Type, d.X) {
					add(at("default"), "default of %s: Atlas writes sql(%q) on a %s column as the text %s, not as the expression (a raw default of a column that is neither numeric nor a date is quoted unless it is in parentheses); write sql(%s) for the expression's value, or default = %s for the text", ref, d.X, schemadef.TypeName(c.Type), strconv.Quote(d.X), hclquote.Quote("("+d.X+")"), hclquote.Quote(d.X))
				}
			}
			checkCollationOfCharset(c.Attrs, at(attrName(loc.block(t.Name, "column", c.Name), &schema.Collation{})), add)
			if coll, ok := schemadef.GeneratedCollate(target, t, c); ok {
				add(at(attrName(loc.block(t.Name, "column", c.Name), &schema.Collation{})), "generated column %s has collation %s, which Atlas writes after the column's expression (AS (...) COLLATE %s), where neither MariaDB nor MySQL takes it: declare it as table %s's collate (a generated column takes its table's), or a charset whose default collation the column may have", ref, coll, coll, t.Name)
			}
			for _, a := range c.Attrs {
				switch a := a.(type) {
				case *schema.Comment:
					checkAtlasString("comment of column "+ref, a.Text, 1024, at("comment"), add)
				case *schema.Charset, *schema.Collation:
					if attr := attrName(loc.block(t.Name, "column", c.Name), a); !schemadef.Textual(c.Type.Type) {
						// Atlas refuses to write it, without a position.
						add(at(attr), "column %s is %s, which has no charset or collation: remove its %s", ref, schemadef.TypeName(c.Type), attr)
					} else {
						checkCharsetAttr(target, a, at(attr), add)
					}
				case *mysql.OnUpdate:
					if !onUpdate.MatchString(a.A) {
						add(at("on_update"), "on_update of %s is %q; MySQL accepts only CURRENT_TIMESTAMP (or a synonym such as NOW()), with an optional precision, and Atlas writes it into the DDL as it is", ref, a.A)
					}
				case *schema.GeneratedExpr:
					switch strings.ToUpper(a.Type) {
					case "", "VIRTUAL", "STORED", "PERSISTENT":
					default:
						add(loc.generated(t.Name, c.Name), "generated column %s is %q; the kind is VIRTUAL or STORED", ref, a.Type)
					}
				}
			}
		}
		for _, idx := range t.Indexes {
			if idx == t.PrimaryKey {
				continue
			}
			name(sqlname.Index, idx.Name, loc.name(t.Name, "index", idx.Name))
			for _, a := range idx.Attrs {
				switch a := a.(type) {
				case *schema.Comment:
					checkAtlasString("comment of index "+idx.Name, a.Text, 1024, loc.at(t.Name, "index", idx.Name, "comment"), add)
				case *mysql.IndexParser:
					if !plainWord.MatchString(a.P) {
						add(loc.at(t.Name, "index", idx.Name, "parser"), "parser %q of index %s is not a parser plugin name (letters, digits and _)", a.P, idx.Name)
					}
				}
			}
		}
		for _, fk := range t.ForeignKeys {
			name(sqlname.ForeignKey, fk.Symbol, loc.name(t.Name, "foreign_key", fk.Symbol))
			for _, act := range []struct {
				attr string
				v    schema.ReferenceOption
			}{{"on_update", fk.OnUpdate}, {"on_delete", fk.OnDelete}} {
				switch act.v {
				case "", schema.NoAction, schema.Restrict, schema.Cascade, schema.SetNull:
				case schema.SetDefault:
					// InnoDB has no SET DEFAULT: MySQL 8.0 refuses the key when
					// expand runs, MariaDB 10.11 creates it as RESTRICT
					// (measured), so the database would not be the release.
					add(loc.at(t.Name, "foreign_key", fk.Symbol, act.attr), "%s of foreign key %s of table %s is SET_DEFAULT, which InnoDB does not do (MySQL refuses the key, MariaDB creates it with RESTRICT instead): write RESTRICT, NO_ACTION, CASCADE or SET_NULL", act.attr, fk.Symbol, t.Name)
				default:
					add(loc.at(t.Name, "foreign_key", fk.Symbol, act.attr), "%s of foreign key %s is %q; it is one of NO_ACTION, RESTRICT, CASCADE, SET_NULL", act.attr, fk.Symbol, act.v)
				}
			}
		}
		for _, ck := range t.Checks() {
			name(sqlname.Check, ck.Name, loc.name(t.Name, "check", ck.Name))
		}
	}
	return errs
}

var (
	plainWord = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	onUpdate  = regexp.MustCompile(`(?i)^(CURRENT_TIMESTAMP|NOW|LOCALTIME|LOCALTIMESTAMP)\s*(\(\s*[0-6]?\s*\))?$`)
)

// attrName is the attribute a charset or collation is written in: the
// collation may be spelt collate or collation.
func attrName(b *hclsyntax.Block, a schema.Attr) string {
	if _, ok := a.(*schema.Charset); ok {
		return "charset"
	}
	if b != nil {
		if _, ok := b.Body.Attributes["collation"]; ok {
			return "collation"
		}
	}
	return "collate"
}

// checkCharsetAttr refuses a charset the servers do not have, or a
// collation that is not a plain name of one of them, and one the target's
// server refuses (Unknown character set, Unknown collation) when expand
// runs: MariaDB has no gb18030, and no MySQL utf8mb4_0900_* collations (as
// aliases from 11.4.5 only, which a target naming 11.4 cannot promise),
// nor uca1400 ones before 10.10; MySQL has none of MariaDB's own. A target
// of a later version is held to MariaDB 10.11's or MySQL 8.0's lists.
func checkCharsetAttr(target project.Target, a schema.Attr, p Pos, add func(Pos, string, ...any)) {
	switch a := a.(type) {
	case *schema.Charset:
		if _, ok := sqlsyntax.CharsetMaxLen(a.V); !ok {
			add(p, "charset %q is not a character set of MySQL 8.0 or MariaDB 10.11 (e.g. utf8mb4, latin1, ascii, binary)", a.V)
		} else if a.V != strings.ToLower(a.V) {
			add(p, "charset %q: write it in lower case, %q, as the server prints it: a release compared with the database or the next release would otherwise see it change", a.V, strings.ToLower(a.V))
		} else if a.V == "gb18030" && target.MariaDB() {
			add(p, "charset %q is MySQL's: MariaDB has no such character set, and the target (%s) would refuse it when expand runs; choose one MariaDB has (utf8mb4 holds every GB18030 character), or target mysql 8.0", a.V, target)
		}
	case *schema.Collation:
		cs, _, _ := strings.Cut(strings.ToLower(a.V), "_")
		_, isCharset := sqlsyntax.CharsetMaxLen(cs)
		switch _, known := sqlsyntax.CollationCharset(a.V); {
		case !plainWord.MatchString(a.V) || !isCharset:
			add(p, "collation %q is not a collation name (a character set, then _ and letters, digits or _, e.g. utf8mb4_general_ci)", a.V)
		case !known:
			add(p, "collation %q is not a collation of MariaDB 10.11 or MySQL 8.0 (SHOW COLLATION LIKE '%s%%' lists the server's); choose one of those", a.V, cs)
		case a.V != strings.ToLower(a.V):
			add(p, "collation %q: write it in lower case, %q, as the server prints it: a release compared with the database or the next release would otherwise see it change", a.V, strings.ToLower(a.V))
		case !sqlsyntax.HasCollation(a.V, target.MariaDB()) && target.MariaDB():
			add(p, "collation %q is MySQL's: MariaDB has no such collation (from 11.4.5 some utf8mb4_0900_* names are aliases of uca1400 collations, which a target naming a minor version cannot promise), and the target (%s) would refuse it when expand runs; choose a collation MariaDB has (SHOW COLLATION LIKE '%s%%' lists the server's; utf8mb4_uca1400_ai_ci is the Unicode 14 one)", a.V, target, cs)
		case !sqlsyntax.HasCollation(a.V, target.MariaDB()):
			add(p, "collation %q is MariaDB's: MySQL has no such collation, and the target (%s) would refuse it when expand runs; choose a collation MySQL has (SHOW COLLATION LIKE '%s%%' lists the server's)", a.V, target, cs)
		case target.MariaDB() && target.Before(10, 10) && strings.Contains(a.V, "_uca1400_"):
			add(p, "collation %q: MariaDB has uca1400 collations from 10.10, and the target (%s) would refuse it when expand runs; choose an older one (e.g. %s_unicode_520_ci), or raise the target to the server's version", a.V, target, cs)
		}
	}
}

// checkCollationOfCharset refuses a block declaring a charset and a
// collation of another charset, which the server refuses ("COLLATION ...
// is not valid for CHARACTER SET ...") when the statement runs.
func checkCollationOfCharset(attrs []schema.Attr, p Pos, add func(Pos, string, ...any)) {
	cs, ok1 := schemadef.Charset(attrs)
	co, ok2 := schemadef.Collation(attrs)
	if !ok1 || !ok2 {
		return
	}
	if of, ok := sqlsyntax.CollationCharset(co); ok && of != sqlsyntax.CanonicalCharset(cs) {
		add(p, "collation %q is a collation of %s, not of charset %q: choose a %s_... collation, or the charset %s", co, of, cs, sqlsyntax.CanonicalCharset(cs), of)
	}
}

// checkValues refuses enum and set values Atlas would write wrongly: it puts
// them between single quotes as they are, so ' and \ would end or change
// the literal, and a value wrapped in double quotes would be written as
// that quoted literal, not as the characters declared.
func checkValues(ref string, t schema.Type, p Pos, add func(Pos, string, ...any)) {
	var values []string
	kind := "enum"
	switch t := t.(type) {
	case *schema.EnumType:
		values = t.Values
	case *mysql.SetType:
		values, kind = t.Values, "set"
	default:
		return
	}
	seen := map[string]string{}
	for _, v := range values {
		switch {
		case strings.ContainsAny(v, `'\`):
			add(p, "%s value %q of %s contains ' or \\: Atlas writes %s values between single quotes without escaping them, so the rest of the value would be read as SQL; choose a value without them", kind, v, ref, kind)
		case len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"':
			add(p, "%s value %q of %s is wrapped in double quotes: Atlas would write it as the string literal %s, dropping the quotes; remove them", kind, v, ref, v)
		case strings.TrimRight(v, " ") != v:
			add(p, "%s value %q of %s ends with a space: the server strips it, so the column would never match its declaration; remove the trailing space", kind, v, ref)
		}
		key := strings.ToLower(v)
		if first, dup := seen[key]; dup {
			add(p, "%s value %q of %s repeats %q; the server refuses duplicate values (compared case-insensitively): remove one", kind, v, ref, first)
		}
		seen[key] = v
	}
}

var (
	intLiteral  = regexp.MustCompile(`^[+-]?[0-9]+$`)
	numLiteral  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`)
	boolLiteral = regexp.MustCompile(`(?i)^(true|false|[+-]?[0-9]+)$`)
	hexLiteral  = regexp.MustCompile(`^0[xX][0-9a-fA-F]+$`)
	bitLiteral  = regexp.MustCompile(`^([0-9]+|[bB]'[01]*'|0[xX][0-9a-fA-F]+|[xX]'[0-9a-fA-F]*')$`)
)

// checkDefault refuses a literal default Atlas would write as SQL that is
// not the one literal declared.
func checkDefault(ref string, t schema.Type, v string, p Pos, add func(Pos, string, ...any)) {
	if len(v) > 2 && strings.EqualFold(v[:2], "0x") {
		if !hexLiteral.MatchString(v) {
			add(p, "default of %s starts with 0x, so Atlas writes it into the DDL as it is, but %q is not a hexadecimal literal; write the value without the 0x prefix, or as sql(\"...\")", ref, v)
		}
		return
	}
	var re *regexp.Regexp
	what := "a number"
	switch t.(type) {
	case *schema.IntegerType:
		re, what = intLiteral, "an integer"
	case *schema.DecimalType, *schema.FloatType:
		re = numLiteral
	case *schema.BoolType:
		re, what = boolLiteral, "true, false or an integer"
	case *mysql.BitType:
		re, what = bitLiteral, "a bit value (b'0101', 0x1F or an integer)"
	default:
		checkAtlasString("default of "+ref, v, 0, p, add)
		return
	}
	if !re.MatchString(v) {
		add(p, "default of %s is %q, but the column is numeric, so Atlas writes the default into the DDL as it is; declare %s", ref, v, what)
	}
}

// checkAtlasString refuses a string Atlas writes with its quote(): as it is
// when it starts and ends with the same quote, else with strconv.Quote.
// max > 0 limits its length in characters (the server's limit for
// comments, refused in strict mode).
func checkAtlasString(what, v string, max int, p Pos, add func(Pos, string, ...any)) {
	if n := len([]rune(v)); max > 0 && n > max {
		add(p, "%s is %d characters long; the server allows at most %d", what, n, max)
	}
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		if _, ok := sqlsyntax.Literal(v); !ok {
			add(p, "%s, %s, starts and ends with %c, so Atlas writes it into the DDL as an already quoted SQL string, but it is not one complete SQL string literal; remove the outer quotes, or double the quotes inside", what, strconv.Quote(v), v[0])
		}
		return
	}
	for _, r := range v {
		if !strconv.IsPrint(r) && r != '\n' && r != '\r' && r != '\t' {
			add(p, "%s contains %q (U+%04X): Atlas writes it with a Go escape that MySQL reads as different characters; remove it", what, r, r)
			return
		}
	}
}

// quotedByAtlas reports a raw default that Atlas writes as a string
// literal of its text (its mysql columnDefault, kept for backwards
// compatibility): sql("UUID()") on a varchar column became DEFAULT
// "UUID()", and every row got that text. A raw default already written
// as one string literal is written as it is.
func quotedByAtlas(t schema.Type, x string) bool {
	switch t.(type) {
	case *mysql.BitType, *schema.BoolType, *schema.IntegerType, *schema.DecimalType, *schema.FloatType, *schema.TimeType:
		return false
	}
	_, literal := sqlsyntax.Literal(x)
	hex, parenthesised := len(x) > 2 && strings.EqualFold(x[:2], "0x"), strings.HasPrefix(x, "(") && strings.HasSuffix(x, ")")
	return !hex && !parenthesised && !(len(x) >= 2 && x[len(x)-1] == x[0] && literal)
}
