// Package schemadef reads schema definitions written in Atlas HCL (release
// files and the snapshots in plans/) for the target flavour, and words a
// column's definition the way MySQL prints it. The planner, the applier,
// the dev database and the review all read schemas through it, so none of
// them needs the planning packages to read one.
package schemadef

import (
	"fmt"
	"os"

	"ariga.io/atlas/schemahcl"
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2/hclparse"

	"github.com/emcee-db/emcee/project"
)

// evaluator is the Atlas HCL evaluator for the target flavor.
func evaluator(t project.Target) schemahcl.Evaluator {
	if t.MariaDB() {
		return mysql.EvalMariaHCL
	}
	return mysql.EvalHCL
}

// ReadSnapshot loads a release snapshot (plans/<release>/<release>.snapshot.hcl):
// the schema the release's existing revisions produce.
func ReadSnapshot(path string, t project.Target) (*schema.Schema, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := hclparse.NewParser()
	if _, diags := p.ParseHCL(src, path); diags.HasErrors() {
		return nil, project.HCLError(diags)
	}
	return Eval(p, path, t)
}

// Eval evaluates files already parsed, so a release file is parsed once
// for both emcee's checks and Atlas.
func Eval(p *hclparse.Parser, name string, t project.Target) (_ *schema.Schema, err error) {
	defer func() {
		// Atlas panics on some inputs it does not validate (enum() did);
		// the user gets an error naming the file instead of a stack trace.
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: Atlas failed while reading the schema (%v): a declaration in this file is malformed in a way Atlas does not report; check the last change to it", name, r)
		}
	}()
	var s schema.Schema
	if err := evaluator(t).Eval(p, &s, nil); err != nil {
		if herr := project.HCLError(err); herr != err {
			return nil, herr
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &s, nil
}
