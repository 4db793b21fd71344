package lint

import (
	"slices"
	"strings"
)

// The offline analyzers read statements as text: which table a statement
// changes and what each clause of an ALTER TABLE adds, drops or renames.
// Atlas's library has no MySQL parser (its parser ships with its CLI), and a
// full parser is not needed for that: a tokenizer that drops comments and
// literals and keeps identifiers, keywords and punctuation is enough, since
// every statement lint reads starts with the keywords that classify it.

// token is an identifier or keyword (word), or one punctuation character.
type token struct {
	text   string // without backquotes
	word   bool
	quoted bool // a `quoted` identifier: never a keyword
}

func (t token) is(keywords ...string) bool {
	if !t.word || t.quoted {
		return false
	}
	for _, k := range keywords {
		if strings.EqualFold(t.text, k) {
			return true
		}
	}
	return false
}

func tokenize(s string) []token {
	var out []token
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
			out = append(out, token{text: b.String(), word: true, quoted: true})
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, token{text: s[i:j], word: true})
			i = j
		default:
			out = append(out, token{text: string(c)})
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
	alterTable    = "ALTER TABLE"
	createTable   = "CREATE TABLE"
	dropTable     = "DROP TABLE"
	renameTable   = "RENAME TABLE"
	createView    = "CREATE VIEW"
	dropView      = "DROP VIEW"
	createTrigger = "CREATE TRIGGER"
	dropTrigger   = "DROP TRIGGER"
	createIndex   = "CREATE INDEX"
	dropIndex     = "DROP INDEX"
)

// ddl is what lint reads of one statement.
type ddl struct {
	kind string
	// name is the table of ALTER/CREATE TABLE, of an index statement and of
	// a trigger, or the view or trigger created or dropped.
	name string
	// names are the tables or views a DROP TABLE or DROP VIEW drops.
	names []string
	// renames are the from/to pairs of RENAME TABLE.
	renames [][2]string
	// trigger is the trigger a CREATE TRIGGER creates.
	trigger string
	index   string // the index of CREATE INDEX and DROP INDEX
	unique  bool   // CREATE UNIQUE INDEX
	// algorithm is the ALGORITHM clause of ALTER TABLE or an index
	// statement, upper-cased; "" when the statement leaves it to the server.
	algorithm string
	clauses   []clause // ALTER TABLE
	// body is what a trigger runs or what a view selects.
	body []token
}

// clause is one comma-separated part of an ALTER TABLE.
type clause struct {
	op string // ADD, DROP, MODIFY, CHANGE, RENAME, ALGORITHM, ...: upper-cased
	// object is what the clause adds, drops or renames: COLUMN, INDEX,
	// UNIQUE, PRIMARY KEY, FOREIGN KEY, CHECK, CONSTRAINT (a DROP
	// CONSTRAINT, whatever its type) or TABLE (RENAME TO).
	object string
	name   string // the column, index or constraint
	to     string // the new name of CHANGE and RENAME
	toks   []token
}

func parseDDL(sql string) *ddl {
	toks := tokenize(sql)
	// MariaDB scopes a setting to one statement with SET STATEMENT
	// var=value FOR <statement>; the statement is what matters.
	if len(toks) > 1 && toks[0].is("SET") && toks[1].is("STATEMENT") {
		for i, t := range toks {
			if t.is("FOR") {
				toks = toks[i+1:]
				break
			}
		}
	}
	d := &ddl{}
	if len(toks) == 0 {
		return d
	}
	switch {
	case toks[0].is("ALTER"):
		i := skip(toks, 1, "ONLINE", "IGNORE")
		if i < len(toks) && toks[i].is("TABLE") {
			d.kind = alterTable
			d.name, i = nameAt(toks, i+1)
			for _, c := range splitTop(toks[i:]) {
				cl := parseClause(c)
				if cl.op == "ALGORITHM" {
					d.algorithm = cl.name
				}
				d.clauses = append(d.clauses, cl)
			}
		}
	case toks[0].is("CREATE"):
		d.parseCreate(toks)
	case toks[0].is("DROP"):
		d.parseDrop(toks)
	case toks[0].is("RENAME") && len(toks) > 1 && toks[1].is("TABLE"):
		d.kind = renameTable
		for _, part := range splitTop(toks[2:]) {
			if from, i := nameAt(part, 0); i < len(part) && part[i].is("TO") {
				to, _ := nameAt(part, i+1)
				d.renames = append(d.renames, [2]string{from, to})
			}
		}
	}
	return d
}

func (d *ddl) parseCreate(toks []token) {
	for i := 1; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is("UNIQUE"):
			d.unique = true
		case t.is("TABLE"):
			d.kind = createTable
			d.name, _ = nameAt(toks, i+1)
			return
		case t.is("VIEW"):
			d.kind = createView
			var j int
			d.name, j = nameAt(toks, i+1)
			for ; j < len(toks); j++ {
				if toks[j].is("AS") {
					d.body = toks[j+1:]
					break
				}
			}
			return
		case t.is("TRIGGER"):
			d.kind = createTrigger
			var j int
			d.trigger, j = nameAt(toks, i+1)
			for ; j < len(toks); j++ {
				if toks[j].is("ON") {
					d.name, _ = nameAt(toks, j+1)
				}
				if toks[j].is("ROW") {
					d.body = toks[j+1:]
					return
				}
			}
			return
		case t.is("INDEX"):
			d.kind = createIndex
			d.indexTail(toks[i+1:])
			return
		}
	}
}

func (d *ddl) parseDrop(toks []token) {
	i := skip(toks, 1, "TEMPORARY")
	if i >= len(toks) {
		return
	}
	switch {
	case toks[i].is("TABLE", "VIEW"):
		d.kind = dropTable
		if toks[i].is("VIEW") {
			d.kind = dropView
		}
		for _, part := range splitTop(toks[i+1:]) {
			if name, _ := nameAt(part, 0); name != "" && !part[0].is("RESTRICT", "CASCADE") {
				d.names = append(d.names, name)
			}
		}
	case toks[i].is("TRIGGER"):
		d.kind = dropTrigger
		d.trigger, _ = nameAt(toks, i+1)
	case toks[i].is("INDEX"):
		d.kind = dropIndex
		d.indexTail(toks[i+1:])
	}
}

// indexTail reads `name ... ON table ... ALGORITHM = x` of CREATE INDEX and
// DROP INDEX.
func (d *ddl) indexTail(toks []token) {
	var i int
	d.index, i = nameAt(toks, 0)
	for ; i < len(toks); i++ {
		switch {
		case toks[i].is("ON") && d.name == "":
			d.name, _ = nameAt(toks, i+1)
		case toks[i].is("ALGORITHM"):
			d.algorithm = valueAt(toks, i+1)
		}
	}
}

func parseClause(toks []token) clause {
	c := clause{toks: toks}
	if len(toks) == 0 {
		return c
	}
	c.op = strings.ToUpper(toks[0].text)
	rest := toks[1:]
	at := func(i int, kw ...string) bool { return i < len(rest) && rest[i].is(kw...) }
	switch c.op {
	case "ADD":
		i := 0
		if at(0, "CONSTRAINT") {
			i = 1
			if !at(1, "UNIQUE", "PRIMARY", "FOREIGN", "CHECK") {
				c.name, i = nameAt(rest, 1)
			}
		}
		switch {
		case at(i, "UNIQUE"):
			c.object = "UNIQUE"
			if c.name == "" {
				c.name, _ = nameAt(rest, skip(rest, i+1, "INDEX", "KEY"))
			}
		case at(i, "PRIMARY"):
			c.object = "PRIMARY KEY"
		case at(i, "FOREIGN"):
			c.object = "FOREIGN KEY"
			if c.name == "" && !at(i+2, "(") {
				c.name, _ = nameAt(rest, i+2)
			}
		case at(i, "CHECK"):
			c.object = "CHECK"
		case at(i, "INDEX", "KEY", "FULLTEXT", "SPATIAL"):
			c.object = "INDEX"
			c.name, _ = nameAt(rest, skip(rest, i+1, "INDEX", "KEY"))
		default:
			c.object = "COLUMN"
			if !at(skip(rest, i, "COLUMN"), "(") {
				c.name, _ = nameAt(rest, skip(rest, i, "COLUMN"))
			}
		}
	case "DROP":
		switch {
		case at(0, "INDEX", "KEY"):
			c.object = "INDEX"
			c.name, _ = nameAt(rest, 1)
		case at(0, "FOREIGN"):
			c.object = "FOREIGN KEY"
			c.name, _ = nameAt(rest, 2)
		case at(0, "PRIMARY"):
			c.object = "PRIMARY KEY"
		case at(0, "CHECK"):
			c.object = "CHECK"
			c.name, _ = nameAt(rest, 1)
		case at(0, "CONSTRAINT"):
			c.object = "CONSTRAINT"
			c.name, _ = nameAt(rest, 1)
		case at(0, "PARTITION", "SYSTEM", "PERIOD"):
			c.object = strings.ToUpper(rest[0].text)
		default:
			c.object = "COLUMN"
			c.name, _ = nameAt(rest, skip(rest, 0, "COLUMN"))
		}
	case "MODIFY":
		c.object = "COLUMN"
		c.name, _ = nameAt(rest, skip(rest, 0, "COLUMN"))
	case "CHANGE":
		c.object = "COLUMN"
		var i int
		c.name, i = nameAt(rest, skip(rest, 0, "COLUMN"))
		c.to, _ = nameAt(rest, i)
	case "RENAME":
		switch {
		case at(0, "COLUMN", "INDEX", "KEY"):
			c.object = "COLUMN"
			if !at(0, "COLUMN") {
				c.object = "INDEX"
			}
			var i int
			c.name, i = nameAt(rest, 1)
			c.to, _ = nameAt(rest, skip(rest, i, "TO"))
		default:
			c.object = "TABLE"
			c.to, _ = nameAt(rest, skip(rest, 0, "TO", "AS"))
		}
	case "ALGORITHM", "LOCK":
		c.name = valueAt(toks, 1)
	}
	return c
}

// skip returns the index of the first token from i that is none of the
// keywords.
func skip(toks []token, i int, keywords ...string) int {
	for i < len(toks) && toks[i].is(keywords...) {
		i++
	}
	return i
}

// nameAt reads the object name at i, after IF [NOT] EXISTS, keeping the
// last part of a qualified name; it returns the name and the index after it.
func nameAt(toks []token, i int) (string, int) {
	i = skip(toks, i, "IF", "NOT", "EXISTS")
	if i >= len(toks) || !toks[i].word {
		return "", i
	}
	name := toks[i].text
	for i+2 < len(toks) && toks[i+1].text == "." && toks[i+2].word {
		name, i = toks[i+2].text, i+2
	}
	return name, i + 1
}

// valueAt reads `[=] value` of an option such as ALGORITHM.
func valueAt(toks []token, i int) string {
	if i < len(toks) && toks[i].text == "=" {
		i++
	}
	if i < len(toks) {
		return strings.ToUpper(toks[i].text)
	}
	return ""
}

// splitTop splits tokens at commas outside parentheses.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch t.text {
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

// mentions reports whether the tokens name the identifier, quoted or not
// (NEW.`c`, OLD.c and c all name column c).
func mentions(toks []token, name string) bool {
	return slices.ContainsFunc(toks, func(t token) bool { return t.word && strings.EqualFold(t.text, name) })
}
