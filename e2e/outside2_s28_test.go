package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Kanboard, measured from outside: versions 92 to 101 of its MySQL schema
// (app/Schema/Mysql.php, one function per version), each release the HCL
// `emcee init --from` read from a database the real migrations built, with
// emcee's declarations where a migration moved data; then on to 110 for
// what that range lacked (a table rename). The fixtures under
// testdata/outside2_s28 are trimmed to what each test needs.

// outside2S28Fixture is a file of testdata/outside2_s28.
func outside2S28Fixture(t *testing.T, name string) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "outside2_s28", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// Kanboard 106 renames files to task_has_files. RENAME TABLE renames a
// foreign key named as InnoDB names one declared without a name
// (files_ibfk_1) with its table (task_has_files_ibfk_1), on MariaDB as on
// MySQL, so a database Kanboard upgraded declares the key under the new
// name. emcee compared the release with the old table under its new name
// but the key under its old one: contract dropped files_ibfk_1, which no
// longer existed (error 1091), and stopped half-way, with nothing to do but
// edit the plans. The key keeps its definition: nothing changes.
func TestOutside2S28RenameTableRenamesGeneratedForeignKey(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v105", outside2S28Fixture(t, "files_105.hcl")}, [2]string{"v106", outside2S28Fixture(t, "files_106.hcl")})
	p.must("plan")
	if contract := p.read("plans/v106/v106_contract01.sql"); strings.Contains(contract, "FOREIGN KEY") {
		t.Fatalf("contract changes the foreign key the rename kept:\n%s", contract)
	}
	p.must("db", "sync", "v105")
	p.exec("INSERT INTO tasks (title) VALUES ('t')")
	p.exec("INSERT INTO files (name, task_id) VALUES ('before', 1)")
	p.must("db", "expand")
	p.must("db", "rollback") // RENAME TABLE back: the key is files_ibfk_1 again
	p.must("db", "diff")
	p.must("db", "expand")
	p.exec("INSERT INTO files (name, task_id) VALUES ('v105 code', 1)") // through the view
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'task_has_files'"); got != "task_has_files_ibfk_1" {
		t.Fatalf("foreign keys of task_has_files: %q", got)
	}
	p.exec("DELETE FROM tasks")
	if got := p.query("SELECT COUNT(*) FROM task_has_files"); got != "0" {
		t.Fatalf("task_has_files rows after their task was deleted: %s", got)
	}
}

// Kanboard 110 moves the unique key of user_has_notifications, a table
// without a primary key, from (project_id, user_id) to (user_id,
// project_id). InnoDB clusters such a table by its first unique index on
// NOT NULL columns, so dropping one and adding the other changes the
// clustered index: the table is rebuilt (ALGORITHM=INPLACE). Contract
// combined both in one ALTER with ALGORITHM=NOCOPY, which the server
// refused (error 1845) after the gate had passed.
func TestOutside2S28UniqueKeyMovesOnTableWithoutPrimaryKey(t *testing.T) {
	t.Parallel()
	p := newSchemaProject(t, [2]string{"v109", outside2S28Fixture(t, "notifications_109.hcl")}, [2]string{"v110", outside2S28Fixture(t, "notifications_110.hcl")})
	p.must("plan")
	p.must("db", "sync", "v109")
	p.exec("INSERT INTO users () VALUES (), ()")
	p.exec("INSERT INTO projects () VALUES (), ()")
	p.exec("INSERT INTO user_has_notifications VALUES (1, 1), (1, 2), (2, 1)")
	p.must("db", "expand")
	p.exec("INSERT INTO user_has_notifications VALUES (2, 2)") // v109's code
	p.must("db", "migrate")
	p.must("db", "contract")
	p.must("db", "diff")
	if got := p.query("SELECT COUNT(*) FROM user_has_notifications"); got != "4" {
		t.Fatalf("rows after contract: %s", got)
	}
	if _, err := p.DB.Exec("INSERT INTO user_has_notifications VALUES (2, 2)"); err == nil || !strings.Contains(err.Error(), "1062") {
		t.Fatalf("a duplicate after contract: %v", err)
	}
}

// Dropping the unique key of such a table alone (Kanboard 110's, with no
// key in its place), or making it non-unique, drops the key InnoDB
// clusters it by, which the server does only by copying the table: plan,
// lint and review passed it, and contract failed (error 1846, "Dropping a
// primary key is not allowed without also adding a new primary key"). It
// is refused at plan time, saying what to do instead.
func TestOutside2S28DropClusteringUniqueKeyRefused(t *testing.T) {
	t.Parallel()
	v109 := outside2S28Fixture(t, "notifications_109.hcl")
	v110 := strings.Replace(v109, "  index \"project_id\" {\n    unique  = true\n    columns = [column.project_id, column.user_id]\n  }\n", "", 1)
	if v110 == v109 {
		t.Fatal("the fixture lacks the unique key")
	}
	p := newSchemaProject(t, [2]string{"v109", v109}, [2]string{"v110", v110})
	r := p.plan()
	if r.Code != 1 {
		t.Fatalf("dropping the clustering key planned: %s\n%s", r, p.read("plans/v110/v110_contract01.sql"))
	}
	opContains(t, r, "schema/v110.hcl:34:1: index project_id of user_has_notifications is the key InnoDB clusters the table by", "give user_has_notifications a primary key in an earlier release (rule add-primary-key)")

	// No longer unique under its name (rule index-uniqueness): the same.
	opWrite(t, filepath.Join(p.Dir, "schema", "v110.hcl"), []byte(strings.Replace(v109, "  index \"project_id\" {\n    unique  = true\n", "  index \"project_id\" {\n", 1)))
	if r := p.plan(); r.Code != 1 || !strings.Contains(r.Stderr, "schema/v110.hcl:56:3: index project_id of user_has_notifications is the key InnoDB clusters the table by") {
		t.Fatalf("the clustering key made non-unique: %s", r)
	}
}

// Kanboard 97 folds users.is_admin and is_project_admin into role: role
// replaces is_admin, and is_project_admin, which its forward expression
// reads, is discarded. Contract drops both in one ALTER, which Atlas
// reports as one loss of both columns, and lint's note called it
// "declared on purpose: discard at <position>", as if is_admin had been
// discarded too. It names what the discard declared.
func TestOutside2S28DataAtRiskNamesTheDiscard(t *testing.T) {
	t.Parallel()
	v96 := `schema "kanboard" {
}

table "users" {
  schema = schema.kanboard
  column "id" {
    null           = false
    type           = int
    auto_increment = true
  }
  column "is_admin" {
    null    = true
    type    = tinyint
    default = 0
  }
  column "is_project_admin" {
    null    = true
    type    = int
    default = 0
  }
  primary_key {
    columns = [column.id]
  }
}
`
	v97 := strings.Replace(v96, `  column "is_admin" {
    null    = true
    type    = tinyint
    default = 0
  }
  column "is_project_admin" {
    null    = true
    type    = int
    default = 0
  }
`, `  column "role" {
    null    = false
    type    = varchar(25)
    default = "app-user"
    replaces {
      column   = "is_admin"
      forward  = "CASE WHEN is_admin = 1 THEN 'app-admin' WHEN is_project_admin = 1 THEN 'app-manager' ELSE 'app-user' END"
      backward = "role = 'app-admin'"
    }
  }
`, 1) + `
discard {
  table  = "users"
  column = "is_project_admin"
}
`
	p := newSchemaProject(t, [2]string{"v96", v96}, [2]string{"v97", v97})
	p.must("plan")
	r := p.must("lint")
	opContains(t, r, "EM108 note: data at risk: Dropping non-virtual columns", "declared on purpose: discard of users.is_project_admin at schema/v97.hcl:26:1;")
}
