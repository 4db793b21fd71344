package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

func init() { dbCommands = append(dbCommands, newDBDiffCmd) }

func newDBDiffCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "diff",
		Short: "Compare the live schema with what its recorded revisions produce (exit 6 on drift)",
		Long: `diff lists every difference between the live schema and the state that the
revisions recorded in emcee_revisions should have produced: a hotfix made by
hand, an index dropped by mistake, a sync trigger lost in a dump and restore.
It changes nothing and takes no lock; while another run holds the operator
lock it compares nothing (exit 1): what that run is applying would show as
differences.

The expected state is rebuilt, not guessed. In a scratch database emcee
creates the snapshot of the last release whose revisions are all applied
(plans/<release>/<release>.snapshot.hcl), then replays, in order, the DDL of
every later recorded revision: gates and backfills are skipped, and of a
revision that a stopped run left unfinished only the statements recorded as
applied. A database in the middle of an upgrade (after "db expand", before
"db contract") therefore compares clean. The scratch database is --dev-url,
else the env's dev (which must be empty, and is emptied again), else a
temporary emcee_scratch_* database beside the target, dropped afterwards.

Tables, columns, indexes, keys, checks and table options are compared with
Atlas; triggers (emcee's sync triggers) and views (emcee keeps one under
the old name of a renamed table) through information_schema. The version
table emcee_revisions is left out. Each difference is written from the
database's point of view:

  missing      the recorded revisions produce it; the database lacks it
  unexpected   the database has it; the recorded revisions do not produce it
  differs      both have it, in different forms

The expand preflight and db baseline compare the same way and print the
same lines. Differences accepted when the database was adopted ("db baseline
--allow-drift") are listed apart and are not drift.

Exit codes: 0 the database matches, 6 it has drifted, 1 error (no revision
recorded, cannot connect, edited plan, another run changing the database).

With --format json (or yaml) it prints one document (tables sorted by name; a trigger
is listed under its table, a view under its own name):

  {"database": "mysql://app:****@db1:3306/glance", "version": "pike_expand01, ocata_contract01",
   "compared_with": "ocata_expand01 ... pike_expand01", "base": "plans/ocata/ocata.snapshot.hcl",
   "replayed": ["pike_expand01"], "clean": false, "expected": "what ocata_expand01 ... pike_expand01 produce",
   "tables": [{"table": "images", "differences": [
     {"kind": "column", "name": "extra", "state": "unexpected", "live": "int NULL",
      "detail": "column extra is unexpected (int NULL)"}]}]}

kind is one of table, view, column, index, primary key, foreign key, check,
table option, trigger; live and expected describe the object on each side
and are left out on the side that lacks it.`,
		Example: `  emcee db diff --env prod
  emcee db diff --env prod --format json | jq '.tables[].differences[].detail'
  emcee db diff --env prod --dev-url mysql://root@127.0.0.1:3306/emcee_dev`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				return withSession(ctx, r, apply.Options{}, func(s *apply.Session) (*dbResult, error) {
					res, err := s.Diff(ctx)
					if res == nil {
						return nil, err
					}
					out := &dbResult{doc: res, version: res.Version, state: "clean", text: func(w io.Writer) {
						if err == nil {
							printDiff(w, res)
						}
					}}
					if err != nil {
						out.state = ""
						return out, err
					}
					if !res.Clean {
						out.state = "drifted: " + res.Summary()
						return out, &exitError{code: codeFindings, err: errors.New("")}
					}
					return out, nil
				})
			})
		},
	}
}

func printDiff(w io.Writer, r *apply.DiffResult) {
	if r.Clean {
		fmt.Fprintf(w, "%s (version %s) matches what its recorded revisions %s produce", r.Database, r.Version, r.ComparedWith)
		if len(r.Accepted) > 0 {
			fmt.Fprintf(w, ", apart from %s accepted when it was adopted (%s):\n%s", r.AcceptedSummary(), devdb.AcceptedTable, r.AcceptedString())
		} else {
			fmt.Fprintln(w)
		}
		printExcluded(w, r)
		if r.InFlight != "" {
			fmt.Fprintf(w, "note: %s\n", r.InFlight)
		}
		return
	}
	fmt.Fprintf(w, "emcee db diff on %s, version %s\n", r.Database, r.Version)
	fmt.Fprintf(w, "compared with what %s produce: %s\n\n%s", r.ComparedWith, diffRebuilt(r), r.Report.String())
	if len(r.Accepted) > 0 {
		fmt.Fprintf(w, "\naccepted when the database was adopted (%s), not drift:\n%s", devdb.AcceptedTable, r.AcceptedString())
	}
	printExcluded(w, r)
	if r.InFlight != "" {
		fmt.Fprintf(w, "\nnote: %s\n", r.InFlight)
	}
	fmt.Fprintf(w, "\n%s: the database has drifted from its recorded revisions.\n", r.Summary())
	fmt.Fprintln(w, "Undo changes made by hand (create what is missing, drop what is unexpected). If a change is intended, declare it in the schema of the release being developed and run `emcee plan`, so that a revision makes it; undo the hand-made change before that revision runs.")
}

// printExcluded names the tables the env's exclude left out of the
// comparison, so that an exclude pattern never hides a table unsaid.
func printExcluded(w io.Writer, r *apply.DiffResult) {
	if len(r.Excluded) > 0 {
		fmt.Fprintf(w, "not compared: %s no release declares, left out by the env's exclude: %s\n", sqlsyntax.Plural(len(r.Excluded), "table"), r.ExcludedNames())
	}
}

// diffRebuilt says how the expected state was obtained.
func diffRebuilt(r *apply.DiffResult) string {
	how := "an empty schema"
	if r.Base != "" {
		how = "snapshot " + r.Base
	}
	if len(r.Replayed) > 0 {
		how += ", then " + strings.Join(r.Replayed, ", ") + " replayed in a scratch database"
	}
	return how
}
