package apply

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A column or table a revision drops may still be read by a trigger,
// view, stored routine or event emcee does not manage: another
// application's, accepted when the database was adopted (db baseline
// --allow-drift), or made by hand. The server drops the column all the
// same; from then on every write that fires the trigger fails, the view
// is invalid, and every call of the routine (every run of the event)
// fails. So before a revision runs (or resumes), the statements it has
// left are compared with the live triggers, views, routines and events,
// and a drop one of them reads refuses it.
//
// A column added breaks an object that copies every column of its table
// by position (INSERT INTO t_archive SELECT * FROM t, SELECT * INTO @a,
// @b FROM t, INSERT INTO t SELECT * FROM t_staging): from then on it
// fails with error 1136 (column count), while the previous release still
// runs. A view does not: the server expands its * when the view is
// created, so the view keeps its columns.

// liveObject is a trigger, view, stored procedure or function, or event
// of the live database, or of another database on the server that reads
// the live database's tables by naming them with their database
// (`other`.v selecting from `app`.t): the server no more stops a drop
// that breaks it. Or a trigger or view a statement of the run creates
// (made), read from that statement.
type liveObject struct {
	kind, name string // kind: trigger, view, procedure, function, event
	db         string // its database when another than the live one
	table      string // a trigger's table (in db)
	event      string // a trigger's timing and event
	read       *effect.DDL
	text       string // its body or definition, as the server keeps it
	hidden     bool   // a view, routine or event whose definition the server does not show this user
	foldDB     bool   // the server reads databases' names in any case (lower_case_table_names is not 0)
	made       string // "created by" where the run creates it (revision, statement, file:line); "" for a live one
}

// mentions tells whether the object names an identifier: as the SQL
// reader reads its body, or, for a body it cannot read (a routine's
// BEGIN ... END), anywhere in the text as a word of its own (a mention
// the reader might have seen counts; a table t was "read" by every
// routine with a t in it), written plain or between backticks.
func (o liveObject) mentions(name string) bool {
	if o.read.Err == nil {
		return o.read.Mentions(name)
	}
	return o.word(name)
}

// namesTableOf tells whether the object names table db.table with its
// database written out: as the reader reads it, or, for a body it cannot
// read, as the text writes a qualified name (each name plain or between
// backticks, a dot between them, blanks around it). Both names anywhere
// in the text was not enough: a procedure of a reporting database
// copying from app.keep into its own t (unqualified: its own) was taken
// to read app.t, and refused every drop of a column of it whose name it
// held (e2e TestAttack2S26OtherDatabaseProcedureNamingItsOwnTable).
func (o liveObject) namesTableOf(db, table string) bool {
	if o.read.Err == nil {
		return o.read.NamesTableOf(db, table, o.foldDB)
	}
	// Not after a dot: db would be a table then (other.db.table is a
	// column of other.db). The database's name in its own case where the
	// server tells case apart.
	fold := ""
	if o.foldDB {
		fold = "(?i)"
	}
	return regexp.MustCompile(`(^|[^\p{L}\p{N}_$.` + "`" + `])` + fold + spelled(db) + `(?i)\s*\.\s*` + spelled(table) + `($|[^\p{L}\p{N}_$])`).MatchString(o.text)
}

func (o liveObject) word(name string) bool {
	return regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_$])` + spelled(name) + `($|[^\p{L}\p{N}_$])`).MatchString(o.text)
}

// spelled is a regular expression matching a name as SQL text writes it:
// plain, between backticks (doubled within), or between double quotes (a
// routine created under ANSI_QUOTES keeps its "app"."t").
func spelled(name string) string {
	return "(" + regexp.QuoteMeta(name) + "|" + regexp.QuoteMeta(sqlsyntax.Ident(name)) + "|" + regexp.QuoteMeta(`"`+strings.ReplaceAll(name, `"`, `""`)+`"`) + ")"
}

// copiesEveryColumn tells whether the object selects every column of
// table t of database home (SELECT *, t.*) where their number counts
// (effect's CopiesEveryColumn): a column added or dropped breaks it, as
// surely as one it names (errors 1136, 1222, 1241, 1328). A body the SQL
// reader cannot read is searched statement by statement
// (sqlsyntax.BodyStatements): a statement naming t, or a table an
// earlier one created from every column of t (CREATE TEMPORARY TABLE x
// AS SELECT * FROM t: x gains the column too), with a * (after SELECT
// and its modifiers, or after a name and a dot) whose columns are
// counted (positional); its rows sent to the client, or tested by
// EXISTS, break nothing. Its comments are blanks: SELECT /* all */ * and
// INSERT/**/INTO went unseen, and a comment's INSERT INTO counted.
func (o liveObject) copiesEveryColumn(home, t string) bool {
	// Not a trigger's table for itself: its rows reach a statement
	// through FROM t only (NEW.* is no SQL).
	names := func(o liveObject) bool {
		if o.db != "" {
			return o.namesTableOf(home, t)
		}
		return o.mentions(t)
	}
	if o.read.Err == nil {
		return names(o) && o.read.CopiesEveryColumn()
	}
	o.text = sqlsyntax.Uncommented(o.text) // SELECT /* all */ * is SELECT *
	from := []string{t}
	for _, text := range sqlsyntax.BodyStatements(o.text) {
		st := o
		st.text = text
		if !names(st) && !slices.ContainsFunc(from[1:], st.word) {
			continue
		}
		counts, created := o.positional(text)
		if counts {
			return true
		}
		if created != "" {
			from = append(from, created)
		}
	}
	return false
}

// positional tells whether a statement of a body the SQL reader cannot
// read selects every column of a table where their number counts: its *
// inserted (INSERT or REPLACE before it, whatever the parentheses or
// PARTITION between), selected INTO variables, declared as a cursor the
// body fetches, set beside another SELECT (UNION, INTERSECT, EXCEPT), or
// a value or a row in an expression (a parenthesis after IN, =, a
// function's name, RETURN ...), not EXISTS's, a derived table's or a
// WITH's. Where it is none of those, created is the table a CREATE
// TABLE ... SELECT * of it makes.
func (o liveObject) positional(text string) (counts bool, created string) {
	for _, m := range selectStar.FindAllStringIndex(text, -1) {
		sel := m[0]
		if !selectWord.MatchString(text[m[0]:m[1]]) {
			if all := selectWord.FindAllStringIndex(text[:m[0]], -1); len(all) > 0 {
				sel = all[len(all)-1][0]
			}
		}
		before := text[:sel]
		if notCounted.MatchString(before) {
			continue
		}
		if c := cursorFor.FindStringSubmatch(before); c != nil {
			if regexp.MustCompile(`(?i)\bfetch\s+((next\s+)?from\s+)?` + spelled(sqlsyntax.UnquoteIdent(c[1])) + `\s+into\b`).MatchString(o.text) {
				return true, ""
			}
			continue
		}
		if counted.MatchString(before) || setOperation.MatchString(text) {
			return true, ""
		}
		for _, into := range selectInto.FindAllStringSubmatch(text[m[1]:], -1) {
			if !strings.EqualFold(into[1], "outfile") && !strings.EqualFold(into[1], "dumpfile") {
				return true, ""
			}
		}
		if c := createTable.FindStringSubmatch(before); c != nil {
			created = sqlsyntax.UnquoteIdent(c[len(c)-1])
		}
	}
	return false, created
}

// dynamic tells whether the object runs statements it prepares from a
// string (PREPARE ... FROM, EXECUTE IMMEDIATE): what those read is known
// only when they run.
func (o liveObject) dynamic() bool {
	return o.read.Err != nil && dynamicSQL.MatchString(o.text)
}

const nameRE = `([\p{L}\p{N}_$]+|` + "`(?:[^`]|``)+`" + `)`

var (
	selectStar   = regexp.MustCompile(`(?i)(\bselect\s+((all|distinct|distinctrow|high_priority|straight_join|sql_[a-z_]+)\s+)*|[\p{L}\p{N}_$` + "`" + `]\s*\.\s*)\*`)
	selectWord   = regexp.MustCompile(`(?i)\bselect\b`)
	notCounted   = regexp.MustCompile(`(?i)(^\s*\(\s*|\b(exists|from|join|as|begin|then|else|do|loop|repeat)\s*\(\s*|\bwith\s+(recursive\s+)?` + nameRE + `\s*(\([^)]*\)\s*)?as\s*\(\s*)$`)
	counted      = regexp.MustCompile(`(?i)(\b(insert|replace)\s+(low_priority\s+|delayed\s+|high_priority\s+|ignore\s+)*(into\b|[\p{L}_$` + "`" + `])|[\p{L}\p{N}_$=<>,(]\s*\(\s*$)`)
	cursorFor    = regexp.MustCompile(`(?i)\bdeclare\s+` + nameRE + `\s+cursor\s*(\([^)]*\)\s*)?for\s*\(?\s*$`)
	setOperation = regexp.MustCompile(`(?i)\b(union|intersect|except)\b`)
	selectInto   = regexp.MustCompile(`(?i)\binto\s+([\p{L}\p{N}_$@` + "`" + `]+)`)
	createTable  = regexp.MustCompile(`(?i)\bcreate\s+(or\s+replace\s+)?(temporary\s+)?table\s+(if\s+not\s+exists\s+)?` + nameRE)
	// dynamicSQL is a statement a body prepares or runs from a string.
	dynamicSQL = regexp.MustCompile(`(?i)\b(prepare\s+` + nameRE + `\s+from|execute\s+immediate)\b`)
)

// String names the object as whoever created it named it, every
// control character escaped: a line break in a name would have forged a
// line of the refusal. An object of another database is named with its
// database, both quoted as SQL writes them: a dot or a backtick in
// either name leaves no doubt which database and which object.
func (o liveObject) String() string {
	name, table := sqlname.Displayable(o.name), sqlname.Displayable(o.table)
	if o.db != "" {
		name = sqlname.Displayable(sqlsyntax.Ident(o.db) + "." + sqlsyntax.Ident(o.name))
		table = sqlname.Displayable(sqlsyntax.Ident(o.db) + "." + sqlsyntax.Ident(o.table))
	}
	if o.kind == "trigger" {
		return fmt.Sprintf("trigger %s (%s)", name, strings.TrimSuffix(o.event+" on "+table+", "+o.made, ", "))
	}
	if o.made != "" {
		name += " (" + o.made + ")"
	}
	return o.kind + " " + name
}

// readsColumn tells whether the object reads column c of table t of
// database home (the live one): a trigger of t that names c (NEW.c,
// OLD.c or c), an object of home that names both, or an object of
// another database that names home.t and c; or one that copies every
// column of t (copiesEveryColumn).
func (o liveObject) readsColumn(home, t, c string) bool {
	return o.readsTable(home, t) && o.mentions(c) || o.kind != "view" && o.copiesEveryColumn(home, t)
}

// copiesByPosition says how a column added to table t of database home
// breaks the object, or "" when it does not: a trigger, routine or event
// that copies every column of t (copiesEveryColumn), or that inserts
// into t without a column list (INSERT INTO t VALUES (1, 'a'): one value
// a column). A view never: its * was expanded when it was created.
func (o liveObject) copiesByPosition(home, t string) string {
	switch {
	case o.kind == "view":
	case o.copiesEveryColumn(home, t):
		return "copies every column of " + t + " by position (SELECT *)"
	case o.insertsWithoutColumns(home, t):
		return "inserts into " + t + " without a column list"
	}
	return ""
}

// insertsWithoutColumns tells, by the object's text, whether it inserts
// into table t of database home (written with its database, as an object
// of another database must) with a value for each column in order:
// INSERT or REPLACE [INTO] t [PARTITION (p)] followed by VALUES, SELECT,
// WITH or TABLE, or by a parenthesis opening SELECT or WITH.
func (o liveObject) insertsWithoutColumns(home, t string) bool {
	table := `(` + spelled(home) + `\s*\.\s*)?` + spelled(t)
	if o.db != "" {
		table = spelled(home) + `\s*\.\s*` + spelled(t)
	}
	return regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_$])(insert|replace)\s+((low_priority|delayed|high_priority|ignore)\s+)*(into\s+)?` + table + `(\s*partition\s*\([^)]*\))?\s*(values?|select|with|table|(\(\s*)+(select|with))($|[^\p{L}\p{N}_$])`).MatchString(sqlsyntax.Uncommented(o.text))
}

// readsTable tells whether dropping table t of database home breaks the
// object, or drops it along (a trigger of t).
func (o liveObject) readsTable(home, t string) bool {
	if o.db != "" {
		return o.namesTableOf(home, t)
	}
	return o.kind == "trigger" && strings.EqualFold(o.table, t) || o.mentions(t)
}

// otherDBs picks, for a query over one information_schema table, the
// objects of the live database and those of other databases (the
// server's own left out) whose definition column names the live
// database's name somewhere, plain or with its backticks doubled, or is
// hidden from the user: an object of another database reaches a table of
// this one only by writing its database. This narrows what is read; the
// SQL reader decides what the object reads.
func otherDBs(schema, def string) string {
	return fmt.Sprintf("(%[3]s OR %[1]s NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') AND (%[2]s IS NULL OR %[2]s = '' OR LOCATE(DATABASE(), %[2]s) > 0 OR LOCATE(REPLACE(DATABASE(), '`', '``'), %[2]s) > 0))", schema, def, home(schema))
}

// home is an SQL condition: schema, a column of information_schema, is
// the live database. information_schema compares names without case
// where it scans every database (a condition it cannot look the
// database up by: an OR, or TRIGGERS' TRIGGER_SCHEMA), so that, on a
// server telling case apart (lower_case_table_names = 0), the objects of
// a database APP beside app were taken for app's own: a trigger of
// APP.t for one of app.t (e2e
// TestAttack2S26DatabaseNamedLikeTheLiveOneInOtherCase).
func home(schema string) string { return sameName(schema, "DATABASE()") }

// sameName is an SQL condition: a and b, SQL expressions, are the same
// database's or table's name, as the server tells names apart (home).
func sameName(a, b string) string {
	return fmt.Sprintf("(%[1]s = %[2]s AND (CAST(%[1]s AS BINARY) = CAST(%[2]s AS BINARY) OR @@lower_case_table_names <> 0))", a, b)
}

func (s *Session) liveObjects(ctx context.Context) ([]liveObject, error) {
	var fold bool
	if err := s.Conn.QueryRowContext(ctx, "SELECT @@lower_case_table_names <> 0").Scan(&fold); err != nil {
		return nil, err
	}
	var out []liveObject
	err := dbconn.EachRow(ctx, s.Conn, "SELECT IF("+home("TRIGGER_SCHEMA")+", '', TRIGGER_SCHEMA), TRIGGER_NAME, EVENT_OBJECT_TABLE, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION), ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE "+otherDBs("TRIGGER_SCHEMA", "ACTION_STATEMENT")+" ORDER BY 1, TRIGGER_NAME", nil, func(rows *sql.Rows) error {
		o := liveObject{kind: "trigger", foldDB: fold}
		err := rows.Scan(&o.db, &o.name, &o.table, &o.event, &o.text)
		o.read = effect.Parse(fmt.Sprintf("CREATE TRIGGER %s %s ON %s FOR EACH ROW %s", sqlsyntax.Ident(o.name), o.event, sqlsyntax.Ident(o.table), o.text))
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A view whose definition the server does not show (the user lacks
	// SHOW VIEW on it) has an empty one.
	err = dbconn.EachRow(ctx, s.Conn, "SELECT IF("+home("TABLE_SCHEMA")+", '', TABLE_SCHEMA), TABLE_NAME, VIEW_DEFINITION, VIEW_DEFINITION = '' FROM information_schema.VIEWS WHERE "+otherDBs("TABLE_SCHEMA", "VIEW_DEFINITION")+" ORDER BY 1, TABLE_NAME", nil, func(rows *sql.Rows) error {
		o := liveObject{kind: "view", foldDB: fold}
		err := rows.Scan(&o.db, &o.name, &o.text, &o.hidden)
		o.read = effect.Parse("CREATE VIEW " + sqlsyntax.Ident(o.name) + " AS " + o.text)
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	// A routine's body and an event's statement are read as they are: a
	// body the reader does not take (a BEGIN ... END block) counts by
	// its text. A definition the server does not show (NULL: the user is
	// not its definer and may not read mysql.proc) cannot be read.
	err = dbconn.EachRow(ctx, s.Conn, "SELECT IF("+home("ROUTINE_SCHEMA")+", '', ROUTINE_SCHEMA), LOWER(ROUTINE_TYPE), ROUTINE_NAME, COALESCE(ROUTINE_DEFINITION, ''), ROUTINE_DEFINITION IS NULL FROM information_schema.ROUTINES WHERE "+otherDBs("ROUTINE_SCHEMA", "ROUTINE_DEFINITION")+
		" UNION ALL SELECT IF("+home("EVENT_SCHEMA")+", '', EVENT_SCHEMA), 'event', EVENT_NAME, COALESCE(EVENT_DEFINITION, ''), EVENT_DEFINITION IS NULL FROM information_schema.EVENTS WHERE "+otherDBs("EVENT_SCHEMA", "EVENT_DEFINITION")+" ORDER BY 1, 2, 3", nil, func(rows *sql.Rows) error {
		o := liveObject{foldDB: fold}
		err := rows.Scan(&o.db, &o.kind, &o.name, &o.text, &o.hidden)
		o.read = effect.Parse(o.text)
		out = append(out, o)
		return err
	})
	return out, err
}

// unseen says which global privileges the user lacks for the server to
// show it every trigger, view, routine and event of the other databases
// (information_schema lists only those of databases, tables and
// routines it has some privilege on), each with what it hides, or ""
// when it has them all; and the roles granted to it that its session
// has not enabled, whose privileges do not count. What it holds is read
// from SHOW GRANTS, which lists the grants of the roles the session has
// enabled (a default role, and the roles granted to it) beside its own:
// information_schema.USER_PRIVILEGES lists its own only, and a user
// given them through a role was told it lacked them.
func (s *Session) unseen(ctx context.Context) (missing, off string, err error) {
	grants, err := s.queryStrings(ctx, "SHOW GRANTS")
	if err != nil {
		return "", "", err
	}
	held := globalPrivileges(grants)
	if !held["SELECT"] {
		// MariaDB shows every routine, and its definition, to a user who
		// may read mysql.proc.
		err := dbconn.EachRow(ctx, s.Conn, "SELECT 1 FROM mysql.proc WHERE 1 = 0", nil, noRow)
		held["SELECT"] = err == nil
		if err != nil && !dbconn.ServerError(err, 1142, 1146, 1044) {
			return "", "", err
		}
	}
	var lacks []string
	for _, p := range [][2]string{{"SHOW VIEW", "views"}, {"TRIGGER", "triggers"}, {"EVENT", "events"}, {"SELECT", "stored routines; SELECT ON mysql.proc is enough"}} {
		if !held[p[0]] && !held["ALL PRIVILEGES"] {
			lacks = append(lacks, p[0]+" ("+p[1]+")")
		}
	}
	if len(lacks) == 0 {
		return "", "", nil
	}
	// ENABLED_ROLES holds one NULL where the session has no role.
	roles, err := s.queryStrings(ctx, "SELECT ROLE_NAME FROM information_schema.APPLICABLE_ROLES WHERE GRANTEE = CURRENT_USER() AND ROLE_NAME NOT IN (SELECT ROLE_NAME FROM information_schema.ENABLED_ROLES WHERE ROLE_NAME IS NOT NULL) ORDER BY ROLE_NAME")
	if err != nil {
		return "", "", err
	}
	for i, r := range roles {
		roles[i] = sqlname.Displayable(sqlsyntax.Ident(r))
	}
	return sqlsyntax.Series(lacks, "and"), sqlsyntax.Series(roles, "and"), nil
}

// globalPrivileges are the privileges lines of SHOW GRANTS grant on
// every database, in capitals (ALL PRIVILEGES as such).
func globalPrivileges(grants []string) map[string]bool {
	held := map[string]bool{}
	for _, g := range grants {
		if m := globalGrant.FindStringSubmatch(g); m != nil {
			for _, p := range strings.Split(m[1], ",") {
				held[strings.ToUpper(strings.TrimSpace(p))] = true
			}
		}
	}
	return held
}

// globalGrant is a line of SHOW GRANTS granting privileges on every
// database; its first group the privileges, words, blanks and commas
// only: a grant on one database to a role named `x ON *.* TO y` was read
// as one on every database.
var globalGrant = regexp.MustCompile(`(?i)^GRANT ([A-Z][A-Z _,]*) ON \*\.\* TO `)

// checkDependents refuses the first of revs whose statements still to
// run drop or rename a column or table that a live trigger, view, stored
// routine or event reads, or one an earlier statement of the run creates
// (a trigger or view of a plan), other than one the run drops first
// (emcee's sync triggers and views, dropped before the columns they
// read), or add a column to a table such a trigger, routine or event
// copies every column of. The live objects are read once for all of
// revs, run in that order, for the first revision that drops or adds a
// column or table; what the statements before drop is gone from them,
// and what they create is there, as is what the revisions a dry run
// simulated before drop and create (runObjects). A trigger or view an
// earlier revision creates was unseen until it was live: a sync was
// refused half-way, and a contract creating a view and dropping the
// column it reads left it broken (e2e
// TestDependentsS36ContractDropsWhatAViewItCreatesReads).
func (s *Session) checkDependents(ctx context.Context, revs ...*revision.Revision) error {
	read := false
	run := runObjects{gone: maps.Clone(s.dryRan.gone), objs: slices.Clone(s.dryRan.objs)}
	for _, rev := range revs {
		err := s.checkRevisionDependents(ctx, rev, &run, func() error {
			if !read {
				live, err := s.liveObjects(ctx)
				if err != nil {
					return s.redact(fmt.Errorf("reading the live triggers, views, stored routines and events: %w", err))
				}
				// Those the statements before drop are gone.
				live = slices.DeleteFunc(live, func(o liveObject) bool {
					return o.db == "" && (run.gone[o.kind+" "+strings.ToLower(o.name)] || o.kind == "trigger" && run.gone["table "+strings.ToLower(o.table)])
				})
				run.objs, read = append(live, run.objs...), true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// runObjects are the objects the next statement of a run finds: the
// live ones once read, less those the statements before drop (and a
// table's triggers along), and the triggers and views they create; gone
// are those dropped ("kind name", lower case), for the live ones read
// after.
type runObjects struct {
	gone map[string]bool
	objs []liveObject
}

// ran takes in statement j of rev.
func (r *runObjects) ran(s *Session, rev *revision.Revision, j int) {
	st := rev.Statements[j]
	d := effect.Parse(st.SQL)
	for _, e := range d.Effects() {
		switch e.Op {
		case effect.DropTrigger:
			r.drop("trigger", e.Name)
		case effect.DropView:
			r.drop("view", e.Name)
		case effect.DropTable:
			r.drop("table", e.Table)
		case effect.RenameTable:
			for i, o := range r.objs {
				if o.kind == "trigger" && o.db == "" && strings.EqualFold(o.table, e.Table) {
					r.objs[i].table = e.Name
				}
			}
		case effect.CreateTrigger, effect.CreateView:
			o := liveObject{kind: "trigger", name: e.Name, table: e.Table, event: e.Def, read: d, text: st.SQL, made: fmt.Sprintf("created by %s statement %d at %s", rev.ID, j+1, s.at(rev, st))}
			if e.Op == effect.CreateView {
				o.kind = "view"
			}
			r.drop(o.kind, o.name) // a live one of that name is replaced
			r.objs = append(r.objs, o)
		}
	}
}

func (r *runObjects) drop(kind, name string) {
	if r.gone == nil {
		r.gone = map[string]bool{}
	}
	r.gone[kind+" "+strings.ToLower(name)] = true
	r.objs = slices.DeleteFunc(r.objs, func(o liveObject) bool {
		return o.db == "" && (o.kind == kind && strings.EqualFold(o.name, name) || kind == "table" && o.kind == "trigger" && strings.EqualFold(o.table, name))
	})
}

func (s *Session) checkRevisionDependents(ctx context.Context, rev *revision.Revision, run *runObjects, live func() error) error {
	rec := s.Records[rev.ID.String()]
	from := min(rec.Confirmed(), len(rev.Statements))
	// A view the revision renames aside and drops later (a rollback's
	// rename-table: RENAME TABLE view TO parked, table TO view; DROP VIEW
	// parked) is the revision's own, like the views it drops.
	drops, adds, dropsView := false, false, map[string]bool{}
	for _, st := range rev.Statements[from:] {
		for _, e := range effect.Of(st.SQL) {
			switch e.Op {
			case effect.DropColumn, effect.RenameColumn, effect.DropTable, effect.RenameTable:
				drops = true
			case effect.AddColumn:
				adds = true
			case effect.DropView:
				dropsView[strings.ToLower(e.Name)], drops = true, true
			}
		}
	}
	if drops || adds {
		if err := live(); err != nil {
			return err
		}
	}
	var lines, added []string
	made := 0 // lines naming an object the run creates
	for j := from; j < len(rev.Statements); j++ {
		st := rev.Statements[j]
		for _, e := range effect.Of(st.SQL) {
			if e.Op == effect.RenameTable && dropsView[strings.ToLower(e.Name)] && slices.ContainsFunc(run.objs, func(o liveObject) bool {
				return o.kind == "view" && o.db == "" && strings.EqualFold(o.name, e.Table)
			}) {
				run.drop("view", e.Table)
				continue // the view itself moves aside
			}
			var what string
			var hit func(liveObject) bool
			switch e.Op {
			case effect.AddColumn:
				for _, o := range run.objs {
					if how := o.copiesByPosition(s.Cfg.Database, e.Table); how != "" {
						added = append(added, fmt.Sprintf("  %s  statement %d (rule %s) adds %s.%s, and %s %s", s.at(rev, st), j+1, st.Rule, e.Table, e.Name, o, how))
					}
				}
				continue
			case effect.DropColumn, effect.RenameColumn:
				what = e.Table + "." + e.Name
				hit = func(o liveObject) bool { return o.readsColumn(s.Cfg.Database, e.Table, e.Name) }
			case effect.DropTable, effect.RenameTable:
				what = "table " + e.Table
				// A trigger of the table is dropped along, or renamed along
				// (breaking only if it names the table): a release renaming
				// a table its expand01 had made fill triggers on was refused.
				hit = func(o liveObject) bool {
					return o.readsTable(s.Cfg.Database, e.Table) && (e.Op == effect.DropTable || o.db != "" || o.mentions(e.Table))
				}
			case effect.DropView:
				// Rename-table's view under the old name, which an object
				// made while the release rolled out may read by that name.
				what = "view " + e.Name
				hit = func(o liveObject) bool {
					return !(o.kind == "view" && o.db == "" && strings.EqualFold(o.name, e.Name)) && o.readsTable(s.Cfg.Database, e.Name)
				}
			}
			if hit == nil {
				continue
			}
			verb := "drops"
			if e.Op == effect.RenameColumn || e.Op == effect.RenameTable {
				verb = "renames"
			}
			for _, o := range run.objs {
				if hit(o) {
					lines = append(lines, fmt.Sprintf("  %s  statement %d (rule %s) %s %s, which %s reads", s.at(rev, st), j+1, st.Rule, verb, what, o))
					if o.made != "" {
						made++
					}
				}
			}
		}
		run.ran(s, rev, j)
	}
	if !drops && !adds {
		return nil
	}
	if s.dependentsNoted[rev.ID.String()] {
		return s.dependentsRefusal(rev, lines, added, made)
	}
	if s.dependentsNoted == nil {
		s.dependentsNoted = map[string]bool{}
	}
	s.dependentsNoted[rev.ID.String()] = true
	changes := "drops"
	if !drops {
		changes = "adds columns to"
	}
	// Of the objects the revision leaves: one it drops breaks nothing after.
	hidden := someOf(run.objs, func(o liveObject) bool { return o.hidden })
	if dynamic := someOf(run.objs, liveObject.dynamic); len(dynamic) > 0 {
		s.say("note: %s run statements built as they run (PREPARE ... FROM, EXECUTE IMMEDIATE), which cannot be read before, so whether those read or copy what %s %s is not checked", strings.Join(dynamic, ", "), rev.ID, changes)
	}
	if len(hidden) > 0 {
		s.say("note: the server does not show %s the definitions of %s, so whether they read what %s %s is not checked (GRANT SELECT and SHOW VIEW on a view, SELECT ON mysql.proc for routines, to have them checked: the server shows a view's definition to a user holding both)", s.Cfg.User, strings.Join(hidden, ", "), rev.ID, changes)
	}
	missing, off, err := s.unseen(ctx)
	if err != nil {
		return s.redact(fmt.Errorf("asking the server which triggers, views, stored routines and events of other databases it shows %s: %w", s.Cfg.User, err))
	}
	if off != "" {
		off = fmt.Sprintf(" (or to a role enabled on emcee's sessions: %s, granted to %s, is not enabled, so what it holds does not count; SET DEFAULT ROLE role FOR %s enables one)", off, s.Cfg.User, s.Cfg.User)
	}
	if missing != "" {
		s.say("note: the server lists to %[1]s only the triggers, views, stored routines and events of other databases that %[1]s has some privilege on, so whether the others read what %[2]s %[4]s is not checked; %[1]s lacks the global %[3]s: GRANT them ON *.* to have every database checked%[5]s", s.Cfg.User, rev.ID, missing, changes, off)
	}
	return s.dependentsRefusal(rev, lines, added, made)
}

// someOf names the objects pick picks: the first ten, and how many more.
func someOf(objs []liveObject, pick func(liveObject) bool) []string {
	var out []string
	for _, o := range objs {
		if pick(o) {
			out = append(out, o.String())
		}
	}
	return sqlsyntax.Some(out, 10)
}

// dependentsRefusal is the refusal of a revision that breaks the objects
// in lines (by a drop or rename) and in added (by a column added), or
// nil; made is how many lines name one the run creates.
func (s *Session) dependentsRefusal(rev *revision.Revision, lines, added []string, made int) error {
	if len(added) > 0 {
		reason := fmt.Sprintf("%s refused, nothing was changed: it adds columns to tables that triggers, stored routines or events it does not manage fill or read by position (SELECT *, or INSERT without a column list); with a column more, every write that fires such a trigger, every call of such a routine and every run of such an event fails (error 1136, column count), while the previous release still runs:\n%s", rev.ID, strings.Join(added, "\n"))
		if len(lines) > 0 {
			reason += "\nand it drops what they, or views, still read:\n" + strings.Join(lines, "\n")
		}
		return &Refusal{
			Reason: reason,
			Next:   "rewrite those triggers, routines and events to name the columns they copy (INSERT INTO t_archive (id, name) SELECT id, name FROM t; SELECT id, name INTO @a, @b FROM t; INSERT INTO t (id, name) VALUES (1, 'a')), or drop them (they are not emcee's: SHOW CREATE TRIGGER, PROCEDURE, FUNCTION or EVENT shows them; one named `database`.`name` belongs to another database on the server, whose owners must change it), then rerun",
		}
	}
	if len(lines) == 0 {
		return nil
	}
	next := "change or drop those triggers, views, routines and events first (they are not emcee's: " + s.command("diff") + " lists the triggers and views, as accepted differences if the database was adopted with them; one changed since is drift, which the next expand refuses without --allow-drift; SHOW CREATE PROCEDURE, FUNCTION or EVENT shows the others; one named `database`.`name` belongs to another database on the server, whose owners must change it), then rerun"
	if made > 0 {
		// emcee's planner drops each trigger and view it creates in its
		// release's contract, before anything it reads.
		ours := "restore " + project.Rel(s.Project.PlansDir) + " from version control: a plan creating a trigger or view that stays past a drop of what it reads was edited by hand (`emcee plan --check` says what differs from what emcee writes), then rerun"
		if made < len(lines) {
			ours = "for the triggers and views the plans create: " + ours + "; for the others: " + next
		}
		next = ours
	}
	return &Refusal{
		Reason: fmt.Sprintf("%s refused, nothing was changed: it drops what triggers, views, stored routines or events it does not manage still read; after the drop every write that fires such a trigger fails, such a view is invalid, and every call of such a routine (every run of such an event) fails:\n%s", rev.ID, strings.Join(lines, "\n")),
		Next:   next,
	}
}
