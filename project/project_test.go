package project

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
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
  osc            = "pt-osc"
  osc_chunk_time = "250ms"
  osc_max_load   = "Threads_running=30"
  osc_critical_load = "Threads_running=90"
  osc_sleep      = "5ms"
  app_time_zone  = "Europe/Paris"
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
	if want := (OSC{Tool: OSCPtOSC, ChunkTime: 250 * time.Millisecond, MaxLoad: Loads{{"Threads_running", 30}}, CriticalLoad: Loads{{"Threads_running", 90}}, Sleep: 5 * time.Millisecond}); !reflect.DeepEqual(p.OSC, want) || !p.OSC.Enabled() {
		t.Fatalf("osc: %+v, want %+v", p.OSC, want)
	}
	if p.AppTimeZone != "Europe/Paris" || !strings.HasSuffix(p.AppTimeZoneAt, "atlas.hcl:19:20") {
		t.Fatalf("app_time_zone %q at %q", p.AppTimeZone, p.AppTimeZoneAt)
	}
	// A typo of an env's name is answered as one of an attribute's.
	for name, want := range map[string]string{
		"staging": `no env "staging" (defined: prod)`,
		"prdo":    `no env "prdo": did you mean "prod"? (defined: prod)`,
		"Prod":    `no env "Prod": did you mean "prod"? (defined: prod)`,
	} {
		if _, err := p.Env(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("env %s: %v, want %s", name, err, want)
		}
	}
	none, err := load(t, "emcee {\n  releases = [\"a\"]\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := none.Env("prod"); err == nil || !strings.Contains(err.Error(), `no env "prod": the file declares no env block; declare one (env "prod" { url = "mysql://..." }), or pass --url`) {
		t.Errorf("no env block: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{`env "x" {}`, `no emcee block`},
		{"emcee {\n  releses = [\"a\"]\n}", `atlas.hcl:2:3: unknown attribute "releses" in the emcee block (did you mean "releases"?)`},
		{"emcee {\n  releases = [\"a\", \"a\"]\n}", `"a" is listed twice`},
		{"emcee {\n  releases = [\"ocata\", \"Pike\"]\n}", `atlas.hcl:2:24: emcee.releases: "Pike" is not a valid release name`},
		{"emcee {\n  releases = [\"2023_1\", \"_x\"]\n}", `atlas.hcl:2:25: emcee.releases: "_x" is not a valid release name`},
		{"emcee {\n  releases = [\"pike_expand01\"]\n}", `release name "pike_expand01" reads as revision pike_expand01 of release pike`},
		{"emcee {\n  releases = [\"a\"]\n}\nemcee {\n  releases = [\"b\"]\n}", `atlas.hcl:4:1: a second emcee block (the first is at`},
		{"emcee {\n  releases = [\"a\"]\n  x {}\n}", `atlas.hcl:3:3: unknown block "x" in the emcee block`},
		{"variable \"r\" {\n  type = string\n}\nemcee {\n  releases = [var.r]\n}", `missing value for required variable "r"`},
		{"emcee {\n  releases = [local.nope]\n}", `atlas.hcl:2:15: Unknown local`},
		{"emcee {\n  releases = [\"a\"]\n  released = [\"a\", \"b\"]\n}", `atlas.hcl:3:20: emcee.released: "b" is not in emcee.releases`},
		{"emcee {\n  releases = [\"a\"]\n  target = \"postgres 16\"\n}", `atlas.hcl:3:12: emcee.target: "postgres 16": want "mysql 8.0" or "mariadb 10.11"`},
		{"emcee {\n  releases = [\"a\", \"b\", \"c\"]\n  released = [\"a\", \"c\"]\n}", `atlas.hcl:3:20: emcee.released: "c" is released, but "b", listed before it in emcee.releases, is not: releases ship in order. Add "b" to released, or remove "c"`},
		{"emcee {\n  releases = [\"a\", \"b\"]\n  released = [\"b\"]\n}", `atlas.hcl:3:15: emcee.released: "b" is released, but "a"`},
		{"emcee {\n  releases = [\"a\"]\n  target = \"mariadb 10.3\"\n}", `supports MySQL 8.0+ and MariaDB 10.5+`},
		{"emcee {\n  releases = [\"a\"]\n  osc = \"gh-ost\"\n}", `atlas.hcl:3:9: emcee.osc: "gh-ost" is not an online schema change tool emcee runs: want "pt-osc"`},
		{"emcee {\n  releases = [\"a\"]\n  osc_chunk_time = \"fast\"\n}", `atlas.hcl:3:20: emcee.osc_chunk_time: "fast": want a duration`},
		{"emcee {\n  releases = [\"a\"]\n  osc_chunk_time = \"-1s\"\n}", `emcee.osc_chunk_time: -1s: want a positive duration`},
		{"emcee {\n  releases = [\"a\"]\n  osc_max_load = \"Threads_running=25; DROP\"\n}", `atlas.hcl:3:18: emcee.osc_max_load Threads_running=25; DROP: the limit must be a whole number of 1 or more`},
		{"emcee {\n  releases = [\"a\"]\n  osc_critical_load = \"Threads_running=1\"\n}", `atlas.hcl:3:23: emcee.osc_critical_load Threads_running=1: Threads_running counts the query that reads it, so it is never below 1 and this limit is always reached (a pause for it never ends, a stop for it comes at once): give at least 2`},
		{"emcee {\n  releases = [\"a\"]\n  osc_max_load = \"Threads_running:25\"\n}", `atlas.hcl:3:18: emcee.osc_max_load "Threads_running:25": want VAR=N[,VAR=N], e.g. Threads_running=25`},
		{"emcee {\n  releases = [\"a\"]\n  osc_sleep = \"-1ms\"\n}", `atlas.hcl:3:15: emcee.osc_sleep: -1ms: want a duration of 0 (no pause) or more`},
		{"emcee {\n  releases = [\"a\"]\n  osc_sleep = \"a bit\"\n}", `emcee.osc_sleep: "a bit": want a duration, e.g. 5ms, or 0 for no pause`},
		{"emcee {\n  releases = [\"a\"]\n  osc_chunktime = \"1s\"\n}", `unknown attribute "osc_chunktime" in the emcee block (did you mean "osc_chunk_time"?)`},
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

// Project files written for Atlas evaluate as Atlas evaluates them:
// variables with --var values, locals, Atlas's functions, the env
// attributes and blocks Atlas documents, for_each on env blocks.
func TestLoadAtlasProjectFile(t *testing.T) {
	t.Setenv("EMCEE_TEST_PASS", "s3cret")
	path := filepath.Join(t.TempDir(), "atlas.hcl")
	src := `
variable "host" {
  type    = string
  default = "127.0.0.1"
}
variable "tenants" {
  type = list(string)
}
locals {
  base    = "mysql://app:${getenv("EMCEE_TEST_PASS")}@${var.host}:3306"
  release = ["2023_1", "2024_1"]
}
env "local" {
  url     = "${local.base}/glance"
  dev     = "${local.base}/glance_dev"
  src     = ["file://schema", "file://views.hcl"]
  schemas = ["glance"]
  exclude = ["*.tmp"]
  migration {
    dir = "file://migrations"
  }
  format {
    migrate {
      diff = format("{{ sql . %q }}", "  ")
    }
  }
  lint {
    destructive {
      error = true
    }
  }
}
env "tenants" {
  for_each = toset(var.tenants)
  url      = urlsetpath(local.base, each.value)
}
lint {
  latest = 1
}
emcee {
  target   = "mariadb 10.11"
  releases = concat(local.release, ["2025_1"])
  released = [local.release[0]]
}
`
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), `missing value for required variable "tenants"`) {
		t.Fatalf("without --var: %v", err)
	}
	p, err := LoadVars(path, Vars{"tenants": {"t1", "t2"}, "host": {"db.internal"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Releases, ","); got != "2023_1,2024_1,2025_1" || !p.Released("2023_1") || p.Released("2024_1") {
		t.Fatalf("releases: %s", got)
	}
	env, err := p.Env("local")
	if err != nil {
		t.Fatal(err)
	}
	if env.URL != "mysql://app:s3cret@db.internal:3306/glance" || env.Dev != "mysql://app:s3cret@db.internal:3306/glance_dev" || strings.Join(env.Src, " ") != "file://schema file://views.hcl" {
		t.Fatalf("env local: %+v", env)
	}
	var urls []string
	for _, e := range p.Envs {
		if e.Name == "tenants" {
			urls = append(urls, e.URL)
		}
	}
	slices.Sort(urls)
	if strings.Join(urls, " ") != "mysql://app:s3cret@db.internal:3306/t1 mysql://app:s3cret@db.internal:3306/t2" {
		t.Fatalf("for_each env: %v", urls)
	}
	if _, err := p.Env("tenants"); err == nil || !strings.Contains(err.Error(), `env "tenants" names 2 databases (for_each)`) {
		t.Fatalf("Env of a fleet: %v", err)
	}
}

// file() reads relative to the project file, also when the project file is
// named relatively (atlas.hcl in the working directory, the default).
func TestLoadFileFunctionRelative(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("releases.txt", []byte("2024_1"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(DefaultFile, []byte("emcee {\n  target   = \"mariadb 10.11\"\n  releases = [file(\"releases.txt\")]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Load(DefaultFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Releases, ",") != "2024_1" {
		t.Fatalf("releases: %v", p.Releases)
	}
}

// A value the file does not hold literally (getenv, file, a --var) is not
// printed when it is refused: it may be a URL with its password, or a
// file's content, that landed in the wrong attribute.
func TestLoadErrorsDoNotPrintOutsideValues(t *testing.T) {
	t.Setenv("EMCEE_TEST_URL", "mysql://app:Sup3rS3cret@db:3306/glance")
	for _, src := range []string{
		"emcee {\n  target   = getenv(\"EMCEE_TEST_URL\")\n  releases = [\"r1\"]\n}\n",
		"emcee {\n  target   = \"mariadb 10.11\"\n  releases = [getenv(\"EMCEE_TEST_URL\")]\n}\n",
		"emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"r1\"]\n  released = [\"${getenv(\"EMCEE_TEST_URL\")}\"]\n}\n",
		"variable \"r\" {\n  type = string\n}\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [var.r]\n}\n",
	} {
		path := filepath.Join(t.TempDir(), "atlas.hcl")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadVars(path, Vars{"r": {"mysql://app:Sup3rS3cret@db:3306/glance"}})
		if err == nil || strings.Contains(err.Error(), "Sup3rS3cret") || !strings.Contains(err.Error(), "atlas.hcl:") {
			t.Errorf("%s: %v, want an error at its position without the value", src, err)
		}
	}
	// What the file holds literally is still quoted.
	if _, err := load(t, "emcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"Bad Name\"]\n}\n"); err == nil || !strings.Contains(err.Error(), `"Bad Name" is not a valid release name`) {
		t.Errorf("literal: %v", err)
	}
}

// --config naming a directory said only "read DIR: is a directory".
func TestLoadConfigIsADirectory(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), dir+" is a directory: pass --config path/to/atlas.hcl") {
		t.Fatalf("got %v", err)
	}
}

// exclude, Atlas's env attribute, is read as globs on table names; a
// pattern naming a column, which emcee's drift checks would not follow as
// Atlas does, or one that is no glob, is refused for the db commands that
// take the env (a file written for Atlas still loads).
func TestEnvExclude(t *testing.T) {
	p, err := load(t, "env \"live\" {\n  url     = \"mysql://u@h/db\"\n  exclude = [\"matomo_archive_*\", \"tmp_?\"]\n}\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n")
	if err != nil {
		t.Fatal(err)
	}
	e, err := p.Env("live")
	if err != nil || !slices.Equal(e.Exclude, []string{"matomo_archive_*", "tmp_?"}) || e.CheckExclude() != nil {
		t.Fatalf("exclude: %v, %v", e, err)
	}
	if !Excluded(e.Exclude, "matomo_archive_blob_2020_02") || !Excluded(e.Exclude, "tmp_1") || Excluded(e.Exclude, "matomo_site") {
		t.Fatal("Excluded matches otherwise than the globs")
	}
	for pat, want := range map[string]string{
		"*.tmp":   `atlas.hcl:1:1: env "live": exclude: "*.tmp" names a column (or a schema)`,
		"t_[":     `atlas.hcl:1:1: env "live": exclude: "t_[" is not a glob`,
		"t_*.col": `names a column (or a schema): emcee's drift checks leave out whole tables only`,
	} {
		p, err := load(t, "env \"live\" {\n  url     = \"mysql://u@h/db\"\n  exclude = [\""+pat+"\"]\n}\nemcee {\n  target   = \"mariadb 10.11\"\n  releases = [\"a\"]\n}\n")
		if err != nil {
			t.Fatalf("%s: a file written for Atlas must load: %v", pat, err)
		}
		e, _ := p.Env("live")
		if err := e.CheckExclude(); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %s", pat, err, want)
		}
	}
}
