package sqlsyntax

import "github.com/pingcap/tidb/pkg/parser/charset"

// MySQLCollation is the charset of a collation MySQL has, as the parser
// (which knows MySQL's collations, not MariaDB's own) reads the name; ok
// is false for a name it does not know.
func MySQLCollation(name string) (cs string, ok bool) {
	c, err := charset.GetCollationByName(name)
	if err != nil {
		return "", false
	}
	if c.CharsetName == charset.CharsetUTF8 {
		return "utf8mb3", true
	}
	return c.CharsetName, true
}
