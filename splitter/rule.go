// Package splitter classifies each schema change between two releases into
// expand, migrate and contract steps. Every classification is a Rule in a
// file of its own; a change no rule claims is a planning error, never a
// guess. Transition (transition.go) is the whole release pipeline for one
// transition (evaluate, validate, diff, split): every planner of
// transitions goes through it.
package splitter

import (
	"cmp"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/revision"
)

// Rule is one row of the classification table.
type Rule struct {
	Name string
	// Doc feeds the README table and `emcee review`.
	Doc RuleDoc
	// Priority orders rules: lower runs first, 0 for most. Rules that pair
	// changes (a replacement claims an AddColumn and the old column's
	// DropColumn) must run before the rules that would take those changes
	// one by one.
	Priority int
	// Match reports whether the rule claims the change.
	Match func(c *Change) bool
	// Split turns the change into steps.
	Split func(c *Change) ([]Step, error)
	// PerTransition, when set, runs once per transition whatever the
	// changes are: declared intent without a schema change (a data-only
	// migration) has no Atlas change for Match to see.
	PerTransition func(ctx *Context) ([]Step, error)
}

// RuleDoc describes a rule for humans.
type RuleDoc struct {
	Change string // "add column, nullable or with a default"
	Phases string // "expand"
	Gate   string // what contract checks first, or ""
	// Rollback is what the release's rollback revision does to undo the
	// rule's expand statements (rollback.go), or why it cannot.
	Rollback string
	// Example is HCL a release file takes as it is written here, one
	// attribute a line (HCL refuses a single-line block of more than
	// one): a table's blocks or attributes, pasted into its table block,
	// or top-level blocks (ExampleInTable tells which). A change made by
	// removing a block says so in a comment.
	Example string
}

// ExampleInTable tells whether the example goes in a table block: it
// declares a table's attributes or blocks (a column, an index, a
// charset), or is a comment on one; otherwise it is blocks of the
// release file's top level (a table, a discard, a data_migration).
func (d RuleDoc) ExampleInTable() bool {
	f, diags := hclsyntax.ParseConfig([]byte(d.Example), "example", hcl.InitialPos)
	if diags.HasErrors() {
		return true // TestRuleExamplesArePasteable names the example
	}
	body := f.Body.(*hclsyntax.Body)
	if len(body.Attributes) > 0 || len(body.Blocks) == 0 {
		return true
	}
	return !slices.ContainsFunc(body.Blocks, func(b *hclsyntax.Block) bool { return diff.TopLevel(b.Type) })
}

// Step is one statement placed in a phase.
type Step struct {
	Phase revision.Phase
	Stage Stage
	revision.Statement
	// fkOff marks an ALTER that adds a foreign key in place, which both
	// servers allow only with foreign_key_checks off; Split wraps it for
	// the target once the table's ALTERs are combined.
	fkOff bool
	// on is the table of the change that placed the step.
	on string
	// syncGroup marks an instant expand ALTER the sync triggers rely on
	// (a synced column, a placeholder default): a table's instant ALTERs
	// that are all such keep the comment their statement had when only
	// these were gathered.
	syncGroup bool
	// refusal marks a rollback step that stands for an expand statement
	// emcee cannot undo online (rollback.go): the rollback revision then
	// holds only the refusals.
	refusal bool
	// replaced marks the drop of a unique index that a unique index added
	// in the release takes over (StageDropReplacedIndex): combine keeps it
	// in the statement that adds its successor, never before it.
	replaced bool
}

// Stage orders statements inside a phase, whatever order Atlas reported the
// changes in: tables before their columns, columns before indexes on them,
// triggers after the columns they read, and in contract, gates first and
// triggers dropped before the columns they reference.
type Stage int

// StageExpandGate holds expand's gates, which the applier runs before the
// revision's first statement (a conversion's collision count).
const StageExpandGate Stage = 0

const (
	// StageRenameTable comes before StageCreateTable: a new table's
	// foreign key may reference a table under the name the release gives
	// it (Keycloak 4.0.0's DEFAULT_CLIENT_SCOPE references CLIENT_SCOPE,
	// renamed from CLIENT_TEMPLATE), which the server refuses (errno 150)
	// until the rename has run.
	StageRenameTable Stage = 10 + iota
	StageCreateTable
	// StageConvertTable moves a table to its new default charset before
	// columns are added or modified without one: they take the default.
	StageConvertTable
	StageAddColumn
	StageModifyColumn
	StageAddIndex
	StageAddConstraint
	StageTrigger
)

const (
	StageBackfill Stage = 10 + iota
	StageDataMigration
)

const (
	StageGate Stage = iota
	// StageDeleteRows is a data migration's delete (duplicates before a
	// unique key): first after the gates, before anything contract
	// changes in the schema, so that a delete a foreign key refuses stops
	// contract with the schema untouched.
	StageDeleteRows
	// StageDropKeyOnRenamedColumn drops a foreign key referencing a column
	// the release renames before StageTakeOverRenamedKey moves the index
	// the key needs (refersRenamed).
	StageDropKeyOnRenamedColumn
	// StageTakeOverRenamedKey replaces a unique key on a renamed column
	// (renamed_from) by the release's key on the new name, the old index
	// dropped in the same ALTER, before the copy triggers go: while they
	// run, the old index refuses a duplicate the new release writes (they
	// copy it across); once they are gone its rows get NULL or the
	// placeholder default there. Added after the column's drop, the new
	// key was enforced by nothing from the triggers' drop on, a
	// duplicate written meanwhile failed its ADD after the gate had
	// passed, and a NOT NULL column's placeholder default made the old
	// index refuse the new release's second insert.
	StageTakeOverRenamedKey
	StageDropTrigger
	StageDropView
	StageDropForeignKey
	StageDropCheck
	StageDropIndex
	StageDropColumn
	StageTighten
	StageAddGatedConstraint
	// StageAddKeyAfterIndex adds a foreign key to another table's columns
	// that no index served before contract added one at
	// StageAddGatedConstraint (fk_ref_index.go): among those statements,
	// contract puts the referencing table's first (it drops the tables
	// that reference others first), and the server refused the key
	// (error 1822) before the index it needs.
	StageAddKeyAfterIndex
	// StageDropReplacedIndex drops a unique index only once the unique
	// index that takes it over (its columns or some of them, under another
	// name: holdsKey) is there: dropped first, the key went unenforced while the new release
	// wrote, and a duplicate it wrote meanwhile failed the add half-way
	// through contract (Keycloak 4.0.0's UK_CLI_TEMPLATE, UK_CLI_SCOPE on
	// the renamed CLIENT_SCOPE).
	StageDropReplacedIndex
	StageDropTable
)

// Rollback stages undo expand's in reverse: gates first, then the
// triggers, constraints and indexes expand added, the columns it changed
// and added, the tables it renamed (their columns were undone under the
// new name) and last the tables it created.
const (
	StageRollbackGate Stage = 100 + iota
	StageRollbackDropTrigger
	StageRollbackDropConstraint
	StageRollbackDropIndex
	StageRollbackRestoreColumn
	StageRollbackDropColumn
	StageRollbackRenameTable
	StageRollbackDropTable
)

var rules []*Rule

// split is the rule's Split with what holds for every rule's statements
// corrected in one place: an in-place rebuild of a table that keeps a
// FULLTEXT index is a copy (fulltext.go).
func (r *Rule) split(ch *Change) ([]Step, error) {
	out, err := r.Split(ch)
	for i := 0; err == nil && i < len(out); i++ {
		out[i], err = ch.fulltextLock(out[i])
	}
	return out, err
}

// register adds a rule; each rule file calls it from init.
func register(r *Rule) {
	rules = append(rules, r)
	slices.SortStableFunc(rules, func(a, b *Rule) int { return cmp.Or(a.Priority-b.Priority, strings.Compare(a.Name, b.Name)) })
}

// Rules lists the rules in the order they are tried.
func Rules() []*Rule { return rules }

// Change is one Atlas change with the context a rule needs.
type Change struct {
	schema.Change
	// Table is the table in the target state, or the dropped table.
	Table *schema.Table
	// FromTable is the same table in the source state (nil if new).
	FromTable *schema.Table
	ctx       *Context
	seq       int
	claimed   bool
}

// is matches a change of type T.
func is[T schema.Change](c *Change) bool {
	_, ok := c.Change.(T)
	return ok
}

// matches is a Match claiming the changes of type T that pred accepts.
func matches[T schema.Change](pred func(c *Change, x T) bool) func(*Change) bool {
	return func(c *Change) bool {
		x, ok := c.Change.(T)
		return ok && pred(c, x)
	}
}

// splits is the Split of a rule whose Match claims changes of type T only.
func splits[T schema.Change](split func(c *Change, x T) ([]Step, error)) func(*Change) ([]Step, error) {
	return func(c *Change) ([]Step, error) { return split(c, c.Change.(T)) }
}

func stmt(phase revision.Phase, stage Stage, why, sql string) Step {
	return Step{Phase: phase, Stage: stage, Statement: revision.Statement{Why: why, SQL: sql}}
}

// joinEach joins f of each x with sep: the lists of names, values and
// clauses that statements and their reasons write.
func joinEach[T any](xs []T, sep string, f func(T) string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return strings.Join(out, sep)
}

// gateStmt is a gate (gate.go) placed in a phase.
func gateStmt(phase revision.Phase, stage Stage, why, sql string) Step {
	return Step{Phase: phase, Stage: stage, Statement: revision.Statement{Kind: revision.Gate, Why: why, SQL: sql}}
}

// ExampleWhere says where the example goes, as the rule table prints it.
func (d RuleDoc) ExampleWhere() string {
	if d.ExampleInTable() {
		return "in a table block"
	}
	return "at the top level of the release file"
}
