package lint

import (
	"fmt"
	"github.com/emcee-db/emcee/effect"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"

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
	out := &Plans{Dir: p.PlansDir, Files: map[string][]byte{}}
	dirs, err := os.ReadDir(p.PlansDir)
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		rel := d.Name()
		entries, err := os.ReadDir(filepath.Join(p.PlansDir, rel))
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			path := rel + "/" + e.Name()
			data, err := os.ReadFile(filepath.Join(p.PlansDir, path))
			if err != nil {
				return nil, err
			}
			out.Files[path] = data
			if !strings.HasSuffix(path, ".sql") {
				continue
			}
			id, err := revision.ParseID(strings.TrimSuffix(e.Name(), ".sql"))
			switch {
			case err != nil || id.Release != rel:
				out.Misnamed = append(out.Misnamed, path)
			case p.Index(rel) < 0:
				out.Unlisted = append(out.Unlisted, path)
			default:
				rev, err := readRevision(p, id, path, data)
				if err != nil {
					return nil, err
				}
				out.Revisions = append(out.Revisions, rev)
			}
		}
	}
	slices.SortFunc(out.Revisions, func(a, b *Revision) int {
		switch {
		case revision.Less(p.Releases, a.ID, b.ID):
			return -1
		case revision.Less(p.Releases, b.ID, a.ID):
			return 1
		}
		return 0
	})
	return out, nil
}

func readRevision(p *project.Project, id revision.ID, path string, data []byte) (*Revision, error) {
	file := project.Rel(filepath.Join(p.PlansDir, path))
	stmts, err := revision.Parse(file, data)
	if err != nil {
		return nil, err
	}
	scanned, err := revision.Scan(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	r := &Revision{
		Revision: &revision.Revision{ID: id, Path: path, Data: data, Statements: stmts},
		File:     file,
		Stmts:    scanned,
	}
	for _, st := range stmts {
		r.parsed = append(r.parsed, effect.Parse(st.SQL))
	}
	return r, nil
}

// Of lists the revisions of one release, in the order they apply.
func (p *Plans) Of(release string) []*Revision {
	var out []*Revision
	for _, r := range p.Revisions {
		if r.ID.Release == release {
			out = append(out, r)
		}
	}
	return out
}

// beforeContract reports whether a revision runs while the previous release
// may still be running.
func beforeContract(r *Revision) bool { return r.ID.Phase != revision.Contract }
