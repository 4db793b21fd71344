package sqlsyntax

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pingcap/tidb/pkg/parser"
	"github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/format"
	"github.com/pingcap/tidb/pkg/parser/mysql"

	// The parser needs a driver for literal values. The test driver is the
	// light one TiDB's parser ships for users outside TiDB; the full one
	// pulls in all of TiDB.
	_ "github.com/pingcap/tidb/pkg/parser/test_driver"
)

// SQLMode is the sql_mode every connection pins (dbconn.SQLMode): how
// the server reads what emcee writes, so the parser reads it the same
// way. Plans are written and reviewed for this mode: strict (a truncating
// backfill fails instead of silently mangling rows) and without
// ANSI_QUOTES (Atlas double-quotes string defaults).
const SQLMode = "STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION"

// A parser is not safe for concurrent use; planning is.
var parsers = sync.Pool{New: func() any {
	p := parser.New()
	mode, err := mysql.GetSQLMode(SQLMode)
	if err != nil {
		panic(err)
	}
	p.SetSQLMode(mode)
	p.SetMariaDB(true)
	return p
}}

// parse runs the parser; a panic inside it (its literal driver panics on
// a number of more than 81 digits) is an error, and that parser is dropped.
func parse(sql string) (stmts []ast.StmtNode, err error) {
	p := parsers.Get().(*parser.Parser)
	defer func() {
		if r := recover(); r != nil {
			stmts, err = nil, fmt.Errorf("the SQL parser cannot read it (%v); a numeric literal too long?", r)
			return
		}
		parsers.Put(p)
	}()
	stmts, _, err = p.Parse(sql, "", "")
	// The parser keeps the slice it returns and fills it again on its
	// next parse: once it is back in the pool, another goroutine's parse
	// (a fleet's targets run at once) would overwrite this one's
	// statements.
	return slices.Clone(stmts), err
}

// restoreFlags write every name between backticks and every string
// between single quotes with backslashes escaped: what the server reads
// back the same way under the pinned sql_mode.
const restoreFlags = format.RestoreStringSingleQuotes | format.RestoreStringEscapeBackslash |
	format.RestoreKeyWordUppercase | format.RestoreNameBackQuotes |
	format.RestoreSpacesAroundBinaryOperation | format.RestoreStringWithoutDefaultCharset

// Restore writes a node of a tree the reader returned back as SQL, every
// name quoted.
func Restore(n ast.Node) (string, error) { return restore(n, 0) }

// restore is Restore with the parser's flags extra too.
func restore(n ast.Node, extra format.RestoreFlags) (string, error) {
	var b strings.Builder
	if err := n.Restore(format.NewRestoreCtx(restoreFlags|extra, &b)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// visit is the parser's visitor for a walk that only looks at each node
// as it enters it: it says whether to skip the node's children.
type visit func(n ast.Node) (skip bool)

func (v visit) Enter(n ast.Node) (ast.Node, bool) { return n, v(n) }
func (v visit) Leave(n ast.Node) (ast.Node, bool) { return n, true }

// Error is a mistake in a declared expression. Offset is where it is, in
// bytes from the start of the expression as declared; Line and Col say the
// same counting from 1 (Col in characters), for callers that report the
// position of the expression inside a file.
type Error struct {
	Offset    int
	Line, Col int
	Msg       string
}

func (e *Error) Error() string { return e.Msg }

func errorAt(src string, offset int, format string, args ...any) *Error {
	offset = max(0, min(offset, len(src)))
	line, col := NewLineIndex(src).At(offset)
	return &Error{Offset: offset, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// syntaxError turns the parser's "line L column C near "rest"" into an
// error at the offending token of src, which is an expression or (what)
// a statement or part of one: those may also hold a form the parser lacks.
func syntaxError(src string, prefix int, err error, what string) *Error {
	at := nearOffset(src, prefix, err)
	switch {
	case at < 0:
		return errorAt(src, 0, "not a valid SQL %s: %s", what, err.Error())
	case at >= len(src) && what == "expression":
		return errorAt(src, len(src), "the expression ends too early (an unclosed parenthesis, string or CASE?)")
	case at >= len(src):
		return errorAt(src, len(src), "the %s ends too early (an unclosed parenthesis, string, IF or BEGIN?)", what)
	case what == "expression":
		return errorAt(src, at, "syntax error at %q", snippet(src[at:]))
	}
	if m := spatialType.FindString(src[at:]); m != "" {
		return errorAt(src, at, "%s is a spatial type: %s", m, NoSpatial)
	}
	return errorAt(src, at, "emcee cannot read the %s from %q on (a syntax error, or a form the SQL parser does not have)", what, snippet(src[at:]))
}

// NoSpatial says why a spatial column is refused wherever emcee meets
// one (a release, a SQL release, a plan): TiDB's grammar has no spatial
// types, and a plan emcee cannot read is one the applier refuses.
const NoSpatial = "emcee's SQL reader, TiDB's MySQL parser, cannot read spatial types, so no plan holding one could be checked or applied: keep the table out of the releases emcee plans, or use another type (the value's WKB in a varbinary or blob)"

var spatialType = regexp.MustCompile(`(?i)^(geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection)\b`)

// nearOffset is where in src the parser stopped, from its "near "rest""
// ("rest" is the input from that token on; prefix bytes were parsed before
// src); -1 when the error does not say.
func nearOffset(src string, prefix int, err error) int {
	msg := err.Error()
	m := nearRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return -1
	}
	near := msg[m[1]:]
	total := -1
	if t := totalRE.FindStringSubmatch(msg); t != nil {
		total, _ = strconv.Atoi(t[1])
	}
	full := prefix + len(src)
	at := full
	for off := full; off >= prefix; off-- {
		rest := src[off-prefix:]
		// The parser quotes at most 2048 bytes of the rest.
		if (total < 0 || len(rest) == total) && strings.HasPrefix(near, rest[:min(len(rest), 2048)]+`"`) {
			at = off
			break
		}
	}
	return at - prefix
}

var (
	nearRE  = regexp.MustCompile(`line \d+ column \d+ near "`)
	totalRE = regexp.MustCompile(`\(total length (\d+)\)\s*$`)
)

// Plural counts n of a noun: "1 row", "2 rows".
func Plural(n int, noun string) string {
	return fmt.Sprintf("%d %s", n, OneOrMany(n, noun, noun+"s"))
}

// OneOrMany is the word that agrees with n things, one for one, many
// otherwise: "gate counts", "gates count"; "it is", "they are". The one
// place such a choice is made (a map[bool]string or a helper per package
// did it before).
func OneOrMany(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Series lists words as a sentence does, the last joined by conj: "a, b
// and c"; one word alone, none as "".
func Series(words []string, conj string) string {
	if n := len(words); n > 1 {
		return strings.Join(words[:n-1], ", ") + " " + conj + " " + words[n-1]
	}
	return strings.Join(words, "")
}

// Some is the first most of names and, in place of the rest, how many
// they are ("3 more"): what a message names of a list that may be long.
func Some(names []string, most int) []string {
	if len(names) <= most {
		return names
	}
	return append(names[:most:most], fmt.Sprintf("%d more", len(names)-most))
}

// OneLine folds a statement (or any text emcee prints) onto one line,
// every run of blanks one space, and cuts it to max bytes, "..." included,
// at a character boundary (0: no cut).
func OneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if max > 0 && len(s) > max {
		cut := max - 3
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

func snippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > 30 {
		s = string([]rune(s)[:30]) + "..."
	}
	return s
}

// checkSource refuses what the parser would read differently from the
// server. Executable comments are code to MariaDB (/*M! ... */ always,
// /*!NNNNN ... */ by version) but the parser skips or reads them by MySQL's
// rules, so what it checked would not be what runs. A NUL byte has no place
// in a plan file.
func checkSource(src string) *Error {
	for _, bad := range []string{"/*!", "/*M!", "/*m!"} {
		if i := strings.Index(src, bad); i >= 0 {
			return errorAt(src, i, "executable comment %q: the server runs what it holds, so it cannot be checked; remove it (inside a string, split it: CONCAT('/*', '!'))", bad+"...*/")
		}
	}
	if i := strings.IndexByte(src, 0); i >= 0 {
		return errorAt(src, i, "NUL byte: write it as CHAR(0) if a value needs it")
	}
	if !utf8.ValidString(src) {
		return errorAt(src, 0, "not valid UTF-8")
	}
	return nil
}

// statementEnd refuses a `;`: the parser reads `x;` as one statement, the
// text then holds the separator.
func statementEnd(src string, prefix int, st ast.StmtNode) *Error {
	text := strings.TrimRight(st.Text(), " \t\r\n")
	if strings.HasSuffix(text, ";") {
		return errorAt(src, len(text)-1-prefix, "';' ends a statement: the expression is put inside a statement emcee writes, so it must be one expression")
	}
	return nil
}
