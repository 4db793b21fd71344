// Package testdb gives each test its own empty database on a real MySQL or
// MariaDB server, so that tests can run side by side without touching each
// other's tables.
//
// The server comes from EMCEE_TEST_DSN (a go-sql-driver DSN such as
// "root@tcp(127.0.0.1:3306)/"). Without it, a MariaDB 10.11 container is
// started with testcontainers-go when Docker is reachable. In CI (CI set to
// anything) a missing server fails the test instead of skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/emcee-db/emcee/internal/dropdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// EnvDSN names the environment variable holding the server DSN.
const EnvDSN = "EMCEE_TEST_DSN"

// DB is one throwaway database.
type DB struct {
	*sql.DB
	Name string
	// DSN connects to this database (go-sql-driver format).
	DSN string
	// URL is the same connection in Atlas form: mysql://user:pass@host:port/name.
	URL string
}

// New creates an empty database for the test and drops it when the test ends.
func New(t testing.TB) *DB {
	t.Helper()
	return NewOn(t, serverDSN(t))
}

// NewOn is New on the server the DSN names: a second server a test started
// itself (internal/testserver), for replicas and fleets.
func NewOn(t testing.TB, base string) *DB {
	t.Helper()
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "emcee_t_" + randomSuffix()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+sqlsyntax.Ident(name)); err != nil {
		t.Fatalf("cannot create a test database on %s (is the server up? %s): %v", cfg.Addr, EnvDSN, err)
	}
	cfg.DBName = name
	cfg.MultiStatements = false
	cfg.ParseTime = true
	dsn := cfg.FormatDSN()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if os.Getenv("EMCEE_TEST_KEEP") != "" {
			t.Logf("kept database %s", name)
			return
		}
		cfg.DBName = ""
		if err := drop(cfg.FormatDSN(), name); err != nil {
			t.Logf("test database %s left on %s: %v", name, cfg.Addr, err)
		}
	})
	return &DB{DB: db, Name: name, DSN: dsn, URL: atlasURL(cfg)}
}

// drop drops a test database as devdb drops its scratch databases
// (internal/dropdb): a trigger file's backup MariaDB 10.11 left in its
// directory (<table>.TRG-) made DROP DATABASE fail with error 1010, and
// the database stayed behind.
func drop(server, name string) error {
	a, err := sql.Open("mysql", server)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := a.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return dropdb.Drop(ctx, c, name)
}

func atlasURL(cfg *mysql.Config) string {
	user := cfg.User
	if cfg.Passwd != "" {
		user += ":" + cfg.Passwd
	}
	return fmt.Sprintf("mysql://%s@%s/%s", user, cfg.Addr, cfg.DBName)
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var (
	containerOnce sync.Once
	containerDSN  string
	containerErr  error
)

func serverDSN(t testing.TB) string {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		return dsn
	}
	containerOnce.Do(func() { containerDSN, containerErr = startContainer() })
	if containerErr == nil {
		return containerDSN
	}
	Unavailable(t, fmt.Sprintf("no database: set %s (e.g. root@tcp(127.0.0.1:3306)/) or make Docker available for testcontainers (%v)", EnvDSN, containerErr))
	return ""
}

// Unavailable skips a test whose server cannot be had, or fails it in CI
// (CI set to anything), where a missing server is a broken setup.
func Unavailable(t testing.TB, msg string) {
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func startContainer() (dsn string, err error) {
	defer func() {
		// testcontainers panics when no Docker host can be found at all.
		if r := recover(); r != nil {
			err = fmt.Errorf("docker unavailable: %v", r)
		}
	}()
	ctx := context.Background()
	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        "mariadb:10.11",
			Env:          map[string]string{"MARIADB_ALLOW_EMPTY_ROOT_PASSWORD": "1"},
			ExposedPorts: []string{"3306/tcp"},
			WaitingFor:   wait.ForLog("ready for connections").WithOccurrence(2).WithStartupTimeout(3 * time.Minute),
		},
		Started: true,
	})
	if err != nil {
		return "", err
	}
	host, err := c.Host(ctx)
	if err != nil {
		return "", err
	}
	port, err := c.MappedPort(ctx, "3306")
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("root@tcp(%s:%s)/", host, strings.TrimSuffix(port.Port(), "/tcp")), nil
}
