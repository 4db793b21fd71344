package dbconn

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/project"
)

const secret = "p@ss:w/rd%"

func TestParse(t *testing.T) {
	c, err := Parse("mysql://deploy:p%40ss%3Aw%2Frd%25@db1.example.com/glance?tls=true&lock_wait_timeout=30")
	if err != nil {
		t.Fatal(err)
	}
	if c.User != "deploy" || c.Password != secret || c.Addr != "db1.example.com:3306" || c.Database != "glance" || c.TLS != "true" || c.LockWaitTimeout != 30*time.Second {
		t.Fatalf("%+v", c)
	}
	if got := c.String(); got != "mysql://deploy:****@db1.example.com:3306/glance" {
		t.Errorf("String() = %q", got)
	}
	dsn, err := mysql.ParseDSN(c.DSN())
	if err != nil {
		t.Fatal(err)
	}
	if dsn.Passwd != secret || dsn.Params["sql_mode"] != "'"+SQLMode+"'" || dsn.Params["lock_wait_timeout"] != "30" || dsn.Params["time_zone"] != "'+00:00'"+noStatementTimeLimit+utf8IsUTF8MB3 {
		t.Errorf("session not pinned in the DSN: %+v", dsn.Params)
	}
}

func TestParseErrorsHideThePassword(t *testing.T) {
	for _, raw := range []string{
		"mysql://root:" + secret + "@db1",                   // no database
		"postgres://root:" + secret + "@db1/x",              // wrong scheme
		"mysql://root:" + secret + "@db1/x?sslmode=require", // unknown parameter
		"mysql://root:" + secret + "@/x",                    // no host
		"mysql://root:" + secret + "@db1/x?lock_wait_timeout=soon",
		"mysql://root:" + secret + "@db1/a/b",
		"mysql://root:" + secret + "@db1/emcee_scratch_1700000000_42", // dropped by any run that finds it unused
	} {
		_, err := Parse(raw)
		if err == nil {
			t.Errorf("%s: accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "w/rd") || strings.Contains(err.Error(), "p@ss") {
			t.Errorf("%s: error shows the password: %v", raw, err)
		}
	}
}

// Of two wrong parameters the first written is the one reported, every
// time: the query's map named either, run by run.
func TestParseReportsTheFirstWrongParameter(t *testing.T) {
	for range 50 {
		for raw, want := range map[string]string{
			"mysql://root@db1/x?foo=1&bar=2":                       `unknown parameter "foo"`,
			"mysql://root@db1/x?tls=true&zeta=1&alpha=2":           `unknown parameter "zeta"`,
			"mysql://root@db1/x?tls=bogus&lock_wait_timeout=x":     `tls="bogus"`,
			"mysql://root@db1/x?lock_wait_timeout=x&tls=bogus":     `lock_wait_timeout="x"`,
			"mysql://root@db1/x?b=1&tls=true&tls=false&a=2":        `unknown parameter "b"`,
			"mysql://root@db1/x?tls=true&tls=false&b=1":            "tls is given 2 times",
			"mysql://root@db1/x?lock%5Fwait%5Ftimeout=0&tls=bogus": `lock_wait_timeout="0"`,
		} {
			_, err := Parse(raw)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("%s: %v, want %s", raw, err, want)
			}
		}
	}
}

// lock_wait_timeout=9223372037 overflowed the Duration to a negative one,
// which the DSN sent as a negative timeout. The URL takes what the server
// takes: 1 second to a year.
func TestLockWaitTimeoutBounds(t *testing.T) {
	for v, want := range map[string]time.Duration{"1": time.Second, "31536000": 31536000 * time.Second, "0": 0, "31536001": 0, "9223372037": 0, "99999999999999999999": 0} {
		c, err := Parse("mysql://root@db1/x?lock_wait_timeout=" + v)
		switch {
		case want == 0 && err == nil:
			t.Errorf("lock_wait_timeout=%s: accepted as %s", v, c.LockWaitTimeout)
		case want == 0 && !strings.Contains(err.Error(), "from 1 to 31536000"):
			t.Errorf("lock_wait_timeout=%s: %v, want the range", v, err)
		case want != 0 && (err != nil || c.LockWaitTimeout != want || !strings.Contains(c.DSN(), "lock_wait_timeout="+v)):
			t.Errorf("lock_wait_timeout=%s: %v, %v", v, c, err)
		}
	}
}

// A password holding /, ? or # that is not percent-encoded ends the
// URL's host part early: what comes before it reads as host:port, and
// port digits are the password's first characters. The error must not
// quote the host part back.
func TestParseErrorsHideAnUnencodedPassword(t *testing.T) {
	for _, raw := range []string{
		"mysql://app:2024/Spring@db1/t1",
		"mysql://app:2024#Spring@db1/t1",
		"mysql://app:2024?Spring@db1/t1",
		"mysql://app:2024?lock_wait_timeout=5@db1/t1",
	} {
		_, err := Parse(raw)
		if err == nil {
			t.Errorf("%s: accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "2024") || strings.Contains(err.Error(), "Spring") {
			t.Errorf("%s: error shows part of the password: %v", raw, err)
		}
		if !strings.Contains(err.Error(), "percent-encode") {
			t.Errorf("%s: error does not say to percent-encode the password: %v", raw, err)
		}
	}
}

func TestRedact(t *testing.T) {
	c := &Config{User: "u", Password: secret, Addr: "h:3306", Database: "d"}
	msg := "Error: cannot use u:" + secret + "@tcp(h:3306)/d or mysql://u:p%40ss%3Aw%2Frd%25@h:3306/d"
	if got := c.Redact(msg); strings.Contains(got, "w/rd") || strings.Contains(got, "w%2Frd") {
		t.Errorf("Redact left the password: %s", got)
	}
	err := c.Explain(errors.New("driver said " + c.DSN()))
	if strings.Contains(err.Error(), "w/rd") {
		t.Errorf("Explain shows the password: %v", err)
	}
	if e := c.Explain(&mysql.MySQLError{Number: 1045, Message: "Access denied"}); !strings.Contains(e.Error(), `access denied for user "u" on h:3306`) {
		t.Errorf("1045: %v", e)
	}
	if e := c.Explain(&mysql.MySQLError{Number: 1049}); !strings.Contains(e.Error(), "CREATE DATABASE `d`") {
		t.Errorf("1049: %v", e)
	}
}

func TestResolveOrder(t *testing.T) {
	p := &project.Project{Path: "atlas.hcl", Envs: []*project.Env{
		{Name: "prod", URL: "mysql://env@h/envdb", Dev: "mysql://env@h/envdev"},
		{Name: "staging", URL: "mysql://st@h/stdb", Dev: "mysql://st@h/stdev"},
		{Name: "nourl"}}}
	t.Setenv(EnvURL, "mysql://var@h/vardb")
	t.Setenv(EnvEnv, "staging")
	t.Setenv(EnvDevURL, "mysql://var@h/vardev")
	// What is typed beats what is exported; a URL beats an env block.
	for _, c := range []struct {
		url, env, want, from string
	}{
		{"mysql://flag@h/flagdb", "prod", "flagdb", "--url"},
		{"", "prod", "envdb", `env "prod" of atlas.hcl`},
		{"", "", "vardb", "$EMCEE_URL"},
	} {
		cfg, err := Resolve(c.url, c.env, p)
		if err != nil || cfg.Database != c.want || cfg.From != c.from {
			t.Errorf("Resolve(%q, %q) = %+v, %v; want %s from %s", c.url, c.env, cfg, err, c.want, c.from)
		}
	}
	for _, c := range []struct{ dev, env, want string }{
		{"mysql://flag@h/flagdev", "prod", "mysql://flag@h/flagdev"},
		{"", "prod", "mysql://env@h/envdev"},
		{"", "", "mysql://var@h/vardev"},
		{"", "nourl", "mysql://var@h/vardev"}, // an env without dev leaves it to the next
	} {
		if got, err := DevURL(c.dev, c.env, p); err != nil || got != c.want {
			t.Errorf("DevURL(%q, %q) = %q, %v; want %s", c.dev, c.env, got, err, c.want)
		}
	}
	if _, err := Resolve("", "nourl", p); err == nil || !strings.Contains(err.Error(), `env "nourl" has no url`) || !errors.Is(err, ErrNoDatabase) {
		t.Errorf("env without url: %v", err)
	}
	if _, err := Resolve("", "nosuch", p); err == nil || errors.Is(err, ErrNoDatabase) {
		t.Errorf("unknown env: %v", err)
	}
	// $EMCEE_ENV is the last resort, for the url and the dev.
	t.Setenv(EnvURL, "")
	t.Setenv(EnvDevURL, "")
	cfg, err := Resolve("", "", p)
	if err != nil || cfg.Database != "stdb" || cfg.From != `env "staging" (from $EMCEE_ENV) of atlas.hcl` {
		t.Errorf("$EMCEE_ENV: %+v, %v", cfg, err)
	}
	if got, err := DevURL("", "", p); err != nil || got != "mysql://st@h/stdev" {
		t.Errorf("dev of $EMCEE_ENV: %q, %v", got, err)
	}
	t.Setenv(EnvEnv, "nourl")
	if _, err := Resolve("", "", p); err == nil || !strings.Contains(err.Error(), `env "nourl" (from $EMCEE_ENV) has no url`) {
		t.Errorf("$EMCEE_ENV without url: %v", err)
	}
	t.Setenv(EnvEnv, "")
	if _, err := Resolve("", "", p); !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "no database given") {
		t.Errorf("nothing given: %v", err)
	}
	if got, err := DevURL("", "", p); err != nil || got != "" {
		t.Errorf("no dev given: %q, %v", got, err)
	}
}

// URL is a URL to give back to the user (a command to run next): it names
// the same database with the same parameters, whatever characters the
// database's name holds, and never the password.
func TestURLParsesBack(t *testing.T) {
	for _, raw := range []string{
		"mysql://root@127.0.0.1:3306/glance",
		"mysql://app:s3cr%40t@db.internal:3307/glance?tls=true&lock_wait_timeout=3",
		"mysql://root@127.0.0.1:3306/shop%232",
		"mysql://root@127.0.0.1:3306/a%3Fb",
		"mysql://root@127.0.0.1:3306/o%27brien%3Btouch%20x",
		"mysql://root@127.0.0.1:3306/p%25q",
	} {
		c, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		u := c.URL()
		if strings.Contains(u, "s3cr") {
			t.Errorf("%s: URL %s holds the password", raw, u)
		}
		back, err := Parse(u)
		if err != nil {
			t.Fatalf("%s: URL %s does not parse: %v", raw, u, err)
		}
		if back.Database != c.Database || back.Addr != c.Addr || back.User != c.User || back.TLS != c.TLS || back.LockWaitTimeout != c.LockWaitTimeout {
			t.Errorf("%s: URL %s reads back as %+v, want %+v", raw, u, back, c)
		}
	}
}

// A replica's URL may leave out the database; the primary's is used.
func TestParseServer(t *testing.T) {
	for raw, want := range map[string]string{
		"mysql://mon:s3cret@replica1:3307/": "mysql://mon:****@replica1:3307/glance",
		"mysql://mon@replica1":              "mysql://mon@replica1:3306/glance",
		"mysql://mon@replica1:3307/other":   "mysql://mon@replica1:3307/other",
	} {
		c, err := ParseServer(raw, "glance")
		if err != nil || c.String() != want {
			t.Errorf("%s: %v (%v), want %s", raw, c, err, want)
		}
	}
	for _, raw := range []string{"http://replica1/", "mysql:///", "mysql://x@h:1/a/b", "::"} {
		if _, err := ParseServer(raw, "glance"); err == nil {
			t.Errorf("%s: accepted", raw)
		} else if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: error shows the password", raw)
		}
	}
}

// tls=bogus reached the driver, whose "invalid value / unknown config
// name: bogus" said nothing of what to write; tls given twice used the
// first without a word; a server without TLS answered tls=true with the
// driver's bare sentence.
func TestParseTLS(t *testing.T) {
	for raw, want := range map[string]string{
		"mysql://root@db1/x?tls=bogus":                 "tls=\"bogus\": want tls=true (verified), tls=skip-verify",
		"mysql://root@db1/x?tls=skip-verify&tls=false": "tls is given 2 times: give it once",
		"mysql://root@db1/x?tls=":                      "tls=\"\": want tls=true",
	} {
		if _, err := Parse(raw); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", raw, err, want)
		}
	}
	for v, want := range map[string]string{"true": "true", "TRUE": "true", "1": "true", "false": "false", "0": "false", "skip-verify": "skip-verify", "preferred": "preferred"} {
		if c, err := Parse("mysql://root@db1/x?tls=" + v); err != nil || c.TLS != want {
			t.Errorf("tls=%s: got %+v, %v; want TLS %q", v, c, err, want)
		}
	}
	c := &Config{Addr: "db1:3306", TLS: "true", From: "--url"}
	if got := c.Explain(mysql.ErrNoTLS).Error(); got != "the server at db1:3306 does not offer TLS, which --url asks for (tls=true): enable TLS on the server, or use tls=preferred" {
		t.Errorf("Explain(ErrNoTLS) = %s", got)
	}
}

// The C client library reads the host localhost as its default Unix
// socket, whatever the port: programs built on it get an address.
func TestClientAddr(t *testing.T) {
	for _, c := range []struct{ url, host, port string }{
		{"mysql://u@localhost:3307/app", "127.0.0.1", "3307"},
		{"mysql://u@localhost/app", "127.0.0.1", "3306"},
		{"mysql://u@db1.example:3310/app", "db1.example", "3310"},
		{"mysql://u@[::1]:3307/app", "::1", "3307"},
	} {
		cfg, err := Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		host, port := cfg.ClientAddr()
		if c.host == "127.0.0.1" && net.ParseIP(host).IsLoopback() {
			host = "127.0.0.1" // ::1 where localhost resolves to it first
		}
		if host != c.host || port != c.port {
			t.Errorf("%s: ClientAddr = %s %s, want %s %s", c.url, host, port, c.host, c.port)
		}
	}
}

// emcee init writes url = getenv("EMCEE_URL"): in a shell without the
// variable, the refusal said the env "has no url: add url = ...", sending
// the user to a file that has it. It names the variable to set, at the
// url's position; an expression that gives "" otherwise says so.
func TestResolveEmptyURL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "atlas.hcl")
	src := "variable \"url\" {\n  type    = string\n  default = \"\"\n}\nenv \"live\" {\n  url = getenv(\"EMCEE_URL\")\n}\nenv \"byvar\" {\n  url = var.url\n}\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvURL, "")
	for _, c := range []struct{ env, want string }{
		{"live", path + `:6:9: the url of env "live" is getenv("EMCEE_URL"), and $EMCEE_URL is empty in this environment: export EMCEE_URL='mysql://user:pass@host:3306/db' (the database the env is for), or pass --url`},
		{"byvar", path + `:9:9: the url of env "byvar" evaluates to an empty string`},
	} {
		if _, err := Resolve("", c.env, p); err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrNoDatabase) {
			t.Errorf("env %s: %v\nwant %s", c.env, err, c.want)
		}
	}
}
