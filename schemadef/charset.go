package schemadef

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/emcee-db/emcee/project"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// ServerDefault is the charset and collation the offline planner assumes
// a database has, on a server of target's flavour and version: a table
// declared without a charset has them, for Atlas's comparisons. It is
// utf8mb4 with its default collation there (DefaultCollation): MySQL
// 8.0's own defaults (utf8mb4_0900_ai_ci: MySQL 8.0 Reference Manual,
// "Server Character Set and Collation"); on MariaDB what the packages
// configure (character-set-server = utf8mb4; a mariadbd started without
// config files has latin1 before 11.6), utf8mb4_general_ci, and
// utf8mb4_uca1400_ai_ci from 11.3 (the official images of 11.3.2 and
// 11.4.2 on). A release declared as SQL is run in a dev database with
// them as its defaults, so that Atlas reads a table's charset the same
// way from either.
func ServerDefault(target project.Target) (charset, collation string) {
	// Planning asks for it once per column it compares, always for the
	// project's one target: the collation is spelled once, not each time.
	if d := serverDefault.Load(); d != nil && d.target == target {
		return "utf8mb4", d.collation
	}
	d := &targetCollation{target, DefaultCollation(target, "utf8mb4")}
	serverDefault.Store(d)
	return "utf8mb4", d.collation
}

type targetCollation struct {
	target    project.Target
	collation string
}

var serverDefault atomic.Pointer[targetCollation]

// Effective is the charset and collation the server gives a column, the
// one rule every part of emcee reads them by: the column's own, else its
// table's, else the database's. A level's collation names its charset; a
// charset named without a collation has its default collation
// on target's flavour (DefaultCollation), as `CHARACTER SET x` alone gives
// on the server (measured on MariaDB: a column declaring only utf8mb4 in a
// utf8mb4_unicode_ci table is utf8mb4_general_ci; MySQL 8.0 gives
// utf8mb4_0900_ai_ci). The database's default is the schema block's
// charset or collate, which declares the default of the databases the
// plans are for (the database is the operator's: emcee never changes it,
// and the applier refuses a database whose default is another), else the
// one the offline planner assumes for target (ServerDefault). The utf8
// alias reads as utf8mb3, as the server prints it.
func Effective(target project.Target, t *schema.Table, c *schema.Column) (charset, collation string) {
	_, collation = ServerDefault(target)
	levels := [...][]schema.Attr{c.Attrs, t.Attrs, nil}
	if t.Schema != nil {
		levels[2] = t.Schema.Attrs
	}
	for _, attrs := range levels {
		if v, ok := Collation(attrs); ok {
			collation = v
			break
		}
		if cs, ok := Charset(attrs); ok {
			collation = DefaultCollation(target, cs)
			break
		}
	}
	collation = sqlsyntax.CanonicalCharset(collation)
	return sqlsyntax.CharsetOf(collation), collation
}

// FromDatabase reports whether Effective reads a column's charset from
// the database's default: it is textual, and neither it nor its table
// declares a charset or collation.
func FromDatabase(t *schema.Table, c *schema.Column) bool {
	return !slices.ContainsFunc(c.Attrs, CharsetAttr) && !slices.ContainsFunc(t.Attrs, CharsetAttr) && Textual(c.Type.Type)
}

// Textual reports the types that have a charset.
func Textual(t schema.Type) bool {
	switch t.(type) {
	case *schema.StringType, *schema.EnumType, *mysql.SetType:
		return true
	}
	return false
}

// DefaultCollation is a charset's default collation on a server of
// target's flavour and version (information_schema.CHARACTER_SETS, and on
// MariaDB from 11.2 @@character_set_collations, which overrides it for
// CHARACTER SET x alone): <charset>_general_ci but for these.
func DefaultCollation(target project.Target, charset string) string {
	cs := sqlsyntax.CanonicalCharset(charset)
	if c, ok := defaultCollations[cs]; ok {
		return c
	}
	if c, ok := mysqlDefaultCollations[cs]; ok && !target.MariaDB() {
		return c
	}
	if v, ok := uca1400Since[cs]; ok && target.MariaDB() && !target.Before(v[0], v[1]) {
		return cs + "_uca1400_ai_ci"
	}
	return cs + "_general_ci"
}

// uca1400Since is the MariaDB version from which a Unicode charset named
// alone has its uca1400_ai_ci collation (MariaDB's "Supported Character
// Sets and Collations": "ucs2_general_ci (<= MariaDB 11.4),
// ucs2_uca1400_ai_ci (>= MariaDB 11.5)"; MDEV-30164, MDEV-25829): 11.5
// made it the server's own default for these five charsets
// (@@character_set_collations); before, from 11.3, the packages and the
// official images set character_set_collations = utf8mb4=uca1400_ai_ci
// (11.3.2 and 11.4.2 images: mariadb-docker issues 560 and 591; 11.4's
// 11.4.1 release candidate still gave utf8mb4_general_ci), for utf8mb4
// alone.
var uca1400Since = map[string][2]int{
	"utf8mb4": {11, 3}, "utf8mb3": {11, 5}, "ucs2": {11, 5}, "utf16": {11, 5}, "utf32": {11, 5},
}

// CharsetCollations is the @@character_set_collations (MariaDB 11.2 and
// later) under which a charset named alone has target's default collation
// for every charset whose default depends on the server's version and
// configuration (uca1400Since), so that the plans' statements give what
// they were planned for on whatever MariaDB runs them: a project for
// mariadb 10.11 applied on an 11.4 server, whose packages map utf8mb4 to
// utf8mb4_uca1400_ai_ci, or one for 11.4 on a server built without that
// configuration. "" for MySQL, which has no such variable.
func CharsetCollations(target project.Target) string {
	if !target.MariaDB() {
		return ""
	}
	var pairs []string
	for _, cs := range []string{"utf8mb3", "ucs2", "utf8mb4", "utf16", "utf32"} {
		pairs = append(pairs, cs+"="+DefaultCollation(target, cs))
	}
	return strings.Join(pairs, ",")
}

// defaultCollations are the default collations of MariaDB 10.11 that are
// not <charset>_general_ci (SELECT CHARACTER_SET_NAME,
// DEFAULT_COLLATE_NAME FROM information_schema.CHARACTER_SETS), which
// are MySQL 8.0's too; mysqlDefaultCollations are MySQL's others.
var defaultCollations = map[string]string{
	"big5": "big5_chinese_ci", "binary": "binary", "cp932": "cp932_japanese_ci", "dec8": "dec8_swedish_ci",
	"eucjpms": "eucjpms_japanese_ci", "euckr": "euckr_korean_ci", "gb2312": "gb2312_chinese_ci",
	"gbk": "gbk_chinese_ci", "hp8": "hp8_english_ci", "latin1": "latin1_swedish_ci", "latin5": "latin5_turkish_ci",
	"sjis": "sjis_japanese_ci", "swe7": "swe7_swedish_ci", "tis620": "tis620_thai_ci", "ujis": "ujis_japanese_ci",
}

// mysqlDefaultCollations are where MySQL 8.0's default collations differ
// from MariaDB's (MySQL 8.0 Reference Manual, "Supported Character Sets
// and Collations", SHOW CHARACTER SET): utf8mb4's, and gb18030's, a
// charset MariaDB 10.11 lacks.
var mysqlDefaultCollations = map[string]string{
	"utf8mb4": "utf8mb4_0900_ai_ci", "gb18030": "gb18030_chinese_ci",
}

// WithCharsets is a change whose columns Atlas writes so that the server
// gives each the charset and collation it declares (Effective); server
// are the charset and collation Atlas's driver reads from its server
// (ServerDefault offline), and target the flavour whose default collations
// a charset named alone has (Effective). Atlas leaves out a column's
// CHARSET equal to its table's charset attribute, else the server's, and
// its COLLATE equal to the table's collation attribute, else the
// server's, each compared on its own; the server then gives the column its
// table's collation. So a column declaring only utf8mb4_general_ci in a
// `charset = "latin1"` table was created latin1, one declaring only
// utf8mb4 in a `collate = "latin1_bin"` table latin1_bin, and in a
// utf8mb4_bin table utf8mb4_bin instead of utf8mb4_general_ci: the plans
// after it counted bytes and compared collations the column did not have.
// A column Atlas already writes right is left as declared, so that its
// statement does not change.
func WithCharsets(ch schema.Change, target project.Target, server [2]string) schema.Change {
	switch ch := ch.(type) {
	case *schema.AddTable:
		cols := make([]*schema.Column, len(ch.T.Columns))
		for i, col := range ch.T.Columns {
			cols[i] = spelled(target, ch.T, col, server)
		}
		if slices.Equal(cols, ch.T.Columns) {
			return ch
		}
		t := *ch.T
		t.Columns = cols
		// Atlas tells a foreign key to the table itself by identity.
		t.ForeignKeys = make([]*schema.ForeignKey, len(ch.T.ForeignKeys))
		for i, fk := range ch.T.ForeignKeys {
			f := *fk
			if f.Table = &t; fk.RefTable == ch.T {
				f.RefTable = &t
			}
			t.ForeignKeys[i] = &f
		}
		return &schema.AddTable{T: &t, Extra: ch.Extra}
	case *schema.ModifyTable:
		m := *ch
		m.Changes = slices.Clone(m.Changes)
		for i, c := range m.Changes {
			switch c := c.(type) {
			case *schema.AddColumn:
				ac := *c
				ac.C = spelled(target, m.T, c.C, server)
				m.Changes[i] = &ac
			case *schema.ModifyColumn:
				mc := *c
				mc.To = spelled(target, m.T, c.To, server)
				m.Changes[i] = &mc
			}
		}
		return &m
	}
	return ch
}

// spelled is column c of table t with the charset and collation
// attributes that make Atlas write what the server needs to give it
// Effective's: as declared where that does, else its collation alone,
// else its charset and collation (Atlas then writes the CHARSET, whose
// default collation it is).
func spelled(target project.Target, t *schema.Table, c *schema.Column, server [2]string) *schema.Column {
	if !Textual(c.Type.Type) {
		return c
	}
	cs, coll := Effective(target, t, c)
	_, generated := Attr[*schema.GeneratedExpr](c.Attrs)
	if written(target, t, c.Attrs, server) == coll && (!generated || !writesCollate(t, c.Attrs, server)) {
		return c
	}
	// Atlas compares names as strings, the server as names: the collation
	// in capitals is the one spelling Atlas writes where it equals the
	// server's and the table declares none (written).
	spellings := [][]schema.Attr{{&schema.Collation{V: coll}}, {&schema.Charset{V: cs}, &schema.Collation{V: coll}}, {&schema.Collation{V: strings.ToUpper(coll)}}}
	if generated {
		// Atlas writes a generated column's COLLATE after its expression
		// ("AS (...) VIRTUAL COLLATE x"), which neither server takes
		// (error 1064: expand stopped at the statement), and its CHARSET
		// before it: a charset alone, where it names the collation, or
		// nothing (diff refuses the rest: GeneratedCollate).
		spellings = nil
		if DefaultCollation(target, cs) == coll {
			spellings = [][]schema.Attr{{&schema.Charset{V: cs}}, {&schema.Charset{V: strings.ToUpper(cs)}}}
		}
	}
	for _, attrs := range spellings {
		if written(target, t, attrs, server) != coll || generated && writesCollate(t, attrs, server) {
			continue
		}
		s := *c
		s.Attrs = append(slices.DeleteFunc(slices.Clone(c.Attrs), CharsetAttr), attrs...)
		return &s
	}
	return c
}

// written is the collation the server gives a column of table t with these
// charset and collation attributes, as Atlas writes them (mysql
// state.column, state.character, state.collation, which read the table's
// attributes, else its schema's, else the server's): a COLLATE names it, a
// CHARSET alone has its default one, and a column with neither takes its
// table's. A column's own charset or collation Atlas leaves out as the
// server's, in a table and schema declaring neither, takes the database's
// default, which the plans then do not know (a database created latin1
// made a column declaring utf8mb4 latin1): "", no collation. One the
// schema block declares is the database's (the applier refuses another).
func written(target project.Target, t *schema.Table, attrs []schema.Attr, server [2]string) string {
	atlas, declared := atlasDefaults(t, server)
	if v, ok := Collation(attrs); ok {
		if v != atlas[1] {
			return sqlsyntax.CanonicalCharset(v)
		}
		if !declared {
			return ""
		}
	}
	if v, ok := Charset(attrs); ok {
		if v != atlas[0] {
			return DefaultCollation(target, v)
		}
		if !declared {
			return ""
		}
	}
	_, coll := Effective(target, t, &schema.Column{})
	return coll
}

// atlasDefaults are the charset and collation Atlas compares a column's
// with (mysql state.character, state.collation): its table's attribute,
// else its schema's, else the server's; declared tells whether the table
// or schema declares either.
func atlasDefaults(t *schema.Table, server [2]string) (atlas [2]string, declared bool) {
	atlas = server
	levels := [][]schema.Attr{t.Attrs}
	if t.Schema != nil {
		levels = append(levels, t.Schema.Attrs)
	}
	for _, level := range slices.Backward(levels) {
		if v, ok := Charset(level); ok {
			atlas[0], declared = v, true
		}
		if v, ok := Collation(level); ok {
			atlas[1], declared = v, true
		}
	}
	return atlas, declared
}

// writesCollate reports whether Atlas writes a COLLATE for a column of
// table t with these attributes: one it does not find equal to its
// table's (atlasDefaults).
func writesCollate(t *schema.Table, attrs []schema.Attr, server [2]string) bool {
	atlas, _ := atlasDefaults(t, server)
	v, ok := Collation(attrs)
	return ok && v != atlas[1]
}

// GeneratedCollate is the collation of generated column c of table t
// that the statements the planner writes (WithCharsets, offline) would
// put after its expression, where neither server takes it: one that is
// not its charset's default and not its table's; false when there is
// none.
func GeneratedCollate(target project.Target, t *schema.Table, c *schema.Column) (string, bool) {
	if _, ok := Attr[*schema.GeneratedExpr](c.Attrs); !ok || !Textual(c.Type.Type) {
		return "", false
	}
	var server [2]string
	server[0], server[1] = ServerDefault(target)
	s := spelled(target, t, c, server)
	if !writesCollate(t, s.Attrs, server) {
		return "", false
	}
	_, coll := Effective(target, t, c)
	return coll, true
}

// SnapshotDefault is the default collation of the databases the plans
// beside a snapshot are for (DeclaredDefault): a snapshot written before
// schema blocks could declare one was planned for target's ServerDefault.
// The applier asks before every run, and `db check` on every poll, for
// each pending release.
func SnapshotDefault(path string, target project.Target) (string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return DeclaredDefault(path, src, target)
}

// DeclaredDefault is the default collation of the databases a release
// file or snapshot is for (Effective): its first schema block's collate,
// else its charset's default collation, else ServerDefault, on target's
// flavour. The file is read chunk by chunk (Chunks) up to the first that
// holds a schema block, which is read alone when it is that one block:
// reading the whole of a 1,000-table file took 0.2 s, twice for every
// release planned again, and 0.5 s or more for each pending release on
// every `db check` poll, where the schema block comes first (a snapshot's
// header and a SQL release's are comments before it). Every chunk before
// it must parse on its own: a chunk starts at a line that starts with a
// letter, which may be inside a heredoc or a block comment, and only the
// chunks before it parsing whole says it starts at the top level. A file
// the chunks do not cut so is read whole.
func DeclaredDefault(name string, src []byte, target project.Target) (string, error) {
	if !bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		for c := range chunksOf(src) {
			body, ok := chunkBody(name, c)
			if !ok {
				break
			}
			i := slices.IndexFunc(body.Blocks, func(b *hclsyntax.Block) bool { return b.Type == "schema" })
			if i < 0 {
				continue
			}
			if i == 0 && len(body.Blocks) == 1 && len(body.Attributes) == 0 {
				return bodyDefault(body, target)
			}
			break
		}
	}
	return wholeDefault(name, src, target)
}

// wholeDefault is DeclaredDefault read from the whole file.
func wholeDefault(name string, src []byte, target project.Target) (string, error) {
	f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
	if diags.HasErrors() {
		return "", project.HCLError(diags)
	}
	return bodyDefault(f.Body.(*hclsyntax.Body), target)
}

// chunkBody is chunk c of a file parsed alone, positions in the file's;
// false when it does not parse.
func chunkBody(name string, c Chunk) (*hclsyntax.Body, bool) {
	f, diags := hclsyntax.ParseConfig(c.Data, name, hcl.Pos{Line: c.Line, Column: 1, Byte: c.Start})
	if diags.HasErrors() {
		return nil, false
	}
	return f.Body.(*hclsyntax.Body), true
}

func bodyDefault(body *hclsyntax.Body, target project.Target) (string, error) {
	s := &schema.Schema{}
	for _, b := range body.Blocks {
		if b.Type != "schema" {
			continue
		}
		// Atlas reads a collation spelt collate or collation alike.
		for _, attr := range []string{"charset", "collate", "collation"} {
			a, ok := b.Body.Attributes[attr]
			if !ok {
				continue
			}
			example, value := "utf8mb4_bin", func(v string) schema.Attr { return &schema.Collation{V: v} }
			if attr == "charset" {
				example, value = "utf8mb4", func(v string) schema.Attr { return &schema.Charset{V: v} }
			}
			v, diags := a.Expr.Value(nil)
			if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
				// Atlas evaluates functions (lower("LATIN1")); the applier,
				// reading a snapshot's block alone, does not.
				return "", fmt.Errorf("%s: schema %s: %s is not a string literal: emcee reads the database default without evaluating the file; write the name itself, e.g. %s = %q", project.PosOf(a.Expr.Range()), strings.Join(b.Labels, " "), attr, attr, example)
			}
			s.Attrs = append(s.Attrs, value(v.AsString()))
		}
		break
	}
	_, coll := Effective(target, &schema.Table{Schema: s}, &schema.Column{})
	return coll, nil
}
