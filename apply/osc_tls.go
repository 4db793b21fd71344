package apply

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/emcee-db/emcee/project"
)

// oscDemandsTLS makes sure the client library under the tool (Perl's
// DBD::mysql and whichever C library it was built on) refuses a server
// offering no TLS, given the option file lines emcee writes, before it is
// given the password. The lines that demand TLS are libmariadb's
// (ssl-verify-server-cert=1, ssl-fp); a library that reads an option
// differently, or not at all, would log in and copy the table in the
// clear where emcee's own connection refuses (a bare ssl-verify-server-cert
// did, on libmariadb 3.3). So a client of the same stack (the perl in
// $PATH the tool runs on, DBD::mysql, the lines, no password) connects to
// a listener of emcee's that offers no TLS: it must hang up instead of
// logging in.
func oscDemandsTLS(ctx context.Context, tlsLines string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on 127.0.0.1 to check that %s's client library demands TLS: %w", project.PtOSCProgram, err)
	}
	defer ln.Close()
	loggedIn := make(chan bool, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			loggedIn <- false
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
		if _, err := conn.Write(plainGreeting()); err != nil {
			loggedIn <- false
			return
		}
		// A client demanding TLS hangs up on this greeting; one that
		// does not answers it with its login.
		var b [1]byte
		_, err = io.ReadFull(conn, b[:])
		loggedIn <- err == nil
	}()
	defaults, err := memFile("emcee-osc-tls-check", "[client]\nuser=\"emcee-tls-check\"\n"+tlsLines)
	if err != nil {
		return err
	}
	defer defaults.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// As the tool connects (its DSNParser's get_cxn_params).
	cmd := exec.CommandContext(ctx, "perl", "-MDBI", "-e", `DBI->connect($ARGV[0], undef, undef, {PrintError => 0, RaiseError => 0})`,
		fmt.Sprintf("DBI:mysql:;mysql_read_default_file=/dev/fd/3;host=127.0.0.1;port=%d;mysql_read_default_group=client", port))
	cmd.ExtraFiles = []*os.File{defaults}
	cmd.Env = append(oscEnv(os.Environ()), "LC_ALL=C")
	out, runErr := cmd.CombinedOutput()
	ln.Close()
	// Closed, the listener ends an Accept still waiting (perl never
	// connected); a connection accepted ends with perl.
	if <-loggedIn {
		return fmt.Errorf("%s's client library (perl's DBD::mysql in $PATH) logged in to a server offering no TLS although its option file demands TLS (%s), where emcee's own connection refuses: emcee does not hand it the password and the table. Install a DBD::mysql built on MariaDB's client library (Debian: libdbd-mysql-perl), or run without --osc pt-osc (the server copies the table with ALGORITHM=COPY, its writes blocked meanwhile)", project.PtOSCProgram, strings.Join(strings.Fields(tlsLines), " "))
	}
	if ctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("checking that %s's client library demands TLS: perl did not finish (%v): %s", project.PtOSCProgram, runErr, strings.TrimSpace(string(out)))
	}
	return nil
}

// plainGreeting is a server's first packet offering no TLS: protocol 10,
// capabilities without CLIENT_SSL, mysql_native_password.
func plainGreeting() []byte {
	const caps = 0x1 | 0x4 | 0x8 | 0x200 | 0x2000 | 0x8000 | 0x80000 // long password and flag, with DB, 4.1 protocol, transactions, secure connection, plugin auth
	p := []byte{10}
	p = append(p, "5.5.5-10.11.0-emcee-tls-check\x00"...)
	p = binary.LittleEndian.AppendUint32(p, 1)
	p = append(p, "abcdefgh\x00"...)
	p = binary.LittleEndian.AppendUint16(p, caps&0xffff)
	p = append(p, 45)
	p = binary.LittleEndian.AppendUint16(p, 2)
	p = binary.LittleEndian.AppendUint16(p, caps>>16)
	p = append(p, 21)
	p = append(p, make([]byte, 10)...)
	p = append(p, "ijklmnopqrst\x00"...)
	p = append(p, "mysql_native_password\x00"...)
	hdr := []byte{byte(len(p)), byte(len(p) >> 8), byte(len(p) >> 16), 0}
	return append(hdr, p...)
}
