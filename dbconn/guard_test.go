package dbconn

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"encoding/binary"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// rogue is a server that registered its address as a replica's: it speaks
// just enough of the MySQL handshake to ask the client for the password in
// full, offers its own RSA key to encrypt it with, and decrypts whatever
// comes. sent is every byte the client sent after the TCP connect.
type rogue struct {
	addr      string
	key       *rsa.PrivateKey
	nonce     []byte
	recovered chan string // what it decrypted ("" if nothing)
	sent      chan []byte
}

// The two ways the go-sql-driver version in go.mod gives the password to
// a server that asks: caching_sha2_password's full authentication (on a
// server whose cache does not hold the password) and a switch to
// sha256_password; over plain TCP both encrypt it with a key the server
// sends.
const (
	fullAuth       = "caching_sha2_password full authentication"
	switchToSHA256 = "auth switch to sha256_password"
	// fullAuthTLS is full authentication over TLS the client does not
	// verify: the password goes in clear text inside it.
	fullAuthTLS = "caching_sha2_password full authentication over TLS"
)

func startRogue(t *testing.T, how string) *rogue {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	r := &rogue{addr: ln.Addr().String(), key: key, nonce: []byte("abcdefghijklmnopqrst"), recovered: make(chan string, 1), sent: make(chan []byte, 1)}
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		var sent bytes.Buffer
		recovered := ""
		defer func() { r.recovered <- recovered; r.sent <- sent.Bytes() }()
		seq := byte(0)
		write := func(payload []byte) {
			h := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), seq}
			_, _ = c.Write(append(h, payload...))
			seq++
		}
		read := func() []byte {
			h := make([]byte, 4)
			if _, err := io.ReadFull(c, h); err != nil {
				return nil
			}
			p := make([]byte, int(h[0])|int(h[1])<<8|int(h[2])<<16)
			if _, err := io.ReadFull(c, p); err != nil {
				return nil
			}
			sent.Write(h)
			sent.Write(p)
			seq = h[3] + 1
			return p
		}
		plugin := "caching_sha2_password"
		if how == switchToSHA256 {
			plugin = "mysql_native_password"
		}
		write(greeting(r.nonce, plugin, how == fullAuthTLS))
		p := read()
		if p == nil {
			return
		}
		if how == fullAuthTLS && len(p) == 32 { // SSLRequest: the rest goes inside TLS
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}})
			if tc.Handshake() != nil {
				return
			}
			c = tc
			if read() == nil {
				return
			}
		}
		if how != switchToSHA256 {
			write([]byte{0x01, 0x04}) // perform full authentication
		} else {
			write(append(append([]byte{0xfe}, "sha256_password\x00"...), append(r.nonce, 0)...))
		}
		p = read()
		if len(p) == 1 && (p[0] == 0x02 || p[0] == 0x01) { // the client asks for the server's key
			der, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
			write(append([]byte{0x01}, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})...))
			p = read()
		}
		if plain, err := rsa.DecryptOAEP(sha1.New(), nil, key, p, nil); err == nil {
			for i := range plain {
				plain[i] ^= r.nonce[i%len(r.nonce)]
			}
			recovered = strings.TrimRight(string(plain), "\x00")
		} else if how == fullAuthTLS {
			recovered = strings.TrimRight(string(p), "\x00")
		}
		write(append([]byte{0xff, 0x15, 0x04}, "#28000Access denied"...))
	}()
	return r
}

// greeting is a protocol 10 handshake naming plugin, offering TLS with
// withTLS.
func greeting(nonce []byte, plugin string, withTLS bool) []byte {
	var b bytes.Buffer
	b.WriteByte(10)
	b.WriteString("8.0.40-rogue\x00")
	b.Write([]byte{1, 0, 0, 0})
	b.Write(nonce[:8])
	b.WriteByte(0)
	flags := uint16(0xA20D) // long password, long flag, with db, protocol 41, transactions, secure connection
	if withTLS {
		flags |= 0x0800
	}
	_ = binary.Write(&b, binary.LittleEndian, flags)
	b.WriteByte(0x21)
	b.Write([]byte{2, 0})
	_ = binary.Write(&b, binary.LittleEndian, uint16(0x0008)) // plugin auth
	b.WriteByte(21)
	b.Write(make([]byte, 10))
	b.Write(nonce[8:20])
	b.WriteByte(0)
	b.WriteString(plugin + "\x00")
	return b.Bytes()
}

const rogueSecret = "pr1mary-s3cret"

func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Error(err)
		return tls.Certificate{}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rogue"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Error(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func openAt(t *testing.T, c *Config) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	db, err := OpenServer(ctx, c)
	if err == nil {
		db.Close()
	}
	return err
}

// The attack is real: a server emcee was given (a --replica URL the
// operator vouches for) asking for full authentication gets the password,
// which it decrypts with its own key. That is what a discovered replica
// must never get.
func TestRogueRecoversAGivenServersPassword(t *testing.T) {
	for _, how := range []string{fullAuth, switchToSHA256, fullAuthTLS} {
		t.Run(how, func(t *testing.T) {
			r := startRogue(t, how)
			c := &Config{User: "emcee", Password: rogueSecret, Addr: r.addr}
			if how == fullAuthTLS {
				c.TLS = "skip-verify"
			}
			_ = openAt(t, c)
			if got := <-r.recovered; got != rogueSecret {
				t.Fatalf("the rogue server did not recover the password (got %q): the test no longer shows the attack", got)
			}
		})
	}
}

// A server emcee found rather than was given gets neither the password
// nor anything it decrypts: the guarded connection drops it when it asks,
// before the driver answers, and says why.
func TestDiscoveredServerCannotRecoverThePassword(t *testing.T) {
	for _, how := range []string{fullAuth, switchToSHA256} {
		t.Run(how, func(t *testing.T) {
			r := startRogue(t, how)
			primary := &Config{User: "emcee", Password: rogueSecret, Addr: "db1:3306", Database: "glance"}
			c, err := primary.Discovered(r.addr, "SHOW SLAVE HOSTS")
			if err != nil {
				t.Fatal(err)
			}
			err = openAt(t, c)
			if err == nil || !strings.Contains(err.Error(), "asks for the password itself") || !strings.Contains(err.Error(), "--replica mysql://user:pass@"+r.addr+"/") {
				t.Fatalf("connecting to a rogue discovered replica: %v", err)
			}
			if strings.Contains(err.Error(), rogueSecret) {
				t.Fatalf("the error prints the password: %v", err)
			}
			if got := <-r.recovered; got != "" {
				t.Fatalf("the rogue recovered %q", got)
			}
			sent := <-r.sent
			if bytes.Contains(sent, []byte(rogueSecret)) {
				t.Fatalf("the client sent the password in clear text")
			}
			// Only the handshake response (user and scramble) went out.
			if n := countPackets(sent); n != 1 {
				t.Fatalf("the client sent %d packets to the rogue, want only its handshake response", n)
			}
		})
	}
}

// Should the server get past the guard, the key the driver encrypts with
// is one whose private half nobody kept, never the server's.
func TestBlindKeyHidesThePassword(t *testing.T) {
	r := startRogue(t, fullAuth)
	registerBlindKey()
	m := mysql.NewConfig()
	m.User, m.Passwd, m.Net, m.Addr, m.ServerPubKey = "emcee", rogueSecret, "tcp", r.addr, blindKey
	db, err := sql.Open("mysql", m.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_ = db.PingContext(ctx)
	if got := <-r.recovered; got != "" {
		t.Fatalf("the rogue recovered %q", got)
	}
	if sent := <-r.sent; bytes.Contains(sent, []byte(rogueSecret)) || countPackets(sent) != 2 {
		t.Fatalf("want the handshake response and the password encrypted with the blind key, no request for the server's key; sent %d packets", countPackets(sent))
	}
}

func countPackets(b []byte) int {
	n := 0
	for len(b) >= 4 {
		l := int(b[0]) | int(b[1])<<8 | int(b[2])<<16
		b = b[min(len(b), 4+l):]
		n++
	}
	return n
}

// TLS is never used to a discovered server (within it the guard sees
// nothing, and the driver sends the password in clear text over it): a
// primary reached over TLS has its replicas given, not discovered.
func TestDiscoveredRefusesWhereTLSWasAsked(t *testing.T) {
	for _, tls := range []string{"true", "skip-verify", "preferred"} {
		c := &Config{User: "emcee", Password: rogueSecret, Addr: "db1:3306", TLS: tls}
		if _, err := c.Discovered("10.0.0.9:3306", "SHOW SLAVE HOSTS"); err == nil || !strings.Contains(err.Error(), "give each replica with --replica") || strings.Contains(err.Error(), rogueSecret) {
			t.Errorf("tls=%s: %v", tls, err)
		}
	}
	d, err := (&Config{User: "emcee", Addr: "db1:3306"}).Discovered("10.0.0.9:3306", "SHOW SLAVE HOSTS")
	if err != nil || !strings.Contains(d.DSN(), "emcee-discovered(10.0.0.9:3306)") || !strings.Contains(d.DSN(), "serverPubKey="+blindKey) {
		t.Fatalf("discovered DSN: %v %s", err, d.DSN())
	}
}

// Which of a server's packets the guard passes while authenticating: the
// scramble-based plugins and their answers, and nothing that makes the
// driver send the password.
func TestGuardChecksAuthenticationPackets(t *testing.T) {
	nonce := []byte("abcdefghijklmnopqrst")
	switchTo := func(plugin string) []byte { return append(append([]byte{0xfe}, plugin+"\x00"...), append(nonce, 0)...) }
	for _, c := range []struct {
		name    string
		packets [][]byte
		ok      bool
	}{
		{"mariadb: native password, OK", [][]byte{greeting(nonce, "mysql_native_password", false), {0x00, 0, 0, 2, 0, 0, 0}}, true},
		{"mysql 8: caching_sha2 fast path", [][]byte{greeting(nonce, "caching_sha2_password", false), {0x01, 0x03}, {0x00, 0, 0, 2, 0, 0, 0}}, true},
		{"switch to ed25519", [][]byte{greeting(nonce, "mysql_native_password", false), switchTo("client_ed25519"), {0x00, 0, 0, 2, 0, 0, 0}}, true},
		{"access denied", [][]byte{greeting(nonce, "mysql_native_password", false), append([]byte{0xff, 0x15, 0x04}, "#28000Access denied"...)}, true},
		{"greets with sha256_password", [][]byte{greeting(nonce, "sha256_password", false)}, false},
		{"greets with mysql_clear_password", [][]byte{greeting(nonce, "mysql_clear_password", false)}, false},
		{"switch to mysql_clear_password", [][]byte{greeting(nonce, "mysql_native_password", false), switchTo("mysql_clear_password")}, false},
		{"switch to dialog (PAM)", [][]byte{greeting(nonce, "mysql_native_password", false), switchTo("dialog")}, false},
		{"switch to the old password", [][]byte{greeting(nonce, "mysql_native_password", false), {0xfe}}, false},
		{"full authentication", [][]byte{greeting(nonce, "caching_sha2_password", false), {0x01, 0x04}}, false},
		{"a public key of its own", [][]byte{greeting(nonce, "caching_sha2_password", false), append([]byte{0x01}, "-----BEGIN PUBLIC KEY-----\n"...)}, false},
	} {
		g := &guardedConn{}
		var err error
		for _, p := range c.packets {
			if err = g.check(p); err != nil {
				break
			}
		}
		if (err == nil) != c.ok {
			t.Errorf("%s: %v, want passed %v", c.name, err, c.ok)
		}
		if c.ok && !g.done {
			t.Errorf("%s: authentication not seen to end", c.name)
		}
	}
}
