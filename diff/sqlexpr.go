package diff

import (
	"fmt"
	"sort"
	"strings"
)

// The SQL expressions of a declaration (replaces.forward/backward, fill,
// data_migration.set/pending) are written with bare column names, the way
// one writes them in an UPDATE. emcee needs to know which columns they use:
// to reject a name the table does not have before anything runs, to write
// them as NEW.<column> inside a trigger, and to know which writes of the
// previous release must recompute a replacement column. A full SQL parser
// is not needed for that: a scanner that skips literals, comments, function
// names and keywords finds every column reference of a per-row expression.

// ExprColumn is one column reference inside an expression.
type ExprColumn struct {
	Name       string
	Start, End int // byte offsets in the expression
}

// ExprColumns lists the column references of expr, in order. Names the
// scanner cannot classify are column references, so an unknown column
// surfaces as an error at plan time instead of at apply time.
func ExprColumns(expr string) ([]ExprColumn, error) {
	var out []ExprColumn
	prevWord := ""
	i := 0
	for i < len(expr) {
		ch := expr[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
			continue
		case ch == '\'' || ch == '"':
			end, err := skipString(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
			prevWord = ""
			continue
		case ch == '#' || (ch == '-' && strings.HasPrefix(expr[i:], "-- ")):
			if j := strings.IndexByte(expr[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(expr)
			}
			continue
		case ch == '/' && strings.HasPrefix(expr[i:], "/*"):
			j := strings.Index(expr[i+2:], "*/")
			if j < 0 {
				return nil, fmt.Errorf("unterminated /* comment")
			}
			i += j + 4
			continue
		case ch == ';':
			return nil, fmt.Errorf("a ';' is not allowed: the expression is inserted into a larger statement")
		case ch == '@':
			// user or system variable: not a column
			i++
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == '@' || expr[i] == '.') {
				i++
			}
			prevWord = ""
			continue
		case ch >= '0' && ch <= '9':
			for i < len(expr) && (isIdentChar(expr[i]) || expr[i] == '.') {
				i++
			}
			prevWord = ""
			continue
		case ch == '`':
			start := i
			name, end, err := quotedIdent(expr, i)
			if err != nil {
				return nil, err
			}
			i = end
			if err := checkQualified(expr, start, end, name); err != nil {
				return nil, err
			}
			out = append(out, ExprColumn{Name: name, Start: start, End: end})
			prevWord = ""
			continue
		case isIdentStart(ch):
			start := i
			for i < len(expr) && isIdentChar(expr[i]) {
				i++
			}
			word := expr[start:i]
			upper := strings.ToUpper(word)
			next := nextSignificant(expr, i)
			switch {
			case next == '(':
				// a function call
			case word[0] == '_' && (next == '\'' || next == '"'):
				// a character set introducer: _utf8mb4'text'
			case upper == "SELECT":
				return nil, fmt.Errorf("subqueries are not supported: the expression is evaluated for one row at a time, inside triggers and batched UPDATEs")
			case prevWord == "AS" || prevWord == "USING" || prevWord == "COLLATE":
				// CAST(x AS <type>), CONVERT(x USING <charset>), x COLLATE <collation>
			case sqlKeywords[upper]:
			default:
				if err := checkQualified(expr, start, i, word); err != nil {
					return nil, err
				}
				out = append(out, ExprColumn{Name: word, Start: start, End: i})
			}
			prevWord = upper
			continue
		}
		i++
		prevWord = ""
	}
	return out, nil
}

// RewriteColumns returns expr with every column reference replaced by
// repl(name). Every reference must be one of the allowed columns (compared
// without case, as MySQL does); the error names the first that is not.
func RewriteColumns(expr string, allowed []string, repl func(string) string) (string, error) {
	refs, err := ExprColumns(expr)
	if err != nil {
		return "", err
	}
	canon := map[string]string{}
	for _, a := range allowed {
		canon[strings.ToLower(a)] = a
	}
	var b strings.Builder
	last := 0
	for _, r := range refs {
		name, ok := canon[strings.ToLower(r.Name)]
		if !ok {
			known := append([]string(nil), allowed...)
			sort.Strings(known)
			return "", fmt.Errorf("unknown column %q (it can use: %s)", r.Name, strings.Join(known, ", "))
		}
		b.WriteString(expr[last:r.Start])
		b.WriteString(repl(name))
		last = r.End
	}
	b.WriteString(expr[last:])
	return b.String(), nil
}

// checkQualified rejects t.col and db.t.col: inside a trigger only the row
// being written is visible, so a table-qualified name cannot work there.
func checkQualified(expr string, start, end int, name string) error {
	if (start > 0 && expr[start-1] == '.') || (end < len(expr) && expr[end] == '.') {
		return fmt.Errorf("qualified name near %q: write bare column names of the row (the expression is evaluated for one row)", name)
	}
	return nil
}

func skipString(expr string, i int) (int, error) {
	q := expr[i]
	for j := i + 1; j < len(expr); j++ {
		switch expr[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(expr) && expr[j+1] == q {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, fmt.Errorf("unterminated string literal")
}

func quotedIdent(expr string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(expr); j++ {
		if expr[j] == '`' {
			if j+1 < len(expr) && expr[j+1] == '`' {
				b.WriteByte('`')
				j++
				continue
			}
			return b.String(), j + 1, nil
		}
		b.WriteByte(expr[j])
	}
	return "", 0, fmt.Errorf("unterminated `quoted` name")
}

func nextSignificant(expr string, i int) byte {
	for ; i < len(expr); i++ {
		if c := expr[i]; c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

// sqlKeywords are the words that may appear bare in a per-row MySQL or
// MariaDB expression without being columns: operators, CASE, literals,
// INTERVAL units, type names after CAST ... AS, and the niladic functions.
// A column whose name is one of these must be written in backquotes.
var sqlKeywords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
AND OR NOT XOR IS NULL TRUE FALSE UNKNOWN CASE WHEN THEN ELSE END IN BETWEEN
LIKE ESCAPE REGEXP RLIKE SOUNDS DIV MOD AS BINARY COLLATE INTERVAL DISTINCT
EXISTS ALL ANY SOME USING FROM FOR LEADING TRAILING BOTH SEPARATOR ORDER BY ASC DESC
CHAR CHARACTER SET SIGNED UNSIGNED INTEGER INT DECIMAL DATE DATETIME TIME
TIMESTAMP JSON DOUBLE FLOAT NCHAR UNICODE ASCII
YEAR MONTH DAY HOUR MINUTE SECOND MICROSECOND WEEK QUARTER
SECOND_MICROSECOND MINUTE_MICROSECOND MINUTE_SECOND HOUR_MICROSECOND HOUR_SECOND
HOUR_MINUTE DAY_MICROSECOND DAY_SECOND DAY_MINUTE DAY_HOUR YEAR_MONTH
CURRENT_TIMESTAMP CURRENT_DATE CURRENT_TIME CURRENT_USER LOCALTIME LOCALTIMESTAMP
UTC_TIMESTAMP UTC_DATE UTC_TIME DEFAULT`) {
		m[w] = true
	}
	return m
}()
