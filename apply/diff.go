package apply

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// DiffResult is what `db diff` found: the live schema against what the
// revisions recorded in the version table produce.
type DiffResult struct {
	Database string `json:"database"`
	Version  string `json:"version"`
	// ComparedWith names the first and last recorded revision, e.g.
	// "ocata_expand01 ... pike_expand01 (3 of 5 statements)".
	ComparedWith string `json:"compared_with"`
	// Base is the snapshot the replay started from; empty when it started
	// from an empty schema.
	Base string `json:"base,omitempty"`
	// Replayed lists the revisions replayed on the base, in order.
	Replayed []string `json:"replayed"`
	// InFlight explains a statement a stopped run sent but never confirmed.
	InFlight string `json:"in_flight,omitempty"`
	Clean    bool   `json:"clean"`
	// The differences, in the shape every drift check reports them.
	devdb.Report
	Error string `json:"error,omitempty"`
}

// Diff compares the live schema with what its recorded revisions produce.
// It changes nothing and takes no lock.
func (s *Session) Diff(ctx context.Context) (*DiffResult, error) {
	res := &DiffResult{Database: s.Cfg.String(), Version: s.Version(), Replayed: []string{}, Report: devdb.Report{Tables: []devdb.Object{}}}
	if len(s.Records) == 0 {
		exists, err := history.Exists(ctx, s.Conn)
		if err != nil {
			return res, s.redact(err)
		}
		why := fmt.Sprintf("%s has no %s table", s.Cfg, history.Table)
		if exists {
			why = fmt.Sprintf("%s records no revision in %s", s.Cfg, history.Table)
		}
		return res, fmt.Errorf("%s: emcee does not manage it yet, so there is nothing to compare it with; adopt an existing database with %s (it checks that the database matches RELEASE first), or install an empty one with %s", why, s.command("baseline", "RELEASE"), s.command("sync"))
	}
	if err := s.consistent(); err != nil {
		return res, err
	}
	p := planReplay(s.Project.Releases, s.Plans, s.Records)
	res.ComparedWith, res.Replayed = p.comparedWith(), p.replayed
	r, base, err := s.replayOf(p)
	res.Base = base
	if err != nil {
		return res, err
	}
	rep, err := s.compare(ctx, r, "what "+res.ComparedWith+" produce")
	if errors.As(err, new(*devdb.StepError)) {
		return res, fmt.Errorf("replaying the recorded revisions: %w\nthey cannot be rebuilt on this server, so there is nothing to compare with; %s shows what is recorded", err, s.command("version", "-v"))
	}
	if err != nil {
		return res, err
	}
	res.Report, res.Clean = *rep, rep.Clean()
	if f := p.inFlight; f != nil {
		sent := fmt.Sprintf("statement %d of %s was sent by a run that stopped before recording it", f.N, f.Revision)
		switch {
		case rep.InFlightApplied && p.unconfirmed != "":
			// Counted once its gates pass again, not before.
			res.InFlight = sent + "; the database shows its effect: " + p.unconfirmed + " (rerun " + s.command(string(p.inFlightPhase)) + ")"
		case rep.InFlightApplied:
			res.InFlight = sent + "; the database shows its effect, so it is counted as applied (rerun " + s.command(string(p.inFlightPhase)) + " to record it)"
		case !res.Clean:
			res.InFlight = sent + "; the database does not show its effect, so it is counted as not applied"
		}
	}
	return res, nil
}

// replayOf is p for devdb: the snapshot of its base (read from the path
// returned, "" for none), then its steps.
func (s *Session) replayOf(p *replay) (*devdb.Replay, string, error) {
	r := &devdb.Replay{Steps: p.steps, InFlight: p.inFlight}
	if p.base == "" {
		return r, "", nil
	}
	var err error
	var path string
	if r.Base, path, err = s.snapshot(p.base); err != nil {
		return nil, path, fmt.Errorf("reading what release %s produces: %w; restore it from version control, or regenerate it with `emcee plan`", p.base, err)
	}
	return r, path, nil
}

// snapshot reads what release rel produces, and says from where (relative
// to the working directory).
func (s *Session) snapshot(rel string) (*schema.Schema, string, error) {
	path := filepath.Join(s.Project.PlansDir, revision.SnapshotFile(rel))
	sch, err := schemadef.ReadSnapshot(path, s.Project.Target)
	return sch, project.Rel(path), err
}

// replay is how to rebuild what the recorded revisions produced.
type replay struct {
	base          string   // release whose snapshot it starts from; "" for an empty schema
	recorded      []string // every recorded revision in order, an unfinished one with its count
	replayed      []string // the recorded revisions after the base
	steps         []devdb.Step
	inFlight      *devdb.Step
	inFlightPhase revision.Phase
	unconfirmed   string // unconfirmedNote of inFlight
}

// planReplay starts from the snapshot of the last release whose revisions
// are all applied: the snapshot is the state after a release's contract, so
// it describes nothing in between. Every later recorded revision is
// replayed: its DDL only (gates and backfills do not change the schema),
// and of an unfinished revision only the statements recorded as applied.
func planReplay(releases []string, plans *revision.Plans, recs history.Records) *replay {
	p := &replay{replayed: []string{}}
	baseIdx := -1
	for i, rel := range releases {
		revs := slices.DeleteFunc(slices.Clone(plans.Revisions), func(r *revision.Revision) bool { return r.ID.Release != rel })
		if len(revs) == 0 || slices.ContainsFunc(revs, func(r *revision.Revision) bool { return !recs[r.ID.String()].Done() }) {
			break
		}
		p.base, baseIdx = rel, i
	}
	for _, rev := range plans.Revisions {
		switch rec := recs[rev.ID.String()]; {
		case rec == nil:
		case slices.Index(releases, rev.ID.Release) <= baseIdx:
			p.recorded = append(p.recorded, recordedName(rev, rec))
		default:
			p.add(rev, rec)
		}
	}
	// A rollback in progress ran after the release's other revisions,
	// newest revision first, as Rollbacks lists them.
	for _, rev := range plans.Rollbacks {
		if rec := recs[rev.ID.String()]; rec != nil {
			p.add(rev, rec)
		}
	}
	return p
}

// recordedName names a recorded revision, an unfinished one with its count.
func recordedName(rev *revision.Revision, rec *history.Record) string {
	if rec.Done() {
		return rev.ID.String()
	}
	return fmt.Sprintf("%s (%d of %d statements)", rev.ID, min(rec.Applied, len(rev.Statements)), len(rev.Statements))
}

// add replays what the record shows applied of the revision.
func (p *replay) add(rev *revision.Revision, rec *history.Record) {
	n := len(rev.Statements)
	if !rec.Done() {
		n = min(rec.Applied, n)
	}
	name := recordedName(rev, rec)
	p.recorded = append(p.recorded, name)
	p.replayed = append(p.replayed, name)
	for i, st := range rev.Statements[:n] {
		if st.Kind == revision.DDL {
			p.steps = append(p.steps, devdb.Step{Revision: rev.ID.String(), N: i + 1, SQL: st.SQL})
		}
	}
	// A statement handed to the online schema change tool is in flight
	// until the tool's run is known to be cleaned up after, though a
	// failed rerun cleared the flag: the tool may have swapped in the
	// altered table before the run that handed it the statement died.
	if !rec.Done() && (rec.InFlight || rec.Handed(n+1) != nil) && n < len(rev.Statements) && rev.Statements[n].Kind == revision.DDL {
		p.inFlight = &devdb.Step{Revision: rev.ID.String(), N: n + 1, SQL: rev.Statements[n].SQL}
		p.inFlightPhase = rev.ID.Phase
		p.unconfirmed = unconfirmedNote(rev, rec)
	}
}

// comparedWith needs at least one record, which Diff checks first.
func (p *replay) comparedWith() string {
	if len(p.recorded) == 1 {
		return p.recorded[0]
	}
	return p.recorded[0] + " ... " + p.recorded[len(p.recorded)-1]
}
