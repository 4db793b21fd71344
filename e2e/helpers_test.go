package e2e

import (
	"strings"
)

// replaceOnce edits an HCL fixture and fails loudly if the anchor is gone,
// so a fixture change cannot silently turn a case into a no-op.
func replaceOnce(s, old, new string) string {
	if strings.Count(s, old) != 1 {
		panic("fixture anchor not found exactly once: " + old)
	}
	return strings.Replace(s, old, new, 1)
}
