package review

import (
	"fmt"
	"io"
	"strings"
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

		fmt.Fprintln(w, "\n### Revisions")
		for _, rev := range r.Revisions {
			fmt.Fprintf(w, "\n#### %s (`%s`)\n", rev.ID, rev.File)
			if len(rev.Statements) == 0 {
				fmt.Fprintf(w, "\nNo statements: it records that release %s reached %s.\n", r.Name, rev.Phase)
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
	return "`` " + oneLine(sql, max) + " ``"
}
