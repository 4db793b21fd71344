package diff

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/emcee-db/emcee/project"
)

// A release may be declared as SQL: schema/<release>.sql holding CREATE
// TABLE statements, and beside it, optionally, schema/<release>.emcee.hcl
// holding emcee's declarations (replaces, renamed_from of a table, column
// or index, fill, allow_copy, data_migration, discard). Package sqlrelease runs the SQL in a dev
// database and has Atlas inspect what it created; what the pipeline loads
// is the source FromSQL writes from that: the inspected schema as Atlas
// HCL, after a header naming the hash of the files it was evaluated from
// and where in the SQL each table and column is defined, and followed by
// the declarations file, verbatim in comments. It is an HCL file like any
// release (Atlas reads it, the snapshot of the release is a copy of it),
// so planning needs a database only when the SQL files change: the
// snapshot records the hash of the files it was evaluated from.
//
// Load reads the header: errors about the schema point at the SQL
// statement defining the table or column, and the declarations are read
// from the declarations file's own lines, so "declared at" names its
// positions.

// SQLFiles are the files of a release declared as SQL.
type SQLFiles struct {
	Release string
	File    string // the SQL file, named as in positions (schema/train.sql)
	SQL     []byte
	// DeclFile is the declarations file ("" when there is none).
	DeclFile string
	Decl     []byte
}

// Hash identifies what an evaluation of the files gives: their names and
// contents, and the target (types are read for its flavor).
func (f SQLFiles) Hash(t project.Target) string {
	h := sha256.New()
	for _, s := range [][]byte{[]byte(t.String()), []byte(f.File), f.SQL, []byte(f.DeclFile), f.Decl} {
		fmt.Fprintf(h, "%d:", len(s))
		h.Write(s)
	}
	return "h1:" + base64.StdEncoding.EncodeToString(h.Sum(nil))
}

const (
	sqlMagic     = "# emcee: evaluated from "
	sqlAt        = "# at "
	sqlDeclHead  = "# declarations "
	sqlDeclLine  = "#| "
	sqlDeclEmpty = "#|"
)

// FromSQL is the source of a release declared as SQL: schemaHCL is the
// inspected schema as Atlas HCL, at says where the SQL file defines each
// table ("t") and column ("t.c"), and each named index, key or check
// ("t/name").
func FromSQL(f SQLFiles, schemaHCL []byte, at map[string]Pos) Source {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s%s\n", sqlMagic, strconv.Quote(f.File))
	decl := ""
	if f.DeclFile != "" {
		decl = fmt.Sprintf(" and the declarations of %q", f.DeclFile)
	}
	// Names are quoted: a comment line ends at a newline.
	fmt.Fprintf(&b, "# Release %q, declared as SQL in %q%s: the tables the SQL creates in a\n# dev database, as Atlas inspects them. Written by `emcee plan`; edit the SQL, not this.\n", f.Release, f.File, decl)
	for _, k := range slices.Sorted(maps.Keys(at)) {
		fmt.Fprintf(&b, "%s%s %d:%d\n", sqlAt, strconv.Quote(k), at[k].Line, at[k].Col)
	}
	b.Write(schemaHCL)
	if f.DeclFile != "" {
		if !bytes.HasSuffix(schemaHCL, []byte("\n")) {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%s%s\n", sqlDeclHead, strconv.Quote(f.DeclFile))
		for line := range strings.Lines(string(f.Decl)) {
			if line == "\n" {
				b.WriteString(sqlDeclEmpty + "\n")
				continue
			}
			b.WriteString(sqlDeclLine + line)
			if !strings.HasSuffix(line, "\n") {
				b.WriteByte('\n')
			}
		}
	}
	return Source{Release: f.Release, File: f.File, Src: b.Bytes()}
}

// FromSQLFile reports whether a source was written by FromSQL, and from
// which file.
func FromSQLFile(src []byte) (file string, ok bool) {
	line, _, _ := bytes.Cut(src, []byte("\n"))
	rest, ok := bytes.CutPrefix(line, []byte(sqlMagic))
	if !ok {
		return "", false
	}
	f, _, err := unquotePrefix(string(rest))
	return f, err == nil
}

// sqlSource is a source FromSQL wrote, read back.
type sqlSource struct {
	file     string
	at       map[string]Pos
	declFile string
	decl     []byte
	// lines maps a line of the source to the table ("t"), column ("t.c")
	// or part ("t/name") whose block holds it.
	lines map[int]string
}

func readSQLSource(src Source) (*sqlSource, error) {
	if _, ok := FromSQLFile(src.Src); !ok {
		return nil, nil
	}
	s := &sqlSource{file: src.File, at: map[string]Pos{}}
	broken := func(n int) error {
		return fmt.Errorf("%s: line %d of the source evaluated from %s is not what `emcee plan` writes; restore the snapshot from version control, or plan the release again", src.File, n, src.File)
	}
	lines := strings.Split(string(src.Src), "\n")
	var decl []string
	inDecl := false
	for i, line := range lines {
		switch {
		case inDecl && (line == sqlDeclEmpty || strings.HasPrefix(line, sqlDeclLine)):
			decl = append(decl, strings.TrimPrefix(strings.TrimPrefix(line, sqlDeclLine), sqlDeclEmpty))
		case inDecl && line != "":
			return nil, broken(i + 1)
		case strings.HasPrefix(line, sqlAt):
			k, rest, err := unquotePrefix(line[len(sqlAt):])
			l, c, ok := strings.Cut(strings.TrimPrefix(rest, " "), ":")
			ln, err1 := strconv.Atoi(l)
			cn, err2 := strconv.Atoi(c)
			if err != nil || !ok || err1 != nil || err2 != nil {
				return nil, broken(i + 1)
			}
			s.at[k] = Pos{File: src.File, Line: ln, Col: cn}
		case strings.HasPrefix(line, sqlDeclHead):
			f, _, err := unquotePrefix(line[len(sqlDeclHead):])
			if err != nil {
				return nil, broken(i + 1)
			}
			s.declFile, inDecl = f, true
		}
	}
	if inDecl {
		s.decl = []byte(strings.Join(decl, "\n"))
	}
	f, diags := hclsyntax.ParseConfig(src.Src, src.File, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s: the source evaluated from it does not parse: %s", src.File, diags.Error())
	}
	s.lines = map[int]string{}
	mark := func(r hcl.Range, key string) {
		for l := r.Start.Line; l <= r.End.Line; l++ {
			s.lines[l] = key
		}
	}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "table" || len(b.Labels) == 0 {
			continue
		}
		t := b.Labels[0]
		mark(b.Range(), t)
		for _, c := range b.Body.Blocks {
			switch {
			case c.Type == "column" && len(c.Labels) > 0:
				mark(c.Range(), t+"."+c.Labels[0])
			case len(c.Labels) > 0:
				mark(c.Range(), t+"/"+c.Labels[0])
			}
		}
	}
	return s, nil
}

func unquotePrefix(s string) (string, string, error) {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return "", "", err
	}
	v, err := strconv.Unquote(q)
	return v, s[len(q):], err
}

// where is the SQL position of a table, column or part; the table's when
// the part has none of its own.
func (s *sqlSource) where(key string) (Pos, bool) {
	if p, ok := s.at[key]; ok {
		return p, true
	}
	table, _, _ := strings.Cut(key, "/")
	table, _, _ = strings.Cut(table, ".")
	p, ok := s.at[table]
	return p, ok
}

// place is the SQL position of a line of the source.
func (s *sqlSource) place(line int) (Pos, bool) {
	if k, ok := s.lines[line]; ok {
		return s.where(k)
	}
	return Pos{}, false
}

// remap rewrites the positions of the source's lines that an error names
// as the SQL positions of what they declare: the generated lines mean
// nothing to the user.
func (s *sqlSource) remap(err error) error {
	at := regexp.MustCompile(regexp.QuoteMeta(s.file+":") + `([0-9]+):[0-9]+`)
	return fmt.Errorf("%s", at.ReplaceAllStringFunc(err.Error(), func(m string) string {
		line, _ := strconv.Atoi(at.FindStringSubmatch(m)[1])
		if p, ok := s.place(line); ok {
			return p.String()
		}
		return m
	}))
}

// declSpec is what a declarations file may hold: emcee's declarations,
// and nothing of the schema, which is the SQL's.
var declSpec = &blockSpec{blocks: map[string]*blockSpec{
	"table": {labels: 1, attrs: []string{"renamed_from"}, blocks: map[string]*blockSpec{
		"column": {labels: 1, attrs: []string{"renamed_from", "fill", "allow_copy"}, blocks: map[string]*blockSpec{"replaces": replacesSpec}},
		"index":  {labels: 1, attrs: []string{"renamed_from"}},
	}},
	"data_migration":  fileSpec.blocks["data_migration"],
	"discard":         fileSpec.blocks["discard"],
	"stored_function": fileSpec.blocks["stored_function"],
}}

// overlay gives the release evaluated from a SQL source its declarations,
// read from the declarations file, and the SQL positions of its tables,
// columns, indexes, foreign keys and checks.
func (s *sqlSource) overlay(r *Release, t project.Target) (*Release, error) {
	d := &Declarations{Columns: map[ColumnRef]*ColumnDecl{}, Tables: map[string]*TableDecl{}, positions: map[string]Pos{}}
	if s.declFile != "" {
		f, diags := hclsyntax.ParseConfig(s.decl, s.declFile, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, project.HCLError(diags)
		}
		body := f.Body.(*hclsyntax.Body)
		if err := validate(body, declSpec, "the declarations file (the schema itself is the SQL's)"); err != nil {
			return nil, err
		}
		var errs []string
		// Two blocks of one column: the second's declarations would
		// replace the first's, dropping, say, its renamed_from unseen. Two
		// blocks of one table may each declare columns, but a second
		// renamed_from would replace the first's as silently.
		columns, renames, blocks, indexes := map[ColumnRef]Pos{}, map[string]Pos{}, map[ColumnRef]Pos{}, map[string]Pos{}
		for _, b := range body.Blocks {
			if b.Type != "table" {
				continue
			}
			t, ok := r.Schema.Table(b.Labels[0])
			if !ok {
				errs = append(errs, labelPos(b).Errorf("table %q is declared here, but %s creates no such table; fix the name, or remove the block", b.Labels[0], s.file).Error())
				continue
			}
			if a, ok := b.Body.Attributes["renamed_from"]; ok {
				at := project.PosOf(a.NameRange)
				if first, ok := renames[strings.ToLower(t.Name)]; ok {
					errs = append(errs, at.Errorf("table %s declares renamed_from twice (first at %s); the second would replace the first: keep the one naming the table it had in the previous release", t.Name, first).Error())
				} else {
					renames[strings.ToLower(t.Name)] = at
				}
			}
			for _, c := range b.Body.Blocks {
				if c.Type == "index" {
					// An index block declares renamed_from, once.
					if _, ok := t.Index(c.Labels[0]); !ok {
						errs = append(errs, labelPos(c).Errorf("index %q of table %s is declared here, but %s gives %s no such index; fix the name, or remove the block", c.Labels[0], t.Name, s.file, t.Name).Error())
						continue
					}
					key := strings.ToLower(t.Name + "/" + c.Labels[0])
					if first, ok := indexes[key]; ok {
						errs = append(errs, labelPos(c).Errorf("index %q of table %s is declared twice (first at %s); the second block's renamed_from would replace the first's: keep one block", c.Labels[0], t.Name, first).Error())
						continue
					}
					indexes[key] = labelPos(c)
					continue
				}
				if _, ok := t.Column(c.Labels[0]); !ok {
					errs = append(errs, labelPos(c).Errorf("column %q of table %s is declared here, but %s gives %s no such column; fix the name, or remove the block", c.Labels[0], t.Name, s.file, t.Name).Error())
					continue
				}
				// Keyed by both names, not "t.c": a name may hold a dot.
				key := ColumnRef{Table: strings.ToLower(t.Name), Column: strings.ToLower(c.Labels[0])}
				if first, ok := columns[key]; ok {
					errs = append(errs, labelPos(c).Errorf("column %q of table %s is declared twice (first at %s); the second block's declarations would replace the first's: merge them into one block", c.Labels[0], t.Name, first).Error())
					continue
				}
				columns[key] = labelPos(c)
				blocks[key] = project.PosOf(c.TypeRange)
			}
		}
		if err := JoinLines(errs); err != nil {
			return nil, err
		}
		var err error
		if d, err = readDeclarations(body, s.decl); err != nil {
			return nil, err
		}
		d.columnBlocks = blocks
		if err := d.checkCalls(t); err != nil {
			return nil, err
		}
	}
	for _, t := range r.Schema.Tables {
		if p, ok := s.where(t.Name); ok {
			d.positions[t.Name] = p
		}
		for _, c := range t.Columns {
			if p, ok := s.where(t.Name + "." + c.Name); ok {
				d.positions[t.Name+"."+c.Name] = p
			}
		}
	}
	for k, p := range s.at {
		if _, _, part := strings.Cut(k, "/"); part {
			d.positions[k] = p
		}
	}
	out := *r
	out.Declarations = d
	return &out, nil
}
