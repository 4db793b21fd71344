package lint

import (
	"fmt"
	"strings"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Contract is where drops belong, so a drop there is expected; but the rows
// it destroys are gone for good. Atlas's destructive and condrop analyzers
// name them, and emcee passes that on as a note for the reviewer.
var _ = register(&Analyzer{
	Code:   "EM108",
	Title:  "note: a contract drop destroys data (Atlas's destructive and condrop analyzers); expected in contract, worth a reviewer's look",
	Replay: "all of it: Atlas's destructive and condrop analyzers read the replayed changes",
	Run: func(p *Pass) {
		p.statements(true, func(rev *Revision, i int, d *effect.DDL) {
			declared := declaredOf(p, rev.ID.Release, rev.Statements[i].SQL)
			// A data_migration's delete: no schema change, so Atlas's
			// analyzers never see it, and the rows are gone for good.
			for _, e := range d.Effects() {
				if e.Op == effect.DeleteRows && d.Err == nil {
					p.atStatement("EM108", Note, rev, i,
						fmt.Sprintf("data at risk: deletes the rows of %s its WHERE selects%s", e.Table, deletedBy(p, rev.ID.Release, e.Table, rev.Statements[i].SQL)),
						"nothing to change if those rows may go; otherwise copy them out first (the statement's WHERE, as SELECT * FROM the table, lists them) before contract runs")
				}
			}
			for _, d := range p.replay.atlas(rev, i, atlasDestructive, atlasConDrop) {
				p.atStatement("EM108", Note, rev, i,
					fmt.Sprintf("data at risk: %s (Atlas %s)%s", strings.TrimSuffix(d.Text, "."), d.Code, declared),
					"nothing to change if the data is no longer needed; otherwise keep a backup or move the data (a data_migration in this release) before contract runs")
			}
		})
	},
})

// declaredOf names, for each column or table a statement drops, the
// discard that accepted the loss, or the new column its values live on
// in (renamed_from, replaces, a data_migration inserting rows of another
// table from them), so the reviewer sees the drop was declared,
// not forgotten.
func declaredOf(p *Pass, release, sql string) string {
	rel := p.release(release)
	if rel == nil || rel.r == nil {
		return ""
	}
	d := rel.r.Declarations
	var said []string
	for _, e := range effect.Of(sql) {
		var x *diff.Discard
		switch e.Op {
		case effect.DropColumn:
			if by := d.TakenOver(e.Table, e.Name); by != nil {
				how := "renamed_from"
				if by.Replaces != nil {
					how = "replaces"
				}
				said = append(said, fmt.Sprintf("%s.%s lives on in %s (%s at %s)", e.Table, e.Name, by.Ref, how, by.Pos))
				continue
			}
			if m := d.MovedBy(e.Table, e.Name); m != nil {
				said = append(said, fmt.Sprintf("%s.%s moves into rows of %s (data_migration %q at %s, whose gate runs before the drop)", e.Table, e.Name, m.Table, m.Name, m.Pos))
				continue
			}
			x = d.Discarded(e.Table, e.Name)
		case effect.DropTable:
			x = d.Discarded(e.Table, "")
		}
		if x != nil {
			said = append(said, fmt.Sprintf("declared on purpose: discard of %s at %s", x, x.Pos))
		}
	}
	if len(said) == 0 {
		return ""
	}
	return "; " + strings.Join(said, "; ")
}

// deletedBy names the data migration whose delete the statement is, so
// the reviewer sees the loss was declared. A table may have several (Redmine
// 5.0 deletes two settings, bcc_recipients and openid): the statement is the
// one whose DELETE the splitter writes for it (sqlsyntax.DeleteRows, the
// statement's one writer), so each note names its own declaration only.
func deletedBy(p *Pass, release, table, sql string) string {
	rel := p.release(release)
	if rel == nil || rel.r == nil {
		return ""
	}
	for _, m := range rel.r.Declarations.Deletes(table) {
		if own, err := sqlsyntax.DeleteRows(table, m.DeleteExpr); err == nil && own == sql {
			return fmt.Sprintf("; declared on purpose: data_migration %q at %s", m.Name, m.Pos)
		}
	}
	return ""
}
