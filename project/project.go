// Package project reads atlas.hcl: Atlas's env blocks (which database, which
// dev database, which schema source) and the emcee block that says which
// releases exist, in which order, and where their schemas and plans live.
//
// The file is evaluated by Atlas's own HCL engine (schemahcl), the way
// `atlas` evaluates it: variable blocks with --var values, locals, var.x and
// local.x, Atlas's function library plus getenv and file, and for_each on
// env blocks. A project file written for Atlas works unchanged.
package project

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"ariga.io/atlas/schemahcl"
	"github.com/agext/levenshtein"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/emcee-db/emcee/revision"
)

// DefaultFile is looked up in the working directory when --config is not given.
const DefaultFile = "atlas.hcl"

// Env is one Atlas env block. Attributes and blocks emcee does not use
// (migration, lint, format, schemas, exclude ...) are evaluated like Atlas
// does and left alone. An env block with for_each yields one Env per
// element, all with the same name: the databases of a fleet.
type Env struct {
	Name string
	URL  string
	Dev  string
	Src  []string
	// Pos is where the block is declared, for messages.
	Pos string
	// URLAt is where the url attribute is written ("" when it is not),
	// and URLEnvVar the variable it reads when it is getenv("NAME"): an
	// env whose url evaluates to "" is then told apart from one without
	// url (emcee init writes url = getenv("EMCEE_URL")).
	URLAt, URLEnvVar string
	// Exclude are the env's exclude patterns, Atlas's attribute: globs on
	// table names (path.Match) whose tables the drift checks leave out
	// when no release declares them (an application's runtime tables,
	// Matomo's monthly archive_numeric_YYYY_MM).
	Exclude []string
	// ForEach is set on the databases of an env block with for_each.
	ForEach bool
}

// Settings is the emcee block.
type Settings struct {
	SchemaDir string   `spec:"schema_dir"`
	PlansDir  string   `spec:"plans_dir"`
	Target    string   `spec:"target"`
	Releases  []string `spec:"releases"`
	Released  []string `spec:"released"`
	// How statements that copy their table run (osc.go).
	OSC          string `spec:"osc"`
	OSCChunkTime string `spec:"osc_chunk_time"`
	OSCMaxLoad   string `spec:"osc_max_load"`
	// OSCCriticalLoad is the tool's --critical-load.
	OSCCriticalLoad string `spec:"osc_critical_load"`
	// OSCSleep is the tool's --sleep.
	OSCSleep string `spec:"osc_sleep"`
	// AppTimeZone is the time zone the application's sessions set, when
	// they set one: backfills and gates compute in it.
	AppTimeZone string `spec:"app_time_zone"`
}

// settingNames are the attributes of the emcee block; anything else is a
// typo that would otherwise be dropped silently.
var settingNames = []string{"schema_dir", "plans_dir", "target", "releases", "released", "osc", "osc_chunk_time", "osc_max_load", "osc_critical_load", "osc_sleep", "app_time_zone"}

type envSpec struct {
	Name  string     `spec:"name,name"`
	URL   string     `spec:"url"`
	Dev   string     `spec:"dev"`
	Range *hcl.Range `spec:",range"`
	schemahcl.DefaultExtension
}

type fileSpec struct {
	Envs  []*envSpec `spec:"env"`
	Emcee *Settings  `spec:"emcee"`
	schemahcl.DefaultExtension
}

// Project is a loaded atlas.hcl, with paths resolved against its directory.
type Project struct {
	Path      string // the atlas.hcl file
	Dir       string // its directory
	Envs      []*Env
	SchemaDir string // absolute
	PlansDir  string // absolute
	Target    Target
	Releases  []string
	OSC       OSC
	// AppTimeZone is the emcee block's app_time_zone ("": the server's
	// @@global.time_zone), AppTimeZoneAt where it is written.
	AppTimeZone   string
	AppTimeZoneAt string
	released      map[string]bool
	// forEach are the env blocks with for_each, by name, where each is
	// declared: a fleet even when the set it ranges over has one element
	// or none.
	forEach map[string]string
}

// Vars are the values of the file's variable blocks, as given with
// --var name=value (repeated for a list).
type Vars map[string][]string

// Load reads and validates the project file.
func Load(path string) (*Project, error) { return LoadVars(path, nil) }

// LoadVars reads and validates the project file with values for its
// variable blocks.
func LoadVars(path string, vars Vars) (*Project, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%s not found: run emcee in the directory holding atlas.hcl, or pass --config path/to/atlas.hcl", path)
		}
		if fi, serr := os.Stat(path); serr == nil && fi.IsDir() {
			return nil, fmt.Errorf("%s is a directory: pass --config path/to/atlas.hcl, the project file itself", path)
		}
		return nil, fmt.Errorf("reading the project file: %w", err)
	}
	p := hclparse.NewParser()
	f, diags := p.ParseHCL(src, path)
	if diags.HasErrors() {
		return nil, HCLError(diags)
	}
	// The positions of the emcee block's attributes and list elements
	// come from the syntax tree: evaluation keeps values, not where each
	// element was written.
	block, err := emceeBlock(path, f.Body.(*hclsyntax.Body))
	if err != nil {
		return nil, err
	}
	// Read before evaluation, which expands for_each blocks in place.
	forEach := forEachEnvs(f.Body.(*hclsyntax.Body))
	urls := envURLs(f.Body.(*hclsyntax.Body))
	dir := filepath.Dir(path)
	// Atlas's file() takes an absolute base: atlas.hcl in the working
	// directory has the base ".".
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	var doc fileSpec
	if err := evaluator(abs).EvalOptions(p, &doc, &schemahcl.EvalOptions{Variables: inputs(vars)}); err != nil {
		if err = HCLError(err); !strings.HasPrefix(err.Error(), path+":") {
			err = fmt.Errorf("%s: %w", path, err)
		}
		return nil, err
	}
	// emceeBlock has found the block: evaluated, it is there.
	s := doc.Emcee
	pr := &Project{
		Path:      path,
		Dir:       dir,
		SchemaDir: filepath.Join(dir, cmp.Or(s.SchemaDir, "schema")),
		PlansDir:  filepath.Join(dir, cmp.Or(s.PlansDir, "plans")),
		Releases:  s.Releases,
		released:  map[string]bool{},
		forEach:   forEach,
	}
	for _, e := range doc.Envs {
		env := &Env{Name: e.Name, URL: e.URL, Dev: e.Dev, Pos: path, ForEach: pr.ForEach(e.Name)}
		if e.Range != nil {
			env.Pos = PosOf(*e.Range).String()
		}
		if u, ok := urls[e.Name]; ok {
			env.URLAt, env.URLEnvVar = u[0], u[1]
		}
		if a, ok := e.Attr("src"); ok {
			if env.Src, err = stringOrList(a); err != nil {
				return nil, fmt.Errorf("%s: env %q: src: %w", env.Pos, e.Name, err)
			}
		}
		// Checked where a db command takes the env (CheckExclude): a file
		// written for Atlas loads unchanged.
		if a, ok := e.Attr("exclude"); ok {
			if env.Exclude, err = a.Strings(); err != nil {
				return nil, fmt.Errorf("%s: env %q: exclude: %w", env.Pos, e.Name, err)
			}
		}
		pr.Envs = append(pr.Envs, env)
	}
	if pr.Target, err = ParseTarget(cmp.Or(s.Target, "mysql 8.0")); err != nil {
		return nil, fmt.Errorf("%s: emcee.target: %w", block.at("target"), block.hide(err, "target", -1, s.Target))
	}
	if pr.OSC, err = loadOSC(s, block); err != nil {
		return nil, err
	}
	if s.AppTimeZone != "" {
		pr.AppTimeZone, pr.AppTimeZoneAt = s.AppTimeZone, block.at("app_time_zone")
	}
	if len(s.Releases) == 0 {
		return nil, fmt.Errorf("%s: emcee.releases is empty: list your releases oldest first", block.at("releases"))
	}
	seen := map[string]bool{}
	for i, r := range s.Releases {
		if err := revision.CheckReleaseName(r); err != nil {
			return nil, fmt.Errorf("%s: emcee.releases: %w", block.element("releases", i), block.hide(err, "releases", i, r))
		}
		if seen[r] {
			return nil, fmt.Errorf("%s: emcee.releases: %w", block.element("releases", i), block.hide(fmt.Errorf("%q is listed twice", r), "releases", i, r))
		}
		seen[r] = true
	}
	for i, r := range s.Released {
		if !seen[r] {
			return nil, fmt.Errorf("%s: emcee.released: %w", block.element("released", i), block.hide(fmt.Errorf("%q is not in emcee.releases", r), "released", i, r))
		}
		pr.released[r] = true
	}
	// Releases ship in order: an unreleased release before a released one
	// could still be rewritten under revisions operators have applied.
	for i, r := range s.Released {
		for _, before := range s.Releases[:pr.Index(r)] {
			if !pr.released[before] {
				return nil, fmt.Errorf("%s: emcee.released: %q is released, but %q, listed before it in emcee.releases, is not: releases ship in order. Add %q to released, or remove %q", block.element("released", i), r, before, before, r)
			}
		}
	}
	return pr, nil
}

// evaluator is Atlas's HCL engine with the functions Atlas's CLI adds to
// project files: getenv, and file/fileset/glob relative to the file.
func evaluator(dir string) *schemahcl.State {
	return schemahcl.New(schemahcl.WithPos(), schemahcl.WithFunctions(map[string]function.Function{
		"getenv": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "name", Type: cty.String}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.StringVal(os.Getenv(args[0].AsString())), nil
			},
		}),
		"file":    schemahcl.MakeFileFunc(dir),
		"fileset": schemahcl.MakeFileSetFunc(dir),
		"glob":    schemahcl.MakeGlobFunc(dir),
	}))
}

// inputs turns --var values into what Atlas's engine takes: a string, or a
// list of strings for a repeated name; the variable's declared type
// converts it.
func inputs(vars Vars) map[string]cty.Value {
	out := map[string]cty.Value{}
	for name, vs := range vars {
		list := make([]cty.Value, len(vs))
		for i, v := range vs {
			list[i] = cty.StringVal(v)
		}
		switch len(vs) {
		case 0:
			out[name] = cty.ListValEmpty(cty.String)
		case 1:
			out[name] = list[0]
		default:
			out[name] = cty.ListVal(list)
		}
	}
	return out
}

func stringOrList(a *schemahcl.Attr) ([]string, error) {
	if s, err := a.String(); err == nil {
		return []string{s}, nil
	}
	return a.Strings()
}

// settingsBlock is the emcee block as written, for positions.
type settingsBlock struct {
	block *hclsyntax.Block
}

func emceeBlock(path string, body *hclsyntax.Body) (*settingsBlock, error) {
	var found *hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type != "emcee" {
			continue
		}
		if found != nil {
			return nil, fmt.Errorf("%s: a second emcee block (the first is at %s): keep one", PosOf(b.TypeRange), PosOf(found.TypeRange))
		}
		if len(b.Labels) > 0 {
			return nil, fmt.Errorf("%s: the emcee block takes no label", PosOf(b.TypeRange))
		}
		found = b
	}
	if found == nil {
		return nil, fmt.Errorf("%s: no emcee block: add `emcee { releases = [\"ocata\", \"pike\"] }` listing your releases in order", path)
	}
	errs := UnknownAttrs(found.Body, settingNames, "the emcee block")
	for _, b := range found.Body.Blocks {
		errs = append(errs, fmt.Sprintf("%s: unknown block %q in the emcee block (it takes only the attributes %s)", PosOf(b.TypeRange), b.Type, strings.Join(settingNames, ", ")))
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return &settingsBlock{block: found}, nil
}

// at is where an attribute of the emcee block is written, or the block.
func (s *settingsBlock) at(attr string) string {
	if a, ok := s.block.Body.Attributes[attr]; ok {
		return PosOf(a.Expr.Range()).String()
	}
	return PosOf(s.block.TypeRange).String()
}

// hide takes value out of an error about attribute attr (its i-th element,
// or the attribute itself with i < 0) when the file does not hold it as
// written: a value from getenv, file() or a variable may be a URL with
// its password, or a file's content, put in the wrong place.
func (s *settingsBlock) hide(err error, attr string, i int, value string) error {
	if value == "" || s.literal(attr, i) {
		return err
	}
	msg := strings.ReplaceAll(err.Error(), strconv.Quote(value), "the value this expression gives (not printed: it comes from outside the file)")
	return errors.New(strings.ReplaceAll(msg, value, "****"))
}

// literal reports whether the attribute (its i-th element when i >= 0) is
// a string written out in the file, with nothing evaluated in it.
func (s *settingsBlock) literal(attr string, i int) bool {
	a, ok := s.block.Body.Attributes[attr]
	if !ok {
		return false
	}
	var e hclsyntax.Expression = a.Expr
	if i >= 0 {
		t, ok := a.Expr.(*hclsyntax.TupleConsExpr)
		if !ok || i >= len(t.Exprs) {
			return false
		}
		e = t.Exprs[i]
	}
	if t, ok := e.(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
		return true
	}
	_, ok = e.(*hclsyntax.LiteralValueExpr)
	return ok
}

// element is where the i-th element of a list attribute is written; the
// attribute when the list is computed (a variable, a function).
func (s *settingsBlock) element(attr string, i int) string {
	a, ok := s.block.Body.Attributes[attr]
	if !ok {
		return PosOf(s.block.TypeRange).String()
	}
	if t, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok && i < len(t.Exprs) {
		return PosOf(t.Exprs[i].Range()).String()
	}
	return PosOf(a.Expr.Range()).String()
}

// UnknownAttrs words each attribute of an HCL block that is none of the
// known ones, in the order they are written: where it is, in which block,
// and the known name it is most likely a typo of.
func UnknownAttrs(body *hclsyntax.Body, known []string, where string) []string {
	// Every block of a release file passes here, nearly always with only
	// known attributes: they are put in order only to report one.
	found := false
	for name := range body.Attributes {
		found = found || !slices.Contains(known, name)
	}
	if !found {
		return nil
	}
	var out []string
	for _, a := range slices.SortedFunc(maps.Values(body.Attributes), func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte }) {
		if !slices.Contains(known, a.Name) {
			out = append(out, fmt.Sprintf("%s: unknown attribute %q in %s%s", PosOf(a.NameRange), a.Name, where, Suggest(a.Name, known)))
		}
	}
	return out
}

// Suggest is the hint after an unknown attribute or block name of an HCL
// file: the known name it is most likely a typo of, or the names known.
func Suggest(name string, known []string) string {
	if best := Closest(name, known); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if len(known) == 0 {
		return " (this block takes no attributes)"
	}
	return fmt.Sprintf(" (known: %s)", strings.Join(known, ", "))
}

// Closest is the known name that name is most likely a typo of (at most
// two edits away, letter case aside: "IMAGES" is images mistyped), or "".
func Closest(name string, known []string) string {
	best, bestD := "", 3
	for _, k := range known {
		if d := levenshtein.Distance(strings.ToLower(name), strings.ToLower(k), nil); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// Released reports whether the release is marked as shipped: its revisions
// are frozen.
func (p *Project) Released(release string) bool { return p.released[release] }

// SchemaFile is the declared schema of a release: schema/<release>.sql
// when the release is declared as SQL, schema/<release>.hcl otherwise
// (also when neither exists).
func (p *Project) SchemaFile(release string) string {
	if f, err := p.Files(release); err == nil {
		return f.Schema
	}
	return filepath.Join(p.SchemaDir, release+".hcl")
}

// DeclFileOf is the declarations file beside a release's SQL file
// (schema/train.sql: schema/train.emcee.hcl), named as the SQL file is:
// emcee's declarations (replaces, renamed_from, fill, ...) in HCL, beside
// the SQL that holds the schema.
func DeclFileOf(sqlFile string) string {
	return strings.TrimSuffix(sqlFile, ".sql") + ".emcee.hcl"
}

// ReleaseFiles are the files declaring a release.
type ReleaseFiles struct {
	Schema string // schema/<release>.hcl or .sql
	SQL    bool
	Decl   string // the declarations file of a SQL release, "" when there is none
}

// Files says which files declare a release, and refuses a release
// declared twice (in HCL and in SQL) or declarations beside an HCL
// release, naming the files.
func (p *Project) Files(release string) (ReleaseFiles, error) {
	hcl := filepath.Join(p.SchemaDir, release+".hcl")
	sql := filepath.Join(p.SchemaDir, release+".sql")
	decl := DeclFileOf(sql)
	switch h, s, d := fileExists(hcl), fileExists(sql), fileExists(decl); {
	case h && s:
		return ReleaseFiles{}, fmt.Errorf("%s and %s both declare release %s: a release is declared in HCL or in SQL; remove one of them", Rel(hcl), Rel(sql), release)
	case h && d:
		return ReleaseFiles{}, fmt.Errorf("%s holds declarations for a release declared as SQL, but release %s is declared in %s: put them in that file's table and column blocks, and remove %s", Rel(decl), release, Rel(hcl), Rel(decl))
	case s:
		f := ReleaseFiles{Schema: sql, SQL: true}
		if d {
			f.Decl = decl
		}
		return f, nil
	case d:
		return ReleaseFiles{}, fmt.Errorf("%s holds declarations for release %s, but %s, the SQL they declare things about, does not exist; create it (or declare the release in %s)", Rel(decl), release, Rel(sql), Rel(hcl))
	}
	return ReleaseFiles{Schema: hcl}, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Env returns the named env block. An env block with for_each names
// several databases; Env refuses it, since the caller wants one.
func (p *Project) Env(name string) (*Env, error) {
	found, err := p.Targets(name)
	if err != nil {
		return nil, err
	}
	if len(found) == 1 && !found[0].ForEach {
		return found[0], nil
	}
	return nil, fmt.Errorf("%s: env %q names %d databases (for_each); this command works on one database: pass --url for one of them", p.forEach[name], name, len(found))
}

// Targets returns the databases of the named env block: one for a plain
// block, one per element for a block with for_each (none when its set is
// empty), in the order Atlas's engine yields them.
func (p *Project) Targets(name string) ([]*Env, error) {
	var names []string
	var found []*Env
	for _, e := range p.Envs {
		if e.Name == name {
			found = append(found, e)
		}
		if !slices.Contains(names, e.Name) {
			names = append(names, e.Name)
		}
	}
	if _, ok := p.forEach[name]; len(found) == 0 && !ok {
		// A for_each block over an empty set is an env too.
		for _, n := range slices.Sorted(maps.Keys(p.forEach)) {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		// --env prdo went on to say only which envs there are, as an
		// unknown attribute of the emcee block gets its closest name.
		switch best := Closest(name, names); {
		case len(names) == 0:
			return nil, fmt.Errorf("%s: no env %q: the file declares no env block; declare one (env %q { url = \"mysql://...\" }), or pass --url", p.Path, name, name)
		case best != "":
			return nil, fmt.Errorf("%s: no env %q: did you mean %q? (defined: %s)", p.Path, name, best, strings.Join(names, ", "))
		}
		return nil, fmt.Errorf("%s: no env %q (defined: %s)", p.Path, name, strings.Join(names, ", "))
	}
	return found, nil
}

// ForEach reports whether the named env block has for_each: it names a
// fleet, whatever the number of its elements.
func (p *Project) ForEach(name string) bool {
	_, ok := p.forEach[name]
	return ok
}

// forEachEnvs finds the env blocks declaring for_each in the syntax tree:
// once evaluated, a block over a one-element set looks like a plain one.
func forEachEnvs(body *hclsyntax.Body) map[string]string {
	out := map[string]string{}
	for _, b := range body.Blocks {
		if a, ok := b.Body.Attributes["for_each"]; ok && b.Type == "env" && len(b.Labels) == 1 {
			out[b.Labels[0]] = PosOf(a.SrcRange).String()
		}
	}
	return out
}

// CheckExclude refuses the exclude patterns of an env a db command works
// on that emcee would not follow as Atlas does: emcee leaves out whole
// tables, by a glob on their name; Atlas's other forms (a column of a
// table, "t.c", "*.tmp", under a URL naming the database) name what
// emcee's drift checks would still compare, silently.
func (e *Env) CheckExclude() error {
	for _, pat := range e.Exclude {
		if _, err := path.Match(pat, ""); err != nil {
			return fmt.Errorf("%s: env %q: exclude: %q is not a glob (%v): write a table name pattern, e.g. \"matomo_archive_*\"", e.Pos, e.Name, pat, err)
		}
		if strings.Contains(pat, ".") {
			return fmt.Errorf("%s: env %q: exclude: %q names a column (or a schema): emcee's drift checks leave out whole tables only, by a glob on the table name (e.g. \"matomo_archive_*\"); remove the qualifier, or the pattern", e.Pos, e.Name, pat)
		}
	}
	return nil
}

// Excluded reports whether an env's exclude patterns name table.
func Excluded(patterns []string, table string) bool {
	return slices.ContainsFunc(patterns, func(pat string) bool {
		ok, _ := path.Match(pat, table)
		return ok
	})
}

// envURLs are, by env name, where each env block's url is written and the
// variable it reads when it is getenv("NAME") with NAME written out, from
// the syntax tree: evaluation keeps the value alone.
func envURLs(body *hclsyntax.Body) map[string][2]string {
	out := map[string][2]string{}
	for _, b := range body.Blocks {
		a, ok := b.Body.Attributes["url"]
		if b.Type != "env" || len(b.Labels) != 1 || !ok {
			continue
		}
		if _, seen := out[b.Labels[0]]; seen {
			continue
		}
		u := [2]string{PosOf(a.Expr.Range()).String(), ""}
		if call, ok := a.Expr.(*hclsyntax.FunctionCallExpr); ok && call.Name == "getenv" && len(call.Args) == 1 {
			if t, ok := call.Args[0].(*hclsyntax.TemplateExpr); ok && t.IsStringLiteral() {
				if v, diags := t.Value(nil); !diags.HasErrors() {
					u[1] = v.AsString()
				}
			}
		}
		out[b.Labels[0]] = u
	}
	return out
}

// Rel makes a path relative to the working directory when possible, for
// messages a user can click on.
func Rel(path string) string {
	wd, err := os.Getwd()
	if err != nil {
		return path
	}
	if r, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// Index returns the position of a release in the order, or -1.
func (p *Project) Index(release string) int { return slices.Index(p.Releases, release) }
