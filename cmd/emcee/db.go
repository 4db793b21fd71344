package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/vbauerster/mpb/v8"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/internal/shell"
	"github.com/emcee-db/emcee/project"
)

func init() { commands = append(commands, newDBCmd) }

// dbFlags are shared by every db subcommand.
var dbFlags struct {
	url         string
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
                      7 expand or contract blocked by data)
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
$EMCEE_URL or the url of $EMCEE_ENV, the first given. Passwords are never
printed. Only one run at a time may change a database: a second run fails at
once, naming who holds the lock.

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
	addFormatFlag(db, true)
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

// withSession runs f on a session opened on the run's database, and
// closes it.
func withSession[T any](ctx context.Context, r *dbRun, opts apply.Options, f func(*apply.Session) (T, error)) (T, error) {
	// A failure to connect still says, in the document, which database.
	partial(ctx, databaseDoc{r.String()})
	opts.DevURL = r.Dev
	opts.Aside = r.aside
	opts.Tool = currentVersion().Version
	opts.LockTimeout = dbFlags.lockTimeout
	// Every command a hint of this run names carries the run's flags that
	// command takes: db status's "next: emcee db expand" without its --env
	// sent the operator to expand another database.
	opts.Rerun = r.rerun
	s, err := apply.Open(ctx, r.project, r.Config, opts)
	if err != nil {
		var none T
		return none, err
	}
	defer s.Close()
	return f(s)
}

// signalContext cancels on Ctrl-C or SIGTERM: the statement in progress is
// abandoned and the next run resumes from the version table.
func signalContext(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// phaseFlags are the flags of changing commands.
type phaseFlags struct {
	o           apply.Options // what the flags give as they are
	osc         string
	oscChunk    time.Duration
	oscSleep    time.Duration
	oscMaxLoad  string
	oscCritical string
	// throttle (migrate, sync), read by check into o
	maxLoad, criticalLoad string
}

// What --allow-drift compares the live schema with.
const (
	leftByPrevious    = "what the previous release left"
	recordedRevisions = "what the recorded revisions produce"
)

func (f *phaseFlags) add(cmd *cobra.Command, driftFrom string, backfill, maxRows bool) {
	cmd.Flags().BoolVar(&f.o.DryRun, "dry-run", false, "print exactly what would run, change nothing")
	cmd.Flags().BoolVar(&f.o.AllowDrift, "allow-drift", false, "continue even if the live schema differs from "+driftFrom+", or the database's default collation from the plans' (the differences are still printed)")
	if backfill {
		cmd.Flags().IntVar(&f.o.BatchSize, "batch-size", apply.DefaultBatchSize, "rows per backfill batch (primary-key range); each batch is one short transaction")
		cmd.Flags().DurationVar(&f.o.Pause, "pause", 0, "sleep between backfill batches, to leave room for the application's writes and for replicas (e.g. 100ms)")
		cmd.Flags().DurationVar(&f.o.ChunkTime, "chunk-time", 0, "size each backfill batch to take about this long (e.g. 500ms), starting from --batch-size; 0 keeps --batch-size")
		cmd.Flags().IntVar(&f.o.MaxBatchSize, "max-batch-size", apply.DefaultMaxBatchSize, "the most keys --chunk-time may put in one batch")
		cmd.Flags().DurationVar(&f.o.MaxLag, "max-lag", 0, "pause the backfill while a replica lags more than this (Seconds_Behind_Master; stopped replication counts as lagging), e.g. 1s; replicas from --replica or found on the primary")
		cmd.Flags().StringArrayVar(&f.o.Replicas, "replica", nil, "a replica --max-lag watches: mysql://user:pass@host:port/ (repeatable); without it they are found on the primary (SHOW SLAVE HOSTS entries a binlog dump connection comes from, else those connections' hosts on the primary's port) and reached with the primary's user and password, never over TLS (refused if the primary's URL asks for TLS), dropped if they ask for the password itself")
		cmd.Flags().StringVar(&f.maxLoad, "max-load", "", "pause the backfill while a global status variable is at or over its limit: VAR=N[,VAR=N], e.g. Threads_running=25")
		cmd.Flags().StringVar(&f.criticalLoad, "critical-load", "", "stop migrate cleanly (exit 8, resumable) when a global status variable reaches its limit: VAR=N[,VAR=N], e.g. Threads_running=100")
		cmd.Flags().DurationVar(&f.o.CheckInterval, "check-interval", time.Second, "how often a paused backfill checks replicas and load again")
	}
	if maxRows {
		cmd.Flags().Int64Var(&f.o.MaxRows, "max-rows", 0, "stop after backfilling this many rows (0: all); rerun to continue")
	}
	cmd.Flags().IntVar(&f.o.Retries, "retries", apply.DefaultRetries, "retry a backfill batch, gate or statement that hits a deadlock or lock wait timeout this many times, waiting 0.5s, 1s, 2s ... in between (0: never)")
	cmd.Flags().StringVar(&f.osc, "osc", "", "run statements that copy their table (ALGORITHM=COPY) through an online schema change tool: pt-osc (pt-online-schema-change), or none (the server copies, blocking writes); default: osc in the emcee block of atlas.hcl, else none")
	cmd.Flags().DurationVar(&f.oscChunk, "osc-chunk-time", 0, "with --osc pt-osc: how long each chunk of the copy should take (pt-online-schema-change --chunk-time; default: osc_chunk_time in the emcee block, else "+project.DefaultOSCChunkTime.String()+")")
	cmd.Flags().DurationVar(&f.oscSleep, "osc-sleep", 0, "with --osc pt-osc: pause this long after each chunk of the copy, leaving the server to the application's writes (pt-online-schema-change --sleep; 0: no pause; default: osc_sleep in the emcee block, else none)")
	cmd.Flags().StringVar(&f.oscMaxLoad, "osc-max-load", "", "with --osc pt-osc: pause the copy while the server is this busy, e.g. Threads_running=25 (pt-online-schema-change --max-load; default: osc_max_load in the emcee block, else the tool's)")
	cmd.Flags().StringVar(&f.oscCritical, "osc-critical-load", "", "with --osc pt-osc: stop the copy (the tool drops its copy and triggers; rerun to start again) when the server is this busy, e.g. Threads_running=50 (pt-online-schema-change --critical-load; default: osc_critical_load in the emcee block, else the tool's)")
}

// oscOptions resolves how copying statements run: the flags over the
// emcee block of atlas.hcl.
func (f *phaseFlags) oscOptions(cmd *cobra.Command, p *project.Project) (project.OSC, string, error) {
	o, from := p.OSC, "osc = \""+p.OSC.Tool+"\" in the emcee block of "+project.Rel(p.Path)
	if cmd.Flags().Changed("osc") {
		if err := project.CheckOSCTool(f.osc); err != nil {
			return o, "", usage(cmd, fmt.Errorf("--osc: %w", err))
		}
		o.Tool, from = f.osc, "--osc "+f.osc
	}
	tuned := false
	maxLoad, errMax := project.ParseLoads(f.oscMaxLoad)
	critical, errCrit := project.ParseLoads(f.oscCritical)
	for _, t := range []struct {
		flag string
		err  error // the value's check
		set  func()
	}{
		{"osc-chunk-time", project.CheckChunkTime(f.oscChunk), func() { o.ChunkTime = f.oscChunk }},
		{"osc-sleep", project.CheckSleep(f.oscSleep), func() { o.Sleep = f.oscSleep }},
		{"osc-max-load", errMax, func() { o.MaxLoad = maxLoad }},
		{"osc-critical-load", errCrit, func() { o.CriticalLoad = critical }},
	} {
		if !cmd.Flags().Changed(t.flag) {
			continue
		}
		if t.err != nil {
			return o, "", usage(cmd, fmt.Errorf("--%s %w", t.flag, t.err))
		}
		t.set()
		tuned = true
	}
	if !o.Enabled() && tuned {
		return o, "", usage(cmd, fmt.Errorf("--osc-chunk-time, --osc-sleep, --osc-max-load and --osc-critical-load tune pt-online-schema-change: add --osc pt-osc (or osc = \"pt-osc\" in the emcee block of atlas.hcl)"))
	}
	return o, from, nil
}

// check reads and checks the throttle flags, once for all the databases
// of a run and before any is touched: a value that cannot be right is a
// usage error.
func (f *phaseFlags) check(cmd *cobra.Command) error {
	var err error
	if f.o.MaxLoad, err = project.ParseLoads(f.maxLoad); err != nil {
		return &exitError{code: codeUsage, err: fmt.Errorf("--max-load %w", err)}
	}
	if f.o.CriticalLoad, err = project.ParseLoads(f.criticalLoad); err != nil {
		return &exitError{code: codeUsage, err: fmt.Errorf("--critical-load %w", err)}
	}
	for _, d := range []struct {
		name string
		d    time.Duration
	}{{"chunk-time", f.o.ChunkTime}, {"max-lag", f.o.MaxLag}, {"pause", f.o.Pause}} {
		if d.d < 0 {
			return &exitError{code: codeUsage, err: fmt.Errorf("--%s %s: want a duration of 0 or more, e.g. 500ms", d.name, d.d)}
		}
	}
	if f.o.CheckInterval < 0 || f.o.CheckInterval == 0 && cmd.Flags().Changed("check-interval") {
		return &exitError{code: codeUsage, err: fmt.Errorf("--check-interval %s: want a positive duration, e.g. 1s", f.o.CheckInterval)}
	}
	// Each check reads the server's status and every replica's lag: at
	// --check-interval 1ns a paused migrate sent them thousands of queries
	// a second, to the server it paused to spare. And a batch sized to
	// --chunk-time 1ns is one row, each its own transaction and record.
	if f.o.CheckInterval > 0 && f.o.CheckInterval < 10*time.Millisecond {
		return &exitError{code: codeUsage, err: fmt.Errorf("--check-interval %s: each check queries the server and every replica; want 10ms or more, e.g. 1s", f.o.CheckInterval)}
	}
	if f.o.ChunkTime > 0 && f.o.ChunkTime < time.Millisecond {
		return &exitError{code: codeUsage, err: fmt.Errorf("--chunk-time %s: batches sized to less than 1ms are a row or two, each its own transaction and record; want 1ms or more, e.g. 500ms (0 keeps --batch-size)", f.o.ChunkTime)}
	}
	if f.o.BatchSize < 1 && cmd.Flags().Changed("batch-size") || f.o.MaxBatchSize < 1 && cmd.Flags().Changed("max-batch-size") {
		return &exitError{code: codeUsage, err: fmt.Errorf("--batch-size %d, --max-batch-size %d: want a number of rows of 1 or more", f.o.BatchSize, f.o.MaxBatchSize)}
	}
	// -1 read as "no limit" (--max-rows) and "never" (--retries), which
	// is not what every operator who types it means.
	if f.o.MaxRows < 0 {
		return usage(cmd, fmt.Errorf("--max-rows %d is negative: give how many rows to backfill before stopping (0: all)", f.o.MaxRows))
	}
	if f.o.Retries < 0 {
		return usage(cmd, fmt.Errorf("--retries %d is negative: give how often to retry (0: never)", f.o.Retries))
	}
	return nil
}

// rerunFlags are the flags the command line gave that change what the
// command does, as shell words, for the command a refusal tells the
// operator to run (apply.Options.Rerun), kept to those that command has:
// the targets' (--env, --targets, --config, --var), the copies'
// (--allow-copy, --osc and its tuning), the throttles'. A rollback
// refused for its copies' opt-in, told to rerun without its
// --osc-max-load, ran the tool at its own thresholds; a migrate told to
// run contract with its --batch-size met a usage error. Left out:
// --drop-new-data and --dry-run, which the message decides; --allow-drift
// but in the command's own rerun; --format,
// which changes only the output; and each flag whose value may hold a
// password (a URL), whose name add gives for the message to say to add.
// With only, just the flags of those names (simulate, whose flags are not
// db rollback's).
func rerunFlags(cmd *cobra.Command, only ...string) func(sub string) (words, add []string) {
	return func(sub string) (words, add []string) {
		target, _, err := cmd.Root().Find([]string{"db", sub})
		if err != nil || target.Name() != sub {
			return nil, nil
		}
		cmd.Flags().Visit(func(f *pflag.Flag) {
			switch {
			case len(only) > 0 && !slices.Contains(only, f.Name), target.Flag(f.Name) == nil:
			case f.Name == "drop-new-data" || f.Name == "dry-run" || f.Name == "format":
			// An override of a check goes to the command that met what it
			// overrides, no further: db baseline --allow-drift (accept
			// objects the release does not declare) told to run `emcee db
			// expand --allow-drift` sent the operator past expand's drift
			// check, which nobody had looked at.
			case f.Name == "allow-drift" && sub != cmd.Name():
			// A URL may hold a password, and so may a variable: an env's url
			// is often built from one (url = "mysql://app:${var.password}@...").
			case f.Name == "url" || f.Name == "dev-url" || f.Name == "replica" || f.Name == "var":
				add = append(add, "--"+f.Name)
			// A bool flag takes no value word (`--allow-copy false` is
			// --allow-copy and an argument "false"): given as its default
			// (--allow-copy=false) it is left out, given otherwise it is
			// written as pflag reads it back.
			case f.Value.Type() == "bool" && f.Value.String() == f.DefValue:
			case f.Value.Type() == "bool" && f.Value.String() == "true":
				words = append(words, "--"+f.Name)
			case f.Value.Type() == "bool":
				words = append(words, "--"+f.Name+"="+f.Value.String())
			default:
				values := []string{f.Value.String()}
				if sv, ok := f.Value.(pflag.SliceValue); ok {
					values = sv.GetSlice()
				}
				for _, v := range values {
					// Quoted when it starts with "-", so that no value reads
					// as a flag of its own (Session.command replaces a flag
					// by its name).
					w := shell.Word(v)
					if strings.HasPrefix(v, "-") {
						w = shell.Quote(v)
					}
					words = append(words, "--"+f.Name, w)
				}
			}
		})
		return words, add
	}
}

func (f *phaseFlags) options() apply.Options {
	o := f.o
	if o.Retries == 0 {
		o.Retries = -1 // --retries 0: never; Options' 0 is the default
	}
	return o
}

// progressReporter reports a single target's backfill progress: on a
// terminal, as a bar (progressBar); otherwise (logs, CI) as a plain line
// every tenth of the way, with the rate and what is left at that rate. It
// returns where the run's lines go too, and what stops a bar a run left.
func progressReporter(log, w io.Writer) (io.Writer, func(apply.Progress), func()) {
	if isTerminal(w) {
		l := &barLog{out: log, terminal: isTerminal(log)}
		return l, func(p apply.Progress) { l.progress(w, p) }, func() { l.stop(false) }
	}
	return log, progressLines(w), func() {}
}

// barLog draws a backfill's bar, and writes the run's lines above it while
// it is drawn when they go to the terminal too: the bar redraws itself
// over the lines below it.
type barLog struct {
	mu       sync.Mutex
	out      io.Writer
	terminal bool
	bars     *mpb.Progress
	bar      *barState
}

func (l *barLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bars != nil && l.terminal {
		return l.bars.Write(b)
	}
	return l.out.Write(b)
}

func (l *barLog) progress(w io.Writer, p apply.Progress) {
	l.mu.Lock()
	if l.bar == nil {
		l.bars = mpb.New(mpb.WithOutput(w), mpb.WithWidth(40), mpb.WithRefreshRate(100*time.Millisecond))
		l.bar = newBar(l.bars, "", "")
	}
	l.bar.show(p, progressText(p), "")
	l.mu.Unlock()
	if p.Finished {
		l.stop(true)
	}
}

// stop takes the bar away when its backfill finished, and leaves it as it
// was otherwise (the run stopped), before anything else is printed.
func (l *barLog) stop(finished bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.bar == nil {
		return
	}
	l.bar.bar.Abort(finished)
	l.bars.Wait()
	l.bars, l.bar = nil, nil
}

// progressText is a backfill's progress on a bar: what, how far, its rate
// and what is left at that rate as far as they are known, and why it waits.
func progressText(p apply.Progress) string {
	t := fmt.Sprintf("%s %s: %d of %d rows%s", cmp.Or(p.Step, "backfill"), p.Table, p.Done, p.Total, rate(p))
	if p.Paused != "" {
		t += " (paused: " + p.Paused + ")"
	}
	return t
}

// rate is a backfill's rate and what is left at that rate, as far as
// they are known.
func rate(p apply.Progress) string {
	if p.RowsPerSecond <= 0 {
		return ""
	}
	r := fmt.Sprintf(", %.0f rows/s", p.RowsPerSecond)
	if p.ETA > 0 {
		r += ", ETA " + p.ETA.Round(time.Second).String()
	}
	return r
}

// progressLines prints a plain line every tenth of the way.
func progressLines(w io.Writer) func(apply.Progress) {
	lastTenth, lastDone := int64(-1), int64(-1)
	return func(p apply.Progress) {
		tenth := int64(10)
		if p.Total > 0 {
			tenth = min(p.Done*10/p.Total, 10)
		}
		// Pauses are in the log (a line when one starts, changes and
		// ends); a line here would say it twice.
		if tenth != lastTenth || (p.Finished && p.Done != lastDone) {
			fmt.Fprintf(w, "    %s %s: %d of %d rows (%d%%)%s\n", cmp.Or(p.Step, "backfill"), p.Table, p.Done, p.Total, tenth*10, rate(p))
			lastTenth, lastDone = tenth, p.Done
		}
		if p.Finished {
			lastTenth, lastDone = -1, -1
		}
	}
}
