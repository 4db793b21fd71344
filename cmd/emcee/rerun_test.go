package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The command a refused rollback tells to rerun carried --allow-copy and
// --osc only: a rollback run with --osc-max-load, --env or --var was told
// to rerun without them, and the rerun ran the tool at its own thresholds,
// or on another database. Every flag that changes what the run does is
// carried, one shell word a value; a URL or a --var, either of which may
// hold a password (an env's url built from ${var.password}), is named for
// the message to say to add, never printed.
func TestRerunFlagsCarryWhatChangesTheRun(t *testing.T) {
	root := newRoot()
	args := []string{"db", "rollback", "pike", "--env", "prod", "--var", "tenants=a b", "--var", "password=hunter2",
		"--allow-copy", "--osc", "pt-osc", "--osc-max-load", "Threads_running=25", "--osc-critical-load", "Threads_running=50",
		"--osc-chunk-time", "2s", "--osc-sleep", "100ms", "--url", "mysql://u:secret@h/db", "--dev-url", "mysql://u:secret@h/dev",
		"--drop-new-data", "--dry-run", "--format", "json"}
	cmd, rest, err := root.Find(args)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatal(err)
	}
	words, add := rerunFlags(cmd)("rollback")
	want := []string{"--allow-copy", "--env", "prod", "--osc", "pt-osc", "--osc-chunk-time", "2s", "--osc-critical-load", "Threads_running=50",
		"--osc-max-load", "Threads_running=25", "--osc-sleep", "100ms"}
	if !slices.Equal(words, want) {
		t.Errorf("words:\n got %q\nwant %q", words, want)
	}
	if !slices.Equal(add, []string{"--dev-url", "--url", "--var"}) {
		t.Errorf("to add: %q", add)
	}
	if w := strings.Join(words, " "); strings.Contains(w, "secret") || strings.Contains(w, "hunter2") {
		t.Errorf("a password in the words: %q", words)
	}
	if words, _ := rerunFlags(cmd, "allow-copy", "osc")("rollback"); !slices.Equal(words, []string{"--allow-copy", "--osc", "pt-osc"}) {
		t.Errorf("only --allow-copy and --osc: %q", words)
	}
}

// A command a hint names gets the run's flags that it has, and no other:
// simulate's --allow-copy (db rollback's) went into the command that
// simulate's expand, migrate or contract told to rerun, and db expand
// refuses the flag; migrate, blocked by contract's gates, told to run
// `emcee db contract` without its --env, which worked on another
// database. Each command keeps the run's flags it has.
func TestRerunFlagsAreTheCommandsOwn(t *testing.T) {
	parse := func(args ...string) *cobra.Command {
		cmd, rest, err := newRoot().Find(args)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	sim := rerunFlags(parse("simulate", "--rollback", "--allow-copy", "--osc", "pt-osc", "--batch-size", "5"), "allow-copy", "osc")
	for sub, want := range map[string][]string{
		"rollback": {"--allow-copy", "--osc", "pt-osc"},
		"expand":   {"--osc", "pt-osc"},
		"migrate":  {"--osc", "pt-osc"},
		"contract": {"--osc", "pt-osc"},
	} {
		if got, _ := sim(sub); !slices.Equal(got, want) {
			t.Errorf("simulate's flags for db %s: %q, want %q", sub, got, want)
		}
	}
	migrate := rerunFlags(parse("db", "migrate", "--env", "prod", "--batch-size", "500", "--max-lag", "2s", "--osc", "pt-osc", "--retries", "3", "--url", "mysql://u:secret@h/db"))
	// contract's data_migration deletes run in batches, throttled as
	// migrate's backfills are.
	if got, add := migrate("contract"); !slices.Equal(got, []string{"--batch-size", "500", "--env", "prod", "--max-lag", "2s", "--osc", "pt-osc", "--retries", "3"}) || !slices.Equal(add, []string{"--url"}) {
		t.Errorf("migrate's flags for db contract: %q, to add %q", got, add)
	}
	if got, _ := migrate("migrate"); !slices.Equal(got, []string{"--batch-size", "500", "--env", "prod", "--max-lag", "2s", "--osc", "pt-osc", "--retries", "3"}) {
		t.Errorf("migrate's flags for db migrate: %q", got)
	}
}

// Every db command's hints carry its flags (withSession), db status's and
// baseline's too, whose sessions had none: status's "next: emcee db
// expand" after `db status --env prod` expanded another database. An
// override of a check stays with the command that met it: baseline
// --allow-drift (accept objects the release does not declare) told to run
// expand with --allow-drift, past a drift check nobody had looked at. A
// value starting with "-" is quoted, never read as a flag of its own.
func TestRerunFlagsOfEveryCommand(t *testing.T) {
	parse := func(args ...string) *cobra.Command {
		cmd, rest, err := newRoot().Find(args)
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.ParseFlags(rest); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	for _, c := range []struct {
		args []string
		sub  string
		want []string
	}{
		{[]string{"db", "status", "--env", "prod"}, "expand", []string{"--env", "prod"}},
		{[]string{"db", "check", "--targets", "tenants.txt", "--parallel", "8"}, "contract", []string{"--parallel", "8", "--targets", "tenants.txt"}},
		{[]string{"db", "baseline", "pike", "--env", "prod", "--allow-drift"}, "expand", []string{"--env", "prod"}},
		{[]string{"db", "baseline", "pike", "--env", "prod", "--allow-drift"}, "baseline", []string{"--allow-drift", "--env", "prod"}},
		{[]string{"db", "migrate", "--env", "prod", "--allow-drift"}, "contract", []string{"--env", "prod"}},
		{[]string{"db", "migrate", "--env", "-x", "--allow-drift"}, "migrate", []string{"--allow-drift", "--env", "'-x'"}},
		// A bool flag takes no value word: `--allow-copy false` is
		// --allow-copy, and "false" an argument (a release, to db sync).
		// Given its default, it is left out.
		{[]string{"db", "rollback", "pike", "--env", "prod", "--allow-copy=false", "--fail-fast=false"}, "rollback", []string{"--env", "prod"}},
		{[]string{"db", "rollback", "pike", "--allow-copy=true"}, "rollback", []string{"--allow-copy"}},
	} {
		if got, _ := rerunFlags(parse(c.args...))(c.sub); !slices.Equal(got, c.want) {
			t.Errorf("emcee %s, for db %s: %q, want %q", strings.Join(c.args, " "), c.sub, got, c.want)
		}
	}
}
