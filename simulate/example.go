package simulate

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
)

// The Glance case the OpenStack pages describe: images.is_public (a
// boolean) becomes images.visibility (an enum) between two releases, with
// an index moving from one to the other. It is the example `emcee simulate
// --example` runs, and the fixture of the e2e test and the benchmarks.
//
//go:embed example
var example embed.FS

// ExampleRelease is the release the example upgrades to.
const ExampleRelease = "pike"

// WriteExample creates the Glance example project in dir (atlas.hcl,
// schema/, and plans/ as `emcee plan` writes them) and loads it.
func WriteExample(dir string) (*project.Project, error) {
	files := map[string]string{}
	for _, name := range []string{"atlas.hcl", "schema/ocata.hcl", "schema/pike.hcl"} {
		files[name] = exampleFile(name)
	}
	return WriteProject(dir, files)
}

func exampleFile(name string) string {
	b, err := example.ReadFile("example/" + name)
	if err != nil {
		panic(err) // embedded above
	}
	return string(b)
}

// WriteProject writes a project's files (path relative to dir -> content),
// plans it as `emcee plan` does and loads it, for simulations and
// benchmarks of other workloads.
func WriteProject(dir string, files map[string]string) (*project.Project, error) {
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		return nil, err
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		return nil, fmt.Errorf("planning %s: %w", project.Rel(dir), err)
	}
	if err := out.Write(); err != nil {
		return nil, err
	}
	return p, nil
}
