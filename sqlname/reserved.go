package sqlname

import (
	"fmt"
	"regexp"
	"strings"
)

// The names emcee gives what it creates in a target or dev database, in
// one place: the packages that create these objects take their names from
// here, and a release may not declare them.
const (
	// VersionTable records the revisions applied to a target database.
	VersionTable = "emcee_revisions"
	// AcceptedTable records the differences accepted when a database was
	// adopted (db baseline --allow-drift).
	AcceptedTable = "emcee_accepted_drift"
	// DevMarkerTable marks a dev database a run is building schemas in.
	DevMarkerTable = "emcee_dev_in_use"
	// ScratchLeftTable marks a temporary dev database the server could not
	// drop, once a run has said what the operator has to do about it.
	ScratchLeftTable = "emcee_scratch_left"
	// TriggerPrefix starts the name of every sync trigger emcee creates:
	// emcee_<table>_<release>_<hash>_<bi|bu>.
	TriggerPrefix = "emcee_"
	// ParkedViewPrefix starts the name a rename's compatibility view gets
	// for the one statement between a rollback's RENAME TABLE, which swaps
	// the table back under its old name atomically, and the DROP VIEW:
	// emcee_<view>_<hash>_parked.
	ParkedViewPrefix = "emcee_"
	// ScratchPrefix starts the name of a temporary dev database:
	// emcee_scratch_<created>_<session> (ScratchDatabase).
	ScratchPrefix = "emcee_scratch_"
)

// own are emcee's tables, with what each is for.
var own = map[string]string{
	VersionTable:     "emcee's version table, which records the revisions applied to the database",
	AcceptedTable:    "the table in which emcee records the differences accepted when a database was adopted (db baseline --allow-drift)",
	DevMarkerTable:   "the table that marks a dev database emcee is building schemas in",
	ScratchLeftTable: "the table that marks a temporary dev database the server could not drop",
}

// Own reports whether a table of a target or dev database is one of
// emcee's (bookkeeping, not part of any release's schema).
func Own(table string) bool {
	_, ok := own[table]
	return ok
}

// Reserved says why a release may not declare a table of that name: it is
// one of emcee's, in any letter case (the server may compare table names
// without it). nil when it may.
func Reserved(table string) error {
	for name, what := range own {
		if strings.EqualFold(table, name) {
			return fmt.Errorf("table name %q is the name of %s; emcee reserves it (in any letter case)", table, what)
		}
	}
	return nil
}

var scratchName = regexp.MustCompile(`^` + ScratchPrefix + `([0-9]{1,19})_([0-9]{1,20})$`)

// ScratchDatabase reads the name of a temporary dev database: the server
// time it was created at (Unix seconds) and the connection id of the
// session that created it. Any run that creates one drops the others it
// finds unused, so no other database may be named so.
func ScratchDatabase(name string) (created, session string, ok bool) {
	m := scratchName.FindStringSubmatch(name)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}
