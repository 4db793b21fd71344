package planner

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/revision"
	"github.com/emcee-db/emcee/schemadef"
)

// A mysql 8.0 project planned without declaring its database's default is
// planned for MySQL 8.0's (utf8mb4_0900_ai_ci), and its snapshots say so:
// declaring that default in the schema blocks afterwards changes nothing,
// and the applier compares a database created with the server's defaults
// with what the plans were computed for. It was planned for MariaDB's
// utf8mb4_general_ci: the declaration was refused until every release was
// planned again, and the applier noted every such database.
func TestMySQLProjectPlannedForMySQLsDefault(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "atlas.hcl", strings.Replace(strings.Replace(projectFile, "%s", "", 1), "mariadb 10.11", "mysql 8.0", 1))
	write(t, dir, "schema/ocata.hcl", ocata)
	write(t, dir, "schema/pike.hcl", pikeWith("  column \"owner\" {\n    type = varchar(50)\n    null = true\n  }\n"))
	plan(t, dir, Options{})
	mysql80 := project.Target{Flavor: "mysql", Major: 8, Minor: 0}
	for _, rel := range []string{"ocata", "pike"} {
		coll, err := schemadef.SnapshotDefault(filepath.Join(dir, "plans", revision.SnapshotFile(rel)), mysql80)
		if err != nil || coll != "utf8mb4_0900_ai_ci" {
			t.Fatalf("%s was planned for %q (%v), not MySQL 8.0's utf8mb4_0900_ai_ci", rel, coll, err)
		}
	}
	declared := "schema \"app\" {\n  charset = \"utf8mb4\"\n  collate = \"utf8mb4_0900_ai_ci\"\n}\n"
	for _, rel := range []string{"ocata", "pike"} {
		src := string(read(t, dir, "schema/"+rel+".hcl"))
		write(t, dir, "schema/"+rel+".hcl", strings.Replace(src, "schema \"app\" {}\n", declared, 1))
	}
	out := plan(t, dir, Options{})
	for path := range out.Files {
		if strings.HasSuffix(path, ".sql") && strings.Contains(path, "02") {
			t.Errorf("declaring MySQL 8.0's default, which the plans were computed for, added %s", path)
		}
	}
}
