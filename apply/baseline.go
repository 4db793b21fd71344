package apply

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/emcee-db/emcee/drift"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// Baseline places an existing database under emcee's control at release
// rel: only if its live schema equals what rel declares (the release
// snapshot), and only if emcee has not recorded anything yet. Otherwise it
// reports the differences and changes nothing.
func (s *Session) Baseline(ctx context.Context, rel string) (*Result, error) {
	res := &Result{Command: "baseline", Database: s.Cfg.String(), DryRun: s.opts.DryRun, Revisions: []*RevResult{}}
	idx := slices.Index(s.Project.Releases, rel)
	if idx < 0 {
		return res, fmt.Errorf("%q is not a release of %s (releases: %v)", rel, s.Project.Path, s.Project.Releases)
	}
	if err := s.checkDev(ctx); err != nil {
		return res, err
	}
	if !s.opts.DryRun {
		if err := s.Lock(ctx); err != nil {
			return res, err
		}
		if err := s.reload(ctx); err != nil {
			return res, err
		}
	}
	s.identify(ctx)
	if len(s.Records) > 0 {
		return res, &Refusal{
			Reason: fmt.Sprintf("%s is already under emcee control (version %s): baseline only adopts a database emcee has never touched", s.Cfg.Database, s.Version()),
			Next:   "`emcee db status` shows what is pending",
		}
	}
	path := filepath.Join(s.Project.PlansDir, revision.SnapshotFile(rel))
	want, err := schemadef.ReadSnapshot(path, s.Project.Target)
	if err != nil {
		return res, fmt.Errorf("reading the declared state of %s: %w (run `emcee plan`)", rel, err)
	}
	expected := fmt.Sprintf("release %s (%s)", rel, project.Rel(path))
	rep, err := drift.Compare(ctx, s.Conn, s.Cfg, want, expected, s.opts.DevURL)
	if err != nil {
		return res, s.redact(err)
	}
	res.Drift = rep
	if !rep.Clean() {
		return res, fmt.Errorf("baseline refused: the live schema differs from %s in %s, nothing was recorded:\n%sbring the database to %s by hand (or baseline at the release it matches), then rerun `emcee db baseline`", expected, plural(len(rep.Tables), "table"), rep, rel)
	}
	var revs []*revision.Revision
	for _, r := range s.Plans.Revisions {
		if slices.Index(s.Project.Releases, r.ID.Release) <= idx {
			revs = append(revs, r)
		}
	}
	s.say("the live schema matches %s", expected)
	res.Before = s.Version()
	if !s.opts.DryRun {
		if err := history.Ensure(ctx, s.Conn); err != nil {
			return res, s.redact(err)
		}
	}
	for _, r := range revs {
		res.Revisions = append(res.Revisions, &RevResult{Name: r.ID.String(), Statements: len(r.Statements), Done: true})
		if s.opts.DryRun {
			s.say("would record %s as applied", r.ID)
			s.Records[r.ID.String()] = &history.Record{Name: r.ID.String(), ID: r.ID, FinishedAt: sql.NullTime{Valid: true}}
			continue
		}
		if err := history.Baseline(ctx, s.Conn, r, s.by, s.opts.Tool); err != nil {
			return res, s.redact(err)
		}
		s.say("recorded %s as applied (baseline)", r.ID)
	}
	if !s.opts.DryRun {
		if err := s.reload(ctx); err != nil {
			return res, err
		}
	}
	res.After = s.Version()
	res.Message = fmt.Sprintf("%s placed under emcee control at release %s", s.Cfg.Database, rel)
	if idx+1 < len(s.Project.Releases) {
		res.Next = fmt.Sprintf("to upgrade to %s, run `emcee db expand`", s.Project.Releases[idx+1])
	}
	s.say("%s; version %s", res.Message, res.After)
	return res, nil
}
