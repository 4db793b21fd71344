package review

import (
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/effect"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/splitter"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Lock says what a statement costs concurrent traffic and the table. Class
// is one of instant, in-place (no table rebuild), rebuild (in place, every
// row rewritten), copy, metadata, rows, read, none or unspecified.
// Rebuilds names the table a rebuild or copy rewrites; Size is how big it
// was when review read it from a database (--url or --env).
type Lock struct {
	Class    string `json:"class"`
	Detail   string `json:"detail"`
	Rebuilds string `json:"rebuilds,omitempty"`
	// Backfills names the table a backfill rewrites, row by pending row;
	// Unbatched is set for one the applier runs as one statement (its
	// table has no single-column primary key to batch on).
	Backfills string `json:"backfills,omitempty"`
	// Deletes names the table a data_migration's delete removes rows
	// from in primary-key batches (contract, not a backfill).
	Deletes   string            `json:"deletes,omitempty"`
	Unbatched bool              `json:"unbatched,omitempty"`
	Size      *dbconn.TableSize `json:"size,omitempty"`
	// Redo says, for a backfill of a table larger than the redo log's
	// limit (read with Size), what that costs the application.
	Redo string `json:"redo,omitempty"`
	// OSC is set, for a table copy, when the project or review --osc
	// selects an online schema change tool.
	OSC *OSC `json:"osc,omitempty"`
}

// LockOf reads the cost from the statement's ALGORITHM and LOCK clauses,
// which the server enforces (it refuses the statement rather than take a
// heavier lock than the clause names), and, for INPLACE, from what its
// clauses do on the target server (splitter.AlterCost): the same clause
// builds an index beside the rows or rewrites every row. before is the
// schema as the previous release has it (nil: unknown).
func LockOf(t project.Target, st revision.Statement, before *schema.Schema) Lock {
	switch st.Kind {
	case revision.Gate:
		return Lock{Class: "read", Detail: "a read-only count; no lock beyond a consistent read"}
	case revision.Backfill:
		if st.Key == "" {
			// A data migration (INSERT ... SELECT) locks the rows it reads
			// and the rows it inserts; an UPDATE the rows it reads.
			what := "every row the UPDATE reads"
			if b, err := sqlsyntax.ReadBackfill(st.SQL); err == nil && b.Into != "" {
				what = "every row the INSERT ... SELECT reads from " + b.Table + " and every row it inserts into " + b.Into
			}
			return Lock{Class: "rows", Backfills: st.Table, Unbatched: true, Detail: "NOT BATCHED: row locks on " + what + ", held until it ends (no single-column primary key to batch on)"}
		}
		return Lock{Class: "rows", Backfills: st.Table, Detail: "row locks on one primary-key batch at a time; writes to other rows continue"}
	}
	d := effect.Parse(st.SQL)
	lock := ""
	for _, c := range d.Clauses {
		if c.Op == "LOCK" {
			lock = c.Name
		}
	}
	switch splitter.AlterCost(t, d, before) {
	case splitter.CostInstant:
		return Lock{Class: "instant", Detail: "metadata only: a brief metadata lock, no table rebuild"}
	case splitter.CostInPlace:
		if lock != "NONE" {
			return Lock{Class: "in-place", Detail: "in place, no table rebuild, but without LOCK=NONE the server may block writes"}
		}
		if slices.ContainsFunc(d.Effects(), func(e effect.Effect) bool {
			return e.Op == effect.AddIndex || e.Op == effect.AddUnique || e.Op == effect.AddForeignKey
		}) {
			return Lock{Class: "in-place", Detail: "in place, no table rebuild: the index is built from every row while reads and writes continue"}
		}
		return Lock{Class: "in-place", Detail: "in place, no table rebuild; reads and writes continue"}
	case splitter.CostRebuild:
		detail := fmt.Sprintf("in place, but REBUILDS %s: every row is rewritten, taking as long as a copy; reads and writes continue", d.Name)
		if lock != "NONE" {
			detail = fmt.Sprintf("in place, but REBUILDS %s (every row rewritten), and without LOCK=NONE the server may block writes", d.Name)
		}
		return Lock{Class: "rebuild", Detail: detail, Rebuilds: d.Name}
	case splitter.CostCopy:
		return Lock{Class: "copy", Detail: fmt.Sprintf("table copy: REBUILDS %s, writes are blocked while it runs", d.Name), Rebuilds: d.Name}
	}
	switch d.Kind {
	case effect.KindCreateTable:
		return Lock{Class: "none", Detail: "a new table: nothing uses it yet"}
	case effect.KindCreateTrigger, effect.KindDropTrigger:
		return Lock{Class: "metadata", Detail: "a brief metadata lock on the table"}
	case effect.KindDropTable, effect.KindDropView, effect.KindCreateView, effect.KindRenameTable:
		return Lock{Class: "metadata", Detail: "a brief metadata lock"}
	case effect.KindInsert:
		return Lock{Class: "rows", Detail: fmt.Sprintf("inserts into %s: a lock on the row (and the key gap) it writes; reads and writes of other rows continue", d.Name)}
	case effect.KindDelete:
		// A data_migration's delete runs in contract in primary-key
		// batches, as migrate's backfills do (apply's asBatched), when its
		// table has a primary key of one column kept from the previous
		// release; otherwise as one statement: on a large table (Redmine
		// 5.0's orphaned custom_values) writes to the rows it deletes wait
		// until it ends.
		if b, key, ok := sqlsyntax.ReadDelete(st.SQL); ok && key != "" {
			return Lock{Class: "rows", Deletes: b.Table, Detail: fmt.Sprintf("deletes from %s in batches of its primary key %s: the keys its predicate selects are read once by a SELECT, which locks nothing, then each batch locks only the rows it deletes; writes to other rows continue", b.Table, key)}
		}
		return Lock{Class: "rows", Unbatched: true, Detail: fmt.Sprintf("deletes from %s in one statement, NOT BATCHED (no single-column primary key kept from the previous release to batch on): row locks on every row it deletes (and the rows and key gaps its WHERE reads), held until it ends; writes to other rows continue", strings.Join(d.Names, ", "))}
	case effect.KindAlterTable, effect.KindCreateIndex, effect.KindDropIndex:
		return Lock{Class: "unspecified", Detail: "no ALGORITHM clause: the server chooses, possibly a table copy; check before approving"}
	}
	return Lock{Class: "unspecified", Detail: "not a schema change emcee classifies; read the statement"}
}
