package main

import (
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/review"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

func init() { commands = append(commands, newReviewCmd, newRulesCmd) }

func newReviewCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "review [RELEASE...]",
		Short: "Explain the plans of releases: rule, reason, locks and gates of every statement",
		Long: `review reads the committed plans (after checking plans/emcee.sum) and prints,
for every statement of every revision, the rule that put it in its phase, why,
what it locks while it runs, and which statements are gates that contract must
pass first. It needs no database. Without arguments it reviews every release.`,
		Example: `  emcee review stein        # what an operator will run for stein
  emcee review              # every release`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadProject()
			if err != nil {
				return err
			}
			for _, a := range args {
				if p.Index(a) < 0 {
					return fmt.Errorf("no release %q in %s (releases: %v)", a, p.Path, p.Releases)
				}
			}
			plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
			if err != nil {
				return err
			}
			if err := plans.Verify(); err != nil {
				return err
			}
			var revs []*revision.Revision
			for _, r := range plans.Revisions {
				if len(args) == 0 || slices.Contains(args, r.ID.Release) {
					revs = append(revs, r)
				}
			}
			if len(revs) == 0 {
				return fmt.Errorf("no revisions to review: run `emcee plan` first")
			}
			review.Write(cmd.OutOrStdout(), revs)
			return nil
		},
	}
}

func newRulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "Print the classification rules as a Markdown table",
		Long: `rules prints every rule the splitter knows: the change it handles, the phases
it uses, the gate contract checks first, and an example. Any change no rule
handles is a planning error, never a guess. README.md embeds this table.`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), splitter.RuleTable())
		},
	}
}
