package lint

import "fmt"

// A trigger is stored when it is created whatever its body calls: a
// function the server does not have (a plan written for another server, a
// stored function the database lacks) fails only when the trigger fires,
// and then on every write of the running release that fires it. The
// replay fires every trigger a revision creates, and runs every backfill
// and gate rolled back, as the expand preflight does on the target's
// server before expand.
var _ = register(&Analyzer{
	Code:   "EM111",
	Title:  "trigger, backfill or gate that cannot run on the dev database's server: run once, it fails with an unknown function, column or table",
	Replay: "all of it: the triggers are fired, the backfills and gates run, in the dev database as the plans are replayed",
	Run: func(p *Pass) {
		if p.replay == nil {
			return
		}
		for _, rev := range p.Plans.Revisions {
			for _, f := range p.replay.fired[rev] {
				msg := fmt.Sprintf("%s cannot run on this server: %v; once expand creates it, every write of the running release that fires it fails", f.What, f.Err)
				if f.Step != nil {
					msg = fmt.Sprintf("the %s of %s cannot run on this server: %v; `emcee db %s` would fail on it", rev.Statements[f.stmt].Kind, rev.ID, f.Err, rev.ID.Phase)
				}
				p.atStatement("EM111", Error, rev, f.stmt, msg,
					"use functions and columns the target server has in the release's expressions, or declare a stored function of the database (stored_function \"name\" {}), then "+replan(rev))
			}
		}
	},
})
