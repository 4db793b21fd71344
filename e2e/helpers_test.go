package e2e

import (
	"strings"
	"testing"
)

// replaceOnce edits an HCL fixture and fails loudly if the anchor is gone,
// so a fixture change cannot silently turn a case into a no-op.
func replaceOnce(s, old, new string) string {
	if strings.Count(s, old) != 1 {
		panic("fixture anchor not found exactly once: " + old)
	}
	return strings.Replace(s, old, new, 1)
}

// pasted is the block the output advises starting with the line head (a
// block's first line, as `discard {`), to its closing brace: what a person
// copies from the message into a release file.
func pasted(t *testing.T, r opResult, head string) string {
	t.Helper()
	out := r.Stdout + r.Stderr
	at := strings.Index(out, "\n"+head+"\n")
	if at < 0 {
		t.Fatalf("no block %q in the advice:\n%s", head, r)
	}
	end := strings.Index(out[at+1:], "\n}")
	if end < 0 {
		t.Fatalf("block %q has no end:\n%s", head, r)
	}
	return out[at+1:at+1+end+2] + "\n"
}
