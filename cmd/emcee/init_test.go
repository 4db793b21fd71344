package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emcee-db/emcee/dbconn"
)

// The baseline command init prints is pasted into a shell: a directory
// or a database name with quotes, spaces or shell syntax must reach emcee
// as one word each, and the URL must name the database adopted (with the
// URL's parameters), never another one.
func TestInitNextCommandIsOneWordEach(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	for _, c := range []struct{ dir, url string }{
		{".", "mysql://root@127.0.0.1:3306/glance"},
		{"my project", "mysql://app:pw@db:3306/o%27brien%27%3Btouch%20pwned%3B%27?tls=true"},
		{"$(touch pwned)", "mysql://root@db:3306/shop%232"},
		{"it's", "mysql://root@db:3306/a%3Fb%20c"},
	} {
		cfg, err := dbconn.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		line := baselineCommand(c.dir, "initial", cfg)
		tmp := t.TempDir()
		// cd and emcee print their arguments one a line instead.
		script := "cd() { printf 'cd %s\\n' \"$@\"; }\nemcee() { printf '%s\\n' \"$@\"; }\n" + line + "\n"
		cmd := exec.Command(bash, "-c", script)
		cmd.Dir = tmp
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%q: %v: %s", line, err, out)
		}
		if _, err := os.Stat(filepath.Join(tmp, "pwned")); err == nil {
			t.Fatalf("%q ran a command of its own", line)
		}
		words := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if c.dir != "." {
			if words[0] != "cd "+c.dir {
				t.Fatalf("%q: the shell changes to %q, want %q", line, words[0], c.dir)
			}
			words = words[1:]
		}
		if len(words) != 5 || strings.Join(words[:4], " ") != "db baseline initial --url" {
			t.Fatalf("%q: emcee gets %q", line, words)
		}
		back, err := dbconn.Parse(words[4])
		if err != nil || back.Database != cfg.Database || back.TLS != cfg.TLS {
			t.Fatalf("%q: --url %s names %+v (%v), want database %q", line, words[4], back, err, cfg.Database)
		}
	}
}

// init takes the root's --env but writes a new project file, whose env
// block --env-name names: --env was ignored without a word, and the block
// was called "live".
func TestInitRefusesEnv(t *testing.T) {
	var out, errb bytes.Buffer
	code := execute(newRoot(), []string{"init", "--from", "mysql://root@127.0.0.1:1/x", "--env", "prod", "--dir", t.TempDir()}, &out, &errb)
	if code != codeUsage || !strings.Contains(errb.String(), "--env prod: init writes a new project file, whose env block --env-name names (e.g. --env-name prod)") {
		t.Errorf("init --env prod: exit %d, stderr %q; want exit 2 naming --env-name", code, errb.String())
	}
}
