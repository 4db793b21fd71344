package review

import (
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/emcee-db/emcee/sqlsyntax"
)

// Two Mermaid diagrams head each release in the Markdown review, which
// GitHub renders in a pull request: the tables the release touches (an
// erDiagram, with added, replaced, changed and dropped columns marked) and
// the phases in order with the gates contract runs (a timeline). Names come
// from the schema, so anything Mermaid's grammar does not take in a name is
// replaced, and the real name is kept in the attribute's comment.

func writeERDiagram(w io.Writer, r *Release) {
	if len(r.Tables) == 0 {
		return
	}
	ids := entityIDs(r.Tables)
	fmt.Fprintln(w, "\n```mermaid\nerDiagram")
	for _, t := range r.Tables {
		label := ""
		switch {
		case t.From != "":
			label = fmt.Sprintf("[%s]", mermaidString(fmt.Sprintf("%s (renamed from %s)", t.Name, t.From)))
		case t.Change != "changed":
			label = fmt.Sprintf("[%s]", mermaidString(fmt.Sprintf("%s (%s)", t.Name, t.Change)))
		}
		if label == "" && ids[t.Name] != t.Name {
			label = fmt.Sprintf("[%s]", mermaidString(t.Name))
		}
		fmt.Fprintf(w, "    %s%s {\n", ids[t.Name], label)
		for _, c := range t.Columns {
			line := fmt.Sprintf("        %s %s", mermaidName(c.Type), mermaidName(c.Name))
			if c.Key != "" {
				line += " " + c.Key
			}
			var notes []string
			if mermaidName(c.Name) != c.Name {
				notes = append(notes, c.Name)
			}
			switch c.Change {
			case "replaced":
				notes = append(notes, "replaces "+c.Replaces)
			case "":
			default:
				notes = append(notes, c.Change)
			}
			if len(notes) > 0 {
				line += " " + mermaidString(strings.Join(notes, ", "))
			}
			fmt.Fprintln(w, line)
		}
		fmt.Fprintln(w, "    }")
	}
	for _, t := range r.Tables {
		for _, ref := range t.References {
			to, ok := ids[ref.Table]
			if !ok {
				// a table the release does not touch: drawn as a bare entity
				to = mermaidName(ref.Table)
				ids[ref.Table] = to
			}
			fmt.Fprintf(w, "    %s }o--|| %s : %s\n", ids[t.Name], to, mermaidString(ref.Name))
		}
	}
	fmt.Fprintln(w, "```")
}

func writeTimeline(w io.Writer, r *Release) {
	head := "Release " + r.Name
	if r.Previous != "" {
		head += " from " + r.Previous
	}
	fmt.Fprintf(w, "\n```mermaid\ntimeline\n    title %s\n", mermaidText(head))
	for _, phase := range []string{"expand", "migrate", "contract"} {
		fmt.Fprintf(w, "    section %s\n", phase)
		for _, rev := range r.Revisions {
			if rev.Phase != phase {
				continue
			}
			events := []string{}
			var stmts, backfills int
			for _, s := range rev.Statements {
				switch s.Kind {
				case "gate":
					events = append(events, fmt.Sprintf("gate (%s) at line %s", s.Rule, line(s.At)))
				case "backfill":
					backfills++
				default:
					stmts++
				}
			}
			switch {
			case len(rev.Statements) == 0:
				events = append(events, "no change, records the version")
			case backfills > 0:
				events = append(events, sqlsyntax.Plural(backfills, "batched backfill"))
			}
			if stmts > 0 {
				events = append(events, sqlsyntax.Plural(stmts, "statement"))
			}
			for i := range events {
				events[i] = mermaidText(events[i])
			}
			fmt.Fprintf(w, "        %s : %s\n", mermaidText(rev.ID), strings.Join(events, " : "))
		}
	}
	fmt.Fprintln(w, "```")
}

// entityIDs gives every table an entity name of its own: two table names
// that Mermaid's grammar would spell the same get a numbered suffix.
func entityIDs(tables []TouchedTable) map[string]string {
	ids := map[string]string{}
	used := map[string]bool{}
	for _, t := range tables {
		id := mermaidName(t.Name)
		for n := 2; used[id]; n++ {
			id = fmt.Sprintf("%s_%d", mermaidName(t.Name), n)
		}
		used[id] = true
		ids[t.Name] = id
	}
	return ids
}

// mermaidName is a name as Mermaid's ER grammar takes it: letters, digits,
// underscores, hyphens and parentheses (a type's length), not starting
// with a digit.
func mermaidName(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '_':
			b.WriteRune(r)
		case r >= '0' && r <= '9' || r == '-' || r == '(' || r == ')' || r == ',':
			if i == 0 {
				b.WriteRune('_')
			}
			if r == ',' {
				r = '-'
			}
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}

// mermaidString is a double-quoted Mermaid string: it cannot hold a double
// quote or a line break.
func mermaidString(s string) string { return `"` + strings.ReplaceAll(mermaidText(s), `"`, "'") + `"` }

// mermaidText is free text on one line of a diagram. Mermaid's grammars
// give meaning to many characters (":" separates timeline events, "%%"
// starts a comment or directive, "#" an entity code, "\\" and quotes end
// strings), so only letters, digits, spaces and plain punctuation pass.
func mermaidText(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" _-.,'()/", r) {
			return r
		}
		return '_'
	}, s)
}
