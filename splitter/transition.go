package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/mysql"

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
	// drv is the offline planner Diff diffed with, which Split renders with.
	drv *mysql.Driver
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
	if pl.Phases, err = Split(pl.Transition, t, pl.drv); err != nil {
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
	pl.To = pl.To.Respelled(pl.Prev)
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
		if err := editedDataMigrations(asOf, pl.To); err != nil {
			return nil, err
		}
		if err := pl.To.CheckLateDataMigrations(asOf, done); err != nil {
			return nil, err
		}
	}
	if pl.drv, err = diff.Offline(t); err != nil {
		return nil, err
	}
	if pl.Transition, err = diff.Between(pl.drv, t, from, pl.To); err != nil {
		return nil, err
	}
	pl.Transition.DataMigrationsDone = done
	return pl, nil
}

// editedDataMigrations refuses a data migration the release's revisions
// carry (asOf: the release as of its last revision) that the release file
// now declares otherwise: a data migration is planned once, by its name,
// so the edit would plan nothing and run nowhere, while plan said the
// plans were up to date (Gitea 1.15's primary emails: a pending predicate
// edited to select one user an email, after two users sharing one stopped
// migrate).
func editedDataMigrations(asOf, to *diff.Release) error {
	var errs []string
	for _, m := range to.Declarations.DataMigrations {
		for _, was := range asOf.Declarations.DataMigrations {
			if was.Name != m.Name {
				continue
			}
			if d := m.Differs(was); d != "" {
				errs = append(errs, m.Pos.Errorf("data_migration %q is not what the revisions of release %s carry (%s): a data migration is planned once, so this edit would plan no statement and run on no database. While no database has applied the release's revisions, `emcee plan --rewrite %s` plans it again as declared now; once one has, keep the declaration as planned and declare the change as a data_migration of its own, under another name (it runs in a new revision of the release, after what ran)", m.Name, to.Name, d, to.Name).Error())
			}
		}
	}
	return diff.JoinLines(errs)
}
