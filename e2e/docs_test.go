package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/internal/testdb"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// TestDocs runs every ```console block of README.md and docs/*.md, in
// document order within a project's blocks (those from one `project`
// directive to the next run side by side with the others), and compares
// what each command prints with what the document shows, so documents and
// program cannot drift apart. A document says how its blocks run with HTML
// comments (invisible where Markdown is rendered), each on a line of its
// own:
//
//	<!-- doctest databases: A B -->    database names it uses: each becomes a private one for the run
//	<!-- doctest project: DIR -->      the next blocks run in a fresh copy of DIR (relative to the
//	                                   repository), and the databases start again from none
//	<!-- doctest setup: COMMAND -->    a shell command run before the next block (must succeed)
//	<!-- doctest skip: REASON -->      the next block is not run; the reason is logged
//	<!-- doctest kill: TEXT -->        the next block's command is killed (kill -9) once it prints a
//	                                   line holding TEXT, as an operator's crash would stop it
//
// In a block, `$ ` starts a command (bash, stdout and stderr together, in
// the copied project, with this build of emcee first on PATH); the lines up
// to the next command are its output. A line `...` (or `... (comment)`)
// stands for any lines. `(exit N)` says the exit code; without it a command
// must exit 0 unless its output shows an `emcee:` error line; `$?` in a
// command is the exit code of the one before. Durations, timestamps, process
// ids, host names, the names of temporary databases and the width of the
// blanks between columns are not compared.
//
// Not parallel: its documents' sections run side by side (document.run)
// while no other test runs, not queued behind all of them as the tail of
// the run (a parallel test's parallel subtests start last).
func TestDocs(t *testing.T) {
	root := repoRoot(t)
	files, _ := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	files = append([]string{filepath.Join(root, "README.md")}, files...)
	for _, f := range files {
		doc := readDoc(t, f)
		if len(doc.blocks) == 0 {
			continue
		}
		rel, _ := filepath.Rel(root, f)
		t.Run(rel, func(t *testing.T) {
			t.Parallel()
			doc.run(t, root)
		})
	}
}

type docBlock struct {
	line     int    // of the opening fence
	project  string // a fresh copy of this project before the block
	setup    []string
	skip     string
	kill     string
	commands []docCommand
}

type docCommand struct {
	line     int
	end      int // 0-based index of the line after its output
	command  string
	expected []string
	exit     int // from `(exit N)`; -2 when the document gives none
}

type document struct {
	path      string
	lines     []string
	edits     []docEdit // from its sections, which run side by side
	editsMu   sync.Mutex
	databases []string
	blocks    []docBlock
}

var (
	directiveRe = regexp.MustCompile(`^<!-- doctest (project|databases|setup|skip|kill): (.*) -->$`)
	exitRe      = regexp.MustCompile(`^\(exit (\d+)\)$`)
)

func readDoc(t *testing.T, path string) *document {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, problems := parseDoc(path, string(data))
	for _, p := range problems {
		t.Error(p)
	}
	return doc
}

// parseDoc reads a document's blocks and directives; problems are what
// makes the document unfit to be run as it says.
func parseDoc(path, data string) (doc *document, problems []string) {
	doc = &document{path: path}
	var pending docBlock
	pendingAt := 0 // the line of the first directive pending for the next block
	lines := strings.Split(data, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := directiveRe.FindStringSubmatch(l); m != nil {
			if m[1] != "databases" && pendingAt == 0 {
				pendingAt = i + 1
			}
			switch m[1] {
			case "project":
				pending.project = m[2]
			case "databases":
				doc.databases = strings.Fields(m[2])
			case "setup":
				pending.setup = append(pending.setup, m[2])
			case "skip":
				pending.skip = m[2]
				if p := skipProblem(m[2]); p != "" {
					problems = append(problems, fmt.Sprintf("%s:%d: %s", path, i+1, p))
				}
			case "kill":
				pending.kill = m[2]
			}
			continue
		}
		if strings.HasPrefix(l, "<!-- doctest") {
			problems = append(problems, fmt.Sprintf("%s:%d: a doctest directive the test does not know: %s", path, i+1, l))
		}
		if strings.TrimSpace(l) != "```console" {
			if strings.HasPrefix(strings.TrimSpace(l), "```") && pendingAt != 0 {
				// The directive would apply to a console block further
				// down, which its author did not mean.
				problems = append(problems, fmt.Sprintf("%s:%d: this doctest directive is for the next ```console block, but a %s block comes first (line %d): move it down to the block it is for", path, pendingAt, strings.TrimSpace(l), i+1))
				pending, pendingAt = docBlock{}, 0
			}
			continue
		}
		b := pending
		pending, pendingAt = docBlock{}, 0
		b.line = i + 1
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			l := lines[i]
			switch {
			case strings.HasPrefix(l, "$ "):
				c := docCommand{line: i + 1, command: l[2:], exit: -2}
				for strings.HasSuffix(c.command, `\`) && i+1 < len(lines) {
					i++
					c.command = strings.TrimSuffix(c.command, `\`) + "\n" + lines[i]
				}
				c.end = i + 1
				b.commands = append(b.commands, c)
			case len(b.commands) == 0:
				problems = append(problems, fmt.Sprintf("%s:%d: a console block's first line must be a command (`$ ...`)", path, i+1))
			default:
				c := &b.commands[len(b.commands)-1]
				c.end = i + 1
				if m := exitRe.FindStringSubmatch(l); m != nil {
					c.exit, _ = strconv.Atoi(m[1])
					continue
				}
				c.expected = append(c.expected, l)
			}
		}
		doc.blocks = append(doc.blocks, b)
	}
	if pendingAt != 0 {
		problems = append(problems, fmt.Sprintf("%s:%d: this doctest directive is for the next ```console block, and none follows", path, pendingAt))
	}
	doc.lines = lines
	return doc, problems
}

var testFileRe = regexp.MustCompile(`[\w./-]+_test\.go`)

// skipProblem says what is wrong with the reason of a skip: a skipped
// block is run by an e2e test instead, which the reason names.
func skipProblem(reason string) string {
	files := testFileRe.FindAllString(reason, -1)
	if len(files) == 0 {
		return "a skipped block names the e2e test file that runs what it shows instead (e2e/..._test.go), so that the document still shows what a test checks"
	}
	for _, f := range files {
		if _, err := os.Stat(filepath.Base(f)); err != nil {
			return fmt.Sprintf("the skip names %s, which is not a test file of e2e/", f)
		}
	}
	return ""
}

// docsUpdate rewrites the output the documents show with what emcee printed,
// for a command whose output shows no elision: EMCEE_DOCS_UPDATE=1 go test
// ./e2e -run TestDocs, then read the diff before committing it.
var docsUpdate = os.Getenv("EMCEE_DOCS_UPDATE") != ""

func (d *document) rewrite(t *testing.T, c docCommand, got []string, code int) {
	for _, l := range c.expected {
		if isElision(l) {
			t.Errorf("%s:%d: `%s` printed what the document does not show, and its output is cut (...), so it is not rewritten: update it by hand:\n%s", d.path, c.line, c.command, docDiff(c.expected, got))
			return
		}
	}
	repl := append([]string{}, got...)
	if c.exit >= 0 {
		repl = append(repl, fmt.Sprintf("(exit %d)", code))
	}
	d.editsMu.Lock()
	d.edits = append(d.edits, docEdit{from: c.line, to: c.end, lines: repl})
	d.editsMu.Unlock()
}

type docEdit struct {
	from, to int // 0-based line range replaced: [from, to)
	lines    []string
}

func (d *document) save(t *testing.T) {
	if len(d.edits) == 0 {
		return
	}
	lines := d.lines
	slices.SortFunc(d.edits, func(a, b docEdit) int { return a.from - b.from })
	for i := len(d.edits) - 1; i >= 0; i-- {
		e := d.edits[i]
		lines = append(append(append([]string{}, lines[:e.from]...), e.lines...), lines[e.to:]...)
	}
	if err := os.WriteFile(d.path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: rewrote the output of %d command(s)", d.path, len(d.edits))
}

// run runs the document's sections side by side: a section starts at a
// block that names its project (and is not skipped), and runs in a fresh
// copy of it, on databases of its own, as the blocks after it do.
func (d *document) run(t *testing.T, root string) {
	if d.blocks[0].project == "" {
		t.Fatalf("%s:%d: the first console block has no `<!-- doctest project: DIR -->` saying where it runs", d.path, d.blocks[0].line)
	}
	if docsUpdate {
		t.Cleanup(func() { d.save(t) }) // after every section
	}
	for start := 0; start < len(d.blocks); {
		end := start + 1
		for end < len(d.blocks) && (d.blocks[end].project == "" || d.blocks[end].skip != "") {
			end++
		}
		blocks := d.blocks[start:end]
		t.Run(fmt.Sprintf("line %d", blocks[0].line), func(t *testing.T) {
			t.Parallel()
			d.runSection(t, root, blocks)
		})
		start = end
	}
}

func (d *document) runSection(t *testing.T, root string, blocks []docBlock) {
	names := privateNames(t, d.databases)
	bin := docsBinary(t, root)
	var dir string
	last := 0 // the exit code `$?` names in the next command, as in a shell
	run := func(command, kill string) (string, int) {
		cmd := exec.Command("bash", "-c", fmt.Sprintf("(exit %d); %s", last, names.private(command)))
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(bin)+":"+os.Getenv("PATH"),
			"EMCEE_URL=", "EMCEE_ENV=", "EMCEE_DEV_URL=", "COLUMNS=200", "NO_COLOR=1")
		cmd.Env = append(cmd.Env, names.clientEnv(t)...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		out, err := runKilling(cmd, kill)
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return names.public(string(out)), code
	}
	for _, b := range blocks {
		where := fmt.Sprintf("%s:%d", d.path, b.line)
		if b.skip != "" {
			t.Logf("%s: not run: %s", where, b.skip)
			continue
		}
		if b.project != "" {
			names.drop(t)
			dir = t.TempDir()
			// A project is its atlas.hcl, schema/ and plans/ (the repository
			// holds more beside its example).
			for _, sub := range []string{"schema", "plans"} {
				if _, err := os.Stat(filepath.Join(root, b.project, sub)); err == nil {
					copyTree(t, filepath.Join(root, b.project, sub), filepath.Join(dir, sub))
				}
			}
			cfg, err := os.ReadFile(filepath.Join(root, b.project, "atlas.hcl"))
			if err != nil {
				t.Fatalf("%s: project %s: %v", where, b.project, err)
			}
			opWrite(t, filepath.Join(dir, "atlas.hcl"), []byte(names.private(string(cfg))))
		}
		for _, s := range b.setup {
			if out, code := run(s, ""); code != 0 {
				t.Fatalf("%s: setup `%s` exited %d:\n%s", where, s, code, out)
			}
		}
		for i, c := range b.commands {
			out, code := run(c.command, b.kill)
			if b.kill != "" && code != -1 {
				t.Errorf("%s:%d: `%s` ended (exit %d) before printing %q, where the document kills it", d.path, c.line, c.command, code, b.kill)
			}
			last = code
			got := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if out == "" {
				got = nil
			}
			got = withoutScratchNotes(t, where, c.expected, got)
			if !docLinesMatch(c.expected, got) && docsUpdate {
				d.rewrite(t, c, got, code)
			} else if !docLinesMatch(c.expected, got) {
				t.Errorf("%s:%d: `%s` printed what the document does not show:\n%s", d.path, c.line, c.command, docDiff(c.expected, got))
			}
			wantErr := false
			for _, l := range c.expected {
				wantErr = wantErr || strings.HasPrefix(l, "emcee:")
			}
			shownNext := i+1 < len(b.commands) && b.commands[i+1].command == "echo $?"
			switch {
			case b.kill != "" || shownNext:
			case c.exit >= 0 && code != c.exit:
				t.Errorf("%s:%d: `%s` exited %d, the document says %d", d.path, c.line, c.command, code, c.exit)
			case c.exit == -2 && wantErr && code == 0:
				t.Errorf("%s:%d: `%s` exited 0 after the error the document shows", d.path, c.line, c.command)
			case c.exit == -2 && !wantErr && code != 0:
				t.Errorf("%s:%d: `%s` exited %d; the document shows no error (add `(exit %d)` if that is meant)", d.path, c.line, c.command, code, code)
			}
		}
	}
}

// withoutScratchNotes leaves out the notes of a scratch database another
// run left, unless the document shows one. Which run meets such a database
// depends on the server's history, not on the document: MariaDB 10.11 can
// leave a *.TRG- file that fails a DROP DATABASE when DDL of parallel
// targets races a CREATE TRIGGER (devdb's dropScratch), and the next run on
// the server, whichever it is, clears it and says so.
func withoutScratchNotes(t *testing.T, where string, expected, got []string) []string {
	for _, l := range expected {
		if strings.Contains(l, "scratch database emcee_scratch_") {
			return got
		}
	}
	kept := got[:0:0]
	for _, l := range got {
		if strings.Contains(l, "note: dropped scratch database emcee_scratch_") && strings.Contains(l, "left by a run that ended without dropping it") {
			t.Logf("%s: left out of the comparison, a note of the server's history: %s", where, l)
			continue
		}
		kept = append(kept, l)
	}
	return kept
}

// runKilling runs cmd with stdout and stderr together; with kill set, its
// process group is killed with SIGKILL at the first line holding kill.
func runKilling(cmd *exec.Cmd, kill string) ([]byte, error) {
	if kill == "" {
		return cmd.CombinedOutput()
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w.Close()
	var out []byte
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		out = append(out, sc.Bytes()...)
		out = append(out, '\n')
		if strings.Contains(sc.Text(), kill) {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			break
		}
	}
	r.Close()
	return out, cmd.Wait()
}

// docNames maps the database names a document uses to private ones, so a
// run never touches a database of that name a reader made by following it.
type docNames struct {
	public2private map[string]string
	order          []string // longest first: glance_v2 before glance
	dsn            *mysql.Config
	server         *testdb.DB
}

func privateNames(t *testing.T, public []string) *docNames {
	server := testdb.New(t) // the test server, and a database proving it is up
	cfg, err := mysql.ParseDSN(server.DSN)
	if err != nil {
		t.Fatal(err)
	}
	n := &docNames{public2private: map[string]string{}, dsn: cfg}
	suffix := strings.TrimPrefix(server.Name, "emcee_t_")
	for _, p := range public {
		n.public2private[p] = p + "_dt" + suffix
		n.order = append(n.order, p)
	}
	for i := range n.order {
		for j := i + 1; j < len(n.order); j++ {
			if len(n.order[j]) > len(n.order[i]) {
				n.order[i], n.order[j] = n.order[j], n.order[i]
			}
		}
	}
	n.server = server
	t.Cleanup(func() { n.drop(t) })
	return n
}

func (n *docNames) drop(t *testing.T) {
	for _, p := range n.order {
		if _, err := n.server.Exec("DROP DATABASE IF EXISTS " + sqlsyntax.Ident(n.public2private[p])); err != nil {
			t.Fatal(err)
		}
	}
}

func (n *docNames) private(s string) string {
	for _, p := range n.order {
		s = replaceWord(s, p, n.public2private[p])
	}
	return s
}

func (n *docNames) public(s string) string {
	for _, p := range n.order {
		s = strings.ReplaceAll(s, n.public2private[p], p)
	}
	return s
}

// clientEnv points the mariadb client the documents call at the test server.
func (n *docNames) clientEnv(t *testing.T) []string {
	host, port, ok := strings.Cut(n.dsn.Addr, ":")
	if !ok {
		port = "3306"
	}
	f := filepath.Join(t.TempDir(), "my.cnf")
	cnf := fmt.Sprintf("[client]\nhost=%s\nport=%s\nuser=%s\npassword=%s\n", host, port, n.dsn.User, n.dsn.Passwd)
	if err := os.WriteFile(f, []byte(cnf), 0o600); err != nil {
		t.Fatal(err)
	}
	return []string{"MYSQL_HOME=" + filepath.Dir(f)}
}

// replaceWord replaces name where it stands as a whole SQL name.
func replaceWord(s, name, with string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, name)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(name)
		whole := (i == 0 || !isNameByte(s[i-1])) && (end == len(s) || !isNameByte(s[end]))
		b.WriteString(s[:i])
		if whole {
			b.WriteString(with)
		} else {
			b.WriteString(name)
		}
		s = s[end:]
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// What is not compared: how long something took, when, and generated names.
var docVolatile = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?`), "<time>"},
	{regexp.MustCompile(`\b(\d+h)?(\d+m)?\d+(\.\d+)?(ns|µs|us|ms|s)\b`), "<duration>"},
	{regexp.MustCompile(`\b(\d+h)?\d+m\b`), "<duration>"},
	{regexp.MustCompile(`\b(emcee_scratch|emcee_dev)_[0-9a-z_]{6,}`), "$1_<id>"},
	{regexp.MustCompile(`\b[\d.]+[kM]? rows/s\b`), "<rate> rows/s"},
	{regexp.MustCompile(`\S+@\S+ pid \d+`), "<user>@<host> pid <pid>"},
	// Columns line up around what varies (a host name, a duration).
	{regexp.MustCompile(`  +`), " "},
}

func docNormalize(l string) string {
	l = strings.TrimRight(l, " \t")
	for _, v := range docVolatile {
		l = v.re.ReplaceAllString(l, v.with)
	}
	return l
}

func isElision(l string) bool {
	l = strings.TrimSpace(l)
	if l == "..." || l == "…" { // … where JSON is cut
		return true
	}
	rest, ok := strings.CutPrefix(l, "...")
	rest = strings.TrimSpace(rest)
	return ok && strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")")
}

// docLinesMatch says whether got is want with each elision standing for any
// lines (none included).
func docLinesMatch(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if isElision(want[0]) {
		for i := 0; i <= len(got); i++ {
			if docLinesMatch(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && docNormalize(want[0]) == docNormalize(got[0]) && docLinesMatch(want[1:], got[1:])
}

func docDiff(want, got []string) string {
	var b strings.Builder
	b.WriteString("--- the document\n")
	for _, l := range want {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("--- emcee\n")
	for _, l := range got {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

var (
	docsBinOnce sync.Once
	docsBinPath string
	docsBinErr  error
)

// docsBinary builds emcee as a reader following the documents does (`go
// install ./cmd/emcee`): without VCS stamping its version reads (devel).
func docsBinary(t *testing.T, root string) string {
	docsBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "emcee-docs-")
		if err != nil {
			docsBinErr = err
			return
		}
		docsBinPath = filepath.Join(dir, "emcee")
		cmd := exec.Command("go", "build", "-buildvcs=false", "-o", docsBinPath, "./cmd/emcee")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			docsBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if docsBinErr != nil {
		t.Fatal(docsBinErr)
	}
	return docsBinPath
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..")
}

// The matcher the documents rely on: an elision stands for any lines, and
// only what is volatile is ignored.
func TestDocLinesMatch(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		want, got string
		ok        bool
	}{
		{"a\n...\nd", "a\nb\nc\nd", true},
		{"a\n...\nd", "a\nd", true},
		{"a\n... (b to c)\nd", "a\nb\nd", true},
		{"a\nd", "a\nb\nd", false},
		{"applied (3 statements, 115ms)", "applied (3 statements, 2.004s)", true},
		{"applied (3 statements, 115ms)", "applied (4 statements, 115ms)", false},
		{"x   ", "x", true},
		{"emcee_scratch_1a2b3c4d", "emcee_scratch_99ff0011", true},
		{"a\n...", "a", true},
		{"a", "a\nb", false},
	} {
		if got := docLinesMatch(strings.Split(c.want, "\n"), strings.Split(c.got, "\n")); got != c.ok {
			t.Errorf("want %q, got %q: match %v, expected %v", c.want, c.got, got, c.ok)
		}
	}
}

// A document cannot pass without being run: a directive belongs to the
// console block right after it (not to one further down, past another
// kind of block), and a skipped block names the e2e test that runs it
// instead, which must exist.
func TestDocDirectives(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, doc, want string }{
		{"skip carried past another block", "<!-- doctest project: e2e/testdata/sql -->\n```console\n$ true\n```\n<!-- doctest skip: e2e/operator_safety_test.go runs it -->\n```sh\nemcee plan\n```\n\n```console\n$ emcee plan\nnothing to plan\n```\n", "x.md:5: "},
		{"setup carried past another block", "<!-- doctest project: e2e/testdata/sql -->\n\n```console\n$ true\n```\n<!-- doctest setup: false -->\n```hcl\nx = 1\n```\n```console\n$ true\n```\n", "x.md:6: "},
		{"directive at the end", "<!-- doctest project: e2e/testdata/sql -->\n```console\n$ true\n```\n<!-- doctest skip: e2e/operator_safety_test.go runs it -->\n", "x.md:5: "},
		{"skip naming no test", "<!-- doctest project: e2e/testdata/sql -->\n<!-- doctest skip: hard to run -->\n```console\n$ emcee plan\nanything\n```\n", "x.md:2: "},
		{"skip naming a test that is not there", "<!-- doctest project: e2e/testdata/sql -->\n<!-- doctest skip: e2e/nowhere_test.go runs it -->\n```console\n$ emcee plan\nanything\n```\n", "x.md:2: "},
		{"fine", "<!-- doctest databases: glance -->\n<!-- doctest project: e2e/testdata/sql -->\n\n<!-- doctest skip: needs a second run; e2e/operator_safety_test.go runs it -->\n```console\n$ true\n```\n\n```sh\nls\n```\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := parseDoc("x.md", c.doc)
			got := strings.Join(problems, "\n")
			if c.want == "" && got != "" || c.want != "" && !strings.HasPrefix(got, c.want) {
				t.Fatalf("problems: %q, want one at %q", got, c.want)
			}
		})
	}
}
