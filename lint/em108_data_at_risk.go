package lint

import (
	"fmt"
	"maps"
	"slices"
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
// table from them, a fill of an earlier release copying it), so the
// reviewer sees the drop was declared, not forgotten.
func declaredOf(p *Pass, release, sql string) string {
	rel := p.release(release)
	if rel == nil {
		return ""
	}
	d := rel.Declarations
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
			if f := filledFrom(p, release, e.Table, e.Name); f != "" {
				said = append(said, f)
			}
			x = d.Discarded(e.Table, e.Name)
		case effect.DropTable:
			if ms := d.RowsMovedBy(e.Table); len(ms) > 0 {
				m, also := ms[0], ""
				if len(ms) > 1 {
					also = fmt.Sprintf(", and %s", sqlsyntax.Plural(len(ms)-1, "more data_migration"))
				}
				said = append(said, fmt.Sprintf("the rows of %s move into rows of %s (data_migration %q at %s%s, %s before the drop)", e.Table, m.Table, m.Name, m.Pos, also, sqlsyntax.OneOrMany(len(ms), "whose gate runs", "whose gates run")))
				continue
			}
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
// 5.0 deletes two settings, bcc_recipients and openid): the statement's
// predicate, as sqlsyntax reads a data migration's DELETE (DeletedWhere,
// in either form the splitter writes), is compared with each declared
// one as the parser reads both (SameExpr), so each note names its own
// declaration only, however the statement spells it.
func deletedBy(p *Pass, release, table, sql string) string {
	rel := p.release(release)
	if rel == nil {
		return ""
	}
	t, where, ok := sqlsyntax.DeletedWhere(sql)
	if !ok || !strings.EqualFold(t, table) {
		return ""
	}
	for _, m := range rel.Declarations.Deletes(table) {
		if sqlsyntax.SameExpr(where, m.DeleteExpr.SQL()) {
			return fmt.Sprintf("; declared on purpose: data_migration %q at %s", m.Name, m.Pos)
		}
	}
	return ""
}

// filledFrom names the column an earlier release added with `fill = "<the
// column>"` (the column alone, no expression around it) and the releases
// since kept, while keeping table.column too: that release's backfill and
// fill trigger copied table.column's values into it, up to its contract
// (which drops the trigger). Only so far is it knowable: what the releases
// since wrote into either column, the declarations do not say. A renamed_from or
// replaces of an earlier release leaves nothing to drop later (its source
// goes in that release's contract; a column of the name since is another
// one), so a fill is the only earlier copy. "" when there is none.
func filledFrom(p *Pass, release, table, column string) string {
	n := p.Project.Index(release)
	rels := p.loadReleases()
	if n < 1 || rels[n].r == nil {
		return ""
	}
	has := func(i int, col string) bool {
		if rels[i].r == nil {
			return false
		}
		t, ok := rels[i].r.Schema.Table(table)
		if !ok {
			return false
		}
		_, ok = t.Column(col)
		return ok
	}
	bare := sqlsyntax.Ident(strings.ToLower(column))
	for i := n - 1; i >= 1 && has(i, column); i-- {
		d := rels[i].r.Declarations
		for _, ref := range slices.SortedFunc(maps.Keys(d.Columns), func(a, b diff.ColumnRef) int { return strings.Compare(a.String(), b.String()) }) {
			c := d.Columns[ref]
			if ref.Table != table || c.FillExpr == nil || !sqlsyntax.SameExpr(strings.ToLower(c.FillExpr.SQL()), bare) {
				continue
			}
			kept := true
			for j := i; j <= n; j++ {
				kept = kept && has(j, ref.Column)
			}
			if kept {
				return fmt.Sprintf("%s.%s lives on in %s as release %s filled it (fill at %s): its values up to that release's contract; what was written to either column since is not copied", table, column, ref, rels[i].r.Name, c.FillPos)
			}
		}
	}
	return ""
}
