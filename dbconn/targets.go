package dbconn

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/emcee-db/emcee/project"
)

// Target is one database a db command works on, with the dev database
// named for it ("" when none is: the command then creates a temporary one
// beside it).
type Target struct {
	*Config
	Dev string
}

// Targets picks the databases a db command works on. A target list is
// --targets FILE, or an env block with for_each named by --env or
// $EMCEE_ENV (when nothing typed names a single database first); fleet is
// then true, also for a list of one. Otherwise it is the one database of
// Resolve, with the dev database of DevURL.
//
// The dev database of a list's target is --dev-url, else the dev of its
// env block's element, else $EMCEE_DEV_URL.
func Targets(flagURL, targetsFile, flagDev, envName string, p *project.Project) (targets []Target, fleet bool, err error) {
	if targetsFile != "" {
		if flagURL != "" {
			return nil, false, errors.New("--url and --targets both name databases: give --url for one database or --targets for a list")
		}
		cfgs, err := ReadTargets(targetsFile)
		if err != nil {
			return nil, false, err
		}
		dev := cmp.Or(flagDev, os.Getenv(EnvDevURL))
		for _, c := range cfgs {
			c.Collations = collations(p)
			targets = append(targets, Target{Config: c, Dev: dev})
		}
		return targets, true, nil
	}
	if _, _, name, flag := given(flagURL, envName); name != "" && p != nil && p.ForEach(name) {
		targets, err := envTargets(name, flag, flagDev, p)
		return targets, true, err
	}
	cfg, err := Resolve(flagURL, envName, p)
	if err != nil {
		return nil, false, err
	}
	dev, err := DevURL(flagDev, envName, p)
	if err != nil {
		return nil, false, err
	}
	return []Target{{Config: cfg, Dev: dev}}, false, nil
}

// envTargets are the databases of an env block with for_each.
func envTargets(name, flag, flagDev string, p *project.Project) ([]Target, error) {
	envs, err := p.Targets(name)
	if err != nil {
		return nil, err
	}
	env := envLabel(name, flag)
	if len(envs) == 0 {
		return nil, fmt.Errorf("%s: %s has for_each over an empty set: no database to work on; give its variable values (--var)", p.Path, env)
	}
	var out []Target
	seen := map[string]int{}
	for i, e := range envs {
		if e.URL == "" {
			return nil, &noDatabase{fmt.Sprintf("%s: %s has no url: add url = urlsetpath(var.url, each.value)", e.Pos, env)}
		}
		c, err := Parse(e.URL)
		if err != nil {
			return nil, fmt.Errorf("%s: %s, database %d of its for_each: %w", e.Pos, env, i+1, err)
		}
		if err := e.CheckExclude(); err != nil {
			return nil, err
		}
		c.From, c.Exclude = fmt.Sprintf("%s of %s", env, p.Path), e.Exclude
		c.Collations = collations(p)
		if j, dup := seen[c.key()]; dup {
			return nil, fmt.Errorf("%s: %s names %s twice (databases %d and %d of its for_each): each database once, or two runs would queue on its lock", e.Pos, env, c, j+1, i+1)
		}
		seen[c.key()] = i
		out = append(out, Target{Config: c, Dev: cmp.Or(flagDev, e.Dev, os.Getenv(EnvDevURL))})
	}
	return out, nil
}

// MaxTargetsSize bounds a target list, read whole before anything runs:
// a hundred thousand URLs fit many times over.
const MaxTargetsSize = 16 << 20

// ReadTargets reads a target list: one database URL a line, blank lines
// and comments (from a # at the start of a line, or after a blank) left
// out. Errors say file:line and never quote a URL, since it may hold a
// password.
func ReadTargets(path string) ([]*Config, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("--targets %s: no such file: give a file listing one database URL a line (mysql://user:pass@host:3306/db)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("--targets %s: %w", path, err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("--targets %s is a directory: give a file listing one database URL a line (mysql://user:pass@host:3306/db)", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxTargetsSize+1))
	if err != nil {
		return nil, fmt.Errorf("--targets %s: %w", path, err)
	}
	if len(data) > MaxTargetsSize {
		return nil, fmt.Errorf("--targets %s: larger than %d MiB, which is no list of database URLs (one a line): check the path", path, MaxTargetsSize>>20)
	}
	// Windows PowerShell's > and Out-File write UTF-16, whose every other
	// byte is a NUL: each line would be refused as a URL that cannot be
	// parsed, which sends the operator looking at the passwords.
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("--targets %s: the file is UTF-16 (or holds NUL bytes), not text emcee reads: save it as UTF-8 (PowerShell: Set-Content -Encoding utf8, or Out-File -Encoding utf8)", path)
	}
	if !utf8.Valid(data) {
		i := 0
		for r, size := utf8.DecodeRune(data); r != utf8.RuneError || size != 1; r, size = utf8.DecodeRune(data[i:]) {
			i += size
		}
		n := 1 + bytes.Count(data[:i], []byte("\n"))
		return nil, fmt.Errorf("%s:%d: the file is not UTF-8 (Latin-1?): save it as UTF-8, one database URL a line, a password's special characters percent-encoded", path, n)
	}
	var out []*Config
	seen := map[string]int{}
	// A Windows editor may start the file with a byte order mark.
	text := strings.TrimPrefix(string(data), "\ufeff")
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = strings.TrimSpace(stripComment(line))
		if line == "" {
			continue
		}
		if strings.ContainsAny(line, " \t") {
			return nil, fmt.Errorf("%s:%d: more than one word on the line: list one database URL a line (a comment starts with #)", path, n)
		}
		c, err := Parse(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		c.From = fmt.Sprintf("%s:%d", path, n)
		if first, dup := seen[c.key()]; dup {
			return nil, fmt.Errorf("%s:%d: %s is listed already on line %d: list each database once, or two runs would queue on its lock", path, n, c, first)
		}
		seen[c.key()] = n
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: lists no database: write one URL a line (mysql://user:pass@host:3306/db)", path)
	}
	return out, nil
}

// stripComment cuts a comment: a # starting the line or following a
// blank. A # inside a URL (a password not percent-encoded) is kept, and
// Parse then refuses it without printing it.
func stripComment(line string) string {
	if strings.HasPrefix(strings.TrimSpace(line), "#") {
		return ""
	}
	for i := 1; i < len(line); i++ {
		if line[i] == '#' && (line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

// key says which database a URL names: two URLs with the same key are the
// same database, whoever connects.
func (c *Config) key() string {
	return strings.ToLower(c.Addr) + "/" + c.Database
}
