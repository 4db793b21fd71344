package apply

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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
