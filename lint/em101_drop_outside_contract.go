package lint

import (
	"fmt"
	"strings"

	"github.com/emcee-db/emcee/revision"
)

// Before contract the previous release still runs: anything it reads or
// writes must still be there. A drop (or a rename, which drops the old
// name) in expand or migrate breaks it while it serves.
func init() {
	register(&Analyzer{
		Code:   "EM101",
		Title:  "drop (table, column, index, foreign key, check, view) or rename in expand or migrate: the previous release still uses it",
		Replay: "drops only Atlas's destructive, condrop and incompatible analyzers see in the replayed changes",
		Run: func(p *Pass) error {
			for _, rev := range p.Plans.Revisions {
				if !beforeContract(rev) {
					continue
				}
				for i, d := range rev.parsed {
					drops := textualDrops(p, rev, i, d)
					if len(drops) == 0 {
						for _, diag := range p.replay.atlas(rev, i, atlasDestructive, atlasConDrop, atlasIncompatible) {
							drops = append(drops, fmt.Sprintf("%s (Atlas %s)", strings.TrimSuffix(diag.Text, "."), diag.Code))
						}
					}
					if len(drops) > 0 {
						p.atStatement("EM101", Error, rev, i,
							fmt.Sprintf("%s in %s: the previous release still runs during %s and uses what is dropped", strings.Join(drops, ", "), rev.ID, rev.ID.Phase),
							"drops belong in contract, after the previous release is gone; "+replan(rev))
					}
				}
			}
			return nil
		},
	})
}

// textualDrops names what a statement drops, as its text says.
func textualDrops(p *Pass, rev *Revision, i int, d *ddl) []string {
	var out []string
	switch d.kind {
	case dropTable:
		for _, n := range d.names {
			out = append(out, "drop of table "+n)
		}
	case dropView:
		for _, n := range d.names {
			out = append(out, "drop of view "+n)
		}
	case dropIndex:
		out = append(out, fmt.Sprintf("drop of index %s.%s", d.name, d.index))
	case renameTable:
		for _, r := range d.renames {
			if !viewKeepsName(rev, i, r[0], r[1]) {
				out = append(out, fmt.Sprintf("rename of table %s to %s without a view under the old name", r[0], r[1]))
			}
		}
	case alterTable:
		for _, c := range d.clauses {
			switch {
			case c.op == "DROP" && (c.object == "CHECK" || c.object == "CONSTRAINT") && checkReadded(p, rev.ID.Release, d.name, c.name):
				// A changed check: the old one goes in expand (dropping a
				// check only allows more), the new one comes in contract
				// behind a gate (rule add-check).
			case c.op == "DROP" && c.object == "PRIMARY KEY":
				out = append(out, "drop of the primary key of "+d.name)
			case c.op == "DROP":
				out = append(out, fmt.Sprintf("drop of %s %s.%s", strings.ToLower(c.object), d.name, c.name))
			case c.op == "RENAME" && c.object == "TABLE" && !viewKeepsName(rev, i, d.name, c.to):
				out = append(out, fmt.Sprintf("rename of table %s to %s without a view under the old name", d.name, c.to))
			case (c.op == "RENAME" || c.op == "CHANGE") && c.object == "COLUMN" && c.to != "" && !strings.EqualFold(c.to, c.name):
				out = append(out, fmt.Sprintf("rename of column %s.%s to %s", d.name, c.name, c.to))
			}
		}
	}
	return out
}

// viewKeepsName reports whether the revision creates, after statement i, a
// view under a renamed table's old name reading the new one: rule
// rename-table keeps the previous release working that way until contract.
func viewKeepsName(rev *Revision, i int, old, new string) bool {
	for _, d := range rev.parsed[i+1:] {
		if d.kind == createView && strings.EqualFold(d.name, old) && mentions(d.body, new) {
			return true
		}
	}
	return false
}

// checkReadded reports whether a contract revision of the release adds a
// check of that name to the table again.
func checkReadded(p *Pass, release, table, name string) bool {
	for _, rev := range p.Plans.Of(release) {
		if rev.ID.Phase != revision.Contract {
			continue
		}
		for _, d := range rev.parsed {
			if d.kind != alterTable || !strings.EqualFold(d.name, table) {
				continue
			}
			for _, c := range d.clauses {
				if c.op == "ADD" && c.object == "CHECK" && strings.EqualFold(c.name, name) {
					return true
				}
			}
		}
	}
	return false
}
