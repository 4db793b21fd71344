// Package effect reads what a plan statement does to the schema (drops a
// column, creates a trigger, tightens a column ...) from its SQL, so that
// the people reviewing a plan file see facts that hold for the file as
// committed, not for what the planner meant to write.
//
// It understands the statement forms MySQL and MariaDB accept for these
// operations, not only the ones emcee writes, because a hand-edited file is
// exactly the one a reviewer must read correctly.
package effect

import (
	"regexp"
	"strings"
)

// Op is one kind of schema effect.
type Op string

const (
	CreateTable   Op = "create table"
	DropTable     Op = "drop table"
	RenameTable   Op = "rename table"
	AddColumn     Op = "add column"
	DropColumn    Op = "drop column"
	ModifyColumn  Op = "modify column" // MODIFY or CHANGE: may widen or tighten
	RenameColumn  Op = "rename column"
	AddIndex      Op = "add index"
	AddUnique     Op = "add unique index"
	DropIndex     Op = "drop index"
	AddForeignKey Op = "add foreign key"
	DropForeignKy Op = "drop foreign key"
	AddCheck      Op = "add check"
	DropCheck     Op = "drop check" // DROP CHECK (MySQL) or DROP CONSTRAINT
	DropPrimary   Op = "drop primary key"
	CreateTrigger Op = "create trigger"
	DropTrigger   Op = "drop trigger"
	CreateView    Op = "create view"
	DropView      Op = "drop view"
	DeleteRows    Op = "delete rows" // DELETE or TRUNCATE
)

// Effect is one thing a statement does. Table is the table it acts on,
// Name the column, index, constraint, trigger or view; Def the rest of the
// clause (a column definition, a trigger's timing and event).
type Effect struct {
	Op    Op
	Table string
	Name  string
	Def   string
}

// Drops reports whether the effect removes something the previous release
// may use.
func (e Effect) Drops() bool {
	switch e.Op {
	case DropTable, DropColumn, DropIndex, DropForeignKy, DropCheck, DropPrimary, DropView, DeleteRows, RenameTable, RenameColumn:
		return true
	}
	return false
}

const ident = "(`(?:[^`]|``)+`|[A-Za-z0-9_$.]+)"

var (
	reCreateTable   = regexp.MustCompile(`(?is)^CREATE\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?` + ident)
	reDropTable     = regexp.MustCompile(`(?is)^DROP\s+(?:TEMPORARY\s+)?TABLE\s+(?:IF\s+EXISTS\s+)?(.+)$`)
	reRenameTable   = regexp.MustCompile(`(?is)^RENAME\s+TABLES?\s+(.+)$`)
	reAlterTable    = regexp.MustCompile(`(?is)^ALTER\s+(?:ONLINE\s+|IGNORE\s+)*TABLE\s+` + ident + `\s*(.*)$`)
	reCreateTrigger = regexp.MustCompile(`(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?` + ident + `\s+(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\s+ON\s+` + ident)
	reDropTrigger   = regexp.MustCompile(`(?is)^DROP\s+TRIGGER\s+(?:IF\s+EXISTS\s+)?` + ident)
	reCreateView    = regexp.MustCompile(`(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?VIEW\s+` + ident)
	reDropView      = regexp.MustCompile(`(?is)^DROP\s+VIEW\s+(?:IF\s+EXISTS\s+)?(.+)$`)
	reCreateIndex   = regexp.MustCompile(`(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(UNIQUE\s+)?(?:FULLTEXT\s+|SPATIAL\s+)?INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?` + ident + `\s+ON\s+` + ident)
	reDropIndex     = regexp.MustCompile(`(?is)^DROP\s+INDEX\s+(?:IF\s+EXISTS\s+)?` + ident + `\s+ON\s+` + ident)
	reDelete        = regexp.MustCompile(`(?is)^(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+` + ident)
)

// Of lists the effects of one statement; statements with no schema effect
// (SELECT, UPDATE) have none.
func Of(sql string) []Effect {
	sql = strings.TrimSpace(sql)
	if m := reCreateTrigger.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: CreateTrigger, Name: unquote(m[1]), Table: unquote(m[4]), Def: strings.ToUpper(m[2] + " " + m[3])}}
	}
	if m := reDropTrigger.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: DropTrigger, Name: unquote(m[1])}}
	}
	if m := reCreateView.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: CreateView, Name: unquote(m[1])}}
	}
	if m := reDropView.FindStringSubmatch(sql); m != nil {
		return each(DropView, m[1])
	}
	if m := reCreateTable.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: CreateTable, Table: unquote(m[1])}}
	}
	if m := reDropTable.FindStringSubmatch(sql); m != nil {
		return each(DropTable, m[1])
	}
	if m := reCreateIndex.FindStringSubmatch(sql); m != nil {
		op := AddIndex
		if m[1] != "" {
			op = AddUnique
		}
		return []Effect{{Op: op, Name: unquote(m[2]), Table: unquote(m[3])}}
	}
	if m := reDropIndex.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: DropIndex, Name: unquote(m[1]), Table: unquote(m[2])}}
	}
	if m := reDelete.FindStringSubmatch(sql); m != nil {
		return []Effect{{Op: DeleteRows, Table: unquote(m[1])}}
	}
	if m := reRenameTable.FindStringSubmatch(sql); m != nil {
		var out []Effect
		for _, pair := range splitTop(m[1]) {
			from, to, ok := cutWord(pair, "TO")
			if ok {
				out = append(out, Effect{Op: RenameTable, Table: unquote(from), Name: unquote(to)})
			}
		}
		return out
	}
	if m := reAlterTable.FindStringSubmatch(sql); m != nil {
		table := unquote(m[1])
		var out []Effect
		for _, clause := range splitTop(m[2]) {
			if e, ok := alterClause(clause); ok {
				e.Table = table
				out = append(out, e)
			}
		}
		return out
	}
	return nil
}

var clauses = []struct {
	re *regexp.Regexp
	op Op
}{
	{regexp.MustCompile(`(?is)^ADD\s+(?:CONSTRAINT\s+` + ident + `\s+)?UNIQUE\s+(?:INDEX\s+|KEY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?` + ident + `?`), AddUnique},
	{regexp.MustCompile(`(?is)^ADD\s+(?:CONSTRAINT\s+` + ident + `\s+)?FOREIGN\s+KEY\s*` + ident + `?`), AddForeignKey},
	{regexp.MustCompile(`(?is)^ADD\s+(?:CONSTRAINT\s+` + ident + `\s+)?CHECK\b()`), AddCheck},
	{regexp.MustCompile(`(?is)^ADD\s+(?:FULLTEXT\s+|SPATIAL\s+)?(?:INDEX|KEY)\s+(?:IF\s+NOT\s+EXISTS\s+)?()` + ident), AddIndex},
	{regexp.MustCompile(`(?is)^DROP\s+PRIMARY\s+KEY()()`), DropPrimary},
	{regexp.MustCompile(`(?is)^DROP\s+FOREIGN\s+KEY\s+(?:IF\s+EXISTS\s+)?()` + ident), DropForeignKy},
	{regexp.MustCompile(`(?is)^DROP\s+(?:INDEX|KEY)\s+(?:IF\s+EXISTS\s+)?()` + ident), DropIndex},
	{regexp.MustCompile(`(?is)^DROP\s+(?:CHECK|CONSTRAINT)\s+(?:IF\s+EXISTS\s+)?()` + ident), DropCheck},
	{regexp.MustCompile(`(?is)^ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?()` + ident + `\s+(.*)$`), AddColumn},
	{regexp.MustCompile(`(?is)^MODIFY\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?()` + ident + `\s+(.*)$`), ModifyColumn},
	{regexp.MustCompile(`(?is)^CHANGE\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?` + ident + `\s+` + ident + `\s+(.*)$`), ModifyColumn},
	{regexp.MustCompile(`(?is)^RENAME\s+COLUMN\s+` + ident + `\s+TO\s+` + ident + `()`), RenameColumn},
	{regexp.MustCompile(`(?is)^DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?()` + ident), DropColumn},
}

var keywords = map[string]bool{"PRIMARY": true, "CONSTRAINT": true, "INDEX": true, "KEY": true, "UNIQUE": true, "FOREIGN": true, "CHECK": true, "FULLTEXT": true, "SPATIAL": true, "PARTITION": true, "SYSTEM": true, "PERIOD": true}

// alterClause reads one comma-separated clause of ALTER TABLE. Options
// such as ALGORITHM=INSTANT have no schema effect and are skipped.
func alterClause(c string) (Effect, bool) {
	c = strings.TrimSpace(c)
	for _, cl := range clauses {
		m := cl.re.FindStringSubmatch(c)
		if m == nil {
			continue
		}
		if (cl.op == AddColumn || cl.op == DropColumn) && keywords[strings.ToUpper(m[2])] {
			return Effect{}, false // ADD PRIMARY KEY, DROP PARTITION ...: not a column
		}
		e := Effect{Op: cl.op}
		switch cl.op {
		case AddUnique, AddForeignKey, AddCheck:
			e.Name = unquote(firstNonEmpty(m[2], m[1]))
		case ModifyColumn, AddColumn:
			if strings.HasPrefix(strings.ToUpper(c), "CHANGE") {
				e.Name, e.Def = unquote(m[2]), strings.TrimSpace(m[3])
				if from := unquote(m[1]); from != e.Name {
					return Effect{Op: RenameColumn, Name: from, Def: e.Name + " " + e.Def}, true
				}
			} else {
				e.Name, e.Def = unquote(m[2]), strings.TrimSpace(m[3])
			}
		case RenameColumn:
			e.Name, e.Def = unquote(m[1]), unquote(m[2])
		default:
			e.Name = unquote(m[2])
		}
		return e, true
	}
	return Effect{}, false
}

func each(op Op, list string) []Effect {
	var out []Effect
	for _, n := range splitTop(list) {
		if f := strings.Fields(n); len(f) > 0 && !strings.EqualFold(f[0], "CASCADE") && !strings.EqualFold(f[0], "RESTRICT") {
			out = append(out, Effect{Op: op, Table: unquote(f[0])})
		}
	}
	if op == DropView {
		for i := range out {
			out[i].Name, out[i].Table = out[i].Table, ""
		}
	}
	return out
}

// splitTop splits at commas outside parentheses, quotes and backticks.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	var quote rune
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"' || r == '`':
			quote = r
		case r == '(':
			depth++
		case r == ')':
			depth--
		case r == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(s[start:]); rest != "" {
		out = append(out, rest)
	}
	return out
}

func cutWord(s, word string) (string, string, bool) {
	f := strings.Fields(s)
	for i, w := range f {
		if strings.EqualFold(w, word) && i > 0 && i < len(f)-1 {
			return strings.Join(f[:i], " "), strings.Join(f[i+1:], " "), true
		}
	}
	return "", "", false
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '`' && s[len(s)-1] == '`' {
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	if i := strings.LastIndexByte(s, '.'); i >= 0 && !strings.Contains(s, "`") {
		return s[i+1:]
	}
	return s
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
