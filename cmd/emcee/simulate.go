package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/simulate"
)

func init() { commands = append(commands, newSimulateCmd) }

func newSimulateCmd() *cobra.Command {
	var f struct {
		c              simulate.Config // what the flags give as they are
		url, plot      string
		example, quiet bool
		// phase holds --osc alone of the db commands' flags, read as
		// they read it (oscOptions).
		phase phaseFlags
	}
	cmd := &cobra.Command{
		Use:   "simulate [RELEASE] --url mysql://user:pass@host:3306/scratch",
		Short: "Rehearse a rolling upgrade on a scratch database, with both releases' code writing",
		Long: `simulate rehearses the upgrade to RELEASE (default: the last release) on a scratch
database while simulated application code of both releases reads and writes it,
and reports whether any of that code would have failed or lost data.

What it does, in order:
  1. brings the scratch database to the release before RELEASE (emcee db sync)
     and seeds --rows rows into each simulated table
  2. baseline:   workers of the previous release run alone, no DDL
  3. expand:     emcee db expand, with the previous release's workers running
  4. expanded:   workers of RELEASE start beside them (the rolling deploy)
  5. migrate:    emcee db migrate (batched backfill), both releases writing
  6. migrated:   both releases again with no DDL (with expanded, the
     equal-load reference for migrate's latencies)
  7. the previous release's workers stop (its last instance is retired); every
     row is checked: what each side wrote is there, and old and new columns
     agree through the declared forward/backward expressions; with a
     data_migration, catch-up: emcee db migrate again, for the rows the
     previous release wrote after migrate passed them (no trigger keeps those)
  8. contract:   emcee db contract, with RELEASE's workers running
  9. contracted: RELEASE alone; then every row is checked again

Workers play the application: inserts, updates of every column their release
knows, deletes and primary-key reads, using ONLY their release's columns
(the previous release writes is_public, the new one visibility). Their SQL is
derived from the two schema files, so it works on your own release pair. Every
write is kept in a client-side ledger that the row checks compare against.

The report lists, per phase and per worker kind, statements run and failed
(with the first errors verbatim) and latency percentiles, then the rows
checked, lost and inconsistent. The exit status is 6 when any statement failed
or any row was lost or inconsistent, 7 when expand's or contract's gates
count rows the workers wrote (blocked by data, as emcee db expand and
emcee db contract exit), 1 when the
rehearsal itself could not run. --format json prints the report as one
document: phases, statements, rows_checked, rows_lost, rows_inconsistent,
ok, and gates, the closed gates that refused the contract or the rollback
(gates_of says which: each with revision, rule, why, at, table, count and
list_sql, the query listing the rows), as db check lists them.

--rollback rehearses the other ending: after step 5 the new release's workers
stop, every row is checked, and emcee db rollback runs while the previous
release's workers keep writing (the new release's workers wrote values only
its columns hold, so the first run refuses, changing nothing, and the
rehearsal reruns it accepting the loss, as --drop-new-data does; the report
lists what was refused); they then run alone on their own schema, and
every row is checked again in the previous release's shape (the rows it wrote
during the rollback with the values it wrote). The exit status is 6 when any
statement of the previous release failed or any row was lost or changed,
7 when the rollback's own gates refused it (rows the new release wrote
that the previous release's schema cannot hold: blocked by data, as emcee
db rollback exits).
A rollback that narrows a widened column back copies its table: give
--allow-copy or --osc pt-osc, as to emcee db rollback.

--naive runs the same workers against what a single-phase tool does: Atlas's
diff between the two releases applied at once (for a replaced column, one
ALTER that drops the old column and adds the new one). Expect the previous
release's code to fail from that moment, and converted values to be lost;
the exit status is 0, since that is what it demonstrates.

Supported: tables both releases have under the same name, with the same
primary key of integer and string columns (char, varchar, binary,
varbinary; one column or several, as a join table's), which the workers
write from one counter per table that both releases draw from (a string in
base 36, lowercase); a key column that is part of a foreign key is refused,
as is a NOT NULL column of one; column types integer, bool, decimal,
float, char/varchar/text, enum, set, date/time, json, binary (columns of
other types are left out when they are NULL or have a default). Declared
replaces, renamed_from and fill columns are checked in both directions.
Foreign keys between simulated tables are not followed, nor the rows a
data migration inserts into a simulated table (from and insert): contract's
gate checks those. Each unique key
gets a value of its own in every row in one of its columns (an INT or
BIGINT, or a string of 8 characters or more); a key without such a column
is left to chance, and a duplicate is a failed statement.

The scratch database is created when it does not exist, and must be empty
otherwise. NEVER point --url at a database whose data you care about.`,
		Example: `  emcee simulate --example --url mysql://root@127.0.0.1:3306/emcee_sim
      the Glance is_public -> visibility example, no project needed
  emcee simulate pike --url mysql://root@127.0.0.1:3306/emcee_sim --rows 100000
  emcee simulate pike --url mysql://root@127.0.0.1:3306/emcee_sim2 --naive`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.url == "" {
				return usage(cmd, errors.New("--url is required: name a scratch database, e.g. --url mysql://root@127.0.0.1:3306/emcee_sim (it is created if missing and must be empty)"))
			}
			// Checked before the run, which takes minutes, not after it.
			if ext := strings.ToLower(filepath.Ext(f.plot)); f.plot != "" && ext != ".png" && ext != ".svg" {
				return usage(cmd, fmt.Errorf("--plot %s: the file must end in .png or .svg", f.plot))
			}
			// A negative count crashed the workers (--rows -5 panicked in
			// the middle of the run, leaving the scratch database filled);
			// a negative duration was taken for none.
			for _, n := range []struct {
				flag string
				v    int
			}{{"rows", f.c.Rows}, {"old-workers", f.c.OldWorkers}, {"new-workers", f.c.NewWorkers}, {"batch-size", f.c.BatchSize}} {
				if n.v < 0 {
					return usage(cmd, fmt.Errorf("--%s %d is negative: give 0 or more", n.flag, n.v))
				}
			}
			for _, d := range []struct {
				flag string
				v    time.Duration
			}{{"baseline", f.c.Baseline}, {"settle", f.c.Settle}, {"throttle", f.c.Throttle}, {"pause", f.c.Pause}, {"chunk-time", f.c.ChunkTime}} {
				if d.v < 0 {
					return usage(cmd, fmt.Errorf("--%s %s is negative: give a duration of 0 or more (e.g. 500ms, 2s)", d.flag, d.v))
				}
			}
			// The opt-ins of a rollback's table copies mean nothing to a
			// rehearsal that runs no rollback, or no plan (--naive).
			if f.c.AllowCopy && !f.c.Rollback {
				return usage(cmd, errors.New("--allow-copy lets a rollback copy the tables whose widened types it narrows back: it goes with --rollback"))
			}
			if cmd.Flags().Changed("osc") && f.c.Naive {
				return usage(cmd, errors.New("--osc says how emcee's plans copy tables; --naive runs Atlas's single-phase diff instead of them: give one of the two"))
			}
			ctx, cancel := signalContext(cmd)
			defer cancel()
			var p *project.Project
			var err error
			release := ""
			if f.example {
				dir, err := os.MkdirTemp("", "emcee-example-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(dir)
				if p, err = simulate.WriteExample(dir); err != nil {
					return err
				}
				release = simulate.ExampleRelease
			} else if p, err = loadProject(); err != nil {
				return err
			}
			if len(args) == 1 {
				release = args[0]
			} else if release == "" {
				release = p.Releases[len(p.Releases)-1]
			}
			if f.c.OSC, f.c.OSCFrom, err = f.phase.oscOptions(cmd, p); err != nil {
				return err
			}
			// db rollback's flags among simulate's.
			f.c.Rerun = rerunFlags(cmd, "allow-copy", "osc")
			cfg, err := dbconn.Parse(f.url)
			if err != nil {
				return fmt.Errorf("--url: %w", err)
			}
			cfg.From = "--url"
			cfg.Collations = schemadef.CharsetCollations(p.Target)
			partial(ctx, databaseDoc{cfg.String()})
			// The applier's progress is for people: on stderr when stdout
			// carries a document.
			log := cmd.OutOrStdout()
			if structured(formatOf(cmd)) {
				log = cmd.ErrOrStderr()
			}
			c := f.c
			c.Project, c.New, c.DB, c.Verify = p, release, cfg, true
			if !f.quiet {
				c.Log = log
			}
			sim, err := simulate.Prepare(ctx, c)
			if err != nil {
				return err
			}
			defer sim.Close()
			rep, err := sim.Run(ctx)
			if rep != nil && f.plot != "" {
				if perr := rep.Plot(f.plot); perr != nil {
					return perr
				}
				fmt.Fprintf(log, "wrote %s (write latency per second across the phases)\n", f.plot)
			}
			if rep != nil {
				emit(cmd, simulateDoc(rep), func(out io.Writer) {
					if f.c.Naive && len(rep.NaiveSQL) > 0 {
						fmt.Fprintln(out, "\nnaive migration:")
						for _, q := range rep.NaiveSQL {
							fmt.Fprintln(out, " ", q)
						}
					}
					rep.Print(out)
				})
			}
			if _, ok := errors.AsType[*apply.Blocked](err); ok {
				return &exitError{code: codeBlocked, err: err}
			}
			if err != nil {
				return err
			}
			if !rep.OK() && !f.c.Naive {
				return &exitError{code: codeFindings, err: errors.New("the upgrade broke the invariant: see the failed statements and rows above")}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "the database this command works on, "+urlForm+": the scratch database the rehearsal fills (created if missing; must hold no table; required, never taken from --env or the environment)")
	fl.IntVar(&f.c.Rows, "rows", 20000, "rows seeded into each simulated table before the upgrade")
	fl.IntVar(&f.c.OldWorkers, "old-workers", 3, "concurrent workers playing the previous release")
	fl.IntVar(&f.c.NewWorkers, "new-workers", 3, "concurrent workers playing the new release")
	fl.DurationVar(&f.c.Baseline, "baseline", 3*time.Second, "how long the previous release runs alone before expand (the latency reference)")
	fl.DurationVar(&f.c.Settle, "settle", 3*time.Second, "how long both releases run after expand, and the new one after contract")
	fl.DurationVar(&f.c.Throttle, "throttle", 0, "pause between one worker's statements (0: as fast as the server answers)")
	fl.IntVar(&f.c.BatchSize, "batch-size", 0, "backfill rows per batch (default: the applier's default)")
	fl.DurationVar(&f.c.Pause, "pause", 0, "sleep between backfill batches")
	fl.DurationVar(&f.c.ChunkTime, "chunk-time", 0, "size backfill batches to take about this long (as `emcee db migrate --chunk-time`)")
	fl.StringVar(&f.plot, "plot", "", "write a plot of write latency per second across the phases to this file (.png or .svg)")
	fl.StringSliceVar(&f.c.Tables, "table", nil, "table to simulate (repeatable; default: the tables whose columns differ between the two releases, in type, charset, collation or comment)")
	fl.BoolVar(&f.c.Naive, "naive", false, "apply Atlas's single-phase diff instead of emcee's plans, to see what breaks")
	fl.BoolVar(&f.c.Rollback, "rollback", false, "rehearse rolling the release back instead of contracting it: after migrate the new release's workers stop and emcee db rollback runs while the previous release's keep writing")
	fl.BoolVar(&f.c.AllowCopy, "allow-copy", false, "with --rollback: let the server copy the tables whose widened types the rollback narrows back (ALGORITHM=COPY, writes blocked while it runs), which the rollback otherwise refuses without --osc pt-osc (as emcee db rollback --allow-copy)")
	fl.StringVar(&f.phase.osc, "osc", "", "run statements that copy their table (ALGORITHM=COPY), in every phase the rehearsal runs, through an online schema change tool: pt-osc (pt-online-schema-change), or none (the server copies, blocking writes); default: osc in the emcee block of atlas.hcl, else none (as on the db commands)")
	fl.BoolVar(&f.example, "example", false, "simulate the bundled Glance example (is_public -> visibility) instead of this project")
	fl.BoolVar(&f.quiet, "quiet", false, "print only the report, not the applier's progress")
	return cmd
}

// simulateDoc is the report as a document: durations in milliseconds.
func simulateDoc(r *simulate.Report) any {
	type phase struct {
		Name      string  `json:"name"`
		What      string  `json:"what"`
		ElapsedMS float64 `json:"elapsed_ms"`
		Rows      int64   `json:"rows_backfilled,omitempty"`
	}
	type stats struct {
		Phase      string   `json:"phase"`
		Worker     string   `json:"worker"`
		Op         string   `json:"op"`
		Statements int      `json:"statements"`
		Failed     int      `json:"failed"`
		PerSecond  float64  `json:"statements_per_second"`
		P50MS      float64  `json:"p50_ms"`
		P99MS      float64  `json:"p99_ms"`
		MaxMS      float64  `json:"max_ms"`
		Errors     []string `json:"errors,omitempty"`
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	doc := struct {
		Mode        string   `json:"mode"`
		From        string   `json:"from"`
		To          string   `json:"to"`
		Tables      []string `json:"tables"`
		Phases      []phase  `json:"phases"`
		Stats       []stats  `json:"statements"`
		Verified    bool     `json:"rows_verified"`
		RowsChecked int      `json:"rows_checked"`
		// TableRows: rows_checked per table.
		TableRows    map[string]int `json:"rows_checked_per_table,omitempty"`
		Lost         int            `json:"rows_lost"`
		Inconsistent int            `json:"rows_inconsistent"`
		Problems     []string       `json:"problems,omitempty"`
		NaiveSQL     []string       `json:"naive_sql,omitempty"`
		RolledBack   bool           `json:"rolled_back,omitempty"`
		WindowRows   *int           `json:"rollback_window_rows,omitempty"`
		// RollbackLosses: what the first rollback run refused to drop.
		RollbackLosses []apply.Loss `json:"rollback_losses,omitempty"`
		// Gates: the closed gates that refused the contract or the
		// rollback rehearsed (GatesOf says which), as the text lists them.
		Gates   []apply.GateResult `json:"gates,omitempty"`
		GatesOf string             `json:"gates_of,omitempty"`
		OK      bool               `json:"ok"`
	}{Mode: r.Mode, From: r.Old, To: r.New, Tables: r.Tables, Phases: []phase{}, Stats: []stats{},
		Verified: r.Verified, RowsChecked: r.RowsChecked, TableRows: r.TableRows, Lost: r.Lost, Inconsistent: r.Inconsistent,
		Problems: r.Problems, NaiveSQL: r.NaiveSQL, RolledBack: r.Rollback, RollbackLosses: r.RollbackLosses, Gates: r.Gates, GatesOf: r.GatesOf, OK: r.OK()}
	if r.Rollback {
		doc.WindowRows = &r.WindowRows
	}
	for _, p := range r.Phases {
		doc.Phases = append(doc.Phases, phase{p.Name, p.What, ms(p.Elapsed), p.Rows})
	}
	for _, s := range r.Stats {
		doc.Stats = append(doc.Stats, stats{s.Phase, s.Kind.String(), s.Op.String(), s.Count, s.Failed, math.Round(s.Rate()),
			ms(s.Percentile(0.5)), ms(s.Percentile(0.99)), ms(s.Max()), s.Errors})
	}
	return doc
}
