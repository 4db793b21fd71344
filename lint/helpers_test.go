package lint

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// ocata is the first release of every test project.
const ocata = `schema "app" {}
table "images" {
  schema = schema.app
  column "id" {
    type = bigint
  }
  column "name" {
    type = varchar(100)
  }
  column "is_public" {
    type    = bool
    default = false
  }
  column "owner" {
    type = varchar(50)
    null = true
  }
  column "size" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_owner" {
    columns = [column.owner]
  }
  check "ck_size" {
    expr = "size >= 0"
  }
}
`

// withoutSize is ocata without images.size (and the check reading it).
var withoutSize = pike("  column \"size\" {\n    type = int\n    null = true\n  }\n", "", "  check \"ck_size\" {\n    expr = \"size >= 0\"\n  }\n", "")

// pike is ocata changed: each edit replaces one anchor of ocata.
func pike(edits ...string) string {
	s := ocata
	for i := 0; i < len(edits); i += 2 {
		if strings.Count(s, edits[i]) != 1 {
			panic("anchor not found once in ocata: " + edits[i])
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}

// A project of two releases, ocata and pike, planned by `emcee plan` in a
// temporary directory that is also the working directory, as a developer
// runs it.
type fixture struct {
	t   *testing.T
	dir string
	p   *project.Project
}

func planned(t *testing.T, pikeSchema string) *fixture {
	t.Helper()
	return plannedOn(t, "mariadb 10.11", pikeSchema)
}

// plannedOn is planned for another target server (atlas.hcl's target).
func plannedOn(t *testing.T, target, pikeSchema string) *fixture {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	f := &fixture{t: t, dir: dir}
	f.write("atlas.hcl", "emcee {\n  target   = \""+target+"\"\n  releases = [\"ocata\", \"pike\"]\n}\n")
	f.write("schema/ocata.hcl", ocata)
	f.write("schema/pike.hcl", pikeSchema)
	p, err := project.Load("atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	f.p = p
	f.plan()
	return f
}

// plan runs `emcee plan`.
func (f *fixture) plan() {
	f.t.Helper()
	out, err := planner.Plan(f.p, planner.Options{})
	if err != nil {
		f.t.Fatal(err)
	}
	if err := out.Write(); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) write(path, content string) {
	f.t.Helper()
	full := filepath.Join(f.dir, path)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) read(path string) string {
	f.t.Helper()
	data, err := os.ReadFile(filepath.Join(f.dir, path))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}

// edit replaces old (which must occur once) in a file of the project and,
// for a plan file, records the edit in the sum as a careless hand would:
// only the finding under test should show.
func (f *fixture) edit(path, old, new string) {
	f.t.Helper()
	s := f.read(path)
	if strings.Count(s, old) != 1 {
		f.t.Fatalf("%s: %q is not there exactly once:\n%s", path, old, s)
	}
	f.write(path, strings.Replace(s, old, new, 1))
	if strings.HasPrefix(path, "plans/") {
		f.resum()
	}
}

// appendStatement adds a statement at the end of a plan file and returns
// the position lint reports for it.
func (f *fixture) appendStatement(path, sql string) string {
	f.t.Helper()
	s := f.read(path)
	line := strings.Count(s, "\n") + 3
	f.write(path, s+"\n-- rule hand-made: added by hand\n"+sql+";\n")
	f.resum()
	return fmt.Sprintf("%s:%d", path, line)
}

// remove deletes a plan file and records it in the sum.
func (f *fixture) remove(path string) {
	f.t.Helper()
	if err := os.Remove(filepath.Join(f.dir, path)); err != nil {
		f.t.Fatal(err)
	}
	f.resum()
}

// resum rewrites plans/emcee.sum for the files on disk.
func (f *fixture) resum() {
	f.t.Helper()
	files := map[string][]byte{}
	var paths []string
	err := filepath.WalkDir(filepath.Join(f.dir, "plans"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(filepath.Join(f.dir, "plans"), path)
		if rel == revision.SumFile {
			return nil
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		paths = append(paths, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	sum, err := revision.Sum(revision.SumOrder(f.p.Releases, paths), files)
	if err != nil {
		f.t.Fatal(err)
	}
	f.write("plans/"+revision.SumFile, string(sum))
}

// lineOf is the position of the line holding text in a file, as lint
// reports it: file:line, or file:line:col with the column of text.
func (f *fixture) lineOf(path, text string, withColumn bool) string {
	f.t.Helper()
	for i, l := range strings.Split(f.read(path), "\n") {
		if c := strings.Index(l, text); c >= 0 {
			if withColumn {
				return fmt.Sprintf("%s:%d:%d", path, i+1, c+1)
			}
			return fmt.Sprintf("%s:%d", path, i+1)
		}
	}
	f.t.Fatalf("%s has no line with %q", path, text)
	return ""
}

// lint runs every analyzer, replaying the plans in a fresh dev database
// when dev is set.
func (f *fixture) lint(dev bool) *Result {
	f.t.Helper()
	var opts Options
	if dev {
		db := testdb.New(f.t)
		d, err := devdb.Open(context.Background(), devdb.Spec{URL: db.URL})
		if err != nil {
			f.t.Fatal(err)
		}
		f.t.Cleanup(func() {
			if err := d.Close(context.Background()); err != nil {
				f.t.Error(err)
			}
		})
		opts.Dev = d
	}
	res, err := Run(context.Background(), f.p, opts)
	if err != nil {
		f.t.Fatalf("lint did not finish: %v", err)
	}
	return res
}

// lintCase is a project that does (want) or does not (want "") produce a
// finding of the code under test.
type lintCase struct {
	name  string
	pike  string
	dev   bool // replay the plans in a dev database
	setup func(f *fixture) (want string)
}

// check runs the cases of one code: a case passes when the code is
// reported exactly at want, or not at all when want is empty.
func check(t *testing.T, code string, cases []lintCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := planned(t, tc.pike)
			want := ""
			if tc.setup != nil {
				want = tc.setup(f)
			}
			res := f.lint(tc.dev)
			var got []string
			for _, fd := range res.Findings {
				if fd.Code != code {
					continue
				}
				pos := fmt.Sprintf("%s:%d", fd.File, fd.Line)
				if fd.Column > 0 {
					pos += fmt.Sprintf(":%d", fd.Column)
				}
				got = append(got, pos)
				if fd.Message == "" || fd.Fix == "" {
					t.Errorf("%s has no message or no fix: %+v", code, fd)
				}
			}
			switch {
			case want == "" && len(got) > 0:
				t.Errorf("%s reported at %v, want none:\n%s", code, got, findings(res))
			case want != "" && !slices.Equal(got, []string{want}):
				t.Errorf("%s reported at %v, want exactly %s:\n%s", code, got, want, findings(res))
			}
		})
	}
}

func findings(res *Result) string {
	var b strings.Builder
	for _, f := range res.Findings {
		fmt.Fprintln(&b, f)
	}
	return b.String()
}
