package dbconn

import (
	"errors"
	"slices"

	"github.com/go-sql-driver/mysql"
)

// ServerError reports whether the server answered err with one of the
// error numbers codes (1146: no such table, 1213: deadlock, ...).
func ServerError(err error, codes ...uint16) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && slices.Contains(codes, me.Number)
}

// ServerCode is the error number the server answered err with, 0 when err
// is not the server's answer.
func ServerCode(err error) uint16 {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number
	}
	return 0
}
