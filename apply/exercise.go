package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// exercise runs what release rel will run before its expand changes
// anything: in the dev database, built to the state after rel's expand
// (the previous release's snapshot, then every statement of rel's expand
// revisions, in order), its triggers are fired and its backfills and
// contract gates run, on the real server (devdb.FireTriggers, devdb.Run).
// The build runs for every expand, triggers or not: a statement the
// server refuses on that schema (a foreign key it cannot create, errno 150
// or error 1822; a CREATE TABLE it rejects) failed on the live database
// first, half-way through expand (the build costs one dev database on the
// previous release's schema: BENCHMARKS.md). A trigger that cannot run
// would fail every write of the running release that fires it once expand
// created it. A stored function the statements call is copied from the
// target database, which must have it.
func (s *Session) exercise(ctx context.Context, rel string, note func(string, ...any)) (err error) {
	type at struct {
		rev *revision.Revision
		st  revision.Statement
	}
	var steps, probes []devdb.Step
	where := map[string]at{}   // "revision:N" -> statement
	trigger := map[string]at{} // lowercased trigger name -> the statement creating it
	for _, rev := range s.Plans.Of(rel, revision.Expand) {
		for i, st := range rev.Statements {
			if st.Kind != revision.DDL {
				continue
			}
			steps = append(steps, devdb.Step{Revision: rev.ID.String(), N: i + 1, SQL: st.SQL})
			where[fmt.Sprintf("%s:%d", rev.ID, i+1)] = at{rev, st}
			for _, e := range effect.Of(st.SQL) {
				if e.Op == effect.CreateTrigger {
					trigger[strings.ToLower(e.Name)] = at{rev, st}
				}
			}
		}
	}
	triggers := len(trigger)
	for _, ph := range []revision.Phase{revision.Migrate, revision.Contract} {
		for _, rev := range s.Plans.Of(rel, ph) {
			for i, st := range rev.Statements {
				if st.Kind == revision.Backfill || st.Kind == revision.Gate {
					probes = append(probes, devdb.Step{Revision: rev.ID.String(), N: i + 1, SQL: st.SQL})
					where[fmt.Sprintf("%s:%d", rev.ID, i+1)] = at{rev, st}
				}
			}
		}
	}
	if len(steps) == 0 && len(probes) == 0 {
		return nil
	}
	var base *schema.Schema
	from := "an empty schema"
	if prev := previous(s.Project.Releases, rel); prev != "" {
		var path string
		base, path, err = s.snapshot(prev)
		if os.IsNotExist(err) {
			note("the expand of %s was not built in the dev database first, nor its triggers, backfills and gates run there: %s is missing", rel, path)
			return nil
		}
		from = fmt.Sprintf("release %s's schema (%s)", prev, path)
		if err != nil {
			return err
		}
	}
	dev, err := s.openDev(ctx)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, s.closeDev(ctx, dev)) }()
	if err := dev.Build(ctx, base, steps, nil); err != nil {
		if step, ok := errors.AsType[*devdb.StepError](err); ok {
			a := where[fmt.Sprintf("%s:%d", step.Step.Revision, step.Step.N)]
			return fmt.Errorf("preflight: %s, nothing was changed: %s fails when %s's expand is built in dev database %s, on this server (%v), so expand would stop there half-way; fix the release's schema and re-plan (`emcee plan --rewrite %s`)",
				s.at(a.rev, a.st), step.Step.Revision, rel, dev, step.Err, rel)
		}
		return err
	}
	if triggers == 0 && len(probes) == 0 {
		note("the %s of %s's expand ran first in the dev database, built from %s: each runs on this server", sqlsyntax.Plural(len(steps), "statement"), rel, from)
		return nil
	}
	// In the application's time zone, as they run on the live database; a
	// dev database on a server without that zone's tables still shows
	// whether they run.
	zone := s.appZone
	if _, err := dbconn.AppTimeZone(ctx, dev.Conn, zone); err != nil {
		note("the triggers, backfills and gates of %s ran in the dev database in %s, not in the application's time zone: %v", rel, dbconn.PinnedTimeZone, s.redact(err))
		zone = dbconn.PinnedTimeZone
	}
	var fired, ran []devdb.Failure
	err = dbconn.InTimeZone(ctx, dev.Conn, zone, func() error {
		if fired, err = dev.FireTriggers(ctx, s.storedFunction); err != nil {
			return err
		}
		ran, err = dev.Run(ctx, probes, s.storedFunction)
		return err
	})
	if err != nil {
		return err
	}
	// Where the statement creating one of a failure's triggers is.
	line := func(f devdb.Failure) string {
		pos := ""
		for _, t := range f.Triggers {
			if a, ok := trigger[strings.ToLower(t)]; ok {
				pos = s.at(a.rev, a.st)
				break
			}
		}
		return fmt.Sprintf("  %s  %s: %v", pos, f.What, f.Err)
	}
	fired, err = s.unsafeTriggers(ctx, rel, dev, fired, line, note)
	if err != nil {
		return err
	}
	var lines []string
	for _, f := range fired {
		lines = append(lines, line(f))
	}
	for _, f := range ran {
		a := where[fmt.Sprintf("%s:%d", f.Step.Revision, f.Step.N)]
		lines = append(lines, fmt.Sprintf("  %s  %s (rule %s, %s): %v", s.at(a.rev, a.st), f.What, a.st.Rule, a.st.Kind, f.Err))
	}
	if len(lines) > 0 {
		return fmt.Errorf("preflight: the triggers, backfills and gates of %s were run first in dev database %s, built to the state after its expand, and %d cannot run on this server; nothing was changed:\n%s\nexpand would create such a trigger, and from then on every write of the running release that fires it would fail. Fix the expression in the release's schema and re-plan (`emcee plan --rewrite %s`); for a stored function of the database, create it in the database first",
			rel, dev, len(lines), strings.Join(lines, "\n"), rel)
	}
	note("the %s, %s and %s of %s ran first in the dev database, built to the state after its expand: each can run on this server", sqlsyntax.Plural(triggers, "trigger"), sqlsyntax.Plural(countKind(s.Plans, rel, revision.Backfill), "backfill"), sqlsyntax.Plural(countKind(s.Plans, rel, revision.Gate), "gate"), rel)
	return nil
}

// unsafeTriggers refuses triggers of the release that the server logs
// unsafely for replicas: with binlog_format = STATEMENT (the application's
// sessions take the server's), the statement firing a trigger is logged
// and each replica runs the trigger again, so one calling UUID() or
// SYSDATE() writes other values there than here, with only a warning the
// application never reads (e2e TestAttackUnsafeTriggerForStatementBinlog).
// The dev database's session shows it (devdb.Failure.Unsafe) when it logs
// statements too, as one beside the target does. The other failures are
// returned.
func (s *Session) unsafeTriggers(ctx context.Context, rel string, dev *devdb.DB, fired []devdb.Failure, line func(devdb.Failure) string, note func(string, ...any)) ([]devdb.Failure, error) {
	var unsafe []string
	rest := fired[:0:0]
	for _, f := range fired {
		if f.Unsafe {
			unsafe = append(unsafe, line(f))
		} else {
			rest = append(rest, f)
		}
	}
	var logged bool
	if err := s.Conn.QueryRowContext(ctx, "SELECT @@log_bin = 1 AND @@global.binlog_format = 'STATEMENT'").Scan(&logged); err != nil || !logged {
		return rest, s.redact(err)
	}
	if len(unsafe) > 0 {
		return nil, fmt.Errorf("preflight: this server logs the application's writes as statements (binlog_format = STATEMENT), which each replica runs again, triggers and all, and %d of the triggers of %s compute what a replica computes otherwise (run in dev database %s); nothing was changed:\n%s\nexpand would create such a trigger, and from then on every replica would hold other values than this server for each row the running release writes. Set binlog_format = MIXED or ROW on the server (SET GLOBAL binlog_format = 'MIXED', and in its configuration; it holds for sessions started after it), or change the expression in the release's schema and re-plan (`emcee plan --rewrite %s`)",
			len(unsafe), rel, dev, strings.Join(unsafe, "\n"), rel)
	}
	devLogged, err := statementLogged(ctx, dev.Conn)
	if err != nil {
		return nil, s.redact(err)
	}
	if !devLogged {
		note("this server logs the application's writes as statements (binlog_format = STATEMENT), but dev database %s does not: whether replicas compute what the triggers of %s compute here was not checked", dev, rel)
	}
	return rest, nil
}

// countKind counts the statements of kind k in rel's revisions (Revisions
// holds expand, migrate and contract alone).
func countKind(p *revision.Plans, rel string, k revision.Kind) int {
	n := 0
	for _, rev := range p.Revisions {
		for _, st := range rev.Statements {
			if rev.ID.Release == rel && st.Kind == k {
				n++
			}
		}
	}
	return n
}

// storedFunction is the CREATE FUNCTION of a stored function of the target
// database, for the dev database ("" when the target has none).
func (s *Session) storedFunction(ctx context.Context, name string) (string, bool, error) {
	var n int
	if err := s.Conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_TYPE = 'FUNCTION' AND ROUTINE_NAME = ?", name).Scan(&n); err != nil || n == 0 {
		return "", false, s.redact(err)
	}
	var fn, mode, charset, coll, dbColl string
	var create sql.NullString
	if err := s.Conn.QueryRowContext(ctx, "SHOW CREATE FUNCTION "+sqlsyntax.Ident(name)).Scan(&fn, &mode, &create, &charset, &coll, &dbColl); err != nil {
		return "", false, s.redact(fmt.Errorf("reading stored function %s of %s: %w", name, s.Cfg.Database, err))
	}
	if !create.Valid {
		return "", false, fmt.Errorf("reading stored function %s of %s: its definition is hidden from %s; grant it SELECT on mysql.proc (or SHOW CREATE ROUTINE)", name, s.Cfg.Database, s.Cfg.User)
	}
	// The dev database's function belongs to whoever builds there.
	return definer.ReplaceAllString(create.String, "CREATE FUNCTION"), true, nil
}

var definer = regexp.MustCompile("^CREATE\\s+DEFINER\\s*=\\s*(`[^`]*`|'[^']*'|[^@\\s]+)@(`[^`]*`|'[^']*'|\\S+)\\s+FUNCTION")
