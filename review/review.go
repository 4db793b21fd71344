// Package review explains committed plans to the people who approve them:
// for every statement, which rule placed it in which phase, why, what it
// locks while it runs, and which checks guard contract.
package review

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/emcee-db/emcee/revision"
)

// Lock describes what a statement does to concurrent traffic.
func Lock(st revision.Statement) string {
	sql := strings.ToUpper(st.SQL)
	switch {
	case st.Kind == revision.Gate:
		return "read only"
	case st.Kind == revision.Backfill:
		return "row locks, one primary-key batch at a time"
	case strings.Contains(sql, "ALGORITHM=INSTANT"):
		return "metadata only (INSTANT): brief metadata lock"
	case strings.Contains(sql, "ALGORITHM=INPLACE") && strings.Contains(sql, "LOCK=NONE"):
		return "online (INPLACE, LOCK=NONE): reads and writes continue"
	case strings.Contains(sql, "ALGORITHM=COPY"):
		return "TABLE COPY: writes blocked while the table is rebuilt"
	case strings.HasPrefix(sql, "CREATE TABLE"):
		return "new table: nothing else uses it yet"
	case strings.HasPrefix(sql, "CREATE TRIGGER"), strings.HasPrefix(sql, "DROP TRIGGER"):
		return "brief metadata lock on the table"
	case strings.HasPrefix(sql, "DROP TABLE"), strings.HasPrefix(sql, "DROP VIEW"), strings.HasPrefix(sql, "CREATE VIEW"), strings.HasPrefix(sql, "RENAME TABLE"):
		return "brief metadata lock"
	case strings.HasPrefix(sql, "ALTER TABLE"):
		return "server's choice: no ALGORITHM clause (check before approving)"
	}
	return "as the statement does"
}

// Write prints a review of the given revisions.
func Write(w io.Writer, revs []*revision.Revision) {
	for _, rev := range revs {
		fmt.Fprintf(w, "%s  (plans/%s)\n", rev.ID, rev.Path)
		if len(rev.Statements) == 0 {
			fmt.Fprintf(w, "  no statements: records that release %s reached %s\n\n", rev.ID.Release, rev.ID.Phase)
			continue
		}
		for i, st := range rev.Statements {
			kind := "statement"
			switch st.Kind {
			case revision.Gate:
				kind = "GATE: contract stops unless this returns 0"
			case revision.Backfill:
				kind = fmt.Sprintf("backfill of %s in batches of %s", st.Table, st.Key)
			}
			fmt.Fprintf(w, "  %d. rule %s (%s)\n", i+1, st.Rule, kind)
			fmt.Fprintf(w, "     why:   %s\n", st.Why)
			fmt.Fprintf(w, "     locks: %s\n", Lock(st))
			fmt.Fprintf(w, "     sql:   %s\n", summary(st.SQL))
		}
		fmt.Fprintln(w)
	}
}

var spaces = regexp.MustCompile(`\s+`)

func summary(sql string) string {
	s := spaces.ReplaceAllString(sql, " ")
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return s
}
