// Package dbconn turns what an operator gives emcee (an Atlas-style URL, an
// env block of atlas.hcl, or EMCEE_URL) into a database connection whose
// session behaves the same on every server, and keeps the password out of
// everything it prints.
package dbconn

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The environment variables that stand in for the connection flags when
// these are not given: EnvURL for --url, EnvEnv for --env, EnvDevURL for
// --dev-url.
const (
	EnvURL    = "EMCEE_URL"
	EnvEnv    = "EMCEE_ENV"
	EnvDevURL = "EMCEE_DEV_URL"
)

// SQLMode is pinned on every connection: the mode emcee's SQL reader
// reads in.
const SQLMode = sqlsyntax.SQLMode

// PinnedTimeZone is the time zone of emcee's own sessions: the version
// table's times are written and read as UTC (the driver's Loc), and the
// drift check compares TIMESTAMP defaults as information_schema shows
// them, converted to the session's zone, with what the dev database shows
// in the same zone. What computes the application's data runs in the
// application's zone instead (InTimeZone).
const PinnedTimeZone = "+00:00"

func init() {
	// The driver logs connection trouble to stderr on its own; emcee reports
	// every failure itself, once and redacted.
	_ = mysql.SetLogger(log.New(io.Discard, "", 0))
}

// maxLockWaitTimeout is the largest lock_wait_timeout MariaDB and MySQL
// take, in seconds.
const maxLockWaitTimeout = 31536000

// Config is a parsed connection URL.
type Config struct {
	User     string
	Password string
	Addr     string // host:port
	Database string
	TLS      string // go-sql-driver tls parameter, when the URL asks for one
	// LockWaitTimeout bounds how long a DDL statement waits for a metadata
	// lock. While it waits, every query on the table queues behind it, so an
	// online upgrade must give up quickly rather than stall the application.
	LockWaitTimeout time.Duration
	// From says where the URL came from, for messages (e.g. `env "prod"`).
	From string
	// Collations is pinned as the session's character_set_collations on
	// MariaDB 11.2 and later: what a charset named alone gives in emcee's
	// statements, the project's target's (schemadef.CharsetCollations);
	// "" leaves the server's.
	Collations string
	// Exclude are the exclude patterns of the env the URL came from
	// (project.Env): tables the drift checks leave out when no release
	// declares them.
	Exclude []string
	// discovered: a server emcee found rather than was given (Discovered),
	// reached over a guarded connection.
	discovered bool
}

// ErrNoDatabase is the error of Resolve when nothing names a database.
var ErrNoDatabase = errors.New("no database given")

type noDatabase struct{ msg string }

func (e *noDatabase) Error() string        { return e.msg }
func (e *noDatabase) Is(target error) bool { return target == ErrNoDatabase }

// Resolve picks the database, the first given of: --url, the url of the
// --env block, $EMCEE_URL, the url of the $EMCEE_ENV block. What is typed
// beats what is exported (a stray $EMCEE_URL never overrides --env), and
// a URL beats an env block.
func Resolve(flagURL, envName string, p *project.Project) (*Config, error) {
	raw, from, env, flag := given(flagURL, envName)
	var exclude []string
	var err error
	switch {
	case env != "":
		raw, from, exclude, err = envURL(env, flag, p)
	case raw == "":
		return nil, &noDatabase{fmt.Sprintf("no database given: pass --url mysql://user:pass@host:3306/db or --env NAME (an env block of atlas.hcl), or set $%s or $%s", EnvURL, EnvEnv)}
	}
	if err != nil {
		return nil, err
	}
	c, err := Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", from, err)
	}
	c.From, c.Exclude = from, exclude
	c.Collations = collations(p)
	return c, nil
}

// given is what names the database, the first given of: --url, --env,
// $EMCEE_URL, $EMCEE_ENV (Resolve): a URL and where it came from, or an
// env block's name and the flag that asked for it; all "" when none is.
func given(flagURL, envName string) (raw, from, env, flag string) {
	switch {
	case flagURL != "":
		return flagURL, "--url", "", ""
	case envName != "":
		return "", "", envName, "--env"
	case os.Getenv(EnvURL) != "":
		return os.Getenv(EnvURL), "$" + EnvURL, "", ""
	case os.Getenv(EnvEnv) != "":
		return "", "", os.Getenv(EnvEnv), "$" + EnvEnv
	}
	return "", "", "", ""
}

// collations is Config.Collations for databases of project p.
func collations(p *project.Project) string {
	if p == nil {
		return ""
	}
	return schemadef.CharsetCollations(p.Target)
}

// envURL is the url of an env block, named by flag (--env or $EMCEE_ENV),
// and its exclude patterns.
func envURL(name, flag string, p *project.Project) (raw, from string, exclude []string, err error) {
	if p == nil {
		return "", "", nil, fmt.Errorf("%s %s needs a project file (atlas.hcl)", flag, name)
	}
	e, err := p.Env(name)
	if err != nil {
		return "", "", nil, err
	}
	env := envLabel(name, flag)
	switch {
	case e.URL == "" && e.URLEnvVar != "":
		// emcee init writes url = getenv("EMCEE_URL"): the variable was
		// not set in this shell, and "add url" sent the user to a file
		// that has it.
		return "", "", nil, &noDatabase{fmt.Sprintf("%s: the url of %s is getenv(%q), and $%s is empty in this environment: export %s='mysql://user:pass@host:3306/db' (the database the env is for), or pass --url", e.URLAt, env, e.URLEnvVar, e.URLEnvVar, e.URLEnvVar)}
	case e.URL == "" && e.URLAt != "":
		return "", "", nil, &noDatabase{fmt.Sprintf("%s: the url of %s evaluates to an empty string: give the expression a value (a variable set with --var, an environment variable getenv reads), or pass --url", e.URLAt, env)}
	case e.URL == "":
		return "", "", nil, &noDatabase{fmt.Sprintf("%s: %s has no url: add url = \"mysql://user:pass@host:3306/db\" (getenv(\"DB_PASSWORD\") keeps the password out of the file)", p.Path, env)}
	}
	if err := e.CheckExclude(); err != nil {
		return "", "", nil, err
	}
	return e.URL, env + " of " + p.Path, e.Exclude, nil
}

// envLabel names an env block in messages, and where it was asked for
// when not by --env.
func envLabel(name, flag string) string {
	if flag != "--env" {
		return fmt.Sprintf("env %q (from %s)", name, flag)
	}
	return fmt.Sprintf("env %q", name)
}

// DevURL picks the dev database (an empty database for schema
// comparisons and replays), the first given of: --dev-url, the dev of the
// --env block, $EMCEE_DEV_URL, the dev of the $EMCEE_ENV block. It is ""
// when none is: the caller then creates a temporary database.
func DevURL(flagDev, envName string, p *project.Project) (string, error) {
	if flagDev != "" {
		return flagDev, nil
	}
	dev := func(name string) (string, error) {
		if p == nil || p.ForEach(name) {
			// A fleet's databases have a dev each; --url picked one
			// database, not one of those.
			return "", nil
		}
		e, err := p.Env(name)
		if err != nil {
			return "", err
		}
		return e.Dev, nil
	}
	if envName != "" {
		if d, err := dev(envName); err != nil || d != "" {
			return d, err
		}
	}
	if d := os.Getenv(EnvDevURL); d != "" {
		return d, nil
	}
	if name := os.Getenv(EnvEnv); name != "" {
		return dev(name)
	}
	return "", nil
}

// Parse reads mysql://user:pass@host:port/database (also maria:// and
// mariadb://). Errors never quote the URL, since it holds the password.
func Parse(raw string) (*Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("the database URL cannot be parsed: want mysql://user:pass@host:3306/db (percent-encode special characters in the password)")
	}
	switch u.Scheme {
	case "mysql", "maria", "mariadb":
	default:
		return nil, fmt.Errorf("database URL scheme %q is not supported: want mysql://user:pass@host:3306/db", u.Scheme)
	}
	c := &Config{Addr: u.Host, Database: strings.TrimPrefix(u.Path, "/"), LockWaitTimeout: 10 * time.Second}
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}
	if c.Addr == "" {
		return nil, errors.New("the database URL has no host: want mysql://user:pass@host:3306/db")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		c.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	if c.Database == "" || strings.Contains(c.Database, "/") {
		// Not quoted back: a password's unencoded / ? or # ends the host
		// part early, and what reads as the port is the password's start.
		return nil, errors.New("the database URL must name one database (schema), e.g. mysql://user:pass@host:3306/glance; percent-encode a / ? # or @ in the password (%2F %3F %23 %40)")
	}
	for _, part := range []struct{ what, s string }{{"user name", c.User}, {"host", c.Addr}, {"database name", c.Database}} {
		// emcee prints the URL (password masked) on every line of a
		// fleet's log and summary: a line break or an escape sequence in
		// it would forge lines or drive the terminal.
		if why := sqlname.Undisplayable(part.s); why != "" {
			return nil, fmt.Errorf("the database URL's %s holds %s, which emcee would print raw in its logs and summaries: fix the URL (a database so named cannot be upgraded by emcee: rename it)", part.what, why)
		}
	}
	if _, _, scratch := sqlname.ScratchDatabase(c.Database); scratch {
		// Any run that creates a temporary dev database on the server
		// drops the others of that shape it finds unused.
		return nil, fmt.Errorf("the database URL names %s, which is named like emcee's temporary dev databases (%s<created>_<session>): any emcee run on that server may drop it when it finds it unused; rename the database", c.Database, sqlname.ScratchPrefix)
	}
	q := u.Query()
	for _, k := range queryKeys(u.RawQuery) {
		v := q[k]
		if len(v) > 1 {
			// Only one would be used, and not visibly which.
			return nil, fmt.Errorf("database URL: %s is given %d times: give it once", k, len(v))
		}
		switch k {
		case "tls":
			// The driver knows these, and the names of TLS configurations
			// registered in the program, which emcee registers none of.
			// Spelled one way, so that what hands TLS on to other clients
			// (pt-online-schema-change, the commands a rollback prints)
			// reads tls=1 as the true it is, not as no TLS.
			switch v[0] {
			case "true", "TRUE", "True", "1":
				c.TLS = "true"
			case "false", "FALSE", "False", "0":
				c.TLS = "false"
			case "skip-verify", "preferred":
				c.TLS = v[0]
			default:
				return nil, fmt.Errorf("database URL: tls=%q: want tls=true (verified), tls=skip-verify (encrypted, not verified), tls=preferred (encrypted when the server offers it) or tls=false", v[0])
			}
		case "lock_wait_timeout":
			// The servers' own upper bound (a year) also keeps the
			// seconds from overflowing the Duration.
			n, err := strconv.Atoi(v[0])
			if err != nil || n < 1 || n > maxLockWaitTimeout {
				return nil, fmt.Errorf("database URL: lock_wait_timeout=%q: want a number of seconds from 1 to %d (a year, the server's maximum)", v[0], maxLockWaitTimeout)
			}
			c.LockWaitTimeout = time.Duration(n) * time.Second
		default:
			return nil, fmt.Errorf("database URL: unknown parameter %q (emcee accepts tls and lock_wait_timeout)", k)
		}
	}
	return c, nil
}

// queryKeys are the names of a URL's parameters in the order written, each
// once, so that of two wrong ones the first is reported, on every run (a
// range over the query's map named either).
func queryKeys(raw string) []string {
	var keys []string
	for part := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if k, err := url.QueryUnescape(k); err == nil && k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// String is the URL with the password masked: what emcee prints.
func (c *Config) String() string {
	user := c.User
	if c.Password != "" {
		user += ":****"
	}
	if user != "" {
		user += "@"
	}
	return fmt.Sprintf("mysql://%s%s/%s", user, c.Addr, c.Database)
}

// URL is the URL of c to give back to the user, in a command to run next:
// it parses back to c (the database's name escaped, the parameters kept),
// with the password as ****.
func (c *Config) URL() string {
	u := url.URL{Scheme: "mysql", Host: c.Addr, Path: "/" + c.Database}
	switch {
	case c.Password != "":
		u.User = url.UserPassword(c.User, "****")
	case c.User != "":
		u.User = url.User(c.User)
	}
	q := url.Values{}
	if c.TLS != "" {
		q.Set("tls", c.TLS)
	}
	if c.LockWaitTimeout != 10*time.Second && c.LockWaitTimeout > 0 {
		q.Set("lock_wait_timeout", strconv.Itoa(int(c.LockWaitTimeout/time.Second)))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// ClientAddr is the host and port to hand a program built on the C client
// library: pt-online-schema-change (through Perl's DBD::mysql) and the
// mariadb and mysql clients of the commands emcee prints. That library
// takes the host localhost for the server's default Unix socket and
// ignores the port, where emcee connects over TCP to the port given: with
// mysql://u@localhost:3307/app the tool altered the table of the same name
// on the machine's other server, the one listening on the socket. So
// localhost is given as the address it resolves to first, the one emcee's
// own connection tries first.
func (c *Config) ClientAddr() (host, port string) {
	host, port, err := net.SplitHostPort(c.Addr)
	if err != nil {
		return c.Addr, "3306"
	}
	if host == "localhost" {
		host = "127.0.0.1"
		if ips, err := net.DefaultResolver.LookupIPAddr(context.Background(), "localhost"); err == nil && len(ips) > 0 {
			host = ips[0].IP.String()
		}
	}
	return host, port
}

// ClientUser is the account to name to a program built on the C client
// library, as ClientAddr is its address. With no user in the URL
// (mysql://@host/db, mysql://host/db) emcee's driver logs in as the
// anonymous account, but the library takes an empty name for "the login
// name of whoever runs the program": an empty `mariadb -u` and the tool's
// user="" logged in as root on a machine where the operator was root.
// The library has no way to name the anonymous account, so no such
// program is given a URL without a user.
func (c *Config) ClientUser() (string, error) {
	if c.User == "" {
		return "", errors.New("the database URL names no user, which emcee's connection takes for the server's anonymous account and the server's command-line clients and pt-online-schema-change for the login name of whoever runs them (another account): name the account in the URL, e.g. mysql://deployer@host:3306/db")
	}
	return c.User, nil
}

// Redact removes the password from any text, e.g. a driver error that
// echoes its DSN.
func (c *Config) Redact(s string) string {
	if c == nil || c.Password == "" {
		return s
	}
	for _, p := range []string{c.Password, url.QueryEscape(c.Password), url.PathEscape(c.Password)} {
		s = strings.ReplaceAll(s, p, "****")
	}
	return s
}

// urlPassword is the password of a URL written in some text: a scheme,
// ://, the user, a colon, then everything up to the last @ before a quote
// or the end of the line (a password holding an unencoded @ or blank
// included; at worst more than the password is masked).
var urlPassword = regexp.MustCompile("([A-Za-z][A-Za-z0-9+.-]*://[^\\s:/@\"'`]*:)[^\\n\"'`]*@")

// RedactURLs masks the password of every URL in s, for text emcee did not
// write and whose URLs it cannot know: atlas.hcl's evaluation errors quote
// the value a function failed on (urlsetpath(var.url, ...) with a typo in
// the port shows the whole URL), and a --var given without its name.
func RedactURLs(s string) string {
	return urlPassword.ReplaceAllString(s, "${1}****@")
}

// RedactErr is err with the password removed from its text (nil for nil).
func (c *Config) RedactErr(err error) error {
	if err == nil {
		return nil
	}
	return errors.New(c.Redact(err.Error()))
}

// DSN is the go-sql-driver DSN with the session pinned: every connection
// the pool opens runs the same SET statements, so a reconnect cannot
// silently fall back to the server's defaults.
func (c *Config) DSN() string {
	return c.dsn(c.Database)
}

func (c *Config) dsn(db string) string {
	m := mysql.NewConfig()
	m.User, m.Passwd, m.Net, m.Addr, m.DBName = c.User, c.Password, "tcp", c.Addr, db
	m.ParseTime = true
	m.Loc = time.UTC
	m.Timeout = 5 * time.Second
	m.TLSConfig = c.TLS
	if c.discovered {
		registerBlindKey()
		m.Net, m.TLSConfig, m.ServerPubKey = guardedNet, "", blindKey
	}
	collations := ""
	if c.Collations != "" {
		// The server ignores what a version before 11.2.1 lacks.
		collations = " /*M!110201 , character_set_collations = " + sqlsyntax.String(c.Collations) + " */"
	}
	m.Params = map[string]string{
		"charset":                  "utf8mb4",
		"sql_mode":                 sqlsyntax.String(SQLMode),
		"time_zone":                sqlsyntax.String(PinnedTimeZone) + noStatementTimeLimit + utf8IsUTF8MB3 + collations,
		"lock_wait_timeout":        strconv.Itoa(int(c.LockWaitTimeout / time.Second)),
		"innodb_lock_wait_timeout": strconv.Itoa(int(c.LockWaitTimeout / time.Second)),
	}
	return m.FormatDSN()
}

// ServerCertificate is the certificate the server presents to a connection
// that encrypts without checking it (tls=skip-verify), got by logging in
// once as emcee's own connections do. A client that cannot demand TLS
// without checking something is pinned to it: pt-online-schema-change's
// client library otherwise falls back to the clear when the server (or
// whoever answers in its place) offers no TLS.
func (c *Config) ServerCertificate(ctx context.Context) (*x509.Certificate, error) {
	m, err := mysql.ParseDSN(c.DSN())
	if err != nil {
		return nil, c.RedactErr(err)
	}
	var leaf *x509.Certificate
	m.TLS = &tls.Config{InsecureSkipVerify: true, VerifyConnection: func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) > 0 {
			leaf = cs.PeerCertificates[0]
		}
		return nil
	}}
	connector, err := mysql.NewConnector(m)
	if err != nil {
		return nil, c.Explain(err)
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	conn, err := connector.Connect(ctx)
	if err != nil {
		return nil, c.Explain(err)
	}
	conn.Close()
	if leaf == nil {
		return nil, fmt.Errorf("the server at %s presented no certificate over TLS", c.Addr)
	}
	return leaf, nil
}

// noStatementTimeLimit lifts a statement time limit a DBA may have set for
// the server or the account (MariaDB's max_statement_time, MySQL's
// max_execution_time): it would abort a table rebuild, a gate's count or a
// backfill batch after it had done part of its work, over and over on every
// rerun. Each server runs only the executable comment meant for it: MariaDB
// runs /*M!...*/ and skips MySQL's /*!50708...*/, MySQL does the opposite.
// The driver sends every parameter as one SET, so the comments ride on a
// pinned value.
const noStatementTimeLimit = " /*M!100101 , max_statement_time = 0 */ /*!50708 , max_execution_time = 0 */"

// AppTimeZone is the time zone the application's writes run in, which the
// triggers expand creates compute in: declared (the emcee block's
// app_time_zone, for an application that sets its own time_zone), or else
// the server's @@global.time_zone, what a connection that sets none gets.
// A declared zone the server does not know is refused: a named zone needs
// the server's time zone tables.
func AppTimeZone(ctx context.Context, conn *sql.Conn, declared string) (string, error) {
	if declared == "" {
		var zone string
		if err := conn.QueryRowContext(ctx, "SELECT @@global.time_zone").Scan(&zone); err != nil {
			return "", fmt.Errorf("reading the server's time zone (@@global.time_zone): %w", err)
		}
		return zone, nil
	}
	var known sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT CONVERT_TZ('2000-01-01 00:00:00', '+00:00', ?)", declared).Scan(&known); err != nil {
		return "", fmt.Errorf("checking the time zone %q: %w", declared, err)
	}
	if !known.Valid {
		return "", fmt.Errorf("the server does not know the time zone %q: give an offset such as \"+05:00\", or load the server's time zone tables (mariadb-tzinfo-to-sql /usr/share/zoneinfo | mariadb mysql) for a named zone", declared)
	}
	return declared, nil
}

// InTimeZone runs fn with conn's session in zone (AppTimeZone), for the
// statements that compute the application's data (backfills, gates): an
// expression such as DATE() of a TIMESTAMP column or NOW() then gives the
// value the triggers give the application's writes. The session is back
// in PinnedTimeZone when fn returns, even when ctx is cancelled; a session
// that cannot be put back is an error, since what runs next would read the
// version table's times shifted.
func InTimeZone(ctx context.Context, conn *sql.Conn, zone string, fn func() error) error {
	if zone == PinnedTimeZone {
		return fn()
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION time_zone = ?", zone); err != nil {
		return fmt.Errorf("setting the session's time zone to the application's (%s): %w", zone, err)
	}
	err := fn()
	if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "SET SESSION time_zone = ?", PinnedTimeZone); rerr != nil {
		err = errors.Join(err, fmt.Errorf("setting the session's time zone back to %s: %w", PinnedTimeZone, rerr))
	}
	return err
}

// utf8IsUTF8MB3 makes utf8 mean utf8mb3 in emcee's sessions on MariaDB
// 10.6.1 and later, as the plans count it (sqlsyntax.CanonicalCharset),
// keeping the server's other old_mode flags. A server whose old_mode
// lacks UTF8_IS_UTF8MB3 reads utf8 as utf8mb4: the plans' statements
// created utf8mb4 columns counted as three bytes a character, and a
// widening planned INSTANT crossed the 255-byte length prefix there
// (error 1846 half-way through expand), unseen by the drift check, whose
// dev database read utf8 the same way. Before 10.6.1 utf8 is utf8mb3
// alone, and MySQL 8.0 has no old_mode (its utf8 is utf8mb3).
const utf8IsUTF8MB3 = " /*M!100601 , old_mode = CONCAT_WS(',', NULLIF(@@session.old_mode, ''), 'UTF8_IS_UTF8MB3') */"

// ToolPins are the pins of emcee's sessions that a program emcee hands
// the connection to (pt-online-schema-change) sets in its own sessions,
// each a name and its value as SQL: the sql_mode and time zone; no
// statement time limit (noStatementTimeLimit), which applies to the
// program's statements too and killed its wait for the table's lock
// after a second; and what a charset's name means, the session's
// old_mode (utf8IsUTF8MB3) and character_set_collations
// (Config.Collations). Only the variables the server has and sets:
// MariaDB lacks max_execution_time, MySQL old_mode and
// character_set_collations, and a program that sets a variable the
// server lacks warns of it on every connection.
func ToolPins(ctx context.Context, conn *sql.Conn) ([][2]string, error) {
	out := [][2]string{{"sql_mode", sqlsyntax.String(SQLMode)}, {"time_zone", sqlsyntax.String(PinnedTimeZone)}}
	err := EachRow(ctx, conn, "SHOW SESSION VARIABLES WHERE Variable_name IN ('max_statement_time', 'max_execution_time', 'old_mode', 'character_set_collations')", nil, func(rows *sql.Rows) error {
		var name, value string
		err := rows.Scan(&name, &value)
		switch name = strings.ToLower(name); {
		case strings.HasPrefix(name, "max_"):
			out = append(out, [2]string{name, "0"})
		case value != "":
			out = append(out, [2]string{name, sqlsyntax.String(value)})
		}
		return err
	})
	return out, err
}

// Open connects and checks the connection, turning the usual failures into
// one line that says what to do.
func Open(ctx context.Context, c *Config) (*sql.DB, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return open(ctx, c, c.DSN())
}

// OpenServer connects without selecting a database (to create or drop
// scratch schemas).
func OpenServer(ctx context.Context, c *Config) (*sql.DB, error) { return open(ctx, c, c.dsn("")) }

func open(ctx context.Context, c *Config, dsn string) (*sql.DB, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, c.Explain(err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, c.Explain(err)
	}
	return db, nil
}

// Explain rewrites a connection error as one redacted line naming the cause
// and the fix.
func (c *Config) Explain(err error) error {
	if err == nil {
		return nil
	}
	var ne net.Error
	var dns *net.DNSError
	if r := guardRefusal(c.Addr); c.discovered && r != nil {
		refusals.Delete(c.Addr)
		return fmt.Errorf("the server there %v. emcee does not hand the primary's password to a server it found rather than was given, since whoever registered that address may be listening: give the replica with --replica mysql://user:pass@%s/ (best a user that may only run SHOW SLAVE STATUS; add ?tls=true when it asks for the password in full)", r, c.Addr)
	}
	switch {
	case ServerError(err, 1045):
		return fmt.Errorf("access denied for user %q on %s: wrong password, or the user may not connect from this host; fix the credentials in %s", c.User, c.Addr, c.from())
	case ServerError(err, 1049):
		return fmt.Errorf("database %q does not exist on %s: create it (CREATE DATABASE %s) or fix the database name in %s", c.Database, c.Addr, sqlsyntax.Ident(c.Database), c.from())
	case errors.Is(err, mysql.ErrNoTLS):
		return fmt.Errorf("the server at %s does not offer TLS, which %s asks for (tls=%s): enable TLS on the server, or use tls=preferred", c.Addr, c.from(), c.TLS)
	case ServerError(err, 1044):
		return fmt.Errorf("user %q may not use database %q on %s: GRANT it the privileges emcee needs, or fix %s", c.User, c.Database, c.Addr, c.from())
	case errors.Is(err, mysql.ErrInvalidConn), errors.Is(err, driver.ErrBadConn), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("cannot reach the database server at %s (no answer, or the connection was dropped): check the host and port in %s, that the server is running, and that no firewall drops the traffic", c.Addr, c.from())
	case errors.As(err, &dns):
		return fmt.Errorf("cannot resolve host %q: fix the host in %s", dns.Name, c.from())
	case errors.As(err, &ne):
		cause := "no answer"
		if oe, ok := errors.AsType[*net.OpError](err); ok && oe.Err != nil {
			// The last part says it: "dial tcp ...: connect: connection refused".
			cause = oe.Err.Error()
			if i := strings.LastIndex(cause, ": "); i >= 0 {
				cause = cause[i+2:]
			}
		}
		if ne.Timeout() {
			cause = "timed out"
		}
		return fmt.Errorf("cannot reach the database server at %s (%s): check the host and port in %s and that the server is running", c.Addr, cause, c.from())
	}
	return errors.New(c.Redact(fmt.Sprintf("%s: %v", c, err)))
}

func (c *Config) from() string { return cmp.Or(c.From, "the database URL") }

// ParseServer reads the URL of a server emcee only watches (a replica):
// mysql://user:pass@host:port/, the database optional (db when omitted).
func ParseServer(raw, db string) (*Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("the server URL cannot be parsed: want mysql://user:pass@host:3306/ (percent-encode special characters in the password)")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/" + db
	}
	return Parse(u.String())
}
