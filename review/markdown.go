package review

import (
	"fmt"
	"io"
	"strings"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// WriteMarkdown prints the report as GitHub-flavoured Markdown, for a pull
// request comment.
func WriteMarkdown(w io.Writer, rep *Report) {
	for i, r := range rep.Releases {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "## "+title(r, rep.Target))
		if rep.SizesFrom != "" {
			fmt.Fprintf(w, "\nTable sizes: information_schema of `%s`, as read now.\n", rep.SizesFrom)
		}
		writeTimeline(w, r)
		writeERDiagram(w, r)

		fmt.Fprintln(w, "\n### Order")
		for j, s := range r.Order {
			if s.Command != "" {
				fmt.Fprintf(w, "%d. `%s`: %s\n", j+1, s.Command, s.Text)
			} else {
				fmt.Fprintf(w, "%d. %s\n", j+1, s.Text)
			}
		}

		fmt.Fprintln(w, "\n### Gates contract runs first (each must return 0)")
		table(w, []string{"at", "rule", "query", "non-zero means"}, len(r.Gates), func(k int) []string {
			g := r.Gates[k]
			return []string{"`" + g.At + "`", g.Rule, code(g.SQL, 0), g.Means}
		})

		fmt.Fprintln(w, "\n### Triggers and views")
		table(w, []string{"kind", "name", "on", "created", "dropped"}, len(r.Objects), func(k int) []string {
			o := r.Objects[k]
			dropped := "`" + o.Dropped + "`"
			if o.Dropped == "" {
				dropped = "**not dropped**"
			}
			created := "`" + o.Created + "`"
			if o.Created == "" {
				created = "an earlier release"
			}
			return []string{o.Kind, "`" + o.Name + "`", o.On, created, dropped}
		})

		fmt.Fprintln(w, "\n### Data at risk")
		table(w, []string{"what", "name", "definition", "dropped at", "rule"}, len(r.DataAtRisk), func(k int) []string {
			d := r.DataAtRisk[k]
			return []string{d.What, "`" + d.Name + "`", "`" + d.Definition + "`", "`" + d.At + "`", d.Rule}
		})

		fmt.Fprintln(w, "\n### Tightened (contract makes existing rows fit)")
		table(w, []string{"what", "name", "from", "to", "at", "guarded by"}, len(r.Tightened), func(k int) []string {
			t := r.Tightened[k]
			gates := "**no gate**"
			if len(t.Gates) > 0 {
				gates = "`" + strings.Join(t.Gates, "`, `") + "`"
			}
			from := ""
			if t.From != "" {
				from = "`" + t.From + "`"
			}
			return []string{t.What, "`" + t.Name + "`", from, t.To, "`" + t.At + "`", gates}
		})

		fmt.Fprintln(w, "\n### Table rebuilds")
		table(w, []string{"phase", "table", "how", "size", "at"}, len(r.Rebuilds), func(k int) []string {
			b := r.Rebuilds[k]
			size := ""
			if b.Size != nil {
				size = b.Size.String()
			}
			how := b.Class
			if b.OSC != "" {
				how += ", through " + b.OSC
			}
			return []string{b.Phase, "`" + b.Table + "`", how, size, "`" + b.At + "`"}
		})

		writeRollbackMarkdown(w, r)

		fmt.Fprintln(w, "\n### Revisions")
		for _, rev := range r.Revisions {
			fmt.Fprintf(w, "\n#### %s (`%s`)\n", rev.ID, rev.File)
			if len(rev.Statements) == 0 {
				fmt.Fprintf(w, "\nNo statements: %s.\n", emptyRevision(r, rev))
				continue
			}
			table(w, []string{"#", "line", "rule", "lock", "changes", "statement"}, len(rev.Statements), func(k int) []string {
				s := rev.Statements[k]
				lock := s.Lock.Class
				if s.Lock.Rebuilds != "" {
					lock += ": " + rebuildText(s.Lock.Class, s.Lock.Rebuilds, s.Lock.Size)
				}
				if o := s.Lock.OSC; o != nil && o.Alter != "" {
					lock += ", through " + o.Tool
				}
				return []string{fmt.Sprint(s.N), line(s.At), s.Rule, lock, strings.Join(s.Changes, "; "), code(s.SQL, 120)}
			})
		}
	}
}

// writeRollbackMarkdown is the rollback section (see writeRollbackText).
func writeRollbackMarkdown(w io.Writer, r *Release) {
	rb := r.Rollback
	if rb == nil {
		return
	}
	fmt.Fprintf(w, "\n### Rollback before contract\n\n%s.\n", strings.ReplaceAll(rollbackTitle(r), "emcee db rollback", "`emcee db rollback`"))
	switch {
	case len(rb.Revisions) == 0:
		fmt.Fprintln(w, "\nNo rollback revision: `emcee plan` writes one per expand revision.")
		return
	case len(rb.Refused) > 0:
		fmt.Fprintln(w, "\n**Refused**: the rollback changes nothing; the way back is a backup, or finishing the release.")
		table(w, []string{"at", "rule", "why"}, len(rb.Refused), func(k int) []string {
			f := rb.Refused[k]
			return []string{"`" + f.At + "`", f.Rule, f.Why}
		})
		return
	case len(rb.Undoes) == 0:
		fmt.Fprintf(w, "\nNothing to undo: the expand of %s changes nothing.\n", r.Name)
		writeStaysMarkdown(w, rb)
		return
	}
	if len(rb.Gates) > 0 {
		fmt.Fprintln(w, "\nGates it runs first (each must return 0):")
		table(w, []string{"at", "rule", "query", "non-zero means"}, len(rb.Gates), func(k int) []string {
			g := rb.Gates[k]
			return []string{"`" + g.At + "`", g.Rule, code(g.SQL, 0), g.Means}
		})
	}
	fmt.Fprintln(w, "\nUndoes, in order:")
	table(w, []string{"at", "rule", "changes"}, len(rb.Undoes), func(k int) []string {
		u := rb.Undoes[k]
		return []string{"`" + u.At + "`", u.Rule, strings.Join(u.Changes, "; ")}
	})
	fmt.Fprintf(w, "\nLost (written only by %s):\n", r.Name)
	table(w, []string{"what", "name", "lost", "dropped at", "rule"}, len(rb.Lost), func(k int) []string {
		l := rb.Lost[k]
		return []string{l.What, "`" + l.Name + "`", l.Lost, "`" + l.At + "`", l.Rule}
	})
	if len(rb.Lost) > 0 {
		fmt.Fprintf(w, "\n%s.\n", strings.Replace(lostRefusal(r), "--drop-new-data", "`--drop-new-data`", 1))
	}
	writeStaysMarkdown(w, rb)
}

func writeStaysMarkdown(w io.Writer, rb *Rollback) {
	fmt.Fprintln(w, "\nStays:")
	fmt.Fprintln(w)
	for _, s := range rb.Stays {
		fmt.Fprintf(w, "- %s\n", s)
	}
}

// table prints a Markdown table, or "None." when it has no rows.
func table(w io.Writer, head []string, n int, row func(int) []string) {
	fmt.Fprintln(w)
	if n == 0 {
		fmt.Fprintln(w, "None.")
		return
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for k := range n {
		cells := row(k)
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

// code is an inline code span that may itself hold backticks (quoted
// identifiers): a double-backtick fence keeps them.
func code(sql string, max int) string {
	return "`` " + sqlsyntax.OneLine(sql, max) + " ``"
}
