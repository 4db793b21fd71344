package lint

import (
	"fmt"
	"path/filepath"
	"slices"

	"ariga.io/atlas/sql/migrate"

	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Plans is lint's reading of the plans directory. The operator commands stop
// at the first file that is out of place; lint reads on, because what is out
// of place is what it reports.
type Plans struct {
	Dir string
	// Revisions of the releases atlas.hcl lists, in the order they apply.
	Revisions []*Revision
	// Rollbacks are their rollback revisions, release by release.
	Rollbacks []*Revision
	// Files holds every file of every release directory, listed or not,
	// by path relative to Dir: what plans/emcee.sum covers.
	Files map[string][]byte
	// Unlisted are the revision files of releases atlas.hcl does not list.
	Unlisted []string
	// Misnamed are .sql files whose name is not a revision of their
	// directory's release.
	Misnamed []string
}

// Revision is one script with the positions of its statements.
type Revision struct {
	*revision.Revision
	File   string          // as findings name it
	Stmts  []*migrate.Stmt // parallel to Statements
	parsed []*effect.DDL   // parallel to Statements
}

// Line is the line where statement i starts.
func (r *Revision) Line(i int) int { return r.Statements[i].Line }

func readPlans(p *project.Project) (*Plans, error) {
	scanned, err := revision.ScanPlans(p.PlansDir, p.Releases)
	if err != nil {
		return nil, err
	}
	out := &Plans{Dir: p.PlansDir, Files: scanned.Files, Unlisted: scanned.Unlisted, Misnamed: scanned.Misnamed}
	for _, list := range []struct {
		from []*revision.Revision
		to   *[]*Revision
	}{{scanned.Revisions, &out.Revisions}, {scanned.Rollbacks, &out.Rollbacks}} {
		for _, r := range list.from {
			rev, err := readRevision(p, r)
			if err != nil {
				return nil, err
			}
			*list.to = append(*list.to, rev)
		}
	}
	return out, nil
}

// readRevision adds what lint needs beyond the applier's reading: the
// statements' byte offsets (Atlas's analyzers report by offset) and their
// parsed DDL.
func readRevision(p *project.Project, rev *revision.Revision) (*Revision, error) {
	file := project.Rel(filepath.Join(p.PlansDir, rev.Path))
	scanned, err := revision.Scan(rev.Data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	r := &Revision{Revision: rev, File: file, Stmts: scanned}
	for _, st := range rev.Statements {
		r.parsed = append(r.parsed, effect.Parse(st.SQL))
	}
	return r, nil
}

// Of lists the revisions of one release, in the order they apply.
func (p *Plans) Of(release string) []*Revision {
	return slices.DeleteFunc(slices.Clone(p.Revisions), func(r *Revision) bool { return r.ID.Release != release })
}

// statements calls f on every statement of the contract revisions, or
// (contract false) of those that run while the previous release may still
// be running.
func (p *Pass) statements(contract bool, f func(rev *Revision, i int, d *effect.DDL)) {
	for _, rev := range p.Plans.Revisions {
		if (rev.ID.Phase == revision.Contract) == contract {
			for i, d := range rev.parsed {
				f(rev, i, d)
			}
		}
	}
}
