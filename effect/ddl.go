package effect

import (
	"slices"
	"strings"
)

// Lint and review read statements as text: which table a statement
// changes and what each clause of an ALTER TABLE adds, drops or renames.
// Atlas's library has no MySQL parser (its parser ships with its CLI), and a
// full parser is not needed for that: a tokenizer that drops comments and
// literals and keeps identifiers, keywords and punctuation is enough, since
// every statement lint reads starts with the keywords that classify it.

// Token is an identifier or keyword (word), or one punctuation character.
type Token struct {
	Text   string // without backquotes
	Word   bool
	Quoted bool // a `quoted` identifier: never a keyword
}

func (t Token) Is(keywords ...string) bool {
	if !t.Word || t.Quoted {
		return false
	}
	for _, k := range keywords {
		if strings.EqualFold(t.Text, k) {
			return true
		}
	}
	return false
}

func Tokenize(s string) []Token {
	var out []Token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || strings.HasPrefix(s[i:], "-- ") || strings.HasPrefix(s[i:], "--\n"):
			if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
				i += j + 1
			} else {
				i = len(s)
			}
		case strings.HasPrefix(s[i:], "/*"):
			if j := strings.Index(s[i+2:], "*/"); j >= 0 {
				i += j + 4
			} else {
				i = len(s)
			}
		case c == '\'' || c == '"':
			i = skipQuoted(s, i)
		case c == '`':
			var b strings.Builder
			j := i + 1
			for j < len(s) {
				if s[j] == '`' {
					if j+1 < len(s) && s[j+1] == '`' {
						b.WriteByte('`')
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			out = append(out, Token{Text: b.String(), Word: true, Quoted: true})
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, Token{Text: s[i:j], Word: true})
			i = j
		default:
			out = append(out, Token{Text: string(c)})
			i++
		}
	}
	return out
}

// skipQuoted returns the offset after the string literal starting at i.
func skipQuoted(s string, i int) int {
	q := s[i]
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

func isWordByte(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// Statement kinds lint reads; any other statement (DML, gates, SET) has
// kind "".
const (
	KindAlterTable    = "ALTER TABLE"
	KindCreateTable   = "CREATE TABLE"
	KindDropTable     = "DROP TABLE"
	KindRenameTable   = "RENAME TABLE"
	KindCreateView    = "CREATE VIEW"
	KindDropView      = "DROP VIEW"
	KindCreateTrigger = "CREATE TRIGGER"
	KindDropTrigger   = "DROP TRIGGER"
	KindCreateIndex   = "CREATE INDEX"
	KindDropIndex     = "DROP INDEX"
)

// DDL is what lint reads of one statement.
type DDL struct {
	Kind string
	// Name is the table of ALTER/CREATE TABLE, of an index statement and of
	// a trigger, or the view or trigger created or dropped.
	Name string
	// Names are the tables or views a DROP TABLE or DROP VIEW drops.
	Names []string
	// Renames are the from/to pairs of RENAME TABLE.
	Renames [][2]string
	// Trigger is the trigger a CREATE TRIGGER creates, Event when it
	// fires ("BEFORE UPDATE").
	Trigger string
	Event   string
	Index   string // the index of CREATE INDEX and DROP INDEX
	Unique  bool   // CREATE UNIQUE INDEX
	// Algorithm is the ALGORITHM clause of ALTER TABLE or an index
	// statement, upper-cased; "" when the statement leaves it to the server.
	Algorithm string
	Clauses   []Clause // ALTER TABLE
	// Body is what a trigger runs or what a view selects.
	Body []Token
}

// Clause is one comma-separated part of an ALTER TABLE.
type Clause struct {
	Op string // ADD, DROP, MODIFY, CHANGE, RENAME, ALGORITHM, ...: upper-cased
	// Object is what the clause adds, drops or renames: COLUMN, INDEX,
	// UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, CONSTRAINT (a DROP
	// CONSTRAINT, whatever its type) or TABLE (RENAME TO).
	Object string
	Name   string // the column, index or constraint
	To     string // the new name of CHANGE and RENAME
	Toks   []Token
}

func Parse(sql string) *DDL {
	toks := Tokenize(sql)
	// MariaDB scopes a setting to one statement with SET STATEMENT
	// var=value FOR <statement>; the statement is what matters.
	if len(toks) > 1 && toks[0].Is("SET") && toks[1].Is("STATEMENT") {
		for i, t := range toks {
			if t.Is("FOR") {
				toks = toks[i+1:]
				break
			}
		}
	}
	d := &DDL{}
	if len(toks) == 0 {
		return d
	}
	switch {
	case toks[0].Is("ALTER"):
		i := skip(toks, 1, "ONLINE", "IGNORE")
		if i < len(toks) && toks[i].Is("TABLE") {
			d.Kind = KindAlterTable
			d.Name, i = nameAt(toks, i+1)
			for _, c := range splitTop(toks[i:]) {
				cl := parseClause(c)
				if cl.Op == "ALGORITHM" {
					d.Algorithm = cl.Name
				}
				d.Clauses = append(d.Clauses, cl)
			}
		}
	case toks[0].Is("CREATE"):
		d.parseCreate(toks)
	case toks[0].Is("DROP"):
		d.parseDrop(toks)
	case toks[0].Is("RENAME") && len(toks) > 1 && toks[1].Is("TABLE"):
		d.Kind = KindRenameTable
		for _, part := range splitTop(toks[2:]) {
			if from, i := nameAt(part, 0); i < len(part) && part[i].Is("TO") {
				to, _ := nameAt(part, i+1)
				d.Renames = append(d.Renames, [2]string{from, to})
			}
		}
	}
	return d
}

func (d *DDL) parseCreate(toks []Token) {
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.Is("UNIQUE"):
			d.Unique = true
		case t.Is("TABLE"):
			d.Kind = KindCreateTable
			d.Name, _ = nameAt(toks, i+1)
			return
		case t.Is("VIEW"):
			d.Kind = KindCreateView
			var j int
			d.Name, j = nameAt(toks, i+1)
			for ; j < len(toks); j++ {
				if toks[j].Is("AS") {
					d.Body = toks[j+1:]
					break
				}
			}
			return
		case t.Is("TRIGGER"):
			d.Kind = KindCreateTrigger
			var j int
			d.Trigger, j = nameAt(toks, i+1)
			if j+1 < len(toks) {
				d.Event = strings.ToUpper(toks[j].Text + " " + toks[j+1].Text)
			}
			for ; j < len(toks); j++ {
				if toks[j].Is("ON") {
					d.Name, _ = nameAt(toks, j+1)
				}
				if toks[j].Is("ROW") {
					d.Body = toks[j+1:]
					return
				}
			}
			return
		case t.Is("INDEX"):
			d.Kind = KindCreateIndex
			d.indexTail(toks[i+1:])
			return
		}
	}
}

func (d *DDL) parseDrop(toks []Token) {
	i := skip(toks, 1, "TEMPORARY")
	if i >= len(toks) {
		return
	}
	switch {
	case toks[i].Is("TABLE", "VIEW"):
		d.Kind = KindDropTable
		if toks[i].Is("VIEW") {
			d.Kind = KindDropView
		}
		for _, part := range splitTop(toks[i+1:]) {
			if name, _ := nameAt(part, 0); name != "" && !part[0].Is("RESTRICT", "CASCADE") {
				d.Names = append(d.Names, name)
			}
		}
	case toks[i].Is("TRIGGER"):
		d.Kind = KindDropTrigger
		d.Trigger, _ = nameAt(toks, i+1)
	case toks[i].Is("INDEX"):
		d.Kind = KindDropIndex
		d.indexTail(toks[i+1:])
	}
}

// indexTail reads `name ... ON table ... ALGORITHM = x` of CREATE INDEX and
// DROP INDEX.
func (d *DDL) indexTail(toks []Token) {
	var i int
	d.Index, i = nameAt(toks, 0)
	for ; i < len(toks); i++ {
		switch {
		case toks[i].Is("ON") && d.Name == "":
			d.Name, _ = nameAt(toks, i+1)
		case toks[i].Is("ALGORITHM"):
			d.Algorithm = valueAt(toks, i+1)
		}
	}
}

func parseClause(toks []Token) Clause {
	c := Clause{Toks: toks}
	if len(toks) == 0 {
		return c
	}
	c.Op = strings.ToUpper(toks[0].Text)
	rest := toks[1:]
	at := func(i int, kw ...string) bool { return i < len(rest) && rest[i].Is(kw...) }
	switch c.Op {
	case "ADD":
		i := 0
		if at(0, "CONSTRAINT") {
			i = 1
			if !at(1, "UNIQUE", "PRIMARY", "FOREIGN", "CHECK") {
				c.Name, i = nameAt(rest, 1)
			}
		}
		switch {
		case at(i, "UNIQUE"):
			c.Object = "UNIQUE"
			if c.Name == "" {
				c.Name, _ = nameAt(rest, skip(rest, i+1, "INDEX", "KEY"))
			}
		case at(i, "PRIMARY"):
			c.Object = "PRIMARY KEY"
		case at(i, "FOREIGN"):
			c.Object = "FOREIGN KEY"
			if c.Name == "" && !at(i+2, "(") {
				c.Name, _ = nameAt(rest, i+2)
			}
		case at(i, "CHECK"):
			c.Object = "CHECK"
		case at(i, "INDEX", "KEY", "FULLTEXT", "SPATIAL"):
			c.Object = "INDEX"
			c.Name, _ = nameAt(rest, skip(rest, i+1, "INDEX", "KEY"))
		default:
			c.Object = "COLUMN"
			if !at(skip(rest, i, "COLUMN"), "(") {
				c.Name, _ = nameAt(rest, skip(rest, i, "COLUMN"))
			}
		}
	case "DROP":
		switch {
		case at(0, "INDEX", "KEY"):
			c.Object = "INDEX"
			c.Name, _ = nameAt(rest, 1)
		case at(0, "FOREIGN"):
			c.Object = "FOREIGN KEY"
			c.Name, _ = nameAt(rest, 2)
		case at(0, "PRIMARY"):
			c.Object = "PRIMARY KEY"
		case at(0, "CHECK"):
			c.Object = "CHECK"
			c.Name, _ = nameAt(rest, 1)
		case at(0, "CONSTRAINT"):
			c.Object = "CONSTRAINT"
			c.Name, _ = nameAt(rest, 1)
		case at(0, "PARTITION", "SYSTEM", "PERIOD"):
			c.Object = strings.ToUpper(rest[0].Text)
		default:
			c.Object = "COLUMN"
			c.Name, _ = nameAt(rest, skip(rest, 0, "COLUMN"))
		}
	case "MODIFY":
		c.Object = "COLUMN"
		c.Name, _ = nameAt(rest, skip(rest, 0, "COLUMN"))
	case "CHANGE":
		c.Object = "COLUMN"
		var i int
		c.Name, i = nameAt(rest, skip(rest, 0, "COLUMN"))
		c.To, _ = nameAt(rest, i)
	case "RENAME":
		switch {
		case at(0, "COLUMN", "INDEX", "KEY"):
			c.Object = "COLUMN"
			if !at(0, "COLUMN") {
				c.Object = "INDEX"
			}
			var i int
			c.Name, i = nameAt(rest, 1)
			c.To, _ = nameAt(rest, skip(rest, i, "TO"))
		default:
			c.Object = "TABLE"
			c.To, _ = nameAt(rest, skip(rest, 0, "TO", "AS"))
		}
	case "ALTER":
		// ALTER [COLUMN] c SET DEFAULT ... | DROP DEFAULT: a default only
		// (not MySQL's ALTER INDEX / CHECK / CONSTRAINT ... [NOT] ENFORCED).
		if !at(0, "INDEX", "KEY", "CHECK", "CONSTRAINT") {
			c.Object = "COLUMN"
			c.Name, _ = nameAt(rest, skip(rest, 0, "COLUMN"))
		}
	case "ALGORITHM", "LOCK":
		c.Name = valueAt(toks, 1)
	}
	return c
}

// skip returns the index of the first token from i that is none of the
// keywords.
func skip(toks []Token, i int, keywords ...string) int {
	for i < len(toks) && toks[i].Is(keywords...) {
		i++
	}
	return i
}

// nameAt reads the object name at i, after IF [NOT] EXISTS, keeping the
// last part of a qualified name; it returns the name and the index after it.
func nameAt(toks []Token, i int) (string, int) {
	i = skip(toks, i, "IF", "NOT", "EXISTS")
	if i >= len(toks) || !toks[i].Word {
		return "", i
	}
	name := toks[i].Text
	for i+2 < len(toks) && toks[i+1].Text == "." && toks[i+2].Word {
		name, i = toks[i+2].Text, i+2
	}
	return name, i + 1
}

// valueAt reads `[=] value` of an option such as ALGORITHM.
func valueAt(toks []Token, i int) string {
	if i < len(toks) && toks[i].Text == "=" {
		i++
	}
	if i < len(toks) {
		return strings.ToUpper(toks[i].Text)
	}
	return ""
}

// splitTop splits tokens at commas outside parentheses.
func splitTop(toks []Token) [][]Token {
	var out [][]Token
	depth, start := 0, 0
	for i, t := range toks {
		switch t.Text {
		case "(":
			depth++
		case ")":
			depth--
		case ",":
			if depth == 0 {
				out = append(out, toks[start:i])
				start = i + 1
			}
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// Mentions reports whether the tokens name the identifier, quoted or not
// (NEW.`c`, OLD.c and c all name column c).
func Mentions(toks []Token, name string) bool {
	return slices.ContainsFunc(toks, func(t Token) bool { return t.Word && strings.EqualFold(t.Text, name) })
}
