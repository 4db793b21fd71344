package apply

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// oscDemandsTLS makes sure the client library under the tool (Perl's
// DBD::mysql and whichever C library it was built on) refuses a server
// offering no TLS, given the option file lines emcee writes, before it is
// given the password. The lines that demand TLS are libmariadb's
// (ssl-verify-server-cert=1, ssl-fp); a library that reads an option
// differently, or not at all, would log in and copy the table in the
// clear where emcee's own connection refuses (a bare ssl-verify-server-cert
// did, on libmariadb 3.3). So a client of the same stack (the perl the
// tool runs on, DBD::mysql, the lines, no password) connects to a
// listener of emcee's that offers no TLS: it must hang up instead of
// logging in.
func oscDemandsTLS(ctx context.Context, tool, tlsLines string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening on 127.0.0.1 to check that %s's client library demands TLS: %w", project.PtOSCProgram, err)
	}
	defer ln.Close()
	type answer struct{ connected, loggedIn bool }
	answered := make(chan answer, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			answered <- answer{}
			return
		}
		defer conn.Close()
		_ = conn.SetDeadline(time.Now().Add(time.Minute))
		if _, err := conn.Write(plainGreeting()); err != nil {
			answered <- answer{}
			return
		}
		// A client demanding TLS hangs up on this greeting; one that
		// does not answers it with its login.
		var b [1]byte
		_, err = io.ReadFull(conn, b[:])
		answered <- answer{connected: true, loggedIn: err == nil}
	}()
	defaults, err := memFile("emcee-osc-tls-check", "[client]\nuser=\"emcee-tls-check\"\n"+tlsLines)
	if err != nil {
		return err
	}
	defer defaults.Close()
	perl := toolPerl(tool)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	// As the tool connects (its DSNParser's get_cxn_params).
	cmd := exec.CommandContext(ctx, perl, "-MDBI", "-e", `DBI->connect($ARGV[0], undef, undef, {PrintError => 0, RaiseError => 0})`,
		fmt.Sprintf("DBI:mysql:;mysql_read_default_file=/dev/fd/3;host=127.0.0.1;port=%d;mysql_read_default_group=client", ln.Addr().(*net.TCPAddr).Port))
	cmd.ExtraFiles = []*os.File{defaults}
	cmd.Env = append(oscEnv(os.Environ()), "LC_ALL=C")
	// Perl's output is read until it ends, which a process perl leaves
	// behind holding it (a wrapper's backgrounded child) put off for as
	// long as that process lived, past the minute above: what perl said
	// is what it wrote before it ended.
	cmd.WaitDelay = time.Second
	out, runErr := cmd.CombinedOutput()
	// Closed, the listener ends an Accept still waiting (perl never
	// connected); a connection accepted ends with perl.
	ln.Close()
	switch a := <-answered; {
	case a.loggedIn:
		return fmt.Errorf("%s's client library (DBD::mysql of %s) logged in to a server offering no TLS although its option file demands TLS (%s), where emcee's own connection refuses: emcee does not hand it the password and the table. Install a DBD::mysql built on MariaDB's client library (Debian: libdbd-mysql-perl), or run without --osc pt-osc (the server copies the table with ALGORITHM=COPY, its writes blocked meanwhile)", project.PtOSCProgram, perl, strings.Join(strings.Fields(tlsLines), " "))
	case !a.connected:
		// Nothing shown: the check cannot vouch for the tool.
		return fmt.Errorf("checking that %s's client library demands TLS: %s -MDBI never connected to emcee's listener (%v: %s): install Perl's DBD::mysql (Debian: libdbd-mysql-perl), or run without --osc pt-osc", project.PtOSCProgram, perl, runErr, sqlsyntax.OneLine(strings.TrimSpace(string(out)), 300))
	}
	return nil
}

// toolPerl is the perl the tool's first line names (Debian's:
// #!/usr/bin/perl; #!/usr/bin/env perl is the one in $PATH).
func toolPerl(tool string) string {
	f, err := os.Open(tool)
	if err != nil {
		return "perl"
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	words := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(words) > 1 && filepath.Base(words[0]) == "env" {
		words = words[1:]
	}
	if !strings.HasPrefix(line, "#!") || len(words) == 0 || !strings.HasPrefix(filepath.Base(words[0]), "perl") {
		return "perl" // a wrapper of the tool's: the perl in $PATH
	}
	return words[0]
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
