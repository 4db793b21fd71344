package apply

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Every command a hint names carries the run's flags that command takes
// (Options.Rerun, through Session.command): expand's "then run `emcee db
// migrate`", db status's "next: emcee db expand", baseline's "run `emcee
// db expand`" after `db baseline pike --env local` and the others sent
// the operator, without --env, to run the next step on another database
// ($EMCEE_ENV's, or the url of atlas.hcl).
func TestHintsCarryTheRunsFlags(t *testing.T) {
	flags := func(cmd string) ([]string, []string) {
		switch cmd {
		case "rollback":
			return []string{"--env", "prod", "--osc", "pt-osc", "--osc-max-load", "Threads_running=25"}, []string{"--url"}
		case "baseline":
			return []string{"--allow-drift", "--env", "prod"}, []string{"--url"}
		}
		return []string{"--env", "prod"}, []string{"--url"}
	}
	const add = " (with this run's --url, left out here: it may hold a password)"
	migrate := &revision.Revision{ID: revision.ID{Release: "pike", Phase: revision.Migrate, Seq: 1}}
	rollback := &revision.Revision{ID: revision.ID{Release: "pike", Phase: revision.Rollback, Seq: 1}}
	session := func(cmd, target string, revs ...*revision.Revision) *Session {
		return &Session{cmd: cmd, target: target, opts: Options{Rerun: flags},
			Project: &project.Project{Releases: []string{"ocata", "pike"}},
			Plans:   &revision.Plans{Revisions: revs}, Records: history.Records{"v1_expand01": &history.Record{Name: "v1_expand01"}}}
	}
	next := func(err error) string {
		var r *Refusal
		if !errors.As(err, &r) {
			t.Fatalf("not a refusal: %v", err)
		}
		return r.Next
	}
	for _, c := range []struct {
		name string
		got  string
		want string
	}{
		{"the run's own command", session("migrate", "").rerun(), "`emcee db migrate --env prod`" + add},
		{"another command", session("migrate", "").command("contract"), "`emcee db contract --env prod`" + add},
		{"a rollback's own release", session("rollback", "pike").rerun("--drop-new-data"), "`emcee db rollback pike --drop-new-data --env prod --osc pt-osc --osc-max-load Threads_running=25`" + add},
		{"another release than the run's", session("rollback", "pike").command("rollback", "b"), "`emcee db rollback b --env prod --osc pt-osc --osc-max-load Threads_running=25`" + add},
		{"a flag the hint gives once", session("baseline", "").command("baseline", "pike", "--allow-drift"), "`emcee db baseline pike --allow-drift --env prod`" + add},
		{"expand's next, a migrate pending", session("expand", "", migrate).nextAfterExpand("pike"), "run `emcee db migrate --env prod`" + add},
		{"expand's next, nothing to migrate", session("expand", "").nextAfterExpand("pike"), "once no ocata code is left, run `emcee db contract --env prod`" + add},
		{"a rollback the server copies, without the tool", session("rollback", "pike").withoutTool(rollback), "rerun `emcee db rollback pike --allow-copy --osc none --env prod`" + add + " to have the server copy"},
		{"forget, a name in other letter case", session("forget", "").forgetWhich("V1_EXPAND01"), "did you mean `emcee db forget v1_expand01 --env prod`" + add + "?"},
		{"forget, no such name", session("forget", "").forgetWhich("x"), "as `emcee db status --env prod`" + add + " lists them"},
		{"dependents", next(session("contract", "").dependentsRefusal(migrate, []string{"  view v reads t.c"}, nil, 0)), "`emcee db diff --env prod`" + add + " lists the triggers and views"},
		{"a gate that cannot run", next(gateCheck{rev: migrate, broken: []GateResult{{Rule: "r"}}, diff: session("contract", "").command("diff")}.err()), "`emcee db diff --env prod`" + add + " lists the differences"},
		{"db status, contract blocked by data", blockedNext(session("", "").command("contract")), "then rerun `emcee db contract --env prod`" + add},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%s:\n got %s\nwant it to hold %s", c.name, c.got, c.want)
		}
	}
	// No flags (simulate, a test): the command alone.
	if got := (&Session{cmd: "sync", target: "two"}).rerun(); got != "`emcee db sync two`" {
		t.Errorf("without Options.Rerun: %s", got)
	}
}

// A hint names a command only through Session.command: a literal
// "`emcee db ..." in the applier or the commands is one written outside
// it, without the run's flags. What names a command the operator ran
// before (the backup taken before `emcee db expand`) names no command to
// run.
func TestNoHintBuiltOutsideTheOwner(t *testing.T) {
	bare := regexp.MustCompile(`^emcee db [a-z]+($|[,(]| \(| --)`)
	past := []string{"the backup taken before `emcee db expand` of", "once a later `emcee db expand` of", "(as `emcee db migrate --chunk-time`)"}
	for _, dir := range []string{".", "../cmd/emcee"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
				}
				for _, p := range past {
					s = strings.ReplaceAll(s, p, "")
				}
				// A bare command (db status's next was "emcee db expand");
				// not a run's first line ("emcee db diff on %s"), nor init's
				// baseline command, which names the adopted database's URL.
				if strings.Contains(s, "`emcee db") || bare.MatchString(s) {
					t.Errorf("%s: a command written outside Session.command: %s", fset.Position(lit.Pos()), lit.Value)
				}
				return true
			})
		}
	}
}

// A contract blocked by data says how many of its gates count rows in
// words that agree with the count (sqlsyntax.OneOrMany).
func TestBlockedGatesAgreeWithTheirCount(t *testing.T) {
	rev := &revision.Revision{ID: revision.ID{Release: "two", Phase: revision.Contract, Seq: 1}}
	g := GateResult{Rule: "r", Why: "why", At: "plans/x.sql:3", Count: 2, ListSQL: "SELECT 1"}
	for _, c := range []struct {
		closed []GateResult
		want   string
	}{
		{[]GateResult{g}, "yet 1 of 1 gate still counts rows"},
		{[]GateResult{g, g}, "yet 2 of 2 gates still count rows"},
	} {
		err := gateCheck{rev: rev, results: c.closed, closed: c.closed, cmd: "`emcee db contract`"}.err()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v\nwant it to hold %q", err, c.want)
		}
	}
}
