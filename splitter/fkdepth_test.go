package splitter

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
)

// Tables are created parents first and dropped children first, whatever
// their names: "a_child" sorts before "z_parent" but references it.
func TestForeignKeyOrder(t *testing.T) {
	target := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	tables := `schema "app" {}
table "z_parent" {
  schema = schema.app
  column "id" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
}
table "a_child" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "p" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_p" {
    columns     = [column.p]
    ref_columns = [table.z_parent.column.id]
  }
}
`
	full := diff.Source{Release: "full", File: "full.hcl", Src: []byte(tables)}
	empty := diff.Source{Release: "empty", File: "empty.hcl", Src: []byte(`schema "app" {}`)}
	for _, tc := range []struct {
		name     string
		from     *diff.Source
		to       diff.Source
		phase    revision.Phase
		first    string
		firstSQL string
	}{
		{"create", nil, full, revision.Expand, "z_parent", "CREATE TABLE `z_parent`"},
		{"drop", &full, empty, revision.Contract, "a_child", "DROP TABLE `a_child`"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl, err := Transition(target, Sources{Prev: tc.from, To: tc.to})
			if err != nil {
				t.Fatal(err)
			}
			ph := pl.Phases
			stmts := ph[tc.phase]
			if len(stmts) != 2 || !strings.HasPrefix(stmts[0].SQL, tc.firstSQL) {
				t.Fatalf("%s: first statement should touch %s:\n%v", tc.phase, tc.first, stmts)
			}
		})
	}
}

const cyclicTables = `schema "app" {}
table "users" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "team" {
    type = int
    null = true
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_users_team" {
    columns     = [column.team]
    ref_columns = [table.teams.column.id]
  }
}
table "teams" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "owner" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_teams_owner" {
    columns     = [column.owner]
    ref_columns = [table.users.column.id]
  }
}
table "audit" {
  schema = schema.app
  column "id" {
    type = int
  }
  column "user" {
    type = int
  }
  primary_key {
    columns = [column.id]
  }
  foreign_key "fk_audit_user" {
    columns     = [column.user]
    ref_columns = [table.users.column.id]
  }
}
`

// New tables that reference each other (issue 10, hole 8: the server
// refused the first CREATE TABLE with errno 150) are created without the
// keys of the cycle, which are added after them in expand; dropped
// together, the keys go first. A table outside the cycle keeps its key in
// its CREATE TABLE, after the table it references. The order is the same
// on every run.
func TestForeignKeyCycle(t *testing.T) {
	target := project.Target{Flavor: "mariadb", Major: 10, Minor: 11}
	full, err := diff.ParseRelease("full", "full.hcl", []byte(cyclicTables), target)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := diff.ParseRelease("empty", "empty.hcl", []byte(`schema "app" {}`), target)
	if err != nil {
		t.Fatal(err)
	}
	drv, err := diff.Offline(target)
	if err != nil {
		t.Fatal(err)
	}
	split := func(from *diff.Release, to *diff.Release) Phases {
		tr, err := diff.Between(drv, target, from, to)
		if err != nil {
			t.Fatal(err)
		}
		ph, err := Split(tr, target, drv)
		if err != nil {
			t.Fatal(err)
		}
		return ph
	}
	want := map[revision.Phase][]string{
		revision.Expand: {
			"CREATE TABLE `teams` (`id` int NOT NULL, `owner` int NOT NULL, PRIMARY KEY (`id`))",
			"CREATE TABLE `users` (`id` int NOT NULL, `team` int NULL, PRIMARY KEY (`id`))",
			"CREATE TABLE `audit` (`id` int NOT NULL, `user` int NOT NULL, PRIMARY KEY (`id`), CONSTRAINT `fk_audit_user` FOREIGN KEY (`user`) REFERENCES `users` (`id`))",
			"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `teams` ADD CONSTRAINT `fk_teams_owner` FOREIGN KEY (`owner`) REFERENCES `users` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
			"SET STATEMENT foreign_key_checks=0 FOR ALTER TABLE `users` ADD CONSTRAINT `fk_users_team` FOREIGN KEY (`team`) REFERENCES `teams` (`id`), ALGORITHM=INPLACE, LOCK=NONE",
		},
		revision.Contract: {
			"ALTER TABLE `teams` DROP FOREIGN KEY `fk_teams_owner`, ALGORITHM=INPLACE, LOCK=NONE",
			"ALTER TABLE `users` DROP FOREIGN KEY `fk_users_team`, ALGORITHM=INPLACE, LOCK=NONE",
			"DROP TABLE `audit`",
			"DROP TABLE `teams`",
			"DROP TABLE `users`",
		},
	}
	for run := 0; run < 5; run++ {
		for phase, ph := range map[revision.Phase]Phases{revision.Expand: split(nil, full), revision.Contract: split(full, empty)} {
			var got []string
			for _, st := range ph[phase] {
				got = append(got, st.SQL)
			}
			if strings.Join(got, "\n") != strings.Join(want[phase], "\n") {
				t.Fatalf("%s, run %d:\n%s\nwant:\n%s", phase, run, strings.Join(got, "\n"), strings.Join(want[phase], "\n"))
			}
		}
	}
}
