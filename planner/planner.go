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
	"runtime"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
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
	sources, snaps, err := prefetch(p, existing, opts)
	if err != nil {
		return nil, err
	}
	out := &Output{Dir: p.PlansDir, Files: map[string][]byte{}}
	var prev *lazyRelease
	for i, name := range p.Releases {
		cur, snap := sources[i], snaps[i]
		revs := existing.Of(name, revision.Expand)
		planned := snap != nil
		if planned {
			if want := baseHash(prev.body()); snap.base != want {
				return nil, fmt.Errorf("release %s was planned on top of %s as %s was then; %s has changed since, so %s's revisions may no longer apply. Run `emcee plan --rewrite %s` to plan %s again (refused once it is released), or undo the change to %s",
					name, prev.name, prev.name, prev.name, name, name, name, prev.name)
			}
			for _, rev := range existing.Revisions {
				if rev.ID.Release == name {
					out.Files[rev.Path] = rev.Data
				}
			}
			out.Files[revision.SnapshotFile(name)] = snap.data
			if bytes.Equal(snap.body, cur.src) {
				// Unchanged since its last revision: nothing to diff.
				prev = cur
				continue
			}
		}
		r, err := cur.release()
		if err != nil {
			return nil, err
		}
		// The previous release is evaluated only when it is the diff's
		// source or the declarations refer to it; a planned release without
		// declarations is diffed against its own snapshot.
		var prevRelease *diff.Release
		if prev != nil && (!planned || r.NeedsPrevious()) {
			if prevRelease, err = prev.release(); err != nil {
				return nil, err
			}
		}
		if prev == nil || prevRelease != nil {
			if err := r.Check(prevRelease); err != nil {
				return nil, err
			}
		}
		var from *schema.Schema
		seq, fromName := 1, "an empty database"
		switch {
		case planned:
			if from, err = snap.schema.get(); err != nil {
				return nil, err
			}
			seq = revs[len(revs)-1].ID.Seq + 1
			fromName = fmt.Sprintf("%s as of %s_contract%02d", name, name, seq-1)
		case prevRelease != nil:
			from, fromName = prevRelease.Schema, prev.name
		}
		tr, err := diff.Between(drv, from, r)
		if err != nil {
			return nil, err
		}
		if err := diff.CheckLosses(tr); err != nil {
			return nil, err
		}
		if planned {
			// The data migrations the release's earlier revisions carry.
			if tr.DataMigrationsDone, err = diff.DataMigrationNames(cur.file, snap.body); err != nil {
				return nil, err
			}
		}
		phases, err := splitter.Split(tr, p.Target, drv)
		if err != nil {
			return nil, err
		}
		if planned && phases.Empty() {
			// A change Atlas sees no difference in (comments, layout): the
			// existing snapshot still describes the database.
			prev = newLazyRelease(name, cur.file, snap.body, p.Target)
			continue
		}
		if planned && p.Released(name) {
			return nil, fmt.Errorf("%s: release %s is marked as released in %s, but its schema file no longer matches what its revisions produce; a released schema is frozen, so put the change in the next release (a new schema file listed after %s)", cur.file, name, project.Rel(p.Path), name)
		}
		for _, sc := range scripts(name, seq, fromName, phases) {
			out.Files[sc.ID.File()] = sc.Render()
			out.New = append(out.New, sc.ID)
		}
		out.Files[revision.SnapshotFile(name)] = renderSnapshot(name, cur.src, prev.body())
		prev = cur
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

// scripts are the revisions of one split, one per phase, in phase order.
func scripts(release string, seq int, from string, phases splitter.Phases) []*revision.Script {
	out := make([]*revision.Script, 0, len(revision.Phases))
	for _, ph := range revision.Phases {
		id := revision.ID{Release: release, Phase: ph, Seq: seq}
		out = append(out, &revision.Script{ID: id, From: from, To: release, Statements: phases[ph]})
	}
	return out
}

// prefetch reads every release's source and snapshot (nil when the release
// has no revisions yet, or is being rewritten), and starts evaluating, on
// every core, the releases that changed since their last revision.
func prefetch(p *project.Project, existing *revision.Plans, opts Options) ([]*lazyRelease, []*snapshot, error) {
	sources := make([]*lazyRelease, len(p.Releases))
	snaps := make([]*snapshot, len(p.Releases))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, name := range p.Releases {
		src, err := loadSource(p, name)
		if err != nil {
			return nil, nil, err
		}
		sources[i] = src
		if len(existing.Of(name, revision.Expand)) > 0 && !slices.Contains(opts.Rewrite, name) {
			if snaps[i], err = readSnapshot(p, name, existing.Files[revision.SnapshotFile(name)]); err != nil {
				return nil, nil, err
			}
		}
		if snaps[i] == nil || !bytes.Equal(snaps[i].body, src.src) {
			src.r.start(sem)
			if snaps[i] != nil {
				snaps[i].schema.start(sem)
			}
		}
	}
	return sources, snaps, nil
}

// lazyRelease is a release's source, evaluated only when needed: on a
// rerun, unchanged releases are never evaluated at all.
type lazyRelease struct {
	name, file string
	src        []byte
	r          *future[*diff.Release]
}

func newLazyRelease(name, file string, src []byte, t project.Target) *lazyRelease {
	return &lazyRelease{name: name, file: file, src: src, r: newFuture(func() (*diff.Release, error) {
		return diff.ParseRelease(name, file, src, t)
	})}
}

func loadSource(p *project.Project, name string) (*lazyRelease, error) {
	file := project.Rel(p.SchemaFile(name))
	src, err := os.ReadFile(p.SchemaFile(name))
	if os.IsNotExist(err) {
		return nil, fmt.Errorf("%s: release %q is listed in %s but has no schema file; create it (copy the previous release's file to start)", file, name, project.Rel(p.Path))
	}
	if err != nil {
		return nil, err
	}
	return newLazyRelease(name, file, src, p.Target), nil
}

func (l *lazyRelease) release() (*diff.Release, error) { return l.r.get() }

func (l *lazyRelease) body() []byte {
	if l == nil {
		return nil
	}
	return l.src
}

// A snapshot is the release's declared source at the time of its last
// revision, verbatim after a header: Atlas reads it like any schema file,
// a reviewer reads it like the schema it was, and comparing bytes tells
// whether the release changed without evaluating it.
type snapshot struct {
	data   []byte // the whole file
	body   []byte // the source it copies
	base   string
	schema *future[*schema.Schema]
}

const (
	snapshotHeader = "# emcee snapshot of release %s: the declared schema its revisions produce.\n# Generated by `emcee plan`; planning reads it instead of a database. Do not edit.\n"
	basePrefix     = "# base: "
)

func renderSnapshot(release string, src, prevEnd []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, snapshotHeader, release)
	fmt.Fprintf(&b, "%s%s\n", basePrefix, baseHash(prevEnd))
	b.Write(src)
	return b.Bytes()
}

func readSnapshot(p *project.Project, release string, data []byte) (*snapshot, error) {
	path := project.Rel(filepath.Join(p.PlansDir, revision.SnapshotFile(release)))
	if data == nil {
		return nil, fmt.Errorf("%s is missing but release %s has revisions: restore it from version control (emcee needs it to know what the revisions produce)", path, release)
	}
	lines := bytes.SplitAfterN(data, []byte("\n"), 4)
	if len(lines) < 3 || !bytes.HasPrefix(lines[2], []byte(basePrefix)) {
		return nil, fmt.Errorf("%s: not an emcee snapshot (no %q line); restore it from version control", path, strings.TrimSpace(basePrefix))
	}
	snap := &snapshot{data: data, base: strings.TrimSpace(strings.TrimPrefix(string(lines[2]), basePrefix))}
	snap.schema = newFuture(func() (*schema.Schema, error) { return schemadef.ParseSnapshot(path, data, p.Target) })
	if len(lines) == 4 {
		snap.body = lines[3]
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
