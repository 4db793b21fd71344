package apply

import (
	"context"
	"fmt"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
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
// variables (SET SESSION x = ..., SET x = ...), not a statement-scoped SET
// STATEMENT ... FOR, nor a global or account setting.
func setsSession(sql string) bool {
	toks := effect.Tokenize(sql)
	if len(toks) < 2 || !toks[0].Is("SET") {
		return false
	}
	if toks[1].Is("SESSION", "LOCAL") {
		return true
	}
	return toks[1].Word && !toks[1].Is("STATEMENT", "GLOBAL", "PERSIST", "PERSIST_ONLY", "PASSWORD", "ROLE", "DEFAULT", "TRANSACTION", "RESOURCE")
}
