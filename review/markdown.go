package review

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/emcee-db/emcee/dbconn"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// WriteMarkdown prints the report as GitHub-flavoured Markdown, for a pull
// request comment.
func WriteMarkdown(w io.Writer, rep *Report) {
	for i, r := range rep.Releases {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, "## "+text(title(r, rep.Target)))
		if rep.SizesFrom != "" {
			fmt.Fprintf(w, "\nTable sizes: information_schema of %s, as read now.\n", span(rep.SizesFrom))
		}
		if rep.Redo != nil {
			fmt.Fprintf(w, "\nRedo log: commits wait for page flushing at a checkpoint age of %s (innodb\\_log\\_file\\_size %s).\n", dbconn.FormatBytes(rep.Redo.Limit), dbconn.FormatBytes(rep.Redo.FileSize))
		}
		writeTimeline(w, r)
		writeERDiagram(w, r)

		if len(r.Differs) > 0 {
			fmt.Fprintln(w, "\n### Revisions this emcee writes otherwise")
			fmt.Fprintln(w, "\nAnother emcee's output or an edit, said where emcee can tell. Read every statement listed; each runs on every database not yet at this release.")
			fmt.Fprintln(w)
			for _, d := range r.Differs {
				fmt.Fprintf(w, "- %s (%s)\n", span(d.File), text(d.PlannedBy))
				for _, st := range d.Statements {
					fmt.Fprintf(w, "  - %s\n", text(st))
				}
			}
		}

		fmt.Fprintln(w, "\n### Order")
		for j, s := range r.Order {
			if s.Command != "" {
				// The steps are emcee's own words around release and
				// revision names (lower-case words): already Markdown.
				fmt.Fprintf(w, "%d. %s: %s\n", j+1, span(s.Command), s.Text)
			} else {
				fmt.Fprintf(w, "%d. %s\n", j+1, s.Text)
			}
		}

		if len(r.ExpandGates) > 0 {
			fmt.Fprintln(w, "\n### Gates expand runs first (each must return 0)")
			gateTable(w, r.ExpandGates)
		}

		fmt.Fprintln(w, "\n### Gates contract runs first (each must return 0)")
		gateTable(w, r.Gates)

		fmt.Fprintln(w, "\n### Triggers and views")
		table(w, []string{"kind", "name", "on", "created", "dropped"}, r.Objects, func(o SyncObject) []string {
			dropped := span(o.Dropped)
			if o.Dropped == "" {
				dropped = "**not dropped**"
			}
			created := span(o.Created)
			if o.Created == "" {
				created = "an earlier release"
			}
			return []string{text(o.Kind), span(o.Name), text(o.On), created, dropped}
		})

		fmt.Fprintln(w, "\n### Data at risk")
		table(w, []string{"what", "name", "definition", "dropped at", "rule"}, r.DataAtRisk, func(d Risk) []string {
			rule := d.Rule
			if d.MovedBy != "" {
				rule += "; moved first: " + d.MovedBy
			}
			return []string{text(d.What), span(d.Name), span(d.Definition), span(d.At), text(rule)}
		})

		fmt.Fprintln(w, "\n### Tightened (contract makes existing rows fit)")
		table(w, []string{"what", "name", "from", "to", "at", "guarded by"}, r.Tightened, func(t Tightening) []string {
			gates := "**no gate**"
			if len(t.Gates) > 0 {
				gates = spans(t.Gates)
			}
			from := ""
			if t.From != "" {
				from = span(t.From)
			}
			return []string{text(t.What), span(t.Name), from, text(t.To), span(t.At), gates}
		})

		fmt.Fprintln(w, "\n### Table rebuilds")
		table(w, []string{"phase", "table", "how", "size", "at"}, r.Rebuilds, func(b Rebuild) []string {
			size := ""
			if b.Size != nil {
				size = b.Size.String()
			}
			return []string{text(b.Phase), span(b.Table), text(b.how()), size, span(b.At)}
		})

		writeRollbackMarkdown(w, r)

		fmt.Fprintln(w, "\n### Revisions")
		for _, rev := range r.Revisions {
			fmt.Fprintf(w, "\n#### %s (%s)\n", text(rev.ID), span(rev.File))
			if len(rev.Statements) == 0 {
				fmt.Fprintf(w, "\nNo statements: %s.\n", text(emptyRevision(r, rev)))
				continue
			}
			table(w, []string{"#", "line", "rule", "lock", "changes", "statement"}, rev.Statements, func(s *Statement) []string {
				lock := s.Lock.Class
				if s.Lock.Rebuilds != "" || s.Lock.Size != nil {
					lock += ": " + sizeText(s.Lock)
				}
				if s.Lock.Redo != "" {
					lock += ". " + s.Lock.Redo
				}
				if o := s.Lock.OSC; o != nil && o.Alter != "" {
					lock += ", through " + o.Tool
				}
				return []string{fmt.Sprint(s.N), text(line(s.At)), text(s.Rule), text(lock), text(strings.Join(s.Changes, "; ")), code(s.SQL, 120)}
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
	fmt.Fprintf(w, "\n### Rollback before contract\n\n%s.\n", strings.ReplaceAll(text(rollbackTitle(r)), "emcee db rollback", "`emcee db rollback`"))
	switch {
	case len(rb.Revisions) == 0:
		fmt.Fprintln(w, "\nNo rollback revision: `emcee plan` writes one per expand revision.")
		return
	case len(rb.Refused) > 0:
		fmt.Fprintln(w, "\n**Refused**: the rollback changes nothing; the way back is a backup, or finishing the release.")
		table(w, []string{"at", "rule", "why"}, rb.Refused, func(f Refusal) []string {
			return []string{span(f.At), text(f.Rule), text(f.Why)}
		})
		return
	case len(rb.Undoes) == 0:
		fmt.Fprintf(w, "\nNothing to undo: the expand of %s changes nothing.\n", text(r.Name))
		writeStaysMarkdown(w, rb)
		return
	}
	if len(rb.Gates) > 0 {
		fmt.Fprintln(w, "\nGates it runs first (each must return 0):")
		gateTable(w, rb.Gates)
	}
	fmt.Fprintln(w, "\nUndoes, in order:")
	table(w, []string{"at", "rule", "changes"}, rb.Undoes, func(u Undo) []string {
		return []string{span(u.At), text(u.Rule), text(strings.Join(u.Changes, "; "))}
	})
	if len(rb.Copies) > 0 {
		fmt.Fprintf(w, "\n%s.\n", strings.NewReplacer("--osc pt-osc", "`--osc pt-osc`", "--allow-copy", "`--allow-copy`").Replace(text(rollbackCopies(rb))))
	}
	fmt.Fprintf(w, "\nLost (written only by %s):\n", text(r.Name))
	table(w, []string{"what", "name", "lost", "dropped at", "rule"}, rb.Lost, func(l Loss) []string {
		return []string{text(l.What), span(l.Name), text(l.Lost), span(l.At), text(l.Rule)}
	})
	if len(rb.Lost) > 0 {
		fmt.Fprintf(w, "\n%s.\n", strings.Replace(lostRefusal(r), "--drop-new-data", "`--drop-new-data`", 1))
	}
	writeStaysMarkdown(w, rb)
}

func writeStaysMarkdown(w io.Writer, rb *Rollback) {
	fmt.Fprint(w, "\nStays:\n\n")
	for _, s := range rb.Stays {
		fmt.Fprintf(w, "- %s\n", text(s))
	}
}

// table prints a Markdown table of one row per entry, or "None." when it
// has none.
func table[T any](w io.Writer, head []string, entries []T, row func(T) []string) {
	fmt.Fprintln(w)
	if len(entries) == 0 {
		fmt.Fprintln(w, "None.")
		return
	}
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(head, " | "), strings.Repeat("---|", len(head)))
	for _, e := range entries {
		cells := row(e)
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
	}
}

func gateTable(w io.Writer, gates []Gate) {
	table(w, []string{"at", "rule", "query", "non-zero means"}, gates, func(g Gate) []string {
		return []string{span(g.At), text(g.Rule), code(g.SQL, 0), text(g.Means)}
	})
}

// code is a statement as an inline code span, on one line.
func code(sql string, max int) string {
	return span(sqlsyntax.OneLine(sql, max))
}

// span is s as an inline code span, whatever it holds: the fence is one
// backtick longer than the longest run inside, and padded where s starts
// or ends with a backtick or a blank (which Markdown would otherwise
// read as the fence, or strip). Names, definitions and statements come
// from schema and plan files: in a code span no character of theirs is
// read as Markdown or HTML.
func span(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if len(fence) > 1 || strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") || s == "" {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// spans are names as code spans, separated by commas.
func spans(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = span(n)
	}
	return strings.Join(out, ", ")
}

// text is prose that carries names from schema and plan files (changes,
// reasons, what a gate means) as Markdown that shows it as it is: every
// character Markdown or GitHub gives meaning to inside a line is escaped,
// so a table named <img src=...>, [x](https://...) or **y** shows its name
// and neither loads an image, links nor shouts; line breaks become blanks.
func text(s string) string {
	rs := []rune(strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " "))
	var b strings.Builder
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '~', '&', '!', '#':
			b.WriteByte('\\')
		case '_':
			// Inside a word (ix_images_name) an underscore is not
			// emphasis: left as it is, names stay readable in the source.
			if i == 0 || i == len(rs)-1 || !isWord(rs[i-1]) || !isWord(rs[i+1]) {
				b.WriteByte('\\')
			}
		case ':':
			// https://... is made a link even without brackets.
			if i+2 < len(rs) && rs[i+1] == '/' && rs[i+2] == '/' {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
