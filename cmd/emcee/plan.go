package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlrelease"
)

func init() { commands = append(commands, newPlanCmd) }

func newPlanCmd() *cobra.Command {
	var (
		check       bool
		rewrite     []string
		devURL, url string
	)
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Regenerate plans/ from schema/<release>.hcl (no database needed) or .sql",
		Long: `plan diffs each release's declared schema against the state before it and
writes three revision scripts per release into plans/<release>/, and the
rollback of each expand:

  <release>_expandNN.sql    safe while the previous release runs
  <release>_migrateNN.sql   data backfills, while both releases run
  <release>_contractNN.sql  drops and tightenings, after the previous release is gone
  <release>_rollbackNN.sql  undoes expandNN, until contract starts (refused, with
                            the reason, where the expand cannot be undone online)

Revisions are append-only. Editing a release that already has revisions adds
<release>_expand02 (and migrate02, contract02, rollback02) holding only the difference; the
state the existing revisions produce is read from plans/<release>/<release>.snapshot.hcl.
Releases listed in the emcee block's "released" are frozen.

A release may be declared as SQL instead: schema/<release>.sql (CREATE
TABLE statements, as ORMs and mysqldump --no-data write them), with
emcee's declarations in schema/<release>.emcee.hcl. Its SQL runs in a dev
database (--dev-url, the env's dev, $EMCEE_DEV_URL, or a temporary
emcee_scratch_* database beside --url), and only when its files changed
since its last plan: the snapshot records their hash, so an unchanged SQL
release plans, and plan --check checks, without a database. Given one,
plan --check evaluates the SQL again, so a snapshot edited to say something
else than its SQL does not pass.

The output is deterministic, whatever directory emcee runs from: running
plan twice changes nothing. CI runs "emcee plan --check", which exits 6 and
prints the difference when plans/ is stale, and also when a revision differs
from what the planner writes from the snapshots it was planned from: a
revision edited by hand is found even when plans/emcee.sum was regenerated
over it. The snapshot of each planning step records the plan format of the
emcee that planned it ("emcee version" prints a build's): a revision of
another format that this emcee writes otherwise (after an emcee upgrade)
stays in a released release, with a note naming the format, and is refused
in another, with "emcee plan --rewrite RELEASE" as the way out. plan records
the format in snapshots written before emcee recorded it.

A missing or damaged plans/emcee.sum is written again only when every
revision is exactly what the planner writes; otherwise plan names the
revisions it cannot vouch for: restore the sum from version control.`,
		Example: `  emcee plan                  # write new revisions
  emcee plan --check          # exit 6 and show the diff if plans/ is out of date
  emcee plan --rewrite stein  # re-plan an unreleased release from scratch
  emcee plan --check --format json | jq -r .diff`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := loadProject()
			if err != nil {
				return err
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			// Releases declared as SQL are evaluated in a dev database
			// opened on first use: planning needs none while no SQL
			// release changed.
			var dev *devdb.DB
			closeDev := func() {}
			defer func() { closeDev() }()
			eval := func(f diff.SQLFiles) (diff.Source, error) {
				if dev == nil {
					opened, closeOpened, err := openDev(ctx, cmd.ErrOrStderr(), "plan", p, devURL, url, "")
					if err != nil {
						return diff.Source{}, fmt.Errorf("evaluating %s needs the dev database: %w", f.File, err)
					}
					if opened == nil {
						return diff.Source{}, planner.ErrNoDatabase
					}
					dev, closeDev = opened, closeOpened
				}
				return sqlrelease.Evaluate(ctx, dev, f, p.Target)
			}
			out, err := planner.Plan(p, planner.Options{Rewrite: rewrite, SQL: eval, Reevaluate: check, Check: check})
			if err != nil {
				return err
			}
			for _, n := range out.Notes {
				fmt.Fprintln(cmd.ErrOrStderr(), n)
			}
			if check {
				d, err := out.Diff()
				if err != nil {
					return err
				}
				var edits planner.Edits
				if d == "" {
					if edits, err = out.Edited(p); err != nil {
						return err
					}
				}
				edited, refusal := edits.Diff, edits.Refusal(p)
				for _, n := range edits.Notes() {
					fmt.Fprintln(cmd.ErrOrStderr(), n)
				}
				notes := slices.Concat(out.Notes, edits.Notes())
				doc := struct {
					UpToDate bool     `json:"up_to_date"`
					Diff     string   `json:"diff,omitempty"`
					Edited   string   `json:"edited,omitempty"`
					Notes    []string `json:"notes,omitempty"`
				}{d == "" && refusal == "", d, edited, notes}
				emit(cmd, doc, func(w io.Writer) { fmt.Fprint(w, cmp.Or(d, edited, "plans/ is up to date\n")) })
				switch {
				case d != "":
					return &exitError{code: codeFindings, err: errors.New("plans/ is stale: run `emcee plan` and commit the result")}
				case refusal != "":
					return &exitError{code: codeFindings, err: errors.New(refusal)}
				}
				return nil
			}
			if err := out.Write(); err != nil {
				return err
			}
			doc := struct {
				Wrote   []string `json:"wrote"`
				Removed []string `json:"removed"`
				// Updated are the other files written: the new revisions'
				// snapshots and the sum, or a snapshot rewritten alone.
				Updated []string `json:"updated"`
			}{[]string{}, []string{}, []string{}}
			revs := map[string]bool{}
			for _, id := range out.New {
				doc.Wrote = append(doc.Wrote, project.Rel(out.Dir+"/"+id.File()))
				revs[id.File()] = true
			}
			for _, s := range out.Stale {
				doc.Removed = append(doc.Removed, project.Rel(out.Dir+"/"+s))
			}
			for _, f := range out.Written {
				if !revs[f] {
					doc.Updated = append(doc.Updated, project.Rel(out.Dir+"/"+f))
				}
			}
			emit(cmd, doc, func(w io.Writer) {
				for _, f := range doc.Wrote {
					fmt.Fprintf(w, "wrote %s\n", f)
				}
				for _, f := range doc.Removed {
					fmt.Fprintf(w, "removed %s\n", f)
				}
				switch {
				case len(doc.Wrote) > 0 || len(doc.Removed) > 0:
					// The snapshots and the sum go with the revisions.
				case len(doc.Updated) > 0:
					// No release changed, but files did (the plan format
					// recorded in snapshots written before it was): "up to
					// date" over them read as nothing to commit.
					for _, f := range doc.Updated {
						fmt.Fprintf(w, "updated %s\n", f)
					}
				default:
					fmt.Fprintln(w, "plans/ is up to date: no release changed")
				}
			})
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "do not write; exit 6 and print the difference if plans/ is stale")
	cmd.Flags().StringSliceVar(&rewrite, "rewrite", nil, "discard the revisions of these unreleased releases and plan them again")
	cmd.Flags().StringVar(&devURL, "dev-url", "", devURLUsage("to run releases declared as SQL in, only when their files changed since their last plan"))
	cmd.Flags().StringVar(&url, "url", "", urlUsage("plan creates its temporary dev database on this database's server, when a release declared as SQL changed and no dev database is given"))
	return cmd
}
