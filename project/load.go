package project

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Loads are load thresholds, VAR=N[,VAR=N...]: each a global status
// variable (SHOW GLOBAL STATUS) and its threshold, a whole number.
// emcee's backfill reads them (--max-load, --critical-load), and so does
// the online schema change tool (osc_max_load, osc_critical_load and
// their flags), in the one grammar ParseLoads reads.
type Loads []LoadLimit

// LoadLimit is one VAR=N of Loads.
type LoadLimit struct {
	Var string
	Max int64
}

func (l LoadLimit) String() string { return l.Var + "=" + strconv.FormatInt(l.Max, 10) }

// String is the limits as they are written, and as the tool reads them.
func (ls Loads) String() string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.String()
	}
	return strings.Join(parts, ",")
}

// Has reports whether a limit names the variable (status variable names
// are case-insensitive).
func (ls Loads) Has(name string) bool {
	return slices.ContainsFunc(ls, func(l LoadLimit) bool { return strings.EqualFold(l.Var, name) })
}

// statusName is what a status variable is called: letters, digits and
// underscores. Names are never written into SQL (the status is read
// whole and looked up), but a name of another shape is a mistake worth
// saying so at once.
var statusName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// ParseLoads reads load thresholds; "" is none. Its errors start with
// the part at fault: the caller puts the setting before them, as
// "--max-load " or "atlas.hcl:3:18: emcee.osc_max_load ". Each N is a
// whole number of 1 or more: the tool's own forms (a variable without a
// threshold, or 0, for "the value at start" plus a margin; VAR:N) are
// refused, so that a value means the same to emcee's backfill and to the
// tool, and says what it limits.
func ParseLoads(value string) (Loads, error) {
	if strings.TrimSpace(value) == "" {
		return nil, nil
	}
	var out Loads
	for _, part := range strings.Split(value, ",") {
		name, n, ok := strings.Cut(strings.TrimSpace(part), "=")
		name = strings.TrimSpace(name)
		if !ok {
			return nil, fmt.Errorf("%q: want VAR=N[,VAR=N], e.g. Threads_running=25", part)
		}
		if !statusName.MatchString(name) {
			return nil, fmt.Errorf("%q: %q is not a status variable name (letters, digits and underscores, as SHOW GLOBAL STATUS lists them, e.g. Threads_running)", part, name)
		}
		max, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		if err != nil || max < 1 {
			return nil, fmt.Errorf("%s=%s: the limit must be a whole number of 1 or more", name, strings.TrimSpace(n))
		}
		if out.Has(name) {
			return nil, fmt.Errorf("%s: %s is given twice: keep one limit per variable", value, name)
		}
		out = append(out, LoadLimit{Var: name, Max: max})
	}
	for _, l := range out {
		if strings.EqualFold(l.Var, "Threads_running") && l.Max < 2 {
			// Reading the status is itself a running thread.
			return nil, fmt.Errorf("%s: Threads_running counts the query that reads it, so it is never below 1 and this limit is always reached (a pause for it never ends, a stop for it comes at once): give at least 2", l)
		}
	}
	return out, nil
}
