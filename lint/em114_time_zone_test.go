package lint

import (
	"strconv"
	"strings"
	"testing"
)

func TestEM114TimeZone(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	created := "  column \"created\" {\n    type = timestamp\n    null = true\n  }\n"
	replaced := func(forward, backward string) string {
		return pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", created+`  column "made_on" {
    type = date
    null = true
  }
  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "`+forward+`"
      backward = "`+backward+`"
    }
  }
`)
	}
	at := func(text string) func(f *fixture) string {
		return func(f *fixture) string { return f.lineOf(pikeFile, text, true) }
	}
	check(t, "EM114", []lintCase{
		{name: "NOW() in forward", pike: replaced("IF(is_public AND NOW() > '2020-01-01', 'public', 'private')", "visibility = 'public'"), setup: at("NOW()")},
		{name: "DATE() of a TIMESTAMP column in backward", pike: replaced("CASE WHEN is_public THEN 'public' ELSE 'private' END", "visibility = 'public' AND DATE(created) > '2020-01-01'"), setup: at("created) >")},
		// One cause, one note, at its first expression.
		{name: "NOW() in forward and backward", pike: replaced("IF(is_public AND NOW() > '2020-01-01', 'public', 'private')", "visibility = 'public' AND NOW() > '2020-01-01'"), setup: at("NOW()")},
		{name: "UTC and the zone-free reads", pike: replaced("IF(is_public AND UTC_TIMESTAMP() > '2020-01-01', 'public', 'private')", "visibility = 'public' AND made_on > '2020-01-01' AND UNIX_TIMESTAMP(created) > 0")},
	})
}

// Expressions with one cause in one file make one note listing where each
// is (MantisBT's release of integer times made DATETIMEs: 38 notes of
// FROM_UNIXTIME).
func TestEM114OneNotePerCause(t *testing.T) {
	f := planned(t, pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", `  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "IF(is_public AND NOW() > '2020-01-01', 'public', 'private')"
      backward = "visibility = 'public' AND NOW() > '2020-01-01'"
    }
  }
`))
	var got []Finding
	for _, fd := range f.lint(false).Findings {
		if fd.Code == "EM114" {
			got = append(got, fd)
		}
	}
	first := strings.TrimPrefix(f.lineOf("schema/pike.hcl", "NOW()", true), "schema/pike.hcl:")
	second := strings.TrimPrefix(f.lineOf("schema/pike.hcl", "visibility = 'public' AND NOW()", true), "schema/pike.hcl:")
	// The backward expression's NOW(), not its start.
	line, col, _ := strings.Cut(second, ":")
	n, _ := strconv.Atoi(col)
	second = line + ":" + strconv.Itoa(n+len("visibility = 'public' AND "))
	if len(got) != 1 || !strings.Contains(got[0].Message, "2 declared expressions of this file depend on the session's time zone, the forward expression of images.visibility first: NOW(...)") ||
		!strings.Contains(got[0].Message, "(at "+first+", "+second+")") {
		t.Errorf("want one note for NOW() at %s and %s:\n%v", first, second, got)
	}
}
