package apply

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/emcee-db/emcee/project"
)

// The TLS check's perl exits, leaving behind a process of its own that
// holds its output open (a wrapper that backgrounds something, a daemon
// it starts): the check waited for that output to end, and the run hung
// for as long as the process lived, after the check's own one-minute
// limit too. The check ends once perl does.
func TestAttackS26OSCTLSCheckPerlLeavesAChild(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "hold")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// The child blocks reading the fifo, with perl's output open, until
	// the test writes to it.
	perl := filepath.Join(dir, "perl")
	if err := os.WriteFile(perl, []byte("#!/bin/sh\n(read x < "+fifo+") &\necho connecting\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = f.WriteString("go\n")
			f.Close()
		}
	})
	tool := filepath.Join(dir, "pt-online-schema-change")
	if err := os.WriteFile(tool, []byte("#!"+perl+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	err := oscDemandsTLS(t.Context(), tool, "ssl-fp=\"8E3AB824\"\n")
	if err == nil || !strings.Contains(err.Error(), perl+" -MDBI never connected to emcee's listener") {
		t.Fatalf("want the check's refusal, got %v", err)
	}
}

// The same for the tool's --version, run before every run with --osc:
// a wrapper that leaves a process holding its output hung the run.
func TestAttackS26OSCVersionLeavesAChild(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "hold")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = f.WriteString("go\n")
			f.Close()
		}
	})
	tool := filepath.Join(dir, project.PtOSCProgram)
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n(read x < "+fifo+") &\necho 'not the tool'\nexit 0\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	s := &Session{opts: Options{OSC: project.OSC{Tool: project.OSCPtOSC}}}
	if err := s.findOSC(t.Context()); err == nil || !strings.Contains(err.Error(), "--version did not run (<nil>: not the tool)") {
		t.Fatalf("want the tool refused for what it printed, got %v", err)
	}
}
