package sqlsyntax

import (
	_ "embed"
	"maps"
	"slices"
	"strings"

	"github.com/pingcap/tidb/pkg/parser/charset"
)

//go:embed collations_mariadb1011.txt
var mariadbCollationList string

// mariadbCollations are MariaDB 10.11's collations and their charsets, by
// their full names (utf8mb4_uca1400_ai_ci).
var mariadbCollations = readList("collations_mariadb1011.txt", mariadbCollationList)

// The parser supports a few charsets of its own (utf8mb4, utf8mb3,
// latin1, ascii, binary, gbk, gb18030) and refuses a statement naming
// another ("Unknown character set: 'latin2'"), though it holds MySQL's
// description of each, with MySQL's collations: every other charset
// MariaDB 10.11 has (the same as MySQL 8.0's but gb18030) is registered
// with it, so that a legacy database's latin2, ucs2 or cp1250 columns are
// read. The parser knows MySQL's collations only and refuses a statement
// naming another ("Unknown collation"): MariaDB's own
// (utf8mb4_uca1400_ai_ci, the *_nopad_* ones, latin2_nopad_bin), which
// releases declare and the plans for a MariaDB 11 target write, are given
// to it.
func init() {
	for _, cs := range mariadbCollations {
		if c, err := charset.GetCharsetInfo(cs); c != nil && err != nil {
			charset.AddCharset(c)
		}
	}
	id := 1 << 20 // above the parser's own ids
	// Sorted: the same ids on every run.
	for _, name := range slices.Sorted(maps.Keys(mariadbCollations)) {
		cs := mariadbCollations[name]
		if cs == "utf8mb3" {
			cs = charset.CharsetUTF8 // the parser's name for it
		}
		if _, err := charset.GetCollationByName(name); err == nil {
			continue
		}
		pad := "PAD SPACE"
		if NoPadCollation(name) {
			pad = "NO PAD"
		}
		charset.AddCollation(&charset.Collation{ID: id, CharsetName: cs, Name: name, Sortlen: 1, PadAttribute: pad})
		id++
	}
}

// CollationCharset is the charset of a collation MariaDB 10.11 or MySQL
// 8.0 has (utf8 spelt utf8mb3); ok is false for a name neither has.
func CollationCharset(name string) (cs string, ok bool) {
	name = CanonicalCharset(name)
	if cs, ok := mariadbCollations[name]; ok {
		return cs, true
	}
	c, err := charset.GetCollationByName(name)
	if err != nil {
		return "", false
	}
	if c.CharsetName == charset.CharsetUTF8 {
		return "utf8mb3", true
	}
	return c.CharsetName, true
}

// HasCollation reports whether the servers of a flavour have the
// collation: MariaDB 10.11's list, or MySQL 8.0's (the parser's own ids,
// below 2048; TiDB's own and MariaDB's added above come after).
func HasCollation(name string, mariadb bool) bool {
	if mariadb {
		_, ok := mariadbCollations[CanonicalCharset(name)]
		return ok
	}
	name = strings.ToLower(name)
	if rest, ok := strings.CutPrefix(name, "utf8mb3_"); ok {
		name = "utf8_" + rest
	}
	c, err := charset.GetCollationByName(name)
	return err == nil && c.ID < 2048
}

// CharsetMaxLen is the longest character of a charset MariaDB 10.11 or
// MySQL 8.0 has, in bytes (the parser's description of it, which init
// registers for every charset); ok is false for a name neither has.
func CharsetMaxLen(name string) (n int, ok bool) {
	c, err := charset.GetCharsetInfo(name)
	if err != nil {
		return 0, false
	}
	return c.Maxlen, true
}

// CanonicalCharset spells a charset or collation name as MariaDB 10.11
// prints it: lower case, utf8 as utf8mb3.
func CanonicalCharset(name string) string {
	name = strings.ToLower(name)
	if name == "utf8" || strings.HasPrefix(name, "utf8_") {
		return "utf8mb3" + strings.TrimPrefix(name, "utf8")
	}
	return name
}

// CharsetOf is the charset a collation belongs to: the part of its name
// before the first underscore, as both servers name collations (binary's
// is binary).
func CharsetOf(collation string) string {
	cs, _, _ := strings.Cut(collation, "_")
	return cs
}

// NoPadCollation says whether a collation compares trailing spaces (NO
// PAD): MariaDB's *_nopad_* collations and MySQL 8.0's *_0900_* ones.
// Under every other (PAD SPACE) 'a ' equals 'a'.
func NoPadCollation(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "_nopad_") || strings.Contains(n, "_0900_")
}
