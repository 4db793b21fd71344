package review

import (
	"fmt"

	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// OSCTool is the program the db commands hand table copies to with
// --osc pt-osc (or osc = "pt-osc" in the emcee block).
const OSCTool = "pt-online-schema-change"

// handToOSC says, for a statement that copies its table (cost class
// "copy"), what the tool would be given instead of the server: the
// clauses of its --alter, written back from the statement's tree as the
// applier writes them (sqlsyntax.ReadOSCAlter), or why it cannot take the
// statement (the db commands then refuse the revision before it runs).
func (l *Lock) handToOSC(sql string, rev *revision.Revision) {
	if l.Class != splitter.CostCopy {
		return
	}
	a, err := sqlsyntax.ReadOSCAlter(sql)
	if err == nil && rev.CollisionGated(a.Table) {
		err = fmt.Errorf("it converts a unique key of %s to a collation under which keys may collide, and the tool copies with INSERT IGNORE: a colliding row would silently take another's place", sqlsyntax.Ident(a.Table))
	}
	if err != nil {
		l.OSC = &OSC{Tool: OSCTool, Refused: err.Error()}
		l.Detail += fmt.Sprintf("; NOT handed to %s (%v): under --osc pt-osc the db commands refuse this revision before it runs", OSCTool, err)
		return
	}
	l.OSC = &OSC{Tool: OSCTool, Alter: a.OnCopy()}
	l.Detail = fmt.Sprintf("handed to %s: it copies %s in chunks while reads and writes continue (its triggers carry writes to the copy), then swaps the tables under a brief metadata lock", OSCTool, l.Rebuilds)
}

// OSC is what a statement's table copy is handed to.
type OSC struct {
	Tool    string `json:"tool"`
	Alter   string `json:"alter,omitempty"`   // its --alter
	Refused string `json:"refused,omitempty"` // why it cannot take the statement
}
