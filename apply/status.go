package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Check codes follow glance-manage, so orchestrators can branch on them.
const (
	UpToDate       = 0
	ExpandNeeded   = 3
	MigrateNeeded  = 4
	ContractNeeded = 5
	// ContractBlocked: migrate has nothing left to rewrite, and contract's
	// gates still count rows; only a change to the data opens them. An
	// expand or a rollback its gates refuse (Blocked) exits with it too.
	ContractBlocked = 7
)

// Status is where the database stands against the plans.
type Status struct {
	Database string `json:"database"`
	Version  string `json:"version"`
	Current  string `json:"upgrading,omitempty"` // release with pending revisions
	Code     int    `json:"code"`                // db check exit code
	Summary  string `json:"summary"`
	Next     string `json:"next,omitempty"`
	// Detail lists the closed gates when contract is blocked by data.
	Detail string `json:"detail,omitempty"`
	// Note is what the applying commands' preflight notes of the database
	// default, which does not stop them (checkCollation).
	Note     string          `json:"note,omitempty"`
	Gates    []GateResult    `json:"gates,omitempty"` // of the pending contract, when run
	Releases []ReleaseStatus `json:"releases"`
}

// ReleaseStatus lists one release's revisions.
type ReleaseStatus struct {
	Release   string      `json:"release"`
	Revisions []RevStatus `json:"revisions"`
	// RolledBack lists the records rollbacks undid, the latest first: the
	// version table keeps them.
	RolledBack []RevStatus `json:"rolled_back,omitempty"`
}

// RevStatus is one revision's state.
type RevStatus struct {
	Name        string `json:"name"`
	Phase       string `json:"phase"`
	State       string `json:"state"` // pending, partial, failed, applied
	Applied     int    `json:"applied"`
	Total       int    `json:"total"`
	PendingRows *int64 `json:"pending_rows,omitempty"`
	Error       string `json:"error,omitempty"`
	AppliedBy   string `json:"applied_by,omitempty"`
	// RolledBackAt is when a rollback undid the revision (state "rolled
	// back"); Rollback numbers the rollbacks of its release.
	RolledBackAt string `json:"rolled_back_at,omitempty"`
	Rollback     int    `json:"rollback,omitempty"`
}

// Status reads the version table and, with countRows, counts pending
// backfill rows (a full scan of each table being backfilled, which db check
// skips so that an orchestrator can poll it cheaply). It changes nothing and
// takes no lock.
func (s *Session) Status(ctx context.Context, countRows bool) (*Status, error) {
	if err := s.havePlans(); err != nil {
		return nil, err
	}
	if err := s.consistent(); err != nil {
		return nil, err
	}
	undone, err := history.RolledBackRecords(ctx, s.Conn, s.Project.Releases)
	if err != nil {
		return nil, s.redact(err)
	}
	st := &Status{Database: s.Cfg.String(), Version: s.Version(), Releases: []ReleaseStatus{}}
	for _, rel := range s.Project.Releases {
		rs := ReleaseStatus{Release: rel}
		for _, ph := range append(slices.Clone(revision.Phases), revision.Rollback) {
			for _, rev := range s.Plans.Of(rel, ph) {
				rec := s.Records[rev.ID.String()]
				if ph == revision.Rollback && rec == nil {
					// Rollback revisions are listed only once one runs.
					continue
				}
				r := RevStatus{Name: rev.ID.String(), Phase: string(ph), State: rec.State(), Total: len(rev.Statements)}
				if rec != nil {
					r.Applied, r.Error, r.AppliedBy = rec.Applied, rec.Error, rec.AppliedBy
				}
				if countRows && ph == revision.Migrate && (!rec.Done() || rel == s.current()) {
					// An applied migrate of the release being upgraded can
					// have rows pending again (written by old code after its
					// backfill, with no trigger to fill them).
					from := r.Applied
					if rec.Done() {
						from = 0
					}
					if n := s.countPending(ctx, rev, from, rec.Done()); n != nil && (!rec.Done() || *n > 0) {
						r.PendingRows = n
					}
				}
				rs.Revisions = append(rs.Revisions, r)
			}
		}
		for _, rec := range undone {
			if rec.ID.Release == rel {
				rs.RolledBack = append(rs.RolledBack, RevStatus{Name: rec.Name, Phase: string(rec.ID.Phase), State: rec.State(), Applied: rec.Applied, Total: rec.Total,
					Error: rec.Error, AppliedBy: rec.AppliedBy, RolledBackAt: rec.RolledBackAt.Time.Format("2006-01-02T15:04:05Z"), Rollback: rec.RolledBack})
			}
		}
		st.Releases = append(st.Releases, rs)
	}
	st.Current = s.current()
	rel := st.Current
	if err := s.RefuseDuringRollback(ctx); err != nil {
		r := err.(*Refusal)
		st.Code, st.Summary, st.Next = 1, r.Reason, r.Next
		return st, nil
	}
	// A database default the pending releases were not computed for: the
	// applying commands refuse to run (or note it), and say so here first.
	note, err := s.checkCollation(ctx, "")
	if r := (*Refusal)(nil); errors.As(err, &r) {
		st.refuse(r)
		return st, nil
	}
	if err != nil {
		return nil, err
	}
	st.Note = note
	switch {
	case rel == "":
		st.Code, st.Summary = UpToDate, "up to date: every revision is applied"
	case len(s.pending(rel, revision.Expand)) > 0:
		expands := s.pending(rel, revision.Expand)
		st.Code, st.Summary, st.Next = ExpandNeeded, fmt.Sprintf("expand needed: %s", names(expands)), s.command("expand")
		// Expand refuses a column added to a table that a trigger,
		// routine or event it does not manage copies by position: said
		// here first, as for contract below, or an orchestrator polling
		// db check was sent to an expand that refuses.
		if err := s.checkDependents(ctx, expands...); err != nil {
			st.refuse(err)
			break
		}
		// So are the gates of the revisions expand runs (those that read
		// what an earlier one changes wait for it): rows written before
		// the release started that stop one are blocked by data, as
		// expand exits (7), with the rows counted for the person who
		// fixes them.
		for i, rev := range expands {
			gates, err := s.gatesNow(ctx, expands, i)
			st.Gates = append(st.Gates, gates...)
			var blocked *Blocked
			switch {
			case errors.As(err, &blocked):
				st.blocked(s, "expand", rev, blocked, "rows written before the release started")
			case err != nil:
				st.refuse(err)
			default:
				continue
			}
			break
		}
	case len(s.pending(rel, revision.Migrate)) > 0:
		st.Code, st.Summary, st.Next = MigrateNeeded, fmt.Sprintf("migrate needed: %s", names(s.pending(rel, revision.Migrate))), s.command("migrate")
	default:
		st.Code, st.Summary, st.Next = ContractNeeded, fmt.Sprintf("contract needed: %s", names(s.pending(rel, revision.Contract))), s.command("contract")+" (once no "+s.oldCode(rel)+" code is left)"
		// A contract whose gates are closed is not ready. While migrate
		// can still rewrite rows, the data has yet to move, which is
		// migrate's business; after that only fixing the data helps.
		s.quick = !countRows
		defer func() { s.quick = false }()
		contracts := s.pending(rel, revision.Contract)
		for i, rev := range contracts {
			// Gates that read what an earlier revision changes wait for
			// it, as contract runs them.
			gates, err := s.gatesNow(ctx, contracts, i)
			var blocked *Blocked
			if errors.As(err, &blocked) && s.quick {
				// Blocked needs a person, who needs the rows counted.
				s.quick = false
				gates, err = s.gatesNow(ctx, contracts, i)
			}
			if err == nil && slices.ContainsFunc(gates, func(g GateResult) bool { return g.NotRechecked != "" }) {
				// As contract counts right before the foreign key where
				// a gate passes as read before a drop of the revision.
				err = s.guardBlocked(ctx, rev, s.Records[rev.ID.String()])
			}
			st.Gates = append(st.Gates, gates...)
			switch {
			case errors.As(err, &blocked):
				st.blocked(s, "contract", rev, blocked, "rows that migrate cannot rewrite")
			case err != nil && !slices.ContainsFunc(gates, func(g GateResult) bool { return g.Error != "" && g.NotRechecked == "" }):
				// Every gate ran, some counting rows.
				st.Code = MigrateNeeded
				st.Summary = fmt.Sprintf("migrate needed: gates of %s are closed", rev.ID)
				st.Next = s.command("migrate") + ", or fix the rows " + s.command("contract", "--dry-run") + " reports"
			case err != nil:
				// A gate that cannot run refuses the contract until the
				// cause is fixed: an error, not a phase.
				st.refuse(err)
			default:
				// Gates open: contract could still refuse what a trigger
				// or view it does not manage reads, past what the
				// revisions before it drop (contract01 the triggers
				// whose column contract02 drops).
				if err := s.checkDependents(ctx, contracts[:i+1]...); err != nil {
					st.refuse(err)
					break
				}
				continue
			}
			// Whatever holds the contract, a key a run that stopped
			// added may stand, unconfirmed.
			if note := unconfirmedNote(rev, s.Records[rev.ID.String()]); note != "" {
				st.Detail = strings.TrimPrefix(st.Detail+"\n"+note, "\n")
			}
			break
		}
	}
	for _, g := range st.Gates {
		if g.Waits != "" && st.Code != 1 {
			id, _ := revision.ParseID(g.Revision)
			line := fmt.Sprintf("  %s  gate %s of %s not checked: %s; %s checks it after that", g.At, g.Rule, g.Revision, g.Waits, s.command(string(id.Phase)))
			st.Detail = strings.TrimPrefix(st.Detail+"\n"+line, "\n")
		}
	}
	return st, nil
}

// gatesNow runs the gates of revs[i] that db check can answer for while
// the revisions before it are pending (waitsFor); the others come back
// waiting, for its command to run once those have.
func (s *Session) gatesNow(ctx context.Context, revs []*revision.Revision, i int) ([]GateResult, error) {
	rev := revs[i]
	only, waiting := s.answerable(revs, i)
	if len(only) == 0 && len(waiting) > 0 {
		return waiting, nil
	}
	gates, err := s.checkGates(ctx, rev, s.Records[rev.ID.String()], only...)
	return append(gates, waiting...), err
}

// answerable splits the gates of revs[i] into those that can run now, by
// statement number (only), and those that wait for the revisions before
// it (waitsFor).
func (s *Session) answerable(revs []*revision.Revision, i int) (only []int, waiting []GateResult) {
	rev := revs[i]
	for j, st := range rev.Statements {
		if st.Kind != revision.Gate {
			continue
		}
		if why := s.waitsFor(revs[:i], st.SQL); why != "" {
			waiting = append(waiting, GateResult{Revision: rev.ID.String(), Rule: st.Rule, Why: st.Why, At: s.at(rev, st), SQL: st.SQL, Waits: why})
		} else {
			only = append(only, j)
		}
	}
	return only, waiting
}

// blocked reports the gates of rev that count rows only fixing the data
// opens (exit 7), as the phase exits.
func (st *Status) blocked(s *Session, phase string, rev *revision.Revision, b *Blocked, rows string) {
	st.Code = ContractBlocked
	st.Summary = fmt.Sprintf("%s blocked by data: %s of %s %s %s", phase, sqlsyntax.Plural(len(b.Gates), "gate"), rev.ID, sqlsyntax.OneOrMany(len(b.Gates), "counts", "count"), rows)
	st.Detail = DescribeGates(b.Gates)
	st.Next = blockedNext(s.command(phase))
}

// refuse makes st say err, which refuses the command that comes next:
// exit 1, with the refusal's reason and way out where it is one.
func (st *Status) refuse(err error) {
	st.Code, st.Summary, st.Next = 1, err.Error(), ""
	if r := (*Refusal)(nil); errors.As(err, &r) {
		st.Summary, st.Next = r.Reason, r.Next
	}
}

// countPending sums the rows every unfinished backfill of the revision
// still has to update; nil when they cannot be counted yet (the expand
// that creates their columns is not applied). Of an applied migrate
// (again), it counts what a run would still rewrite, as migrate's
// catch-up does: a row its backfill leaves matching its WHERE (a rename
// of a column NULL in that row: Keycloak 4.0.0's PROTOCOL_MAPPER of no
// template) was listed pending after migrate had completed, while db check
// said contract was next.
func (s *Session) countPending(ctx context.Context, rev *revision.Revision, from int, again bool) *int64 {
	var total int64
	found := false
	for i, st := range rev.Statements {
		if st.Kind != revision.Backfill || i < from {
			continue
		}
		// One count each: the pending rows, or of an applied migrate what
		// a run would still rewrite.
		var n int64
		var err error
		if again {
			n, err = s.rewritableRows(ctx, st, false)
		} else {
			n, err = s.pendingRows(ctx, st)
		}
		if err != nil {
			return nil
		}
		total += n
		found = true
	}
	if !found {
		return nil
	}
	return &total
}
