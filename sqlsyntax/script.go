package sqlsyntax

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"ariga.io/atlas/sql/migrate"
	"github.com/pingcap/tidb/pkg/parser/ast"
)

// A release may be declared as a SQL file of CREATE TABLE statements, as
// ORMs and mysqldump --no-data write them. ReadScript reads such a file
// for the code that decides what of it may run in a dev database: each
// statement as the parser reads it, and the text to send for it, so that
// the server runs exactly what was read.

// ScriptStmt is one statement of a SQL file.
type ScriptStmt struct {
	// Line and Col are where the statement starts in the file (its first
	// word after the comments before it), counting from 1.
	Line, Col int
	// Stmt is the statement as ReadStmt reads it; its Node is nil when
	// the text holds only comments (a mysqldump header,
	// `/*M!999999\- enable the sandbox mode */`): such a statement is
	// never sent to a server.
	Stmt
	// Exec is the text to run. It is the statement as written, or, when
	// the statement or a comment before it is executable (/*! ... */,
	// /*M! ... */), the statement written back from its tree: the parser
	// reads /*! as code whatever the version it names and /*M! as a
	// comment, the server both by version, so only the tree says one thing
	// to both. A /*M! comment inside a statement is refused: what it holds
	// would be dropped.
	Exec string
	// Comments are the comments written right before the statement.
	Comments []string
	// Parts are, for CREATE TABLE, where each column and then each index,
	// key and check of its tree is defined (Cols, then Constraints):
	// line and column, as Line and Col.
	Parts [][2]int
}

// Scanner splits SQL text at its `;`, as the mysql client does
// (DELIMITER included). With begin, a BEGIN ... END body stays one
// statement, as a plan file's triggers need (revision); without, it is
// split at its own `;`: a SQL release holds no stored programs, and a
// statement split inside one is refused as unreadable. A scanner keeps
// the script it reads in itself, so each read gets its own: one shared by
// concurrent reads split each other's files, or panicked.
func Scanner(begin bool) *migrate.Scanner {
	return &migrate.Scanner{ScannerOptions: migrate.ScannerOptions{
		MatchBegin:       begin,
		BackslashEscapes: true,
		HashComments:     true,
	}}
}

// BodyStatements splits the body of a stored routine or event at its
// `;`, quotes and comments respected, for apply/dependents.go, which
// searches a body the parser cannot read (BEGIN ... END) by its text:
// each piece is one statement, after whatever compound syntax opens it
// (BEGIN, IF ... THEN, a label).
func BodyStatements(body string) []string {
	found, err := Scanner(false).Scan(body)
	if err != nil {
		return []string{body}
	}
	out := make([]string, len(found))
	for i, st := range found {
		out[i] = st.Text
	}
	return out
}

// ReadScript reads a SQL file statement by statement. Errors are *Error,
// positioned in the file (Line, Col).
func ReadScript(src string) ([]*ScriptStmt, error) {
	if i := strings.IndexByte(src, 0); i >= 0 {
		return nil, errorAt(src, i, "NUL byte: a schema file is text")
	}
	if !utf8.ValidString(src) {
		i := 0
		for r, w := utf8.DecodeRuneInString(src); r != utf8.RuneError || w != 1; r, w = utf8.DecodeRuneInString(src[i:]) {
			i += w
		}
		return nil, errorAt(src, i, "not valid UTF-8: save the file as UTF-8")
	}
	found, err := Scanner(false).Scan(src)
	if err != nil {
		return nil, errorAt(src, 0, "cannot split the file into statements: %v", err)
	}
	var out []*ScriptStmt
	lines := NewLineIndex(src)
	prev := 0
	// Each statement is read with the text since the end of the one
	// before: the comments between them are part of it, and a /*! ... */
	// comment among them is code to the server.
	delim := ";"
	read := func(start, end, at int, comments []string) error {
		// The DELIMITER commands before the statement, and the custom
		// delimiter that ended the one before, are the client's: blanked,
		// so that the parser reads (and the server is sent) the statement
		// and its comments only, at their offsets.
		text := blankDelimiters(src[start:at], &delim) + src[at:end]
		line, col := lines.At(at)
		if strings.TrimSpace(src[at:end]) == ";" {
			// All of it is in a comment before the ';' (mysqldump's
			// /*!40101 SET ... */;): the line is the statement's.
			col = 1
		}
		st := &ScriptStmt{Line: line, Col: col, Comments: comments}
		stmts, perr := parse(text)
		switch {
		case perr != nil:
			// Triggers and the MariaDB forms the parser lacks.
			s, e := readStatement(text, true)
			if e != nil {
				return errorAt(src, start+e.Offset, "%s", e.Msg)
			}
			st.Stmt = *s
		case len(stmts) > 1:
			return errorAt(src, at, "%d statements where one was expected: a /*! ... */ comment holding a ';'?", len(stmts))
		case len(stmts) == 1:
			st.Node = stmts[0]
		}
		if st.Node == nil && st.Trigger == nil {
			out = append(out, st)
			return nil
		}
		if n, ok := st.Node.(*ast.CreateTableStmt); ok {
			for _, off := range partsAt(src[at:end], n) {
				l, c := lines.At(at + off)
				st.Parts = append(st.Parts, [2]int{l, c})
			}
		}
		if i := mariaComment(src[at:end]); i >= 0 {
			return errorAt(src, at+i, "MariaDB executable comment /*M!...*/ inside a statement: the server runs what it holds but emcee's SQL reader reads it as a comment, so it cannot be checked; write what it holds as plain SQL, or remove it")
		}
		st.Exec = strings.TrimSpace(text)
		if strings.Contains(text, "/*!") || mariaComment(text) >= 0 {
			if st.Trigger != nil {
				return errorAt(src, at, "executable comment in a trigger: emcee cannot tell what the server runs")
			}
			if st.Exec, err = Restore(st.Node); err != nil {
				return errorAt(src, at, "emcee cannot write this statement back from its syntax tree (%v)", err)
			}
		}
		out = append(out, st)
		return nil
	}
	for _, s := range found {
		end := s.Pos + len(s.Text)
		if err := read(prev, end, s.Pos, s.Comments); err != nil {
			return nil, err
		}
		prev = end
	}
	// After the last statement: the custom delimiter that ended it and
	// the DELIMITER commands are the client's, as between statements; a
	// last statement without a delimiter is read.
	d := delim
	if rest := blankDelimiters(src[prev:], &d); strings.TrimSpace(rest) != "" {
		if err := read(prev, len(src), prev+len(rest)-len(strings.TrimLeft(rest, " \t\r\n")), nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// partsAt are the offsets in text, a CREATE TABLE, of its columns' and
// then its constraints' definitions, as ScriptStmt.Parts orders them. The
// parser keeps no offset for them, so each is where a definition starts
// in the parenthesis after the table's name, between its commas, comments,
// strings and names blanked (a comment's or a string's comma and words, a
// name's parenthesis, are none): a constraint's starts with its first word
// (CONSTRAINT, PRIMARY, KEY, ...), reserved words no column is named by
// unquoted; a column's with its name. None when they do not add up to the
// tree's (PERIOD FOR ...): the parts are at the statement's start then.
func partsAt(text string, n *ast.CreateTableStmt) []int {
	blank := blankOut(text, true)
	open := strings.IndexByte(blank, '(')
	if open < 0 {
		return nil
	}
	var cols, cons []int
	depth, start := 0, open+1
	for i := open; i < len(blank) && depth >= 0; i++ {
		switch c := blank[i]; {
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		if !(blank[i] == ',' && depth == 1 || blank[i] == ')' && depth == 0) {
			continue
		}
		def := strings.TrimLeft(blank[start:i], " \t\r\n")
		end := strings.IndexFunc(def, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' && r != '$' })
		if end < 0 {
			end = len(def)
		}
		switch strings.ToUpper(def[:end]) {
		case "CONSTRAINT", "PRIMARY", "UNIQUE", "KEY", "INDEX", "FOREIGN", "CHECK", "FULLTEXT", "SPATIAL":
			cons = append(cons, i-len(def))
		default:
			cols = append(cols, i-len(def))
		}
		start = i + 1
	}
	if len(cols) != len(n.Cols) || len(cons) != len(n.Constraints) {
		return nil
	}
	return append(cols, cons...)
}

// delimiterLine is the mysql client's DELIMITER command, on a line of
// its own; a \r before the line's end is the client's line end too (a
// file written on Windows).
var delimiterLine = regexp.MustCompile(`(?im)^[ \t]*delimiter[ \t]+(\S+)[ \t\r]*$`)

// blankDelimiters blanks, in the text between two statements, the custom
// delimiter that ended the first (Atlas's scanner leaves it there) and the
// DELIMITER commands, keeping every other byte where it is; delim is the
// delimiter in effect, updated by the commands.
func blankDelimiters(gap string, delim *string) string {
	b := []byte(gap)
	if rest := strings.TrimLeft(gap, " \t\r\n"); *delim != ";" && strings.HasPrefix(rest, *delim) {
		from := len(gap) - len(rest)
		blank(b, from, from+len(*delim))
	}
	for _, m := range delimiterLine.FindAllStringSubmatchIndex(gap, -1) {
		blank(b, m[0], m[1])
		*delim = gap[m[2]:m[3]]
	}
	return string(b)
}

// mariaComment is where a MariaDB executable comment starts in text, -1
// when there is none. The search is on the text, so a string holding
// "/*M!" is refused too: it is rare, and refusing costs nothing unsafe.
func mariaComment(text string) int {
	for _, m := range []string{"/*M!", "/*m!"} {
		if i := strings.Index(text, m); i >= 0 {
			return i
		}
	}
	return -1
}

// LineIndex tells the line and column of offsets met in increasing order
// in linear time: a script of thousands of statements is read once.
type LineIndex struct {
	src            string
	pos, line, bol int
}

// NewLineIndex indexes src, whose first line is 1.
func NewLineIndex(src string) *LineIndex { return &LineIndex{src: src, line: 1} }

// At is the line and column (in characters, from 1) of byte offset pos.
func (l *LineIndex) At(pos int) (line, col int) {
	pos = min(pos, len(l.src))
	if pos < l.pos {
		l.pos, l.line, l.bol = 0, 1, 0
	}
	for i := l.pos; i < pos; i++ {
		if l.src[i] == '\n' {
			l.line++
			l.bol = i + 1
		}
	}
	l.pos = pos
	return l.line, 1 + utf8.RuneCountInString(l.src[l.bol:pos])
}

// Uncommented is text with each comment (/* ... */, -- and # to the end of
// the line) blanked, byte for byte, strings and quoted names kept: a
// search of SQL text by words and blanks (SELECT *, INSERT INTO) reads it
// as the server does, where SELECT /* all */ * is SELECT *, and a
// comment's words are none. An executable comment (/*! ... */, /*M! ...
// */) is code, and kept.
func Uncommented(text string) string { return blankOut(text, false) }

// blankOut is Uncommented, and with quoted what is between the quotes of
// each string and quoted name too (its quotes kept).
func blankOut(text string, quoted bool) string {
	b := []byte(text)
	for i := 0; i < len(text); {
		c := text[i]
		end := i + 1
		switch {
		case c == '\'' || c == '"' || c == '`':
			for end < len(text) && text[end] != c {
				if text[end] == '\\' && c != '`' {
					end++
				}
				end++
			}
			end = min(end+1, len(text))
			if quoted {
				blank(b, i+1, max(i+1, end-1))
			}
		case strings.HasPrefix(text[i:], "/*") && mariaComment(text[i:min(i+4, len(text))]) < 0 && !strings.HasPrefix(text[i:], "/*!"):
			end = len(text)
			if j := strings.Index(text[i+2:], "*/"); j >= 0 {
				end = i + 2 + j + 2
			}
			blank(b, i, end)
		case c == '#' || strings.HasPrefix(text[i:], "--") && (i+2 == len(text) || text[i+2] <= ' '):
			end = i + strings.IndexByte(text[i:]+"\n", '\n')
			blank(b, i, end)
		}
		i = end
	}
	return string(b)
}

// blank blanks b[from:to] but its line breaks, keeping every offset.
func blank(b []byte, from, to int) {
	for i := from; i < to; i++ {
		if b[i] != '\n' {
			b[i] = ' '
		}
	}
}
