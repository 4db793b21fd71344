// Package project reads atlas.hcl: Atlas's env blocks (which database, which
// dev database, which schema source) and the emcee block that says which
// releases exist, in which order, and where their schemas and plans live.
package project

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/emcee-db/emcee/revision"
)

// DefaultFile is looked up in the working directory when --config is not given.
const DefaultFile = "atlas.hcl"

// Env is one Atlas env block. Attributes emcee does not use (migration
// blocks, lint settings, ...) are allowed and left to Atlas.
type Env struct {
	Name string   `hcl:"name,label"`
	URL  string   `hcl:"url,optional"`
	Dev  string   `hcl:"dev,optional"`
	Src  string   `hcl:"src,optional"`
	Rest hcl.Body `hcl:",remain"`
}

// Settings is the emcee block.
type Settings struct {
	SchemaDir string   `hcl:"schema_dir,optional"`
	PlansDir  string   `hcl:"plans_dir,optional"`
	Target    string   `hcl:"target,optional"`
	Releases  []string `hcl:"releases"`
	Released  []string `hcl:"released,optional"`
}

type file struct {
	Envs  []*Env    `hcl:"env,block"`
	Emcee *Settings `hcl:"emcee,block"`
	Rest  hcl.Body  `hcl:",remain"`
}

// Project is a loaded atlas.hcl, with paths resolved against its directory.
type Project struct {
	Path      string // the atlas.hcl file
	Dir       string // its directory
	Envs      []*Env
	SchemaDir string // absolute
	PlansDir  string // absolute
	Target    Target
	Releases  []string
	released  map[string]bool
}

// Load reads and validates the project file.
func Load(path string) (*Project, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s not found: run emcee in the directory holding atlas.hcl, or pass --config path/to/atlas.hcl", path)
		}
		return nil, err
	}
	p := hclparse.NewParser()
	f, diags := p.ParseHCL(src, path)
	if diags.HasErrors() {
		return nil, HCLError(diags)
	}
	var doc file
	if diags := gohcl.DecodeBody(f.Body, evalContext(), &doc); diags.HasErrors() {
		return nil, HCLError(diags)
	}
	if doc.Emcee == nil {
		return nil, fmt.Errorf("%s: no emcee block: add `emcee { releases = [\"ocata\", \"pike\"] }` listing your releases in order", path)
	}
	dir := filepath.Dir(path)
	s := doc.Emcee
	pr := &Project{
		Path:      path,
		Dir:       dir,
		Envs:      doc.Envs,
		SchemaDir: filepath.Join(dir, orDefault(s.SchemaDir, "schema")),
		PlansDir:  filepath.Join(dir, orDefault(s.PlansDir, "plans")),
		Releases:  s.Releases,
		released:  map[string]bool{},
	}
	pos := blockPos(f.Body, "emcee")
	if pr.Target, err = ParseTarget(orDefault(s.Target, "mysql 8.0")); err != nil {
		return nil, fmt.Errorf("%s: emcee.target: %w", pos, err)
	}
	if len(s.Releases) == 0 {
		return nil, fmt.Errorf("%s: emcee.releases is empty: list your releases oldest first", pos)
	}
	seen := map[string]bool{}
	for i, r := range s.Releases {
		at := elemPos(f.Body, "releases", i, pos)
		if !revision.ReleaseNamePattern.MatchString(r) {
			return nil, fmt.Errorf("%s: emcee.releases: %q is not a valid release name (lowercase letters and digits, starting with a letter)", at, r)
		}
		if seen[r] {
			return nil, fmt.Errorf("%s: emcee.releases: %q is listed twice", at, r)
		}
		seen[r] = true
	}
	for i, r := range s.Released {
		if !seen[r] {
			return nil, fmt.Errorf("%s: emcee.released: %q is not in emcee.releases", elemPos(f.Body, "released", i, pos), r)
		}
		pr.released[r] = true
	}
	// Releases ship in order: an unreleased release before a released one
	// could still be rewritten under revisions operators have applied.
	for i, r := range s.Released {
		for _, before := range s.Releases[:pr.Index(r)] {
			if !pr.released[before] {
				return nil, fmt.Errorf("%s: emcee.released: %q is released, but %q, listed before it in emcee.releases, is not: releases ship in order. Add %q to released, or remove %q", elemPos(f.Body, "released", i, pos), r, before, before, r)
			}
		}
	}
	return pr, nil
}

// elemPos is where the i-th element of a list attribute of the emcee block
// is written, or the block's position when it cannot be found.
func elemPos(body hcl.Body, attr string, i int, blockAt string) string {
	b, ok := body.(*hclsyntax.Body)
	if !ok {
		return blockAt
	}
	for _, blk := range b.Blocks {
		if blk.Type != "emcee" {
			continue
		}
		if a, ok := blk.Body.Attributes[attr]; ok {
			if list, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && i < len(list.Exprs) {
				r := list.Exprs[i].Range()
				return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
			}
		}
	}
	return blockAt
}

// Released reports whether the release is marked as shipped: its revisions
// are frozen.
func (p *Project) Released(release string) bool { return p.released[release] }

// SchemaFile is the declared schema of a release.
func (p *Project) SchemaFile(release string) string {
	return filepath.Join(p.SchemaDir, release+".hcl")
}

// Env returns the named env block.
func (p *Project) Env(name string) (*Env, error) {
	var names []string
	for _, e := range p.Envs {
		if e.Name == name {
			return e, nil
		}
		names = append(names, e.Name)
	}
	return nil, fmt.Errorf("%s: no env %q (defined: %s)", p.Path, name, strings.Join(names, ", "))
}

// Rel makes a path relative to the working directory when possible, for
// messages a user can click on.
func Rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func blockPos(body hcl.Body, typ string) string {
	content, _, _ := body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: typ}}})
	if content != nil && len(content.Blocks) > 0 {
		r := content.Blocks[0].DefRange
		return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
	}
	return typ
}

// evalContext offers Atlas's getenv() so env URLs can keep secrets out of
// the file.
func evalContext() *hcl.EvalContext {
	return &hcl.EvalContext{Functions: map[string]function.Function{
		"getenv": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "name", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.StringVal(os.Getenv(args[0].AsString())), nil
			},
		}),
	}}
}

// Index returns the position of a release in the order, or -1.
func (p *Project) Index(release string) int { return slices.Index(p.Releases, release) }
