// Package sqlname knows which names MySQL and MariaDB accept for the
// objects emcee creates, and which of those emcee can write safely. The
// rules were measured on MariaDB 10.11 (e2e/names_test.go runs each case
// on the server); a name that passes Validate is created by the server as
// written, and a name that fails it would be refused by the server, would
// reach it as something other than what was declared, or would break the
// SQL Atlas writes.
package sqlname

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a name names; the server's rules differ slightly per kind.
type Kind int

const (
	Table Kind = iota
	Column
	Index
	ForeignKey
	Check
	Trigger
)

func (k Kind) String() string {
	return [...]string{"table", "column", "index", "foreign key", "check", "trigger"}[k]
}

// MaxLen is the longest name the server accepts, in characters.
const MaxLen = 64

// MaxFileLen is the longest table or trigger name in the server's file-name
// encoding (see FileLen): the name plus a four-byte extension (.ibd, .frm,
// .TRN) must fit the file system's 255 bytes.
const MaxFileLen = 251

// Validate reports why a name of the given kind cannot be used; nil if it can.
// The message says what is wrong and is meant to follow the name's position.
func Validate(k Kind, name string) error {
	switch {
	case name == "" && k == Check:
		return fmt.Errorf("check name is empty: the server would make one up, which emcee could not match to the declaration")
	case name == "":
		return fmt.Errorf("%s name is empty", k)
	case !utf8.ValidString(name):
		return fmt.Errorf("%s name %q is not valid UTF-8", k, name)
	case utf8.RuneCountInString(name) > MaxLen:
		return fmt.Errorf("%s name %q is %d characters long; MySQL and MariaDB allow at most %d", k, name, utf8.RuneCountInString(name), MaxLen)
	case strings.TrimRight(name, " \t\n\r\v\f") != name:
		return fmt.Errorf("%s name %q ends with a space; the server refuses names that end with whitespace (emcee also refuses it for checks, which the server would take)", k, name)
	}
	for _, r := range name {
		switch {
		case r == 0:
			return fmt.Errorf("%s name %q contains a NUL character, which the server refuses in names", k, name)
		case r > 0xFFFF:
			return fmt.Errorf("%s name %q contains %q (U+%04X): the server stores names as utf8mb3 and refuses characters outside the Basic Multilingual Plane", k, name, r, r)
		case r == '`':
			return fmt.Errorf("%s name %q contains a backtick: Atlas, which writes emcee's DDL, puts names between backticks without doubling the ones inside, so the rest of the name would run as SQL", k, name)
		case isControl(r):
			return fmt.Errorf("%s name %q contains the control character %q: the server accepts it, but it would reach plan comments, logs and terminals raw; emcee refuses it", k, name, r)
		case isBidiControl(r):
			return fmt.Errorf("%s name %q contains the bidirectional control %U: it makes the name display as something other than what it is; emcee refuses it", k, name, r)
		}
	}
	switch k {
	case Table, Trigger:
		if n := FileLen(name); n > MaxFileLen {
			return fmt.Errorf("%s name %q needs %d bytes as a file name on the server (characters other than A-Z, a-z, 0-9 and _ are encoded in 3 or 5 bytes); at most %d fit", k, name, n, MaxFileLen)
		}
		if strings.HasPrefix(name, "#mysql50#") {
			return fmt.Errorf("%s name %q starts with #mysql50#, which the server reserves", k, name)
		}
	case Column:
		if IsOneOf(name, "DB_ROW_ID", "DB_TRX_ID", "DB_ROLL_PTR") {
			return fmt.Errorf("column name %q is reserved by InnoDB for its hidden columns", name)
		}
	case Index, ForeignKey:
		// A foreign key creates an index under its own name.
		if IsOneOf(name, "PRIMARY", "GEN_CLUST_INDEX") {
			return fmt.Errorf("%s name %q is reserved by the server for the primary key", k, name)
		}
	}
	return nil
}

// Undisplayable says why s cannot be printed as it is (a control
// character, line breaks included, or a bidirectional control), "" when
// it can: such text reaches terminals, logs and reports raw, where it
// forges lines or makes one name display as another.
func Undisplayable(s string) string {
	for _, r := range s {
		switch {
		case isControl(r):
			return fmt.Sprintf("the control character %q", r)
		case isBidiControl(r):
			return fmt.Sprintf("the bidirectional control %U", r)
		}
	}
	return ""
}

// Displayable is s with every character Undisplayable objects to written
// as its Go escape (\x1b, \n, \u202e): names read from a live database,
// which anyone with the right to create a table chose, reach terminals as
// text, never as a command to the terminal or a forged line.
func Displayable(s string) string { return displayable(s, false) }

// DisplayableText is Displayable for text of several lines (an error
// message): line breaks and tabs stay as they are, every other control
// character is escaped. A value from a schema file that an error quotes
// (a declaration naming no such column) cannot drive the terminal.
func DisplayableText(s string) string { return displayable(s, true) }

func displayable(s string, lines bool) string {
	if Undisplayable(s) == "" {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if (isControl(r) || isBidiControl(r)) && !(lines && (r == '\n' || r == '\t')) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		// The bytes as they were: text written in pieces may split a
		// character, which the next piece completes.
		_, n := utf8.DecodeRuneInString(s[i:])
		b.WriteString(s[i : i+n])
	}
	return b.String()
}

// IsOneOf reports whether name is one of names, compared as the server
// compares names: without letter case.
func IsOneOf(name string, names ...string) bool {
	return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) })
}

func isControl(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }

// bidi controls (Unicode's Bidi_Control property).
func isBidiControl(r rune) bool {
	return r == '\u061C' || r == '\u200E' || r == '\u200F' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// FileLen is the length of a name in the server's file-name encoding
// (my_charset_filename): A-Z, a-z, 0-9 and _ are kept, letters of the
// ranges in threeByte take @ and two characters, anything else @ and four
// hex digits. Tables and triggers are stored in files of that name.
func FileLen(name string) int {
	n := 0
	for _, r := range name {
		switch {
		case r < 0x80 && (r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			n++
		case inThreeByte(r):
			n += 3
		default:
			n += 5
		}
	}
	return n
}

func inThreeByte(r rune) bool {
	return slices.ContainsFunc(threeByte, func(rg [2]rune) bool { return r >= rg[0] && r <= rg[1] })
}

// threeByte lists the characters MariaDB 10.11 encodes in three bytes in
// file names, read from the server (each character of the Basic
// Multilingual Plane created as a table name, its file name read back from
// information_schema.INNODB_SYS_TABLES).
var threeByte = [][2]rune{
	{0x00C0, 0x00D6}, {0x00D8, 0x00F6}, {0x00F8, 0x012F}, {0x0131, 0x01BE}, {0x01C4, 0x01C4},
	{0x01C6, 0x01C7}, {0x01C9, 0x01CA}, {0x01CC, 0x01F1}, {0x01F3, 0x01F6}, {0x01F8, 0x0241},
	{0x0250, 0x02AF}, {0x0386, 0x0386}, {0x0388, 0x038A}, {0x038C, 0x038C}, {0x038E, 0x03A1},
	{0x03A3, 0x03CE}, {0x03D0, 0x03D7}, {0x03D9, 0x03F3}, {0x03F5, 0x03F6}, {0x03F8, 0x03F8},
	{0x03FB, 0x0481}, {0x048A, 0x04CE}, {0x04D0, 0x04F9}, {0x0500, 0x050F}, {0x0531, 0x0555},
	{0x0561, 0x0585}, {0x1E00, 0x1E9B}, {0x1EA0, 0x1EF9}, {0x1F00, 0x1F15}, {0x1F18, 0x1F1D},
	{0x1F20, 0x1F45}, {0x1F48, 0x1F4D}, {0x1F50, 0x1F57}, {0x1F59, 0x1F59}, {0x1F5B, 0x1F5B},
	{0x1F5D, 0x1F5D}, {0x1F5F, 0x1F7D}, {0x1F80, 0x1FB4}, {0x1FB6, 0x1FBC}, {0x1FC2, 0x1FC4},
	{0x1FC6, 0x1FCC}, {0x1FD0, 0x1FD3}, {0x1FD6, 0x1FDB}, {0x1FE0, 0x1FEC}, {0x1FF2, 0x1FF3},
	{0x1FF6, 0x1FFC}, {0x2160, 0x217F}, {0x24B6, 0x24E9}, {0xFF21, 0xFF3A}, {0xFF41, 0xFF5A},
}

// Derive builds a name emcee makes up (a trigger name from a table name):
// prefix shortened, by whole characters, until prefix+suffix is a valid
// name of the kind. The suffix must be plain ASCII and carry what makes the
// name unique (a hash), since the prefix may be cut.
func Derive(k Kind, prefix, suffix string) string {
	rs := []rune(prefix)
	for len(rs) > 0 {
		name := string(rs) + suffix
		if utf8.RuneCountInString(name) <= MaxLen && ((k != Table && k != Trigger) || FileLen(name) <= MaxFileLen) {
			return name
		}
		rs = rs[:len(rs)-1]
	}
	return suffix
}

// ForeignKeyName is the name InnoDB gives the nth foreign key (from 1) a
// CREATE TABLE of table declares without one: <table>_ibfk_<n>.
func ForeignKeyName(table string, n int) string { return table + "_ibfk_" + strconv.Itoa(n) }

// RenamedForeignKey is the name a foreign key of table from has once
// RENAME TABLE makes the table to: InnoDB, on MariaDB as on MySQL, renames
// a key named <from>_ibfk_<rest> with its table, as it named it, and keeps
// any other name.
func RenamedForeignKey(symbol, from, to string) string {
	if rest, ok := strings.CutPrefix(symbol, from+"_ibfk_"); ok && rest != "" {
		return to + "_ibfk_" + rest
	}
	return symbol
}

// IsForeignKeyName reports whether symbol is a ForeignKeyName of table.
func IsForeignKeyName(table, symbol string) bool {
	n, ok := strings.CutPrefix(symbol, table+"_ibfk_")
	_, err := strconv.ParseUint(n, 10, 32)
	return ok && err == nil
}
