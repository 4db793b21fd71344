package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// run executes the CLI in-process from the repository root's project file.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(append([]string{"--config", "../../atlas.hcl"}, args...))
	err := root.Execute()
	return out.String(), err
}

// cli runs emcee as main does (exit code, the error line, the document)
// from the repository root's project file.
func cli(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = execute(newRoot(), append([]string{"--config", "../../atlas.hcl"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func code(err error) int {
	c, _ := exitOf(err)
	return c
}

// Scripts branch on exit codes, so a mistake in the call (2) must never
// look like a failed run (1) or a finding (6).
func TestUsageErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"nosuch"}, `unknown command "nosuch" for "emcee"`},
		{[]string{"revew"}, `did you mean "review"?`},
		{[]string{"db", "expnd"}, `unknown command "expnd" for "emcee db" (did you mean "expand"?)`},
		{[]string{"plan", "--nosuch"}, "unknown flag: --nosuch"},
		{[]string{"db", "baseline"}, "accepts 1 arg(s), received 0"},
		// A release named where none is taken (Redmine's operator, at
		// 4_0, typing the next one) was an "unknown command" of a command
		// that has none.
		{[]string{"db", "expand", "4_1"}, `emcee db expand takes no arguments, and was given "4_1"`},
		{[]string{"lint", "4_1"}, `emcee lint takes no arguments, and was given "4_1"`},
		{[]string{"review", "--format", "xml"}, `--format "xml": want text, json, yaml or markdown`},
		{[]string{"db", "version", "--format", "xml"}, `--format "xml": want text, json or yaml`},
		// simulate --rows -5 panicked in the workers, half-way through the
		// run; negative durations were taken for none.
		{[]string{"simulate", "--url", "mysql://root@127.0.0.1:1/sim", "--rows", "-5"}, "--rows -5 is negative"},
		{[]string{"simulate", "--url", "mysql://root@127.0.0.1:1/sim", "--old-workers", "-1"}, "--old-workers -1 is negative"},
		{[]string{"simulate", "--url", "mysql://root@127.0.0.1:1/sim", "--throttle", "-1s"}, "--throttle -1s is negative"},
		{[]string{"simulate", "--url", "mysql://root@127.0.0.1:1/sim", "--pause", "-1s"}, "--pause -1s is negative"},
		{[]string{"db", "migrate", "--url", "mysql://root@127.0.0.1:1/db", "--max-rows", "-1"}, "--max-rows -1 is negative"},
		{[]string{"db", "sync", "--url", "mysql://root@127.0.0.1:1/db", "--retries", "-2"}, "--retries -2 is negative"},
	} {
		_, err := run(t, tc.args...)
		if code(err) != codeUsage || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--help' for usage and examples") {
			t.Errorf("emcee %s: exit %d, %v; want exit 2 with %q and a pointer to the help", strings.Join(tc.args, " "), code(err), err, tc.want)
		}
	}
	if out, err := run(t, "db"); err != nil || !strings.Contains(out, "Available Commands") {
		t.Errorf("emcee db alone prints its help and succeeds: %v\n%s", err, out)
	}
}

func TestEveryCommandTeachesByExample(t *testing.T) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if strings.TrimSpace(c.Example) == "" || strings.TrimSpace(c.Long) == "" {
			t.Errorf("%s: every command needs a Long help and an Example", c.CommandPath())
		}
		for _, sub := range c.Commands() {
			// cobra's own help and completion commands teach themselves.
			if sub.Name() != "help" && sub.Name() != "completion" {
				walk(sub)
			}
		}
	}
	walk(newRoot())
}

func TestCompletion(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", "review", ""}, []string{"ocata", "ussuri"}},
		{[]string{"__complete", "db", "baseline", ""}, []string{"pike"}},
		{[]string{"__complete", "db", "sync", ""}, []string{"train", "train_expand01", "ussuri_contract01"}},
		{[]string{"__complete", "review", "--format", ""}, []string{"markdown", "json"}},
	} {
		out, err := run(t, tc.args...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("completion of %v lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	if out, err := run(t, "completion", "bash"); err != nil || !strings.Contains(out, "bash completion") {
		t.Errorf("completion bash: %v", err)
	}
}

// simulate created its scratch database before it found that the release
// named does not exist, and left it behind.
func TestSimulateChecksTheReleaseBeforeTheDatabase(t *testing.T) {
	_, err := run(t, "simulate", "nosuch", "--url", "mysql://root@127.0.0.1:1/sim")
	if err == nil || !strings.Contains(err.Error(), `release "nosuch" is not in`) {
		t.Fatalf("got %v, want the unknown release (before any connection)", err)
	}
}

// A release name review does not know is answered with the releases it
// does, listed as db sync lists them: it printed Go's "[ocata pike ...]".
func TestReviewNamesTheReleasesOfAMistypedOne(t *testing.T) {
	_, err := run(t, "review", "p1ke")
	if err == nil || !strings.Contains(err.Error(), `no release "p1ke" in `) || !strings.Contains(err.Error(), "(releases: ocata, pike, queens, rocky, stein, train, ussuri)") {
		t.Errorf("emcee review p1ke: %v", err)
	}
}
