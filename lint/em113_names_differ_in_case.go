package lint

import (
	"fmt"
	"strings"
)

// A server with lower_case_table_names = 1 (MySQL's default on Windows,
// 2 on macOS, and any server set so) stores table names in lower case:
// two tables whose names differ only in case are one table there, and
// the expand that creates the second stops half-way with "table exists".
// The server the plans were made for may accept them; a replica, a
// restore or a developer's machine may not.
func init() {
	register(&Analyzer{
		Code:  "EM113",
		Title: "table names that differ only in case: one table on servers with lower_case_table_names = 1 (Windows, macOS)",
		Run: func(p *Pass) error {
			for _, rel := range p.loadReleases() {
				if rel.r == nil {
					continue
				}
				first := map[string]string{}
				for _, t := range rel.r.Schema.Tables {
					key := strings.ToLower(t.Name)
					other, seen := first[key]
					if !seen {
						first[key] = t.Name
						continue
					}
					pos, ok := rel.r.Declarations.PosOf(t.Name, "")
					if !ok {
						continue
					}
					p.report(Finding{Code: "EM113", Severity: Note, File: schemaFile(p, pos.File), Line: pos.Line, Column: pos.Col,
						Message: fmt.Sprintf("table %s differs from table %s (%s) only in case: on a server with lower_case_table_names = 1 (MySQL's default on Windows and macOS) they are one table, and creating the second fails", t.Name, other, rel.r.Where(other, "")),
						Fix:     fmt.Sprintf("rename one of them so that the names differ in more than case (declare renamed_from on the renamed table if %s exists already)", t.Name)})
				}
			}
			return nil
		},
	})
}
