// Package simulate proves a rolling upgrade on a real server: it brings a
// scratch database to one release, seeds it, and runs the next release's
// expand, migrate and contract while concurrent workers play both releases'
// code (the previous release reading and writing only its columns, the new
// release only its own), the way a rolling deploy has both running. It
// counts every failed statement per phase and worker kind, records
// latencies, keeps a client-side ledger of every write and delete, and at
// the end verifies every row against it.
//
// The same scenario can be run naively, as a single-phase migration tool
// would: Atlas's own diff between the two releases applied at once (one
// ALTER that drops the old column and adds the new one), with the same
// workers. That shows what the expand/migrate/contract split buys.
package simulate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/apply"
	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Config describes one simulation.
type Config struct {
	Project *project.Project
	// New is the release to upgrade to; the database is first brought to
	// the release before it.
	New string
	// DB is the scratch database, created when it is missing: it must hold
	// no table. The simulator creates everything itself and never touches
	// anything else.
	DB *dbconn.Config
	// Tables to drive; default: every table both releases have whose
	// columns differ, or every shared table when none does.
	Tables []string
	// Rows seeded per table before the upgrade, in the previous release's shape.
	Rows int
	// Workers per release kind.
	OldWorkers, NewWorkers int
	// Throttle is a pause between one worker's statements (0: flat out).
	Throttle time.Duration
	// Baseline: how long the old workers run alone before anything
	// changes, the no-DDL reference for latencies.
	Baseline time.Duration
	// Settle: how long both releases run with no DDL after expand (and the
	// new release after contract), as a deploy would.
	Settle time.Duration
	// Naive replaces emcee's plans by Atlas's single-phase diff.
	Naive bool
	// Unbatched runs each migrate backfill as one UPDATE of the whole
	// table instead of emcee's batches (the engine's own limit, for
	// benchmarks). The applier does not record it, so contract is skipped.
	Unbatched bool
	// Rollback runs the rollback scenario instead of contract: after
	// migrate the new release's workers stop and `emcee db rollback` runs
	// while the previous release's keep writing (rollback.go).
	Rollback bool
	// AllowCopy and OSC are db rollback's --allow-copy and --osc: a
	// rollback that narrows a widened column back copies its table, which
	// the applier runs only with one of them (apply.Options). OSC holds
	// for every phase the rehearsal runs, as --osc on each db command;
	// OSCFrom says where it was asked for.
	AllowCopy bool
	OSC       project.OSC
	OSCFrom   string
	// Rerun gives those of its flags that a db command has, as words,
	// for the command a refusal tells to run (apply.Options.Rerun): a
	// rollback's --allow-copy is no flag of db expand's.
	Rerun func(cmd string) (words, add []string)
	// Verify every row at the end (and, in emcee mode, before contract).
	Verify bool
	// BatchSize and Pause are passed to the applier's backfill.
	BatchSize int
	Pause     time.Duration
	ChunkTime time.Duration
	// MaxLoad and CheckInterval are migrate's --max-load (e.g.
	// Innodb_checkpoint_age=40000000) and --check-interval.
	MaxLoad       project.Loads
	CheckInterval time.Duration
	// WorkerLockWait is the workers' innodb_lock_wait_timeout (0: the
	// session default, 10 s). The unbatched reference holds every row's
	// lock for its whole run; its writers need longer than that or they
	// fail on their own reference.
	WorkerLockWait time.Duration
	Seed           uint64
	// Log receives progress and the applier's output; nil discards.
	Log io.Writer
}

// Sim is a prepared simulation.
type Sim struct {
	cfg      Config
	old, new *diff.Release
	// changes are Atlas's changes from old to new, for the naive mode.
	changes []schema.Change
	tables  []*table
	// skipped says why each table left out of the rehearsal, whose
	// indexes alone change or which the release does not change, cannot
	// be followed.
	skipped []string
	db      *sql.DB // for the workers and the verifier
	work    *workload
	phases  []*PhaseInfo
	phase   atomic.Int32
	report  *Report
	// expected new-table state of every row at the check point, per
	// table (see verify.go).
	snap map[string]*noted
	// the same in the previous release's shape when the new release
	// stops, for the rollback scenario.
	oldSnap map[string]*noted
	// dropNewData is set once the rollback was refused for data only the
	// new release wrote: the scenario accepts the loss, as an operator
	// reruns with --drop-new-data.
	dropNewData bool
}

// Prepare checks the configuration and connects; nothing is changed yet.
func Prepare(ctx context.Context, cfg Config) (*Sim, error) {
	if cfg.Project == nil || cfg.DB == nil {
		return nil, errors.New("simulate: a project and a database are required")
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	p := cfg.Project
	i := p.Index(cfg.New)
	if i < 0 {
		return nil, fmt.Errorf("release %q is not in %s (releases: %s)", cfg.New, project.Rel(p.Path), strings.Join(p.Releases, ", "))
	}
	if i == 0 {
		return nil, fmt.Errorf("release %s is the first release: there is no previous release to upgrade from; name a later release", cfg.New)
	}
	if !cfg.Naive {
		out, err := planner.Plan(p, planner.Options{})
		if err != nil {
			return nil, err
		}
		if d, err := out.Diff(); err != nil {
			return nil, err
		} else if d != "" {
			return nil, fmt.Errorf("%s is stale: run `emcee plan` first, the simulation runs the committed plans", project.Rel(p.PlansDir))
		}
	}
	// The plans are current (checked above), so a release declared as SQL
	// is its snapshot: no dev database is needed.
	prev, err := planner.Source(p, p.Releases[i-1], nil)
	if err != nil {
		return nil, err
	}
	to, err := planner.Source(p, cfg.New, nil)
	if err != nil {
		return nil, err
	}
	// The naive mode runs Atlas's own diff, so the releases need not split.
	pl, err := splitter.Diff(p.Target, splitter.Sources{Prev: &prev, To: to})
	if err != nil {
		return nil, err
	}
	s := &Sim{cfg: cfg, old: pl.Prev, new: pl.To, changes: pl.Transition.Changes}
	if err := s.pickTables(); err != nil {
		return nil, err
	}
	// Only now, so that a refusal (a release named wrong, stale plans, a
	// table the simulator cannot drive) leaves no scratch database
	// behind: with it, a rehearsal is one command.
	if err := createDatabase(ctx, cfg.DB); err != nil {
		return nil, err
	}
	wc := *cfg.DB
	if cfg.WorkerLockWait > 0 {
		wc.LockWaitTimeout = cfg.WorkerLockWait
	}
	s.db, err = openWorkers(ctx, &wc, cfg.OldWorkers+cfg.NewWorkers+2)
	if err != nil {
		return nil, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()").Scan(&n); err != nil {
		s.Close()
		return nil, err
	}
	if n > 0 {
		s.Close()
		return nil, fmt.Errorf("%s holds %d tables: the simulation needs an empty scratch database it may fill and change (CREATE DATABASE a new one, never point it at real data)", cfg.DB, n)
	}
	return s, nil
}

// createDatabase creates the scratch database when it is missing.
func createDatabase(ctx context.Context, c *dbconn.Config) error {
	db, err := dbconn.OpenServer(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE IF NOT EXISTS "+sqlsyntax.Ident(c.Database)); err != nil {
		return c.Explain(err)
	}
	return nil
}

// openWorkers connects with the applier's session settings, but returns
// every value as text (the verifier compares text) and interpolates
// arguments client-side, as most application drivers do.
func openWorkers(ctx context.Context, c *dbconn.Config, conns int) (*sql.DB, error) {
	m, err := mysql.ParseDSN(c.DSN())
	if err != nil {
		return nil, err
	}
	m.ParseTime = false
	m.InterpolateParams = true
	db, err := sql.Open("mysql", m.FormatDSN())
	if err != nil {
		return nil, c.Explain(err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, c.Explain(err)
	}
	return db, nil
}

// Close disconnects.
func (s *Sim) Close() {
	if s.db != nil {
		s.db.Close()
	}
}

// DB is the workers' connection pool, for measurements after a run.
func (s *Sim) DB() *sql.DB { return s.db }

func (s *Sim) pickTables() error {
	var pick []string
	if len(s.cfg.Tables) > 0 {
		pick = s.cfg.Tables
	} else {
		var indexed, shared []string
		pick, indexed, shared = changedTables(s.target(), s.old.Schema, s.new.Schema)
		// The tables whose indexes alone change (LimeSurvey 1.92's
		// DBVersion 152 adds one to question_attributes), those the
		// simulator can follow; with no such table, the shared ones it can
		// follow (153 creates expression_errors): the rehearsal was refused
		// for survey_url_parameters, which has no primary key and which
		// neither release changes. The run says which it leaves out.
		follow := func(names []string) {
			for _, name := range names {
				if _, err := s.table(name); err != nil {
					s.skipped = append(s.skipped, err.Error())
					continue
				}
				pick = append(pick, name)
			}
		}
		follow(indexed)
		if len(pick) == 0 {
			s.skipped = nil
			follow(shared)
			if len(pick) == 0 && len(s.skipped) > 0 {
				return fmt.Errorf("releases %s and %s change no table both have, and the simulator can follow none of the tables they share: %s", s.old.Name, s.new.Name, strings.Join(s.skipped, "; "))
			}
		}
		if len(pick) == 0 {
			return fmt.Errorf("releases %s and %s share no table: nothing for both releases' code to use", s.old.Name, s.new.Name)
		}
	}
	for _, name := range pick {
		t, err := s.table(name)
		if err != nil {
			// Only the others the simulator can follow: Dolibarr 18's refusal
			// of llx_facture offered llx_socpeople, refused in turn.
			others := slices.DeleteFunc(slices.Clone(pick), func(n string) bool {
				_, err := s.table(n)
				return n == name || err != nil
			})
			if len(s.cfg.Tables) == 0 && len(others) > 0 {
				return fmt.Errorf("%w; or rehearse the other tables the release changes alone: --table %s", err, strings.Join(others, " --table "))
			}
			return err
		}
		s.tables = append(s.tables, t)
	}
	return nil
}

// table is a table the simulator drives, or why it cannot: both releases
// must have it by that name, and newTable accept it.
func (s *Sim) table(name string) (*table, error) {
	nt, ok := s.new.Schema.Table(name)
	if !ok {
		return nil, fmt.Errorf("table %s: release %s does not have it", name, s.new.Name)
	}
	if d := s.new.Declarations.Tables[name]; d != nil && d.RenamedFrom != "" {
		return nil, fmt.Errorf("table %s is renamed from %s: the simulator drives tables both releases use by the same name", name, d.RenamedFrom)
	}
	ot, ok := s.old.Schema.Table(name)
	if !ok {
		return nil, fmt.Errorf("table %s: release %s does not have it, so its code cannot use it", name, s.old.Name)
	}
	t, err := newTable(ot, nt, s.new.Declarations)
	if err != nil {
		return nil, err
	}
	// A key that cannot hold the row numbers the seed needs would stop
	// the seed on the server's error (a char(2) key holds 1295 keys).
	if lead := t.key.cols[t.key.lead]; int64(s.cfg.Rows) >= lead.holds {
		return nil, fmt.Errorf("table %s: its primary key column %s holds %d keys, and --rows %d leaves the workers none to insert: give fewer --rows, or leave the table out (--table names the tables to rehearse)", t.name, lead.name, lead.holds, s.cfg.Rows)
	}
	return t, nil
}

// changedTables are the tables both releases have whose columns differ in
// name or definition, those whose primary key or indexes alone differ,
// and all the tables both have. A release that only
// changes a type (Piwigo 15's history.IP varchar(15) -> char(39)) changed
// no column name, so every shared table was driven instead, and the first
// one the simulator cannot follow ended the run. A column's charset,
// collation and comment are of its definition (columnDefs): Drupal 7.14
// moves file_managed.uri, under a unique key, to utf8mb3_bin, and the
// rehearsal drove node and trigger_assignments, whose types changed, but
// not file_managed, whose conversion expand runs while both releases write.
func changedTables(target project.Target, old, new *schema.Schema) (changed, indexed, shared []string) {
	for _, nt := range new.Tables {
		ot, ok := old.Table(nt.Name)
		if !ok {
			continue
		}
		shared = append(shared, nt.Name)
		switch {
		case !slices.Equal(columnDefs(target, ot), columnDefs(target, nt)):
			changed = append(changed, nt.Name)
		case !slices.Equal(indexDefs(ot), indexDefs(nt)):
			indexed = append(indexed, nt.Name)
		}
	}
	return changed, indexed, shared
}

// indexDefs are a table's primary key and indexes, each its name and
// definition, in name order: a release that only adds an index to a table
// (LimeSurvey 1.92's question_attributes_idx3) changes that table.
func indexDefs(t *schema.Table) []string {
	def := func(idx *schema.Index) string {
		cols := make([]string, len(idx.Parts))
		for i, p := range idx.Parts {
			switch {
			case p.C != nil:
				cols[i] = p.C.Name
			case p.X != nil:
				cols[i] = fmt.Sprintf("%v", p.X)
			}
		}
		return idx.Name + " " + effect.IndexDef(idx.Unique, cols)
	}
	var out []string
	if t.PrimaryKey != nil {
		out = append(out, "PRIMARY "+def(t.PrimaryKey))
	}
	for _, idx := range t.Indexes {
		out = append(out, def(idx))
	}
	slices.Sort(out)
	return out
}

// columnDefs words a table's columns as the server keeps them: each
// column's name and definition (schemadef.ColumnDefs), the charset and
// collation the server gives it (schemadef.Effective) and its comment.
func columnDefs(target project.Target, t *schema.Table) []string {
	out := schemadef.ColumnDefs(t)
	for i, c := range t.Columns {
		cs, coll := schemadef.Effective(target, t, c)
		comment := ""
		if cm, ok := schemadef.Attr[*schema.Comment](c.Attrs); ok {
			comment = cm.Text
		}
		out[i] += " CHARSET " + cs + " COLLATE " + coll + " COMMENT " + sqlsyntax.String(comment)
	}
	return out
}

// target is the server the project plans for (zero without a project).
func (s *Sim) target() project.Target {
	if s.cfg.Project == nil {
		return project.Target{}
	}
	return s.cfg.Project.Target
}

func (s *Sim) say(format string, args ...any) { fmt.Fprintf(s.cfg.Log, format+"\n", args...) }

// enter starts a phase: the statements that begin from now on count for it.
func (s *Sim) enter(name, what string) func() {
	p := &PhaseInfo{Name: name, What: what}
	if s.work != nil {
		p.Start = time.Since(s.work.origin)
	}
	s.phases = append(s.phases, p)
	s.phase.Store(int32(len(s.phases) - 1))
	s.say("== %s: %s", name, what)
	start := time.Now()
	return func() { p.Elapsed = time.Since(start) }
}

// hold runs a phase with no DDL for d; first, once the phase counts, it
// calls each of then (starting workers), so their first statements are
// not counted in the phase before.
func (s *Sim) hold(ctx context.Context, name, what string, d time.Duration, then ...func()) error {
	done := s.enter(name, what)
	defer done()
	for _, f := range then {
		f()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// baseline starts the previous release's workers and lets them run alone,
// with no DDL: the reference for every latency that follows.
func (s *Sim) baseline(ctx context.Context) error {
	return s.hold(ctx, "baseline", "no DDL: the previous release alone", s.cfg.Baseline, func() { s.work.start(Old, s.cfg.OldWorkers, s.cfg.Seed) })
}

// phaseRun applies one operator command as its own session, as an operator
// running `emcee db <phase>` would.
func (s *Sim) phaseRun(ctx context.Context, f func(*apply.Session, context.Context) (*apply.Result, error)) (*apply.Result, error) {
	sess, err := apply.Open(ctx, s.cfg.Project, s.cfg.DB, apply.Options{
		Tool: "emcee simulate", DropNewData: s.dropNewData, AllowCopy: s.cfg.AllowCopy, OSC: s.cfg.OSC, OSCFrom: s.cfg.OSCFrom, Rerun: s.cfg.Rerun, BatchSize: s.cfg.BatchSize, Pause: s.cfg.Pause, ChunkTime: s.cfg.ChunkTime, MaxLoad: s.cfg.MaxLoad, CheckInterval: s.cfg.CheckInterval, Log: s.cfg.Log,
	})
	if err != nil {
		return nil, err
	}
	defer sess.Close()
	return f(sess, ctx)
}

// command runs an operator command as the phase name.
func (s *Sim) command(ctx context.Context, name, what string, f func(*apply.Session, context.Context) (*apply.Result, error)) (*apply.Result, error) {
	done := s.enter(name, what)
	defer done()
	return s.phaseRun(ctx, f)
}

// blocked is the error of command name (expand, contract, rollback): gates
// closed by rows the seed or the workers wrote (blocked by data) are what
// the rehearsal found about the release, not the rehearsal failing to
// run, and are in its report.
func (s *Sim) blocked(name string, err error) error {
	if b, ok := errors.AsType[*apply.Blocked](err); ok {
		s.report.GatesOf, s.report.Gates = name, b.Gates
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// Run performs the simulation. The error is for the harness failing (a
// phase the applier refused, a lost connection); failed application
// statements and bad rows are in the report.
func (s *Sim) Run(ctx context.Context) (*Report, error) {
	cfg := s.cfg
	mode := "emcee"
	if cfg.Naive {
		mode = "naive"
	}
	if cfg.Rollback && cfg.Naive {
		return nil, fmt.Errorf("simulate: the rollback scenario runs emcee's plans; it cannot be naive")
	}
	s.report = &Report{Mode: mode, Old: s.old.Name, New: s.new.Name}
	for _, t := range s.tables {
		s.report.Tables = append(s.report.Tables, t.name)
	}
	for _, why := range s.skipped {
		s.say("left out of the rehearsal: %s", why)
	}
	s.say("bringing %s to release %s", cfg.DB, s.old.Name)
	if _, err := s.phaseRun(ctx, func(a *apply.Session, ctx context.Context) (*apply.Result, error) {
		return a.Sync(ctx, s.old.Name, false)
	}); err != nil {
		return nil, fmt.Errorf("syncing to %s: %w", s.old.Name, err)
	}
	if err := s.seed(ctx); err != nil {
		return nil, err
	}
	s.work = &workload{db: s.db, tables: s.tables, ledger: map[string]*ledger{}, phase: &s.phase, running: map[Kind]*crew{}, throttle: cfg.Throttle, origin: time.Now()}
	for _, t := range s.tables {
		s.work.ledger[t.name] = newLedger(int64(cfg.Rows))
	}
	var err error
	if cfg.Naive {
		err = s.runNaive(ctx)
	} else {
		err = s.runEmcee(ctx)
	}
	// Whichever workers the scenario left running stop here.
	s.work.stop(Old)
	s.work.stop(New)
	s.report.Phases = s.phases
	s.report.Stats = merge(s.phases, s.work.recs)
	s.report.Series = series(s.work.recs)
	if err != nil {
		return s.report, err
	}
	if cfg.Verify && !cfg.Rollback {
		if err := s.verifyFinal(ctx); err != nil {
			return s.report, err
		}
	}
	return s.report, nil
}

func (s *Sim) runEmcee(ctx context.Context) error {
	cfg := s.cfg
	if err := s.baseline(ctx); err != nil {
		return err
	}
	// Rows written before the release started (the seed, the old
	// release's workers) that expand's gates count block it.
	_, err := s.command(ctx, "expand", "emcee db expand", (*apply.Session).Expand)
	if err := s.blocked("expand", err); err != nil {
		return err
	}
	// The new release deploys once expand is in; from here both run.
	if err := s.hold(ctx, "expanded", "no DDL: both releases (rolling deploy)", cfg.Settle, func() { s.work.start(New, cfg.NewWorkers, cfg.Seed+1) }); err != nil {
		return err
	}
	done := s.enter("migrate", "emcee db migrate")
	if cfg.Unbatched {
		s.phases[len(s.phases)-1].What = "each backfill as one unbatched UPDATE (benchmark reference)"
		err = s.unbatched(ctx)
	} else {
		var res *apply.Result
		res, err = s.phaseRun(ctx, (*apply.Session).Migrate)
		if res != nil {
			for _, r := range res.Revisions {
				s.phases[len(s.phases)-1].Rows += r.Rows
			}
		}
	}
	done()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if cfg.Rollback {
		return s.runRollback(ctx)
	}
	// The same workers once more with no DDL: with expanded, the
	// equal-load reference on both sides of migrate.
	if err := s.hold(ctx, "migrated", "no DDL: both releases, backfill done", cfg.Settle); err != nil {
		return err
	}
	// The rollout finishes: the previous release's code is gone before
	// contract, as the contract gates assume.
	s.work.stop(Old)
	// A data migration has no trigger: rows the previous release wrote
	// after migrate passed them are pending until migrate runs again, once
	// that release's code is gone, as the operator is told to (without it,
	// contract's gate was closed on every rehearsal of such a release).
	// It runs before the verifier notes what every row must hold after the
	// upgrade: noted before it, the rows it rewrote (Redmine 5.1's
	// journals.updated_on = created_on, on the previous release's journals)
	// were reported inconsistent after contract.
	if !cfg.Unbatched {
		if moves, err := s.dataMigrations(); err != nil {
			return err
		} else if moves {
			if _, err := s.command(ctx, "catch-up", "emcee db migrate again: the rows the previous release wrote after migrate passed them, which no trigger keeps for data migrations", (*apply.Session).Migrate); err != nil {
				return fmt.Errorf("catch-up: %w", err)
			}
		}
	}
	if cfg.Verify {
		if err := s.work.quiet(func() error { return s.checkBoth(ctx) }); err != nil {
			return err
		}
	}
	if cfg.Unbatched {
		return nil
	}
	// Rows the workers wrote that contract's gates count block it.
	_, err = s.command(ctx, "contract", "emcee db contract", (*apply.Session).Contract)
	if err := s.blocked("contract", err); err != nil {
		return err
	}
	return s.hold(ctx, "contracted", "no DDL: the new release alone", cfg.Settle)
}

// dataMigrations reports whether the new release's migrate revisions run
// a data migration's backfill.
func (s *Sim) dataMigrations() (bool, error) {
	plans, err := revision.ReadPlans(s.cfg.Project.PlansDir, s.cfg.Project.Releases)
	if err != nil {
		return false, err
	}
	for _, rev := range plans.Of(s.new.Name, revision.Migrate) {
		if slices.ContainsFunc(rev.Statements, func(st revision.Statement) bool {
			return st.Kind == revision.Backfill && slices.Contains(st.Rules(), "data-migration")
		}) {
			return true, nil
		}
	}
	return false, nil
}

// unbatched runs the migrate revisions' backfills as plain UPDATEs.
func (s *Sim) unbatched(ctx context.Context) error {
	plans, err := revision.ReadPlans(s.cfg.Project.PlansDir, s.cfg.Project.Releases)
	if err != nil {
		return err
	}
	conn, err := dbconn.Open(ctx, s.cfg.DB)
	if err != nil {
		return err
	}
	defer conn.Close()
	// An unbatched UPDATE of a million rows holds its locks for minutes;
	// the session's lock wait limits are for DDL, not this.
	if _, err := conn.ExecContext(ctx, "SET SESSION innodb_lock_wait_timeout = 3600"); err != nil {
		return err
	}
	for _, rev := range plans.Of(s.new.Name, revision.Migrate) {
		for _, st := range rev.Statements {
			if st.Kind != revision.Backfill && st.Kind != revision.DDL {
				continue
			}
			res, err := conn.ExecContext(ctx, st.SQL)
			if err != nil {
				return fmt.Errorf("%s: %w", rev.ID, err)
			}
			n, _ := res.RowsAffected()
			s.phases[len(s.phases)-1].Rows += n
		}
	}
	return nil
}

func (s *Sim) runNaive(ctx context.Context) error {
	cfg := s.cfg
	drv, err := diff.Offline(cfg.Project.Target)
	if err != nil {
		return err
	}
	plan, err := drv.PlanChanges(ctx, "naive", s.changes, func(o *migrate.PlanOptions) { o.SchemaQualifier = new(string) })
	if err != nil {
		return fmt.Errorf("planning the naive migration: %w", err)
	}
	for _, c := range plan.Changes {
		s.report.NaiveSQL = append(s.report.NaiveSQL, c.Cmd)
	}
	if err := s.baseline(ctx); err != nil {
		return err
	}
	if cfg.Verify {
		// What every row should become is only computable while the old
		// columns exist: note it now, with the workers held still.
		if err := s.work.quiet(func() error { return s.checkBoth(ctx) }); err != nil {
			return err
		}
	}
	done := s.enter("naive-alter", "Atlas's single-phase migration, applied at once")
	for _, q := range s.report.NaiveSQL {
		s.say("  %s", q)
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			done()
			return fmt.Errorf("naive migration: %s: %w", q, err)
		}
	}
	done()
	// The new release deploys after the migration, while the previous
	// release is still running, exactly as in the emcee run.
	return s.hold(ctx, "after", "no DDL: both releases against the new schema", cfg.Settle, func() { s.work.start(New, cfg.NewWorkers, cfg.Seed+1) })
}

// seed inserts Rows rows per table in the previous release's shape,
// numbered 1..Rows, with their key and values derived from the number so
// the verifier can recompute them.
func (s *Sim) seed(ctx context.Context) error {
	const batch = 2000
	for _, t := range s.tables {
		s.say("seeding %d rows into %s", s.cfg.Rows, t.name)
		cols := append(t.key.names(), names(t.old)...)
		for lo := 1; lo <= s.cfg.Rows; lo += batch {
			hi := min(lo+batch-1, s.cfg.Rows)
			var args []any
			for key := lo; key <= hi; key++ {
				args = append(args, t.key.args(int64(key))...)
				for _, v := range seedValues(t, int64(key)) {
					args = append(args, v)
				}
			}
			if _, err := s.db.ExecContext(ctx, insert(t.name, cols, hi-lo+1), args...); err != nil {
				return fmt.Errorf("seeding %s: %w", t.name, err)
			}
		}
	}
	return nil
}

// seedValues are the old-release column values of seed row key.
func seedValues(t *table, key int64) []string {
	r := rand.New(rand.NewPCG(uint64(key), 0x5eed))
	out := make([]string, len(t.old))
	for i, c := range t.old {
		out[i] = c.gen(r)
		if c.seed != nil {
			out[i] = c.seed(key)
		}
	}
	return out
}
