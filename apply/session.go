// Package apply runs committed plans against a live database: it holds the
// operator lock, enforces the expand / migrate / contract order, records
// progress statement by statement so a rerun resumes where a crash left
// off, runs gates and batched backfills, and reports what is pending.
package apply

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha1"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/user"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/internal/shell"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// DefaultBatchSize is the backfill batch (primary-key positions per
// transaction). On 1M rows (BENCHMARKS.md) 2000 backfilled about 9% faster
// than 1000 with no worse write p99; 250-500 only cost throughput.
const DefaultBatchSize = 2000

// DefaultMaxBatchSize bounds the batches --chunk-time sizes: a batch is
// one transaction holding its rows' locks, and the size adapts to the
// time of the last batches, so a burst of fast batches must not grow the
// next past what a lock wait would tolerate.
const DefaultMaxBatchSize = 50000

// Options tune a run. The zero value is a careful default.
type Options struct {
	Tool       string // emcee version, recorded with every revision
	DryRun     bool
	AllowDrift bool
	// DropNewData lets a rollback drop data only the new release wrote
	// (rollbackLosses), which it otherwise refuses to.
	DropNewData bool
	// AllowCopy lets a rollback run statements that copy their table
	// (narrowing a widened type back) with the server copying, writes
	// blocked, where no --osc tool takes them (rollbackCopies).
	AllowCopy bool
	DevURL    string        // dev database for normalising declared schemas
	BatchSize int           // backfill rows per batch (key positions)
	Pause     time.Duration // sleep between backfill batches
	MaxRows   int64         // stop migrate after this many rows (0: no limit)
	// ChunkTime sizes each backfill batch to take about this long (0:
	// BatchSize keys per batch), starting from BatchSize, within 1 and
	// MaxBatchSize (0: DefaultMaxBatchSize).
	ChunkTime    time.Duration
	MaxBatchSize int
	// MaxLag pauses the backfill while a replica lags more (0: no check);
	// Replicas are their URLs, discovered from the primary when empty.
	MaxLag   time.Duration
	Replicas []string
	// MaxLoad pauses the backfill while a global status variable is at or
	// over its limit; CriticalLoad stops migrate (resumable, CriticalLoad).
	MaxLoad, CriticalLoad project.Loads
	// CheckInterval is how often a paused backfill checks again (0: 1s).
	CheckInterval time.Duration
	// Retries is how often a deadlock or lock wait timeout is retried
	// (0: DefaultRetries, negative: never).
	Retries int
	// LockTimeout is how long to wait for another run's lock; zero fails at once.
	LockTimeout time.Duration
	// NoVerify skips the sum check, for commands that only read the
	// version table (db version).
	NoVerify bool
	Log      io.Writer // human-readable progress; nil discards
	// Aside takes what a run found on the server beside its database
	// (temporary databases of killed runs, dropped or not): about the
	// server, not the run, so apart from Log (emcee's commands: stderr).
	// Nil discards.
	Aside    func(note string)
	Progress func(Progress)
	// OSC says whether statements that copy their table go to an online
	// schema change tool (osc.go); OSCFrom where that was asked for, for
	// messages ("--osc pt-osc", "osc in atlas.hcl").
	OSC     project.OSC
	OSCFrom string
	// Rerun gives the flags this run was given that change what `emcee
	// db <cmd>` does, among those cmd has, as shell words
	// (internal/shell), for the command a refusal tells the operator to
	// run (rerun, rerunOf): without its --osc-max-load or --env, that
	// rerun ran otherwise, or elsewhere; with a flag cmd lacks (a
	// rollback's --allow-copy in contract's command), it was refused as
	// a usage error. add names the flags it was given that are left out
	// since their value may hold a password (--url), which the message
	// says to add. Nil: no flags.
	Rerun func(cmd string) (words, add []string)
}

// Progress reports a backfill's advance, or a tool's copy of a table.
type Progress struct {
	Revision string
	Table    string
	Step     string // "" for a backfill, "pt-osc copy" for the tool's copy
	Done     int64  // rows updated so far by this statement in this run
	Total    int64  // rows pending when this run started it
	Finished bool
	// RowsPerSecond is Done over the time this run has spent on the
	// statement, pauses included; ETA is what is left at that rate.
	RowsPerSecond float64
	ETA           time.Duration
	BatchSize     int64  // keys in the next batch (--chunk-time adapts it)
	Paused        string // why the backfill waits ("" while it runs)
}

// Session is one operator run against one database.
type Session struct {
	Project *project.Project
	Plans   *revision.Plans
	Cfg     *dbconn.Config
	DB      *sql.DB
	// Conn carries the advisory lock and every statement, so losing the
	// connection loses the lock and stops the run in the same moment.
	Conn    *sql.Conn
	Records history.Records
	opts    Options
	by      string
	locked  bool
	marked  string // the lock only this session takes (mark)
	rowsRun int64
	thr     *throttle // replicas watched for --max-lag
	// driftChecked is set once the run has compared the live schema with
	// what the recorded revisions produce: from then on the schema changes
	// only by what the run applies itself.
	driftChecked bool
	// dependentsNoted are the revisions whose unchecked objects the run
	// has noted: expand checks its revisions up front and again as each
	// runs (checkDependents).
	dependentsNoted map[string]bool
	// dryRan is what the revisions a dry run simulated did to the
	// triggers and views (dropped: still live; created: not there), for
	// the revisions after them (checkDependents).
	dryRan runObjects
	// simulatedFrom holds the revisions a dry run has pretended to apply
	// (from then on the live schema is behind what the run assumes), each
	// with the statement it starts at: what a real run has not run yet
	// (waitsFor).
	simulatedFrom map[string]int
	// checkedAhead is set once sync has checked every revision it runs
	// (checkDependents), before the first: a release's preflight need not
	// again.
	checkedAhead bool
	// ownTriggers are the triggers the plans create, lower-cased: read
	// once, for every backfill that names the others.
	ownTriggers map[string]bool
	// declaredTables are the tables the snapshots of the release in
	// progress and the later ones declare, lower-cased: read once, for the
	// env's exclude (declared).
	declaredTables map[string]bool
	cmd            string // the db subcommand, for "rerun ..." hints (rerun)
	target         string // sync's or upgrade's release or revision, rollback's release, as given
	res            *Result
	replanned      []replan // records of runs that changed nothing, whose script changed
	// quick is db check: gates and catch-up counts only tell whether
	// they find a row, which stops at the first one.
	quick bool
	osc   *oscTool // the tool copying statements go to (nil: the server)
	// accepted holds the rows a rollback counted it would lose, per
	// table and column (table "\x00" column), as it printed them:
	// recountLosses compares each drop's count with them.
	accepted map[string]int64
	// schema is the database's name as the server knows it: under
	// lower_case_table_names = 1, mysql://h/Glance and mysql://h/glance
	// are one database, and its lock must be one lock.
	schema string
	// appZone is the time zone the application's writes run in
	// (dbconn.AppTimeZone): backfills and gates compute in it, as the
	// triggers do for the application's writes.
	appZone string
	inZone  bool // s.Conn is in appZone (inAppZone)
	// through is the last release a run may apply (Sync's target); ""
	// for the release in progress.
	through string
	trxRead time.Time // when this session last read INNODB_TRX (readTrxList)
}

// Open reads and verifies the plans, then connects. Nothing is locked or
// written yet.
func Open(ctx context.Context, p *project.Project, cfg *dbconn.Config, opts Options) (*Session, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	opts.Log = cmp.Or(opts.Log, io.Discard)
	if opts.Aside == nil {
		opts.Aside = func(string) {}
	}
	plans, err := revision.ReadPlans(p.PlansDir, p.Releases)
	if err != nil {
		return nil, err
	}
	if err := plans.Verify(); err != nil && !opts.NoVerify {
		return nil, fmt.Errorf("refusing to run: %w", err)
	}
	db, err := dbconn.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, cfg.Explain(err)
	}
	s := &Session{Project: p, Plans: plans, Cfg: cfg, DB: db, Conn: conn, opts: opts}
	// Before anything of the plans runs, on every path into them (a run, a
	// resume, a rollback, a replay): version alone (NoVerify) runs none.
	if !opts.NoVerify {
		for _, r := range append(slices.Clone(plans.Revisions), plans.Rollbacks...) {
			if err := s.readable(r); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&s.schema); err != nil {
		s.Close()
		return nil, cfg.Explain(err)
	}
	if s.appZone, err = dbconn.AppTimeZone(ctx, conn, p.AppTimeZone); err != nil {
		s.Close()
		if p.AppTimeZone != "" {
			err = fmt.Errorf("%s: emcee.app_time_zone: %w", p.AppTimeZoneAt, err)
		}
		return nil, s.redact(err)
	}
	if err := s.reload(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareThrottle(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close releases the lock and the connection.
func (s *Session) Close() {
	if s.locked {
		_, _ = s.Conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", s.lockName())
	}
	if s.marked != "" {
		marks.Lock()
		delete(marks.by, s.marked)
		marks.Unlock()
		_, _ = s.Conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", s.marked)
	}
	s.closeReplicas()
	s.Conn.Close()
	s.DB.Close()
}

// say prints a line of the run's log. What it prints quotes what the
// database holds (a history record's error as whoever edited the table
// wrote it, the statement of the connection holding the lock): an escape
// sequence there reaches the terminal as text.
func (s *Session) say(format string, args ...any) {
	fmt.Fprintln(s.opts.Log, sqlname.DisplayableText(fmt.Sprintf(format, args...)))
}

func (s *Session) reload(ctx context.Context) error {
	rs, err := history.Load(ctx, s.Conn)
	if err != nil {
		return s.redact(err)
	}
	s.Records = rs
	return nil
}

// inAppZone runs fn, which computes the application's data on s.Conn, in
// the application's time zone. Called inside another, it leaves the zone
// to that one: InTimeZone puts emcee's own back when it returns, and a
// count run this way inside the one-UPDATE backfill had its UPDATE
// compute in +00:00 (e2e TestAttackOneUpdateBackfillHonoursMaxRowsAndLoad).
func (s *Session) inAppZone(ctx context.Context, fn func() error) error {
	if s.inZone {
		return fn()
	}
	s.inZone = true
	defer func() { s.inZone = false }()
	return dbconn.InTimeZone(ctx, s.Conn, s.appZone, fn)
}

func (s *Session) redact(err error) error { return s.Cfg.RedactErr(err) }

// Version is the composite database version.
func (s *Session) Version() string { return s.Records.Version(s.Project.Releases) }

func (s *Session) lockName() string { return s.dbLock("emcee:") }

// dbLock is a lock name for the database: the prefix and the database's
// name, or its hash where that would pass the server's 64 characters.
// devdb's devLock names a dev database's lock its own way: merged, one of
// them would change, and runs of emcee versions before and after would
// no longer exclude each other (TestLockNames, TestDevLockName).
func (s *Session) dbLock(prefix string) string {
	db := cmp.Or(s.schema, s.Cfg.Database)
	name := prefix + db
	if len(name) > 64 {
		h := sha1.Sum([]byte(db))
		name = prefix + hex.EncodeToString(h[:])
	}
	return name
}

// Lock takes the operator lock for the whole run. A second run fails at
// once (or after LockTimeout) and names the connection that holds it.
func (s *Session) Lock(ctx context.Context) error {
	var got sql.NullInt64
	if s.opts.LockTimeout < 0 {
		// GET_LOCK reads a negative timeout as "wait forever".
		return fmt.Errorf("lock timeout %s is negative", s.opts.LockTimeout)
	}
	secs := int(s.opts.LockTimeout / time.Second)
	// The mark comes first: a session of this run refused the operator
	// lock must find the holder's mark already taken.
	if s.marked == "" {
		s.mark(ctx)
	}
	if err := s.Conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", s.lockName(), secs).Scan(&got); err != nil {
		return s.redact(fmt.Errorf("taking the operator lock %q: %w", s.lockName(), err))
	}
	if got.Valid && got.Int64 == 1 {
		s.locked = true
		return nil
	}
	return s.lockHeld(ctx)
}

// lockAndRead prepares a run that changes the version table: the dev
// database can be reached, the operator lock is held (not in a dry run) and
// the records are read again under it.
func (s *Session) lockAndRead(ctx context.Context) error {
	// A configured dev database is checked before anything changes, rather
	// than at the drift check of a later release in the middle of a sync.
	// migrate and contract compare nothing.
	if s.cmd != "migrate" && s.cmd != "contract" {
		if err := devdb.Check(ctx, s.opts.DevURL); err != nil {
			return err
		}
	}
	if !s.opts.DryRun {
		if err := s.Lock(ctx); err != nil {
			return err
		}
		if err := s.reload(ctx); err != nil {
			return err
		}
	}
	s.identify(ctx)
	return nil
}

// marks are the sessions of this process holding an operator lock, by
// the name of a second lock each takes on the same connection: a name
// only it uses. A run over a target list that reaches one database under
// two URLs (127.0.0.1 and localhost) finds its own other session holding
// the operator lock: the connection holding the operator lock holds a
// mark too, on the same server, which a connection id alone cannot tell.
var marks = struct {
	sync.Mutex
	by map[string]string // mark -> the target, as printed
}{by: map[string]string{}}

func (s *Session) mark(ctx context.Context) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return
	}
	name := "emcee:run:" + hex.EncodeToString(b)
	var got sql.NullInt64
	if err := s.Conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil || got.Int64 != 1 {
		return
	}
	s.marked = name
	marks.Lock()
	marks.by[name] = s.Cfg.String()
	marks.Unlock()
}

// sameRun names the target of this run whose session holds the lock on
// connection id, "" when none does.
func (s *Session) sameRun(ctx context.Context, id int64) string {
	marks.Lock()
	by := maps.Clone(marks.by)
	marks.Unlock()
	for name, target := range by {
		var holder sql.NullInt64
		if err := s.Conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", name).Scan(&holder); err == nil && holder.Valid && holder.Int64 == id {
			return target
		}
	}
	return ""
}

func (s *Session) lockHeld(ctx context.Context) error {
	id, holder := s.lockHolder(ctx)
	msg := fmt.Sprintf("another emcee run holds the lock %q on %s", s.lockName(), s.Cfg.Addr)
	if id.Valid {
		if other := s.sameRun(ctx, id.Int64); other != "" {
			return fmt.Errorf("%s is the same database as %s, which this run is working on (its connection %d holds the lock %q on this server): the two URLs reach one server. Nothing was changed here; list each database once", s.Cfg, other, id.Int64, s.lockName())
		}
	}
	msg += holder + "; only one operator may change the schema at a time: wait for that run to finish (or pass --lock-timeout to wait)"
	if id.Valid {
		msg += fmt.Sprintf("; if its process is gone but the connection lingers, KILL %d on the server", id.Int64)
	}
	return errors.New(msg)
}

// lockHolder is the connection holding the operator lock (not valid when
// none does), and what is known of it and of the revision it applies, to
// follow "holds the lock".
func (s *Session) lockHolder(ctx context.Context) (id sql.NullInt64, desc string) {
	_ = s.Conn.QueryRowContext(ctx, "SELECT IS_USED_LOCK(?)", s.lockName()).Scan(&id)
	if id.Valid {
		var u, h, info string
		var secs int64
		err := s.Conn.QueryRowContext(ctx, "SELECT USER, HOST, TIME, COALESCE(INFO, '') FROM information_schema.PROCESSLIST WHERE ID = ?", id.Int64).Scan(&u, &h, &secs, &info)
		if err == nil {
			desc += fmt.Sprintf(": connection %d (%s@%s", id.Int64, u, h)
			if info != "" {
				desc += fmt.Sprintf(", running for %ds: %s", secs, sqlsyntax.OneLine(info, 80))
			}
			desc += ")"
		} else {
			desc += fmt.Sprintf(": connection %d", id.Int64)
		}
	}
	if s.Records != nil {
		_ = s.reload(ctx)
		for _, r := range s.Records.Sorted(s.Project.Releases) {
			if !r.Done() && r.Error == "" {
				desc += fmt.Sprintf(", applying %s (%d of %d statements) for %s", r.Name, r.Applied, r.Total, r.AppliedBy)
			}
		}
	}
	return id, desc
}

// identify records who applies revisions: the operating-system user and
// host, and the database account.
func (s *Session) identify(ctx context.Context) {
	who := "unknown"
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	host, _ := os.Hostname()
	var account string
	_ = s.Conn.QueryRowContext(ctx, "SELECT CURRENT_USER()").Scan(&account)
	s.by = fmt.Sprintf("%s@%s pid %d as %s", who, host, os.Getpid(), account)
}

// consistent refuses a database whose records do not match the plans: a
// revision applied from a script that has since changed, a revision the
// plans do not have at all (the database is ahead of this checkout), or a
// record emcee cannot have written (edited by hand). A record of a run that
// changed nothing does not pin its script: it is made to name the current
// script (replanned; begin records that), since none of the old one ran.
// forget names a record left out of the checks: the one db forget removes.
func (s *Session) consistent(forget ...string) error {
	byName := map[string]*revision.Revision{}
	for _, r := range append(slices.Clone(s.Plans.Revisions), s.Plans.Rollbacks...) {
		byName[r.ID.String()] = r
	}
	s.replanned = nil
	for _, rec := range s.Records.Sorted(s.Project.Releases) {
		if slices.Contains(forget, rec.Name) {
			continue
		}
		rev, ok := byName[rec.Name]
		if !ok {
			return fmt.Errorf("the database records revision %s, which %s does not have: this checkout is older than the database or plans were removed; use the plans the database was upgraded with", rec.Name, project.Rel(s.Project.PlansDir))
		}
		path := s.planFile(rev.Path)
		if rev.Checksum != rec.Checksum {
			if rec.ChangedNothing() {
				s.replanned = append(s.replanned, replan{rec: rec, rev: rev, was: rec.Checksum})
				rec.Checksum, rec.Total = rev.Checksum, len(rev.Statements)
				continue
			}
			if rec.Done() {
				return fmt.Errorf("%s: checksum %s, but %s was applied from a script with checksum %s: an applied revision must never change; restore the file from version control (a change belongs in a new revision, see `emcee plan`)",
					path, rev.Checksum, rec.Name, rec.Checksum)
			}
			return fmt.Errorf("%s: checksum %s, but %s was started from a script with checksum %s, and that run changed the database (%s): a revision must finish with the script it started with. Either restore that script from version control and rerun, or undo by hand what it applied and run %s, which removes the record once the live schema shows nothing of it (docs/operators.md, \"A revision's script changed after it started\")",
				path, rev.Checksum, rec.Name, rec.Checksum, progress(rec), s.command("forget", rec.Name))
		}
		if why := rec.Inconsistent(len(rev.Statements)); why != "" {
			return fmt.Errorf("%s, row %s: %s; emcee never writes such a record, so the table was edited by hand, and emcee cannot tell which statements of %s ran. Restore the row (applied counts the statements run, in order, from 0 to total = %d; finished_at is set only with all of them applied), or, if the revision never ran, remove the record with %s",
				history.Table, rec.Name, why, path, len(rev.Statements), s.command("forget", rec.Name))
		}
	}
	// A revision added to a release the database has already left behind
	// would run after the later releases it was never planned before.
	latest := -1
	for _, rec := range s.Records {
		latest = max(latest, slices.Index(s.Project.Releases, rec.ID.Release))
	}
	for _, rev := range s.Plans.Revisions {
		if i := slices.Index(s.Project.Releases, rev.ID.Release); i < latest && !s.Records[rev.ID.String()].Done() {
			return fmt.Errorf("%s is new in release %s, but the database has already moved on to release %s: revisions of a finished release cannot be applied any more; put the change in the release being developed (mark shipped releases as released in the emcee block so `emcee plan` refuses this)",
				s.planFile(rev.Path), rev.ID.Release, s.Project.Releases[latest])
		}
	}
	return nil
}

// replan is a record that changed nothing, taken over by a changed script.
type replan struct {
	rec *history.Record
	rev *revision.Revision
	was string // the checksum it was started from
}

// progress says what an unfinished record shows the run did.
func progress(r *history.Record) string {
	var out []string
	if r.Applied > 0 {
		out = append(out, fmt.Sprintf("%d of %d statements applied", r.Applied, r.Total))
	}
	if r.InFlight {
		out = append(out, fmt.Sprintf("statement %d sent without confirmation", r.Applied+1))
	}
	if r.ResumeKey.Valid || r.RowsDone > 0 {
		out = append(out, fmt.Sprintf("a backfill committed %d rows", r.RowsDone))
	}
	if r.OSC != nil && r.OSC.Running != nil && !r.InFlight {
		out = append(out, fmt.Sprintf("statement %d handed to %s, which may have left its copy and triggers", r.OSC.Running.Statement, r.OSC.Running.Tool))
	}
	return strings.Join(out, ", ")
}

// recordReplans writes what consistent decided about records of runs that
// changed nothing, and says so.
func (s *Session) recordReplans(ctx context.Context) error {
	for _, r := range s.replanned {
		if !s.opts.DryRun {
			ok, err := history.Replan(ctx, s.Conn, r.rec, r.was, r.rev)
			if err != nil {
				return s.redact(err)
			}
			if !ok {
				return fmt.Errorf("%s: the record of %s changed while this run read it; rerun", history.Table, r.rec.Name)
			}
		}
		why := "an earlier run stopped before applying any of its statements"
		if r.rec.Error != "" {
			why = fmt.Sprintf("an earlier run failed on statement 1 and changed nothing (%s)", sqlsyntax.OneLine(r.rec.Error, 120))
		}
		s.say("%s: %s; its script has changed since (checksum %s, now %s), so its record %s the current script", r.rec.Name, why, r.was, r.rev.Checksum, s.dry("would be made to name", "now names"))
	}
	return nil
}

// pending lists a release's revisions of one phase that are not applied.
func (s *Session) pending(release string, phase revision.Phase) []*revision.Revision {
	return slices.DeleteFunc(s.Plans.Of(release, phase), func(r *revision.Revision) bool { return s.Records[r.ID.String()].Done() })
}

// current is the release being upgraded: the first with anything pending.
// Every release before it is fully contracted.
func (s *Session) current() string {
	for _, rel := range s.Project.Releases {
		if slices.ContainsFunc(revision.Phases, func(ph revision.Phase) bool { return len(s.pending(rel, ph)) > 0 }) {
			return rel
		}
	}
	return ""
}

// started reports whether any revision of the release has changed the
// database (a record of a run that changed nothing does not count).
func (s *Session) started(release string) bool {
	return slices.ContainsFunc(slices.Collect(maps.Values(s.Records)), func(r *history.Record) bool { return r.ID.Release == release && !r.ChangedNothing() })
}

func names(revs []*revision.Revision) string {
	var out []string
	for _, r := range revs {
		out = append(out, r.ID.String())
	}
	return strings.Join(out, ", ")
}

func previous(releases []string, rel string) string {
	i := slices.Index(releases, rel)
	if i <= 0 {
		return ""
	}
	return releases[i-1]
}

// rerun is the command a "rerun ..." hint names, in backquotes: the
// command this run is (rerunOf).
func (s *Session) rerun(extra ...string) string { return s.rerunOf(s.cmd, extra...) }

// rerunOf is the command a hint names to run next or again, in backquotes
// (command): for the run's own command, the release or revision a sync
// or upgrade was given (without it, `emcee db sync` goes on through the
// latest release, whose code may not be what runs: `db sync two` stopped
// by data was told to rerun `emcee db sync`), or the release a rollback
// was given (`db rollback pike` on a target list rolls back where pike
// started); then extra (a rollback's --drop-new-data, when the way out is
// to accept the loss).
func (s *Session) rerunOf(cmd string, extra ...string) string {
	if s.target != "" && cmd == s.cmd && (cmd == "sync" || cmd == "upgrade" || cmd == "rollback") {
		extra = append([]string{s.target}, extra...)
	}
	return s.command(cmd, extra...)
}

// command is `emcee db cmd args...` as a hint names it, in backquotes,
// with every flag of this run that changes what cmd does
// (Options.Rerun), the one place such a command is built: a rollback
// told to rerun without its --allow-copy met the copies' refusal again,
// without its --osc none handed the copies to the tool atlas.hcl names,
// without its --osc-max-load ran the tool at its own thresholds, and a
// migrate told to run contract, or db status told to run expand, without
// its --env worked on another database ($EMCEE_ENV's, or the url of
// atlas.hcl). A flag args gives replaces the run's flag of that name. A
// flag that may hold a password (--url) is not printed: a note after the
// command says to add it.
func (s *Session) command(cmd string, args ...string) string {
	return s.commandWithout(cmd, nil, args...)
}

// commandWithout is command, leaving out too the run's flags that drop
// names (a rollback told to let the server copy, without --osc and its
// tuning).
func (s *Session) commandWithout(cmd string, drop func(flag string) bool, args ...string) string {
	words := []string{"emcee", "db", cmd}
	for _, a := range args {
		words = append(words, shell.Word(a))
	}
	var flags, add []string
	if s.opts.Rerun != nil {
		flags, add = s.opts.Rerun(cmd)
	}
	leave := false
	for _, w := range flags {
		// A flag's words are its name, then its value if it takes one
		// (rerunFlags): a value never starts with "--" there. A bool
		// flag given against its default is one word, --name=false.
		if strings.HasPrefix(w, "--") {
			name, _, _ := strings.Cut(w, "=")
			leave = slices.Contains(args, name) || drop != nil && drop(name)
		}
		if !leave {
			words = append(words, w)
		}
	}
	out := "`" + strings.Join(words, " ") + "`"
	if len(add) > 0 {
		out += fmt.Sprintf(" (with this run's %s, left out here: it may hold a password)", strings.Join(add, " and "))
	}
	return out
}
