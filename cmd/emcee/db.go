package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
)

func init() { commands = append(commands, newDBCmd) }

// dbFlags are shared by every db subcommand.
var dbFlags struct {
	url         string
	format      string
	devURL      string
	lockTimeout time.Duration
	// A target list and how to go through it.
	targets  string
	parallel int
	canary   int
	failFast bool
}

func newDBCmd() *cobra.Command {
	db := &cobra.Command{
		Use:   "db",
		Short: "Apply plans to a live database: version, expand, migrate, contract, sync, check",
		Long: `The db commands apply the committed plans/ to a MySQL or MariaDB database and
record every revision in the table emcee_revisions of that database.

A rolling upgrade from release N-1 to N, while N-1 keeps serving:

  emcee db check      exit 3: expand needed (0 up to date, 4 migrate, 5 contract,
                      7 contract blocked by data)
  emcee db expand     additive changes and sync triggers; N-1 code keeps working
                      -> deploy N code beside N-1 code
  emcee db migrate    batched backfill while both releases run
                      -> retire every N-1 instance
  emcee db contract   gated drops and tightenings; refused while rows are pending

"emcee db sync" does all three phases for every pending release, for a fresh
database or an offline upgrade. "emcee db version" prints the composite
version (latest expand, latest contract), e.g. "pike_expand01, ocata_contract01"
in the middle of an upgrade to pike.

The database comes from --url, the url of --env (an env block of atlas.hcl),
$EMCEE_URL or the url of $EMCEE_ENV, the first given. Passwords are never printed. Only one run at a time may
change a database: a second run fails at once, naming who holds the lock.

Many databases (a database per tenant, per shard, per region): every db
command takes a target list, --targets FILE (one URL a line, # comments) or
an env block with for_each (Atlas's shape: for_each = toset(var.tenants),
url = urlsetpath(var.url, each.value)). The command runs on each database
exactly as on one, --parallel at a time; a database that fails does not stop
the others (unless --fail-fast); --canary K runs the first K alone first. It
ends with a line per database and how many sit at each version, and exits
with the worst database's code: 1 (a failure) over 7 (blocked by data)
over 6 (drift), then db check's 3 over 4 over 5.`,
		Example: `  export EMCEE_URL='mysql://deploy:secret@db.internal:3306/glance'
  emcee db status                 # what is applied, what is pending
  emcee db check; echo $?         # 3: expand needed
  emcee db expand --dry-run       # print what would run, change nothing
  emcee db expand && emcee db migrate
  emcee db contract --format json # once no old-release code is left
  emcee db expand --targets tenants.txt --parallel 8 --canary 1
  emcee db status --env tenants --var tenants=acme --var tenants=globex`,
	}
	pf := db.PersistentFlags()
	pf.StringVar(&dbFlags.url, "url", "", urlUsage("the database to upgrade"))
	addFormatFlag(db, true, &dbFlags.format)
	pf.StringVar(&dbFlags.devURL, "dev-url", "", devURLUsage("for schema comparisons"))
	pf.StringVar(&dbFlags.targets, "targets", "", "a file listing the databases to work on, one URL a line (# starts a comment); the command runs on each as on one, then prints a line per database and a summary. An env block with for_each (--env) is a target list too")
	pf.IntVar(&dbFlags.parallel, "parallel", 4, "with a target list: work on at most this many databases at once")
	pf.IntVar(&dbFlags.canary, "canary", 0, "with a target list: run on the first K databases (in list order) before any other, and start no other if one of them fails")
	pf.BoolVar(&dbFlags.failFast, "fail-fast", false, "with a target list: start no database after one has failed (those running finish); without it every database is tried")
	pf.DurationVar(&dbFlags.lockTimeout, "lock-timeout", 0, "wait this long for another run's lock instead of failing at once (e.g. 5m)")
	db.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		if err := checkFormat(cmd, args); err != nil {
			return err
		}
		if dbFlags.lockTimeout < 0 {
			// The server reads a negative GET_LOCK timeout as "wait forever".
			return usage(cmd, fmt.Errorf("--lock-timeout %s is negative: give how long to wait for another run's lock (0, the default, fails at once)", dbFlags.lockTimeout))
		}
		return nil
	}
	for _, c := range dbCommands {
		db.AddCommand(c())
	}
	return db
}

// dbCommands are the db subcommands, one file each.
var dbCommands []func() *cobra.Command

// openSession opens a session on the run's database.
func openSession(ctx context.Context, r *dbRun, opts apply.Options) (*apply.Session, error) {
	// A failure to connect still says, in the document, which database.
	partial(ctx, databaseDoc{r.String()})
	opts.DevURL = r.Dev
	opts.Tool = currentVersion().Version
	opts.LockTimeout = dbFlags.lockTimeout
	return apply.Open(ctx, r.project, r.Config, opts)
}

// jsonOut tells whether the run prints a document (json or yaml) instead
// of text: then the applier logs nothing on stdout.
func jsonOut() bool { return structured(dbFlags.format) }

// signalContext cancels on Ctrl-C or SIGTERM: the statement in progress is
// abandoned and the next run resumes from the version table.
func signalContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// finish hands over a changing command's result and maps its error.
func finish(res *apply.Result, err error) (*dbResult, error) {
	var out *dbResult
	if res != nil {
		var r *apply.Refusal
		if errors.As(err, &r) {
			res.Next = r.Next
		}
		// The text was logged while it ran.
		out = &dbResult{doc: res, version: res.After}
	}
	var blocked *apply.Blocked
	if errors.As(err, &blocked) {
		return out, &exitError{code: codeBlocked, err: err}
	}
	var late *apply.NoRollback
	if errors.As(err, &late) {
		return out, &exitError{code: codeNoRollback, err: err}
	}
	return out, err
}

// phaseOptions builds run options from the flags of changing commands.
type phaseFlags struct {
	dryRun     bool
	allowDrift bool
	batchSize  int
	pause      time.Duration
	maxRows    int64
	retries    int
}

func (f *phaseFlags) add(cmd *cobra.Command, drift, backfill, maxRows bool) {
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print exactly what would run, change nothing")
	if drift {
		cmd.Flags().BoolVar(&f.allowDrift, "allow-drift", false, "continue even if the live schema differs from what the previous release left (the differences are still printed)")
	}
	if backfill {
		cmd.Flags().IntVar(&f.batchSize, "batch-size", apply.DefaultBatchSize, "rows per backfill batch (primary-key range); each batch is one short transaction")
		cmd.Flags().DurationVar(&f.pause, "pause", 0, "sleep between backfill batches, to leave room for the application's writes and for replicas (e.g. 100ms)")
	}
	if maxRows {
		cmd.Flags().Int64Var(&f.maxRows, "max-rows", 0, "stop after backfilling this many rows (0: all); rerun to continue")
	}
	cmd.Flags().IntVar(&f.retries, "retries", apply.DefaultRetries, "retry a backfill batch, gate or statement that hits a deadlock or lock wait timeout this many times, waiting 0.5s, 1s, 2s ... in between (0: never)")
}

func (f *phaseFlags) options(r *dbRun) apply.Options {
	o := apply.Options{DryRun: f.dryRun, AllowDrift: f.allowDrift, BatchSize: f.batchSize, Pause: f.pause, MaxRows: f.maxRows, Retries: f.retries}
	if f.retries == 0 {
		o.Retries = -1
	}
	r.logTo(&o)
	return o
}

// progressReporter draws a bar on a terminal and prints a plain line every
// tenth of the way otherwise (logs, CI).
func progressReporter(w io.Writer) func(apply.Progress) {
	terminal := isTerminal(w)
	var bar *progressbar.ProgressBar
	lastTenth, lastDone := int64(-1), int64(-1)
	return func(p apply.Progress) {
		if terminal {
			if bar == nil {
				bar = progressbar.NewOptions64(max(p.Total, 1),
					progressbar.OptionSetWriter(w),
					progressbar.OptionSetDescription("backfill "+p.Table),
					progressbar.OptionShowCount(),
					progressbar.OptionSetItsString("rows"),
					progressbar.OptionShowIts(),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish())
			}
			_ = bar.Set64(min(p.Done, max(p.Total, 1)))
			if p.Finished {
				_ = bar.Finish()
				bar = nil
			}
			return
		}
		tenth := int64(10)
		if p.Total > 0 {
			tenth = min(p.Done*10/p.Total, 10)
		}
		if tenth != lastTenth || (p.Finished && p.Done != lastDone) {
			fmt.Fprintf(w, "    backfill %s: %d of %d rows (%d%%)\n", p.Table, p.Done, p.Total, tenth*10)
			lastTenth, lastDone = tenth, p.Done
		}
		if p.Finished {
			lastTenth, lastDone = -1, -1
		}
	}
}
