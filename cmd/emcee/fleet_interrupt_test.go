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

// An env block in Atlas's shape builds its URL with urlsetpath(var.url,
// each.value). A URL with a typo in its port, or a password with an
// unencoded space or %, failed evaluation with an error quoting the whole
// URL, password and all, on stderr and in the JSON document; so did a
// --var given without its name.
func TestProjectErrorsMaskURLPasswords(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "atlas.hcl")
	if err := os.WriteFile(config, []byte(`variable "url" {
  type = string
}
variable "tenants" {
  type = list(string)
}
env "tenants" {
  for_each = toset(var.tenants)
  url      = urlsetpath(var.url, each.value)
}
emcee {
  target   = "mariadb 10.11"
  releases = ["a"]
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ args []string }{
		{[]string{"--var", "url=mysql://app:s3cr3t@db1:33x6/", "--var", "tenants=acme"}},
		{[]string{"--var", "url=mysql://app:s3cr%zzt@db1:3306/", "--var", "tenants=acme"}},
		{[]string{"--var", "url=mysql://app:s3 cr3t@db1:3306/", "--var", "tenants=acme"}},
		{[]string{"--var", "url=mysql://app:p@s3cr3t@db1:3306/", "--var", "tenants=acme"}},
		{[]string{"--var", "mysql://app:s3cr3t@db1:3306/"}},
	} {
		root := newRoot()
		var out bytes.Buffer
		root.SetOut(&out)
		root.SetErr(&out)
		root.SetArgs(append([]string{"--config", config, "db", "status", "--env", "tenants", "--format", "json"}, c.args...))
		code, msg := exitOf(root.ExecuteContext(context.WithValue(context.Background(), outcomeKey{}, &outcome{})))
		if code == codeOK {
			t.Fatalf("%v: no error", c.args)
		}
		if strings.Contains(msg+out.String(), "s3cr") || strings.Contains(msg+out.String(), "p@s") {
			t.Errorf("%v: the password shows: %s\n%s", c.args, msg, out.String())
		}
		if !strings.Contains(msg, "app:****@") {
			t.Errorf("%v: the message lost the URL it is about: %s", c.args, msg)
		}
	}
}

// --canary runs the first databases of the list; an env block's for_each
// is a set, which toset() sorts, so --var tenants=zeta --var tenants=alpha
// --canary 1 ran alpha first, the tenant the operator did not pick, and
// said nothing about it. The run names its canaries before it starts.
func TestFleetCanaryIsNamed(t *testing.T) {
	config := filepath.Join(t.TempDir(), "atlas.hcl")
	if err := os.WriteFile(config, []byte(`variable "tenants" {
  type = list(string)
}
env "tenants" {
  for_each = toset(var.tenants)
  url      = urlsetpath("mysql://root@127.0.0.1:1/", each.value)
}
emcee {
  target   = "mariadb 10.11"
  releases = ["a"]
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"--config", config, "db", "status", "--env", "tenants", "--var", "tenants=zeta", "--var", "tenants=alpha", "--canary", "1"})
	_ = root.ExecuteContext(context.WithValue(context.Background(), outcomeKey{}, &outcome{}))
	if first, _, _ := strings.Cut(out.String(), "\n"); first != "canary: mysql://root@127.0.0.1:1/alpha (the first 1 of the list; no other starts before they finish)" {
		t.Fatalf("first line %q:\n%s", first, out.String())
	}
}
