// Package sqlsyntax is emcee's one reader of the SQL that users write into a
// schema (expressions, assignment lists) and its one writer of identifiers
// and string literals.
//
// Everything emcee writes into a plan is built here from a syntax tree or
// quoted here, never spliced as text: a declared expression such as
// `1=1) OR (1=1` must be refused where it is declared, not discovered when a
// batched UPDATE rewrites the whole table. The grammar is TiDB's MySQL parser
// (github.com/pingcap/tidb/pkg/parser, pinned in go.mod; docs/sql-expressions.md
// says why it and not vitess), run under the sql_mode emcee pins on every
// connection (dbconn.SQLMode): backslash escapes on, double quotes delimit
// strings, || means OR.
package sqlsyntax

import (
	"fmt"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Ident quotes an identifier for MySQL and MariaDB: between backticks, with
// backticks inside doubled. Every name emcee writes goes through it, so a
// table called "x` (id int); DROP TABLE y; --" stays one name.
func Ident(name string) string { return "`" + strings.ReplaceAll(name, "`", "``") + "`" }

// UnquoteIdent reads a name as Ident writes it, between backticks with
// backticks inside doubled, or as written bare.
func UnquoteIdent(name string) string {
	if strings.HasPrefix(name, "`") {
		return strings.ReplaceAll(name[1:len(name)-1], "``", "`")
	}
	return name
}

// stringEscapes are the characters String escapes. Quote and backslash are
// what the server needs under the pinned sql_mode (backslash escapes on);
// the control characters are escaped so that a literal never breaks a line
// of a plan file (a directive or a `--` comment ends at a newline) and a
// plan file never holds a NUL byte.
var stringEscapes = strings.NewReplacer(`\`, `\\`, `'`, `''`, "\n", `\n`, "\r", `\r`, "\x00", `\0`, "\x1a", `\Z`)

// unescapes are String's escapes, by the byte after the backslash.
var unescapes = map[byte]byte{'\\': '\\', 'n': '\n', 'r': '\r', '0': 0, 'Z': 0x1a}

// String quotes s as a single-quoted string literal for the pinned
// sql_mode (dbconn.SQLMode: NO_BACKSLASH_ESCAPES off, ANSI_QUOTES off).
func String(s string) string { return "'" + stringEscapes.Replace(s) + "'" }

// Unquote reads the string literal String wrote at the start of s and
// returns its value and what follows it. It accepts exactly String's
// output, so text that emcee wrote (a plan's directives) reads back to the
// value it was written from, and anything else is an error.
func Unquote(s string) (value, rest string, err error) {
	if !strings.HasPrefix(s, "'") {
		return "", s, fmt.Errorf("want a quoted string ('...'), got %q", s)
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			return b.String(), s[i+1:], nil
		case '\\':
			if i+1 == len(s) {
				return "", s, fmt.Errorf("unterminated string %q", s)
			}
			i++
			u, ok := unescapes[s[i]]
			if !ok {
				return "", s, fmt.Errorf("unknown escape \\%c in %q", s[i], s)
			}
			b.WriteByte(u)
		case '\n', '\r', 0, 0x1a:
			return "", s, fmt.Errorf("unescaped control character in %q", s)
		default:
			b.WriteByte(c)
		}
	}
	return "", s, fmt.Errorf("unterminated string %q", s)
}

// Literal reads s as the server reads one quoted string where a value goes
// under the pinned sql_mode (backslash escapes on, double quotes delimit
// strings) and returns its value; ok is false unless s is one string
// literal and nothing else.
func Literal(s string) (value string, ok bool) {
	if len(s) < 2 || s[0] != '\'' && s[0] != '"' {
		return "", false
	}
	stmts, err := parse(selectPrefix + s)
	sel, ok := only[*ast.SelectStmt](stmts)
	if err != nil || !ok || sel.From != nil || sel.Fields == nil || len(sel.Fields.Fields) != 1 || sel.Fields.Fields[0].AsName.O != "" {
		return "", false
	}
	if v, ok := sel.Fields.Fields[0].Expr.(ast.ValueExpr); ok {
		value, ok = v.GetValue().(string)
		return value, ok
	}
	return "", false
}
