package project

import (
	"errors"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// HCLError lists every diagnostic as "file:line:col: summary; detail", one
// per line. HCL's own Error() shows only the first and "and N other
// diagnostic(s)", hiding what the user must fix.
func HCLError(err error) error {
	var diags hcl.Diagnostics
	if !errors.As(err, &diags) {
		return err
	}
	var lines []string
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		line := d.Summary
		if detail := d.Detail; detail != "" {
			// A panic inside a function Atlas registers (enum() did) comes
			// with its goroutine dump: the first line says what failed.
			if strings.Contains(detail, "panic in function implementation") {
				detail, _, _ = strings.Cut(detail, "\n")
			}
			line += "; " + detail
		}
		if d.Subject != nil {
			line = PosOf(*d.Subject).String() + ": " + line
		}
		lines = append(lines, line)
	}
	if len(lines) == 0 {
		return err
	}
	return errors.New(strings.Join(lines, "\n"))
}
