package main

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/emcee-db/emcee/apply"
)

func init() {
	dbCommands = append(dbCommands, newDBExpandCmd, newDBMigrateCmd, newDBContractCmd, newDBSyncCmd, newDBUpgradeCmd, newDBRollbackCmd)
}

// phaseCmd is a changing command: cmd's help and arguments, the flags f
// adds, and run on each database the flags name, given the command's
// argument ("" for none).
func phaseCmd(cmd *cobra.Command, f *phaseFlags, driftFrom string, backfill, maxRows bool, run func(s *apply.Session, ctx context.Context, arg string) (*apply.Result, error)) *cobra.Command {
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := f.check(cmd); err != nil {
			return err
		}
		return runDB(cmd, func(ctx context.Context, r *dbRun) (*dbResult, error) {
			opts := f.options()
			var err error
			if opts.OSC, opts.OSCFrom, err = f.oscOptions(cmd, r.project); err != nil {
				return nil, err
			}
			return runChange(ctx, r, opts, func(s *apply.Session, ctx context.Context) (*apply.Result, error) {
				// Args allow one argument at most: it, or "".
				return run(s, ctx, strings.Join(args, ""))
			})
		})
	}
	f.add(cmd, driftFrom, backfill, maxRows)
	return cmd
}

// runChange runs a changing command on the run's database, its lines in
// the run's log, and hands over its result with its error mapped to an
// exit code.
func runChange(ctx context.Context, r *dbRun, opts apply.Options, run func(*apply.Session, context.Context) (*apply.Result, error)) (*dbResult, error) {
	r.logTo(&opts)
	return withSession(ctx, r, opts, func(s *apply.Session) (*dbResult, error) {
		res, err := run(s, ctx)
		var out *dbResult
		if res != nil {
			if res.After == "" {
				// A run that stopped early still moved the version as far as it got.
				res.After = s.Version()
			}
			if r, ok := errors.AsType[*apply.Refusal](err); ok {
				res.Next = r.Next
			}
			// The text was logged while it ran.
			out = &dbResult{doc: res, version: res.After}
		}
		for _, c := range []struct {
			target any
			code   int
		}{{new(*apply.Blocked), codeBlocked}, {new(*apply.CriticalLoad), codeCritical}, {new(*apply.NoRollback), codeNoRollback}} {
			if errors.As(err, c.target) {
				return out, &exitError{code: c.code, err: err}
			}
		}
		return out, err
	})
}

func newDBExpandCmd() *cobra.Command {
	return phaseCmd(&cobra.Command{
		Use:   "expand",
		Short: "Apply the additive changes of the next release (safe while the old release runs)",
		Long: `expand applies every pending expand revision of the release being upgraded:
new tables, nullable or defaulted columns, non-unique indexes, widened columns,
and the triggers that keep old and new columns in sync. Code of the previous
release keeps working unchanged.

Run it first, before any instance of the new release starts. It needs the
previous release fully contracted, and it checks before changing anything:
  - that the live schema is what the previous release left (drift is listed
    table by table and stops the run; --allow-drift overrides)
  - that triggers can be created (SUPER or log_bin_trust_function_creators
    when binary logging is on)
  - its gates: rows written before the release started that stop it (keys
    a charset conversion makes collide, zeros a column made AUTO_INCREMENT
    would number anew) refuse it, exit 7 (blocked by data), naming them;
    fix those rows and rerun

If it stops half-way (crash, lost connection, Ctrl-C), run it again: it
resumes at the first statement not applied and never repeats one.`,
		Example: `  emcee db expand --env prod --dry-run   # print what would run
  emcee db expand --env prod
  emcee db expand --url mysql://deploy:secret@db1:3306/glance --format json`,
		Args: cobra.NoArgs,
	}, &phaseFlags{}, leftByPrevious, false, false, func(s *apply.Session, ctx context.Context, _ string) (*apply.Result, error) {
		return s.Expand(ctx)
	})
}

func newDBMigrateCmd() *cobra.Command {
	return phaseCmd(&cobra.Command{
		Use:   "migrate",
		Short: "Backfill data in batches while both releases run",
		Long: `migrate applies the pending migrate revisions of the release being upgraded:
backfills that fill new columns from old ones, in primary-key ranges, one short
transaction per batch. The upper key bound is fixed when a backfill starts;
rows written later are kept in sync by the expand's triggers.

Run it after expand, while old and new code both run (or right after the new
code is deployed). It can run in chunks: --max-rows stops after that many rows,
and any rerun continues where the last one stopped. "emcee db status" counts
the rows still pending.

Throttling: --chunk-time sizes each batch to take about that long (within
--max-batch-size); before every batch --max-lag waits while a replica lags
(given with --replica, or found on the primary), --max-load waits while a
global status variable is at its limit, and --critical-load stops cleanly with
exit code 8 (rerun to resume). A replica found on the primary is one its
binlog dump connections come from; it is reached with the primary's user and
password, never over TLS, and dropped if it asks for the password itself
(what a server anyone can register would do to learn it): give such replicas
with --replica, best as a user that may only run SHOW SLAVE STATUS.

Before any batch it checks that the live schema is what the recorded
revisions produce: a sync trigger or column changed by hand since expand is
listed and stops the run (--allow-drift overrides).`,
		Example: `  emcee db migrate --env prod --batch-size 500 --pause 200ms
  emcee db migrate --env prod --max-rows 100000   # one chunk now, the rest tonight
  emcee db migrate --env prod --chunk-time 500ms --max-lag 1s --max-load Threads_running=25 --critical-load Threads_running=100
  emcee db migrate --env prod --max-lag 2s --replica mysql://monitor:secret@replica1:3306/`,
		Args: cobra.NoArgs,
	}, &phaseFlags{}, recordedRevisions, true, true, func(s *apply.Session, ctx context.Context, _ string) (*apply.Result, error) {
		return s.Migrate(ctx)
	})
}

func newDBContractCmd() *cobra.Command {
	return phaseCmd(&cobra.Command{
		Use:   "contract",
		Short: "Drop and tighten what only the old release used (after it is gone)",
		Long: `contract applies the pending contract revisions of the release being upgraded:
it drops sync triggers, old columns and tables, and adds NOT NULL, unique
indexes, foreign keys and checks.

Run it last, once no instance of the previous release is left and migrate is
complete. Before anything runs it checks that the live schema is what the
recorded revisions produce: a sync trigger dropped by hand would have left
the previous release's last writes unsynced, and contract would drop the only
column holding them (--allow-drift overrides). Then every gate of the revision runs (a query
counting rows that would be lost or rejected), also when the run resumes a
revision an earlier run left half-way; if one is not zero the contract is
refused, nothing is changed, and the gate's place in the plan, its rule, the
rows it counts and a query listing them are printed. While migrate can still
rewrite such rows it exits 1 and says to run migrate; once it cannot, the
contract is blocked by data and it exits 7. With --dry-run, a gate of a later
revision that reads what an earlier one changes (a column it drops, rows it
deletes) is not run but printed as not checked, with what it waits for.

A data_migration's delete runs first after the gates: the keys of the rows
it deletes are read once (a SELECT, which locks nothing), then deleted by
key in batches, throttled as migrate's backfills are (--batch-size,
--chunk-time, --max-lag, --max-load, --critical-load, --pause); killed part
way, the next run resumes after its last committed batch.`,
		Example: `  emcee db contract --env prod --dry-run   # run the gates, print the statements
  emcee db contract --env prod`,
		Args: cobra.NoArgs,
	}, &phaseFlags{}, recordedRevisions, true, false, func(s *apply.Session, ctx context.Context, _ string) (*apply.Result, error) {
		return s.Contract(ctx)
	})
}

func newDBSyncCmd() *cobra.Command {
	return phaseCmd(&cobra.Command{
		Use:   "sync [VERSION]",
		Short: "Apply expand, migrate and contract release by release (fresh install or offline upgrade)",
		Long: `sync applies every pending revision in order, release by release: expand,
migrate, contract. It is for a database no old code is using: a new install
(an empty database is placed under emcee control), or an upgrade with the
application stopped. For a live rolling upgrade use expand, migrate, contract.

VERSION is a release (sync through its contract) or a revision name (stop
after it); without it, sync goes to the latest release. An existing database
emcee did not create is refused by the drift check: adopt it with
"emcee db baseline RELEASE" first.`,
		Example: `  emcee db sync --env local           # empty database -> latest release
  emcee db sync pike --env local      # stop at release pike
  emcee db sync pike_expand01         # stop after one revision`,
		Args: cobra.MaximumNArgs(1),
	}, &phaseFlags{}, leftByPrevious, true, false, func(s *apply.Session, ctx context.Context, version string) (*apply.Result, error) {
		return s.Sync(ctx, version, false)
	})
}

func newDBUpgradeCmd() *cobra.Command {
	return phaseCmd(&cobra.Command{
		Use:   "upgrade [VERSION]",
		Short: "Upgrade a database already under emcee control to VERSION (as glance-manage db upgrade)",
		Long: `upgrade does what sync does, but only for a database emcee already manages
(emcee_revisions has records): it refuses an empty or foreign database, so a
wrong URL cannot turn into a fresh install. VERSION is a release or a revision
name; without it, the latest release.`,
		Example: `  emcee db upgrade --env staging
  emcee db upgrade queens --env staging`,
		Args: cobra.MaximumNArgs(1),
	}, &phaseFlags{}, leftByPrevious, true, false, func(s *apply.Session, ctx context.Context, version string) (*apply.Result, error) {
		return s.Sync(ctx, version, true)
	})
}

func newDBRollbackCmd() *cobra.Command {
	var f phaseFlags
	cmd := phaseCmd(&cobra.Command{
		Use:   "rollback [RELEASE]",
		Short: "Undo the expand of the release being upgraded (until its contract starts)",
		Long: `rollback returns the database to the previous release while that release
keeps serving: it runs the rollback revisions (<release>_rollbackNN undoes
<release>_expandNN) of the expand revisions applied, newest first. They drop
the sync triggers and what expand added, restore the previous release's
columns (a NOT NULL comes back behind a gate, checked before anything runs,
also when a run resumes: a gate counting rows the new release wrote that
the previous release cannot hold refuses the rollback, exit 7, naming them
and a query listing them) and undo renames, all online. A type expand widened
(a longer VARCHAR, a bigger integer, enum values appended) is narrowed back
by copying the table, behind a gate counting the rows the old type cannot
hold: the rollback refuses to run such a copy (naming the tables and their
sizes, with what its gates count and the data it would drop) unless --osc
pt-osc copies it while writes continue, or --allow-copy accepts the server's
copy, which blocks the table's writes while it runs.

Run it when the new release misbehaves after expand or migrate: stop the new
release's code first; the previous release's code keeps running. Data
migrations already run stay, since the previous release served while they
ran. Before changing anything it checks that the live schema is what the
recorded revisions produce (--allow-drift overrides), and counts the data
only the new release wrote into what expand added (values in its new
columns other than their default and other than what migrate computes from
the previous release's columns; rows in its new tables), which the rollback
would drop and nothing brings back (emcee review lists where). If there is
any, it refuses (exit 1, also with --dry-run), naming each column and table
with its rows, a command that copies them out, and the ways out: copy them
out, fix forward instead, or rerun with --drop-new-data, which prints the
same counts and drops them. A resumed run counts only what is still there.

Afterwards db version names the previous release again, db status lists the
rolled-back revisions (the version table keeps their records), and a later
db expand starts the release afresh. If it stops half-way, run it again: it
resumes at the first statement not applied. No other phase runs until it has
finished; db version -v and db status name the command that finishes it,
with the flags its run needs (--allow-copy, --drop-new-data, --allow-drift)
and why.

Once any contract revision of the release has started, rollback is refused
(exit 9): contract drops what the previous release needs; what is left is to
finish the contract, or to restore the backup taken before expand.

RELEASE names the release to undo. Named, a release that has not started
on the database, or was rolled back already, leaves nothing to do (exit 0):
on a fleet whose canary alone expanded it, ` + "`db rollback RELEASE --targets FILE`" + `
undoes it where it started and succeeds elsewhere. Unnamed, it is the release
in progress; a rerun after a rollback has nothing to do either.`,
		Example: `  emcee db rollback --env prod --dry-run   # check drift, gates and lost data, print the statements
  emcee db rollback --env prod
  emcee db rollback --env prod --drop-new-data   # after a refusal: drop what only the new release wrote
  emcee db rollback pike --targets tenants.txt   # wherever pike started
  emcee db rollback --env prod --format json`,
		Args: cobra.MaximumNArgs(1),
	}, &f, recordedRevisions, false, false, func(s *apply.Session, ctx context.Context, release string) (*apply.Result, error) {
		return s.RollbackRelease(ctx, release)
	})
	cmd.Flags().BoolVar(&f.o.AllowCopy, "allow-copy", false, "let the server copy the tables whose widened types the rollback narrows back (ALGORITHM=COPY, writes blocked while it runs), which rollback otherwise refuses without --osc pt-osc")
	cmd.Flags().BoolVar(&f.o.DropNewData, "drop-new-data", false, "drop the data only the new release wrote into what its expand added, which rollback otherwise refuses to (the counts are printed again)")
	return cmd
}
