package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/review"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
)

func init() { commands = append(commands, newReviewCmd, newRulesCmd) }

func newReviewCmd() *cobra.Command {
	var url string
	// osc holds --osc alone of the db commands' flags, read as they read
	// it (oscOptions).
	var osc phaseFlags
	cmd := &cobra.Command{
		Use:   "review [RELEASE...]",
		Short: "Explain a release's plans for approval: order, gates, triggers, data at risk, locks",
		Long: `review reads the committed plans (after checking plans/emcee.sum) and tells a
release manager what approving them means. For each release:

  Order               the steps operators follow (db expand, deploy, db migrate,
                      retire the old release, db contract) and what each runs
  Gates               the checks contract runs before changing anything; each
                      must count 0 rows, or contract stops and changes nothing
  Triggers and views  what expand creates to keep both releases' columns in
                      sync, and where contract drops it
  Data at risk        every column, table or row set a statement destroys, with
                      the column's type as the previous release declares it
  Tightened           columns contract makes stricter, and unique indexes,
                      foreign keys and checks it adds, with the gate guarding each
  Table rebuilds      every statement that rewrites all rows of a table, in place
                      or by a copy, with the table's rows and size when a
                      database is given (--url or --env)
  Revisions           every statement: the rule that placed it, what it changes,
                      what it costs on the target server (instant; in-place: no
                      table rebuild; rebuild: in place, every row rewritten;
                      copy: writes blocked; metadata, rows, read), and why it
                      is in its phase

Costs are read from each statement's ALGORITHM and LOCK clauses, which the
server enforces (it refuses a statement rather than lock more than the clause
says), and for ALGORITHM=INPLACE from what the statement does on the target
server (a column made NOT NULL rebuilds the table, an index built beside the
rows does not). A statement with no clause is shown as "unspecified": check it.

review needs no database. With --url or --env given on its command line
(not from $EMCEE_URL or $EMCEE_ENV) it reads the size of each table a
statement rebuilds or backfills from that database's information_schema, so
the report says "rebuilds images (1.0M rows, 509 MB)", and the redo log's
limit (MariaDB): a backfill of a table larger than that limit is flagged,
because while it runs every commit waits for page flushing, the
application's too. Without arguments it reviews every release.

With osc = "pt-osc" in the emcee block of atlas.hcl, or --osc pt-osc, every
table copy says that the db commands hand it to pt-online-schema-change, and
the --alter it gets.`,
		Example: `  emcee review train                     # on a terminal
  emcee review train --format markdown   # paste into the pull request
  emcee review --format json | jq '.releases[].data_at_risk'
  emcee review train --format yaml
  emcee review train --env prod          # with the sizes of the tables rebuilt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := loadProject()
			if err != nil {
				return err
			}
			if p.OSC, _, err = osc.oscOptions(cmd, p); err != nil {
				return err
			}
			for _, a := range args {
				if p.Index(a) < 0 {
					return fmt.Errorf("no release %q in %s (releases: %s)", a, p.Path, strings.Join(p.Releases, ", "))
				}
			}
			plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
			if err != nil {
				return err
			}
			if err := plans.Verify(); err != nil {
				return err
			}
			releases := slices.DeleteFunc(slices.Clone(p.Releases), func(r string) bool {
				return len(args) > 0 && !slices.Contains(args, r) || len(plans.Of(r, revision.Expand)) == 0
			})
			if len(releases) == 0 {
				return fmt.Errorf("no revisions to review in %s: run `emcee plan` first", plans.Dir)
			}
			rep, err := review.Build(p, plans, releases)
			if err != nil {
				return err
			}
			if url != "" || cmd.Flag("env").Changed {
				c, err := dbconn.Resolve(url, global.env, p)
				if err != nil {
					return err
				}
				db, err := dbconn.Open(cmd.Context(), c)
				if err != nil {
					return err
				}
				defer db.Close()
				if err := review.AddSizes(cmd.Context(), db, c.String(), rep); err != nil {
					return c.RedactErr(err)
				}
			}
			emit(cmd, rep, func(w io.Writer) {
				if formatOf(cmd) == formatMarkdown {
					review.WriteMarkdown(w, rep)
				} else {
					review.WriteText(w, rep)
				}
			})
			return nil
		},
	}
	addFormatFlag(cmd, false, formatMarkdown)
	cmd.Flags().StringVar(&osc.osc, "osc", "", "say which table copies the db commands would hand to an online schema change tool: pt-osc or none (default: osc in the emcee block of atlas.hcl)")
	cmd.Flags().StringVar(&url, "url", "", "the database this command works on, mysql://user:pass@host:3306/db: review reads the sizes of the tables its statements rebuild from its information_schema, nothing else (never defaulted from $EMCEE_URL or $EMCEE_ENV: review needs no database)")
	return cmd
}

func newRulesCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "rules",
		Short: "Print the classification rules as a Markdown table",
		Long: `rules prints every rule the splitter knows: the change it handles, the phases
it uses, the gate contract checks first and what its rollback does, then an
example of each, as a release file takes it (in a table block, or at the
top level of the file). Any change no rule handles is a planning error,
never a guess. README.md embeds this table.
With --format json (or yaml), the rules are one document, sorted by name.`,
		Example: `  emcee rules | less
  emcee rules --format json | jq -r '.rules[].rule'`,
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			type rule struct {
				Rule     string `json:"rule"`
				Change   string `json:"change"`
				Phases   string `json:"phases"`
				Gate     string `json:"gate"`
				Rollback string `json:"rollback"`
				Example  string `json:"example"`
				// ExampleIn is where the example goes: "table" (in a
				// table block) or "file" (the release file's top level).
				ExampleIn string `json:"example_in"`
			}
			doc := struct {
				Rules []rule `json:"rules"`
			}{}
			for _, r := range splitter.Rules() {
				in := "file"
				if r.Doc.ExampleInTable() {
					in = "table"
				}
				doc.Rules = append(doc.Rules, rule{r.Name, r.Doc.Change, r.Doc.Phases, r.Doc.Gate, r.Doc.Rollback, r.Doc.Example, in})
			}
			slices.SortFunc(doc.Rules, func(a, b rule) int { return strings.Compare(a.Rule, b.Rule) })
			emit(cmd, doc, func(w io.Writer) { fmt.Fprint(w, splitter.RuleTable()) })
		},
	}
}
