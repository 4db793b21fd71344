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
// restore or a developer's machine may not. Two such tables of one
// release are refused when it is loaded (diff's checkStructure: MariaDB's
// information_schema gives the columns of only one of them); a table of
// the release beside one of the previous release, while both releases
// run, is this note.
var _ = register(&Analyzer{
	Code:  "EM113",
	Title: "table names that differ only in case: one table on servers with lower_case_table_names = 1 (Windows, macOS)",
	Run: func(p *Pass) {
		rels := p.loadReleases()
		for i, rel := range rels {
			if rel.r == nil {
				continue
			}
			report := func(table, msg string) {
				if pos, ok := rel.r.Declarations.PosOf(table, ""); ok {
					p.report(Finding{Code: "EM113", Severity: Note, File: schemaFile(p, pos.File), Line: pos.Line, Column: pos.Col,
						Message: msg + ": on a server with lower_case_table_names = 1 (MySQL's default on Windows and macOS) they are one table, and creating the second fails",
						Fix:     "rename one of them so that the names differ in more than case"})
				}
			}
			// While both releases run (from expand to contract), the
			// previous release's tables are there too: a rename that
			// changes only case leaves a view of the old name beside
			// the table.
			if i == 0 || rels[i-1].r == nil {
				continue
			}
			prev := rels[i-1].r
			for _, t := range rel.r.Schema.Tables {
				if _, same := prev.Schema.Table(t.Name); same {
					continue
				}
				for _, o := range prev.Schema.Tables {
					if o.Name != t.Name && strings.EqualFold(o.Name, t.Name) {
						report(t.Name, fmt.Sprintf("table %s differs only in case from table %s of release %s (%s), which stays while both releases run", t.Name, o.Name, prev.Name, prev.Where(o.Name, "")))
					}
				}
			}
		}
	},
})
