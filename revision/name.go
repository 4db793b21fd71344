// Package revision holds the on-disk contract between `emcee plan` and the
// operator commands: revision names, the text of a revision script, the
// directives embedded in it, and the sum file that guards every script.
package revision

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// Phase is one of the three steps of a zero-downtime upgrade, or the
// rollback that undoes a release's expand before its contract starts.
type Phase string

const (
	Expand   Phase = "expand"
	Migrate  Phase = "migrate"
	Contract Phase = "contract"
	// Rollback revisions undo what the release's expand revisions did
	// (<release>_rollbackNN undoes <release>_expandNN). They are not part
	// of the upgrade: Plans keeps them apart from Revisions, and they run
	// only when an operator rolls a release back.
	Rollback Phase = "rollback"
)

// RefusedRollback starts the reason of each gate of a refused rollback
// revision: one for an expand emcee cannot undo online. Such a gate is
// always closed (SELECT 1) and the revision holds nothing else, so the
// applier's gates stop it before it changes anything; review lists the
// reasons.
const RefusedRollback = "rollback refused at plan time: "

// Phases lists the phases of an upgrade in the order an operator applies
// them. Rollback is not one of them.
var Phases = []Phase{Expand, Migrate, Contract}

// filePhases are the phases a revision file may be named after.
var filePhases = []Phase{Expand, Migrate, Contract, Rollback}

// ID names one revision: <release>_<phase>NN.
type ID struct {
	Release string
	Phase   Phase
	Seq     int
}

func (id ID) String() string { return fmt.Sprintf("%s_%s%02d", id.Release, id.Phase, id.Seq) }

// File is the script's path relative to the plans directory.
func (id ID) File() string { return id.Release + "/" + id.String() + ".sql" }

// A revision name ends in _<phase>NN, and the release name before it may
// hold underscores itself (OpenStack's 2024_1 gives 2024_1_expand01): the
// phase is found from the end, so the release part is everything before.
var idPattern = regexp.MustCompile(`^(` + releaseName + `)_(` + phaseNames() + `)([0-9]{2,})$`)

const releaseName = `[a-z0-9][a-z0-9_]*`

var releasePattern = regexp.MustCompile(`^` + releaseName + `$`)

func phaseNames() string {
	names := make([]string, len(filePhases))
	for i, p := range filePhases {
		names[i] = string(p)
	}
	return strings.Join(names, "|")
}

// ParseID reads a revision name such as "pike_expand01".
func ParseID(s string) (ID, error) {
	m := idPattern.FindStringSubmatch(s)
	if m == nil {
		return ID{}, fmt.Errorf("%q is not a revision name: expected <release>_<%s>NN, e.g. pike_expand01", s, phaseNames())
	}
	n, _ := strconv.Atoi(m[3])
	return ID{Release: m[1], Phase: Phase(m[2]), Seq: n}, nil
}

// FileID is the revision a plan file (its path, or its name) is named
// after; false for a snapshot, or a .sql file not named as a revision.
func FileID(path string) (ID, bool) {
	name, ok := strings.CutSuffix(filepath.Base(path), ".sql")
	if !ok {
		return ID{}, false
	}
	id, err := ParseID(name)
	return id, err == nil
}

// MaxReleaseName is the longest release name: the version table keeps it
// in a varchar(64).
const MaxReleaseName = 64

// CheckReleaseName says why a release name cannot be used, or nil. Names
// are lowercase letters, digits and underscores, starting with a letter or
// a digit (2024_1), so that every revision name parses back to one
// release; a name that itself looks like a revision (pike_expand01) would
// make `db sync pike_expand01` ambiguous, so it is refused too.
func CheckReleaseName(name string) error {
	switch {
	case !releasePattern.MatchString(name):
		return fmt.Errorf("%q is not a valid release name: use lowercase letters, digits and underscores, starting with a letter or digit (e.g. pike, 2024_1)", name)
	case len(name) > MaxReleaseName:
		return fmt.Errorf("release name %q is %d characters long; the limit is %d", name, len(name), MaxReleaseName)
	}
	if id, err := ParseID(name); err == nil {
		return fmt.Errorf("release name %q reads as revision %s of release %s: choose a name that does not end in _<phase>NN", name, id, id.Release)
	}
	return nil
}
