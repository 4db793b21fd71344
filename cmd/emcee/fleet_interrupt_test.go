package main

import (
	"bytes"
	"context"
	"fmt"
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

// A fleet of thousands whose server is down failed with one line naming
// every target: 3,000 tenants made a 100 KB line on stderr and in the
// document's error. It names the first few and says how many more; the
// summary table lists them all.
func TestFleetFailureNamesAFewTargets(t *testing.T) {
	var list strings.Builder
	for i := range 40 {
		fmt.Fprintf(&list, "mysql://root@127.0.0.1:1/t%d\n", i)
	}
	targets := filepath.Join(t.TempDir(), "targets.txt")
	if err := os.WriteFile(targets, []byte(list.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"--config", "../../atlas.hcl", "db", "status", "--targets", targets, "--parallel", "8"})
	c, msg := exitOf(root.ExecuteContext(context.WithValue(context.Background(), outcomeKey{}, &outcome{})))
	if c != codeError {
		t.Fatalf("exit %d (%s), want %d", c, msg, codeError)
	}
	want := "40 of 40 targets failed: mysql://root@127.0.0.1:1/t0, mysql://root@127.0.0.1:1/t1, mysql://root@127.0.0.1:1/t2, mysql://root@127.0.0.1:1/t3, mysql://root@127.0.0.1:1/t4 and 35 more (the summary lists every target)"
	if msg != want {
		t.Fatalf("message:\n%s\nwant:\n%s", msg, want)
	}
	if !strings.Contains(out.String(), "mysql://root@127.0.0.1:1/t39  failed (1)") {
		t.Fatalf("the summary lacks the last target:\n%s", out.String())
	}
}
