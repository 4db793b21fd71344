package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
)

// Forget removes the record of an unfinished revision: the way out when
// its script changed after a run that did change the database, or when the
// record was edited by hand. The record goes only if the live schema shows
// nothing of the revision: it must equal what the other records produce,
// as `db diff` compares. Whatever the revision applied must be undone by
// hand first; emcee never guesses how. Rows a backfill already rewrote keep
// what it wrote (no schema shows them), which the result says.
func (s *Session) Forget(ctx context.Context, name string) (*Result, error) {
	res := &Result{Command: "forget", Database: s.Cfg.String(), DryRun: s.opts.DryRun, Revisions: []*RevResult{}}
	s.cmd, s.res = "forget", res
	if err := s.lockAndRead(ctx); err != nil {
		return res, err
	}
	res.Before = s.Version()
	rec := s.Records[name]
	switch {
	case rec == nil:
		return res, fmt.Errorf("%s has no record of %s (recorded: %s): %s", history.Table, cmp.Or(name, `""`), recordedNames(s.Records, s.Project.Releases), s.forgetWhich(name))
	case rec.Done():
		return res, &Refusal{
			Reason: fmt.Sprintf("%s is applied (finished %s): a finished revision is never forgotten, its effects are part of every later state", name, rec.FinishedAt.Time.Format("2006-01-02 15:04:05")),
			Next:   "put a change in a new revision (`emcee plan`); restore a changed script from version control",
		}
	}
	for _, r := range s.Records {
		if r != rec && revision.Compare(s.Project.Releases, rec.ID, r.ID) < 0 {
			return res, &Refusal{Reason: fmt.Sprintf("%s cannot be forgotten while a later revision is recorded (%s): only the last recorded revision can", name, r.Name)}
		}
	}
	if err := s.consistent(name); err != nil {
		return res, err
	}
	others := maps.Clone(s.Records)
	delete(others, name)
	p := planReplay(s.Project.Releases, s.Plans, others)
	r, _, err := s.replayOf(p)
	if err != nil {
		return res, err
	}
	expected := "an empty schema"
	if p.base != "" {
		expected = "release " + p.base
	}
	if len(p.recorded) > 0 {
		expected = "what " + p.comparedWith() + " produce"
	}
	rep, err := s.compare(ctx, r, expected)
	if errors.As(err, new(*devdb.StepError)) {
		return res, fmt.Errorf("replaying the other recorded revisions: %w", err)
	}
	if err != nil {
		return res, err
	}
	res.Drift = rep
	if !rep.Clean() {
		return res, &Refusal{
			Reason: fmt.Sprintf("%s is not forgotten: the live schema differs from %s, the state without it (%s):\n%s", name, expected, rep.Summary(), rep),
			Next:   fmt.Sprintf("undo by hand what %s applied (%s) until %s finds no difference, then rerun", name, cmp.Or(progress(rec), "its record shows no statement applied"), s.command("forget", name, "--dry-run")),
		}
	}
	note := ""
	if rec.RowsDone > 0 {
		note = fmt.Sprintf("; the %d rows its backfill rewrote keep the values it wrote", rec.RowsDone)
	}
	if s.opts.DryRun {
		res.Message = fmt.Sprintf("%s would be forgotten: the live schema shows nothing of it%s", name, note)
	} else {
		// The version table may predate rollback: Forget names the
		// record in force, which needs its rolled_back column.
		if err := history.Ensure(ctx, s.Conn); err != nil {
			return res, s.redact(err)
		}
		if err := history.Forget(ctx, s.Conn, name); err != nil {
			return res, s.redact(err)
		}
		delete(s.Records, name)
		res.Message = fmt.Sprintf("%s forgotten: the live schema shows nothing of it, and its record (%s) is removed%s", name, cmp.Or(progress(rec), "nothing applied"), note)
	}
	res.After = s.Version()
	res.Next = fmt.Sprintf("%s shows what is pending; the next run applies %s from %s", s.command("status"), name, s.planFile(revPath(s.Plans, name)))
	s.say("%s", res.Message)
	s.say("next: %s", res.Next)
	return res, nil
}

func recordedNames(rs history.Records, releases []string) string {
	if len(rs) == 0 {
		return "none"
	}
	var out []string
	for _, r := range rs.Sorted(releases) {
		out = append(out, r.Name)
	}
	return strings.Join(out, ", ")
}

// forgetWhich is the way out of a name no record has: the record whose
// name differs only in letter case (revision names are written in lower
// case, and compared exactly), else any recorded one.
func (s *Session) forgetWhich(name string) string {
	for n := range s.Records {
		if strings.EqualFold(n, name) {
			return fmt.Sprintf("revision names are compared exactly: did you mean %s?", s.command("forget", n))
		}
	}
	return "name a recorded revision, as " + s.command("status") + " lists them"
}

func revPath(p *revision.Plans, name string) string {
	if i := slices.IndexFunc(p.Revisions, func(r *revision.Revision) bool { return r.ID.String() == name }); i >= 0 {
		return p.Revisions[i].Path
	}
	return name
}
