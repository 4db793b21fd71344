package apply

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/project"
)

// A backfill shares the primary with the application and its changes with
// every replica. Like pt-online-schema-change (--chunk-time, --max-lag,
// --max-load, --critical-load) and gh-ost (--max-lag-millis,
// --critical-load), it sizes its batches to a target time and checks,
// before every batch, that the replicas keep up and that the server is not
// loaded: while one is not so it waits, saying why; past a critical load it
// stops after the last committed batch, which the next run resumes from.

// CriticalLoad is migrate stopped by --critical-load: every batch before
// it is committed and recorded, and the next run resumes after the last.
type CriticalLoad struct {
	Limit project.LoadLimit
	Value int64
	Table string
	After string // the last key committed ("" before the first batch)
	// Rerun is the command that resumes it (Session.rerun): migrate, or
	// the sync or upgrade whose migrate or catch-up it stopped.
	Rerun string
}

func (e *CriticalLoad) Error() string {
	at := "before its first batch"
	if e.After != "" {
		at = "after the batch ending at key " + e.After
	}
	return fmt.Sprintf("stopped: %s is %d, at or over --critical-load %s; the backfill of %s stopped cleanly %s (committed and recorded); rerun %s once the load is down: it resumes there",
		e.Limit.Var, e.Value, e.Limit, e.Table, at, e.Rerun)
}

// replica is one server whose lag is watched.
type replica struct {
	name string // host:port, what the messages say
	db   *sql.DB
	// primary is the primary's server_id: of a replica's connections,
	// those replicating from it are the ones watched.
	primary string
}

// throttle is the state of the checks for one session.
type throttle struct {
	replicas []replica
	// discovered says how the replicas were found, for the log.
	discovered string
	announced  bool
}

// announce says once, before the first batch, which replicas are watched.
func (s *Session) announce() {
	if s.thr == nil || s.thr.announced {
		return
	}
	s.thr.announced = true
	var names []string
	for _, r := range s.thr.replicas {
		names = append(names, r.name)
	}
	how := "given with --replica"
	if s.thr.discovered != "" {
		how = "found by " + s.thr.discovered
	}
	s.say("    --max-lag %s: watching %s (%s)", s.opts.MaxLag, strings.Join(names, ", "), how)
}

// prepareThrottle checks the throttle options against the server before
// anything runs: every variable named must be a numeric global status
// variable, and every replica must answer SHOW SLAVE STATUS.
func (s *Session) prepareThrottle(ctx context.Context) error {
	o := &s.opts
	if o.ChunkTime < 0 || o.MaxLag < 0 || o.CheckInterval < 0 {
		return errors.New("--chunk-time, --max-lag and --check-interval take a positive duration (e.g. 500ms, 2s)")
	}
	if o.MaxBatchSize < 0 {
		return fmt.Errorf("--max-batch-size %d: want a number of rows of 1 or more", o.MaxBatchSize)
	}
	i, l, p, err := s.loadProblem(ctx, "", o.MaxLoad, o.CriticalLoad)
	if err != nil {
		return s.redact(fmt.Errorf("reading SHOW GLOBAL STATUS for --max-load/--critical-load: %w", err))
	}
	if p != "" {
		return fmt.Errorf("--%s %s: %s", []string{"max-load", "critical-load"}[i], l, p)
	}
	if o.MaxLag == 0 {
		if len(o.Replicas) > 0 {
			return errors.New("--replica is only used with --max-lag: give the lag replicas may reach before migrate pauses (e.g. --max-lag 1s)")
		}
		return nil
	}
	s.thr = &throttle{}
	var cfgs []*dbconn.Config
	for _, u := range o.Replicas {
		cfg, err := dbconn.ParseServer(u, s.Cfg.Database)
		if err != nil {
			return fmt.Errorf("--replica: %w", err)
		}
		cfg.From = "--replica " + cfg.String()
		cfgs = append(cfgs, cfg)
	}
	if len(cfgs) == 0 {
		addrs, how, err := s.discoverReplicas(ctx)
		if err != nil {
			return err
		}
		s.thr.discovered = how
		for _, a := range addrs {
			cfg, err := s.Cfg.Discovered(a, how)
			if err != nil {
				return fmt.Errorf("--max-lag without --replica: %w", err)
			}
			cfgs = append(cfgs, cfg)
		}
	}
	for _, cfg := range cfgs {
		r, err := s.openReplica(ctx, cfg)
		if err != nil {
			s.closeReplicas()
			return err
		}
		s.thr.replicas = append(s.thr.replicas, r)
	}
	return nil
}

func (s *Session) closeReplicas() {
	if s.thr == nil {
		return
	}
	for _, r := range s.thr.replicas {
		r.db.Close()
	}
	s.thr.replicas = nil
}

// openReplica connects to a replica and checks that it is one.
func (s *Session) openReplica(ctx context.Context, cfg *dbconn.Config) (replica, error) {
	db, err := dbconn.OpenServer(ctx, cfg)
	if err != nil {
		return replica{}, fmt.Errorf("replica %s (%s): %w", cfg.Addr, cfg.From, err)
	}
	r := replica{name: cfg.Addr, db: db}
	if err := s.Conn.QueryRowContext(ctx, "SELECT @@server_id").Scan(&r.primary); err != nil {
		db.Close()
		return replica{}, s.redact(fmt.Errorf("reading the primary's server_id: %w", err))
	}
	if _, _, err := r.lag(ctx); err != nil {
		db.Close()
		return replica{}, fmt.Errorf("replica %s (%s): %s", cfg.Addr, cfg.From, cfg.Redact(err.Error()))
	}
	return r, nil
}

// discoverReplicas asks the primary for its replicas. SHOW SLAVE HOSTS
// lists those that report their address (report_host, report_port), but
// any holder of a replication account registers any address there: only
// an entry whose host is where one of the primary's binlog dump
// connections comes from (the processlist, by name or address) is used.
// Without such an entry, the hosts of the binlog dump connections are
// used, on the primary's port. Discovered replicas are reached with the
// primary's user and password over a guarded connection
// (dbconn.Config.Discovered), which never lets the server learn the
// password.
func (s *Session) discoverReplicas(ctx context.Context) ([]string, string, error) {
	hosts, err := dbconn.Strings(ctx, s.Conn, "SELECT HOST FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')")
	if err != nil {
		return nil, "", s.redact(fmt.Errorf("--max-lag without --replica: finding the replicas in the processlist: %w; give them with --replica URL", err))
	}
	var dumps []string
	for _, h := range hosts {
		if host, _, err := net.SplitHostPort(h); err == nil {
			h = host
		}
		if !slices.Contains(dumps, h) {
			dumps = append(dumps, h)
		}
	}
	if len(dumps) == 0 {
		return nil, "", errors.New("--max-lag: the primary lists no replica (no binlog dump connection is in its processlist, which shows other users' connections only with the PROCESS privilege): give each replica with --replica mysql://user:pass@host:port/, or drop --max-lag")
	}
	dumpIPs := map[string]bool{}
	for _, h := range dumps {
		for _, ip := range lookup(ctx, h) {
			dumpIPs[ip] = true
		}
	}
	var addrs []string
	_ = dbconn.EachRow(ctx, s.Conn, "SHOW SLAVE HOSTS", nil, func(rows *sql.Rows) error {
		vals := dbconn.RowByName(rows)
		host, port := vals["host"], vals["port"]
		if host == "" || port == "" || port == "0" {
			return nil
		}
		a := net.JoinHostPort(host, port)
		if !slices.ContainsFunc(lookup(ctx, host), func(ip string) bool { return dumpIPs[ip] }) {
			s.say("    --max-lag: not watching %s (SHOW SLAVE HOSTS): no binlog dump connection comes from %s (they come from %s); if it is a replica, give it with --replica", a, host, strings.Join(dumps, ", "))
		} else if !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
		return nil
	})
	if len(addrs) > 0 {
		return addrs, "SHOW SLAVE HOSTS, checked against the binlog dump connections", nil
	}
	_, port, _ := net.SplitHostPort(s.Cfg.Addr)
	for _, h := range dumps {
		addrs = append(addrs, net.JoinHostPort(h, port))
	}
	return addrs, "the processlist's binlog dump connections (on the primary's port)", nil
}

// lookup is the addresses of host: itself when it is one, else what it
// resolves to (nothing if it does not).
func lookup(ctx context.Context, host string) []string {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ips, _ := net.DefaultResolver.LookupHost(ctx, host)
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		if p := net.ParseIP(ip); p != nil {
			out = append(out, p.String())
		}
	}
	return out
}

// lag reads a replica's Seconds_Behind_Master. Unknown (NULL: a
// replication thread is stopped) is reported as such: it is no proof the
// replica keeps up. A replica may replicate from several primaries
// (MariaDB's multi-source replication, MySQL's channels): SHOW SLAVE
// STATUS shows MariaDB's default connection alone, which may come from
// another server while the one from this primary has stopped, so every
// connection is read, and those whose Master_Server_Id is the primary's
// are the ones watched; when none is (a chain of replicas given with
// --replica, or a connection that has not reached its primary yet), all
// of them, the longest lag counting.
func (r replica) lag(ctx context.Context) (lag time.Duration, known bool, err error) {
	var all, fromPrimary []string // Seconds_Behind_Master per connection, "" for NULL
	read := func(rows *sql.Rows) error {
		vals := dbconn.RowByName(rows)
		all = append(all, vals["seconds_behind_master"])
		if vals["master_server_id"] == r.primary {
			fromPrimary = append(fromPrimary, vals["seconds_behind_master"])
		}
		return nil
	}
	err = dbconn.EachRow(ctx, r.db, "SHOW ALL SLAVES STATUS", nil, read)
	if dbconn.ServerError(err, 1064) { // MySQL: SHOW SLAVE STATUS lists every channel
		err = dbconn.EachRow(ctx, r.db, "SHOW SLAVE STATUS", nil, read)
	}
	if err != nil {
		return 0, false, fmt.Errorf("SHOW SLAVE STATUS: %w (the user needs the REPLICATION CLIENT or SLAVE MONITOR privilege there)", err)
	}
	if len(all) == 0 {
		return 0, false, errors.New("is not a replica (SHOW SLAVE STATUS is empty): give the URL of a replica")
	}
	if len(fromPrimary) > 0 {
		all = fromPrimary
	}
	for _, v := range all {
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("Seconds_Behind_Master is %q", v)
		}
		lag = max(lag, time.Duration(n)*time.Second)
	}
	return lag, true, nil
}

// globalStatus is SHOW GLOBAL STATUS, names lowercased: read whole, so no
// name a user gives is ever sent to the server.
func (s *Session) globalStatus(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	err := dbconn.EachRow(ctx, s.Conn, "SHOW GLOBAL STATUS", nil, func(rows *sql.Rows) error {
		var k, v sql.NullString
		err := rows.Scan(&k, &v)
		out[strings.ToLower(k.String)] = v.String
		return err
	})
	return out, err
}

// loadProblem checks the variables of load limits (lists: --max-load's,
// then --critical-load's, of emcee or of the tool) against SHOW GLOBAL
// STATUS before anything runs: it says why the first whose variable is no
// number there is refused (refuses follows the variable's name), with its
// list's index; "" when every one is a number.
func (s *Session) loadProblem(ctx context.Context, refuses string, lists ...project.Loads) (int, project.LoadLimit, string, error) {
	if len(slices.Concat(lists...)) == 0 {
		return 0, project.LoadLimit{}, "", nil
	}
	status, err := s.globalStatus(ctx)
	for i, ls := range lists {
		for _, l := range ls {
			v, ok := status[strings.ToLower(l.Var)]
			switch _, nan := strconv.ParseInt(v, 10, 64); {
			case err != nil:
				return 0, l, "", err
			case !ok:
				return i, l, fmt.Sprintf("the server has no global status variable %q%s (SHOW GLOBAL STATUS lists them; e.g. Threads_running, Threads_connected)", l.Var, refuses), nil
			case nan != nil:
				return i, l, fmt.Sprintf("status variable %s is %q, not a number: pick a counter or gauge such as Threads_running", l.Var, v), nil
			}
		}
	}
	return 0, project.LoadLimit{}, "", nil
}

// holdReason tells why the next batch must wait ("" when it may run), or
// returns a *CriticalLoad when migrate must stop. The kind of reason
// (which replica is behind, or which variable is high) is what the log
// reports as a change; the numbers in it move every check.
func (s *Session) holdReason(ctx context.Context) (kind, why string, _ *CriticalLoad, _ error) {
	o := s.opts
	if len(o.MaxLoad) > 0 || len(o.CriticalLoad) > 0 {
		status, err := s.globalStatus(ctx)
		if err != nil {
			return "", "", nil, err
		}
		for _, l := range o.CriticalLoad {
			if v, _ := strconv.ParseInt(status[strings.ToLower(l.Var)], 10, 64); v >= l.Max {
				return "", "", &CriticalLoad{Limit: l, Value: v, Rerun: s.rerun()}, nil
			}
		}
		for _, l := range o.MaxLoad {
			if v, _ := strconv.ParseInt(status[strings.ToLower(l.Var)], 10, 64); v >= l.Max {
				return "load " + l.Var, fmt.Sprintf("%s is %d (--max-load %s)", l.Var, v, l), nil, nil
			}
		}
	}
	if s.thr != nil {
		for _, r := range s.thr.replicas {
			lag, known, err := r.lag(ctx)
			switch {
			case err != nil:
				return "down " + r.name, fmt.Sprintf("replica %s does not answer (%v)", r.name, s.redact(err)), nil, nil
			case !known:
				return "stopped " + r.name, fmt.Sprintf("replica %s has replication stopped (Seconds_Behind_Master is NULL)", r.name), nil, nil
			case lag > o.MaxLag:
				return "lag " + r.name, fmt.Sprintf("replica %s lags %s (--max-lag %s)", r.name, lag, o.MaxLag), nil, nil
			}
		}
	}
	return "", "", nil, nil
}

// waitToRun checks before a batch and waits while it must, reporting why.
// It returns a *CriticalLoad when migrate must stop.
func (s *Session) waitToRun(ctx context.Context, report func(paused string)) error {
	if len(s.opts.MaxLoad) == 0 && len(s.opts.CriticalLoad) == 0 && s.thr == nil {
		return nil
	}
	s.announce()
	interval := cmp.Or(s.opts.CheckInterval, time.Second) // Open refuses a negative one
	var since, said time.Time
	last := ""
	for {
		kind, why, crit, err := s.holdReason(ctx)
		if err != nil {
			return err
		}
		if crit != nil {
			return crit
		}
		if why == "" {
			if last != "" {
				s.say("    resumed after %s paused", time.Since(since).Round(100*time.Millisecond))
				if s.res != nil && len(s.res.Pauses) > 0 {
					s.res.Pauses[len(s.res.Pauses)-1].Seconds = time.Since(since).Seconds()
				}
				report("")
			}
			return nil
		}
		if last == "" {
			since = time.Now()
			if s.res != nil {
				s.res.Pauses = append(s.res.Pauses, Pause{Reason: why})
			}
		}
		// A line when the reason changes, and every 10 s while it holds.
		if kind != last || time.Since(said) >= 10*time.Second {
			s.say("    paused: %s", why)
			last, said = kind, time.Now()
		}
		report(why)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(interval):
		}
	}
}

// Pause is one wait of a backfill for replicas or load.
type Pause struct {
	Reason  string  `json:"reason"`
	Seconds float64 `json:"seconds"`
}

// nextSize is the batch size that takes about --chunk-time at the rate
// measured so far (pt-osc's approach: the rate is averaged, so one slow
// batch does not halve the next), within 1 and --max-batch-size.
type sizer struct {
	chunk time.Duration
	max   int64
	size  int64
	rate  float64 // keys per second, averaged
}

func newSizer(o Options) *sizer {
	// Open refuses a negative MaxBatchSize.
	z := &sizer{chunk: o.ChunkTime, max: int64(cmp.Or(o.MaxBatchSize, DefaultMaxBatchSize)), size: int64(o.BatchSize)}
	if z.chunk > 0 {
		z.size = min(z.size, z.max)
	}
	return z
}

func (z *sizer) observe(keys int64, took time.Duration) {
	if z.chunk <= 0 || keys <= 0 {
		return
	}
	r := float64(keys) / max(took.Seconds(), 1e-4)
	if z.rate == 0 {
		z.rate = r
	} else {
		z.rate = 0.75*z.rate + 0.25*r
	}
	z.size = max(1, min(z.max, int64(z.rate*z.chunk.Seconds())))
}
