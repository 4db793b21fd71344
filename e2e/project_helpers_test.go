package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/internal/testdb"
)

// copyExample copies the bundled example (schema/, plans/, atlas.hcl) into
// a temporary directory, with env (Atlas env blocks, or "") before the
// project file's own content.
func copyExample(t *testing.T, env string) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"schema", "plans"} {
		copyTree(t, filepath.Join("..", sub), filepath.Join(dir, sub))
	}
	cfg, err := os.ReadFile("../atlas.hcl")
	if err != nil {
		t.Fatal(err)
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), append([]byte(env), cfg...))
	return dir
}

// exampleProject is the bundled example pointed at a test database.
func exampleProject(t *testing.T) *opProject {
	t.Helper()
	db := testdb.New(t)
	dir := copyExample(t, "env \"test\" {\n  url = \""+db.URL+"\"\n}\n\n")
	return &opProject{t: t, Dir: dir, DB: db}
}

// plan runs `emcee plan` (no database) in the project.
func (p *opProject) plan(args ...string) opResult {
	p.t.Helper()
	cmd := exec.Command(opBinary(p.t), append([]string{"plan"}, args...)...)
	cmd.Dir = p.Dir
	return opRunCmd(p.t, cmd)
}

// editSchema rewrites one release file of the project.
func (p *opProject) editSchema(release string, edit func(string) string) {
	p.t.Helper()
	path := filepath.Join(p.Dir, "schema", release+".hcl")
	src, err := os.ReadFile(path)
	if err != nil {
		p.t.Fatal(err)
	}
	opWrite(p.t, path, []byte(edit(string(src))))
}

// newSchemaProject writes a project of the given release files (in order)
// on a test database, for `emcee plan` and the db commands.
func newSchemaProject(t *testing.T, releases ...[2]string) *opProject {
	t.Helper()
	db := testdb.New(t)
	dir := t.TempDir()
	var names []string
	for _, r := range releases {
		names = append(names, `"`+r[0]+`"`)
		opWrite(t, filepath.Join(dir, "schema", r[0]+".hcl"), []byte(r[1]))
	}
	opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte("env \"test\" {\n  url = \""+db.URL+"\"\n}\n\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = ["+strings.Join(names, ", ")+"]\n}\n"))
	return &opProject{t: t, Dir: dir, DB: db}
}

// addRelease appends a release to the project.
func (p *opProject) addRelease(name, src string) {
	p.t.Helper()
	opWrite(p.t, filepath.Join(p.Dir, "schema", name+".hcl"), []byte(src))
	cfg := p.read("atlas.hcl")
	list := regexp.MustCompile(`releases = \[(.*)\]`)
	opWrite(p.t, filepath.Join(p.Dir, "atlas.hcl"), []byte(list.ReplaceAllString(cfg, `releases = [$1, "`+name+`"]`)))
}

// read returns a file of the project.
func (p *opProject) read(path string) string {
	p.t.Helper()
	data, err := os.ReadFile(filepath.Join(p.Dir, path))
	if err != nil {
		p.t.Fatal(err)
	}
	return string(data)
}

// ls lists the files under a directory of the project.
func (p *opProject) ls(dir string) (string, error) {
	var out []string
	err := filepath.WalkDir(filepath.Join(p.Dir, dir), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, path)
		}
		return err
	})
	return strings.Join(out, "\n"), err
}
