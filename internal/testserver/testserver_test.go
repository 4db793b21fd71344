package testserver

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A replica started beside a primary receives what the primary writes, and a
// database made with NewDB lives on the private server, not the shared one.
func TestReplicaFollowsPrimary(t *testing.T) {
	primary := Start(t, Options{ServerID: 1, LogBin: true})
	replica := Start(t, Options{ServerID: 2})
	replica.ReplicateFrom(t, primary)

	// A starting server deletes the #sql files in its tmpdir: a shared one
	// would take the running queries' temporary tables from the other servers.
	for _, s := range []*Server{primary, replica} {
		var tmp string
		if err := s.Open(t).QueryRow("SELECT @@tmpdir").Scan(&tmp); err != nil || !strings.HasPrefix(tmp, s.Dir) {
			t.Fatalf("server on port %d uses tmpdir %q, not one in %s (%v)", s.Port, tmp, s.Dir, err)
		}
	}

	db := primary.NewDB(t)
	if _, err := db.Exec("CREATE TABLE t (id int primary key)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO t VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	r := replica.Open(t)
	var n int
	deadline := time.Now().Add(time.Minute)
	for {
		err := r.QueryRow("SELECT COUNT(*) FROM `" + db.Name + "`.t").Scan(&n)
		if err == nil && n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replica has %d rows of 3 (%v)", n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}

	primary.Stop()
	if err := primary.Open(t).Ping(); err == nil {
		t.Fatal("a stopped server still answers")
	}
}

// envHold makes the test binary a holder of a port's lock (TestHoldPort),
// standing for a second test package starting a server.
const envHold = "EMCEE_TESTSERVER_HOLD"

// TestHoldPort is the other process of TestPortsAreNotSharedAcrossProcesses:
// it takes the port's lock as Start does, says so, and keeps it until its
// standard input closes.
func TestHoldPort(t *testing.T) {
	port, err := strconv.Atoi(os.Getenv(envHold))
	if err != nil {
		t.Skip("run by TestPortsAreNotSharedAcrossProcesses")
	}
	if ok, err := lockPort(port); !ok {
		t.Fatalf("port %d is locked already (%v)", port, err)
	}
	defer release(port)
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// Two test packages (two processes) starting servers at once both took
// the first port of EMCEE_TEST_PORTS: neither server listened yet, and
// the ports one process had given out were known to it alone. A port is
// now locked (a file lock the kernel drops with its process) before it is
// checked: while another process holds the first, this one gets the
// second, and the first once it is given back, with no file left behind.
func TestPortsAreNotSharedAcrossProcesses(t *testing.T) {
	// Two ports: the last two of EnvPorts, or two free ones in a row.
	lo, hi, ok := strings.Cut(os.Getenv(EnvPorts), "-")
	from, err1 := strconv.Atoi(lo)
	to, err2 := strconv.Atoi(hi)
	if ok && err1 == nil && err2 == nil && to-from >= 1 {
		from = to - 1
	} else {
		from = twoFreePorts(t)
	}
	t.Setenv(EnvPorts, fmt.Sprintf("%d-%d", from, from+1))

	other := exec.Command(os.Args[0], "-test.run=^TestHoldPort$")
	other.Env = append(os.Environ(), fmt.Sprintf("%s=%d", envHold, from))
	in, err := other.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := other.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
		in.Close()
		_ = other.Wait()
		t.Fatalf("the other process did not take port %d: %q %v", from, line, err)
	}
	got := freePort(t)
	if got != from+1 {
		t.Errorf("with port %d held by another process, got port %d, want %d", from, got, from+1)
	}
	release(got)

	in.Close()
	if err := other.Wait(); err != nil {
		t.Fatalf("the other process: %v", err)
	}
	if got := freePort(t); got != from {
		t.Errorf("port %d given back, got port %d", from, got)
	} else {
		release(got)
	}
	for _, p := range []int{from, from + 1} {
		if _, err := os.Stat(portlock(p)); !os.IsNotExist(err) {
			t.Errorf("lock file of port %d left behind: %v", p, err)
		}
	}
}

// twoFreePorts is a port nothing listens on whose next port is free too.
func twoFreePorts(t *testing.T) int {
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		next, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+1))
		l.Close()
		if err == nil {
			next.Close()
			return p
		}
	}
	t.Fatal("no two free ports in a row")
	return 0
}

// fatalTB stops at the first Fatalf, recording it, as a test's would.
type fatalTB struct {
	testing.TB
	msg string
}

type fatalStop struct{}

func (f *fatalTB) Helper() {}
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatalStop{})
}
func (f *fatalTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// A temporary directory where no lock file can be made: without
// EMCEE_TEST_PORTS freePort looped for ever (every port it was given
// failed to lock), and with it said "no free port", as if every port
// were taken. Both now say which directory and what to do.
func TestUnwritableTempDirIsSaid(t *testing.T) {
	t.Setenv("TMPDIR", "/nonexistent-emcee-tmp/x")
	for _, ports := range []string{"", os.Getenv(EnvPorts)} {
		if ports == "" && os.Getenv(EnvPorts) != "" {
			t.Setenv(EnvPorts, "")
		} else if ports != "" {
			t.Setenv(EnvPorts, ports)
		}
		tb := &fatalTB{TB: t}
		func() {
			defer func() {
				if r := recover(); r != nil {
					if _, ok := r.(fatalStop); !ok {
						panic(r)
					}
				}
			}()
			p := freePort(tb)
			release(p)
		}()
		if !strings.Contains(tb.msg, "/nonexistent-emcee-tmp/x") || !strings.Contains(tb.msg, "set TMPDIR to a directory you can write") {
			t.Errorf("%s=%q: %q", EnvPorts, ports, tb.msg)
		}
	}
}
