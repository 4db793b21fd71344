package splitter

import (
	"context"
	"fmt"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/schemadef"
)

// SQL renders a change with Atlas's planner, one statement, unqualified by
// schema name so the plan applies to whichever database the operator names.
func (c *Context) SQL(change schema.Change) (string, error) {
	var server [2]string
	server[0], server[1] = schemadef.ServerDefault(c.Target)
	plan, err := c.drv.PlanChanges(context.Background(), "emcee", []schema.Change{schemadef.WithCharsets(change, c.Target, server)}, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
	if err != nil {
		return "", err
	}
	if len(plan.Changes) != 1 {
		return "", fmt.Errorf("atlas planned %d statements for one change, where emcee writes one: %s", len(plan.Changes), joinEach(plan.Changes, "; ", func(ch *migrate.Change) string { return ch.Cmd }))
	}
	return plan.Changes[0].Cmd, nil
}

// Alter renders one table-level change as its own ALTER TABLE.
func (c *Change) Alter(changes ...schema.Change) (string, error) {
	return c.ctx.SQL(&schema.ModifyTable{T: c.Table, Changes: changes})
}

// Algorithm is the online DDL clause appended to an ALTER TABLE. Naming the
// algorithm makes the server refuse (instead of silently copying the table
// under a lock) when it cannot do the change online.
type Algorithm string

const (
	Instant Algorithm = "ALGORITHM=INSTANT"
	Inplace Algorithm = "ALGORITHM=INPLACE, LOCK=NONE"
	// NoCopy is MariaDB's "in place, without rebuilding the table": the
	// server refuses a statement that would rebuild (MySQL has no such
	// clause).
	NoCopy Algorithm = "ALGORITHM=NOCOPY, LOCK=NONE"
	// Copy rebuilds the table and blocks writes while it runs; only used
	// where the schema opts in explicitly.
	Copy Algorithm = "ALGORITHM=COPY, LOCK=SHARED"
)

// With appends the algorithm clause.
func (a Algorithm) With(alter string) string {
	return strings.TrimSuffix(alter, ";") + ", " + string(a)
}

// Off is an ALTER emcee wrote without the clause With appended, and
// whether it had that clause.
func (a Algorithm) Off(alter string) (string, bool) {
	return strings.CutSuffix(alter, ", "+string(a))
}

// withForce adds FORCE to an ALTER TABLE emcee wrote.
func withForce(alter string) string {
	return strings.TrimSuffix(alter, ";") + ", FORCE"
}
