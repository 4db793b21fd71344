package lint

import "testing"

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
		{name: "UTC and the zone-free reads", pike: replaced("IF(is_public AND UTC_TIMESTAMP() > '2020-01-01', 'public', 'private')", "visibility = 'public' AND made_on > '2020-01-01' AND UNIX_TIMESTAMP(created) > 0")},
	})
}
