package lint

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The applier runs revisions in a fixed order: release by release as
// atlas.hcl lists them, every phase of a release, NN by NN; and inside a
// contract revision every gate before anything changes. Plans that break
// that order are applied in an order nobody reviewed, or not at all.
var _ = register(&Analyzer{
	Code:  "EM107",
	Title: "revisions out of order: gap in NN, a phase missing, a release not in atlas.hcl, a release planned before an earlier one, a gate after a change, a column dropped before the trigger reading it",
	Run: func(p *Pass) {
		names(p)
		numbering(p)
		gatesFirst(p)
		triggersBeforeColumns(p)
	},
})

// names reports revision files the applier cannot place.
func names(p *Pass) {
	unlisted := map[string][]string{}
	for _, path := range p.Plans.Unlisted {
		rel, _, _ := strings.Cut(path, "/")
		unlisted[rel] = append(unlisted[rel], path)
	}
	for _, rel := range slices.Sorted(maps.Keys(unlisted)) {
		files := slices.Sorted(slices.Values(unlisted[rel]))
		p.atFile("EM107", planFile(p, files[0]),
			fmt.Sprintf("release %s is not listed in %s, so its %d revision file(s) are never applied", rel, project.Rel(p.Project.Path), len(files)),
			fmt.Sprintf("add %q to emcee.releases in %s at its place in the order, or remove %s", rel, project.Rel(p.Project.Path), planFile(p, rel)))
	}
	for _, path := range p.Plans.Misnamed {
		rel, _, _ := strings.Cut(path, "/")
		p.atFile("EM107", planFile(p, path),
			fmt.Sprintf("not a revision name of release %s (want %s_<expand|migrate|contract>NN.sql)", rel, rel),
			"remove it; revisions are named and written by `emcee plan`")
	}
}

// numbering reports gaps in NN, a phase missing for an NN, and a release
// planned while an earlier one has no revisions.
func numbering(p *Pass) {
	var missing []string // earlier releases without revisions
	for _, rel := range p.Project.Releases {
		revs := p.Plans.Of(rel)
		if len(revs) == 0 {
			missing = append(missing, rel)
			continue
		}
		if len(missing) > 0 {
			p.atFile("EM107", revs[0].File,
				fmt.Sprintf("release %s is planned but the earlier %s %s no revisions: an operator cannot upgrade through %s", rel, sqlsyntax.OneOrMany(len(missing), "release", "releases"), sqlsyntax.OneOrMany(len(missing), "has", "have"), strings.Join(missing, ", ")),
				fmt.Sprintf("run `emcee plan` to plan %s too (a release without changes still gets three empty revisions)", strings.Join(missing, ", ")))
			missing = nil
		}
		// The first revision of each NN, and the phases it has.
		first := map[int]*Revision{}
		phases := map[int][]revision.Phase{}
		for _, r := range revs {
			if first[r.ID.Seq] == nil {
				first[r.ID.Seq] = r
			}
			phases[r.ID.Seq] = append(phases[r.ID.Seq], r.ID.Phase)
		}
		for _, seq := range slices.Sorted(maps.Keys(first)) {
			r := first[seq]
			if seq > 1 && first[seq-1] == nil {
				p.atFile("EM107", r.File,
					fmt.Sprintf("%s follows a gap: release %s has no revisions numbered %02d", r.ID, rel, seq-1),
					fmt.Sprintf("restore the %02d revisions from version control, or re-plan the release with `emcee plan --rewrite %s`", seq-1, rel))
			}
			var missing []string
			for _, ph := range revision.Phases {
				if !slices.Contains(phases[seq], ph) {
					missing = append(missing, revision.ID{Release: rel, Phase: ph, Seq: seq}.String())
				}
			}
			if len(missing) > 0 {
				p.atFile("EM107", r.File,
					fmt.Sprintf("%s has no %s: every step of a release has all three phases, even empty ones, so the database version always names the release", r.ID, strings.Join(missing, " and no ")),
					fmt.Sprintf("restore %s from version control, or re-plan the release with `emcee plan --rewrite %s`", strings.Join(missing, ", "), rel))
			}
		}
	}
}

// gatesFirst reports a gate written after a statement that changes
// something: the applier runs all gates first, so the script does not read
// in the order it runs.
func gatesFirst(p *Pass) {
	for _, rev := range p.Plans.Revisions {
		changed := -1
		for i, st := range rev.Statements {
			switch {
			case st.Kind != revision.Gate && changed < 0:
				changed = i
			case st.Kind == revision.Gate && changed >= 0:
				p.atStatement("EM107", Error, rev, i,
					fmt.Sprintf("gate after the change at line %d: every gate of %s must come before its changes, which it protects", rev.Line(changed), rev.ID),
					replan(rev))
			}
		}
	}
}

// triggersBeforeColumns reports a DROP COLUMN while a trigger reading the
// column still exists: every write to the table fails until the trigger is
// dropped.
func triggersBeforeColumns(p *Pass) {
	type trigger struct {
		name, table string
		body        *effect.DDL
	}
	live := map[string]trigger{}
	for _, rev := range p.Plans.Revisions {
		for i, d := range rev.parsed {
			switch d.Kind {
			case effect.KindCreateTrigger:
				live[strings.ToLower(d.Trigger)] = trigger{name: d.Trigger, table: d.Name, body: d}
			case effect.KindDropTrigger:
				delete(live, strings.ToLower(d.Trigger))
			case effect.KindAlterTable:
				for _, c := range d.Clauses {
					if c.Op != "DROP" || c.Object != "COLUMN" {
						continue
					}
					var readers []string
					for _, key := range slices.Sorted(maps.Keys(live)) {
						if t := live[key]; strings.EqualFold(t.table, d.Name) && t.body.Mentions(c.Name) {
							readers = append(readers, t.name)
						}
					}
					if len(readers) > 0 {
						p.atStatement("EM107", Error, rev, i,
							fmt.Sprintf("column %s.%s is dropped while %s %s still %s it: writes to %s fail until %s gone", d.Name, c.Name, sqlsyntax.OneOrMany(len(readers), "trigger", "triggers"), strings.Join(readers, ", "), sqlsyntax.OneOrMany(len(readers), "reads", "read"), d.Name, sqlsyntax.OneOrMany(len(readers), "it is", "they are")),
							"drop the triggers before the column (rule replace-column does); "+replan(rev))
					}
				}
			}
		}
	}
}
