package lint

import "testing"

func TestEM108DataAtRisk(t *testing.T) {
	check(t, "EM108", []lintCase{
		{name: "column dropped in contract", pike: withoutSize, dev: true, setup: func(f *fixture) string {
			return f.lineOf("plans/pike/pike_contract01.sql", "DROP COLUMN `size`", false)
		}},
		{name: "index dropped in contract", pike: pike("  index \"ix_owner\" {\n    columns = [column.owner]\n  }\n", ""), dev: true},
		{name: "nothing dropped", pike: pike("varchar(100)", "varchar(200)"), dev: true},
	})
}
