package lint

import (
	"errors"
	"fmt"
	"path/filepath"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/splitter"
)

// release is one declared release as `emcee plan --rewrite` would see it:
// its schema file, and its split from the release before it.
type release struct {
	name string
	src  *diff.Source
	// r is nil when the schema file does not load.
	r *diff.Release
	// problems are the typed planning errors of the file and of its split:
	// findings of their own.
	problems []*diff.Problem
}

// loadReleases loads every release's schema file and plans it from the
// previous release, once per pass. Typed planning errors become problems
// for the analyzers that report them; any other planning error fails the
// lint (exit 1), since it is not one of lint's findings and `emcee plan`
// would refuse the schema too.
func (p *Pass) loadReleases() []*release {
	if p.rels != nil {
		return p.rels
	}
	for i, name := range p.Project.Releases {
		rel := &release{name: name}
		var prev *release
		if i > 0 {
			prev = p.rels[i-1]
		}
		p.rels = append(p.rels, rel)
		p.load(rel, prev)
	}
	return p.rels
}

func (p *Pass) load(rel, prev *release) {
	src, err := planner.Source(p.Project, rel.name, p.sql)
	if err != nil {
		p.fail(err)
		return
	}
	rel.src = &src
	rel.r, err = diff.Load(src, p.Project.Target)
	p.sortOut(rel, err)
	if rel.r == nil || (prev != nil && prev.r == nil) {
		// Without the previous release there is nothing to plan from; its
		// own error is reported already.
		return
	}
	s := splitter.Sources{To: src}
	if prev != nil {
		s.Prev = prev.src
	}
	_, err = splitter.Transition(p.Project.Target, s)
	p.sortOut(rel, err)
}

// atSchema reports a finding at a position in a schema file, which the
// pipeline names relative to the project directory and findings relative
// to the working directory.
func (p *Pass) atSchema(code string, sev Severity, pos diff.Pos, msg, fix string) {
	p.report(Finding{Code: code, Severity: sev, File: project.Rel(filepath.Join(p.Project.Dir, filepath.FromSlash(pos.File))), Line: pos.Line, Column: pos.Col, Message: msg, Fix: fix})
}

// reported are the kinds of problem an analyzer reports as a finding;
// any other planning error fails the lint, as it fails `emcee plan`.
var reported = map[diff.ProblemKind]bool{diff.IncompleteReplacement: true, diff.NotNullWithoutDefault: true}

// sortOut keeps the typed problems inside err and fails the pass with the rest.
func (p *Pass) sortOut(rel *release, err error) {
	var rest []error
	var walk func(error)
	walk = func(err error) {
		var prob *diff.Problem
		switch u := err.(type) {
		case nil:
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e)
			}
		default:
			if errors.As(err, &prob) && reported[prob.Kind] {
				rel.problems = append(rel.problems, prob)
				return
			}
			rest = append(rest, err)
		}
	}
	walk(err)
	if len(rest) > 0 {
		p.fail(fmt.Errorf("release %s does not plan: %w", rel.name, errors.Join(rest...)))
	}
}

// release is the named release as loaded, nil if atlas.hcl does not list
// it or its schema file does not load.
func (p *Pass) release(name string) *diff.Release {
	if i := p.Project.Index(name); i >= 0 {
		return p.loadReleases()[i].r
	}
	return nil
}

// before is the schema of the release before the named one,
// for telling what a statement of the named release changes (nil: the
// release is the first, or its predecessor's schema does not load).
func (p *Pass) before(name string) *schema.Schema {
	if i := p.Project.Index(name); i > 0 {
		if prev := p.loadReleases()[i-1]; prev.r != nil {
			return prev.r.Schema
		}
	}
	return nil
}

func (p *Pass) storedFunctions(name string) []string {
	if r := p.release(name); r != nil {
		return r.Declarations.Functions(p.Project.Target).Stored
	}
	return nil
}
