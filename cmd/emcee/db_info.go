package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
)

func init() {
	dbCommands = append(dbCommands, newDBVersionCmd, newDBStatusCmd, newDBCheckCmd, newDBBaselineCmd)
}

func newDBVersionCmd() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the database version (latest expand, latest contract)",
		Long: `version prints the composite version of the seeds: the latest expand revision
applied and the latest contract revision applied. During an upgrade to pike it
reads "pike_expand01, ocata_contract01"; once the upgrade is done,
"pike_expand01, pike_contract01". An empty database prints "none".

With -v it lists every recorded revision: state, statements applied of total,
start and finish, who applied it with which emcee, the statements an online
schema change tool applied (--osc), and the error of a failed one; and a
rollback stopped half-way, which holds every other phase back, with the
command that finishes it.`,
		Example: `  emcee db version --env prod
  emcee db version -v --env prod`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				return withSession(ctx, r, apply.Options{NoVerify: true}, func(s *apply.Session) (*dbResult, error) {
					v := s.Version()
					recs := s.Records.Sorted(s.Project.Releases)
					type rec struct {
						Name        string `json:"name"`
						State       string `json:"state"`
						Checksum    string `json:"checksum"`
						Applied     int    `json:"applied"`
						Total       int    `json:"total"`
						RowsDone    int64  `json:"rows_backfilled"`
						StartedAt   string `json:"started_at"`
						FinishedAt  string `json:"finished_at,omitempty"`
						AppliedBy   string `json:"applied_by"`
						ToolVersion string `json:"tool_version"`
						Error       string `json:"error,omitempty"`
						Failed      string `json:"failed_statement,omitempty"`
						// Undo is what undoes the statement in flight (a
						// foreign key: the next run runs it if its gates
						// refuse), which the failed_statement column holds
						// while the statement is in flight.
						Undo string `json:"undo,omitempty"`
						// OSC lists the statements an online schema change tool
						// applied; the server ran the others as written.
						OSC []history.OSCStatement `json:"osc,omitempty"`
					}
					out := struct {
						Version string `json:"version"`
						// RollingBack is a rollback stopped half-way, and
						// Next what finishes it: no other phase runs until
						// then.
						RollingBack string `json:"rolling_back,omitempty"`
						Next        string `json:"next,omitempty"`
						Revisions   []rec  `json:"revisions"`
					}{Version: v, Revisions: []rec{}}
					if during := (*apply.Refusal)(nil); errors.As(s.RefuseDuringRollback(ctx), &during) {
						out.RollingBack, out.Next = during.Reason, during.Next
					}
					for _, r := range recs {
						x := rec{Name: r.Name, State: r.State(), Checksum: r.Checksum, Applied: r.Applied, Total: r.Total, RowsDone: r.RowsDone,
							StartedAt: r.StartedAt.Format("2006-01-02T15:04:05Z"), AppliedBy: r.AppliedBy, ToolVersion: r.ToolVersion, Error: r.Error, Failed: r.FailedStatement}
						if r.InFlight {
							x.Failed, x.Undo = "", r.FailedStatement
						}
						if r.FinishedAt.Valid {
							x.FinishedAt = r.FinishedAt.Time.Format("2006-01-02T15:04:05Z")
						}
						if r.OSC != nil {
							x.OSC = r.OSC.Applied
						}
						out.Revisions = append(out.Revisions, x)
					}
					return &dbResult{doc: out, version: v, text: func(w io.Writer) {
						fmt.Fprintln(w, v)
						if !verbose {
							return
						}
						fmt.Fprintln(w)
						tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
						fmt.Fprintln(tw, "REVISION\tSTATE\tSTATEMENTS\tSTARTED (UTC)\tFINISHED (UTC)\tAPPLIED BY\tEMCEE")
						for _, r := range recs {
							fin := "-"
							if r.FinishedAt.Valid {
								fin = r.FinishedAt.Time.Format("2006-01-02 15:04:05")
							}
							fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\t%s\t%s\t%s\n", r.Name, r.State(), r.Applied, r.Total,
								r.StartedAt.Format("2006-01-02 15:04:05"), fin, r.AppliedBy, r.ToolVersion)
						}
						tw.Flush()
						for _, r := range recs {
							if r.OSC != nil {
								for _, a := range r.OSC.Applied {
									fmt.Fprintf(w, "\n%s statement %d: applied by %s", r.Name, a.Statement, a.Tool)
								}
								if len(r.OSC.Applied) > 0 {
									fmt.Fprintln(w)
								}
							}
							if r.Error != "" {
								stmt := r.FailedStatement
								if r.InFlight && stmt != "" {
									stmt = "in flight, undone by: " + stmt
								}
								fmt.Fprintf(w, "\n%s failed at statement %d: %s\n  %s\n", r.Name, r.Applied+1, r.Error, stmt)
							}
							if !r.Done() && r.ResumeKey.Valid {
								fmt.Fprintf(w, "\n%s: backfill stopped after key %s (bound %s), %d rows done\n", r.Name, history.ShowKey(r.ResumeKey.String), history.ShowKey(r.ResumeBound.String), r.BackfillRows())
							}
						}
						if out.RollingBack != "" {
							fmt.Fprintf(w, "\n%s\nnext: %s\n", out.RollingBack, out.Next)
						}
					}}, nil
				})
			})
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every recorded revision")
	return cmd
}

func newDBStatusCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show what is pending, per release and phase, with backfill rows left",
		Long: `status lists every revision of every release with its state (applied,
partial, failed, pending), the statements applied of total, and for migrate
revisions not yet done the number of rows their backfills still have to
update. It ends with the next command to run. It changes nothing.`,
		Example: `  emcee db status --env prod
  emcee db status --env prod --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				st, err := readStatus(ctx, r, true)
				if err != nil {
					return nil, err
				}
				return statusResult(st, func(w io.Writer) {
					fmt.Fprintf(w, "database %s\nversion  %s\n\n", st.Database, st.Version)
					tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
					fmt.Fprintln(tw, "REVISION\tSTATE\tSTATEMENTS\tPENDING ROWS")
					for _, rel := range st.Releases {
						for _, r := range rel.Revisions {
							rows := ""
							if r.PendingRows != nil {
								rows = fmt.Sprint(*r.PendingRows)
							} else if r.Phase == "migrate" && r.State != "applied" && r.Total > 0 {
								rows = "(after expand)"
							}
							fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s\n", r.Name, r.State, r.Applied, r.Total, rows)
						}
					}
					tw.Flush()
					var undone []apply.RevStatus
					for _, rel := range st.Releases {
						undone = append(undone, rel.RolledBack...)
					}
					if len(undone) > 0 {
						fmt.Fprintf(w, "\nrolled back (the records stay in %s):\n", history.Table)
						tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
						fmt.Fprintln(tw, "REVISION\tSTATE\tSTATEMENTS\tROLLED BACK AT")
						for _, r := range undone {
							fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%s (rollback %d)\n", r.Name, r.State, r.Applied, r.Total, r.RolledBackAt, r.Rollback)
						}
						tw.Flush()
					}
					for _, rel := range st.Releases {
						for _, r := range rel.Revisions {
							if r.Error != "" {
								fmt.Fprintf(w, "\n%s failed: %s\n", r.Name, r.Error)
							}
						}
					}
					fmt.Fprintf(w, "\n%s\n", st.Summary)
					if st.Detail != "" {
						fmt.Fprintln(w, st.Detail)
					}
					if st.Note != "" {
						fmt.Fprintf(w, "note: %s\n", st.Note)
					}
					if st.Next != "" {
						fmt.Fprintf(w, "next: %s\n", st.Next)
					}
				}), nil
			})
		},
	}
}

func readStatus(ctx context.Context, r *dbRun, countRows bool) (*apply.Status, error) {
	return withSession(ctx, r, apply.Options{}, func(s *apply.Session) (*apply.Status, error) { return s.Status(ctx, countRows) })
}

// statusResult is status's and check's result: for a fleet's line, what
// the database needs next (the summary's first words) and, when counted,
// the rows its backfills have left.
func statusResult(st *apply.Status, text func(io.Writer)) *dbResult {
	state, _, _ := strings.Cut(st.Summary, ":")
	res := &dbResult{doc: st, text: text, version: st.Version, state: state, note: st.Note}
	for _, rel := range st.Releases {
		for _, r := range rel.Revisions {
			if r.PendingRows != nil {
				if res.pending == nil {
					res.pending = new(int64)
				}
				*res.pending += *r.PendingRows
			}
		}
	}
	return res
}

func newDBCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Exit 0 up to date, 3 expand needed, 4 migrate needed, 5 contract needed, 7 blocked by data",
		Long: `check tells an orchestrator what the database needs next, by exit code
(the codes of glance-manage):

  0  up to date
  3  expand needed     run "emcee db expand"
  4  migrate needed    run "emcee db migrate" (also when a contract's gates are
                       closed by rows migrate can still rewrite)
  5  contract needed   run "emcee db contract" once no old code is left
  7  blocked by data: migrate has nothing left to rewrite, yet a gate of
     the contract counts rows (duplicates under a new unique index,
     orphans under a new foreign key ...), or a gate of the expand counts
     rows written before the release started (keys a charset conversion
     makes collide ...); fix those rows
  1  error (cannot connect, edited plan, database ahead of the plans, a
     gate that cannot run, a database default of another charset than the
     pending releases were planned for, a trigger, routine or event emcee
     does not manage that reads what contract drops or copies by position a
     table expand adds columns to: what the applying commands refuse)

It prints one line saying why; for 7 also each closed gate (file:line in
the plans, the rows it counts, and a query that lists them); for 1, when
it is what the applying commands refuse, the way out (next:). It changes
nothing and takes no lock.

With several revisions of the phase pending, it runs the gates of each in
turn, as expand and contract meet them. A gate that reads what an earlier
pending revision changes (a column it drops, adds or converts, rows it
deletes) would count another state than the one its command meets: it is
not run, and a line names it and the revision it waits for. The exit
code then is the phase's (3, 5) unless another gate closes it: the
command runs that gate once the revision before it has run.

What a poll costs: it reads the version table and, while a release is
pending, the database's default (one row of information_schema.SCHEMATA)
and the pending releases' snapshots; nothing else unless an expand with
gates or a contract is next. An expand's gates (a charset conversion's,
grouping its table's rows by the new key) run each in full. A contract's
gates run in order, each a read of its table (a consistent read: no row
locks), until one finds a row; a gate that finds none has read every row
it selects from, which is as costly as the gate's SELECT COUNT(*) in the
plan. For a gate that finds a row it asks whether migrate's backfills
still have a row to rewrite, which stops at the first one too. Only a
contract blocked by data (7) is counted in full, gate by gate, for the
rows to list. "emcee db status" counts everything, every time.`,
		Example: `  emcee db check --env prod; case $? in 3) emcee db expand --env prod;; esac`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				st, err := readStatus(ctx, r, false)
				if err != nil {
					return nil, err
				}
				res := statusResult(st, func(w io.Writer) {
					fmt.Fprintln(w, st.Summary)
					switch {
					case st.Detail != "":
						fmt.Fprintf(w, "%s\nnext: %s\n", st.Detail, st.Next)
					case st.Code == 1 && st.Next != "":
						// A refusal ("nothing was changed") is not a phase
						// the exit code names: without its way out, the
						// operator had to run the refused command to read it.
						fmt.Fprintf(w, "next: %s\n", st.Next)
					}
					if st.Note != "" {
						fmt.Fprintf(w, "note: %s\n", st.Note)
					}
				})
				if st.Code != 0 {
					return res, &exitError{code: st.Code, err: errors.New("")}
				}
				return res, nil
			})
		},
	}
}

func newDBBaselineCmd() *cobra.Command {
	var dryRun, allowDrift bool
	cmd := &cobra.Command{
		Use:   "baseline RELEASE",
		Short: "Place an existing database under emcee control at RELEASE (after checking it matches)",
		Long: `baseline adopts a database that emcee did not create. It inspects the live
schema and compares it with what RELEASE declares
(plans/RELEASE/RELEASE.snapshot.hcl). Only if they are equal does it create
` + history.Table + ` and record every revision up to RELEASE as applied.
Otherwise it prints the differences, table by table, and changes nothing.

A database can differ in a known, intended way: another application's
table, an index added for reporting. With --allow-drift, such objects
(the differences that are "unexpected": present, not declared) are
accepted: baseline records them in ` + devdb.AcceptedTable + `, and every
later drift check (expand's preflight, db diff) lists them apart instead
of as drift. What is missing or in another form than declared is never
accepted: the plans of later releases are written for the declared form.

Run it once, before the first "emcee db expand" on such a database.`,
		Example: `  emcee db baseline pike --env prod
  emcee db baseline ocata --env prod --allow-drift   # keep objects ocata does not declare`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
				return runChange(ctx, r, apply.Options{DryRun: dryRun, AllowDrift: allowDrift}, func(s *apply.Session, ctx context.Context) (*apply.Result, error) {
					return s.Baseline(ctx, args[0])
				})
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "compare and report, record nothing")
	cmd.Flags().BoolVar(&allowDrift, "allow-drift", false, "accept objects RELEASE does not declare (the unexpected differences) and record them, instead of refusing")
	return cmd
}
