package devdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlname"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// AcceptedTable holds the differences an operator accepted when adopting a
// database (`db baseline RELEASE --allow-drift`): objects the release does
// not declare, such as another application's table or a reporting index,
// which emcee leaves alone. It lives beside the version table, so a dump of
// the database carries it, and every later comparison lists these
// differences as accepted rather than as drift.
//
// Only unexpected objects can be accepted. The plans of later releases are
// written for the declared form of every object they touch: one missing,
// or in another form, would make them fail half-way or change it without
// anyone deciding to.
const AcceptedTable = sqlname.AcceptedTable

var createAccepted = "CREATE TABLE IF NOT EXISTS " + sqlsyntax.Ident(AcceptedTable) + " (\n" +
	"  `id` int NOT NULL AUTO_INCREMENT,\n" +
	"  `table_name` varchar(64) NOT NULL COMMENT 'the table or view the difference is listed under',\n" +
	"  `kind` varchar(32) NOT NULL,\n" +
	"  `name` varchar(255) NOT NULL,\n" +
	"  `state` varchar(16) NOT NULL,\n" +
	"  `live` text NOT NULL,\n" +
	"  `detail` text NOT NULL,\n" +
	"  `release_name` varchar(64) NOT NULL COMMENT 'the release the database was adopted at',\n" +
	"  `accepted_at` datetime(6) NOT NULL,\n" +
	"  `accepted_by` varchar(255) NOT NULL,\n" +
	"  `tool_version` varchar(64) NOT NULL,\n" +
	"  PRIMARY KEY (`id`)\n" +
	") ENGINE=InnoDB COMMENT='emcee: differences accepted when this database was adopted; do not edit'"

// Unacceptable lists the differences of r that cannot be accepted: all but
// unexpected objects.
func (r *Report) Unacceptable() []Object {
	// Take on a copy of the report: r keeps its differences.
	return (&Report{Tables: r.Tables}).Take(func(_ string, d Difference) bool { return d.State != Unexpected })
}

// Accept moves the differences that match accepted ones into r.Accepted. A
// difference matches when its table, kind, name, state and live form are
// those accepted: an accepted object changed since is drift again.
func (r *Report) Accept(accepted []Object) {
	match := func(table string, d Difference) bool {
		return slices.ContainsFunc(accepted, func(o Object) bool {
			return o.Table == table && slices.ContainsFunc(o.Differences, func(a Difference) bool {
				return a.Kind == d.Kind && a.Name == d.Name && a.State == d.State && a.Live == d.Live
			})
		})
	}
	r.Accepted = append(r.Accepted, r.Take(match)...)
}

// Take removes from r the differences that explained reports, and
// returns them.
func (r *Report) Take(explained func(table string, d Difference) bool) []Object {
	var drift, taken []Object
	for _, o := range r.Tables {
		var keep, took []Difference
		for _, d := range o.Differences {
			if explained(o.Table, d) {
				took = append(took, d)
			} else {
				keep = append(keep, d)
			}
		}
		if len(took) > 0 {
			taken = append(taken, Object{Table: o.Table, Differences: took})
		}
		if len(keep) > 0 {
			drift = append(drift, Object{Table: o.Table, Differences: keep})
		}
	}
	r.Tables = drift
	if r.Tables == nil {
		r.Tables = []Object{}
	}
	return taken
}

// LoadAccepted reads the accepted differences of the session's current
// database; none when it has no AcceptedTable.
func LoadAccepted(ctx context.Context, q dbconn.Querier) ([]Object, error) {
	var all []located
	err := dbconn.EachRow(ctx, q, "SELECT table_name, kind, name, state, live, detail FROM "+sqlsyntax.Ident(AcceptedTable)+" ORDER BY id", nil, func(rows *sql.Rows) error {
		var l located
		err := rows.Scan(&l.table, &l.Kind, &l.Name, &l.State, &l.Live, &l.Detail)
		all = append(all, l)
		return err
	})
	if dbconn.ServerError(err, 1146) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w; emcee reserves that name for the differences it accepted when the database was adopted: a table of that name that emcee did not create must be renamed", AcceptedTable, err)
	}
	return group(all), nil
}

// RecordAccepted replaces the accepted differences of the session's current
// database with objs, which must all be unexpected objects.
func RecordAccepted(ctx context.Context, c *sql.Conn, objs []Object, release, by, tool string) error {
	if (&Report{Tables: objs}).Unacceptable() != nil {
		return errors.New("only unexpected objects can be accepted")
	}
	if _, err := c.ExecContext(ctx, createAccepted); err != nil {
		return fmt.Errorf("creating %s: %w", AcceptedTable, err)
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM "+sqlsyntax.Ident(AcceptedTable)); err != nil {
		return err
	}
	for _, o := range objs {
		for _, d := range o.Differences {
			if _, err := tx.ExecContext(ctx, "INSERT INTO "+sqlsyntax.Ident(AcceptedTable)+" (table_name, kind, name, state, live, detail, release_name, accepted_at, accepted_by, tool_version) VALUES (?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6), ?, ?)",
				o.Table, d.Kind, d.Name, d.State, d.Live, d.Detail, release, by, tool); err != nil {
				return fmt.Errorf("recording accepted differences in %s: %w", AcceptedTable, err)
			}
		}
	}
	return tx.Commit()
}
