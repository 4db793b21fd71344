// Package revision holds the on-disk contract between `emcee plan` and the
// operator commands: revision names, the text of a revision script, the
// directives embedded in it, and the sum file that guards every script.
package revision

import (
	"fmt"
	"regexp"
	"strconv"
)

// Phase is one of the three steps of a zero-downtime upgrade.
type Phase string

const (
	Expand   Phase = "expand"
	Migrate  Phase = "migrate"
	Contract Phase = "contract"
)

// Phases lists the phases in the order an operator applies them.
var Phases = []Phase{Expand, Migrate, Contract}

// ID names one revision: <release>_<phase>NN.
type ID struct {
	Release string
	Phase   Phase
	Seq     int
}

func (id ID) String() string { return fmt.Sprintf("%s_%s%02d", id.Release, id.Phase, id.Seq) }

// File is the script's path relative to the plans directory.
func (id ID) File() string { return id.Release + "/" + id.String() + ".sql" }

var idPattern = regexp.MustCompile(`^([a-z][a-z0-9]*)_(expand|migrate|contract)([0-9]{2,})$`)

// ParseID reads a revision name such as "pike_expand01".
func ParseID(s string) (ID, error) {
	m := idPattern.FindStringSubmatch(s)
	if m == nil {
		return ID{}, fmt.Errorf("%q is not a revision name: expected <release>_<expand|migrate|contract>NN, e.g. pike_expand01", s)
	}
	n, _ := strconv.Atoi(m[3])
	return ID{Release: m[1], Phase: Phase(m[2]), Seq: n}, nil
}

// ReleaseNamePattern is what a release name must look like, so that revision
// names stay parseable.
var ReleaseNamePattern = regexp.MustCompile(`^[a-z][a-z0-9]*$`)
