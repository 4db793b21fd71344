package review

import (
	"github.com/emcee-db/emcee/effect"
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
	switch st.Kind {
	case revision.Gate:
		return Lock{"read", "a read-only count; no lock beyond a consistent read"}
	case revision.Backfill:
		if st.Key == "" {
			return Lock{"rows", "NOT BATCHED: row locks on every row the UPDATE reads, held until it ends (no single-column primary key to batch on)"}
		}
		return Lock{"rows", "row locks on one primary-key batch at a time; writes to other rows continue"}
	}
	d := effect.Parse(st.SQL)
	lock := ""
	for _, c := range d.Clauses {
		if c.Op == "LOCK" {
			lock = c.Name
		}
	}
	switch {
	case d.Algorithm == "INSTANT":
		return Lock{"instant", "metadata only: a brief metadata lock, no table rebuild"}
	case d.Algorithm == "INPLACE" && lock == "NONE":
		return Lock{"in-place", "online: reads and writes continue while the server works in place"}
	case d.Algorithm == "INPLACE":
		return Lock{"in-place", "in place, but without LOCK=NONE the server may block writes"}
	case d.Algorithm == "COPY":
		return Lock{"copy", "table copy: writes are blocked while the table is rebuilt"}
	}
	switch d.Kind {
	case effect.KindCreateTable:
		return Lock{"none", "a new table: nothing uses it yet"}
	case effect.KindCreateTrigger, effect.KindDropTrigger:
		return Lock{"metadata", "a brief metadata lock on the table"}
	case effect.KindDropTable, effect.KindDropView, effect.KindCreateView, effect.KindRenameTable:
		return Lock{"metadata", "a brief metadata lock"}
	case effect.KindAlterTable, effect.KindCreateIndex, effect.KindDropIndex:
		return Lock{"unspecified", "no ALGORITHM clause: the server chooses, possibly a table copy; check before approving"}
	}
	return Lock{"unspecified", "not a schema change emcee classifies; read the statement"}
}
