package lint

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A release rolled back before its contract must leave the database as the
// previous release had it: that release served throughout and its next
// expand, a `db check` or a drift check compare the database with exactly
// that. So each expand revision is replayed in the dev database followed
// by its rollback revision (`<release>_rollbackNN` undoes
// `<release>_expandNN`), and the result must equal the state before the
// expand: tables, columns, indexes, keys, triggers and views. The expand
// then runs again, as an operator who starts the release over runs it.
// A refused rollback (an expand emcee cannot undo online) has nothing to
// replay.
var _ = register(&Analyzer{
	Code:   "EM112",
	Title:  "a rollback revision that does not return the database exactly to the state before the expand it undoes, or that fails",
	Replay: "all of it: each expand and its rollback are replayed in the dev database and compared",
	Run: func(p *Pass) {
		for _, c := range p.rollbacks {
			switch {
			case c.failed != nil:
				p.atStatement("EM112", Error, c.failedIn, c.failedAt,
					fmt.Sprintf("replayed after %s in the dev database, statement %d of %s fails: %v", c.expand.ID, c.failedAt+1, c.failedIn.ID, c.failed),
					replan(c.rollback))
			case !c.report.Clean():
				p.atFile("EM112", c.rollback.File,
					fmt.Sprintf("%s followed by %s does not return to the state before %s: %s: %s", c.expand.ID, c.rollback.ID, c.expand.ID, c.report.Summary(), sqlsyntax.OneLine(c.report.String(), 0)),
					replan(c.rollback))
			}
		}
	},
})

// rollbackCheck is one expand replayed with its rollback.
type rollbackCheck struct {
	expand, rollback *Revision
	// report is what differs from the state before the expand, nil when
	// a statement failed: failed is the error of statement failedAt of
	// failedIn (the rollback, or the expand run again after it).
	report   *devdb.Report
	failed   error
	failedIn *Revision
	failedAt int
}

// replayRollbacks replays the upgrade's revisions in the emptied dev
// database, each expand followed by its rollback, compared with the state
// before the expand, then by the expand again. Only the DDL runs: gates
// are read, not counted, as the main replay reads them (a stored function
// the release declares, which the dev database cannot have, not counted:
// stored), and backfills change no schema. The dev database is left empty.
func replayRollbacks(ctx context.Context, dev *devdb.DB, plans *Plans, stored func(release string) []string) (out []rollbackCheck, err error) {
	if err := dev.Empty(ctx); err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, dev.Empty(ctx)) }()
	rollbacks := map[revision.ID]*Revision{}
	for _, rb := range plans.Rollbacks {
		rollbacks[revision.ID{Release: rb.ID.Release, Phase: revision.Expand, Seq: rb.ID.Seq}] = rb
	}
	var done []*Revision
	for _, rev := range plans.Revisions {
		rb := rollbacks[rev.ID]
		var before *devdb.State
		if rb != nil && !refused(rb) {
			if before, err = dev.State(ctx); err != nil {
				return nil, err
			}
		}
		if err := build(ctx, dev, rev, stored); err != nil {
			return nil, err
		}
		done = append(done, rev)
		if before == nil {
			continue
		}
		c := rollbackCheck{expand: rev, rollback: rb}
		if c.failedAt, c.failed = run(ctx, dev, rb, stored); c.failed != nil {
			c.failedIn = rb
		} else if c.report, err = dev.Since(ctx, before, "the state before "+rev.ID.String()); err != nil {
			return nil, err
		}
		if c.failed == nil && c.report.Clean() {
			// Started over, as an operator may after a rollback.
			if c.failedAt, c.failed = run(ctx, dev, rev, stored); c.failed == nil {
				out = append(out, c)
				continue
			}
			c.failedIn = rev
		}
		out = append(out, c)
		// Whatever the rollback left, the revisions after this expand
		// are replayed on the state it produces.
		if err := dev.Empty(ctx); err != nil {
			return nil, err
		}
		for _, d := range done {
			if err := build(ctx, dev, d, stored); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// refused reports a rollback revision that refuses to run.
func refused(rb *Revision) bool {
	return slices.ContainsFunc(rb.Statements, func(st revision.Statement) bool {
		_, ok := st.RollbackRefusal()
		return ok
	})
}

// run runs a revision's statements in the dev database: its DDL, and its
// gates read as the main replay reads them (a gate that cannot run fails
// the revision as it would fail the applier; a call of a stored function
// its release declares is not counted, the dev database lacking it:
// Gitea 1.17's credential id decoded by base32hex_decode, whose gate
// stopped the lint). It returns the failing statement and its error.
func run(ctx context.Context, dev *devdb.DB, rev *Revision, stored func(release string) []string) (int, error) {
	for i, st := range rev.Statements {
		if st.Kind == revision.Backfill {
			continue
		}
		fails, err := replayStatement(ctx, dev, rev, i, declared(stored(rev.ID.Release)))
		if se, ok := errors.AsType[*devdb.StepError](err); ok {
			err = se.Err
		} else if err == nil && len(fails) > 0 {
			err = fails[0].Err
		}
		if err != nil {
			return i, err
		}
	}
	return 0, nil
}

// build replays a revision the main replay has already run once: a
// statement failing now is an error of the lint, not a finding.
func build(ctx context.Context, dev *devdb.DB, rev *Revision, stored func(release string) []string) error {
	if i, err := run(ctx, dev, rev, stored); err != nil {
		return fmt.Errorf("%s:%d: replaying it again for EM112: %w", rev.File, rev.Line(i), err)
	}
	return nil
}
