package apply

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
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

// liveObject is a trigger, view, stored procedure or function, or event
// of the live database.
type liveObject struct {
	kind, name string // kind: trigger, view, procedure, function, event
	// schema is the database of an object of another database that names
	// this one (a reporting database's view of app.t); "" for this one's.
	schema string
	table  string // a trigger's table
	event  string // a trigger's timing and event
	read   *effect.DDL
	text   string // its body or definition, as the server keeps it
	hidden bool   // a routine or event whose definition the server does not show this user
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
	for _, n := range []string{name, strings.ReplaceAll(name, "`", "``")} {
		word := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}_$])` + regexp.QuoteMeta(n) + `($|[^\p{L}\p{N}_$])`)
		if word.MatchString(o.text) {
			return true
		}
	}
	return false
}

// readsEveryColumn tells whether the object selects every column of a
// table it names (SELECT *, t.*): copied into another table (INSERT ...
// SELECT *) or into variables, the columns are counted, and a drop breaks
// it as surely as one it names (error 1136). A body the SQL reader cannot
// read counts by its text: a * after SELECT (and its modifiers) or after
// a name and a dot.
func (o liveObject) readsEveryColumn() bool {
	if o.read.Err == nil {
		return o.read.ReadsEveryColumn()
	}
	return selectStar.MatchString(o.text)
}

var selectStar = regexp.MustCompile(`(?i)(\bselect\s+((all|distinct|distinctrow|high_priority|straight_join|sql_[a-z_]+)\s+)*|[\p{L}\p{N}_$` + "`" + `]\s*\.\s*)\*`)

// String names the object as whoever created it named it, every
// control character escaped: a line break in a name would have forged a
// line of the refusal.
func (o liveObject) String() string {
	name := o.name
	if o.schema != "" {
		name = o.schema + "." + name
	}
	if o.kind == "trigger" {
		return fmt.Sprintf("trigger %s (%s on %s)", sqlname.Displayable(name), o.event, sqlname.Displayable(o.table))
	}
	return o.kind + " " + sqlname.Displayable(name)
}

// ofThis tells whether the object, if of another database, names this
// one (database, as the server knows it): only then is a t it names
// this database's t.
func (o liveObject) ofThis(database string) bool {
	return o.schema == "" || o.mentions(database)
}

// readsColumn tells whether the object reads column c of table t: a
// trigger of t that names c (NEW.c, OLD.c or c), or any object that
// names both; a SELECT * of the table reads c too (readsEveryColumn).
func (o liveObject) readsColumn(t, c string) bool {
	if o.kind == "trigger" && o.schema == "" && strings.EqualFold(o.table, t) {
		return o.mentions(c) || o.readsEveryColumn()
	}
	return o.mentions(t) && (o.mentions(c) || o.readsEveryColumn())
}

// readsTable tells whether dropping table t breaks the object, or drops
// it along (a trigger of t).
func (o liveObject) readsTable(t string) bool {
	return o.kind == "trigger" && o.schema == "" && strings.EqualFold(o.table, t) || o.mentions(t)
}

func (s *Session) liveObjects(ctx context.Context) ([]liveObject, error) {
	var out []liveObject
	err := dbconn.EachRow(ctx, s.Conn, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION), ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() ORDER BY TRIGGER_NAME", nil, func(rows *sql.Rows) error {
		o := liveObject{kind: "trigger"}
		err := rows.Scan(&o.name, &o.table, &o.event, &o.text)
		o.read = effect.Parse(fmt.Sprintf("CREATE TRIGGER %s %s ON %s FOR EACH ROW %s", sqlsyntax.Ident(o.name), o.event, sqlsyntax.Ident(o.table), o.text))
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	err = dbconn.EachRow(ctx, s.Conn, "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME", nil, func(rows *sql.Rows) error {
		o := liveObject{kind: "view"}
		err := rows.Scan(&o.name, &o.text)
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
	err = dbconn.EachRow(ctx, s.Conn, "SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, COALESCE(ROUTINE_DEFINITION, ''), ROUTINE_DEFINITION IS NULL FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() UNION ALL SELECT 'event', EVENT_NAME, COALESCE(EVENT_DEFINITION, ''), EVENT_DEFINITION IS NULL FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE() ORDER BY 1, 2", nil, func(rows *sql.Rows) error {
		var o liveObject
		err := rows.Scan(&o.kind, &o.name, &o.text, &o.hidden)
		o.read = effect.Parse(o.text)
		out = append(out, o)
		return err
	})
	if err != nil {
		return nil, err
	}
	// Those of other databases that name this one (by its name anywhere
	// in their text, then read as this database's are), as far as the
	// server shows them to this user.
	err = dbconn.EachRow(ctx, s.Conn, "SELECT 'trigger', TRIGGER_SCHEMA, TRIGGER_NAME, EVENT_OBJECT_TABLE, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION), ACTION_STATEMENT FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA <> DATABASE() AND LOCATE(DATABASE(), ACTION_STATEMENT) > 0"+
		" UNION ALL SELECT 'view', TABLE_SCHEMA, TABLE_NAME, '', '', VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA <> DATABASE() AND LOCATE(DATABASE(), VIEW_DEFINITION) > 0"+
		" UNION ALL SELECT LOWER(ROUTINE_TYPE), ROUTINE_SCHEMA, ROUTINE_NAME, '', '', ROUTINE_DEFINITION FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA <> DATABASE() AND LOCATE(DATABASE(), ROUTINE_DEFINITION) > 0"+
		" UNION ALL SELECT 'event', EVENT_SCHEMA, EVENT_NAME, '', '', EVENT_DEFINITION FROM information_schema.EVENTS WHERE EVENT_SCHEMA <> DATABASE() AND LOCATE(DATABASE(), EVENT_DEFINITION) > 0 ORDER BY 1, 2, 3", nil, func(rows *sql.Rows) error {
		var o liveObject
		err := rows.Scan(&o.kind, &o.schema, &o.name, &o.table, &o.event, &o.text)
		switch o.kind {
		case "trigger":
			o.read = effect.Parse(fmt.Sprintf("CREATE TRIGGER %s %s ON %s.%s FOR EACH ROW %s", sqlsyntax.Ident(o.name), o.event, sqlsyntax.Ident(o.schema), sqlsyntax.Ident(o.table), o.text))
		case "view":
			o.read = effect.Parse("CREATE VIEW " + sqlsyntax.Ident(o.schema) + "." + sqlsyntax.Ident(o.name) + " AS " + o.text)
		default:
			o.read = effect.Parse(o.text)
		}
		out = append(out, o)
		return err
	})
	return out, err
}

// checkDependents refuses a revision whose statements still to run drop
// or rename a column or table that a live trigger, view, stored routine
// or event reads, other than one the revision itself drops first
// (emcee's sync triggers and views, dropped before the columns they
// read).
func (s *Session) checkDependents(ctx context.Context, rev *revision.Revision, rec *history.Record) error {
	from := rec.Confirmed()
	// A view the revision renames aside and drops later (a rollback's
	// rename-table: RENAME TABLE view TO parked, table TO view; DROP VIEW
	// parked) is the revision's own, like the views it drops.
	drops, dropsView := false, map[string]bool{}
	for _, st := range rev.Statements[min(from, len(rev.Statements)):] {
		for _, e := range effect.Of(st.SQL) {
			switch e.Op {
			case effect.DropColumn, effect.RenameColumn, effect.DropTable, effect.RenameTable:
				drops = true
			case effect.DropView:
				dropsView[strings.ToLower(e.Name)] = true
			}
		}
	}
	if !drops {
		return nil
	}
	objs, err := s.liveObjects(ctx)
	if err != nil {
		return s.redact(fmt.Errorf("reading the live triggers, views, stored routines and events: %w", err))
	}
	gone := map[string]bool{}
	views := map[string]bool{}
	for _, o := range objs {
		if o.kind == "view" && o.schema == "" {
			views[strings.ToLower(o.name)] = true
		}
	}
	var lines []string
	for j := from; j < len(rev.Statements); j++ {
		st := rev.Statements[j]
		for _, e := range effect.Of(st.SQL) {
			switch e.Op {
			case effect.DropTrigger:
				gone["trigger "+strings.ToLower(e.Name)] = true
			case effect.DropView:
				gone["view "+strings.ToLower(e.Name)] = true
			case effect.RenameTable:
				if views[strings.ToLower(e.Table)] && dropsView[strings.ToLower(e.Name)] {
					gone["view "+strings.ToLower(e.Table)] = true
				}
			}
		}
		for _, e := range effect.Of(st.SQL) {
			var what string
			var hit func(liveObject) bool
			switch e.Op {
			case effect.DropColumn, effect.RenameColumn:
				what = e.Table + "." + e.Name
				hit = func(o liveObject) bool { return o.readsColumn(e.Table, e.Name) }
			case effect.DropTable, effect.RenameTable:
				if gone["view "+strings.ToLower(e.Table)] {
					continue // the view itself moves aside
				}
				what = "table " + e.Table
				hit = func(o liveObject) bool { return o.readsTable(e.Table) }
			}
			if hit == nil {
				continue
			}
			verb := "drops"
			if e.Op == effect.RenameColumn || e.Op == effect.RenameTable {
				verb = "renames"
			}
			for _, o := range objs {
				if (o.schema != "" || !gone[o.kind+" "+strings.ToLower(o.name)]) && o.ofThis(cmp.Or(s.schema, s.Cfg.Database)) && hit(o) {
					lines = append(lines, fmt.Sprintf("  %s  statement %d (rule %s) %s %s, which %s reads", s.at(rev, st), j+1, st.Rule, verb, what, o))
				}
			}
		}
	}
	var hidden []string
	for _, o := range objs {
		if o.hidden {
			hidden = append(hidden, o.String())
		}
	}
	if len(hidden) > 0 {
		s.say("note: the server does not show %s the definitions of %s, so whether they read what %s drops is not checked (GRANT SELECT ON mysql.proc TO the user to have them checked)", s.Cfg.User, strings.Join(hidden, ", "), rev.ID)
	}
	if len(lines) == 0 {
		return nil
	}
	return &Refusal{
		Reason: fmt.Sprintf("%s refused, nothing was changed: it drops what triggers, views, stored routines or events it does not manage still read; after the drop every write that fires such a trigger fails, such a view is invalid, and every call of such a routine (every run of such an event) fails:\n%s", rev.ID, strings.Join(lines, "\n")),
		Next:   "change or drop those triggers, views, routines and events first (they are not emcee's: `emcee db diff` lists the triggers and views, as accepted differences if the database was adopted with them; one changed since is drift, which the next expand refuses without --allow-drift; SHOW CREATE PROCEDURE, FUNCTION or EVENT shows the others), then rerun",
	}
}
