package review

import (
	"fmt"
	"io"
	"strings"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// WriteText prints the report for a terminal.
func WriteText(w io.Writer, rep *Report) {
	for i, r := range rep.Releases {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, title(r, rep.Target))
		if rep.SizesFrom != "" {
			fmt.Fprintf(w, "Table sizes: information_schema of %s, as read now\n", rep.SizesFrom)
		}
		if rep.Redo != nil {
			fmt.Fprintf(w, "Redo log: commits wait for page flushing at a checkpoint age of %s (innodb_log_file_size %s)\n", dbconn.FormatBytes(rep.Redo.Limit), dbconn.FormatBytes(rep.Redo.FileSize))
		}
		if len(r.Differs) > 0 {
			fmt.Fprintln(w, "\nRevisions this emcee writes otherwise (another emcee's output or an edit, said where emcee can tell; read every statement listed, each runs on every database not yet at this release)")
			for _, d := range r.Differs {
				fmt.Fprintf(w, "  %s (%s)\n", d.File, d.PlannedBy)
				for _, st := range d.Statements {
					fmt.Fprintf(w, "      %s\n", st)
				}
			}
		}

		fmt.Fprintln(w, "\nOrder")
		for j, s := range r.Order {
			fmt.Fprintf(w, "  %d. %-18s %s\n", j+1, s.Command, s.Text)
		}

		if len(r.ExpandGates) > 0 {
			fmt.Fprintln(w, "\nGates expand runs first (each must return 0)")
			writeGatesText(w, r.ExpandGates)
		}

		section(w, "Gates contract runs first (each must return 0)", len(r.Gates), "none")
		writeGatesText(w, r.Gates)

		section(w, "Triggers and views", len(r.Objects), "none")
		for _, o := range r.Objects {
			fmt.Fprintf(w, "  %s %s %s\n      %s\n", o.Kind, o.Name, o.On, lifetime(o))
		}

		section(w, "Data at risk", len(r.DataAtRisk), "none: this release drops no column, table or rows")
		for _, d := range r.DataAtRisk {
			fmt.Fprintf(w, "  %s %s: %s\n      dropped at %s (rule %s)\n", d.What, d.Name, d.Definition, d.At, d.Rule)
			if d.MovedBy != "" {
				fmt.Fprintf(w, "      moved first: %s\n", d.MovedBy)
			}
		}

		section(w, "Tightened (contract makes existing rows fit)", len(r.Tightened), "none")
		for _, t := range r.Tightened {
			change := t.To
			if t.From != "" {
				change = t.From + " -> " + t.To
			}
			fmt.Fprintf(w, "  %s %s: %s\n      at %s, %s\n", t.What, t.Name, change, t.At, guard(t))
		}

		section(w, "Table rebuilds (every row rewritten)", len(r.Rebuilds), "none: no statement rewrites a table")
		for _, b := range r.Rebuilds {
			fmt.Fprintf(w, "  %s %s at %s (%s)\n", b.Phase, rebuildText(b.Class, b.Table, b.Size), b.At, b.how())
		}

		writeRollbackText(w, r)

		for _, rev := range r.Revisions {
			fmt.Fprintf(w, "\n%s  %s\n", rev.ID, rev.File)
			if len(rev.Statements) == 0 {
				fmt.Fprintf(w, "  no statements: %s\n", emptyRevision(r, rev))
			}
			for _, s := range rev.Statements {
				fmt.Fprintf(w, "  %d. line %s  rule %s  [%s]\n", s.N, line(s.At), s.Rule, s.Lock.Class)
				if len(s.Changes) > 0 {
					fmt.Fprintf(w, "     changes: %s\n", strings.Join(s.Changes, "; "))
				}
				fmt.Fprintf(w, "     sql:     %s\n", sqlsyntax.OneLine(s.SQL, 160))
				fmt.Fprintf(w, "     why:     %s\n", s.Why)
				fmt.Fprintf(w, "     lock:    %s\n", s.Lock.Detail)
				if o := s.Lock.OSC; o != nil && o.Alter != "" {
					fmt.Fprintf(w, "     osc:     %s --alter %s\n", o.Tool, sqlsyntax.OneLine(o.Alter, 160))
				}
				if s.Lock.Size != nil {
					fmt.Fprintf(w, "     size:    %s\n", sizeText(s.Lock))
				}
				if s.Lock.Redo != "" {
					fmt.Fprintf(w, "     redo:    %s\n", s.Lock.Redo)
				}
			}
		}
	}
}

// writeRollbackText is the rollback section: what undoing the release's
// expand before its contract does, and what it cannot give back.
func writeRollbackText(w io.Writer, r *Release) {
	rb := r.Rollback
	if rb == nil {
		return
	}
	fmt.Fprintf(w, "\nRollback before contract (%s)\n", rollbackTitle(r))
	switch {
	case len(rb.Revisions) == 0:
		fmt.Fprintln(w, "  no rollback revision: `emcee plan` writes one per expand revision")
		return
	case len(rb.Refused) > 0:
		fmt.Fprintln(w, "  REFUSED: the rollback changes nothing; the way back is a backup, or finishing the release")
		for _, f := range rb.Refused {
			fmt.Fprintf(w, "  %s  rule %s\n      %s\n", f.At, f.Rule, f.Why)
		}
		return
	case len(rb.Undoes) == 0:
		fmt.Fprintf(w, "  nothing to undo: the expand of %s changes nothing\n", r.Name)
		writeStaysText(w, rb)
		return
	}
	if len(rb.Gates) > 0 {
		fmt.Fprintln(w, "  gates it runs first (each must return 0):")
		writeGatesText(w, rb.Gates)
	}
	fmt.Fprintln(w, "  undoes, in order:")
	for _, u := range rb.Undoes {
		fmt.Fprintf(w, "  %s  rule %s: %s\n", u.At, u.Rule, strings.Join(u.Changes, "; "))
	}
	if len(rb.Copies) > 0 {
		fmt.Fprintf(w, "  %s\n", rollbackCopies(rb))
	}
	fmt.Fprintf(w, "  lost (written only by %s):\n", r.Name)
	for _, l := range rb.Lost {
		fmt.Fprintf(w, "    %s %s: %s\n      dropped at %s (rule %s)\n", l.What, l.Name, l.Lost, l.At, l.Rule)
	}
	if len(rb.Lost) == 0 {
		fmt.Fprintln(w, "    nothing: it drops no column or table")
	} else {
		fmt.Fprintf(w, "    %s\n", lostRefusal(r))
	}
	writeStaysText(w, rb)
}

// section starts a section of n entries, saying none when it has none.
func section(w io.Writer, title string, n int, none string) {
	fmt.Fprintln(w, "\n"+title)
	if n == 0 {
		fmt.Fprintln(w, "  "+none)
	}
}

func writeGatesText(w io.Writer, gates []Gate) {
	for _, g := range gates {
		fmt.Fprintf(w, "  %s  rule %s\n      %s\n      non-zero: %s\n", g.At, g.Rule, sqlsyntax.OneLine(g.SQL, 0), g.Means)
	}
}

func writeStaysText(w io.Writer, rb *Rollback) {
	fmt.Fprintln(w, "  stays:")
	for _, s := range rb.Stays {
		fmt.Fprintf(w, "    %s\n", s)
	}
}

func rollbackTitle(r *Release) string {
	if len(r.Rollback.Revisions) == 0 {
		return "emcee db rollback"
	}
	return fmt.Sprintf("emcee db rollback runs %s, until %s's contract starts; back to %s", strings.Join(r.Rollback.Revisions, ", "), r.Name, r.previous())
}

// emptyRevision says why a revision has no statement.
func emptyRevision(r *Release, rev *Revision) string {
	if rev.Phase == "rollback" {
		return "the expand it undoes changes nothing"
	}
	return fmt.Sprintf("it records that release %s reached %s", r.Name, rev.Phase)
}

// rebuildText is "rebuilds ports (1.0M rows, 509 MB)", or "copies".
func rebuildText(class, table string, size *dbconn.TableSize) string {
	verb := "rebuilds"
	if class == "copy" {
		verb = "copies"
	}
	if size == nil {
		return verb + " " + table
	}
	return fmt.Sprintf("%s %s (%s)", verb, table, size)
}

// sizeText is what a statement rewrites, with the table's size.
func sizeText(l Lock) string {
	if l.Backfills != "" {
		return fmt.Sprintf("backfills %s (%s)", l.Backfills, l.Size)
	}
	if l.Deletes != "" {
		return fmt.Sprintf("deletes from %s (%s)", l.Deletes, l.Size)
	}
	return rebuildText(l.Class, l.Rebuilds, l.Size)
}

func title(r *Release, target string) string {
	from := ""
	if r.Previous != "" {
		from = " (from " + r.Previous + ")"
	}
	return fmt.Sprintf("Release %s%s, planned for %s", r.Name, from, target)
}

func lifetime(o SyncObject) string {
	switch {
	case o.Created != "" && o.Dropped != "":
		return "created at " + o.Created + ", dropped at " + o.Dropped
	case o.Created != "":
		return "created at " + o.Created + "; NOT dropped by this release: it stays after contract"
	}
	return "dropped at " + o.Dropped + " (created by an earlier release)"
}

func guard(t Tightening) string {
	if len(t.Gates) == 0 {
		return "NOT GUARDED: no gate of this revision checks it; rows that do not fit make contract fail midway"
	}
	return "guarded by the gate at " + strings.Join(t.Gates, ", ")
}

func line(at string) string { return at[strings.LastIndexByte(at, ':')+1:] }

// lostRefusal says what `emcee db rollback` does about what it would lose.
func lostRefusal(r *Release) string {
	return fmt.Sprintf("emcee db rollback counts these rows first and refuses while any holds data only %s wrote, with a command to copy it out; --drop-new-data accepts the loss", r.Name)
}

// rollbackCopies says what `emcee db rollback` asks of the operator for
// the tables it copies.
func rollbackCopies(rb *Rollback) string {
	return fmt.Sprintf("copies %s (a widened type narrowed back): emcee db rollback refuses it unless --osc pt-osc copies while writes continue, or --allow-copy accepts the server's copy, which blocks writes while it runs", strings.Join(rb.Copies, ", "))
}
