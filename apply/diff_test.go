package apply

import (
	"database/sql"
	"slices"
	"testing"

	"github.com/emcee-db/emcee/devdb"
	"github.com/emcee-db/emcee/history"
	"github.com/emcee-db/emcee/revision"
)

func TestPlanReplay(t *testing.T) {
	releases := []string{"ocata", "pike", "queens"}
	rev := func(name string, stmts ...revision.Statement) *revision.Revision {
		id, err := revision.ParseID(name)
		if err != nil {
			t.Fatal(err)
		}
		return &revision.Revision{ID: id, Statements: stmts}
	}
	ddl := func(sql string) revision.Statement { return revision.Statement{SQL: sql} }
	plans := &revision.Plans{Revisions: []*revision.Revision{
		rev("ocata_expand01", ddl("CREATE TABLE a")), rev("ocata_migrate01"), rev("ocata_contract01"),
		rev("pike_expand01", ddl("ADD b"), ddl("CREATE TRIGGER b_bi"), ddl("CREATE TRIGGER b_bu")),
		rev("pike_migrate01", revision.Statement{Kind: revision.Backfill, SQL: "UPDATE a SET b = 1 WHERE b IS NULL"}),
		rev("pike_contract01", revision.Statement{Kind: revision.Gate, SQL: "SELECT 0"}, ddl("DROP TRIGGER b_bi"), ddl("DROP TRIGGER b_bu")),
		rev("queens_expand01", ddl("ADD c")), rev("queens_migrate01"), rev("queens_contract01"),
	}}
	done := func(names ...string) history.Records {
		rs := history.Records{}
		for _, n := range names {
			id, _ := revision.ParseID(n)
			rs[n] = &history.Record{Name: n, ID: id, FinishedAt: sql.NullTime{Valid: true}}
		}
		return rs
	}
	steps := func(p *replay) []string {
		var out []string
		for _, s := range p.steps {
			out = append(out, s.Revision+" "+s.SQL)
		}
		return out
	}

	// Nothing finished: replay from an empty schema.
	recs := done()
	recs["ocata_expand01"] = &history.Record{Name: "ocata_expand01", ID: plans.Revisions[0].ID}
	p := planReplay(releases, plans, recs)
	if p.base != "" || len(p.steps) != 0 || p.comparedWith() != "ocata_expand01 (0 of 1 statements)" || p.inFlight != nil {
		t.Errorf("first revision started: %+v", p)
	}

	// Middle of pike: ocata's snapshot, then pike_expand01 and the
	// backfill, which changes no schema.
	p = planReplay(releases, plans, done("ocata_expand01", "ocata_migrate01", "ocata_contract01", "pike_expand01", "pike_migrate01"))
	if p.base != "ocata" || !slices.Equal(p.replayed, []string{"pike_expand01", "pike_migrate01"}) || p.comparedWith() != "ocata_expand01 ... pike_migrate01" ||
		!slices.Equal(steps(p), []string{"pike_expand01 ADD b", "pike_expand01 CREATE TRIGGER b_bi", "pike_expand01 CREATE TRIGGER b_bu"}) {
		t.Errorf("middle of pike: %+v", p)
	}

	// A contract stopped after its gate and first DROP, the second DROP
	// sent but not recorded: gates are skipped, the DROP is in flight.
	recs = done("ocata_expand01", "ocata_migrate01", "ocata_contract01", "pike_expand01", "pike_migrate01")
	recs["pike_contract01"] = &history.Record{Name: "pike_contract01", ID: plans.Revisions[5].ID, Applied: 2, InFlight: true}
	p = planReplay(releases, plans, recs)
	if got := steps(p); !slices.Equal(got[3:], []string{"pike_contract01 DROP TRIGGER b_bi"}) || p.comparedWith() != "ocata_expand01 ... pike_contract01 (2 of 3 statements)" {
		t.Errorf("unfinished contract: %q, %s", got, p.comparedWith())
	}
	if p.inFlight == nil || *p.inFlight != (devdb.Step{Revision: "pike_contract01", N: 3, SQL: "DROP TRIGGER b_bu"}) || p.inFlightPhase != revision.Contract {
		t.Errorf("in flight: %+v", p.inFlight)
	}

	// pike finished: its snapshot is the base, and only queens replays.
	p = planReplay(releases, plans, done("ocata_expand01", "ocata_migrate01", "ocata_contract01", "pike_expand01", "pike_migrate01", "pike_contract01", "queens_expand01"))
	if p.base != "pike" || !slices.Equal(steps(p), []string{"queens_expand01 ADD c"}) || p.comparedWith() != "ocata_expand01 ... queens_expand01" {
		t.Errorf("into queens: %+v", p)
	}

	// A rollback in progress replays after the release's revisions, its
	// revisions newest first: pike_rollback02 done, pike_rollback01 with
	// its first DROP applied and the second in flight.
	plans.Revisions = append(plans.Revisions[:4], append([]*revision.Revision{rev("pike_expand02", ddl("ADD d"))}, plans.Revisions[4:]...)...)
	plans.Rollbacks = []*revision.Revision{ // as revision.ReadPlans lists them
		rev("pike_rollback02", ddl("DROP d")),
		rev("pike_rollback01", ddl("DROP TRIGGER b_bu"), ddl("DROP TRIGGER b_bi"), ddl("DROP b")),
	}
	recs = done("ocata_expand01", "ocata_migrate01", "ocata_contract01", "pike_expand01", "pike_expand02", "pike_migrate01", "pike_rollback02")
	recs["pike_rollback01"] = &history.Record{Name: "pike_rollback01", ID: plans.Rollbacks[1].ID, Applied: 1, InFlight: true}
	p = planReplay(releases, plans, recs)
	if got := steps(p); !slices.Equal(got[len(got)-3:], []string{"pike_expand02 ADD d", "pike_rollback02 DROP d", "pike_rollback01 DROP TRIGGER b_bu"}) ||
		p.comparedWith() != "ocata_expand01 ... pike_rollback01 (1 of 3 statements)" {
		t.Errorf("rollback in progress: %q, %s", got, p.comparedWith())
	}
	if p.inFlight == nil || *p.inFlight != (devdb.Step{Revision: "pike_rollback01", N: 2, SQL: "DROP TRIGGER b_bi"}) || p.inFlightPhase != revision.Rollback {
		t.Errorf("in flight: %+v", p.inFlight)
	}
}
