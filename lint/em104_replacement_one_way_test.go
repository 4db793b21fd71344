package lint

import (
	"strings"
	"testing"
)

func TestEM104ReplacementOneWay(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	// visibility replaces is_public in both directions.
	replaced := pike("  column \"is_public\" {\n    type    = bool\n    default = false\n  }\n", `  column "visibility" {
    type    = enum("private", "public")
    default = "private"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
`)
	without := func(attr string) func(f *fixture) string {
		return func(f *fixture) string {
			src := f.read(pikeFile)
			i := strings.Index(src, "      "+attr+" ")
			j := i + strings.Index(src[i:], "\n") + 1
			f.write(pikeFile, src[:i]+src[j:])
			return f.lineOf(pikeFile, "replaces {", true)
		}
	}
	check(t, "EM104", []lintCase{
		{name: "replaces without backward", pike: replaced, setup: without("backward")},
		{name: "replaces without forward", pike: replaced, setup: without("forward")},
		{name: "replaces with both directions", pike: replaced},
	})
}
