package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/history"
)

func init() { dbCommands = append(dbCommands, newDBForgetCmd) }

func newDBForgetCmd() *cobra.Command {
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "forget REVISION",
		Short: "Remove the record of an unfinished revision once the live schema shows nothing of it",
		Long: `forget is the way out when the record of an unfinished revision in
` + history.Table + ` stops every command: its script changed after a run
that applied part of it ("a revision must finish with the script it started
with"), or the record was edited by hand ("the table was edited by hand").

It removes the record only if the live schema equals what the other recorded
revisions produce, compared as "emcee db diff" compares: undo by hand what
the revision applied first (the refusal lists what differs). A finished
revision is never forgotten, nor one a later revision follows. Rows a
backfill of the revision already rewrote keep the values it wrote.

A run that changed nothing (its first statement failed, nothing was sent
without confirmation, no backfill batch committed) needs no forget: the next
run takes the changed script, and says so.`,
		Example: `  emcee db forget train_expand01 --env prod --dry-run   # compare only
  emcee db forget train_expand01 --env prod`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeVersions,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				return runChange(ctx, r, apply.Options{DryRun: dryRun}, func(s *apply.Session, ctx context.Context) (*apply.Result, error) {
					return s.Forget(ctx, args[0])
				})
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "compare and report, remove nothing")
	return cmd
}
