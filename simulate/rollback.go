package simulate

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The rollback scenario: the new release misbehaves after expand and
// migrate. Its workers stop; `emcee db rollback` runs while the previous
// release's workers keep writing; they go on alone on their own schema.
// Every statement of the previous release must succeed throughout, every
// row it wrote must be intact, and the rows it wrote during the window
// (from the moment the new release stopped) must read back with the values
// it wrote.

// runRollback follows migrate in the rollback scenario.
func (s *Sim) runRollback(ctx context.Context) error {
	cfg := s.cfg
	s.work.stop(New)
	if cfg.Verify {
		if err := s.work.quiet(func() error {
			if err := s.checkBoth(ctx); err != nil {
				return err
			}
			return s.noteOld(ctx)
		}); err != nil {
			return err
		}
	}
	done := s.enter("rollback", "emcee db rollback, the previous release writing")
	res, err := s.phaseRun(ctx, (*apply.Session).Rollback)
	if err != nil && res != nil && len(res.Losses) > 0 {
		// The new release's workers wrote what the previous release's
		// columns cannot hold: refused before anything changed. The
		// previous release's workers write on through both runs.
		s.report.RollbackLosses = res.Losses
		s.dropNewData = true
		res, err = s.phaseRun(ctx, (*apply.Session).Rollback)
	}
	done()
	// Rows the new release's workers wrote that the previous release's
	// schema cannot hold block it.
	if err := s.blocked("rollback", err); err != nil {
		return err
	}
	if err := s.hold(ctx, "rolled-back", "no DDL: the previous release alone, on its own schema again", cfg.Settle); err != nil {
		return err
	}
	s.work.stop(Old)
	if cfg.Verify {
		return s.verifyRollback(ctx)
	}
	return nil
}

// noteOld notes every row in the previous release's shape (its columns
// only), and the ledger position, when the new release stops.
func (s *Sim) noteOld(ctx context.Context) error {
	s.oldSnap = map[string]*noted{}
	for _, t := range s.tables {
		cols := names(t.old)
		snap := map[int64]uint64{}
		q := fmt.Sprintf("SELECT %s FROM %s", quoteAll(append(t.key.names(), cols...)), sqlsyntax.Ident(t.name))
		// A key the simulator never writes is not noted: the check after
		// the rollback reports it.
		if err := rowScan(ctx, s.db, q, t.key, len(cols), func(key int64, _, v []sql.NullString) {
			if key != 0 {
				snap[key] = hashRow(v)
			}
		}); err != nil {
			return fmt.Errorf("noting %s before the rollback: %w", t.name, err)
		}
		s.oldSnap[t.name] = &noted{cols, snap, s.work.ledger[t.name].seq.Load()}
	}
	return nil
}

// verifyRollback reads every row in the previous release's shape after
// the rollback: a row no one wrote since the new release stopped holds
// what it held then; a row the previous release wrote since holds what it
// wrote (counted in WindowRows); a row it deleted since is gone, and no
// row is missing.
func (s *Sim) verifyRollback(ctx context.Context) error {
	s.report.Rollback = true
	for _, t := range s.tables {
		n, err := s.checkSince(ctx, t, names(t.old), s.oldSnap[t.name], " when the new release stopped", " during the rollback", "after the rollback")
		if err != nil {
			return err
		}
		s.report.WindowRows += n
	}
	return nil
}
