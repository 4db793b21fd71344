package review

import (
	"strings"

	"github.com/emcee-db/emcee/revision"
)

// Lock says what a statement does to concurrent traffic. Class is one of
// instant, in-place, copy, metadata, rows, read, none or unspecified.
type Lock struct {
	Class  string `json:"class"`
	Detail string `json:"detail"`
}

// LockOf reads the lock from the statement's ALGORITHM and LOCK clauses,
// which the server enforces: it refuses the statement rather than take a
// heavier lock than the clause names. So what the file says is what the
// target server does.
func LockOf(st revision.Statement) Lock {
	sql := strings.ToUpper(st.SQL)
	switch {
	case st.Kind == revision.Gate:
		return Lock{"read", "a read-only count; no lock beyond a consistent read"}
	case st.Kind == revision.Backfill:
		return Lock{"rows", "row locks on one primary-key batch at a time; writes to other rows continue"}
	case strings.Contains(sql, "ALGORITHM=INSTANT"):
		return Lock{"instant", "metadata only: a brief metadata lock, no table rebuild"}
	case strings.Contains(sql, "ALGORITHM=INPLACE") && strings.Contains(sql, "LOCK=NONE"):
		return Lock{"in-place", "online: reads and writes continue while the server works in place"}
	case strings.Contains(sql, "ALGORITHM=INPLACE"):
		return Lock{"in-place", "in place, but without LOCK=NONE the server may block writes"}
	case strings.Contains(sql, "ALGORITHM=COPY"):
		return Lock{"copy", "table copy: writes are blocked while the table is rebuilt"}
	case strings.HasPrefix(sql, "CREATE TABLE"):
		return Lock{"none", "a new table: nothing uses it yet"}
	case strings.HasPrefix(sql, "CREATE TRIGGER"), strings.HasPrefix(sql, "DROP TRIGGER"):
		return Lock{"metadata", "a brief metadata lock on the table"}
	case strings.HasPrefix(sql, "DROP TABLE"), strings.HasPrefix(sql, "DROP VIEW"), strings.Contains(sql, " VIEW "), strings.HasPrefix(sql, "RENAME TABLE"):
		return Lock{"metadata", "a brief metadata lock"}
	case strings.HasPrefix(sql, "ALTER TABLE"):
		return Lock{"unspecified", "no ALGORITHM clause: the server chooses, possibly a table copy; check before approving"}
	}
	return Lock{"unspecified", "not a schema change emcee classifies; read the statement"}
}
