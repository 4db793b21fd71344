package diff

import (
	"fmt"
	"strings"
)

// Problem is a planning error about one declaration, typed so that `emcee
// lint` can report it as a finding with its own code and position; `emcee
// plan` prints it like any other error.
type Problem struct {
	Kind ProblemKind
	Pos  Pos
	Msg  string // without the position
}

// ProblemKind tells problems apart without reading their text.
type ProblemKind int

const (
	// IncompleteReplacement is a replaces block without column, forward or
	// backward: both releases write while they overlap, so each direction
	// must be declared.
	IncompleteReplacement ProblemKind = iota + 1
	// NotNullWithoutDefault is a new NOT NULL column with neither a default
	// nor a fill: the previous release's INSERTs would fail.
	NotNullWithoutDefault
	// UndeclaredLoss is a column (or table) dropped in a release that also
	// adds one to the table (or creates one), with neither a takeover
	// (replaces, renamed_from) nor a discard declared.
	UndeclaredLoss
)

func (p *Problem) Error() string {
	return p.Pos.String() + ": " + p.Msg
}

// Refusals are the errors that keep one release from being planned, each
// its own error so that typed ones (Problem) can be told apart.
type Refusals struct {
	Release string
	Errs    []error
}

func (r *Refusals) Error() string {
	msgs := make([]string, len(r.Errs))
	for i, err := range r.Errs {
		msgs[i] = err.Error()
	}
	return fmt.Sprintf("cannot plan release %s:\n  %s", r.Release, strings.Join(msgs, "\n  "))
}

func (r *Refusals) Unwrap() []error { return r.Errs }
