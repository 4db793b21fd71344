package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/internal/hclquote"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// preflight runs before a release's expand changes anything: the
// privileges its triggers need, and whether the live schema is what the
// previous release left behind.
func (s *Session) preflight(ctx context.Context, res *Result, rel string, revs []*revision.Revision) error {
	note := s.preflightNote(res)
	triggers := 0
	for _, r := range revs {
		for _, st := range r.Statements {
			if effect.Parse(st.SQL).Kind == effect.KindCreateTrigger {
				triggers++
			}
		}
	}
	// Checked again as each revision runs: a column a later revision adds
	// to a table that a routine copies with SELECT * refuses the run
	// before the first revision changes anything (sync checked them all
	// before its first release).
	if !s.checkedAhead {
		if err := s.checkDependents(ctx, revs...); err != nil {
			return err
		}
	}
	if triggers > 0 {
		var logBin, trust bool
		if err := s.Conn.QueryRowContext(ctx, "SELECT @@log_bin, @@log_bin_trust_function_creators").Scan(&logBin, &trust); err != nil {
			return s.redact(err)
		}
		var grants []string
		var err error
		if logBin && !trust {
			if grants, err = s.queryStrings(ctx, "SHOW GRANTS"); err != nil {
				return err
			}
		}
		msg, err := triggerPrivileges(triggers, logBin, trust, grants, s.Cfg.User)
		if err != nil {
			return err
		}
		note("%s", msg)
	}
	if err := s.exercise(ctx, rel, note); err != nil {
		return err
	}
	switch {
	case len(s.simulatedFrom) > 0:
		note("drift check of %s skipped: this dry run assumes earlier revisions it did not apply", rel)
		return nil
	case s.started(rel):
		// The first run checked the schema before it changed anything;
		// what was changed by hand since must be seen as well.
		return s.recordedDriftCheck(ctx, res, "the rest of "+rel+"'s expand")
	}
	prev := previous(s.Project.Releases, rel)
	r := &devdb.Replay{}
	expected := "an empty schema"
	if prev == "" {
		note("%s is the first release: the database must not have tables yet", rel)
	} else {
		var path string
		var err error
		r.Base, path, err = s.snapshot(prev)
		expected = fmt.Sprintf("release %s (%s)", prev, path)
		if os.IsNotExist(err) {
			if s.opts.AllowDrift {
				note("drift check skipped (--allow-drift): %s is missing", path)
				return nil
			}
			return fmt.Errorf("%s is missing, so the live schema cannot be checked before expanding %s: regenerate plans with `emcee plan`, or pass --allow-drift to skip the check", path, rel)
		}
		if err != nil {
			return err
		}
	}
	msg, err := s.driftCheck(ctx, res, r, expected, "the "+rel+" plans", note)
	if err != nil {
		return fmt.Errorf("drift check: %w", err)
	}
	if msg != "" && len(s.Records) == 0 {
		if err := s.adopt(ctx, rel, res.Drift, msg, note); err != nil {
			return err
		}
		msg = ""
	}
	return s.driftAccepted(ctx, res, msg, note, "If these differences are intended (e.g. a hotfix made by hand), rerun with --allow-drift")
}

// excludeWayOut is the way out for tables no release declares, when the
// drift holds some: an application that creates tables as it runs (Matomo's
// monthly archives) was sent to --allow-drift, on every expand, which
// passes all drift.
func excludeWayOut(rep *devdb.Report) string {
	names := rep.UnexpectedTables()
	if len(names) == 0 {
		return ""
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = hclquote.Quote(n)
	}
	return fmt.Sprintf("If the application creates tables as it runs (%s that no release declares here), name them in the env's exclude instead (exclude = [%s] in its env block of atlas.hcl, or a glob such as \"prefix_*\"): the drift checks then leave out the tables no release declares that it names (docs/operators.md, \"Tables the application creates as it runs\")",
		sqlsyntax.Plural(len(names), "table"), strings.Join(quoted, ", "))
}

// handOps are the changes a revision makes that the server refuses to make
// twice: the kind of object and the state a drift check finds it in once
// made by hand, what undoes that, and for what a revision makes, how to
// move another of the name out of its way.
var handOps = map[effect.Op]struct{ kind, state, verb, undo, rename string }{
	effect.CreateTable:   {"table", devdb.Unexpected, "creates", "drop it by hand", "RENAME TABLE"},
	effect.AddColumn:     {"column", devdb.Unexpected, "adds", "drop it by hand", "ALTER TABLE ... RENAME COLUMN"},
	effect.AddIndex:      {"index", devdb.Unexpected, "creates", "drop it by hand", "ALTER TABLE ... RENAME INDEX"},
	effect.AddUnique:     {"index", devdb.Unexpected, "creates", "drop it by hand", "ALTER TABLE ... RENAME INDEX"},
	effect.AddForeignKey: {"foreign key", devdb.Unexpected, "adds", "drop it by hand", ""},
	effect.AddCheck:      {"check", devdb.Unexpected, "adds", "drop it by hand", ""},
	effect.CreateTrigger: {"trigger", devdb.Unexpected, "creates", "drop it by hand", ""},
	effect.DropTable:     {"table", devdb.Missing, "drops", "create it again by hand", ""},
	effect.DropColumn:    {"column", devdb.Missing, "drops", "create it again by hand", ""},
	effect.DropIndex:     {"index", devdb.Missing, "drops", "create it again by hand", ""},
	effect.DropForeignKy: {"foreign key", devdb.Missing, "drops", "create it again by hand", ""},
	effect.DropCheck:     {"check", devdb.Missing, "drops", "create it again by hand", ""},
	effect.DropTrigger:   {"trigger", devdb.Missing, "drops", "create it again by hand", ""},
}

// driftWayOut is the way out of a drift check that found rep. A difference
// that a pending revision makes itself (an index it creates is there, one
// it drops is gone) is that change made by hand, as by the application's
// own upgrade script run outside emcee (Apollo's delta scripts): under
// --allow-drift the server refuses the statement (1061 duplicate key name,
// 1091 can't drop), so the way out is to undo it. Another table, column or
// index under the name a revision gives its own, or one holding data (a
// hotfix's table and its rows), is no change of the revision's to undo:
// dropping it could drop what a hotfix needs, so it is named as it is, to
// move out of the way. allowDrift is the way out for the other
// differences.
func (s *Session) driftWayOut(ctx context.Context, rep *devdb.Report, allowDrift string) string {
	if rep == nil {
		return allowDrift
	}
	var lines, taken []string
	for _, rev := range s.Plans.Revisions {
		if s.Records[rev.ID.String()].Done() {
			continue
		}
		for _, st := range rev.Statements {
			for _, e := range effect.Of(st.SQL) {
				op, ok := handOps[e.Op]
				if !ok || st.Kind != revision.DDL {
					continue
				}
				name, subject := e.Name, fmt.Sprintf("%s %s of %s", op.kind, e.Name, e.Table)
				if op.kind == "table" {
					name, subject = e.Table, "table "+e.Table
				}
				for _, o := range rep.Tables {
					for _, d := range o.Differences {
						if o.Table != e.Table || d.Kind != op.kind || d.State != op.state || !strings.EqualFold(d.Name, name) {
							continue
						}
						at := fmt.Sprintf("%s %s it (%s)", rev.ID, op.verb, s.at(rev, st))
						live, want, held := s.handMade(ctx, rev, op.kind, e, d)
						switch {
						case live != "" && held != "":
							taken = append(taken, fmt.Sprintf("  %s is %s, not the %s %s %s under that name (%s), and it %s: rename it by hand (%s), or move the data out before anything drops it", subject, live, want, rev.ID, op.verb, s.at(rev, st), held, op.rename))
						case live != "":
							taken = append(taken, fmt.Sprintf("  %s is %s, not the %s %s %s under that name (%s); rename it by hand (%s), or drop it if nothing needs it", subject, live, want, rev.ID, op.verb, s.at(rev, st), op.rename))
						case held != "":
							taken = append(taken, fmt.Sprintf("  %s %s, and %s: rename it by hand (%s), or move the data out before dropping it", subject, held, at, op.rename))
						default:
							lines = append(lines, fmt.Sprintf("  %s: %s; %s", subject, at, op.undo))
						}
					}
				}
			}
		}
	}
	if len(lines)+len(taken) == 0 {
		return allowDrift
	}
	var outs []string
	if len(lines) > 0 {
		outs = append(outs, fmt.Sprintf("What a pending revision makes itself was made by hand (the application's own upgrade script, run outside emcee?), and --allow-drift does not get past it: the server refuses, at that statement, to make it twice:\n%s\nUndo it, then rerun %s: the revision makes it.", strings.Join(lines, "\n"), s.rerun()))
	}
	if len(taken) > 0 {
		outs = append(outs, fmt.Sprintf("A name a pending revision gives its own is taken by something made by hand that dropping would lose (another definition, or data), and --allow-drift does not get past it: the server refuses, at that statement, a second one of the name:\n%s\nThen rerun %s.", strings.Join(taken, "\n"), s.rerun()))
	}
	out := strings.Join(outs, " ")
	if len(lines)+len(taken) < rep.Count() {
		out += " For the other differences: " + allowDrift
	}
	return out
}

// handMade tells how d, a table, column or index made by hand under the
// name rev gives the one e makes, is not that one: its definition (live)
// when it is not the one rev makes (want), and held when it holds data
// dropping it would lose (a table's rows, a column's values other than
// NULL). Whatever cannot be read counts as held.
func (s *Session) handMade(ctx context.Context, rev *revision.Revision, kind string, e effect.Effect, d devdb.Difference) (live, want, held string) {
	switch kind {
	case "index":
		if e.Def != "" && !strings.EqualFold(d.Live, e.Def) {
			return d.Live, e.Def, ""
		}
		return "", "", ""
	case "column", "table":
	default:
		return "", "", ""
	}
	table := sqlsyntax.Ident(e.Table)
	q, held := "SELECT 1 FROM "+table+" LIMIT 1", "holds rows"
	if kind == "column" {
		q, held = "SELECT 1 FROM "+table+" WHERE "+sqlsyntax.Ident(e.Name)+" IS NOT NULL LIMIT 1", "holds values in its rows"
	}
	var one int
	switch err := s.Conn.QueryRowContext(ctx, q).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		held = ""
	case err != nil:
		held = fmt.Sprintf("may hold data (reading it failed: %v)", s.redact(err))
	}
	snap, _, err := s.snapshot(rev.ID.Release)
	if err != nil {
		return "", "", held
	}
	t, ok := snap.Table(e.Table)
	if !ok {
		return "", "", held
	}
	if kind == "column" {
		// The type alone: a column expand adds NULL may be one contract
		// makes NOT NULL.
		c, ok := t.Column(e.Name)
		if ok && !strings.HasPrefix(strings.ToLower(d.Live), strings.ToLower(schemadef.TypeName(c.Type))+" ") {
			return d.Live, schemadef.TypeName(c.Type), held
		}
		return "", "", held
	}
	cols, err := s.queryStrings(ctx, "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION", e.Table)
	var names []string
	for _, c := range t.Columns {
		names = append(names, c.Name)
	}
	if err != nil || strings.EqualFold(strings.Join(cols, ", "), strings.Join(names, ", ")) {
		return "", "", held
	}
	return "of columns (" + strings.Join(cols, ", ") + ")", "(" + strings.Join(names, ", ") + ")", held
}

// driftAccepted lets the run go on after a drift check (nil) when it found
// nothing, or --allow-drift makes what it found a warning; otherwise it is
// the refusal, with the way out (driftWayOut, allowDrift for the other
// differences). From then on the schema changes only by what the run
// applies itself.
func (s *Session) driftAccepted(ctx context.Context, res *Result, found string, note func(string, ...any), allowDrift string) error {
	if found != "" && !s.opts.AllowDrift {
		way := s.driftWayOut(ctx, res.Drift, allowDrift)
		if exclude := excludeWayOut(res.Drift); exclude != "" {
			way = strings.TrimSuffix(way, ".") + ". " + exclude
		}
		return fmt.Errorf("%snothing was changed. %s", found, way)
	}
	if found != "" {
		note("WARNING (--allow-drift): %s", strings.TrimSpace(found))
	}
	s.driftChecked = true
	return nil
}

// preflightNote is a line of the run's preflight: in the result and the
// log.
func (s *Session) preflightNote(res *Result) func(format string, args ...any) {
	return func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		res.Preflight = append(res.Preflight, line)
		s.say("preflight: %s", line)
	}
}

// accountLiteral is an account (user@host, or a role) as SQL writes it.
func accountLiteral(account string) string {
	if i := strings.LastIndex(account, "@"); i >= 0 {
		return sqlsyntax.String(account[:i]) + "@" + sqlsyntax.String(account[i+1:])
	}
	return sqlsyntax.String(account)
}

// phaseDriftCheck runs before migrate or contract changes anything: a
// trigger dropped by hand after expand leaves the previous release's writes
// unsynced, and contract would then drop the only copy of what they wrote;
// a column changed by hand makes a backfill or a gate read something else
// than what was planned. Like a resumed expand, it compares the live schema
// with what the recorded revisions produce.
func (s *Session) phaseDriftCheck(ctx context.Context, res *Result, rel, phase string) error {
	if s.driftChecked || len(s.simulatedFrom) > 0 {
		return nil
	}
	return s.recordedDriftCheck(ctx, res, rel+"'s "+phase+" revisions")
}

// explainLeftovers takes out of a drift check's report what a run of the
// online schema change tool that stopped before emcee cleaned up after
// it left (oscLeftovers): its copy, the table it swapped out, its
// triggers on the table, the table's own triggers it had moved to its
// copy and, once it swapped, the names it gave the foreign keys. The
// rerun of its statement drops them (runOSC). The rest of the schema is
// checked as ever: the whole check skipped for them let a rerun apply
// the release over a column dropped by hand (e2e
// TestAttackS25ToolLeftoversExplainOnlyThemselves).
func (s *Session) explainLeftovers(ctx context.Context, rep *devdb.Report, note func(string, ...any)) error {
	var runs []*history.OSCRun
	for _, r := range s.Records {
		if r.OSC != nil && r.OSC.Running != nil {
			runs = append(runs, r.OSC.Running)
		}
	}
	slices.SortFunc(runs, func(a, b *history.OSCRun) int { return strings.Compare(a.Table, b.Table) })
	for _, run := range runs {
		l, err := s.oscLeftovers(ctx, run.Table)
		if err != nil {
			return err
		}
		// A foreign key under the tool's name for it, and missing under
		// its own: both, or neither.
		fkDiffs := map[string]bool{}
		for _, o := range rep.Tables {
			for _, d := range o.Differences {
				if o.Table == l.table && d.Kind == "foreign key" {
					fkDiffs[d.State+" "+d.Name] = true
				}
			}
		}
		renamed := func(d devdb.Difference) bool {
			return slices.ContainsFunc(run.ForeignKeys, func(fk string) bool {
				tool := sqlsyntax.OSCConstraintName(fk)
				return fkDiffs[devdb.Missing+" "+fk] && fkDiffs[devdb.Unexpected+" "+tool] && (d.Name == fk || d.Name == tool)
			})
		}
		taken := rep.Take(func(table string, d devdb.Difference) bool {
			switch {
			case table != l.table:
				return slices.Contains(l.tables, table)
			case d.Kind == "trigger" && d.State == devdb.Unexpected:
				return slices.Contains(l.triggers, d.Name)
			case d.Kind == "trigger" && d.State == devdb.Missing:
				return slices.Contains(l.onNewCopy, d.Name)
			}
			return d.Kind == "foreign key" && l.swapped() && renamed(d)
		})
		if len(taken) > 0 {
			note("not counted as drift: what the run of %s on %s that stopped left behind (%s), dropped when its statement runs again", run.Tool, sqlsyntax.Ident(run.Table), (&devdb.Report{Tables: taken}).Summary())
		}
		// Killed between dropping a trigger of the table and creating it
		// on its copy, the tool left it nowhere: drift, which says what
		// is missing; this says why.
		for _, o := range rep.Tables {
			for _, d := range o.Differences {
				if o.Table == l.table && d.Kind == "trigger" && d.State == devdb.Missing {
					for _, tr := range run.Triggers {
						if tr.Name == d.Name {
							note("trigger %s is missing: the run of %s on %s that stopped had taken it off the table to move it to its copy, where it is not; create it again by hand (the statement recorded before the tool started, which anyone who may write %s can edit, to check first: %s)", sqlsyntax.Ident(tr.Name), run.Tool, sqlsyntax.Ident(run.Table), history.Table, tr.SQL)
						}
					}
				}
			}
		}
	}
	return nil
}

// driftCheck compares the live schema with what r produces (expected says
// what that is, startsFrom what starts from it) and notes the outcome; for a
// schema that differs it returns the differences as a message, for the
// caller to refuse or, with --allow-drift, warn.
func (s *Session) driftCheck(ctx context.Context, res *Result, r *devdb.Replay, expected, startsFrom string, note func(string, ...any)) (string, error) {
	rep, err := s.compare(ctx, r, expected)
	if err == nil {
		err = s.explainLeftovers(ctx, rep, note)
	}
	if err != nil {
		return "", err
	}
	if len(rep.Accepted) > 0 {
		res.Drift = rep
	}
	if rep.Clean() {
		note("live schema matches %s%s", expected, acceptedNote(rep))
		return "", nil
	}
	res.Drift = rep
	return fmt.Sprintf("the live schema differs from %s, which %s start from (%s):\n%s", expected, startsFrom, rep.Summary(), rep), nil
}

// adopt decides about a database emcee does not manage yet that is not
// empty. If it has tables the first release creates, it is an older
// install of this application: baseline adopts it, and expanding would
// collide with its tables. Otherwise its objects belong to something else
// sharing the database: --allow-drift installs beside them and records
// them as accepted, so that later checks do not count them as drift.
func (s *Session) adopt(ctx context.Context, rel string, rep *devdb.Report, msg string, note func(string, ...any)) error {
	why := fmt.Sprintf("%s is not under emcee control yet (no revision recorded in %s)", s.Cfg.Database, history.Table)
	baseline := "adopt it with " + s.command("baseline", "RELEASE") + ", RELEASE being the release it matches (with --allow-drift, baseline also accepts objects that release does not declare, such as another application's tables)"
	var clash []string
	after, path, err := s.snapshot(rel)
	if err != nil {
		return fmt.Errorf("%snothing was changed. %s; reading %s to tell whether its tables are %s's: %v", msg, why, path, rel, err)
	}
	for _, o := range rep.Tables {
		if _, ok := after.Table(o.Table); ok {
			clash = append(clash, o.Table)
		}
	}
	switch {
	case len(clash) > 0:
		return fmt.Errorf("%snothing was changed. %s, and it already has tables that %s creates (%s): %s", msg, why, rel, strings.Join(clash, ", "), baseline)
	case !s.opts.AllowDrift:
		return fmt.Errorf("%snothing was changed. %s: if it is an older install of this application, %s; if these objects belong to another application sharing the database, rerun with --allow-drift to install beside them (they are recorded as accepted differences in %s)", msg, why, baseline, devdb.AcceptedTable)
	}
	note("accepting %s that %s does not create (--allow-drift): %s", rep.Summary(), rel, strings.TrimSpace(rep.String()))
	if !s.opts.DryRun {
		if err := devdb.RecordAccepted(ctx, s.Conn, rep.Tables, rel, s.by, s.opts.Tool); err != nil {
			return s.redact(err)
		}
	}
	rep.Accept(rep.Tables)
	return nil
}

// compare opens the dev database, compares the live schema with what r
// describes, lists the accepted differences apart, and closes the dev
// database again.
func (s *Session) compare(ctx context.Context, r *devdb.Replay, expected string) (rep *devdb.Report, err error) {
	if err := s.noRun(ctx); err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			err = s.noRun(ctx)
		}
	}()
	dev, err := s.openDev(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, s.closeDev(ctx, dev)) }()
	if rep, err = dev.Compare(ctx, s.Conn, s.Cfg.Database, r, expected); err != nil {
		if errors.As(err, new(*devdb.StepError)) {
			return nil, err // redacted already, and db diff words it
		}
		return nil, s.redact(err)
	}
	accepted, err := devdb.LoadAccepted(ctx, s.Conn)
	if err != nil {
		return nil, s.redact(err)
	}
	rep.Accept(accepted)
	rep.Exclude(s.Cfg.Exclude, s.declared)
	return rep, nil
}

// declared reports whether the release in progress, or one after it,
// declares table (its snapshot, names compared without letter case, as a
// case-only rename is refused), for the env's exclude: the plans still to
// run create those tables, so a leftover of that name is drift, never left
// out (a table a release long complete declared, and one after it dropped,
// is the application's again, as it was before). The snapshots are read
// once a session; one that cannot be read (but is there: a release not
// planned yet has none, and no plan creating anything) counts as declaring
// every table (the "" entry), so that a table is compared rather than left
// out unseen.
func (s *Session) declared(table string) bool {
	if s.declaredTables == nil {
		s.declaredTables = map[string]bool{}
		releases := s.Project.Releases
		if cur := slices.Index(releases, s.current()); cur >= 0 {
			releases = releases[cur:]
		} else {
			releases = nil // every release is complete
		}
		for _, rel := range releases {
			sch, _, err := s.snapshot(rel)
			if errors.Is(err, fs.ErrNotExist) {
				continue // not planned: its plans create nothing
			} else if err != nil {
				s.declaredTables[""] = true
				break
			}
			for _, t := range sch.Tables {
				s.declaredTables[strings.ToLower(t.Name)] = true
			}
		}
	}
	return s.declaredTables[""] || s.declaredTables[strings.ToLower(table)]
}

// noRun refuses to compare while another run holds the operator lock (a
// command that takes no lock: db diff, a dry run), checked before and
// after the comparison: what that run is applying shows as differences (a
// pt-online-schema-change copy and its triggers, a statement not recorded
// yet), and the advice for drift, to drop what is unexpected, would have
// the operator drop the tool's triggers mid-copy, losing every write made
// to the table until the swap.
func (s *Session) noRun(ctx context.Context) error {
	if s.locked {
		return nil
	}
	// Checked before describing the holder, which reloads the records: a
	// dry run's records hold the revisions it simulated.
	var held sql.NullInt64
	if err := s.Conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", s.lockName()).Scan(&held); err != nil || !held.Valid {
		return s.redact(err)
	}
	_, holder := s.lockHolder(ctx)
	return &Refusal{
		Reason: fmt.Sprintf("another emcee run is changing the database now%s: what it applies (a table copy and its triggers, a statement it has not recorded yet) would show as differences, so nothing was compared", holder),
		Next:   "rerun once it has finished",
	}
}

// acceptedNote mentions accepted differences and excluded tables after
// "matches ...".
func acceptedNote(rep *devdb.Report) string {
	var apart []string
	if len(rep.Accepted) > 0 {
		apart = append(apart, fmt.Sprintf("%s accepted when it was adopted (%s)", rep.AcceptedSummary(), devdb.AcceptedTable))
	}
	if len(rep.Excluded) > 0 {
		apart = append(apart, fmt.Sprintf("%s no release declares that the env's exclude leaves out (%s)", sqlsyntax.Plural(len(rep.Excluded), "table"), rep.ExcludedNames()))
	}
	if len(apart) == 0 {
		return ""
	}
	return ", apart from " + strings.Join(apart, " and ")
}

// triggerPrivileges decides whether triggers can be created: with binary
// logging on, MySQL and MariaDB refuse CREATE TRIGGER unless the user has
// SUPER or log_bin_trust_function_creators is set. Finding out before the
// first statement keeps a release from stopping half-expanded.
func triggerPrivileges(n int, logBin, trust bool, grants []string, user string) (string, error) {
	switch {
	case !logBin:
		return fmt.Sprintf("%d triggers to create; binary logging is off, so no extra privilege is needed", n), nil
	case trust:
		return fmt.Sprintf("%d triggers to create; binary logging is on and log_bin_trust_function_creators=1", n), nil
	}
	if held := globalPrivileges(grants); held["SUPER"] || held["ALL PRIVILEGES"] {
		return fmt.Sprintf("%d triggers to create; binary logging is on and %s has SUPER", n, user), nil
	}
	return "", fmt.Errorf("preflight: the plans create %d triggers, binary logging is on, and %s has neither SUPER nor log_bin_trust_function_creators=1, so CREATE TRIGGER would fail half-way through expand; nothing was changed. Run SET GLOBAL log_bin_trust_function_creators = 1 (and set it in the server config), or GRANT SUPER ON *.* TO %s", n, user, user)
}

// oscPrivileges asks the server, before a revision hands its first
// statement to the tool, for the privileges without which the tool stops
// part-way: LOCK TABLES on the database (emcee's plugin locks the table and
// the tool's copy while the tool creates its triggers, oscPlugin), PROCESS
// and the one SHOW SLAVE HOSTS needs (the tool looks for replicas to watch
// their lag before it starts). Each is asked for with a statement that
// needs it and changes nothing, so that roles, wildcard grants and the
// server's own rules answer, not a reading of SHOW GRANTS: LOCK TABLES of
// emcee's version table (READ, released at once; the server checks the
// privilege before it looks for the table, which a dry run may not have
// created), a read of information_schema.INNODB_TRX and SHOW SLAVE HOSTS.
// It returns, for each one missing, what it is for and the GRANT that
// gives it.
func (s *Session) oscPrivileges(ctx context.Context) (missing, grants []string, err error) {
	var user string
	if err := s.Conn.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&user); err != nil {
		return nil, nil, s.redact(err)
	}
	account := accountLiteral(user)
	lock := "LOCK TABLES " + sqlsyntax.Ident(history.Table) + " READ"
	_, err = s.Conn.ExecContext(ctx, lock)
	switch {
	case err == nil:
		if _, err := s.Conn.ExecContext(ctx, "UNLOCK TABLES"); err != nil {
			return nil, nil, s.redact(err)
		}
	case dbconn.ServerError(err, 1044, 1142):
		missing = append(missing, fmt.Sprintf("LOCK TABLES on database %s, which emcee's plugin for the tool needs to create the tool's triggers with the table locked (MariaDB bug MDEV-26048; %s: %v)", sqlsyntax.Ident(s.Cfg.Database), lock, err))
		grants = append(grants, "GRANT LOCK TABLES ON "+sqlsyntax.Ident(s.Cfg.Database)+".* TO "+account)
	case !dbconn.ServerError(err, 1146):
		return nil, nil, s.redact(fmt.Errorf("%s, asking the server whether %s may lock tables for the tool: %w", lock, user, err))
	}
	switch err := s.readTrxList(ctx, "SELECT COUNT(*) FROM information_schema.INNODB_TRX", nil, noRow); {
	case dbconn.ServerError(err, 1227):
		missing = append(missing, fmt.Sprintf("PROCESS, without which the tool refuses to start (it lists the server's connections to find replicas; %v)", err))
		grants = append(grants, "GRANT PROCESS ON *.* TO "+account)
	case err != nil:
		return nil, nil, s.redact(err)
	}
	// Servers that do not know SHOW SLAVE HOSTS fail it otherwise: the
	// tool's business, not a missing privilege.
	if err := dbconn.EachRow(ctx, s.Conn, "SHOW SLAVE HOSTS", nil, noRow); dbconn.ServerError(err, 1227) {
		missing = append(missing, fmt.Sprintf("the privilege SHOW SLAVE HOSTS needs, without which the tool refuses to start (it runs it to find replicas; %v)", err))
		grants = append(grants, "GRANT REPLICATION MASTER ADMIN ON *.* TO "+account+" (MariaDB 10.5.2 and later; REPLICATION SLAVE before and on MySQL)")
	}
	return missing, grants, nil
}

// noRow reads nothing of a row: for a query run only to learn whether the
// server lets it run.
func noRow(*sql.Rows) error { return nil }

// openDev opens the run's dev database (--dev-url, or a temporary one
// beside the live database), and says aside what opening it cleaned up.
func (s *Session) openDev(ctx context.Context) (*devdb.DB, error) {
	dev, err := devdb.Open(ctx, devdb.Spec{URL: s.opts.DevURL, Beside: s.Cfg, Like: s.Conn, Target: s.Project.Target})
	if err != nil {
		return nil, s.redact(err)
	}
	for _, n := range dev.Notes() {
		s.opts.Aside(n)
	}
	return dev, nil
}

// closeDev closes the run's dev database. A temporary one the server could
// not drop does not fail the run, which is done: it is said aside, once.
func (s *Session) closeDev(ctx context.Context, dev *devdb.DB) error {
	err := dev.Close(ctx)
	if left, ok := errors.AsType[*devdb.LeftError](err); ok {
		s.opts.Aside(s.redact(left).Error())
		return nil
	}
	return s.redact(err)
}
