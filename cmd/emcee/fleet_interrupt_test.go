package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A fleet run interrupted before some targets start has not done its job
// on them: a script that reads exit 0 would take the fleet for upgraded.
// The run exits with a failure and says how many were not started.
func TestFleetInterruptedIsNotOK(t *testing.T) {
	targets := filepath.Join(t.TempDir(), "targets.txt")
	// Never connected to: the run is interrupted before any starts.
	if err := os.WriteFile(targets, []byte("mysql://root@127.0.0.1:1/t1\nmysql://root@127.0.0.1:1/t2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), outcomeKey{}, &outcome{}))
	cancel()
	for _, args := range [][]string{
		{"db", "expand", "--targets", targets},
		{"db", "status", "--targets", targets},
	} {
		root := newRoot()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"--config", "../../atlas.hcl"}, args...))
		err := root.ExecuteContext(ctx)
		c, msg := exitOf(err)
		if c == codeOK || !strings.Contains(msg, "2 of 2 targets not started") {
			t.Errorf("emcee %s, interrupted before any target started: exit %d (%s), want a failure saying 2 of 2 targets not started\n%s", strings.Join(args, " "), c, msg, out.String())
		}
	}
}
