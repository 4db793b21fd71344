package lint

import (
	"errors"
	"fmt"
	"os"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/splitter"
)

// release is one declared release as `emcee plan --rewrite` would see it:
// its schema file, and its split from the release before it.
type release struct {
	name string
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
	if p.relsRead {
		return p.rels
	}
	p.relsRead = true
	drv, err := diff.Offline(p.Project.Target)
	if err != nil {
		p.fail(err)
		return nil
	}
	for i, name := range p.Project.Releases {
		rel := &release{name: name}
		var prev *release
		if i > 0 {
			prev = p.rels[i-1]
		}
		p.rels = append(p.rels, rel)
		p.load(drv, rel, prev)
	}
	return p.rels
}

func (p *Pass) load(drv *mysql.Driver, rel, prev *release) {
	src, err := os.ReadFile(p.Project.SchemaFile(rel.name))
	if err != nil {
		p.fail(err)
		return
	}
	rel.r, err = diff.ParseRelease(rel.name, project.Rel(p.Project.SchemaFile(rel.name)), src, p.Project.Target)
	p.sortOut(rel, err)
	if rel.r == nil || (prev != nil && prev.r == nil) {
		// Without the previous release there is nothing to plan from; its
		// own error is reported already.
		return
	}
	var from *diff.Release
	var fromSchema *schema.Schema
	if prev != nil {
		from, fromSchema = prev.r, prev.r.Schema
	}
	if err := rel.r.Check(from); err != nil {
		p.sortOut(rel, err)
		return
	}
	tr, err := diff.Between(drv, fromSchema, rel.r)
	if err == nil {
		_, err = splitter.Split(tr, p.Project.Target, drv)
	}
	p.sortOut(rel, err)
}

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
			if errors.As(err, &prob) {
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

// release is the named release, nil if atlas.hcl does not list it.
func (p *Pass) release(name string) *release {
	for _, r := range p.loadReleases() {
		if r.name == name {
			return r
		}
	}
	return nil
}

// before finds a column as the release before the named one declares it,
// for telling what a statement of the named release changes (nil: the
// release is the first, or its predecessor's schema does not load).
func (p *Pass) before(name string) splitter.ColumnLookup {
	i := p.Project.Index(name)
	if i <= 0 {
		return nil
	}
	prev := p.release(p.Project.Releases[i-1])
	if prev == nil || prev.r == nil {
		return nil
	}
	return func(table, column string) *schema.Column {
		if t, ok := prev.r.Schema.Table(table); ok {
			if c, ok := t.Column(column); ok {
				return c
			}
		}
		return nil
	}
}
