package sqlsyntax

import (
	"reflect"
	"regexp"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/ast"
)

// Stmt is one statement of a plan file as the parser read it: what
// review, lint and the applier learn of a statement comes from here, so
// that what they say holds for the file as committed, hand edits included.
//
// TiDB's grammar is MySQL's with a few MariaDB additions. Where it refuses
// a form MariaDB accepts for the statements plans hold, ReadStmt reads
// that form narrowly and says so in the fields below; anything else it
// cannot read is an error, never a guess.
type Stmt struct {
	// Node is the statement; for a trigger, the body it runs (nil for
	// DROP TRIGGER), for SET STATEMENT ... FOR, the statement after FOR.
	Node ast.StmtNode
	// Trigger is set for CREATE TRIGGER and DROP TRIGGER: the parser has no
	// triggers, so the head is read by triggerHead and the body is parsed
	// as the body of a procedure, which has the same grammar.
	Trigger *Trigger
	// Settings are the variables of MariaDB's SET STATEMENT var = value,
	// ... FOR <statement>, which the parser does not have.
	Settings []*ast.VariableAssignment
	// Online is ALTER ONLINE TABLE, MariaDB's LOCK=NONE. (MariaDB's WAIT n,
	// NOWAIT and IF EXISTS, which say how long to wait or whether to fail,
	// not what the statement changes, are taken out before parsing too.)
	Online bool
	// NoCopy is ALGORITHM=NOCOPY (MariaDB: in place, never rebuilding the
	// table); Node holds ALGORITHM=COPY in its place, so read the
	// algorithm through NoCopy first.
	NoCopy bool
}

// Trigger is the head of CREATE TRIGGER or DROP TRIGGER.
type Trigger struct {
	Drop   bool
	Name   string
	Table  string // the table it is on (CREATE only)
	Timing string // BEFORE or AFTER, upper-cased (CREATE only)
	Event  string // INSERT, UPDATE or DELETE, upper-cased (CREATE only)
}

// ReadStmt reads one statement of a plan. Errors are *Error,
// positioned inside sql.
func ReadStmt(sql string) (*Stmt, error) {
	if e := checkSource(sql); e != nil {
		return nil, e
	}
	st, e := readStatement(sql, true)
	if e != nil {
		return nil, e
	}
	return st, nil
}

func readStatement(sql string, outer bool) (*Stmt, *Error) {
	st := &Stmt{}
	text := sql
	for range 5 {
		stmts, err := parse(text)
		if err == nil {
			if len(stmts) != 1 {
				return nil, errorAt(sql, 0, "%d statements where one was expected: a plan statement ends at its ';'", len(stmts))
			}
			st.Node = stmts[0]
			return st, nil
		}
		at := nearOffset(text, 0, err)
		if outer && setStatement.MatchString(sql) {
			return readSetStatement(sql)
		}
		if at >= 0 && at < len(text) && triggerWord.MatchString(text[at:]) && (createBefore.MatchString(text[:at]) || dropBefore.MatchString(text[:at])) {
			return readTrigger(sql, at)
		}
		if at >= 0 && at < len(text) && triggerWord.MatchString(text[at:]) && versionedCreate.MatchString(text[:at]) {
			return nil, errorAt(sql, at, "a trigger written in executable comments, as mysqldump writes triggers (/*!50003 CREATE*/ /*!50017 DEFINER=...*/ /*!50003 TRIGGER ... */): emcee reads a trigger only as plain SQL (CREATE TRIGGER ...), and a SQL release holds none (emcee creates the triggers an upgrade needs): remove it, or dump again with mysqldump --skip-triggers")
		}
		cut := ""
		if m := mariaClause.FindString(text[max(at, 0):]); at >= 0 && m != "" {
			st.Online = st.Online || strings.EqualFold(m, "ONLINE")
			cut = text[:at] + strings.Repeat(" ", len(m)) + text[at+len(m):]
		}
		if cut == "" && strings.Contains(err.Error(), "Unknown ALGORITHM") {
			cut = noCopy(text)
			st.NoCopy = cut != ""
		}
		if cut == "" {
			return nil, syntaxError(sql, 0, err, "statement")
		}
		text = cut
	}
	return nil, errorAt(sql, 0, "emcee cannot read this statement")
}

// mariaClause is a MariaDB clause the parser stops at (WAIT n, NOWAIT,
// ONLINE, ALTER TABLE IF EXISTS t, DROP FOREIGN KEY IF EXISTS fk), taken
// out where it stops: the same words inside a string or a name never stop
// it. Each takes one turn of readStatement's loop.
var mariaClause = regexp.MustCompile(`(?i)^(NOWAIT|WAIT\s+[0-9]+(\.[0-9]+)?|ONLINE|IF\s+EXISTS)\b`)

var algorithmNoCopy = regexp.MustCompile(`(?i)\bALGORITHM\s*=?\s*(NOCOPY)\b`)

// noCopy replaces the first ALGORITHM=NOCOPY that is the statement's
// clause (its replacement changes what the parser says) by COPY, padded
// to the same length; "" when there is none. The parser reports an unknown
// algorithm without a position, so each candidate is tried in turn.
func noCopy(text string) string {
	_, before := parse(text)
	for _, m := range algorithmNoCopy.FindAllStringSubmatchIndex(text, -1) {
		cand := text[:m[2]] + "COPY  " + text[m[3]:]
		if _, err := parse(cand); err == nil || err.Error() != before.Error() {
			return cand
		}
	}
	return ""
}

var setStatement = regexp.MustCompile(`(?is)^\s*SET\s+STATEMENT\s`)

// readSetStatement reads MariaDB's SET STATEMENT var = value, ... FOR
// <statement>. The FOR that ends the settings is the first at which the
// text before it parses as a SET list: a FOR inside a string value does
// not.
func readSetStatement(sql string) (*Stmt, *Error) {
	start := len(setStatement.FindString(sql))
	for _, m := range forWord.FindAllStringIndex(sql[start:], -1) {
		stmts, err := parse("SET " + sql[start:start+m[0]])
		set, ok := only[*ast.SetStmt](stmts)
		if err != nil || !ok {
			continue
		}
		body := start + m[1]
		inner, e := readStatement(sql[body:], false)
		if e != nil {
			return nil, errorAt(sql, body+e.Offset, "%s", e.Msg)
		}
		inner.Settings = set.Variables
		return inner, nil
	}
	return nil, errorAt(sql, start, "emcee cannot read the settings of SET STATEMENT (want SET STATEMENT var = value, ... FOR statement)")
}

var (
	forWord     = regexp.MustCompile(`(?i)\bFOR\b`)
	triggerWord = regexp.MustCompile(`(?i)^TRIGGER\b`)
	// What may come before TRIGGER, as far as the parser read it.
	createBefore = regexp.MustCompile(`(?is)^\s*CREATE(\s+OR\s+REPLACE)?(\s+DEFINER\s*=\s*\S(.*\S)?)?\s+$`)
	dropBefore   = regexp.MustCompile(`(?is)^\s*DROP\s+$`)
	// mysqldump's trigger head: CREATE in an executable comment of its own.
	versionedCreate = regexp.MustCompile(`(?is)^\s*/\*![0-9]*\s*CREATE\s*\*/`)
	// The head of a trigger from TRIGGER to its body. Words are separated
	// by blanks; a comment inside the head is not read.
	triggerHead = regexp.MustCompile(`(?is)^TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?(` + qualifiedName + `)\s+(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\s+ON\s+(` + qualifiedName + `)\s+FOR\s+EACH\s+ROW\b\s*(?:(?:FOLLOWS|PRECEDES)\s+` + identifier + `\s+)?`)
)

const (
	identifier    = "(?:`(?:[^`]|``)+`|[0-9A-Za-z_$\\x{80}-\\x{10FFFF}]+)"
	qualifiedName = identifier + `(?:\s*\.\s*` + identifier + `)?`
)

const procedurePrefix = "CREATE PROCEDURE p() "

// readTrigger reads CREATE TRIGGER and DROP TRIGGER; at is where the
// parser stopped: the word TRIGGER.
func readTrigger(sql string, at int) (*Stmt, *Error) {
	if dropBefore.MatchString(sql[:at]) {
		// DROP PROCEDURE has DROP TRIGGER's grammar.
		stmts, err := parse(sql[:at] + "PROCEDURE" + sql[at+len("TRIGGER"):])
		if d, ok := only[*ast.DropProcedureStmt](stmts); err == nil && ok {
			return &Stmt{Trigger: &Trigger{Drop: true, Name: d.ProcedureName.Name.O}}, nil
		}
		return nil, errorAt(sql, at, "emcee cannot read this DROP TRIGGER (want DROP TRIGGER [IF EXISTS] name)")
	}
	head := triggerHead.FindStringSubmatch(sql[at:])
	if head == nil {
		return nil, errorAt(sql, at, "emcee cannot read this trigger's head (want CREATE [OR REPLACE] [DEFINER = user] TRIGGER [IF NOT EXISTS] name {BEFORE|AFTER} {INSERT|UPDATE|DELETE} ON table FOR EACH ROW [{FOLLOWS|PRECEDES} other] body, with no comment between the words)")
	}
	body := at + len(head[0])
	t := &Trigger{Name: lastName(head[1]), Timing: strings.ToUpper(head[2]), Event: strings.ToUpper(head[3]), Table: lastName(head[4])}
	// A trigger's body is a procedure's body.
	stmts, err := parse(procedurePrefix + sql[body:])
	if err != nil {
		e := syntaxError(sql[body:], len(procedurePrefix), err, "trigger's body")
		return nil, errorAt(sql, body+e.Offset, "%s", e.Msg)
	}
	p, ok := only[*ast.ProcedureInfo](stmts)
	if !ok {
		return nil, errorAt(sql, body, "a trigger's body is one statement (BEGIN ... END for more)")
	}
	return &Stmt{Node: p.ProcedureBody, Trigger: t}, nil
}

// only is the one statement of a parse, of type T.
func only[T ast.StmtNode](stmts []ast.StmtNode) (t T, ok bool) {
	if len(stmts) == 1 {
		t, ok = stmts[0].(T)
	}
	return t, ok
}

var identRE = regexp.MustCompile(identifier)

// lastName is the object name of a possibly qualified name, unquoted.
func lastName(q string) string {
	names := identRE.FindAllString(q, -1)
	return UnquoteIdent(names[len(names)-1])
}

// Names are the names a statement mentions, lower-cased: tables, columns
// and their qualifiers, and the variables a SET assigns (a trigger's SET
// NEW.col names col); and, keyed "db\x00table" (QualifiedKey; no name
// holds a NUL), the tables it names with their database written out,
// which is how an object of another database reaches a table. It walks
// every field of the tree, since the parser's visitor does not enter the
// statements of a procedure body.
func Names(n ast.Node) (names, qualified map[string]bool) {
	names, qualified = map[string]bool{}, map[string]bool{}
	add := func(ns ...string) {
		for _, s := range ns {
			if s != "" {
				names[strings.ToLower(s)] = true
			}
		}
	}
	walkTree(n, func(node any) {
		switch x := node.(type) {
		case *ast.ColumnName:
			add(x.Schema.O, x.Table.O, x.Name.O)
		case *ast.TableName:
			add(x.Schema.O, x.Name.O)
			if x.Schema.O != "" {
				qualified[QualifiedKey(x.Schema.O, x.Name.O)] = true
			}
		case *ast.VariableAssignment:
			if x.IsSystem || !strings.HasPrefix(x.Name, "Set") {
				add(strings.Split(x.Name, ".")...)
			}
		}
	})
	return names, qualified
}

// SessionLock is the first call in the statement of a function acting on
// the session's named locks (GET_LOCK, RELEASE_LOCK, RELEASE_ALL_LOCKS),
// upper-cased, with why it cannot be in a plan; "" when there is none. A
// declared expression may call none (policy), so emcee writes none: on
// emcee's connection, one releases the operator lock that keeps a second
// run out, or takes a lock the run keeps.
func SessionLock(n ast.Node) (name, why string) {
	walkTree(n, func(node any) {
		if c, ok := node.(*ast.FuncCallExpr); ok && name == "" {
			if w, ok := sessionLocks[c.FnName.L]; ok {
				name, why = strings.ToUpper(c.FnName.O), w
			}
		}
	})
	return name, why
}

// OutsideOption is the first table or partition option of the statement
// that keeps the table's data outside the database (DATA DIRECTORY, INDEX
// DIRECTORY: in any directory the server can write; CONNECTION: on
// another server), written back from its tree; "" when there is none. A
// SQL release may give none (sqlrelease's tableOptions), nor does Atlas
// write one from HCL.
func OutsideOption(n ast.Node) string {
	out := ""
	walkTree(n, func(node any) {
		o, ok := node.(*ast.TableOption)
		if !ok || out != "" {
			return
		}
		switch o.Tp {
		case ast.TableOptionDataDirectory, ast.TableOptionIndexDirectory, ast.TableOptionConnection:
			if out, _ = Restore(o); out == "" {
				out = "DATA DIRECTORY, INDEX DIRECTORY or CONNECTION"
			}
		}
	})
	return out
}

// QualifiedKey is the key of table db.table in the qualified names Names
// returns: the database's name as written (a server with
// lower_case_table_names = 0 tells `App` from `app`), the table's
// lower-cased.
func QualifiedKey(db, table string) string {
	return db + "\x00" + strings.ToLower(table)
}

// CopiesEveryColumn reports whether the tree selects every column of a
// table (SELECT *, t.*) where their number counts: inserted into a table
// (INSERT ... SELECT *), declared as a cursor (FETCH takes one variable a
// column), compared or assigned as a row or a value (x IN (SELECT * ...),
// a scalar subquery), or set beside another SELECT (UNION): a column more
// or fewer fails the statement there (errors 1136, 1328, 1241, 1222). Not
// rows sent to the client, nor EXISTS's, a derived table's or a WITH's,
// whose columns go nowhere counted (a statement selecting * from those
// counts for itself).
func CopiesEveryColumn(n ast.Node) bool {
	found := false
	walkPath(n, func(node any, above []any) {
		if _, ok := node.(*ast.WildCardField); ok && !found {
			found = counted(above)
		}
	})
	return found
}

// counted tells, from the nodes above a wildcard (outermost first),
// whether its select's columns are counted.
func counted(above []any) bool {
	i := len(above) - 1
	for i >= 0 {
		if _, ok := above[i].(*ast.SelectStmt); ok {
			break
		}
		i--
	}
	for i--; i >= 0; i-- {
		switch p := above[i].(type) {
		case *ast.InsertStmt, *ast.ProcedureCursor:
			return true
		case *ast.SetOprSelectList:
			if len(p.Selects) > 1 {
				return true
			}
		case *ast.SetOprStmt:
		case *ast.SubqueryExpr:
			if i == 0 {
				return false
			}
			switch above[i-1].(type) {
			case *ast.ExistsSubqueryExpr, *ast.TableSource, *ast.CommonTableExpression:
				return false
			}
			return true
		default:
			return false
		}
	}
	return false
}

// Tables are the tables a statement names, wherever in its tree: CREATE
// TABLE's own, LIKE's, a foreign key's, a subquery's.
func Tables(n ast.Node) []*ast.TableName {
	var out []*ast.TableName
	walkTree(n, func(node any) {
		if t, ok := node.(*ast.TableName); ok {
			out = append(out, t)
		}
	})
	return out
}

// walkTree calls visit on every node of the tree, through every field,
// since the parser's visitor does not enter all of them (the statements of
// a procedure body, a foreign key's table).
func walkTree(n ast.Node, visit func(any)) {
	walkPath(n, func(node any, _ []any) { visit(node) })
}

// walkPath is walkTree telling each node the nodes above it, outermost
// first.
func walkPath(n ast.Node, visit func(node any, above []any)) {
	astPkg := reflect.TypeFor[ast.Node]().PkgPath()
	var above []any
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Pointer:
			if v.IsNil() || v.Type().Elem().PkgPath() != astPkg {
				return
			}
			if v.CanInterface() {
				visit(v.Interface(), above)
				above = append(above, v.Interface())
				defer func() { above = above[:len(above)-1] }()
			}
			walk(v.Elem())
		case reflect.Struct:
			// Only the tree's own nodes: types, charsets and values hold
			// nothing named.
			if v.Type().PkgPath() != astPkg {
				return
			}
			for i := range v.NumField() {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			if k := v.Type().Elem().Kind(); k == reflect.Pointer || k == reflect.Interface || k == reflect.Struct {
				for i := range v.Len() {
					walk(v.Index(i))
				}
			}
		}
	}
	walk(reflect.ValueOf(n))
}
