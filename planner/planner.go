// Package planner turns the declared releases into the plans directory:
// three revision scripts per release (append-only), a snapshot of the state
// each release's revisions produce, and the sum file. It never needs a
// database: the snapshots are the memory of what earlier revisions do.
package planner

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

// Options change what Plan may do.
type Options struct {
	// Rewrite lists releases whose existing revisions are discarded and
	// planned again from scratch. Refused for released releases.
	Rewrite []string
}

// Output is the plans directory as it should be.
type Output struct {
	Dir   string
	Files map[string][]byte // path relative to Dir -> content
	Order []string          // sum file order
	// New lists the revisions this run adds.
	New []revision.ID
	// Stale lists files on disk that the output no longer has.
	Stale []string
}

// Plan computes the plans directory for the project.
func Plan(p *project.Project, opts Options) (*Output, error) {
	for _, r := range opts.Rewrite {
		if p.Index(r) < 0 {
			return nil, fmt.Errorf("--rewrite %s: no such release in %s (releases: %s)", r, project.Rel(p.Path), strings.Join(p.Releases, ", "))
		}
		if p.Released(r) {
			return nil, fmt.Errorf("--rewrite %s refused: %s is marked as released in %s, and operators may already have applied its revisions; put the change in the next release", r, r, project.Rel(p.Path))
		}
	}
	releases, err := diff.LoadReleases(p)
	if err != nil {
		return nil, err
	}
	existing, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		return nil, err
	}
	if err := existing.Verify(); err != nil {
		return nil, err
	}
	drv, err := diff.Offline(p.Target)
	if err != nil {
		return nil, err
	}
	out := &Output{Dir: p.PlansDir, Files: map[string][]byte{}}
	var prevEnd []byte // canonical HCL of the previous release's end state
	var prevSchema *schema.Schema
	var prevName string
	for _, r := range releases {
		rewrite := slices.Contains(opts.Rewrite, r.Name)
		revs := existing.Of(r.Name, revision.Expand)
		var from *schema.Schema
		seq := 1
		if len(revs) > 0 && !rewrite {
			snap, err := readSnapshot(p, r.Name)
			if err != nil {
				return nil, err
			}
			if snap.base != baseHash(prevEnd) {
				return nil, fmt.Errorf("release %s was planned on top of %s as %s was then; %s has changed since, so %s's revisions may no longer apply. Run `emcee plan --rewrite %s` to plan %s again (refused once it is released), or undo the change to %s",
					r.Name, prevName, prevName, prevName, r.Name, r.Name, r.Name, prevName)
			}
			from = snap.schema
			seq = revs[len(revs)-1].ID.Seq + 1
			for _, rev := range existing.Revisions {
				if rev.ID.Release == r.Name {
					out.Files[rev.Path] = rev.Data
				}
			}
			out.Files[revision.SnapshotFile(r.Name)] = existing.Files[revision.SnapshotFile(r.Name)]
		} else {
			from = prevSchema
		}
		tr, err := diff.Between(drv, from, r)
		if err != nil {
			return nil, err
		}
		phases, err := splitter.Split(tr, p.Target, drv)
		if err != nil {
			return nil, err
		}
		if seq == 1 || !phases.Empty() {
			if seq > 1 && p.Released(r.Name) {
				return nil, fmt.Errorf("%s: release %s is marked as released in %s, but its schema file no longer matches what its revisions produce; a released schema is frozen, so put the change in the next release (a new schema file listed after %s)", r.File, r.Name, project.Rel(p.Path), r.Name)
			}
			fromName := prevName
			if seq > 1 {
				fromName = fmt.Sprintf("%s as of %s_contract%02d", r.Name, r.Name, seq-1)
			}
			if fromName == "" {
				fromName = "an empty database"
			}
			for _, ph := range revision.Phases {
				id := revision.ID{Release: r.Name, Phase: ph, Seq: seq}
				s := &revision.Script{ID: id, From: fromName, To: r.Name, Statements: phases[ph]}
				out.Files[id.File()] = s.Render()
				out.New = append(out.New, id)
			}
			snap, err := renderSnapshot(r, prevEnd)
			if err != nil {
				return nil, err
			}
			out.Files[revision.SnapshotFile(r.Name)] = snap
		}
		prevEnd, err = diff.MarshalSnapshot(r.Schema)
		if err != nil {
			return nil, err
		}
		prevSchema, prevName = r.Schema, r.Name
	}
	for path := range existing.Files {
		if _, ok := out.Files[path]; !ok {
			out.Stale = append(out.Stale, path)
		}
	}
	slices.Sort(out.Stale)
	paths := make([]string, 0, len(out.Files))
	for k := range out.Files {
		paths = append(paths, k)
	}
	out.Order = revision.SumOrder(p.Releases, paths)
	sum, err := revision.Sum(out.Order, out.Files)
	if err != nil {
		return nil, err
	}
	out.Files[revision.SumFile] = sum
	return out, nil
}

type snapshot struct {
	schema *schema.Schema
	base   string
}

const (
	snapshotHeader = "# emcee snapshot of release %s: the schema its revisions produce.\n# Generated by `emcee plan`; planning reads it instead of a database. Do not edit.\n"
	basePrefix     = "# base: "
)

func renderSnapshot(r *diff.Release, prevEnd []byte) ([]byte, error) {
	body, err := diff.MarshalSnapshot(r.Schema)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, snapshotHeader, r.Name)
	fmt.Fprintf(&b, "%s%s\n", basePrefix, baseHash(prevEnd))
	b.Write(body)
	return b.Bytes(), nil
}

func readSnapshot(p *project.Project, release string) (*snapshot, error) {
	path := filepath.Join(p.PlansDir, revision.SnapshotFile(release))
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s is missing but release %s has revisions: restore it from version control (emcee needs it to know what the revisions produce)", project.Rel(path), release)
		}
		return nil, err
	}
	s, err := diff.ReadSnapshot(path, p.Target)
	if err != nil {
		return nil, err
	}
	snap := &snapshot{schema: s}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, basePrefix); ok {
			snap.base = v
		}
	}
	return snap, nil
}

// baseHash identifies the state a release was planned on top of.
func baseHash(prevEnd []byte) string {
	if prevEnd == nil {
		return "empty"
	}
	h := sha256.Sum256(prevEnd)
	return "h1:" + base64.StdEncoding.EncodeToString(h[:])
}
