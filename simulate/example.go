package simulate

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/emcee-db/emcee/planner"
	"github.com/emcee-db/emcee/project"
)

// The Glance case the OpenStack pages describe: images.is_public (a
// boolean) becomes images.visibility (an enum) between two releases, with
// an index moving from one to the other. It is the example `emcee simulate
// --example` runs, and the fixture of the e2e test and the benchmarks.
const exampleAtlas = `emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
}
`

const exampleOcata = `schema "glance" {}

table "images" {
  schema = schema.glance
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  column "size" {
    type = bigint
    null = true
  }
  column "status" {
    type    = enum("queued", "active", "deleted")
    default = "queued"
  }
  column "created_at" {
    type = datetime
  }
  column "is_public" {
    type    = bool
    default = false
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_is_public" {
    columns = [column.is_public]
  }
}
`

const examplePike = `schema "glance" {}

table "images" {
  schema = schema.glance
  column "id" {
    type           = bigint
    auto_increment = true
  }
  column "name" {
    type = varchar(64)
  }
  column "size" {
    type = bigint
    null = true
  }
  column "status" {
    type    = enum("queued", "active", "deleted")
    default = "queued"
  }
  column "created_at" {
    type = datetime
  }
  column "visibility" {
    type    = enum("private", "public", "shared", "community")
    default = "shared"
    replaces {
      column   = "is_public"
      forward  = "CASE WHEN is_public THEN 'public' ELSE 'private' END"
      backward = "visibility = 'public'"
    }
  }
  primary_key {
    columns = [column.id]
  }
  index "ix_images_visibility" {
    columns = [column.visibility]
  }
}
`

// ExampleRelease is the release the example upgrades to.
const ExampleRelease = "pike"

// WriteExample creates the Glance example project in dir (atlas.hcl,
// schema/, and plans/ as `emcee plan` writes them) and loads it.
func WriteExample(dir string) (*project.Project, error) {
	return WriteProject(dir, map[string]string{
		"atlas.hcl":        exampleAtlas,
		"schema/ocata.hcl": exampleOcata,
		"schema/pike.hcl":  examplePike,
	})
}

// WriteProject writes a project's files (path relative to dir -> content),
// plans it as `emcee plan` does and loads it, for simulations and
// benchmarks of other workloads.
func WriteProject(dir string, files map[string]string) (*project.Project, error) {
	for name, body := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	p, err := project.Load(filepath.Join(dir, "atlas.hcl"))
	if err != nil {
		return nil, err
	}
	out, err := planner.Plan(p, planner.Options{})
	if err != nil {
		return nil, fmt.Errorf("planning %s: %w", project.Rel(dir), err)
	}
	if err := out.Write(); err != nil {
		return nil, err
	}
	return p, nil
}
