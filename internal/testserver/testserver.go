// Package testserver starts private MariaDB servers for tests that need more
// than the shared one: a replica with binary logging on the primary, a second
// fleet member on another port. Each server has its own data directory and
// port and is stopped (and its files removed) when the test ends.
package testserver

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Options chooses how the server runs.
type Options struct {
	// ServerID is the server_id (replication needs distinct ones); 0 picks one from the port.
	ServerID int
	// LogBin turns binary logging on (a primary, or a server whose trigger
	// creation rules depend on it).
	LogBin bool
	// Args are further mariadbd options, e.g. "--log-bin-trust-function-creators=1".
	Args []string
	// Report makes a replica report its host and port to its primary
	// (report_host, report_port), so SHOW SLAVE HOSTS lists it.
	Report bool
	// Env are further environment variables of mariadbd, e.g.
	// "TZ=Europe/Berlin" (its SYSTEM time zone): a test that sets them
	// here, not with t.Setenv, can run in parallel.
	Env []string
}

// Server is one running private server.
type Server struct {
	Dir  string
	Port int
	// DSN is the root connection in go-sql-driver form, without a database.
	DSN    string
	cmd    *exec.Cmd
	exited chan struct{}
}

// EnvPorts, when set (3440-3449), is the range of ports private servers
// take theirs from: people sharing a machine keep to ranges of their own.
// Their directories go to $TMPDIR.
const EnvPorts = "EMCEE_TEST_PORTS"

// Start installs a data directory and starts mariadbd on a free port. Without
// the binaries the test is skipped, or fails when CI is set (testdb.Unavailable).
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	install, err := lookPath("mariadb-install-db", "/usr/bin/mariadb-install-db")
	mariadbd, errd := lookPath("mariadbd", "/usr/sbin/mariadbd")
	if err = cmp.Or(err, errd); err != nil {
		testdb.Unavailable(t, fmt.Sprintf("cannot start a private MariaDB server: %v (install mariadb-server)", err))
	}
	// A short directory: the socket path must fit in 108 bytes, which
	// t.TempDir() under a long test name does not guarantee.
	dir, err := os.MkdirTemp("", "emcee-srv-")
	if err != nil {
		t.Fatal(err)
	}
	data, tmp := filepath.Join(dir, "data"), filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(install, "--no-defaults", "--datadir="+data, "--tmpdir="+tmp,
		"--auth-root-authentication-method=normal", "--skip-test-db").CombinedOutput()
	if err != nil {
		os.RemoveAll(dir)
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	port := freePort(t)
	id := cmp.Or(o.ServerID, port)
	charset, collation := schemadef.ServerDefault(project.Target{Flavor: "mariadb"})
	args := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port),
		"--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"),
		"--server-id=" + strconv.Itoa(id), "--pid-file=" + filepath.Join(dir, "pid"),
		"--log-error=" + filepath.Join(dir, "error.log"), "--user=root",
		// A tmpdir of its own: a starting server deletes the #sql files it
		// finds in its tmpdir, which, shared, would be the internal
		// temporary tables of the other servers' running queries (the shared
		// server crashed in ha_maria::drop_table when they vanished).
		"--tmpdir=" + tmp,
		// The defaults of the shared server and of the offline planner
		// (schemadef.ServerDefault); without config files mariadbd's are
		// latin1, whose databases the plans were not computed for and the
		// applier refuses.
		"--character-set-server=" + charset, "--collation-server=" + collation}
	if o.LogBin {
		args = append(args, "--log-bin="+filepath.Join(dir, "binlog"))
	}
	if o.Report {
		args = append(args, "--report-host=127.0.0.1", "--report-port="+strconv.Itoa(port))
	}
	args = append(args, o.Args...)
	cmd := exec.Command(mariadbd, args...)
	cmd.Env = append(os.Environ(), o.Env...)
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		release(port)
		t.Fatalf("mariadbd: %v", err)
	}
	s := &Server{Dir: dir, Port: port, DSN: fmt.Sprintf("root@tcp(127.0.0.1:%d)/", port), cmd: cmd, exited: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.Stop)
	if err := s.waitUp(2 * time.Minute); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		t.Fatalf("private MariaDB on port %d did not come up: %v\n%s", port, err, log)
	}
	return s
}

// Stop stops the server now (it stays stopped; the test's cleanup removes its
// files). Tests use it to make a target unreachable.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	os.RemoveAll(s.Dir)
	release(s.Port)
}

// Open connects as root to the server (no default database).
func (s *Server) Open(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("mysql", s.DSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// NewDB is testdb.New on this server.
func (s *Server) NewDB(t testing.TB) *testdb.DB {
	t.Helper()
	return testdb.NewOn(t, s.DSN)
}

// ReplicateFrom makes s a replica of primary (which needs LogBin), starting
// from primary's current binary log position, and waits until both
// replication threads run.
func (s *Server) ReplicateFrom(t testing.TB, primary *Server) {
	t.Helper()
	p := primary.Open(t)
	var file, pos, doDB, ignoreDB string
	if err := p.QueryRow("SHOW MASTER STATUS").Scan(&file, &pos, &doDB, &ignoreDB); err != nil {
		t.Fatalf("primary on port %d has no binary log (start it with LogBin): %v", primary.Port, err)
	}
	r := s.Open(t)
	stmt := fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='root', MASTER_PASSWORD='', MASTER_LOG_FILE=%s, MASTER_LOG_POS=%s",
		primary.Port, sqlsyntax.String(file), pos)
	for _, q := range []string{stmt, "START SLAVE"} {
		if _, err := r.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	deadline := time.Now().Add(time.Minute)
	for {
		var st map[string]string
		err := dbconn.EachRow(context.Background(), r, "SHOW SLAVE STATUS", nil, func(rows *sql.Rows) error {
			st = dbconn.RowByName(rows)
			return nil
		})
		io, sqlThread := st["slave_io_running"], st["slave_sql_running"]
		if io == "Yes" && sqlThread == "Yes" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica on port %d: Slave_IO_Running=%q Slave_SQL_Running=%q (%v)", s.Port, io, sqlThread, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (s *Server) waitUp(limit time.Duration) error {
	cfg, err := mysql.ParseDSN(s.DSN)
	if err != nil {
		return err
	}
	cfg.Timeout = 2 * time.Second
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		return err
	}
	defer db.Close()
	deadline := time.Now().Add(limit)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			// Another server on the port (another test process's, in the
			// same EnvPorts range) answers as well as this one would.
			var datadir string
			real, _ := filepath.EvalSymlinks(s.Dir)
			if err := db.QueryRow("SELECT @@datadir").Scan(&datadir); err != nil || !strings.HasPrefix(datadir, s.Dir) && (real == "" || !strings.HasPrefix(datadir, real)) {
				return fmt.Errorf("port %d is answered by another server (datadir %s, %v), not the one started in %s", s.Port, datadir, err, s.Dir)
			}
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("mariadbd exited: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// held are the lock files of the ports this process has given a server.
// A port is a server's while its lock file (portlock) is locked: two
// tests starting servers at once, in this process or in two test
// binaries (go test runs packages in parallel), both found the first port
// free, since neither server listened yet, and the second test ran on
// the first's server. The kernel drops the lock of a killed process.
var held = struct {
	sync.Mutex
	files map[int]*os.File
}{files: map[int]*os.File{}}

func portlock(port int) string {
	return filepath.Join(os.TempDir(), "emcee-test-port-"+strconv.Itoa(port)+".lock")
}

// lockPort takes a port's lock file, unless another holds it (another
// server of this process or of another). flock's locks belong to an open
// file, so two opens in one process exclude each other as two processes
// do. A file its holder removed as it released it (release) is opened
// again: a lock on a removed file would lock nothing. An error is a lock
// file it cannot make at all (a temporary directory it cannot write):
// every port would fail alike, and freePort would look for ever.
func lockPort(port int) (bool, error) {
	path := portlock(port)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			if _, serr := os.Stat(path); serr == nil {
				return false, nil // another user's run holds it
			}
			return false, fmt.Errorf("test servers lock their port with a file in the temporary directory %s, and this one cannot be made (%v): set TMPDIR to a directory you can write", os.TempDir(), err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			return false, nil
		}
		locked, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(locked, now) {
			held.Lock()
			held.files[port] = f
			held.Unlock()
			return true, nil
		}
		f.Close()
	}
}

// release gives a port back: its lock file is removed while still locked,
// then unlocked, so no file is left behind and none is locked twice.
func release(port int) {
	held.Lock()
	f := held.files[port]
	delete(held.files, port)
	held.Unlock()
	if f != nil {
		os.Remove(portlock(port))
		f.Close()
	}
}

// freePort is a port no other server of EnvPorts (of this process or
// another) has or is starting on, and nothing listens on: locked, then
// checked.
func freePort(t testing.TB) int {
	if r := os.Getenv(EnvPorts); r != "" {
		lo, hi, _ := strings.Cut(r, "-")
		from, err1 := strconv.Atoi(lo)
		to, err2 := strconv.Atoi(hi)
		if err1 != nil || err2 != nil || from > to {
			t.Fatalf("%s=%q: want a range of ports, e.g. 3440-3449", EnvPorts, r)
		}
		for p := from; p <= to; p++ {
			if ok, err := lockPort(p); err != nil {
				t.Fatal(err)
			} else if !ok {
				continue
			}
			if l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p)); err == nil {
				l.Close()
				return p
			}
			release(p)
		}
		t.Fatalf("no free port in %s=%s", EnvPorts, r)
	}
	for {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if ok, err := lockPort(p); err != nil {
			t.Fatal(err)
		} else if ok {
			return p
		}
	}
}

func lookPath(name, fallback string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback, nil
	}
	return "", fmt.Errorf("%s not found on PATH or at %s", name, fallback)
}
