package e2e

import "testing"

// MantisBT 1.2.0a1 (admin/schema.php steps 67-73) replaced the free-text
// bug.category with a category table: the categories of each project move
// from project_category into the new table, then every bug is pointed at
// its category's id. Declared as two data migrations, the second reads the
// rows the first inserts.
const (
	mantis11 = `schema "app" {}
table "project_category" {
  schema = schema.app
  column "project_id" {
    type = int
  }
  column "category" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.project_id, column.category]
  }
}
table "bug" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {
    type = int
  }
  column "category" {
    type    = varchar(64)
    default = ""
  }
  primary_key {
    columns = [column.id]
  }
}
`
	mantis12a1 = `schema "app" {}
table "project_category" {
  schema = schema.app
  column "project_id" {
    type = int
  }
  column "category" {
    type = varchar(64)
  }
  primary_key {
    columns = [column.project_id, column.category]
  }
}
table "category" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {
    type = int
  }
  column "name" {
    type = varchar(128)
  }
  primary_key {
    columns = [column.id]
  }
  index "idx_category_project_name" {
    unique  = true
    columns = [column.project_id, column.name]
  }
}
table "bug" {
  schema = schema.app
  column "id" {
    type           = int
    auto_increment = true
  }
  column "project_id" {
    type = int
  }
  column "category_id" {
    type    = int
    default = 1
  }
  primary_key {
    columns = [column.id]
  }
}
data_migration "categories" {
  table   = "category"
  from    = "project_category"
  insert  = "project_id = project_id, name = category"
  pending = "NOT EXISTS (SELECT 1 FROM category AS c WHERE c.project_id = project_category.project_id AND c.name = project_category.category)"
}
data_migration "bug_category" {
  table   = "bug"
  set     = "category_id = (SELECT c.id FROM category AS c WHERE c.project_id = bug.project_id AND c.name = bug.category)"
  pending = "category <> '' AND NOT EXISTS (SELECT 1 FROM category AS c WHERE c.id = bug.category_id AND c.project_id = bug.project_id AND c.name = bug.category)"
}
discard {
  table  = "bug"
  column = "category"
}
`
)

// Sorted by table name, bug's update ran before category had a row and
// migrate failed (Error 1048: category_id cannot be null); in the order
// declared, every bug gets its category's id and contract's gates pass.
func TestMantisDataMigrationsRunInDeclaredOrder(t *testing.T) {
	t.Parallel()
	p := plannedProject(t, "mariadb 10.11", [2]string{"m11", mantis11}, [2]string{"m12a1", mantis12a1})
	p.must("db", "sync", "m11")
	p.exec("INSERT INTO project_category (project_id, category) VALUES (1, 'crash'), (1, 'ui'), (2, 'css')")
	p.exec("INSERT INTO bug (project_id, category) SELECT 1 + seq % 2, IF(seq % 2, 'css', ELT(1 + seq % 4, 'crash', '', 'ui', '')) FROM seq_1_to_300")
	p.must("db", "expand")
	r := p.must("db", "migrate", "--batch-size", "50")
	// project_category has no single-column key: its rows move in one
	// statement, an INSERT (the line said "in one UPDATE").
	opContains(t, r, "backfill project_category in one INSERT ... SELECT (no single-column primary key to batch on)")
	p.must("db", "contract")
	if got := p.query("SELECT COUNT(*) FROM bug b JOIN category c ON c.id = b.category_id WHERE c.project_id = b.project_id"); got != "300" {
		t.Fatalf("%s of 300 bugs point at a category of their project", got)
	}
	if got := p.query("SELECT COUNT(DISTINCT category_id) FROM bug"); got != "3" {
		t.Fatalf("bugs point at %s categories, want 3", got)
	}
}
