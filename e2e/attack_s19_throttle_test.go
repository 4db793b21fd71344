package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Threads_running counts the query that reads it: --max-load
// Threads_running=1 held every batch of migrate for good ("paused:
// Threads_running is 1"), and --osc-max-load Threads_running=1 the tool's
// copy. Both must be refused before anything runs, saying why.
func TestAttackThreadsRunningLimitOfOne(t *testing.T) {
	t.Parallel()
	p := expandedOpProject(t, 20)
	run := p.start("db", "migrate", "--max-load", "Threads_running=1")
	p.waitFor("migrate to end or pause", func() bool {
		return strings.Contains(run.out.String(), "paused:") || exited(run.cmd)
	})
	if strings.Contains(run.out.String(), "paused:") {
		_ = run.cmd.Process.Kill()
		r := run.wait(t)
		t.Fatalf("migrate --max-load Threads_running=1 paused on its own query, for good:\n%s", r.Stdout)
	}
	r := run.wait(t)
	if r.Code != 2 {
		t.Fatalf("want a usage error (2): %s", r)
	}
	opContains(t, r, "--max-load Threads_running=1: Threads_running counts the query that reads it", "give at least 2")
	for _, args := range [][]string{
		{"db", "migrate", "--critical-load", "Threads_running=1"},
		{"db", "expand", "--osc", "pt-osc", "--osc-max-load", "Threads_running=1"},
		{"db", "expand", "--osc", "pt-osc", "--osc-max-load", "Threads_connected=400,Threads_running=01"},
		{"db", "expand", "--osc", "pt-osc", "--osc-critical-load", "Threads_running=1"},
	} {
		r := p.run(args...)
		if r.Code != 2 || !strings.Contains(r.Stdout+r.Stderr, "Threads_running counts the") {
			t.Errorf("%v: want a usage error saying why: %s", args, r)
		}
	}
	if got := p.version(); got != "pike_expand01, ocata_contract01" {
		t.Fatalf("version: %s", got)
	}
}

// exited reports a child process that has ended (a zombie until waited
// for), without reaping it.
func exited(cmd *exec.Cmd) bool {
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(cmd.Process.Pid), "stat"))
	return err != nil || strings.Contains(string(stat), ") Z ")
}

// --osc-max-load Threads_runing=25 (misspelt) was refused only by the
// tool when it started, halfway through the revision (its gates and the
// statements before it run). It must be refused before the revision runs,
// as emcee's own --max-load is.
func TestAttackOSCMaxLoadUnknownVariable(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	p := newOSCProject(t, "events", "hits", 10, false, "")
	for _, load := range []string{"Threads_runing=25", "Threads_running=25,Innodb_buffer_pool_dump_status=1"} {
		r := p.run("db", "expand", "--osc", "pt-osc", "--osc-max-load", load)
		if r.Code != 1 {
			t.Fatalf("--osc-max-load %s: want exit 1: %s", load, r)
		}
		opContains(t, r, "--osc pt-osc: max load "+load)
		if strings.Contains(r.Stdout, "handed to") {
			t.Fatalf("the tool ran: %s", r)
		}
	}
	if got := p.query("SELECT COUNT(*) FROM emcee_revisions WHERE name = 'v2_expand01'"); got != "0" {
		t.Fatalf("a refused run started the revision")
	}
	p.must("db", "expand", "--osc", "pt-osc", "--osc-max-load", "Threads_running=25")
}

// --check-interval 1ns made a paused migrate query the server's status
// (and every replica) in a busy loop, thousands of times a second, on the
// server it had paused to spare; --chunk-time 1ns sized every batch to a
// row, each its own transaction and record. Both are usage errors now.
func TestAttackThrottleIntervalsTooShort(t *testing.T) {
	t.Parallel()
	p := expandedOpProject(t, 20)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--check-interval", "1ns"}, "--check-interval 1ns: each check queries the server and every replica; want 10ms or more"},
		{[]string{"--check-interval", "9ms"}, "--check-interval 9ms:"},
		{[]string{"--chunk-time", "1ns"}, "--chunk-time 1ns: batches sized to less than 1ms"},
	} {
		r := p.run(append([]string{"db", "migrate"}, c.args...)...)
		if r.Code != 2 {
			t.Errorf("%v: want a usage error (2): %s", c.args, r)
			continue
		}
		opContains(t, r, c.want)
	}
	p.must("db", "migrate", "--check-interval", "10ms", "--chunk-time", "1ms")
}
