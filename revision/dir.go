package revision

import (
	"cmp"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SnapshotFile is the canonical state a release's revisions produce, kept
// beside them so planning never needs a database.
func SnapshotFile(release string) string { return release + "/" + release + ".snapshot.hcl" }

// StepSnapshotFile is the state a release's revisions up to seq produce,
// kept once the release is planned again so that each planning step can be
// recomputed from what it was planned from.
func StepSnapshotFile(release string, seq int) string {
	return fmt.Sprintf("%s/%s.snapshot%02d.hcl", release, release, seq)
}

// IsSnapshot reports whether path is one of the release's snapshots.
func IsSnapshot(release, path string) bool {
	_, step := SnapshotStep(release, path)
	return step || path == SnapshotFile(release)
}

// SnapshotStep is the step a step snapshot of release was kept for
// (StepSnapshotFile); false for any other path.
func SnapshotStep(release, path string) (int, bool) {
	n, ok := strings.CutPrefix(path, release+"/"+release+".snapshot")
	n, ok2 := strings.CutSuffix(n, ".hcl")
	seq, err := strconv.Atoi(n)
	return seq, ok && ok2 && err == nil && len(n) >= 2 && path == StepSnapshotFile(release, seq)
}

// Revision is one script read from the plans directory.
type Revision struct {
	ID         ID
	Path       string // relative to the plans directory
	Data       []byte
	Checksum   string
	Statements []Statement
}

// Plans is the whole plans directory, in the order revisions are applied.
type Plans struct {
	Dir string
	// Revisions are the upgrade's revisions (expand, migrate, contract) in
	// the order they are applied.
	Revisions []*Revision
	// Rollbacks are the rollback revisions in the order they run: release
	// by release, newest first within a release.
	Rollbacks []*Revision
	// Files holds every file the sum covers (scripts and snapshots).
	Files map[string][]byte
	Order []string
	// What ScanPlans found out of place, by path relative to Dir: files
	// that are neither a revision nor a snapshot (Stray), .sql files not
	// named as a revision of their directory's release (Misnamed), and
	// revisions of releases atlas.hcl does not list (Unlisted).
	Stray, Misnamed, Unlisted []string
}

// Compare orders revisions as they are applied, the one order of plans
// and records alike: release by release, and inside a release phase by
// phase (every expand before any migrate), so that `db expand` brings in
// all of a release's additive changes at once; a release's rollback
// revisions after its other phases (they run after them, before contract
// would have), newest first as they run. Releases the project does not
// list (a database ahead of the plans) come after the listed ones.
func Compare(releases []string, a, b ID) int {
	ri := func(r string) int {
		if i := slices.Index(releases, r); i >= 0 {
			return i
		}
		return len(releases)
	}
	seq := cmp.Compare(a.Seq, b.Seq)
	if a.Phase == Rollback {
		seq = -seq
	}
	return cmp.Or(
		cmp.Compare(ri(a.Release), ri(b.Release)),
		strings.Compare(a.Release, b.Release),
		cmp.Compare(slices.Index(filePhases, a.Phase), slices.Index(filePhases, b.Phase)),
		seq)
}

// SumOrder is the order files are listed in the sum file.
func SumOrder(releases []string, paths []string) []string {
	key := func(p string) (int, int, string) {
		rel, _, _ := strings.Cut(p, "/")
		ri := slices.Index(releases, rel)
		if id, ok := FileID(p); ok {
			return ri, 0, fmt.Sprintf("%d-%04d", slices.Index(filePhases, id.Phase), id.Seq)
		}
		return ri, 1, p
	}
	out := slices.Clone(paths)
	slices.SortFunc(out, func(a, b string) int {
		r1, k1, s1 := key(a)
		r2, k2, s2 := key(b)
		return cmp.Or(cmp.Compare(r1, r2), cmp.Compare(k1, k2), strings.Compare(s1, s2))
	})
	return out
}

// ReadPlans loads every plan file of the given releases, for the commands
// that apply or explain plans: a file out of place in a listed release's
// directory is an error, and directories of other releases are ignored.
// A missing directory is an empty plan set.
func ReadPlans(dir string, releases []string) (*Plans, error) {
	return readPlans(dir, releases, true)
}

// ReadFiles is ReadPlans for planning, which needs the files but not their
// statements: revisions come without Statements and Checksum, so that
// planning a project of thousands of tables does not read every statement
// it wrote before.
func ReadFiles(dir string, releases []string) (*Plans, error) {
	return readPlans(dir, releases, false)
}

func readPlans(dir string, releases []string, statements bool) (*Plans, error) {
	p, err := scanPlans(dir, releases, statements)
	if err != nil {
		return nil, err
	}
	for _, path := range p.Stray {
		if listed(releases, path) {
			return nil, fmt.Errorf("%s: unexpected file in the plans directory; plans/<release>/ holds only revision scripts and its snapshots", filepath.Join(dir, path))
		}
	}
	for _, path := range p.Misnamed {
		if rel := releaseOf(path); listed(releases, path) {
			return nil, fmt.Errorf("%s: file name is not a revision of release %s (want %s_<phase>NN.sql)", filepath.Join(dir, path), rel, rel)
		}
	}
	maps.DeleteFunc(p.Files, func(path string, _ []byte) bool { return !listed(releases, path) })
	p.Order = SumOrder(releases, slices.Collect(maps.Keys(p.Files)))
	p.Stray, p.Misnamed, p.Unlisted = nil, nil, nil
	return p, nil
}

// ScanPlans reads every directory of the plans directory, listed release or
// not, and keeps what is out of place (Stray, Misnamed, Unlisted) instead of
// failing: lint reports those files, so it must read past them. Revisions
// are only those of listed releases.
func ScanPlans(dir string, releases []string) (*Plans, error) {
	return scanPlans(dir, releases, true)
}

func scanPlans(dir string, releases []string, statements bool) (*Plans, error) {
	p := &Plans{Dir: dir, Files: map[string][]byte{}}
	dirs, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return p, nil
	}
	if fi, serr := os.Stat(dir); serr == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%s is a file, not the plans directory emcee plan writes revision scripts into: move it away, or point plans_dir in the emcee block of atlas.hcl elsewhere", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the plans directory: %w", err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		rel := d.Name()
		entries, err := os.ReadDir(filepath.Join(dir, rel))
		if err != nil {
			return nil, fmt.Errorf("reading the plans directory: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			path := rel + "/" + e.Name()
			if fi, err := os.Stat(filepath.Join(dir, path)); err == nil && !fi.Mode().IsRegular() {
				// A named pipe or a device would block the read forever.
				return nil, fmt.Errorf("reading the plans directory: %s is a %s, not a file: plans/<release>/ holds only the revision scripts and snapshots emcee plan writes; remove it", filepath.Join(dir, path), fileKind(fi.Mode()))
			}
			data, err := os.ReadFile(filepath.Join(dir, path))
			if err != nil {
				// A dangling link, a file emcee may not read.
				return nil, fmt.Errorf("reading the plans directory: %w: plans/<release>/ holds only the revision scripts and snapshots emcee plan writes; remove it or restore it", err)
			}
			p.Files[path] = data
			if !strings.HasSuffix(e.Name(), ".sql") {
				if !IsSnapshot(rel, path) {
					p.Stray = append(p.Stray, path)
				}
				continue
			}
			id, ok := FileID(e.Name())
			switch {
			case !ok || id.Release != rel:
				p.Misnamed = append(p.Misnamed, path)
				continue
			case !slices.Contains(releases, rel):
				p.Unlisted = append(p.Unlisted, path)
				continue
			}
			rev := &Revision{ID: id, Path: path, Data: data}
			if statements {
				if rev.Statements, err = Parse(filepath.Join(dir, path), data); err != nil {
					return nil, err
				}
				if rev.Checksum, err = Checksum(path, data); err != nil {
					return nil, err
				}
			}
			if id.Phase == Rollback {
				p.Rollbacks = append(p.Rollbacks, rev)
			} else {
				p.Revisions = append(p.Revisions, rev)
			}
		}
	}
	for _, revs := range [][]*Revision{p.Revisions, p.Rollbacks} {
		slices.SortFunc(revs, func(a, b *Revision) int { return Compare(releases, a.ID, b.ID) })
	}
	p.Order = SumOrder(releases, slices.Collect(maps.Keys(p.Files)))
	return p, nil
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	}
	return "special file"
}

func releaseOf(path string) string { rel, _, _ := strings.Cut(path, "/"); return rel }

func listed(releases []string, path string) bool { return slices.Contains(releases, releaseOf(path)) }

// Verify checks every file against plans/emcee.sum.
func (p *Plans) Verify() error {
	sum, err := os.ReadFile(filepath.Join(p.Dir, SumFile))
	if os.IsNotExist(err) {
		if len(p.Files) == 0 {
			return nil
		}
		return fmt.Errorf("%s is missing: %w", filepath.Join(p.Dir, SumFile), ErrNoSum)
	}
	if err != nil {
		return err
	}
	return Verify(p.Order, p.Files, sum)
}

// Of returns the revisions of one release and phase in the order they
// run (Compare): oldest first, a rollback's newest first.
func (p *Plans) Of(release string, phase Phase) []*Revision {
	revs := p.Revisions
	if phase == Rollback {
		revs = p.Rollbacks
	}
	return slices.DeleteFunc(slices.Clone(revs), func(r *Revision) bool { return r.ID.Release != release || r.ID.Phase != phase })
}
