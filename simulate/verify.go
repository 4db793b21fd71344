package simulate

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// The verifier runs twice while no worker has a statement in flight.
//
// checkBoth runs where both representations can be read: in emcee mode
// after migrate and its catch-up (the old release's workers are gone, the old columns not
// yet), in naive mode just before the ALTER. Every row must exist exactly
// when the ledger says so and hold what its last writer wrote; the old and
// new columns of every declared pair must agree (forward for rows the old
// release wrote last, backward for rows the new release wrote last; a fill
// column must hold a value). It
// then notes what each row must look like in the new release's shape.
//
// verifyFinal runs after contract (or after the naive ALTER): every row
// must hold what was noted, or what the new release wrote since.

// noted is what the rows of a table held at ledger position seq: a hash
// of each row's cols, by row number.
type noted struct {
	cols []string
	rows map[int64]uint64
	seq  uint64
}

func (s *Sim) problem(lost bool, format string, args ...any) {
	what, count := "inconsistent", &s.report.Inconsistent
	if lost {
		what, count = "lost", &s.report.Lost
	}
	*count++
	if len(s.report.Problems) < maxListed {
		s.report.Problems = append(s.report.Problems, what+": "+fmt.Sprintf(format, args...))
	}
}

func show(v sql.NullString) string {
	if !v.Valid {
		return "NULL"
	}
	return "'" + v.String + "'"
}

func same(a, b sql.NullString) bool { return a.Valid == b.Valid && a.String == b.String }

// rowScan reads a query's rows as text, the key's columns first: f gets
// the row's number (0 for a key the simulator never writes, key.go), the
// key as read and the other n values.
func rowScan(ctx context.Context, db *sql.DB, q string, k *rowKey, n int, f func(row int64, key, vals []sql.NullString)) error {
	all := make([]sql.NullString, len(k.cols)+n)
	dest := make([]any, len(all))
	for i := range all {
		dest[i] = &all[i]
	}
	key, vals := all[:len(k.cols)], all[len(k.cols):]
	return dbconn.EachRow(ctx, db, q, nil, func(rows *sql.Rows) error {
		err := rows.Scan(dest...)
		if err == nil {
			f(k.number(key), key, vals)
		}
		return err
	})
}

// readBack reads the rows of t (sel: its key's columns, then n values),
// each counted as checked, and calls f with the row's number, its key as
// the report words it, its state in the ledger and the values; a key no
// worker wrote is a problem of its own. It returns the numbers read.
func (s *Sim) readBack(ctx context.Context, t *table, sel string, n int, f func(key int64, row string, st *rowState, v []sql.NullString)) (map[int64]bool, error) {
	seen := map[int64]bool{}
	if s.report.TableRows == nil {
		s.report.TableRows = map[string]int{}
	}
	q := fmt.Sprintf("SELECT %s FROM %s", sel, sqlsyntax.Ident(t.name))
	return seen, rowScan(ctx, s.db, q, t.key, n, func(key int64, kv, v []sql.NullString) {
		s.report.RowsChecked++
		s.report.TableRows[t.name]++
		row := t.name + " " + t.key.showRead(kv)
		if key == 0 {
			s.problem(false, "%s: no worker wrote this key", row)
			return
		}
		seen[key] = true
		f(key, row, s.work.ledger[t.name].state(key), v)
	})
}

func hashRow(vals []sql.NullString) uint64 {
	h := fnv.New64a()
	for _, v := range vals {
		if v.Valid {
			h.Write([]byte{1})
			h.Write([]byte(v.String))
		} else {
			h.Write([]byte{0})
		}
		h.Write([]byte{0xff})
	}
	return h.Sum64()
}

func (s *Sim) checkBoth(ctx context.Context) error {
	both := !s.cfg.Naive
	s.report.Verified = true
	if s.snap == nil {
		s.snap = map[string]*noted{}
	}
	for _, t := range s.tables {
		l := s.work.ledger[t.name]
		cols := names(t.old)
		if both {
			cols = diff.Union(cols, names(t.new))
			for _, p := range t.pairs {
				cols = diff.Union(cols, []string{p.newCol, p.oldCol})
			}
		}
		idx := map[string]int{}
		for i, c := range cols {
			idx[c] = i
		}
		sel := []string{quoteAll(append(t.key.names(), cols...))}
		fwd, bwd := make([]int, len(t.pairs)), make([]int, len(t.pairs))
		n := len(cols)
		for i, p := range t.pairs {
			sel = append(sel, "("+p.forward+")")
			fwd[i] = n
			n++
			bwd[i] = -1
			if both && p.backward != "" {
				sel = append(sel, "("+p.backward+")")
				bwd[i] = n
				n++
			}
		}
		// The shape every row must have after the upgrade: the new
		// release's columns whose value is known now.
		var snapCols []string
		var snapFrom []int // index into the scanned values
		for _, c := range diff.Union(names(t.new), pairCols(t)) {
			if i, ok := idx[c]; ok {
				snapCols, snapFrom = append(snapCols, c), append(snapFrom, i)
				continue
			}
			for pi, p := range t.pairs {
				if p.newCol == c {
					snapCols, snapFrom = append(snapCols, c), append(snapFrom, fwd[pi])
				}
			}
		}
		snap := map[int64]uint64{}
		seen, err := s.readBack(ctx, t, strings.Join(sel, ", "), n, func(key int64, row string, st *rowState, v []sql.NullString) {
			switch {
			case st != nil && st.deleted:
				s.problem(true, "%s was deleted by the %s release and is back", row, st.kind)
				return
			case st == nil && key > l.seeded && t.filledBy != "":
				return // data_migration t.filledBy inserted it
			case st == nil && key > l.seeded:
				s.problem(false, "%s: no worker inserted this row (an insert reported as failed that took effect?)", row)
				return
			}
			kind, written := Old, map[string]string{}
			if st == nil {
				for i, val := range seedValues(t, key) {
					written[t.old[i].name] = val
				}
			} else {
				kind, written = st.kind, st.vals
			}
			for c, want := range written {
				i, ok := idx[c]
				if !ok {
					continue
				}
				if !same(v[i], sql.NullString{String: want, Valid: true}) {
					s.problem(false, "%s: %s is %s, the %s release wrote '%s'", row, c, show(v[i]), kind, want)
				}
			}
			if both {
				for pi, p := range t.pairs {
					nv := v[idx[p.newCol]]
					if p.oldCol == "" {
						// A fill computes a row's value once, where it is
						// NULL (the backfill, the triggers): it is not
						// recomputed when the previous release later
						// changes a column it reads, nor over a value the
						// new release wrote.
						if !nv.Valid {
							s.problem(false, "%s (last written by the %s release): %s is NULL, which its fill (%s) should have set", row, kind, p.newCol, p.forward)
						}
						continue
					}
					if same(nv, v[fwd[pi]]) {
						continue
					}
					// A value a lossy forward cannot produce ('shared' from a
					// boolean) stays as long as the old column holds what
					// backward maps it to: an old-release write of that same
					// old value changes nothing for either release.
					if p.oldCol != "" && bwd[pi] >= 0 && same(v[idx[p.oldCol]], v[bwd[pi]]) {
						continue
					}
					s.problem(false, "%s (last written by the %s release): %s is %s, %s is %s; forward (%s) gives %s, backward (%s) gives %s",
						row, kind, p.newCol, show(nv), p.oldCol, show(v[idx[p.oldCol]]), p.forward, show(v[fwd[pi]]), p.backward, show(bwdVal(v, bwd[pi])))
				}
			}
			want := make([]sql.NullString, len(snapFrom))
			for i, from := range snapFrom {
				want[i] = v[from]
			}
			snap[key] = hashRow(want)
		})
		if err != nil {
			return fmt.Errorf("verifying %s: %w", t.name, err)
		}
		for key := int64(1); key <= l.seeded; key++ {
			if st := l.state(key); !seen[key] && (st == nil || !st.deleted) {
				s.problem(true, "%s %s (seeded, last written by the %s release) is gone", t.name, t.key.show(key), kindOf(st))
			}
		}
		l.each(func(key int64, st *rowState) {
			if !st.deleted && !seen[key] && key > l.seeded {
				s.problem(true, "%s %s inserted by the %s release is gone", t.name, t.key.show(key), st.kind)
			}
		})
		s.snap[t.name] = &noted{snapCols, snap, l.seq.Load()}
	}
	return nil
}

func kindOf(st *rowState) Kind {
	if st == nil {
		return Old
	}
	return st.kind
}

func pairCols(t *table) []string {
	var out []string
	for _, p := range t.pairs {
		out = append(out, p.newCol)
	}
	return out
}

func (s *Sim) verifyFinal(ctx context.Context) error {
	if s.snap == nil {
		return nil
	}
	for _, t := range s.tables {
		snap := s.snap[t.name]
		_, err := s.checkSince(ctx, t, diff.Union(snap.cols, names(t.new)), snap, ", or should hold, before the upgrade finished", "", "after the upgrade")
		if err != nil {
			return err
		}
	}
	return nil
}

// checkSince reads every row of t (its key and cols) against snap: a row
// a worker wrote since snap's ledger position holds what it wrote (the
// count returned), any other holds what it held (held, during and after
// say when, for the report), and no row is missing.
func (s *Sim) checkSince(ctx context.Context, t *table, cols []string, snap *noted, held, during, after string) (int, error) {
	l := s.work.ledger[t.name]
	idx := map[string]int{}
	for i, c := range cols {
		idx[c] = i
	}
	written := 0
	seen, err := s.readBack(ctx, t, quoteAll(append(t.key.names(), cols...)), len(cols), func(key int64, row string, st *rowState, v []sql.NullString) {
		if st != nil && st.seq > snap.seq {
			if st.deleted {
				s.problem(true, "%s was deleted by the %s release%s and is back", row, st.kind, during)
				return
			}
			written++
			for c, want := range st.vals {
				if i, ok := idx[c]; ok && !same(v[i], sql.NullString{String: want, Valid: true}) {
					s.problem(false, "%s, written by the %s release%s: %s is %s, it wrote '%s'", row, st.kind, during, c, show(v[i]), want)
				}
			}
			return
		}
		h, ok := snap.rows[key]
		switch {
		case !ok && st == nil && key > l.seeded && t.filledBy != "":
			return // data_migration t.filledBy inserted it (the rollback keeps such rows)
		case !ok:
			s.problem(false, "%s: no worker inserted this row", row)
			return
		}
		got := make([]sql.NullString, len(snap.cols))
		for i, c := range snap.cols {
			got[i] = v[idx[c]]
		}
		if hashRow(got) != h {
			s.problem(false, "%s: (%s) = (%s) is not what the row held%s", row, strings.Join(snap.cols, ", "), showAll(got), held)
		}
	})
	if err != nil {
		return 0, fmt.Errorf("verifying %s %s: %w", t.name, after, err)
	}
	for key := range snap.rows {
		// rows written since are the ledger loop's
		if st := l.state(key); !seen[key] && (st == nil || st.seq <= snap.seq) {
			s.problem(true, "%s %s is gone %s", t.name, t.key.show(key), after)
		}
	}
	l.each(func(key int64, st *rowState) {
		if st.seq > snap.seq && !st.deleted && !seen[key] {
			s.problem(true, "%s %s written by the %s release%s is gone", t.name, t.key.show(key), st.kind, during)
		}
	})
	return written, nil
}

func showAll(vals []sql.NullString) string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = show(v)
	}
	return strings.Join(out, ", ")
}

func bwdVal(v []sql.NullString, i int) sql.NullString {
	if i < 0 {
		return sql.NullString{}
	}
	return v[i]
}
