package project

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
)

// Pos is a position in a file of the project (atlas.hcl, a release, a SQL
// release), printed as file:line:col, or as the file alone when the line
// is not known.
type Pos struct {
	File      string
	Line, Col int
}

// PosOf is where an HCL range starts.
func PosOf(r hcl.Range) Pos { return Pos{File: r.Filename, Line: r.Start.Line, Col: r.Start.Column} }

func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Errorf builds an error that starts with the position.
func (p Pos) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s: %s", p, fmt.Sprintf(format, args...))
}
