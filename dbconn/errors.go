package dbconn

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/go-sql-driver/mysql"
)

// ServerError reports whether the server answered err with one of the
// error numbers codes (1146: no such table, 1213: deadlock, ...).
func ServerError(err error, codes ...uint16) bool { return slices.Contains(codes, ServerCode(err)) }

// ServerCode is the error number the server answered err with, 0 when err
// is not the server's answer.
func ServerCode(err error) uint16 {
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return me.Number
	}
	return 0
}

// ServerMessage is the text of the server's answer err ("" when err is
// not the server's answer): what it names, such as the key of a duplicate
// entry.
func ServerMessage(err error) string {
	if me, ok := errors.AsType[*mysql.MySQLError](err); ok {
		return me.Message
	}
	return ""
}

// UnsafeWarning is the server's warning 1592 on the statement just run in
// tx: unsafe to log as a statement, which replicas would run again with
// other results ("" without one).
func UnsafeWarning(ctx context.Context, tx *sql.Tx) (string, error) {
	var msg string
	err := EachRow(ctx, tx, "SHOW WARNINGS", nil, func(rows *sql.Rows) error {
		var level, m string
		var code int
		err := rows.Scan(&level, &code, &m)
		if code == 1592 && msg == "" {
			msg = m
		}
		return err
	})
	return msg, err
}
