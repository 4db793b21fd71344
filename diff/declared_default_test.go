package diff

import (
	"strings"
	"testing"

	"github.com/emcee-db/emcee/schemadef"
)

// Reading the schema block alone gives what reading the whole file gives,
// positions of its errors included, and files the chunks do not cut at the
// schema block are read whole.
func TestDeclaredDefaultReadsTheSchemaBlockAlone(t *testing.T) {
	table := "table \"t\" {\n  schema = schema.app\n  column \"id\" {\n    type = int\n  }\n}\n"
	for name, src := range map[string]string{
		"none":          "schema \"app\" {}\n\n" + table,
		"collate":       table + "\n# the database\nschema \"app\" {\n  collate = \"latin1_bin\"\n}\n",
		"charset":       "schema \"app\" {\n  charset = \"latin1\"\n}\n" + table,
		"unindented":    "schema \"app\" {\ncharset = \"latin1\"\n}\n" + table,
		"bom":           "\xef\xbb\xbfschema \"app\" {\n  charset = \"latin1\"\n}\n" + table,
		"two schemas":   "schema \"app\" {\n  charset = \"latin1\"\n}\nschema \"other\" {\n  charset = \"utf8mb3\"\n}\n" + table,
		"in a heredoc":  "schema \"app\" {\n  charset = \"latin1\"\n}\ntable \"t\" {\n  schema = schema.app\n  comment = <<EOT\nschema \"x\" {\n  charset = \"ascii\"\n}\nEOT\n  column \"id\" {\n    type = int\n  }\n}\n",
		"not a string":  table + "schema \"app\" {\n  charset = 1\n}\n",
		"not a string2": table + "schema \"app\" {\n  collate = schema.app\n}\n",
	} {
		want, wantErr := schemadef.DeclaredDefault("r.hcl", []byte(src), mariadb)
		got, err := DeclaredDefault("r.hcl", []byte(src), mariadb)
		if got != want || (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
			t.Errorf("%s: got %q, %v; whole file: %q, %v", name, got, err, want, wantErr)
		}
	}
	if got, err := DeclaredDefault("r.hcl", []byte(table+"schema \"app\" {\n  charset = \"latin1\"\n}\n"), mariadb); got != "latin1_swedish_ci" || err != nil {
		t.Errorf("latin1: %q, %v", got, err)
	}
	if _, err := DeclaredDefault("r.hcl", []byte(table+"schema \"app\" {\n  charset = 1\n}\n"), mariadb); err == nil || !strings.HasPrefix(err.Error(), "r.hcl:8:13: ") {
		t.Errorf("position: %v", err)
	}
}
