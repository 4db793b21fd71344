package diff

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"

	"ariga.io/atlas/sql/mysql"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/schemadef"
)

// Offline returns an Atlas MySQL driver that plans for the given server
// flavor and version without connecting anywhere. Atlas's own offline
// planner assumes MySQL 8.0.31; emcee must write MariaDB syntax for MariaDB
// targets, so it answers Atlas's one start-up query itself.
func Offline(t project.Target) (*mysql.Driver, error) {
	db, err := sql.Open(offlineDriverName, t.Version())
	if err != nil {
		return nil, err
	}
	drv, err := mysql.Open(db)
	if err != nil {
		return nil, fmt.Errorf("offline planner for %s: %w", t, err)
	}
	return drv.(*mysql.Driver), nil
}

const offlineDriverName = "emcee-offline"

func init() { sql.Register(offlineDriverName, offlineDriver{}) }

// offlineDriver answers "SELECT @@version, @@collation_server,
// @@character_set_server, @@lower_case_table_names" with the target's
// version and server defaults, and refuses everything else, so an
// accidental query fails loudly instead of planning against nothing.
type offlineDriver struct{}

func (offlineDriver) Open(version string) (driver.Conn, error) { return offlineConn(version), nil }

type offlineConn string

func (c offlineConn) Prepare(string) (driver.Stmt, error) {
	return nil, fmt.Errorf("emcee: the offline planner cannot run statements")
}
func (offlineConn) Close() error              { return nil }
func (offlineConn) Begin() (driver.Tx, error) { return nil, fmt.Errorf("emcee: offline") }

func (c offlineConn) QueryContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Rows, error) {
	if query != "SELECT @@version, @@collation_server, @@character_set_server, @@lower_case_table_names" {
		return nil, fmt.Errorf("emcee: the offline planner cannot answer %q", query)
	}
	t, err := project.TargetOf(string(c))
	if err != nil {
		return nil, err
	}
	cs, coll := schemadef.ServerDefault(t)
	return &variableRows{values: []driver.Value{string(c), coll, cs, int64(0)}}, nil
}

type variableRows struct {
	values []driver.Value
	done   bool
}

func (*variableRows) Columns() []string {
	return []string{"@@version", "@@collation_server", "@@character_set_server", "@@lower_case_table_names"}
}
func (*variableRows) Close() error { return nil }
func (r *variableRows) Next(dest []driver.Value) error {
	if r.done {
		return io.EOF
	}
	r.done = true
	copy(dest, r.values)
	return nil
}
