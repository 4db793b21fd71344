package lint

import (
	"fmt"
	"strings"

	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// A trigger computes in the session of whoever writes the row, which is
// in the application's time zone; migrate's backfill computes in the zone
// emcee takes for the application's (the server's @@global.time_zone, or
// emcee.app_time_zone). An expression whose value depends on the zone
// (DATE() of a TIMESTAMP column, NOW(), FROM_UNIXTIME()) gives the same
// rows the same values only while every session of the application writes
// in that one zone: a reviewer should know the release relies on it.
var _ = register(&Analyzer{
	Code:  "EM114",
	Title: "declared expression whose value depends on the session's time zone: backfill and triggers agree only if the application writes in one known zone",
	Run: func(p *Pass) {
		for _, rel := range p.loadReleases() {
			if rel.r == nil {
				continue
			}
			schemas := []*schema.Schema{rel.r.Schema}
			if prev := p.before(rel.name); prev != nil {
				schemas = append(schemas, prev)
			}
			timestamps := func(table string) []string {
				var out []string
				for _, s := range schemas {
					t, ok := s.Table(table)
					if !ok {
						continue
					}
					for _, c := range t.Columns {
						if tt, ok := c.Type.Type.(*schema.TimeType); ok && strings.EqualFold(tt.T, "timestamp") {
							out = append(out, c.Name)
						}
					}
				}
				return out
			}
			// One note per cause and file, at its first expression, the
			// others listed: MantisBT's release converting its integer
			// times got 38 notes of FROM_UNIXTIME, one per column.
			type cause struct{ file, why string }
			var order []cause
			uses := map[cause][]diff.ZoneUse{}
			for _, z := range rel.r.Declarations.ZoneDependent(timestamps) {
				k := cause{z.Pos.File, z.Cause}
				if uses[k] == nil {
					order = append(order, k)
				}
				uses[k] = append(uses[k], z)
			}
			for _, k := range order {
				zs := uses[k]
				z := zs[0]
				msg := fmt.Sprintf("the %s depends on the session's time zone: %s. emcee's backfill computes it in the application's zone (the server's @@global.time_zone, or emcee.app_time_zone), each trigger in the zone of the session writing the row: the values agree only if every session of the application writes in that zone", z.What, z.Why)
				if len(zs) > 1 {
					var at []string
					for _, z := range zs {
						at = append(at, fmt.Sprintf("%d:%d", z.Pos.Line, z.Pos.Col))
					}
					msg = fmt.Sprintf("%s of this file depend on the session's time zone, the %s first: %s (at %s). emcee's backfill computes them in the application's zone (the server's @@global.time_zone, or emcee.app_time_zone), each trigger in the zone of the session writing the row: the values agree only if every session of the application writes in that zone",
						sqlsyntax.Plural(len(zs), "declared expression"), z.What, z.Cause, strings.Join(at, ", "))
				}
				p.atSchema("EM114", Note, z.Pos, msg,
					"if the application sets its own time_zone, declare it in atlas.hcl (emcee { app_time_zone = \"+00:00\" }); or compute without the session's zone (a DATETIME column, UTC_TIMESTAMP(), CONVERT_TZ with both zones named)")
			}
		}
	},
})
