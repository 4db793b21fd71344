package splitter

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

var (
	mariadb1011 = project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	mysql80     = project.Target{Flavor: "mysql", Major: 8, Minor: 0}
	mysql84     = project.Target{Flavor: "mysql", Major: 8, Minor: 4}
)

// tcTransition diffs two releases (table blocks; the schema block is added)
// offline for a target with the release pipeline `emcee plan` runs.
func tcTransition(t *testing.T, target project.Target, before, after string) (*diff.Transition, *Context) {
	t.Helper()
	tr, ctx, err := tcDiff(target, before, after)
	if err != nil {
		t.Fatal(err)
	}
	return tr, ctx
}

// tcDiff is tcTransition for a case whose declarations the pipeline
// refuses; given asOf, after is planned again as a later revision of the
// release that was asOf.
func tcDiff(target project.Target, before, after string, asOf ...string) (*diff.Transition, *Context, error) {
	source := func(name, body string) diff.Source {
		return diff.Source{Release: name, File: name + ".hcl", Src: []byte("schema \"app\" {}\n" + body)}
	}
	from := source("before", before)
	src := Sources{Prev: &from, To: source("after", after)}
	for _, a := range asOf {
		was := source("after", a)
		src.AsOf = &was
	}
	pl, err := Diff(target, src)
	if err != nil {
		return nil, nil, err
	}
	drv, err := diff.Offline(target)
	if err != nil {
		return nil, nil, err
	}
	return pl.Transition, newContext(pl.Transition, target, drv), nil
}

// tcStep is what a rule placed, with its stage, as the tests assert it.
type tcStep struct {
	Rule  string
	Phase revision.Phase
	Stage Stage
	Kind  revision.Kind
	SQL   string
}

// tcSteps runs the rule table over a transition like Split does, but keeps
// each step's stage and leaves the steps in claim order (rule order, then
// change order), so a test can assert where every statement goes.
func tcSteps(t *testing.T, target project.Target, before, after string) ([]tcStep, error) {
	t.Helper()
	tr, ctx, err := tcDiff(target, before, after)
	if err != nil {
		return nil, err
	}
	var out []tcStep
	for _, r := range rules {
		for _, ch := range ctx.changes {
			if ch.claimed || !r.Match(ch) {
				continue
			}
			ch.claimed = true
			steps, err := r.split(ch)
			if err != nil {
				return nil, err
			}
			for _, s := range steps {
				sqls := []string{s.SQL}
				if s.fkOff {
					sqls = ctx.withoutFKChecks(s.SQL)
				}
				for _, sql := range sqls {
					out = append(out, tcStep{Rule: r.Name, Phase: s.Phase, Stage: s.Stage, Kind: s.Kind, SQL: sql})
				}
			}
		}
	}
	for _, ch := range ctx.changes {
		if !ch.claimed {
			_, err := Split(tr, target, ctx.drv)
			return nil, err
		}
	}
	for _, s := range out {
		tcPlanned(t, s.Rule, s.Kind, s.SQL)
	}
	return out, nil
}

// tcPlanned fails the test on a statement a rule writes outside a
// directive that effect's DDL.Planned does not know as one emcee writes,
// or a gate or backfill revision.Statement.Foreign refuses:
// the applier refuses every revision holding one (apply's
// Session.readable), so a rule writing a new kind of statement must teach
// Planned that kind first. Every rule case (tcCase, tcSteps) and whole
// transition (TestEveryStatementSplitWritesIsPlanned) goes through it.
func tcPlanned(t *testing.T, rule string, kind revision.Kind, sql string) {
	t.Helper()
	if why := (revision.Statement{Kind: kind, SQL: sql}).Foreign(nil); why != "" {
		t.Errorf("rule %s writes a statement revision.Statement.Foreign calls %s, which the applier refuses: %s", rule, why, sql)
	}
}

// tcImages is the previous release most unit cases start from.
const tcImages = `
table "owners" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  primary_key {
    columns = [column.id]
  }
}
table "images" {
  schema = schema.app
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(30)
  }
  column "kind" {
    type = enum("a", "b", "c")
    null = true
  }
  column "size" {
    type = int
    null = true
  }
  column "owner_id" {
    type = bigint
    null = true
  }
  column "price" {
    type = decimal(10, 2)
    null = true
  }
  column "note" {
    type = varchar(60)
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_owner" {
    columns = [column.owner_id]
  }
}
`

// tcEdit applies old -> new replacements to base; each old must occur
// exactly once, so a typo in a case fails instead of testing nothing.
func tcEdit(t *testing.T, base string, pairs ...string) string {
	t.Helper()
	s := base
	for i := 0; i+1 < len(pairs); i += 2 {
		if n := strings.Count(s, pairs[i]); n != 1 {
			t.Fatalf("edit %q occurs %d times", pairs[i], n)
		}
		s = strings.Replace(s, pairs[i], pairs[i+1], 1)
	}
	return s
}

// tcCase is one table-driven unit case: a change to tcImages for a target,
// and every step the rules must place (or the error the plan must give).
type tcCase struct {
	name   string
	target project.Target
	// before edits tcImages into the previous release (none: tcImages);
	// edits then turn that into the new release.
	before []string
	edits  []string
	want   []tcStep
	errHas []string
	// rollback, when set, is what the rules place in the rollback phase
	// (in claim order, like want); want holds the upgrade's steps only.
	rollback []tcStep
}

func (c tcCase) run(t *testing.T) {
	t.Helper()
	before := tcEdit(t, tcImages, c.before...)
	after := tcEdit(t, before, c.edits...)
	got, err := tcSteps(t, c.target, before, after)
	if len(c.errHas) > 0 {
		if err == nil {
			t.Fatalf("plan succeeded, want an error containing %q; steps:\n%s", c.errHas, tcDump(got))
		}
		for _, s := range c.errHas {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("error lacks %q:\n%v", s, err)
			}
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	upgrade, rollback := tcApart(got)
	if !slices.Equal(upgrade, c.want) {
		t.Errorf("steps differ\n got:\n%s\nwant:\n%s", tcDump(upgrade), tcDump(c.want))
	}
	if c.rollback != nil && !slices.Equal(rollback, c.rollback) {
		t.Errorf("rollback steps differ\n got:\n%s\nwant:\n%s", tcDump(rollback), tcDump(c.rollback))
	}
}

// tcApart splits steps into the upgrade's and the rollback's.
func tcApart(steps []tcStep) (upgrade, rollback []tcStep) {
	for _, s := range steps {
		if s.Phase == revision.Rollback {
			rollback = append(rollback, s)
		} else {
			upgrade = append(upgrade, s)
		}
	}
	return upgrade, rollback
}

func tcDump(steps []tcStep) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "\t\t{Rule: %q, Phase: revision.%s, Stage: %s, Kind: %q, SQL: %q},\n", s.Rule, phaseName(s.Phase), stageName(s.Phase, s.Stage), s.Kind, s.SQL)
	}
	return b.String()
}

func phaseName(p revision.Phase) string {
	return strings.ToUpper(string(p)[:1]) + string(p)[1:]
}

// stageName is the name of a phase's stage as rule.go declares it, for
// the steps tcDump prints as Go. Read from rule.go's const blocks, so that
// a stage added there is named here without an edit (a list kept here
// lacked StageDeleteRows, and named every contract stage after it by its
// predecessor): each block's first constant is the phase's first stage,
// and the others follow it one by one (iota).
func stageName(p revision.Phase, s Stage) string {
	stageNamesOnce.Do(readStageNames)
	if stageNamesErr != nil {
		panic(stageNamesErr)
	}
	if n, ok := stageNames[p][s]; ok {
		return n
	}
	return fmt.Sprint(int(s))
}

var (
	stageNamesOnce sync.Once
	stageNames     map[revision.Phase]map[Stage]string
	stageNamesErr  error
)

// readStageNames fills stageNames from rule.go. The phase of a const block
// of stages is its first constant's; a block this does not know is an
// error, not a name left out.
func readStageNames() {
	first := map[string]struct {
		phase revision.Phase
		value Stage
	}{
		"StageExpandGate":   {revision.Expand, StageExpandGate},
		"StageRenameTable":  {revision.Expand, StageRenameTable},
		"StageBackfill":     {revision.Migrate, StageBackfill},
		"StageGate":         {revision.Contract, StageGate},
		"StageRollbackGate": {revision.Rollback, StageRollbackGate},
	}
	f, err := parser.ParseFile(token.NewFileSet(), "rule.go", nil, 0)
	if err != nil {
		stageNamesErr = err
		return
	}
	stageNames = map[revision.Phase]map[Stage]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		var at struct {
			phase revision.Phase
			value Stage
		}
		for i, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if i == 0 {
				if typ, _ := v.Type.(*ast.Ident); typ == nil || typ.Name != "Stage" {
					break // not stages
				}
				if at, ok = first[v.Names[0].Name]; !ok {
					stageNamesErr = fmt.Errorf("rule.go: const block of %s: stageName knows no phase for it; add it to readStageNames", v.Names[0].Name)
					return
				}
			} else if len(v.Values) > 0 || len(v.Names) > 1 {
				stageNamesErr = fmt.Errorf("rule.go: %s is not the stage after the one before it (iota); readStageNames reads no other form", v.Names[0].Name)
				return
			}
			if stageNames[at.phase] == nil {
				stageNames[at.phase] = map[Stage]string{}
			}
			stageNames[at.phase][at.value+Stage(i)] = v.Names[0].Name
		}
	}
}

// stageName names every stage of its phase as rule.go does: the list it
// kept lacked StageDeleteRows, and printed StageDropView for
// StageDropTrigger and 11 for StageDropTable.
func TestStageNamesFollowRuleGo(t *testing.T) {
	for _, tc := range []struct {
		phase revision.Phase
		stage Stage
		want  string
	}{
		{revision.Expand, StageExpandGate, "StageExpandGate"},
		{revision.Expand, StageAddColumn, "StageAddColumn"},
		{revision.Migrate, StageDataMigration, "StageDataMigration"},
		{revision.Contract, StageGate, "StageGate"},
		{revision.Contract, StageDeleteRows, "StageDeleteRows"},
		{revision.Contract, StageDropTrigger, "StageDropTrigger"},
		{revision.Contract, StageDropTable, "StageDropTable"},
		{revision.Rollback, StageRollbackDropTable, "StageRollbackDropTable"},
		{revision.Contract, Stage(99), "99"},
	} {
		if got := stageName(tc.phase, tc.stage); got != tc.want {
			t.Errorf("stageName(%s, %d) = %s, want %s", tc.phase, tc.stage, got, tc.want)
		}
	}
}
