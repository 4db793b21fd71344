package review

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/emcee-db/emcee/dbconn"
)

// Rebuild is one statement that rewrites every row of a table.
type Rebuild struct {
	Table string            `json:"table"`
	Phase string            `json:"phase"`
	At    string            `json:"at"`
	Class string            `json:"class"` // rebuild or copy
	Size  *dbconn.TableSize `json:"size,omitempty"`
	OSC   string            `json:"osc,omitempty"` // the tool the copy is handed to
}

// how is how a rebuild runs: its class, and the tool a copy is handed to.
func (b Rebuild) how() string {
	if b.OSC != "" {
		return b.Class + ", through " + b.OSC
	}
	return b.Class
}

// table is the table whose size tells what the statement costs: the one
// it rebuilds, backfills or deletes from ("" for none).
func (l Lock) table() string { return cmp.Or(l.Rebuilds, l.Backfills, l.Deletes) }

// RedoLog is the server's redo log: the checkpoint age at which InnoDB
// makes every commit wait for page flushing, and the file size that sets it.
type RedoLog struct {
	Limit    int64 `json:"checkpoint_age_limit"`
	FileSize int64 `json:"innodb_log_file_size"`
}

// redoPerRow is the redo a backfill wrote per row filled in emcee's
// benchmark (BENCHMARKS.md: 0.69-0.73 GB per million rows), for an order
// of magnitude, not a promise.
const redoPerRow = 700

// AddSizes reads the size of every table a statement of the report
// rebuilds, copies or backfills from the database the connection has
// selected, and records where they came from. A backfill of a table
// larger than the redo log's limit is flagged: while it runs the server
// makes every commit wait for page flushing, the application's too
// (docs/operators.md, "4. Migrate").
func AddSizes(ctx context.Context, db *sql.DB, from string, rep *Report) error {
	// Every rebuild is a statement's (addRevision), rollbacks' too.
	tables := map[string]bool{}
	for _, r := range rep.Releases {
		for _, rev := range r.Revisions {
			for _, st := range rev.Statements {
				if t := st.Lock.table(); t != "" {
					tables[t] = true
				}
			}
		}
	}
	sizes := map[string]*dbconn.TableSize{}
	for _, t := range slices.Sorted(maps.Keys(tables)) {
		s, err := dbconn.ReadTableSize(ctx, db, t)
		if err != nil {
			return err
		}
		if s != nil {
			sizes[t] = s
		}
	}
	redo, err := readRedoLog(ctx, db)
	if err != nil {
		return err
	}
	rep.SizesFrom, rep.Redo = from, redo
	for _, r := range rep.Releases {
		for i := range r.Rebuilds {
			r.Rebuilds[i].Size = sizes[r.Rebuilds[i].Table]
		}
		for _, rev := range r.Revisions {
			for _, st := range rev.Statements {
				st.Lock.Size = sizes[st.Lock.table()]
				// The redo a delete writes follows the rows its predicate
				// selects, which no size tells.
				if st.Lock.Backfills != "" {
					st.Lock.Redo = redoCost(st.Lock.Size, redo)
				}
			}
		}
	}
	return nil
}

// readRedoLog reads the redo log's limit; nil where the server does not
// show it (MySQL has no Innodb_checkpoint_max_age).
func readRedoLog(ctx context.Context, db *sql.DB) (*RedoLog, error) {
	var name string
	var limit int64
	err := db.QueryRowContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name = 'Innodb_checkpoint_max_age'").Scan(&name, &limit)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the redo log's limit (SHOW GLOBAL STATUS): %w", err)
	}
	r := &RedoLog{Limit: limit}
	if err := db.QueryRowContext(ctx, "SELECT @@innodb_log_file_size").Scan(&r.FileSize); err != nil {
		return nil, fmt.Errorf("reading innodb_log_file_size: %w", err)
	}
	return r, nil
}

// redoCost is what a backfill of a table larger than the redo log's limit
// costs the application, "" for a smaller one.
func redoCost(size *dbconn.TableSize, redo *RedoLog) string {
	if size == nil || redo == nil || redo.Limit <= 0 || size.Bytes <= redo.Limit {
		return ""
	}
	return fmt.Sprintf("%s (%s) is larger than the redo log's limit (%s, innodb_log_file_size %s): backfilling it can write more redo than the log holds (about %s for %s rows at emcee's benchmark's 700 bytes a row), and then every commit waits for page flushing, the application's too, for as long as migrate runs; give the redo log room first (SET GLOBAL innodb_log_file_size is online on MariaDB 10.9 and later; docs/operators.md, \"4. Migrate\")",
		size.Table, dbconn.FormatBytes(size.Bytes), dbconn.FormatBytes(redo.Limit), dbconn.FormatBytes(redo.FileSize), dbconn.FormatBytes(size.Rows*redoPerRow), dbconn.FormatCount(size.Rows))
}
