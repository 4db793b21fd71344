package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func load(t *testing.T, content string) (*Project, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "atlas.hcl")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path)
}

func TestLoad(t *testing.T) {
	t.Setenv("EMCEE_TEST_URL", "mysql://u@h:3306/db")
	p, err := load(t, `
env "prod" {
  url = getenv("EMCEE_TEST_URL")
  dev = "docker://mariadb/10.11/dev"
  src = "file://schema"
  migration {
    dir = "file://migrations"
  }
}
emcee {
  target   = "mariadb 10.11"
  releases = ["ocata", "pike"]
  released = ["ocata"]
}
`)
	if err != nil {
		t.Fatal(err)
	}
	env, err := p.Env("prod")
	if err != nil || env.URL != "mysql://u@h:3306/db" {
		t.Fatalf("env: %+v, %v", env, err)
	}
	if !p.Released("ocata") || p.Released("pike") || !p.Target.MariaDB() || filepath.Base(p.PlansDir) != "plans" {
		t.Fatalf("project: %+v", p)
	}
	if _, err := p.Env("staging"); err == nil || !strings.Contains(err.Error(), `no env "staging" (defined: prod)`) {
		t.Fatalf("missing env: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`env "x" {}`, `no emcee block`},
		{"emcee {\n  releses = [\"a\"]\n}", `atlas.hcl:2:3: Unsupported argument; An argument named "releses" is not expected here. Did you mean "released"?`},
		{"emcee {\n  releases = [\"a\", \"a\"]\n}", `atlas.hcl:2:20: emcee.releases: "a" is listed twice`},
		{"emcee {\n  releases = [\"Pike\"]\n}", `"Pike" is not a valid release name`},
		{"emcee {\n  releases = [\"a\"]\n  released = [\"b\"]\n}", `atlas.hcl:3:15: emcee.released: "b" is not in emcee.releases`},
		{"emcee {\n  releases = [\"a\", \"b\", \"c\"]\n  released = [\"a\", \"c\"]\n}", `atlas.hcl:3:20: emcee.released: "c" is released, but "b", listed before it in emcee.releases, is not: releases ship in order. Add "b" to released, or remove "c"`},
		{"emcee {\n  releases = [\"a\", \"b\"]\n  released = [\"b\"]\n}", `atlas.hcl:3:15: emcee.released: "b" is released, but "a"`},
		{"emcee {\n  releases = [\"a\"]\n  target = \"postgres 16\"\n}", `atlas.hcl:1:1: emcee.target: "postgres 16": want "mysql 8.0" or "mariadb 10.11"`},
		{"emcee {\n  releases = [\"a\"]\n  target = \"mariadb 10.3\"\n}", `supports MySQL 8.0+ and MariaDB 10.5+`},
	} {
		_, err := load(t, tc.src)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s\n got: %v\nwant: %s", tc.src, err, tc.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "atlas.hcl")); err == nil || !strings.Contains(err.Error(), "pass --config") {
		t.Errorf("missing file: %v", err)
	}
}
