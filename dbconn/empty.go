package dbconn

import (
	"context"
	"database/sql"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// DropAll drops every view and table of the connection's current database
// (triggers go with their tables). emcee calls it only on a dev or scratch
// database it found empty, so everything in it is emcee's own. Views go
// first, and foreign keys are not checked meanwhile, so that no order
// between the tables is needed.
func DropAll(ctx context.Context, conn *sql.Conn) error {
	rows, err := conn.QueryContext(ctx, "SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_TYPE = 'VIEW' DESC")
	if err != nil {
		return err
	}
	var drops []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			rows.Close()
			return err
		}
		kind := "TABLE"
		if typ == "VIEW" {
			kind = "VIEW"
		}
		drops = append(drops, "DROP "+kind+" IF EXISTS "+sqlsyntax.Ident(name))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0"); err != nil {
		return err
	}
	defer func() { _, _ = conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 1") }()
	for _, d := range drops {
		if _, err := conn.ExecContext(ctx, d); err != nil {
			return err
		}
	}
	return nil
}
