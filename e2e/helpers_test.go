package e2e

import (
	"slices"
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
// block's first line, as `discard {`, indented under the message or not),
// to its closing brace at the same indentation: what a person copies from
// the message into a release file, its indentation taken off.
func pasted(t *testing.T, r opResult, head string) string {
	t.Helper()
	lines := strings.Split(r.Stdout+r.Stderr, "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimLeft(l, " ") == head })
	if start < 0 {
		t.Fatalf("no block %q in the advice:\n%s", head, r)
	}
	indent := lines[start][:len(lines[start])-len(head)]
	end := slices.Index(lines[start:], indent+"}")
	if end < 0 {
		t.Fatalf("block %q has no end:\n%s", head, r)
	}
	var b strings.Builder
	for _, l := range lines[start : start+end+1] {
		b.WriteString(strings.TrimPrefix(l, indent) + "\n")
	}
	return b.String()
}
