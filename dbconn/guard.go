package dbconn

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A server emcee found rather than was given (a replica a primary lists in
// SHOW SLAVE HOSTS, where anyone with a replication account registers any
// address, or a binlog dump connection's source) may be anyone's: it is
// reached with the primary's user and password, so it must not be able to
// learn the password. The driver hands it over whenever the server asks:
// caching_sha2_password's full authentication sends it in clear text over
// TLS (verified or not: the server chose the address) and, over plain TCP,
// encrypted with an RSA key the server itself sends (so the server
// decrypts it); sha256_password does the same. So a connection to such a
// server:
//   - never uses TLS (within TLS nothing below can be checked), and is
//     refused outright when the primary's URL asks for TLS, rather than
//     sent in the clear;
//   - watches the server's packets until authentication ends, and drops
//     the connection, before the driver reads the packet, when the server
//     asks for the password itself (full authentication, a public key, an
//     auth switch to sha256_password, mysql_clear_password or anything but
//     the scramble-based plugins mysql_native_password,
//     caching_sha2_password's fast path and client_ed25519);
//   - carries, should the driver still get there, a registered server key
//     whose private half was never kept, so what it encrypts nobody reads.
// What remains is a scramble of the password with a nonce the server
// chose, as any server the password is sent to gets: guessing it offline
// is what a strong password, or a monitoring-only user given with
// --replica, protects against.

const (
	// guardedNet is the driver network name of such connections.
	guardedNet = "emcee-discovered"
	// blindKey names the registered server key nobody can decrypt for.
	blindKey = "emcee-discovered-blind"
)

var blindOnce sync.Once

// registerBlindKey registers a fresh RSA public key and forgets its
// private half.
func registerBlindKey() {
	blindOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(fmt.Sprintf("dbconn: generating a throwaway RSA key: %v", err))
		}
		mysql.RegisterServerPubKey(blindKey, &k.PublicKey)
	})
}

func init() {
	mysql.RegisterDialContext(guardedNet, func(ctx context.Context, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		refusals.Delete(addr)
		return &guardedConn{Conn: c, addr: addr}, nil
	})
}

// refusals keeps, by address, why the guard last dropped a connection:
// the driver reports only a broken connection.
var refusals sync.Map

// ErrAsksForPassword is the guard's refusal of a discovered server that
// asked for what would reveal the password.
var ErrAsksForPassword = errors.New("asks for the password itself")

// guardRefusal is why the guard dropped the last connection to addr, nil
// if it did not.
func guardRefusal(addr string) error {
	if v, ok := refusals.Load(addr); ok {
		return v.(error)
	}
	return nil
}

// scramblePlugins are the authentication plugins whose answer is a
// scramble of the password with the server's nonce, not the password.
var scramblePlugins = map[string]bool{"": true, "mysql_native_password": true, "caching_sha2_password": true, "client_ed25519": true}

// guardedConn passes the server's packets to the driver only after
// checking each, until authentication has ended.
type guardedConn struct {
	net.Conn
	addr      string
	handshake bool   // the server's greeting has been read
	done      bool   // authentication has ended: pass everything through
	raw       []byte // read, not yet a whole packet
	ready     []byte // checked, not yet read by the driver
}

func (g *guardedConn) Read(p []byte) (int, error) {
	for len(g.ready) == 0 {
		if g.done {
			if len(g.raw) > 0 {
				g.ready, g.raw = g.raw, nil
				break
			}
			return g.Conn.Read(p)
		}
		if len(g.raw) >= 4 {
			n := int(g.raw[0]) | int(g.raw[1])<<8 | int(g.raw[2])<<16
			if n > 1<<16 {
				return 0, g.refuse(fmt.Errorf("sent a %d-byte packet while authenticating", n))
			}
			if len(g.raw) >= 4+n {
				if err := g.check(g.raw[4 : 4+n]); err != nil {
					return 0, g.refuse(err)
				}
				g.ready = append(g.ready, g.raw[:4+n]...)
				g.raw = g.raw[4+n:]
				continue
			}
		}
		buf := make([]byte, 4096)
		k, err := g.Conn.Read(buf)
		g.raw = append(g.raw, buf[:k]...)
		if k == 0 && err != nil {
			return 0, err
		}
	}
	n := copy(p, g.ready)
	g.ready = g.ready[n:]
	return n, nil
}

func (g *guardedConn) refuse(err error) error {
	err = fmt.Errorf("%w (it %v)", ErrAsksForPassword, err)
	refusals.Store(g.addr, err)
	g.Conn.Close()
	return err
}

// check reads one packet of the server's while authentication goes on.
func (g *guardedConn) check(pkt []byte) error {
	if len(pkt) == 0 {
		return errors.New("sent an empty packet while authenticating")
	}
	if !g.handshake {
		g.handshake = true
		if pkt[0] == 0xff {
			g.done = true
			return nil
		}
		if plugin := greetingPlugin(pkt); !scramblePlugins[plugin] {
			return fmt.Errorf("greets with authentication plugin %q, which sends the password", plugin)
		}
		return nil
	}
	switch pkt[0] {
	case 0x00, 0xff: // OK, error: authentication has ended
		g.done = true
		return nil
	case 0xfe: // auth switch request
		plugin := "mysql_old_password"
		if len(pkt) > 1 {
			end := bytes.IndexByte(pkt[1:], 0)
			if end < 0 {
				end = len(pkt) - 1
			}
			plugin = string(pkt[1 : 1+end])
		}
		if !scramblePlugins[plugin] || plugin == "" {
			return fmt.Errorf("switches authentication to %q, which sends the password", plugin)
		}
		return nil
	case 0x01: // more authentication data
		if len(pkt) == 2 && pkt[1] == 0x03 { // caching_sha2_password: fast path succeeded
			return nil
		}
		if len(pkt) == 2 && pkt[1] == 0x04 {
			return errors.New("asks for full authentication (caching_sha2_password without the password in its cache), which sends the password")
		}
		return errors.New("sends authentication data of its own (a public key to encrypt the password with)")
	}
	return fmt.Errorf("sent packet type 0x%02x while authenticating", pkt[0])
}

// greetingPlugin is the authentication plugin a server's greeting (protocol
// 10 handshake) names, "" when it names none.
func greetingPlugin(pkt []byte) string {
	// Read as the driver reads it, so that both see the same plugin.
	pos := 1 + bytes.IndexByte(pkt[1:], 0) + 1 + 4 + 8 + 1 + 2 // version, connection id, scramble 1, filler, flags
	if len(pkt) <= pos {
		return ""
	}
	pos += 1 + 2 + 2 + 1 + 10 + 13 // charset, status, flags, data length, reserved, scramble 2
	if len(pkt) <= pos {
		return ""
	}
	plugin := pkt[pos:]
	if i := bytes.IndexByte(plugin, 0); i >= 0 {
		plugin = plugin[:i]
	}
	return string(plugin)
}

// Discovered is the configuration for a server emcee found at addr rather
// than was given (how is said in messages): the primary's user and
// password, over a guarded connection. Refused when the primary's URL asks
// for TLS: a guarded connection cannot use it, and emcee does not send the
// primary's credentials in the clear where TLS was asked for.
func (c *Config) Discovered(addr, how string) (*Config, error) {
	if c.TLS != "" && c.TLS != "false" {
		return nil, fmt.Errorf("the primary is reached with tls=%s, and emcee reaches a replica it found (%s, %s) only without TLS, where it can see and refuse a request for the password itself: it does not send the primary's password there in the clear; give each replica with --replica mysql://user:pass@host:port/?tls=true", c.TLS, addr, how)
	}
	d := *c
	d.Addr, d.From, d.TLS, d.discovered = addr, "the replica found by "+how, "", true
	return &d, nil
}
