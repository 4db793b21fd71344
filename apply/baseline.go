package apply

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
)

// Baseline places an existing database under emcee's control at release
// rel: only if its live schema equals what rel declares (the release
// snapshot), and only if emcee has not recorded anything yet. Otherwise it
// reports the differences and changes nothing, unless AllowDrift says the
// unexpected objects are meant to stay: they are then recorded as accepted.
func (s *Session) Baseline(ctx context.Context, rel string) (*Result, error) {
	res := &Result{Command: "baseline", Database: s.Cfg.String(), DryRun: s.opts.DryRun, Revisions: []*RevResult{}}
	idx := slices.Index(s.Project.Releases, rel)
	if idx < 0 {
		return res, fmt.Errorf("%q is not a release of %s (releases: %v)", rel, s.Project.Path, s.Project.Releases)
	}
	if err := s.lockAndRead(ctx); err != nil {
		return res, err
	}
	if len(s.Records) > 0 {
		return res, &Refusal{
			Reason: fmt.Sprintf("%s is already under emcee control (version %s): baseline only adopts a database emcee has never touched", s.Cfg.Database, s.Version()),
			Next:   s.command("status") + " shows what is pending",
		}
	}
	want, path, err := s.snapshot(rel)
	if err != nil {
		return res, fmt.Errorf("reading the declared state of %s: %w (run `emcee plan`)", rel, err)
	}
	expected := fmt.Sprintf("release %s (%s)", rel, path)
	rep, err := s.compare(ctx, &devdb.Replay{Base: want}, expected)
	if err != nil {
		return res, err
	}
	res.Drift = rep
	if !rep.Clean() && !s.opts.AllowDrift {
		return res, fmt.Errorf("baseline refused: the live schema differs from %s: %s; nothing was recorded:\n%s"+
			"bring the database to %s by hand (create what is missing, change what differs to the expected form, drop what is unexpected), or baseline at the release it matches. "+
			"If the unexpected objects are meant to stay (another application's tables, an index added for reporting), rerun with --allow-drift: baseline then records them as accepted in %s, and later checks list them apart instead of as drift",
			expected, rep.Summary(), rep, rel, devdb.AcceptedTable)
	}
	if bad := rep.Unacceptable(); bad != nil {
		r := &devdb.Report{Tables: bad}
		return res, fmt.Errorf("baseline refused: --allow-drift accepts only objects that %s does not declare, and these are missing or differ from their declared form: %s; nothing was recorded:\n%s"+
			"the plans of later releases are written for the declared form of these objects: bring them to it by hand, then rerun %s",
			expected, r.Summary(), r, s.command("baseline", rel, "--allow-drift"))
	}
	accepted := rep.Tables
	if len(accepted) > 0 {
		s.say("accepting %s that %s does not declare (--allow-drift):\n%s", rep.Summary(), expected, strings.TrimSuffix(rep.String(), "\n"))
		rep.Accept(accepted)
	}
	revs := slices.DeleteFunc(slices.Clone(s.Plans.Revisions), func(r *revision.Revision) bool { return slices.Index(s.Project.Releases, r.ID.Release) > idx })
	s.say("the live schema matches %s%s", expected, acceptedNote(rep))
	res.Before = s.Version()
	if !s.opts.DryRun {
		if err := history.Ensure(ctx, s.Conn); err != nil {
			return res, s.redact(err)
		}
		// Before the revisions: a baseline killed in between is not
		// under emcee control yet, and its rerun records them again.
		if len(accepted) > 0 {
			if err := devdb.RecordAccepted(ctx, s.Conn, accepted, rel, s.by, s.opts.Tool); err != nil {
				return res, s.redact(err)
			}
		}
	}
	for _, r := range revs {
		res.Revisions = append(res.Revisions, &RevResult{Name: r.ID.String(), Statements: len(r.Statements), Done: true})
		if s.opts.DryRun {
			s.say("would record %s as applied", r.ID)
			s.Records[r.ID.String()] = &history.Record{Name: r.ID.String(), ID: r.ID, FinishedAt: sql.NullTime{Valid: true}}
		}
	}
	if !s.opts.DryRun {
		if err := history.Baseline(ctx, s.Conn, revs, s.by, s.opts.Tool); err != nil {
			return res, s.redact(err)
		}
		for _, r := range revs {
			s.say("recorded %s as applied (baseline)", r.ID)
		}
		if err := s.reload(ctx); err != nil {
			return res, err
		}
	}
	res.After = s.Version()
	res.Message = fmt.Sprintf("%s placed under emcee control at release %s", s.Cfg.Database, rel)
	if idx+1 < len(s.Project.Releases) {
		res.Next = fmt.Sprintf("to upgrade to %s, run %s", s.Project.Releases[idx+1], s.command("expand"))
	}
	s.say("%s; version %s", res.Message, res.After)
	return res, nil
}
