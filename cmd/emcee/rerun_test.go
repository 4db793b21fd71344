package main

import (
	"slices"
	"strings"
	"testing"
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
	words, add := rerunFlags(cmd)
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
	if words, _ := rerunFlags(cmd, "allow-copy", "osc"); !slices.Equal(words, []string{"--allow-copy", "--osc", "pt-osc"}) {
		t.Errorf("only --allow-copy and --osc: %q", words)
	}
}
