package splitter

import (
	"fmt"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
)

// Sources are what one transition is planned from.
type Sources struct {
	// Prev is the release before To, nil when To is the first release: To's
	// declarations are checked against it, and without AsOf the transition
	// starts from the state it declares.
	Prev *diff.Source
	To   diff.Source
	// AsOf is To as of its last revision, for a release planned again after
	// an edit (revisions are append-only): the transition starts from the
	// state it declares, and the data migrations it declares are not run
	// again.
	AsOf *diff.Source
}

// Planned is a transition run through the release pipeline.
type Planned struct {
	Prev, To   *diff.Release // Prev is nil for the first release
	Transition *diff.Transition
	Phases     Phases // nil after Diff
}

// Transition is the release pipeline, for one transition: it evaluates the
// sources (diff.Load), validates To against Prev, diffs, refuses undeclared
// losses and splits. Every
// planner of transitions calls it (`emcee plan`, the recomputation that
// finds hand-edited revisions, lint, simulate, the tests), so a release is
// read, checked and split one way only.
func Transition(t project.Target, s Sources) (*Planned, error) {
	pl, err := Diff(t, s)
	if err != nil {
		return nil, err
	}
	// A drop beside an add that nothing declares may be a forgotten
	// replacement: refused before any rule places it.
	if err := diff.CheckLosses(pl.Transition); err != nil {
		return nil, err
	}
	drv, err := diff.Offline(t)
	if err != nil {
		return nil, err
	}
	if pl.Phases, err = Split(pl.Transition, t, drv); err != nil {
		return nil, err
	}
	return pl, nil
}

// Diff is Transition without the split: what changes between the two
// states, for Atlas's own single-step migration (`emcee simulate --naive`).
func Diff(t project.Target, s Sources) (*Planned, error) {
	// To is evaluated last: it shares most of its blocks with the
	// release before it and with itself as of its last revision, and
	// reuses their evaluations. The previous release is loaded here,
	// its last revision meanwhile.
	if s.AsOf != nil {
		go func() { _, _ = diff.Load(*s.AsOf, t) }()
	}
	pl := &Planned{}
	var err error
	if s.Prev != nil {
		if pl.Prev, err = diff.Load(*s.Prev, t); err != nil {
			return nil, err
		}
	}
	var asOf *diff.Release
	if s.AsOf != nil {
		if asOf, err = diff.Load(*s.AsOf, t); err != nil {
			return nil, fmt.Errorf("release %s as of its last revision (the copy of %s its snapshot keeps): %w", s.AsOf.Release, s.AsOf.File, err)
		}
	}
	if pl.To, err = diff.Load(s.To, t); err != nil {
		return nil, err
	}
	if err := pl.To.Check(pl.Prev); err != nil {
		return nil, err
	}
	from := pl.Prev
	var done map[string]bool
	if asOf != nil {
		from, done = asOf, map[string]bool{}
		for _, m := range asOf.Declarations.DataMigrations {
			done[m.Name] = true
		}
		if err := pl.To.CheckLateDataMigrations(asOf, done); err != nil {
			return nil, err
		}
	}
	drv, err := diff.Offline(t)
	if err != nil {
		return nil, err
	}
	if pl.Transition, err = diff.Between(drv, t, from, pl.To); err != nil {
		return nil, err
	}
	pl.Transition.DataMigrationsDone = done
	return pl, nil
}
