package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/emcee-db/emcee/planner"
)

// commandsOf lists every command a user runs (cobra's own help and
// completion commands aside).
func commandsOf(c *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, sub := range c.Commands() {
		if sub.Name() == "help" || sub.Name() == "completion" || sub.Hidden {
			continue
		}
		if sub.Runnable() && !sub.HasSubCommands() {
			out = append(out, sub)
		}
		out = append(out, commandsOf(sub)...)
	}
	return out
}

// args is how to call a command: its path, without the root.
func args(c *cobra.Command) []string {
	return strings.Fields(strings.TrimPrefix(c.CommandPath(), "emcee "))
}

func TestEveryCommandTakesFormat(t *testing.T) {
	root := newRoot()
	cmds := commandsOf(root)
	if len(cmds) < 15 {
		t.Fatalf("found only %d commands", len(cmds))
	}
	for _, c := range cmds {
		_ = c.ParseFlags(nil) // merges the persistent flags of db
		f := c.Flags().Lookup("format")
		if f == nil {
			t.Errorf("%s has no --format", c.CommandPath())
			continue
		}
		want := []string{"text", "json", "yaml"}
		if c.Name() == "review" {
			want = append(want, "markdown")
		}
		if got := f.Annotations[formatsAnnotation]; !slices.Equal(got, want) {
			t.Errorf("%s --format accepts %v, want %v", c.CommandPath(), got, want)
		}
		out, _, code := cli(t, append([]string{"__complete"}, append(args(c), "--format", "")...)...)
		for _, w := range want {
			if code != 0 || !strings.Contains(out, w+"\n") {
				t.Errorf("completion of %s --format lacks %s:\n%s", c.CommandPath(), w, out)
			}
		}
	}
}

// An unknown format is a usage error (2) on every command, found before
// the command reads anything or connects: here every command is pointed
// at a server that does not exist and a project file that does not
// either, and still exits 2, not 1.
func TestUnknownFormatExits2BeforeRunning(t *testing.T) {
	for _, c := range commandsOf(newRoot()) {
		a := append([]string{"--config", "no/such/atlas.hcl"}, args(c)...)
		if strings.Contains(c.Use, "RELEASE") && !strings.Contains(c.Use, "[RELEASE") {
			a = append(a, "pike")
		}
		if strings.Contains(c.Use, " REVISION") {
			a = append(a, "pike_expand01")
		}
		if c.Flags().Lookup("url") != nil || c.HasParent() && c.Parent().Name() == "db" {
			a = append(a, "--url", "mysql://root@127.0.0.1:1/x")
		}
		if c.Name() == "init" {
			a = append(a, "--from", "mysql://root@127.0.0.1:1/x")
		}
		var out, errb bytes.Buffer
		code := execute(newRoot(), append(a, "--format", "xml"), &out, &errb)
		if code != codeUsage || out.Len() != 0 || !strings.Contains(errb.String(), `--format "xml": want text, json`) {
			t.Errorf("emcee %s --format xml: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout", strings.Join(a, " "), code, out.String(), errb.String())
		}
	}
}

// oneDocument parses stdout as exactly one JSON or YAML document.
func oneDocument(t *testing.T, format, stdout string) map[string]any {
	t.Helper()
	var doc map[string]any
	if format == "json" {
		dec := json.NewDecoder(strings.NewReader(stdout))
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("not a JSON document: %v\n%s", err, stdout)
		}
		if dec.More() {
			t.Fatalf("more than one JSON document:\n%s", stdout)
		}
		return doc
	}
	dec := yaml.NewDecoder(strings.NewReader(stdout))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not a YAML document: %v\n%s", err, stdout)
	}
	var more any
	if err := dec.Decode(&more); err == nil {
		t.Fatalf("more than one YAML document:\n%s", stdout)
	}
	return doc
}

// keys lists an object's keys, recursively, in document order.
func keys(t *testing.T, format, stdout string) []string {
	t.Helper()
	var n yaml.Node // JSON is YAML: one reader keeps the order of both
	if err := yaml.Unmarshal([]byte(stdout), &n); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(n *yaml.Node, path string)
	walk = func(n *yaml.Node, path string) {
		switch n.Kind {
		case yaml.DocumentNode:
			walk(n.Content[0], path)
		case yaml.MappingNode:
			for i := 0; i < len(n.Content); i += 2 {
				out = append(out, path+n.Content[i].Value)
				walk(n.Content[i+1], path+n.Content[i].Value+".")
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, path+"[].")
			}
		}
	}
	walk(&n, "")
	return out
}

// The yaml document is the json document: same values, same keys in the
// same order, for every command that runs without a database.
func TestYAMLIsTheJSONDocument(t *testing.T) {
	for _, a := range [][]string{
		{"version"},
		{"rules"},
		{"plan", "--check"},
		{"review", "train"},
		{"lint", "--offline"},
	} {
		js, _, jcode := cli(t, append(a, "--format", "json")...)
		ys, _, ycode := cli(t, append(a, "--format", "yaml")...)
		if jcode != 0 || ycode != 0 {
			t.Fatalf("%v: exit %d (json), %d (yaml)", a, jcode, ycode)
		}
		jd, yd := oneDocument(t, "json", js), oneDocument(t, "yaml", ys)
		// YAML reads 1 as an int where JSON reads a float64: compare
		// through JSON.
		b, _ := json.Marshal(yd)
		var yj map[string]any
		_ = json.Unmarshal(b, &yj)
		if !reflect.DeepEqual(jd, yj) {
			t.Errorf("%v: the yaml document differs from the json one:\n%s\n%s", a, js, ys)
		}
		if jk, yk := keys(t, "json", js), keys(t, "yaml", ys); !slices.Equal(jk, yk) {
			t.Errorf("%v: keys in another order:\njson %v\nyaml %v", a, jk, yk)
		}
	}
}

// Every failure under json or yaml still prints exactly one document on
// stdout, with the error and the exit code (the human line stays on
// stderr). The failures with a database are in e2e/cli_test.go.
func TestFailuresPrintOneDocument(t *testing.T) {
	edited := t.TempDir()
	copyTree(t, "../../plans", filepath.Join(edited, "plans"))
	copyTree(t, "../../schema", filepath.Join(edited, "schema"))
	copyFile(t, "../../atlas.hcl", filepath.Join(edited, "atlas.hcl"))
	f := filepath.Join(edited, "plans", "pike", "pike_expand01.sql")
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, append(b, "DROP TABLE images;\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"plan", "--nosuch"}, 2, "unknown flag: --nosuch"},
		{[]string{"db", "baseline"}, 2, "accepts 1 arg(s), received 0"},
		{[]string{"db", "migrate", "--batch-size", "x"}, 2, `invalid argument "x" for "--batch-size"`},
		{[]string{"simulate"}, 2, "--url is required"},
		{[]string{"init"}, 2, "--from is required"},
		{[]string{"--var", "novalue", "plan"}, 2, `--var "novalue": want name=value`},
		{[]string{"--config", "no/such.hcl", "plan"}, 1, "no/such.hcl"},
		{[]string{"--config", "no/such.hcl", "db", "version"}, 1, "no/such.hcl"},
		{[]string{"review", "nosuch"}, 1, `no release "nosuch"`},
		{[]string{"--config", filepath.Join(edited, "atlas.hcl"), "review"}, 1, "pike_expand01.sql: checksum mismatch"},
		{[]string{"--config", filepath.Join(edited, "atlas.hcl"), "plan", "--check"}, 1, "pike_expand01.sql"},
		{[]string{"--config", filepath.Join(edited, "atlas.hcl"), "lint", "--offline"}, 6, "must be fixed before release"},
		{[]string{"lint"}, 1, "NO DEV DATABASE"},
	} {
		for _, format := range []string{"json", "yaml"} {
			// The format before and after the mistake: parsing may stop
			// before it reads --format.
			for _, a := range [][]string{append(append([]string{}, tc.args...), "--format", format), append([]string{"--format=" + format}, tc.args...)} {
				t.Setenv("EMCEE_URL", "")
				t.Setenv("EMCEE_ENV", "")
				t.Setenv("EMCEE_DEV_URL", "")
				stdout, stderr, code := cli(t, a...)
				if code != tc.code || !strings.Contains(stderr, tc.want) {
					t.Errorf("emcee %s: exit %d, stderr %q; want %d and %q", strings.Join(a, " "), code, stderr, tc.code, tc.want)
					continue
				}
				doc := oneDocument(t, format, stdout)
				if e, _ := doc["error"].(string); !strings.Contains(e, tc.want) {
					t.Errorf("emcee %s: error in the document is %q, want %q", strings.Join(a, " "), e, tc.want)
				}
				if c, _ := doc["exit_code"].(float64); format == "json" && int(c) != tc.code {
					t.Errorf("emcee %s: exit_code %v, want %d", strings.Join(a, " "), doc["exit_code"], tc.code)
				}
				if c, _ := doc["exit_code"].(int); format == "yaml" && c != tc.code {
					t.Errorf("emcee %s: exit_code %v, want %d", strings.Join(a, " "), doc["exit_code"], tc.code)
				}
			}
		}
	}
	// What lint found is in the document of the failed run.
	stdout, _, _ := cli(t, "--config", filepath.Join(edited, "atlas.hcl"), "lint", "--offline", "--format", "json")
	if doc := oneDocument(t, "json", stdout); len(doc["findings"].([]any)) == 0 || len(doc["skipped"].([]any)) == 0 {
		t.Errorf("lint's document lacks its findings or the skipped checks:\n%s", stdout)
	}
	// Text: nothing on stdout when nothing was done.
	if stdout, _, code := cli(t, "--config", "no/such.hcl", "plan"); code != 1 || stdout != "" {
		t.Errorf("text failure: exit %d, stdout %q", code, stdout)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteDocument(t *testing.T) {
	type result struct {
		Command string `json:"command"`
		SQL     string `json:"sql"`
		Error   string `json:"error,omitempty"`
		Next    string `json:"next,omitempty"`
	}
	doc := result{Command: "db expand", SQL: "SELECT a <=> b & c\nFROM t", Error: "old", Next: "emcee db migrate"}
	var b bytes.Buffer
	if err := writeDocument(&b, "json", doc, 7, "gate closed"); err != nil {
		t.Fatal(err)
	}
	// The error replaces the command's own in place; exit_code comes last;
	// SQL is not escaped for HTML.
	want := `{
  "command": "db expand",
  "sql": "SELECT a <=> b & c\nFROM t",
  "error": "gate closed",
  "next": "emcee db migrate",
  "exit_code": 7
}
`
	if b.String() != want {
		t.Errorf("json:\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := writeDocument(&b, "yaml", doc, 7, "gate closed"); err != nil {
		t.Fatal(err)
	}
	want = `command: db expand
sql: |-
  SELECT a <=> b & c
  FROM t
error: gate closed
next: emcee db migrate
exit_code: 7
`
	if b.String() != want {
		t.Errorf("yaml:\n%s\nwant\n%s", b.String(), want)
	}
	// Success adds nothing; strings YAML would read as something else stay
	// strings.
	b.Reset()
	odd := map[string]any{"a": "123", "b": "true", "c": "null", "d": "", "e": "x: y", "f": []string{}, "g": 1.5, "h": "- z"}
	if err := writeDocument(&b, "yaml", odd, 0, ""); err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := yaml.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back["a"] != "123" || back["b"] != "true" || back["c"] != "null" || back["d"] != "" || back["e"] != "x: y" || back["g"] != 1.5 || back["h"] != "- z" || len(back) != len(odd) {
		t.Errorf("yaml changed the values:\n%s", b.String())
	}
	// No document (a failure before the command had one): error and code.
	b.Reset()
	if err := writeDocument(&b, "json", nil, 2, "unknown flag: --x"); err != nil || b.String() != "{\n  \"error\": \"unknown flag: --x\",\n  \"exit_code\": 2\n}\n" {
		t.Errorf("no document: %v\n%s", err, b.String())
	}
	// A document is an object, or the error says so.
	if err := writeDocument(&b, "json", []int{1}, 1, "x"); err == nil {
		t.Error("an array document must be refused")
	}
}

func TestVersion(t *testing.T) {
	saved := version
	defer func() { version = saved }()
	version = ""
	// The plan format the build writes ends every line (planner.Format).
	planFormat := fmt.Sprintf(", plan format %d", planner.Format)
	for _, tc := range []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want buildVersion
		line string
	}{
		{"go install @v0.3.1", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/emcee-db/emcee", Version: "v0.3.1"}}, true,
			buildVersion{Version: "v0.3.1", Module: "github.com/emcee-db/emcee", Go: "go1.26.8", PlanFormat: planner.Format}, "emcee v0.3.1 go1.26.8" + planFormat},
		{"checkout, VCS stamped", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/emcee-db/emcee", Version: "v0.0.0-20261129173310-915c02018272+dirty"},
			Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "915c02018272720294a617777a11820888d00c83"}, {Key: "vcs.time", Value: "2026-11-29T17:33:10Z"}, {Key: "vcs.modified", Value: "true"}}}, true,
			buildVersion{Version: "v0.0.0-20261129173310-915c02018272+dirty", Module: "github.com/emcee-db/emcee", Revision: "915c02018272720294a617777a11820888d00c83", Time: "2026-11-29T17:33:10Z", Modified: true, Go: "go1.26.8", PlanFormat: planner.Format},
			"emcee v0.0.0-20261129173310-915c02018272+dirty revision 915c02018272720294a617777a11820888d00c83 (modified) go1.26.8" + planFormat},
		{"checkout, no VCS", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/emcee-db/emcee", Version: "(devel)"}}, true,
			buildVersion{Version: "(devel)", Module: "github.com/emcee-db/emcee", Go: "go1.26.8", PlanFormat: planner.Format}, "emcee (devel) go1.26.8" + planFormat},
		{"no build info", nil, false, buildVersion{Version: "(devel)", Module: "github.com/emcee-db/emcee", PlanFormat: planner.Format}, "emcee (devel)" + planFormat},
	} {
		got := readVersion(tc.bi, tc.ok)
		if got != tc.want || got.String() != tc.line {
			t.Errorf("%s: %+v %q\nwant %+v %q", tc.name, got, got.String(), tc.want, tc.line)
		}
	}
	version = "e2e"
	if got := readVersion(&debug.BuildInfo{Main: debug.Module{Version: "v0.3.1"}}, true); got.Version != "e2e" {
		t.Errorf("-X main.version is ignored: %+v", got)
	}
	version = ""

	// emcee version and emcee --version print the same line.
	a, _, c1 := cli(t, "version")
	b, _, c2 := cli(t, "--version")
	if c1 != 0 || c2 != 0 || a != b || a != currentVersion().String()+"\n" {
		t.Errorf("version %q (exit %d), --version %q (exit %d)", a, c1, b, c2)
	}
	js, _, _ := cli(t, "version", "--format", "json")
	if doc := oneDocument(t, "json", js); doc["version"] != currentVersion().Version || doc["module"] != "github.com/emcee-db/emcee" {
		t.Errorf("version --format json:\n%s", js)
	}
}

// -v means --verbose wherever a command has it; --version has no
// shorthand.
func TestDashVIsVerbose(t *testing.T) {
	root := newRoot()
	walk := func(c *cobra.Command) {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Shorthand == "v" && f.Name != "verbose" {
				t.Errorf("%s: -v is --%s; -v means --verbose", c.CommandPath(), f.Name)
			}
		})
	}
	walk(root)
	for _, c := range commandsOf(root) {
		walk(c)
	}
	if _, stderr, code := cli(t, "-v"); code != codeUsage || !strings.Contains(stderr, "unknown shorthand flag: 'v'") {
		t.Errorf("emcee -v: exit %d, %s", code, stderr)
	}
	var f *pflag.Flag
	for _, c := range commandsOf(root) {
		if c.CommandPath() == "emcee db version" {
			f = c.Flags().ShorthandLookup("v")
		}
	}
	if f == nil || f.Name != "verbose" {
		t.Errorf("db version -v is not --verbose: %+v", f)
	}
}

// --url is the database the command works on, said in the same words
// everywhere, and each flag's help names the variable that defaults it.
func TestConnectionFlagsSayTheSame(t *testing.T) {
	n := 0
	for _, c := range commandsOf(newRoot()) {
		_ = c.ParseFlags(nil)
		if f := c.Flags().Lookup("url"); f != nil {
			n++
			if !strings.HasPrefix(f.Usage, "the database this command works on, mysql://user:pass@host:3306/db: ") {
				t.Errorf("%s --url: %q", c.CommandPath(), f.Usage)
			}
			if c.Name() != "simulate" && !strings.Contains(f.Usage, "$EMCEE_URL") {
				t.Errorf("%s --url does not name $EMCEE_URL: %q", c.CommandPath(), f.Usage)
			}
		}
		if f := c.Flags().Lookup("dev-url"); f != nil && !strings.Contains(f.Usage, "$EMCEE_DEV_URL") {
			t.Errorf("%s --dev-url does not name $EMCEE_DEV_URL: %q", c.CommandPath(), f.Usage)
		}
		if f := c.Flags().Lookup("env"); f != nil && !strings.Contains(f.Usage, "$EMCEE_ENV") {
			t.Errorf("%s --env does not name $EMCEE_ENV: %q", c.CommandPath(), f.Usage)
		}
	}
	if n < 12 { // the 11 db commands, lint and simulate
		t.Errorf("only %d commands take --url", n)
	}
}

// Text output escapes what a database may hold (an escape sequence in a
// history record's error) and keeps line breaks, tabs and characters a
// writer receives in two pieces.
func TestTextOutputIsDisplayable(t *testing.T) {
	var b strings.Builder
	w := displayableWriter{&b}
	snow := "☃"
	for _, p := range []string{"failed: boom\x1b[2J\u202e\n\tnext ", snow[:1], snow[1:] + "\n"} {
		if n, err := w.Write([]byte(p)); n != len(p) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", p, n, err)
		}
	}
	if got, want := b.String(), "failed: boom\\x1b[2J\\u202e\n\tnext ☃\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
