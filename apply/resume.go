package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// sayRechecked prints the gates an earlier run of the revision passed and
// this run checked again before resuming.
func (s *Session) sayRechecked(rev *revision.Revision, gates []GateResult) {
	i := 0
	for n, st := range rev.Statements {
		if st.Kind != revision.Gate {
			continue
		}
		if i >= len(gates) {
			return
		}
		g := gates[i]
		i++
		if !g.Rechecked {
			continue
		}
		label := fmt.Sprintf("  [%d/%d] %s", n+1, len(rev.Statements), st.Rule)
		if g.NotRechecked != "" {
			s.say("%s: gate not rechecked: %s", label, g.NotRechecked)
		} else {
			s.say("%s: gate open (rechecked before resuming)", label)
		}
	}
}

// restoreSession re-runs, on this run's connection, the statements before
// the resume point that set session state, in order: the statements after
// them were planned to run in that state (for MySQL 8, an in-place ADD
// FOREIGN KEY needs the SET SESSION foreign_key_checks = 0 sent before it,
// and fails with 1846 without it), and a rerun starts with a fresh session.
func (s *Session) restoreSession(ctx context.Context, rev *revision.Revision, rec *history.Record) error {
	for i := 0; i < rec.Applied && i < len(rev.Statements); i++ {
		st := rev.Statements[i]
		if st.Kind != revision.DDL || !setsSession(st.SQL) {
			continue
		}
		s.say("  re-establishing the session state statement %d set: %s", i+1, st.SQL)
		if _, err := s.Conn.ExecContext(ctx, st.SQL); err != nil {
			return s.redact(fmt.Errorf("%s statement %d (%s), re-run to restore the session state the revision set: %w; nothing else was run", rev.ID, i+1, st.SQL, err))
		}
	}
	return nil
}

// setsSession reports a statement that changes only the session's
// variables (effect.DDL.SetsSession).
func setsSession(sql string) bool { return effect.Parse(sql).SetsSession }

// readable refuses a revision with a statement emcee cannot read, or
// with one no emcee writes (effect's DDL.Planned: a GRANT, a CREATE USER,
// a SET GLOBAL, a DO, an UPDATE without its backfill directive): what
// runs before and around a statement (the trigger privileges preflight
// checks, the session state a resumed run restores, the gates an earlier
// run passed, the replays of the drift checks) is decided by reading it,
// and the sum file vouches only for the plans being what someone wrote
// last, not that emcee wrote them (an edit with its sum recomputed passes
// it). Open calls it for every revision and rollback before anything
// runs, so no path into a revision's statements (a fresh run, a resume, a
// rollback, sync, a replay in a dev database, each target of a fleet)
// reaches one it refuses.
func (s *Session) readable(rev *revision.Revision) error {
	for i, st := range rev.Statements {
		d := effect.Parse(st.SQL)
		if d.Err != nil {
			at := s.at(rev, st)
			if e := (*sqlsyntax.Error)(nil); errors.As(d.Err, &e) && st.Line > 0 {
				at = fmt.Sprintf("%s:%d:%d", s.planFile(rev.Path), st.Line+e.Line-1, e.Col)
			}
			return &Refusal{
				Reason: fmt.Sprintf("%s refused before it ran anything: emcee cannot read statement %d at %s: %v", rev.ID, i+1, at, d.Err),
				Next:   "the plan was edited by hand (`emcee lint` reports it as EM110): restore it from version control, or re-plan the release with `emcee plan --rewrite " + rev.ID.Release + "`",
			}
		}
		if why := st.Foreign(d); why != "" {
			what := "statement"
			if st.Kind == revision.Gate {
				what = "gate"
			}
			return &Refusal{
				Reason: fmt.Sprintf("%s refused before emcee ran anything: %s %d at %s, %q, is %s: the plan was edited by hand and its sum recomputed after the edit",
					rev.ID, what, i+1, s.at(rev, st), st.SQL, why),
				Next: "restore " + project.Rel(s.Project.PlansDir) + " from version control; `emcee plan --check` says what differs from what emcee writes",
			}
		}
	}
	return nil
}
