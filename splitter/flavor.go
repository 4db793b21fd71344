package splitter

import (
	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"
)

// Differences between the server flavors a plan targets (atlas.hcl:
// emcee { target = "mariadb 10.11" }). Each is a fact the server enforces,
// checked on MariaDB 10.11 by the e2e tests and per flavor by flavor_test.go.

// dropCheck is the clause removing a CHECK constraint. MySQL spells it DROP
// CHECK (8.0.16+; DROP CONSTRAINT only from 8.0.19); MariaDB has no DROP
// CHECK at all, which is also why Atlas's ModifyCheck output is unusable
// there.
func (c *Context) dropCheck(name string) string {
	if c.Target.MariaDB() {
		return "DROP CONSTRAINT " + Quote(name)
	}
	return "DROP CHECK " + Quote(name)
}

// withoutFKChecks wraps an ALTER that adds a foreign key so the server can
// build it in place: both servers refuse ALGORITHM=INPLACE for ADD FOREIGN
// KEY unless foreign_key_checks is off ("Adding foreign keys needs
// foreign_key_checks=OFF"), and fall back to a table copy that blocks
// writes. The gate before it has proved there are no orphans. MariaDB
// scopes the setting to the one statement; MySQL has no SET STATEMENT (and
// the SET_VAR hint does not apply to ALTER), so the setting is switched off
// and back on around the ALTER on the applier's single session.
func (c *Context) withoutFKChecks(alter string) []string {
	if c.Target.MariaDB() {
		return []string{"SET STATEMENT foreign_key_checks=0 FOR " + alter}
	}
	return []string{"SET SESSION foreign_key_checks = 0", alter, "SET SESSION foreign_key_checks = 1"}
}

// widenAlgorithm is widening() corrected by what the target server does.
// MariaDB 10.4+ extends a VARCHAR instantly while its length prefix keeps
// its size (measured on 10.11: ALGORITHM=INSTANT succeeds for
// varchar(30) -> varchar(60) in utf8mb4); MySQL 8 does it INPLACE.
func (c *Context) widenAlgorithm(from, to *schema.Column, kind schema.ChangeKind) (Algorithm, bool) {
	alg, ok := widening(from, to, kind)
	if !ok || alg != Inplace || !c.Target.MariaDB() || kind.Is(schema.ChangeNull) {
		return alg, ok
	}
	f, fok := from.Type.Type.(*schema.StringType)
	t, tok := to.Type.Type.(*schema.StringType)
	if kind.Is(schema.ChangeType) && fok && tok && f.T == mysql.TypeVarchar && t.T == mysql.TypeVarchar {
		return Instant, true
	}
	return alg, ok
}
