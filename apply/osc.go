package apply

import (
	"bufio"
	"cmp"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A statement that copies its table (ALGORITHM=COPY: what
// splitter.AlterCost classes "copy") blocks the table's writes for the
// whole copy when the server runs it. With --osc pt-osc, execDDL hands it
// to pt-online-schema-change instead, which copies the table in chunks
// while writes continue (triggers carry them to the copy) and swaps the
// tables at the end. Everything around the statement is the same as for
// any other: the lock, the gates, the drift check, the in-flight mark and
// its resume; only how the one statement is executed differs.

// oscTool is the tool found when the run began.
type oscTool struct {
	path       string
	version    string // "pt-online-schema-change 3.2.1", recorded per statement
	privileged bool   // oscPrivileges found nothing missing
	tls        string // the option file's TLS lines (clientTLS.optionFile)
	// setVars pins the tool's sessions (oscSetVars).
	setVars string
}

// findOSC makes sure the tool the run was asked to use is there, before
// anything runs.
func (s *Session) findOSC(ctx context.Context) error {
	o := s.opts.OSC
	if !o.Enabled() {
		return nil
	}
	from, drop := cmp.Or(s.opts.OSCFrom, "--osc "+o.Tool), "drop --osc "+o.Tool
	if !strings.HasPrefix(from, "--osc") {
		drop = "pass --osc none, or remove osc from the emcee block"
	}
	path, err := exec.LookPath(project.PtOSCProgram)
	if err != nil {
		return fmt.Errorf("%s hands statements that copy their table to %s, which is not installed (no %s in $PATH): install Percona Toolkit (Debian/Ubuntu: apt-get install percona-toolkit), or %s to have the server copy those tables with ALGORITHM=COPY, which blocks their writes while it runs", from, project.PtOSCProgram, project.PtOSCProgram, drop)
	}
	cmd := exec.CommandContext(ctx, path, "--version")
	// What it printed before it ended (a process it left holding its
	// output, as a wrapper's backgrounded child, would hang the run).
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	if errors.Is(err, exec.ErrWaitDelay) {
		err = nil // it ended, and said what it had to
	}
	version := strings.TrimSpace(string(out))
	if err != nil || !strings.HasPrefix(version, project.PtOSCProgram+" ") {
		return fmt.Errorf("%s: %s --version did not run (%v: %s): reinstall Percona Toolkit (it needs Perl with DBD::mysql), or %s", from, path, err, sqlsyntax.OneLine(version, 200), drop)
	}
	// The tool refuses a variable the server does not have only when it
	// starts, halfway through the revision (after its gates and the
	// statements before); emcee's own --max-load is checked up front.
	i, _, p, err := s.loadProblem(ctx, ", which "+project.PtOSCProgram+" refuses", o.MaxLoad, o.CriticalLoad)
	if err != nil {
		return s.redact(fmt.Errorf("reading SHOW GLOBAL STATUS for the tool's --max-load and --critical-load: %w", err))
	}
	if p != "" {
		return fmt.Errorf("%s: %s %s: %s", from, []string{"max load", "critical load"}[i], []project.Loads{o.MaxLoad, o.CriticalLoad}[i], p)
	}
	if _, err := s.Cfg.ClientUser(); err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	tls, err := s.clientTLS(ctx, project.PtOSCProgram)
	if err == nil {
		tls, err = s.pinTLS(ctx, tls)
	}
	if err == nil && (tls.ca != "" || tls.pin != "") {
		err = oscDemandsTLS(ctx, path, tls.optionFile())
	}
	if err != nil {
		return fmt.Errorf("%s: %w", from, err)
	}
	pins, err := dbconn.ToolPins(ctx, s.Conn)
	if err != nil {
		return s.redact(fmt.Errorf("%s: reading the session's statement time limits, old_mode and character_set_collations, for the tool's sessions: %w", from, err))
	}
	s.osc = &oscTool{path: path, version: version, tls: tls.optionFile(), setVars: oscSetVars(pins)}
	return nil
}

// oscAlter is the statement as the tool takes it; nil when the server runs
// the statement as written (no tool selected, or a statement that does not
// copy its table).
func (s *Session) oscAlter(st revision.Statement) (*sqlsyntax.OSCAlter, error) {
	if s.osc == nil || st.Kind != revision.DDL {
		return nil, nil
	}
	if d := effect.Parse(st.SQL); d.Kind != effect.KindAlterTable || d.Algorithm != "COPY" {
		return nil, nil
	}
	return sqlsyntax.ReadOSCAlter(st.SQL)
}

// pt-online-schema-change 3.2.1 (Debian bookworm) reads names itself, and
// not every name the server accepts: it cannot find a table whose name
// holds a quote or a non-ASCII letter, escapes only commas in the table
// name of its DSN, does not alter a table with a backtick in a column name,
// and, to move a table's triggers to its copy (--preserve-triggers), writes
// the copy's name and the triggers' names into SQL unquoted. These are
// refused before anything runs, rather than left to fail half-way (the
// triggers of a table whose copy's name needs quoting would be dropped and
// not created again).
var (
	oscPlainName   = regexp.MustCompile(`^[0-9A-Za-z_$]+$`)
	oscColumnTaboo = regexp.MustCompile("[`\n\r]")
)

// oscDatabaseName reports a database name the tool connects to as it is.
// The tool hands its D= to the Perl driver inside a DBI connection string,
// which splits at ; and :, drops [ and ], reads a part holding = as a
// connection option, and so could connect to another database or with
// other options; it also writes the name between single quotes unescaped
// into its query for the table's foreign keys (a quote breaks the query, a
// backslash makes it look in another schema and miss the foreign keys). A
// control character ends the tool's DSN part. Backquotes, commas (\, in the
// DSN), spaces, double quotes and non-ASCII letters go through (e2e
// TestOSCHostileDatabaseNames).
func oscDatabaseName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || strings.ContainsRune(`;:[]='\`, r) })
}

// oscTableName reports a name of printable ASCII without ' and \.
func oscTableName(name string) bool {
	return name != "" && !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r > 0x7e || r == '\'' || r == '\\' })
}

// checkOSC refuses, before a revision runs anything, a statement the tool
// was asked to apply and cannot; runOSC checks the one the run that
// stopped had handed to the tool once it knows the tool did not finish
// (checked here, on the table the tool had altered, a NO PAD key's
// shortening was refused "before it ran anything").
func (s *Session) checkOSC(ctx context.Context, rev *revision.Revision, rec *history.Record, from int) error {
	for i := from; i < len(rev.Statements); i++ {
		if i == from && rec.Handed(i+1) != nil {
			continue
		}
		if err := s.oscRefused(ctx, rev, i, "refused before it ran anything"); err != nil {
			return err
		}
	}
	return nil
}

// oscRefused refuses statement i of rev if it copies its table and the
// tool cannot apply it; how says what the run did before.
func (s *Session) oscRefused(ctx context.Context, rev *revision.Revision, i int, how string) error {
	if s.osc == nil {
		return nil
	}
	st := rev.Statements[i]
	a, err := s.oscAlter(st)
	if err == nil && a != nil && !s.osc.privileged {
		missing, grants, err := s.oscPrivileges(ctx)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return &Refusal{
				Reason: fmt.Sprintf("%s %s: statement %d at %s copies its table (%s), which emcee hands to %s, and %s lacks privileges the tool needs on %s:\n  - %s", rev.ID, how, i+1, s.at(rev, st), sqlsyntax.Ident(a.Table), s.osc.version, s.Cfg.User, s.Cfg.Addr, strings.Join(missing, "\n  - ")),
				Next:   fmt.Sprintf("as an administrator: %s; or %s", strings.Join(grants, "; "), s.withoutTool(rev)),
			}
		}
		s.osc.privileged = true
	}
	if err == nil && a != nil {
		err = cmp.Or(oscCollidingKeys(rev, a.Table), s.oscRoundedKeys(ctx, st, a.Table), s.oscNames(ctx, a), s.oscDeclared(rev.ID.Release, a.Table))
	}
	if err != nil {
		return &Refusal{
			Reason: fmt.Sprintf("%s %s: statement %d at %s copies its table, and %s cannot apply it: %v", rev.ID, how, i+1, s.at(rev, st), s.osc.version, err),
			Next:   s.withoutTool(rev),
		}
	}
	return nil
}

// withoutTool is the way out of a table copy the tool cannot apply: the
// server's copy, which a rollback runs only with --allow-copy
// (rollbackCopies): told to run without --osc alone, the operator met the
// copies' refusal.
func (s *Session) withoutTool(rev *revision.Revision) string {
	const server = "to have the server copy the table (ALGORITHM=COPY, writes blocked while it runs)"
	if rev.ID.Phase == revision.Rollback {
		// The run's flags but the tool's: its tuning, with --osc none, is
		// refused as a usage error.
		args := []string{"--allow-copy", "--osc", string(project.OSCNone)}
		if s.opts.DropNewData {
			args = append([]string{"--drop-new-data"}, args...)
		}
		if s.cmd == "rollback" && s.target != "" {
			args = append([]string{s.target}, args...)
		}
		return fmt.Sprintf("rerun %s %s", s.commandWithout("rollback", func(flag string) bool { return strings.HasPrefix(flag, "--osc-") }, args...), server)
	}
	return fmt.Sprintf("run without --osc %s (and without osc in the emcee block) %s", project.OSCPtOSC, server)
}

// oscCollidingKeys refuses a charset conversion's copy of a table whose
// unique key the new collation may make collide, which the revision's
// collision gate (rule convert-charset) stands for: the tool copies rows
// with INSERT IGNORE and its triggers write with REPLACE, so a key written
// while it copies that the new collation makes equal to another would
// silently take that row's place, where the server's copy fails instead.
func oscCollidingKeys(rev *revision.Revision, table string) error {
	if rev.CollisionGated(table) {
		return fmt.Errorf("it converts a unique key of %s to a collation under which keys may collide (the revision's gate counts them), and %s copies rows with INSERT IGNORE and its triggers write with REPLACE: a colliding key written while it copies would silently take the other row's place, where the server's own copy fails instead", sqlsyntax.Ident(table), project.PtOSCProgram)
	}
	return nil
}

// oscRoundedKeys refuses a tightening of a column of a unique key whose
// values the new type stores otherwise than written with no error, even
// under strict sql_mode: a DECIMAL with fewer decimals rounds them, text
// loses trailing spaces. The revision's gate counts such rows before; a
// row the application writes while the tool copies reaches the copy
// through the tool's triggers (REPLACE) changed, and where its key then
// equals another row's, that row leaves the copy and is gone once the
// tool swaps the tables: an UPDATE to 1.004 deleted the row holding 1.00
// (e2e TestAttackOSCRoundedKeyTakesAnotherRowsPlace). The server's own
// copy blocks the write while it runs, and the write fails after it.
// A key over a generated column computed from the column changes with it
// (a price rounded, its cents another row's). Under a PAD SPACE collation
// (every one but sqlsyntax.NoPadCollation's) a key of the text column itself without
// its trailing spaces equals the key with them, which no other row can
// hold: that shortening goes to the tool (a VARCHAR(40) of a unique key
// shortened was refused), as does a DECIMAL keeping its decimals (only
// fewer digits before the point, which are an error).
func (s *Session) oscRoundedKeys(ctx context.Context, st revision.Statement, table string) error {
	if !slices.Contains(st.Rules(), "tighten-column") {
		return nil
	}
	for _, e := range effect.Parse(st.SQL).Clauses {
		if e.Object != "COLUMN" || e.Op != "MODIFY" && e.Op != "CHANGE" {
			continue
		}
		var typ, coll sql.NullString
		var scale sql.NullInt64
		err := s.Conn.QueryRowContext(ctx, "SELECT DATA_TYPE, COLLATION_NAME, NUMERIC_SCALE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND COLUMN_NAME = ?", table, e.Name).Scan(&typ, &coll, &scale)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return s.redact(err)
		}
		changes, collides := e.Rounds(typ.String, int(scale.Int64), coll.String)
		if !changes {
			continue
		}
		// The key columns whose values the tightening changes, and what
		// the message says of each.
		through := map[string]string{}
		if collides {
			through[strings.ToLower(e.Name)] = ""
		}
		err = dbconn.EachRow(ctx, s.Conn, "SELECT COLUMN_NAME, GENERATION_EXPRESSION FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND GENERATION_EXPRESSION IS NOT NULL", []any{table}, func(rows *sql.Rows) error {
			var name, expr string
			if err := rows.Scan(&name, &expr); err != nil {
				return err
			}
			// An expression emcee cannot read may read the column.
			if d := effect.Parse("SELECT " + expr); d.Err != nil || d.Mentions(e.Name) {
				through[strings.ToLower(name)] = " (through generated column " + sqlsyntax.Ident(name) + ")"
			}
			return nil
		})
		if err != nil {
			return s.redact(err)
		}
		var keys []string
		err = dbconn.EachRow(ctx, s.Conn, "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX", []any{table}, func(rows *sql.Rows) error {
			var key, col string
			if err := rows.Scan(&key, &col); err != nil {
				return err
			}
			if why, ok := through[strings.ToLower(col)]; ok {
				keys = append(keys, sqlsyntax.Ident(key)+why)
			}
			return nil
		})
		if err != nil {
			return s.redact(err)
		}
		if len(keys) > 0 {
			return fmt.Errorf("it tightens %s.%s, a column of unique key %s, whose new type stores some values otherwise than written (decimals rounded, trailing spaces cut) without an error; %s's triggers write the rows the application writes while it copies with REPLACE, so such a row whose key then equals another row's would silently take that row's place, where the server's own copy fails the write instead", sqlsyntax.Ident(table), sqlsyntax.Ident(e.Name), strings.Join(slices.Compact(keys), ", "), project.PtOSCProgram)
		}
	}
	return nil
}

func (s *Session) oscNames(ctx context.Context, a *sqlsyntax.OSCAlter) error {
	if a.Schema != "" && a.Schema != s.Cfg.Database {
		return fmt.Errorf("it names schema %s, not the database emcee applies to (%s)", a.Schema, s.Cfg.Database)
	}
	if !oscDatabaseName(s.Cfg.Database) {
		return fmt.Errorf("database %s: the tool passes the database name to its driver's connection string, where ; : [ ] = ' \\ and control characters change what it connects to or break its queries", sqlsyntax.Ident(s.Cfg.Database))
	}
	if !oscTableName(a.Table) {
		return fmt.Errorf("table %s: the tool cannot find a table whose name holds a quote, a backslash or a character outside printable ASCII", sqlsyntax.Ident(a.Table))
	}
	if n := len(a.Table) + len("__new"); n > 64 {
		return fmt.Errorf("table %s: the tool's copy, _%s_new, would be a name of %d characters; the server allows 64", sqlsyntax.Ident(a.Table), a.Table, n)
	}
	cols, err := s.queryStrings(ctx, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", a.Table)
	if err != nil {
		return err
	}
	if i := slices.IndexFunc(cols, oscColumnTaboo.MatchString); i >= 0 {
		return fmt.Errorf("column %s.%s: the tool does not alter a table with a backtick or a line break in a column name", a.Table, cols[i])
	}
	key, _, err := s.rowKey(ctx, a.Table)
	if err != nil {
		return err
	}
	if len(key) == 0 {
		// The tool's DELETE trigger finds the copy's row by such a key; it
		// refuses the table only after creating its copy.
		return fmt.Errorf("table %s has no primary key and no unique index over NOT NULL columns, which the tool needs to carry deletes to its copy", sqlsyntax.Ident(a.Table))
	}
	// Names compared without case, as information_schema compares them:
	// the tool finds the keys referencing the table so (find_child_tables,
	// on KEY_COLUMN_USAGE), and refuses the table for those of a database
	// APP beside app, or of a table T beside t, alike.
	children, err := s.queryStrings(ctx, "SELECT DISTINCT CONCAT(CONSTRAINT_SCHEMA, '.', TABLE_NAME, ' (', CONSTRAINT_NAME, ')') FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE UNIQUE_CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME = ? ORDER BY 1", a.Table)
	if err != nil {
		return err
	}
	if len(children) > 0 {
		// The tool refuses such a table unless told how to point the keys
		// at its copy, and each way it has renames the keys of the other
		// tables (rebuild_constraints, which also rebuilds them) or leaves
		// the table missing for a moment (drop_swap).
		return fmt.Errorf("foreign keys of other tables reference %s (%s), and the tool would have to rename or rebuild them, or leave %s missing for a moment while it swaps the tables", sqlsyntax.Ident(a.Table), strings.Join(children, ", "), sqlsyntax.Ident(a.Table))
	}
	triggers, err := s.tableTriggers(ctx, a.Table)
	if err != nil {
		return err
	}
	if len(triggers) > 0 && !oscPlainName.MatchString(a.Table) {
		return fmt.Errorf("table %s has triggers (%s), and the tool moves them to its copy with the copy's name unquoted: it would drop them and fail to create them again. Only a table named with letters, digits, _ and $ can keep its triggers through the tool", sqlsyntax.Ident(a.Table), strings.Join(triggers, ", "))
	}
	if i := slices.IndexFunc(triggers, func(t string) bool { return !oscPlainName.MatchString(t) }); i >= 0 {
		return fmt.Errorf("trigger %s on %s: the tool writes trigger names between backticks without doubling one inside; only letters, digits, _ and $ are safe", sqlsyntax.Ident(triggers[i]), a.Table)
	}
	return nil
}

// oscDeclared refuses a table whose copy would bear the name of a table
// the schema declares (before or after the release): the tool would name
// its copy otherwise (__t_new), and what emcee takes for its leftovers,
// to drop after a failed run, would be that table.
func (s *Session) oscDeclared(rel, table string) error {
	for _, r := range []string{previous(s.Project.Releases, rel), rel} {
		if r == "" {
			continue
		}
		snap, _, err := s.snapshot(r)
		if err != nil {
			return fmt.Errorf("reading what release %s produces: %w; restore it from version control, or regenerate it with `emcee plan`", r, err)
		}
		for _, name := range []string{"_" + table + "_new", "_" + table + "_old"} {
			if _, ok := snap.Table(name); ok {
				return fmt.Errorf("release %s declares table %s, the name the tool gives its copy of %s (or the table it swaps out): emcee could not tell that table from what a failed run of the tool leaves behind", r, sqlsyntax.Ident(name), sqlsyntax.Ident(table))
			}
		}
	}
	return nil
}

func (s *Session) tableTriggers(ctx context.Context, table string) ([]string, error) {
	return s.queryStrings(ctx, "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = ? ORDER BY TRIGGER_NAME", table)
}

func (s *Session) queryStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	out, err := dbconn.Strings(ctx, s.Conn, query, args...)
	return out, s.redact(err)
}

// runOSC applies statement i through the tool. A statement an earlier run
// had handed to the tool (resent) is looked at first: the tool may have
// finished it, swapped the tables before it died, or left its copy and
// triggers behind, which are dropped (and the table's own triggers, which
// the tool moves to its copy at the end, put back) before it starts over.
func (s *Session) runOSC(ctx context.Context, rev *revision.Revision, rec *history.Record, i int, a *sqlsyntax.OSCAlter, resent bool) error {
	n := i + 1
	running := rec.Handed(n)
	if resent && rec.ToolOf(n) != "" {
		s.say("    the run that stopped had applied this statement through %s: counted as applied", rec.ToolOf(n))
		return nil
	}
	if err := s.oscStillRunning(ctx); err != nil {
		return err
	}
	left, err := s.oscLeftovers(ctx, a.Table)
	if err != nil {
		return err
	}
	switch {
	case !left.none() && running == nil:
		return fmt.Errorf("%s holds what a pt-online-schema-change run leaves behind (%s), but no run of emcee handed this statement to it: another run of the tool may be altering %s. Wait for it; if none runs, drop them (%s) and rerun %s",
			s.Cfg.Database, left, a.Table, strings.Join(left.drops(), "; "), s.rerun())
	case running != nil:
		swapped, err := s.oscCleanUp(ctx, running, left)
		if err != nil {
			return err
		}
		if !swapped && left.none() {
			if swapped, err = s.oscFinished(ctx, rev, i, running); err != nil {
				return err
			}
		}
		if swapped {
			s.say("    %s had swapped in the altered table before the run stopped: counted as applied", running.Tool)
			if err := s.oscForeignKeyNames(ctx, running); err != nil {
				return err
			}
			return history.OSCFinished(ctx, s.Conn, rec)
		}
		if err := s.oscRefused(ctx, rev, i, fmt.Sprintf("stopped, statement %d not handed to %s again (the run that stopped had, and the tool did not finish: what it left is dropped)", n, running.Tool)); err != nil {
			return err
		}
		s.say("    the run that stopped had handed this statement to %s, which did not finish: starting it again", running.Tool)
	}
	// checkOSC read the table before the revision ran; a statement before
	// this one may have changed what the tool would meet.
	if err := s.oscNames(ctx, a); err != nil {
		return fmt.Errorf("%s cannot apply it: %w; %s", s.osc.version, err, s.withoutTool(rev))
	}
	names, err := s.tableTriggers(ctx, a.Table)
	if err != nil {
		return err
	}
	var triggers []history.OSCTrigger // as the server prints them, kept in the version table while the tool runs
	for _, name := range names {
		stmt, err := s.showCreateTrigger(ctx, name)
		if err != nil {
			return err
		}
		triggers = append(triggers, history.OSCTrigger{Name: name, SQL: stmt})
	}
	fks, err := s.foreignKeyNames(ctx, a.Table)
	if err != nil {
		return err
	}
	if len(triggers) > 0 {
		// RENAME TABLE cannot run under LOCK TABLES, so nothing holds
		// the table's writes from the tool's first trigger move to its
		// swap (docs/operators.md measures it).
		s.say("    note: %s has triggers (%s): the tool moves them to its copy one at a time just before it swaps the tables, and a write to the table in those tens of milliseconds reaches the copy without them (docs/operators.md, \"The table's triggers during the swap\"); copy it while nothing writes it", sqlsyntax.Ident(a.Table), strings.Join(names, ", "))
	}
	run := history.OSCRun{OSCStatement: history.OSCStatement{Statement: n, Tool: s.osc.version}, Table: a.Table, Triggers: triggers, ForeignKeys: fks}
	if err := history.OSCStarted(ctx, s.Conn, rec, run); err != nil {
		return err
	}
	s.say("    handed to %s: ALTER TABLE %s %s", s.osc.version, sqlsyntax.Ident(a.Table), sqlsyntax.OneLine(a.Clauses, 200))
	if err := s.oscAutoIncNote(ctx, a.Table); err != nil {
		return err
	}
	runErr := s.execOSC(ctx, rev, a)
	if runErr == nil {
		if err := s.oscForeignKeyNames(ctx, rec.OSC.Running); err != nil {
			return err
		}
		return history.OSCFinished(ctx, s.Conn, rec)
	}
	// The tool cleans up after a failure it sees; not after being killed.
	// What it leaves is dropped now, on a context that outlives an
	// interrupted run's, so that the table keeps its triggers.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	left, err = s.oscLeftovers(cctx, a.Table)
	if err != nil {
		return fmt.Errorf("%w; looking for what it left behind: %v", runErr, err)
	}
	swapped, err := s.oscCleanUp(cctx, rec.OSC.Running, left)
	if err != nil {
		return fmt.Errorf("%w; cleaning up after it: %v", runErr, err)
	}
	if swapped {
		s.say("    %s stopped after it swapped in the altered table: counted as applied", s.osc.version)
		if err := s.oscForeignKeyNames(cctx, rec.OSC.Running); err != nil {
			return fmt.Errorf("%w; %v", runErr, err)
		}
		return history.OSCFinished(cctx, s.Conn, rec)
	}
	if err := history.OSCAbandoned(cctx, s.Conn, rec); err != nil {
		return fmt.Errorf("%w; %v", runErr, err)
	}
	return runErr
}

// toolLeftBehind refuses to send to the server (no --osc) a statement the
// run that stopped had handed to the tool while what the tool left
// stands, which only runOSC cleans up: the server altered the table with
// the tool's triggers still copying every write into the stale copy, and
// the record, still naming the tool's run, had every later drift check of
// the release skipped. With nothing left, the record forgets the run.
func (s *Session) toolLeftBehind(ctx context.Context, rev *revision.Revision, rec *history.Record, i int) error {
	run := rec.Handed(i + 1)
	if run == nil {
		return nil
	}
	left, err := s.oscLeftovers(ctx, run.Table)
	if err != nil || left.none() {
		return cmp.Or(err, history.OSCAbandoned(ctx, s.Conn, rec))
	}
	return &Refusal{
		Reason: fmt.Sprintf("%s statement %d at %s: the run that stopped had handed it to %s, which left %s behind, and this run would send it to the server (no --osc %s); nothing of it ran", rev.ID, i+1, s.at(rev, rev.Statements[i]), run.Tool, left, project.OSCPtOSC),
		Next:   fmt.Sprintf("rerun with --osc %s, which drops what the tool left, puts back the table's own triggers it moved to its copy and counts the statement applied if the tool had finished (later runs may go without --osc); or drop them by hand (%s) and rerun", project.OSCPtOSC, strings.Join(left.drops(), "; ")),
	}
}

// A tool emcee started holds a lock of its own (oscPlugin's init) for as
// long as it runs. emcee's operator lock alone does not keep a second run
// away from it: it lives on emcee's connection, idle while the tool
// copies, which the server drops after wait_timeout (or a KILL), and a
// second run then took the lock and dropped the copy and triggers of the
// tool still copying (and the first tool, failing, could drop the
// second's triggers: rows written while it copied, lost at its swap).
func (s *Session) oscLockName() string { return s.dbLock("emcee:osc:") }

// oscStillRunning refuses to touch the table while a tool an earlier run
// started is alive.
func (s *Session) oscStillRunning(ctx context.Context) error {
	var id sql.NullInt64
	if err := s.Conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", s.oscLockName()).Scan(&id); err != nil {
		return s.redact(err)
	}
	if !id.Valid {
		return nil
	}
	return fmt.Errorf("a %s that an earlier emcee run started on %s is still running (its connection %d holds the lock %q): the run that started it lost its operator lock, or was stopped without it. Wait for it to end, or stop it (KILL %d on the server), then rerun %s, which drops what it leaves", project.PtOSCProgram, s.Cfg.Database, id.Int64, s.oscLockName(), id.Int64, s.rerun())
}

// oscLockCheck is how often emcee makes sure, while the tool runs, that
// its connection still holds the operator lock; the query also keeps the
// connection from idling into the server's wait_timeout.
const oscLockCheck = time.Second

// holdLock returns when stop is closed, or after it has killed the tool
// because this session no longer holds the operator lock (and says why).
func (s *Session) holdLock(ctx context.Context, tool *os.Process, stop <-chan struct{}) error {
	if !s.locked {
		<-stop
		return nil
	}
	tick := time.NewTicker(oscLockCheck)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return nil
		case <-tick.C:
		}
		var mine sql.NullBool
		err := s.Conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", s.lockName()).Scan(&mine)
		if ctx.Err() != nil {
			<-stop
			return nil
		}
		if err != nil || !mine.Bool {
			_ = tool.Kill()
			why := "another connection holds it"
			if err != nil {
				why = "its connection is gone: " + s.redact(err).Error()
			}
			return fmt.Errorf("emcee lost its operator lock %q while %s ran (%s; the server drops an idle connection after wait_timeout, or it was killed), and stopped the tool so that no second run meets it; rerun %s, which drops what it left", s.lockName(), project.PtOSCProgram, why, s.rerun())
		}
	}
}

// oscFinished tells whether a tool that left nothing behind had finished:
// it swaps the tables, drops the old one and its triggers, and only then
// exits, so a run that stopped between the tool's end and the record of
// it (killed, its connection lost, the foreign keys' renaming refused)
// left no trace but the altered table. Handing the statement to the tool
// again copied the table once more, or failed for good on a clause that
// cannot run twice (ADD COLUMN: Duplicate column name), on every rerun.
// The foreign keys the tool renamed say so at once; otherwise the live
// schema is compared with what the recorded revisions produce, with and
// without the statement.
func (s *Session) oscFinished(ctx context.Context, rev *revision.Revision, i int, run *history.OSCRun) (bool, error) {
	if renamed, err := s.renamedForeignKeys(ctx, run); err != nil || len(renamed) > 0 {
		return len(renamed) > 0, err
	}
	p := planReplay(s.Project.Releases, s.Plans, s.Records)
	p.inFlight = &devdb.Step{Revision: rev.ID.String(), N: i + 1, SQL: rev.Statements[i].SQL}
	r, _, err := s.replayOf(p)
	if err != nil {
		return false, err
	}
	rep, err := s.compare(ctx, r, "what "+p.comparedWith()+" produce")
	if err != nil {
		return false, fmt.Errorf("finding out whether %s had finished statement %d before the run stopped: %w", run.Tool, i+1, err)
	}
	return rep.InFlightApplied, nil
}

// oscAutoIncNote warns of what the server's AUTO-INC lock costs the
// application while the tool copies a table with an AUTO_INCREMENT column.
// Each chunk the tool copies (INSERT ... SELECT into its copy) holds the
// copy's table-level AUTO-INC lock to its end unless
// innodb_autoinc_lock_mode is 2, and the tool's triggers writing the copy
// wait for it: the application's inserts and updates, of rows the copy
// already has too (InnoDB's mutex-only path is for a statement that is
// itself an INSERT or REPLACE, not for the tool's REPLACE inside an
// UPDATE: e2e TestMariaDBCopyAutoIncWaitOfCopiedRow), wait for the chunk.
// They no longer deadlock with it (see oscPlugin). With mode 2 (MySQL 8's
// default, not MariaDB's) they do not wait; it is a startup setting, so
// emcee can only say so.
func (s *Session) oscAutoIncNote(ctx context.Context, table string) error {
	var mode, autoInc int
	err := s.Conn.QueryRowContext(ctx, "SELECT @@innodb_autoinc_lock_mode, (SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? AND EXTRA LIKE '%auto_increment%')", table).Scan(&mode, &autoInc)
	if err != nil {
		return s.redact(err)
	}
	if mode != 2 && autoInc > 0 {
		s.say("    note: innodb_autoinc_lock_mode is %d and %s has an AUTO_INCREMENT column: while the tool copies a chunk, the application's inserts and updates (the tool's triggers write them to its copy) wait for the chunk in progress (--osc-chunk-time). innodb_autoinc_lock_mode = 2 in the server's configuration (a restart; binlog_format ROW or MIXED) avoids the wait", mode, sqlsyntax.Ident(table))
	}
	return nil
}

// showCreateTrigger is the statement SHOW CREATE TRIGGER prints.
func (s *Session) showCreateTrigger(ctx context.Context, name string) (string, error) {
	var stmt string
	err := dbconn.EachRow(ctx, s.Conn, "SHOW CREATE TRIGGER "+sqlsyntax.Ident(name), nil, func(rows *sql.Rows) error {
		stmt = dbconn.RowByName(rows)["sql original statement"]
		return nil
	})
	if err != nil {
		return "", s.redact(err)
	}
	if stmt == "" {
		return "", fmt.Errorf("SHOW CREATE TRIGGER %s printed no statement", sqlsyntax.Ident(name))
	}
	return stmt, nil
}

// leftovers are what pt-online-schema-change leaves when it is killed:
// its copy _<table>_new, its triggers pt_osc_<db>_<table>_{ins,upd,del}
// on the table, and, once it has swapped the tables, the old table
// _<table>_old, which then carries those triggers.
type leftovers struct {
	table string
	// tables are the tool's: its copy, and _<table>_old when the tool's
	// triggers are on it (the tables were swapped: swapped).
	tables    []string
	triggers  []string // the tool's, on the table or on _<table>_old
	onNewCopy []string // the table's own, moved to the copy before the swap
}

func (l leftovers) none() bool { return len(l.tables) == 0 && len(l.triggers) == 0 }

func (l leftovers) swapped() bool { return slices.Contains(l.tables, "_"+l.table+"_old") }

func (l leftovers) String() string {
	var out []string
	for _, t := range l.tables {
		out = append(out, "table "+sqlsyntax.Ident(t))
	}
	for _, t := range l.triggers {
		out = append(out, "trigger "+sqlsyntax.Ident(t))
	}
	return strings.Join(out, ", ")
}

func (l leftovers) drops() []string {
	var out []string
	for _, t := range l.triggers {
		out = append(out, "DROP TRIGGER IF EXISTS "+sqlsyntax.Ident(t))
	}
	for _, t := range l.tables {
		out = append(out, "DROP TABLE IF EXISTS "+sqlsyntax.Ident(t))
	}
	return out
}

// oscTriggerNames are the names pt-online-schema-change gives its three
// triggers on a table (create_triggers in the tool): pt_osc_<db>_<table>,
// every byte but a letter, digit or _ made _, cut to 60 bytes, then _ins,
// _upd, _del. Any trigger named pt_osc_... was taken for the tool's: an
// application's pt_osc_audit was reported as a leftover to drop, and
// dropped by a rerun after a crash.
func oscTriggerNames(db, table string) []string {
	prefix := []byte("pt_osc_" + db + "_" + table)
	for i, c := range prefix {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			prefix[i] = '_'
		}
	}
	p := string(prefix[:min(len(prefix), 60)])
	return []string{p + "_del", p + "_ins", p + "_upd"}
}

func (s *Session) oscLeftovers(ctx context.Context, table string) (leftovers, error) {
	l := leftovers{table: table}
	newName, oldName := "_"+table+"_new", "_"+table+"_old"
	// _<table>_old is not asked for: it is the tool's only with the
	// tool's triggers on it (read below), which move with the table the
	// swap renames to it and go when the tool drops it; one without them
	// is the application's.
	tables, err := s.queryStrings(ctx, "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", newName)
	if err != nil {
		return l, err
	}
	l.tables = tables
	toolTriggers := oscTriggerNames(s.Cfg.Database, table)
	err = dbconn.EachRow(ctx, s.Conn, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE IN (?, ?, ?) ORDER BY TRIGGER_NAME", []any{table, oldName, newName}, func(rows *sql.Rows) error {
		var name, on string
		if err := rows.Scan(&name, &on); err != nil {
			return err
		}
		switch tool := slices.Contains(toolTriggers, name); {
		case tool:
			if on == oldName && !l.swapped() {
				l.tables = append(l.tables, oldName)
			}
			l.triggers = append(l.triggers, name)
		case on == newName:
			l.onNewCopy = append(l.onNewCopy, name)
		}
		return nil
	})
	return l, s.redact(err)
}

// oscCleanUp drops what the tool left, then creates again every trigger
// the table had before the tool started and no longer has (the tool drops
// each one and creates it on its copy just before the swap; a crash in
// between loses it, and dropping the copy drops those it moved). It
// reports whether the tool had swapped the tables, so that the statement
// took effect.
//
// The run's record names those triggers, but what creates one again is
// never the statement the record holds: the version table is anyone's who
// may write the database, and a statement forged there ran with the
// deployer's privileges. A trigger the tool left on its copy (or on the
// old table) is created again from the server's own definition of it,
// read before the copy is dropped; one that is nowhere any more (the tool
// was killed between dropping it and creating it on its copy) is left to
// the operator, with the recorded statement to check.
func (s *Session) oscCleanUp(ctx context.Context, run *history.OSCRun, l leftovers) (bool, error) {
	have, err := s.tableTriggers(ctx, run.Table)
	if err != nil {
		return false, err
	}
	var missing []string
	for _, t := range run.Triggers {
		if !slices.Contains(have, t.Name) {
			missing = append(missing, t.Name)
		}
	}
	defs, err := s.serverTriggers(ctx, missing, "_"+run.Table+"_new", "_"+run.Table+"_old")
	if err != nil {
		return false, err
	}
	if !l.none() {
		s.say("    dropping what %s left behind: %s", run.Tool, l)
	}
	for _, d := range l.drops() {
		if _, err := s.Conn.ExecContext(ctx, d); err != nil {
			return false, s.redact(fmt.Errorf("%s: %w", d, err))
		}
	}
	for _, t := range run.Triggers {
		if !slices.Contains(missing, t.Name) {
			continue
		}
		def, ok := defs[t.Name]
		if !ok {
			s.say("    WARNING: trigger %s, which the record of this run says %s took off %s, is not on the tool's copy: not created again. emcee runs no SQL it reads from %s, which any user who may write the database can edit. Check the statement recorded and create it by hand: %s",
				sqlsyntax.Ident(t.Name), run.Tool, sqlsyntax.Ident(run.Table), history.Table, t.SQL)
			continue
		}
		s.say("    creating trigger %s on %s again, as it was before %s started", sqlsyntax.Ident(t.Name), sqlsyntax.Ident(run.Table), run.Tool)
		if err := s.createTrigger(ctx, def, run.Table); err != nil {
			return false, s.redact(fmt.Errorf("trigger %s, which %s took off %s, cannot be created again (%w); create it by hand (the statement recorded before the tool started, to check first: %s)", t.Name, run.Tool, run.Table, err, t.SQL))
		}
	}
	return l.swapped(), nil
}

// triggerDef is a trigger as the server defines it.
type triggerDef struct {
	name, definer, timing, event, body, sqlMode string
	charset, collation                          string // character_set_client, collation_connection
}

// serverTriggers reads the definitions of the named triggers that are on
// one of the tables: from information_schema, but each body from SHOW
// CREATE TRIGGER, of whose statement it is the end. information_schema's
// text is utf8mb3, so a character beyond the BMP reads there as '?', and
// a trigger created again from it wrote '?' for good.
func (s *Session) serverTriggers(ctx context.Context, names []string, tables ...string) (map[string]triggerDef, error) {
	out := map[string]triggerDef{}
	if len(names) == 0 {
		return out, nil
	}
	err := dbconn.EachRow(ctx, s.Conn, "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, DEFINER, ACTION_TIMING, EVENT_MANIPULATION, ACTION_STATEMENT, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = DATABASE()", nil, func(rows *sql.Rows) error {
		var table string
		var d triggerDef
		err := rows.Scan(&d.name, &table, &d.definer, &d.timing, &d.event, &d.body, &d.sqlMode, &d.charset, &d.collation)
		if err == nil && slices.Contains(names, d.name) && slices.Contains(tables, table) {
			out[d.name] = d
		}
		return err
	})
	if err != nil {
		return nil, s.redact(err)
	}
	for name, d := range out {
		stmt, err := s.showCreateTrigger(ctx, name)
		if err != nil {
			return nil, err
		}
		all := []rune(stmt)
		n := utf8.RuneCountInString(d.body)
		if len(all) < n {
			return nil, fmt.Errorf("trigger %s: information_schema's body is longer than the statement SHOW CREATE TRIGGER prints", sqlsyntax.Ident(name))
		}
		text := string(all[len(all)-n:])
		utf8mb3 := func(r rune) rune {
			if r > 0xffff {
				return '?'
			}
			return r
		}
		if strings.Map(utf8mb3, text) != d.body {
			return nil, fmt.Errorf("trigger %s: information_schema's body is not the end of the statement SHOW CREATE TRIGGER prints", sqlsyntax.Ident(name))
		}
		d.body = text
		out[name] = d
	}
	return out, nil
}

// createTrigger creates the trigger on the table from the server's
// definition, under the sql_mode it was created in (which decides how its
// body reads and runs), and sent in the character set it was created in
// (character_set_client, which the server keeps with it and reads its
// body in each time it runs): created over emcee's utf8mb4 session, a
// latin1 client's trigger became a utf8mb4 one. The server converts the
// statement (checked to convert back whole); the tool itself moves a
// trigger the same way (oscPlugin). The body is the server's own text.
func (s *Session) createTrigger(ctx context.Context, d triggerDef, table string) error {
	if !slices.Contains([]string{"BEFORE", "AFTER"}, d.timing) || !slices.Contains([]string{"INSERT", "UPDATE", "DELETE"}, d.event) {
		return fmt.Errorf("the server describes it as %q %q", d.timing, d.event)
	}
	if !charsetName.MatchString(d.charset) || !charsetName.MatchString(d.collation) {
		return fmt.Errorf("the server describes its character set as %q %q", d.charset, d.collation)
	}
	stmt := "CREATE DEFINER = " + accountLiteral(d.definer) + " TRIGGER " + sqlsyntax.Ident(d.name) + " " + d.timing + " " + d.event + " ON " + sqlsyntax.Ident(table) + " FOR EACH ROW " + d.body
	var sent []byte
	var whole bool
	if err := s.Conn.QueryRowContext(ctx, "SELECT CAST(CONVERT(? USING "+d.charset+") AS BINARY), CONVERT(CONVERT(? USING "+d.charset+") USING utf8mb4) = ? COLLATE utf8mb4_bin", stmt, stmt, stmt).Scan(&sent, &whole); err != nil {
		return err
	}
	if !whole {
		return fmt.Errorf("its statement does not convert to its character set %s and back whole", d.charset)
	}
	var client, collation string
	if err := s.Conn.QueryRowContext(ctx, "SELECT @@character_set_client, @@collation_connection").Scan(&client, &collation); err != nil {
		return err
	}
	if _, err := s.Conn.ExecContext(ctx, "SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?", d.sqlMode, d.charset, d.collation); err != nil {
		return err
	}
	_, err := s.Conn.ExecContext(ctx, string(sent))
	if _, rerr := s.Conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION sql_mode = ?, character_set_client = ?, collation_connection = ?", dbconn.SQLMode, client, collation); err == nil {
		err = rerr
	}
	return err
}

// charsetName is a character set's or collation's name as the server
// prints them, which createTrigger writes into CONVERT ... USING.
var charsetName = regexp.MustCompile(`^[a-z0-9_]+$`)

// oscForeignKeyNames gives the table's foreign keys back the names they had
// before the tool ran: the copy swapped in holds them under the tool's
// names (sqlsyntax.OSCConstraintName), which differ from what the revisions say. With
// foreign_key_checks off, the server drops and adds a key in place, without
// reading a row, and the old table, which held the names, is gone.
func (s *Session) oscForeignKeyNames(ctx context.Context, run *history.OSCRun) error {
	if run == nil {
		return nil
	}
	names, err := s.renamedForeignKeys(ctx, run)
	if err != nil {
		return err
	}
	var clauses, renamed []string
	for _, name := range names {
		tool := sqlsyntax.OSCConstraintName(name)
		def, err := s.foreignKeyClause(ctx, run.Table, tool, name)
		if err != nil {
			return err
		}
		clauses = append(clauses, "DROP FOREIGN KEY "+sqlsyntax.Ident(tool), def)
		renamed = append(renamed, sqlsyntax.Ident(tool)+" -> "+sqlsyntax.Ident(name))
	}
	if len(clauses) == 0 {
		return nil
	}
	s.say("    foreign keys of %s get back the names %s took from them: %s", sqlsyntax.Ident(run.Table), run.Tool, strings.Join(renamed, ", "))
	alter := "ALTER TABLE " + sqlsyntax.Ident(run.Table) + " " + strings.Join(clauses, ", ") + ", ALGORITHM=INPLACE, LOCK=NONE"
	if _, err := s.Conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0"); err != nil {
		return s.redact(err)
	}
	_, err = s.Conn.ExecContext(ctx, alter)
	if _, rerr := s.Conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION foreign_key_checks = 1"); err == nil {
		err = rerr
	}
	if err != nil {
		return s.redact(fmt.Errorf("%s applied the statement, but the foreign keys of %s keep the names it gave them (%s): %w; rename them by hand (statement: %s), then rerun %s", run.Tool, sqlsyntax.Ident(run.Table), strings.Join(renamed, ", "), err, alter, s.rerun()))
	}
	return nil
}

func (s *Session) foreignKeyNames(ctx context.Context, table string) ([]string, error) {
	fks, err := s.foreignKeys(ctx, table)
	var names []string
	for _, f := range fks {
		names = append(names, f.name)
	}
	return names, err
}

// renamedForeignKeys are the foreign keys of the run's table that bear
// the tool's name for them, and no longer their own.
func (s *Session) renamedForeignKeys(ctx context.Context, run *history.OSCRun) ([]string, error) {
	if len(run.ForeignKeys) == 0 {
		return nil, nil
	}
	have, err := s.foreignKeyNames(ctx, run.Table)
	return slices.DeleteFunc(slices.Clone(run.ForeignKeys), func(name string) bool {
		return slices.Contains(have, name) || !slices.Contains(have, sqlsyntax.OSCConstraintName(name))
	}), err
}

// foreignKeyClause is ADD CONSTRAINT <as> FOREIGN KEY ... for the table's
// foreign key name, as information_schema describes it.
func (s *Session) foreignKeyClause(ctx context.Context, table, name, as string) (string, error) {
	var refSchema, refTable, onUpdate, onDelete string
	err := s.Conn.QueryRowContext(ctx, "SELECT UNIQUE_CONSTRAINT_SCHEMA, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ?", table, name).Scan(&refSchema, &refTable, &onUpdate, &onDelete)
	if err != nil {
		return "", s.redact(fmt.Errorf("reading foreign key %s of %s: %w", sqlsyntax.Ident(name), sqlsyntax.Ident(table), err))
	}
	var cols, refCols []string
	err = dbconn.EachRow(ctx, s.Conn, "SELECT COLUMN_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND CONSTRAINT_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY ORDINAL_POSITION", []any{table, name}, func(rows *sql.Rows) error {
		var c, r string
		err := rows.Scan(&c, &r)
		cols, refCols = append(cols, sqlsyntax.Ident(c)), append(refCols, sqlsyntax.Ident(r))
		return err
	})
	if err != nil {
		return "", s.redact(err)
	}
	ref := sqlsyntax.Ident(refTable)
	if refSchema != s.Cfg.Database {
		ref = sqlsyntax.Ident(refSchema) + "." + ref
	}
	actions := map[string]bool{"RESTRICT": true, "CASCADE": true, "SET NULL": true, "NO ACTION": true, "SET DEFAULT": true}
	if len(cols) == 0 || !actions[onUpdate] || !actions[onDelete] {
		return "", fmt.Errorf("foreign key %s of %s: information_schema describes it as columns %v, ON UPDATE %q, ON DELETE %q, which emcee cannot write back", sqlsyntax.Ident(name), sqlsyntax.Ident(table), cols, onUpdate, onDelete)
	}
	return "ADD CONSTRAINT " + sqlsyntax.Ident(as) + " FOREIGN KEY (" + strings.Join(cols, ", ") + ") REFERENCES " + ref + " (" + strings.Join(refCols, ", ") + ") ON DELETE " + onDelete + " ON UPDATE " + onUpdate, nil
}

// execOSC runs the tool and turns its progress into emcee's.
func (s *Session) execOSC(ctx context.Context, rev *revision.Revision, a *sqlsyntax.OSCAlter) error {
	// The defaults file is the tool's descriptor 3, which it reads as
	// /dev/fd/3 each time it connects. It is on no disk, and goes when emcee
	// and the tool are gone: a file in $TMPDIR stayed there, password and
	// all, when emcee was killed with -9 (no deferred cleanup runs then).
	defaults, err := memFile("emcee-osc-defaults", oscDefaultsFile(s.Cfg)+s.osc.tls)
	if err != nil {
		return err
	}
	defer defaults.Close()
	plugin, err := memFile("emcee-osc-plugin", oscPlugin)
	if err != nil {
		return err
	}
	defer plugin.Close()
	cmd := exec.CommandContext(ctx, s.osc.path, oscArgs(s.Cfg, s.opts.OSC, "/dev/fd/3", "/dev/fd/4", a, s.osc.setVars)...)
	cmd.ExtraFiles = []*os.File{defaults, plugin} // its descriptors 3 and 4
	// The tool dies with emcee: a killed emcee must not leave it copying
	// while the next run cleans up after it. The signal follows the
	// thread that started it, which must not end before the tool does.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd.Env = append(oscEnv(os.Environ()), "LC_ALL=C", "EMCEE_OSC_LOCK="+s.oscLockName())
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting %s: %w", s.osc.path, err)
	}
	var tail []string
	var truncated string
	var rows int64
	copying := false
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := s.Cfg.Redact(sc.Text())
			if m := oscCopying.FindStringSubmatch(line); m != nil {
				pct, _ := strconv.ParseInt(m[1], 10, 64)
				copying = true
				s.progress(Progress{Revision: rev.ID.String(), Table: a.Table, Step: "pt-osc copy", Done: pct * max(rows, 1) / 100, Total: max(rows, 1)})
				continue
			}
			if m := oscApproximately.FindStringSubmatch(line); m != nil {
				rows, _ = strconv.ParseInt(m[1], 10, 64)
			}
			if oscTruncated.MatchString(line) && truncated == "" {
				// The tool copies with INSERT IGNORE and only warns when a
				// value is cut to fit: the server running the statement
				// would have refused it (strict sql_mode). Stopped before
				// it swaps the tables.
				truncated = line
				_ = cmd.Process.Kill()
			}
			if strings.TrimSpace(line) == "" || oscPluginLoaded.MatchString(line) {
				continue
			}
			s.say("      %s", line)
			tail = append(tail, line)
			if len(tail) > 12 {
				tail = tail[1:]
			}
		}
	}()
	stop, held := make(chan struct{}), make(chan error, 1)
	go func() { held <- s.holdLock(ctx, cmd.Process, stop) }()
	err = cmd.Wait()
	close(stop)
	lost := <-held
	pw.Close()
	<-done
	if lost != nil && err != nil {
		return lost
	}
	if err == nil {
		if copying {
			s.progress(Progress{Revision: rev.ID.String(), Table: a.Table, Step: "pt-osc copy", Done: max(rows, 1), Total: max(rows, 1), Finished: true})
		}
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if truncated != "" {
		return fmt.Errorf("%s cut values to fit the altered column while copying (%s), which the server running the statement refuses (strict sql_mode); emcee stopped it. Fix the rows that do not fit (the revision's gates count them), then rerun", project.PtOSCProgram, truncated)
	}
	said := func(what string) bool {
		return slices.ContainsFunc(tail, func(l string) bool { return strings.Contains(l, what) })
	}
	var hint string
	switch host, _ := s.Cfg.ClientAddr(); {
	case said("SSL is required, but the server does not support it"):
		// Where emcee's own connection got TLS: the tool's went elsewhere,
		// or someone in between strips TLS from it.
		hint = fmt.Sprintf("\nThe server the tool reached at %s offers no TLS, which tls=%s demands; the tool stopped before it logged in. Find out why the server answered without TLS (a server moved to that address, or something in between removing TLS), then rerun", host, s.Cfg.TLS)
	case said("Fingerprint verification of server certificate failed"):
		hint = fmt.Sprintf("\nThe server the tool reached at %s presented another certificate than the one emcee read from it before starting the tool (tls=skip-verify: the tool demands that one); the tool stopped before it logged in. If the server's certificate was replaced meanwhile, rerun; otherwise find out what answers there in its place", host)
	case s.Cfg.TLS == "true" && said("Validation of SSL server certificate failed"):
		hint = fmt.Sprintf("\nThe certificate the tool was shown does not name %s, which tls=true checks, as emcee's connection does; the tool stopped before it logged in. Find out what answered there", host)
	case s.Cfg.TLS == "true" && said("TLS/SSL error"):
		// Go also trusts $SSL_CERT_DIR's authorities; the tool gets one file.
		ca, _ := systemRoots(project.PtOSCProgram)
		hint = fmt.Sprintf("\nThe tool checks the server's certificate against %s (tls=true): set SSL_CERT_FILE to a bundle holding the authority that signs it, then rerun", ca)
	}
	return fmt.Errorf("%s failed (%v); its last lines:\n        %s%s", project.PtOSCProgram, err, strings.Join(tail, "\n        "), hint)
}

// oscEnv is emcee's environment for the tool, without the variables that
// make Perl's DBD::mysql reconnect on its own (GATEWAY_INTERFACE, MOD_PERL:
// a CGI or mod_perl host). With them, a connection lost while the tool
// copies a chunk was opened again and the chunk run again in a session
// that neither the tool nor emcee's plugin had set up: without
// sql_buffer_result (so it could deadlock the application's writes
// again), the tool's 1 s innodb_lock_wait_timeout or emcee's sql_mode.
// Without them the tool stops, and a rerun starts the statement again
// (e2e TestOSCCopyConnectionLostStopsTheTool).
func oscEnv(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return name == "GATEWAY_INTERFACE" || name == "MOD_PERL"
	})
}

var (
	oscCopying       = regexp.MustCompile(`^Copying .*:\s+([0-9]+)% `)
	oscApproximately = regexp.MustCompile(`Copying approximately ([0-9]+) rows`)
	oscTruncated     = regexp.MustCompile(`^Copying rows caused a MySQL error 1265\b`)
	// emcee's plumbing, with a temporary path: not the user's business.
	oscPluginLoaded = regexp.MustCompile(`^Created plugin from `)
)

func (s *Session) progress(p Progress) {
	if s.opts.Progress != nil {
		s.opts.Progress(p)
	}
}

// oscArgs are the tool's arguments: the connection without the password,
// which is in the defaults file, the clauses as one argument, and
// oscPlugin's file.
func oscArgs(cfg *dbconn.Config, o project.OSC, defaults, plugin string, a *sqlsyntax.OSCAlter, setVars string) []string {
	host, port := cfg.ClientAddr()
	dsn := []string{"h=" + host, "P=" + port, "F=" + defaults, "D=" + cfg.Database, "t=" + a.Table, "A=utf8mb4"}
	for i, p := range dsn {
		// The tool splits its DSN at commas; \, is a comma in a value.
		dsn[i] = strings.ReplaceAll(p, ",", `\,`)
	}
	args := []string{
		// First, as the tool wants it: no option file of its own
		// (/etc/percona-toolkit/, ~/.percona-toolkit.conf,
		// ~/.pt-online-schema-change.conf), which it reads before its
		// command line. An operator's no-swap-tables, written for other
		// runs of the toolkit, made it copy the table and exit 0 without
		// swapping it in, and emcee recorded a statement it never ran.
		"--config", os.DevNull,
		"--alter", a.OnCopy(),
		"--execute",
		// emcee's sync triggers may be on the table: the tool refuses such
		// a table without it, and moves them to its copy with it.
		"--preserve-triggers",
		// The tool looks for an added unique key with a regular expression
		// on --alter, and took a column named "my unique code" before a
		// VARCHAR(100) for one; checkOSC refuses a real one from the tree.
		"--no-check-unique-key-change",
		// Otherwise the tool calls Percona's server with the versions of
		// the database and of itself, once a day, from the database's
		// network, and waits for the answer.
		"--noversion-check",
		"--progress", "percentage,1",
		"--set-vars", setVars,
		"--plugin", plugin,
	}
	chunk := cmp.Or(o.ChunkTime, project.DefaultOSCChunkTime)
	args = append(args, "--chunk-time", strconv.FormatFloat(chunk.Seconds(), 'f', -1, 64))
	if o.Sleep > 0 {
		args = append(args, "--sleep", strconv.FormatFloat(o.Sleep.Seconds(), 'f', -1, 64))
	}
	if ml := o.ToolMaxLoad(); ml != nil {
		args = append(args, "--max-load", ml.String())
	}
	if o.CriticalLoad != nil {
		args = append(args, "--critical-load", o.CriticalLoad.String())
	}
	return append(args, strings.Join(dsn, ","))
}

// oscPlugin is the tool's --plugin: it creates its three triggers with
// the table and its copy locked (LOCK TABLES ... WRITE, on the tool's own
// connection), so that the application's statements meet the table either
// without the tool's triggers or with all three. Created one by one, they
// make MariaDB fail some of the application's writes with Error 1146
// "Table '<db>._<table>_new' doesn't exist", though the copy exists: a
// statement the server prepares again (a prepared statement, which most
// drivers use for a query with parameters, or a stored program's) while a
// trigger naming the copy is created on a table that already has one
// naming it (MDEV-26048, open in 10.11). Text-protocol statements are not
// affected. The lock alone left a few failures under load: a statement
// that read the table before the lock can be stamped as prepared in the
// same instant as, or after, the first trigger's creation, and is then not
// prepared again. The lock is therefore held 0.1 s before the triggers are
// created, which no write failed against in e2e
// TestMariaDBTriggerCreationRace; the application's writes to the table
// wait that long once. The names are the tool's own, quoted by the tool.
//
// The tool creates its copy from SHOW CREATE TABLE with every constraint
// renamed (sqlsyntax.OSCConstraintName), and swaps it in under that name: after a
// run, check ck_n was _ck_n and foreign key fk_pid _fk_pid, drift from the
// revisions that every later command reported, and a later DROP
// CONSTRAINT ck_n (in the --alter itself, or a later revision) found no
// such check. MariaDB names a CHECK per table, so before the --alter runs
// on the empty copy, its checks get their names back (two ALTERs on an
// empty table: a name may be both dropped and added). Foreign key names
// are per database and stay the tool's until the swap (oscForeignKeyNames).
// What the plugin writes into SQL is the server's own: the names, quoted
// here, and the check clauses as information_schema prints them.
//
// The plugin also has the server buffer each chunk the tool copies
// (sql_buffer_result = 1 around the tool's exec_nibble, which runs the
// chunk's INSERT ... SELECT ... LOCK IN SHARE MODE), so that the copy does
// not deadlock the application's writes when innodb_autoinc_lock_mode is
// not 2 (MariaDB's default is 1). The copy has the table's AUTO_INCREMENT
// column; the chunk's statement takes the copy's table-level AUTO-INC lock
// at its first inserted row and keeps it to its end, and the tool's
// trigger writing the copy for an application's UPDATE of a row not yet
// copied (or an INSERT) waits for that lock while the application's
// statement holds its row. Streamed, the chunk then reaches that row and
// waits in turn: InnoDB rolls back the application's statement (Error
// 1213). Buffered, the server reads the whole chunk, taking every row lock
// it needs, before it inserts the first row, so the chunk never waits for a
// row while it holds the AUTO-INC lock (e2e TestMariaDBCopyAutoIncDeadlock).
// The wrapper also stops the tool at a chunk that cut a value to fit the
// copy (warning 1265, which the tool only reports: it copies with INSERT
// IGNORE, and went on to swap the tables in the same second; emcee's kill
// on reading the warning raced the swap).
// Only the chunk's statement: the tool's query for the next chunk's
// boundary (ORDER BY ... LIMIT) reads the rest of the table into the
// buffer before it takes its two rows when buffered, which made each chunk
// as slow as the table is long (--set-vars sql_buffer_result=1, tried).
// exec_nibble is pt-online-schema-change 3.2.1's; a tool without it is
// refused by the plugin before it creates anything.
//
// The plugin keeps the tool's chunks at 100 rows or more. The tool sizes
// each chunk from the copy's rate so far times the chunk time; where one
// chunk's fixed cost (its eight statements) is longer than the chunk time,
// as on a loaded server with emcee's 5 ms, the size falls to 1 row, and
// the rate the tool then measures is that of 1-row chunks, so it stays
// there: the test suite's 30,000-row copies, run under load, were still
// copying one row a chunk after 14 minutes. Unloaded, chunks are far
// larger than the floor (about 1,600 rows of the benchmark's table in
// 5 ms).
//
// The plugin is Perl, in osc_plugin.pm.
//
//go:embed osc_plugin.pm
var oscPlugin string

// oscSetVars pins the tool's sessions as emcee pins its own
// (dbconn.ToolPins): the ALTER on its copy and its chunked copy run under
// the same sql_mode, time zone and charset names as the statement would
// have, and without a statement time limit, which killed the tool's
// statements part way (its wait for the table's lock, a chunk, the swap).
// The tool splits the list at commas, and reads \, as a comma inside a
// value.
func oscSetVars(pins [][2]string) string {
	vars := make([]string, len(pins))
	for i, p := range pins {
		vars[i] = p[0] + "=" + strings.ReplaceAll(p[1], ",", `\,`)
	}
	return strings.Join(vars, ",")
}

// memFile is content in a file that lives in memory only (memfd), readable
// by the owner alone: the client library ignores an option file others
// may write to. Handed to a child as an extra descriptor, the child reads
// it by /dev/fd/N; nothing is left behind, whatever kills emcee.
func memFile(name, content string) (*os.File, error) {
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("creating the in-memory file %s for %s: %w", name, project.PtOSCProgram, err)
	}
	f := os.NewFile(uintptr(fd), name)
	if err = f.Chmod(0o600); err == nil {
		_, err = f.WriteString(content)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// oscDefaultsFile holds the account for the tool (its F= DSN option), so
// the password is never on its command line, where ps shows it.
func oscDefaultsFile(cfg *dbconn.Config) string {
	return "[client]\nuser=" + optionValue(cfg.User) + "\npassword=" + optionValue(cfg.Password) + "\n"
}

// optionValue is v double-quoted with the escapes the client library
// reads in option files.
func optionValue(v string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(v) + `"`
}
