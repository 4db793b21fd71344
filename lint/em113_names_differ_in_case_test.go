package lint

import "testing"

// MySQL on Windows and macOS, and any server with lower_case_table_names
// set, stores table names in lower case: a table of the release whose name
// differs only in case from one of the previous release is one table with
// it there while both releases run.
func TestEM113NamesDifferInCase(t *testing.T) {
	const pikeFile = "schema/pike.hcl"
	table := func(name string) string {
		return pike() + "table \"" + name + "\" {\n  schema = schema.app\n  column \"id\" {\n    type = bigint\n  }\n  primary_key {\n    columns = [column.id]\n  }\n}\n"
	}
	// Images beside images in one release is refused when the release is
	// loaded (diff: TestLoadRefusesWhatTheServerOrAtlasWouldGetWrong).
	check(t, "EM113", []lintCase{
		{name: "image_tags beside images", pike: table("image_tags")},
		// Expand renames images to Images and creates the view images
		// for the previous release: both names exist while both run.
		{name: "images renamed to Images", pike: pike("table \"images\" {\n", "table \"Images\" {\n  renamed_from = \"images\"\n"), setup: func(f *fixture) string {
			return f.lineOf(pikeFile, `table "Images"`, true)
		}},
	})
}
