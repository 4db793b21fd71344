package planner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// bigProject writes tables x columns x releases: each release adds a
// nullable column to every tenth table and widens one column of another
// tenth, so every release has real changes to split.
func bigProject(t testing.TB, tables, columns, releases int) string {
	dir := t.TempDir()
	var names []string
	for r := 0; r < releases; r++ {
		names = append(names, fmt.Sprintf("r%02d", r))
	}
	writeTB(t, dir, "atlas.hcl", "emcee {\n  target = \"mariadb 10.11\"\n  releases = [\""+strings.Join(names, "\", \"")+"\"]\n}\n")
	for r, name := range names {
		var b strings.Builder
		b.WriteString("schema \"app\" {}\n")
		for i := 0; i < tables; i++ {
			fmt.Fprintf(&b, "table \"t%04d\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n", i)
			for c := 1; c < columns; c++ {
				size := 100
				if i%10 == 1 && c == 1 {
					size += r * 10
				}
				fmt.Fprintf(&b, "  column \"c%02d\" {\n    type = varchar(%d)\n    null = true\n  }\n", c, size)
			}
			if i%10 == 0 {
				for k := 0; k < r; k++ {
					fmt.Fprintf(&b, "  column \"added_r%02d\" {\n    type = int\n    null = true\n  }\n", k)
				}
			}
			b.WriteString("  primary_key {\n    columns = [column.id]\n  }\n  index \"ix_c01\" {\n    columns = [column.c01]\n  }\n}\n")
		}
		writeTB(t, dir, "schema/"+name+".hcl", b.String())
	}
	return dir
}

func writeTB(t testing.TB, dir, name, content string) {
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBigProjectPlans(t *testing.T) {
	dir := bigProject(t, 20, 20, 3)
	out := plan(t, dir, Options{})
	if len(out.New) != 12 {
		t.Fatalf("planned %d revisions, want 12 (four per release: expand, migrate, contract, rollback)", len(out.New))
	}
	if e := string(out.Files["r02/r02_expand01.sql"]); !strings.Contains(e, "ADD COLUMN `added_r01`") || !strings.Contains(e, "MODIFY COLUMN `c01` varchar(120)") {
		t.Fatalf("r02 expand:\n%s", e)
	}
}

// benchPlan times `emcee plan` (with check, `emcee plan --check`) as a new
// process runs it: nothing evaluated in memory and no garbage of the setup
// left, the collector set as cmd/emcee sets it, the evaluation cache in the
// directory cache() returns, before() run untimed first; want is the
// revisions it must add.
func benchPlan(b *testing.B, p *project.Project, check bool, cache func() string, before func(i int), want int) {
	b.Helper()
	benchRun(b, cache, before, func() error {
		out, err := Plan(p, Options{Check: check})
		if err == nil && check {
			var d string
			if d, err = out.Diff(); err == nil && d == "" {
				var e Edits
				e, err = out.Edited(p)
				d = e.Diff
			}
			if err == nil && d != "" {
				err = fmt.Errorf("plan --check: %s", d)
			}
		}
		if err == nil && len(out.New) != want {
			err = fmt.Errorf("planned %v, want %d revisions", out.New, want)
		}
		return err
	})
}

// benchRun times run as benchPlan times a plan, and reports its CPU time.
func benchRun(b *testing.B, cache func() string, before func(i int), run func() error) {
	b.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		if before != nil {
			before(i)
		}
		b.Setenv("EMCEE_CACHE_DIR", cache())
		b.Setenv("EMCEE_VERIFY_EVAL", "0")
		diff.Forget()
		runtime.GC()
		b.StartTimer()
		start := cpuTime()
		err := run()
		diff.Flush()
		cpu += cpuTime() - start
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
}

// bigPlanned is the 1,000-table project (or tables x 20 columns x releases);
// planned (and written, with a warm evaluation cache) when planned is set,
// as on the developer's machine after `emcee plan`.
func bigPlanned(b *testing.B, planned bool, size ...int) (*project.Project, string) {
	b.Helper()
	tables, releases := 1000, 10
	if len(size) == 2 {
		tables, releases = size[0], size[1]
	}
	p, err := project.Load(filepath.Join(bigProject(b, tables, 20, releases), "atlas.hcl"))
	if err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	b.Setenv("EMCEE_VERIFY_EVAL", "0") // tests verify; a benchmark measures
	if planned {
		b.Setenv("EMCEE_CACHE_DIR", cache)
		// The benchmark function runs more than once in a process:
		// plan as a first run would, evaluating into the new cache.
		diff.Forget()
		out, err := Plan(p, Options{})
		diff.Flush()
		if err == nil {
			err = out.Write()
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return p, cache
}

// BenchmarkPlan1000Tables measures a full `emcee plan` (load, validate,
// diff, split, render, sum) of 1,000 tables x 20 columns x 10 releases
// into an empty plans directory, with an empty evaluation cache.
func BenchmarkPlan1000Tables(b *testing.B) {
	p, _ := bigPlanned(b, false)
	benchPlan(b, p, false, func() string { return b.TempDir() }, nil, 40)
}

// BenchmarkPlan1000TablesCacheOff is the same with the evaluation cache
// off (EMCEE_CACHE_DIR=off): nothing is encoded, checked or written for it.
func BenchmarkPlan1000TablesCacheOff(b *testing.B) {
	p, _ := bigPlanned(b, false)
	benchPlan(b, p, false, func() string { return "off" }, nil, 40)
}

// BenchmarkLoad1000Tables is the part of BenchmarkPlan1000TablesCacheOff
// that no transition does without: the ten release files evaluated (block
// by block, side by side, as Plan loads them), nothing diffed or split.
func BenchmarkLoad1000Tables(b *testing.B) {
	p, _ := bigPlanned(b, false)
	var srcs []diff.Source
	for _, r := range p.Releases {
		data, err := os.ReadFile(p.SchemaFile(r))
		if err != nil {
			b.Fatal(err)
		}
		srcs = append(srcs, diff.Source{Release: r, File: project.Rel(p.SchemaFile(r)), Src: data})
	}
	benchRun(b, func() string { return "off" }, nil, func() error {
		errs := make([]error, len(srcs))
		var wg sync.WaitGroup
		for i, src := range srcs {
			wg.Go(func() { _, errs[i] = diff.Load(src, p.Target) })
		}
		wg.Wait()
		return errors.Join(errs...)
	})
}

// BenchmarkPlan1000TablesCached is the same from-scratch plan on a machine
// that evaluated these schema files before (a branch switch, a rewrite).
func BenchmarkPlan1000TablesCached(b *testing.B) {
	p, cache := bigPlanned(b, true)
	if err := os.RemoveAll(p.PlansDir); err != nil {
		b.Fatal(err)
	}
	benchPlan(b, p, false, func() string { return cache }, nil, 40)
}

// BenchmarkReplan1000TablesUnchanged is the developer's rerun: every release
// already has revisions and nothing changed.
func BenchmarkReplan1000TablesUnchanged(b *testing.B) {
	p, cache := bigPlanned(b, true)
	benchPlan(b, p, false, func() string { return cache }, nil, 0)
}

// BenchmarkCheck1000Tables is CI's `emcee plan --check` with nothing
// changed: every revision is recomputed from its snapshots. CI machines
// start with an empty evaluation cache.
func BenchmarkCheck1000Tables(b *testing.B) {
	p, _ := bigPlanned(b, true)
	benchPlan(b, p, true, func() string { return b.TempDir() }, nil, 0)
}

// BenchmarkCheck1000TablesCached is `emcee plan --check` where the schema
// files were evaluated before (the developer's machine).
func BenchmarkCheck1000TablesCached(b *testing.B) {
	p, cache := bigPlanned(b, true)
	benchPlan(b, p, true, func() string { return cache }, nil, 0)
}

// BenchmarkReplan1000TablesLastReleaseEdited is the developer's loop: the
// newest release was edited (each iteration differently, so the new source
// is never in the cache), and it is planned again on top of its last
// revision.
func BenchmarkReplan1000TablesLastReleaseEdited(b *testing.B) {
	p, cache := bigPlanned(b, true)
	benchPlan(b, p, false, func() string { return cache }, editNewest(b, p), 4)
}

// editNewest edits the newest release's schema file, differently for each
// iteration i: a column added to its first table.
func editNewest(b *testing.B, p *project.Project) func(i int) {
	last := p.SchemaFile(p.Releases[len(p.Releases)-1])
	src, err := os.ReadFile(last)
	if err != nil {
		b.Fatal(err)
	}
	return func(i int) {
		edited := strings.Replace(string(src), "  primary_key {", fmt.Sprintf("  column \"late%d\" {\n    type = int\n    null = true\n  }\n  primary_key {", i), 1)
		if err := os.WriteFile(last, []byte(edited), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanGrowth is BenchmarkPlan1000Tables and
// BenchmarkReplan1000TablesLastReleaseEdited at other sizes: planning time
// grows linearly in tables and in releases.
func BenchmarkPlanGrowth(b *testing.B) {
	for _, size := range []struct{ tables, releases int }{{250, 10}, {500, 10}, {1000, 10}, {500, 5}, {500, 20}} {
		name := fmt.Sprintf("tables=%d/releases=%d", size.tables, size.releases)
		b.Run(name+"/from-scratch", func(b *testing.B) {
			p, _ := bigPlanned(b, false, size.tables, size.releases)
			benchPlan(b, p, false, func() string { return b.TempDir() }, nil, 4*size.releases)
		})
		b.Run(name+"/newest-edited", func(b *testing.B) {
			p, cache := bigPlanned(b, true, size.tables, size.releases)
			benchPlan(b, p, false, func() string { return cache }, editNewest(b, p), 4)
		})
	}
}

// BenchmarkSnapshotDefault1000Tables measures what `emcee db check` (and
// every db command) reads, per pending release, to learn the database
// default the release was planned for: schemadef.SnapshotDefault on the
// snapshot `emcee plan` wrote for a release of 1,000 tables x 20 columns.
func BenchmarkSnapshotDefault1000Tables(b *testing.B) {
	p, _ := bigPlanned(b, true, 1000, 1)
	path := filepath.Join(p.PlansDir, revision.SnapshotFile(p.Releases[0]))
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		coll, err := schemadef.SnapshotDefault(path, p.Target)
		if err != nil || coll != "utf8mb4_general_ci" {
			b.Fatalf("got %q, %v", coll, err)
		}
	}
	b.ReportMetric(float64(st.Size()), "snapshot-bytes")
}
