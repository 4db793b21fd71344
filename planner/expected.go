package planner

import (
	"path/filepath"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// Expected recomputes what `emcee plan` wrote for a release, so that a
// revision edited by hand is found even when its sum was regenerated. files
// are the plans directory's files (path relative to it -> content); the
// answer maps revision paths to the content plan writes for them.
//
// The planner can tell only for a release planned in one step (one
// revision per phase, NN = 01) on top of the previous release as it still
// is: its snapshot is then the source the revisions were planned from, and
// the previous release's snapshot the state they start from. A release
// planned in several steps keeps only its latest snapshot, and a release
// planned on top of an older state of the previous one (which `emcee plan`
// refuses) has lost that state; for those Expected returns nil.
func Expected(p *project.Project, files map[string][]byte, release string) (map[string][]byte, error) {
	for _, ph := range revision.Phases {
		if files[(revision.ID{Release: release, Phase: ph, Seq: 1}).File()] == nil || files[(revision.ID{Release: release, Phase: ph, Seq: 2}).File()] != nil {
			return nil, nil
		}
	}
	data := files[revision.SnapshotFile(release)]
	if data == nil {
		return nil, nil
	}
	snap, err := readSnapshot(p, release, data)
	if err != nil {
		return nil, err
	}
	var (
		prev     *diff.Release
		prevBody []byte
		from     = "an empty database"
	)
	if i := p.Index(release); i > 0 {
		from = p.Releases[i-1]
		data := files[revision.SnapshotFile(from)]
		if data == nil {
			return nil, nil
		}
		prevSnap, err := readSnapshot(p, from, data)
		if err != nil {
			return nil, err
		}
		prevBody = prevSnap.body
	}
	if snap.base != baseHash(prevBody) {
		return nil, nil
	}
	if prevBody != nil {
		if prev, err = diff.ParseRelease(from, schemaName(p, from), prevBody, p.Target); err != nil {
			return nil, err
		}
	}
	r, err := diff.ParseRelease(release, schemaName(p, release), snap.body, p.Target)
	if err != nil {
		return nil, err
	}
	if err := r.Check(prev); err != nil {
		return nil, err
	}
	drv, err := diff.Offline(p.Target)
	if err != nil {
		return nil, err
	}
	var fromSchema *schema.Schema
	if prev != nil {
		fromSchema = prev.Schema
	}
	tr, err := diff.Between(drv, fromSchema, r)
	if err != nil {
		return nil, err
	}
	phases, err := splitter.Split(tr, p.Target, drv)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, sc := range scripts(release, 1, from, phases) {
		out[sc.ID.File()] = sc.Render()
	}
	return out, nil
}

// schemaName is how the scripts name a schema file ("declared at
// schema/train.hcl:26:5"): relative to the project directory, where `emcee
// plan` runs, whatever directory the check runs from.
func schemaName(p *project.Project, release string) string {
	if rel, err := filepath.Rel(p.Dir, p.SchemaFile(release)); err == nil {
		return filepath.ToSlash(rel)
	}
	return p.SchemaFile(release)
}
