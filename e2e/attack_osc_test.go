package e2e

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The account pt-online-schema-change connects with must never rest on
// disk: emcee killed with -9 mid-copy runs no cleanup, and a defaults file
// written for the tool stayed in $TMPDIR with the password, for good. Nor
// may the password show on the tool's command line.
func TestOSCPasswordNeverOnDisk(t *testing.T) {
	needPtOSC(t)
	t.Parallel()
	const pass = `p"w#d x\y'z` // newOSCProject's password
	p := newOSCProject(t, "events", "hits", 300000, true, "  osc            = \"pt-osc\"\n  osc_chunk_time = \"20ms\"\n")
	tmp := t.TempDir()
	run := p.command("db", "expand")
	run.Env = append(run.Env, "TMPDIR="+tmp)
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	p.waitFor("the tool to copy rows", func() bool {
		var n int
		err := p.DB.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM `_events_new` LIMIT 1) x").Scan(&n)
		return err == nil && n == 1
	})
	tools := childPIDs(t, run.Process.Pid)
	if len(tools) != 1 {
		t.Fatalf("want one tool process under emcee, got %v\n%s%s", tools, stdout.String(), stderr.String())
	}
	cmdline, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(tools[0]), "cmdline"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(cmdline, []byte("w#d")) {
		t.Errorf("the password is on the tool's command line: %q", cmdline)
	}
	_ = run.Process.Kill()
	_ = run.Wait()
	p.waitFor("the tool to die with emcee", func() bool { return syscall.Kill(tools[0], 0) != nil })
	_ = filepath.WalkDir(tmp, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, err := os.ReadFile(path); err == nil && bytes.Contains(data, []byte("w#d")) {
			t.Errorf("after kill -9, %s holds the password:\n%s", path, data)
		}
		return nil
	})
	// The rerun resumes with the same account.
	p.must("db", "expand")
	if got := p.columns("events"); !strings.Contains(got, "hits bigint(20) NO") {
		t.Fatalf("hits not widened:\n%s", got)
	}
}
