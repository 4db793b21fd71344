package splitter

import (
	"fmt"

	"ariga.io/atlas/sql/mysql"
	"ariga.io/atlas/sql/schema"

	"github.com/emcee-db/emcee/diff"
	"github.com/emcee-db/emcee/sqlsyntax"
)

// Differences between the server flavors a plan targets (atlas.hcl:
// emcee { target = "mariadb 10.11" }). Each is a fact the server enforces,
// checked on MariaDB 10.11 by the e2e tests and per flavor by flavor_test.go.

// dropCheck is the statement removing a CHECK constraint, metadata only:
// INSTANT on MariaDB 10.11 (also beside an instant DROP COLUMN), in place
// on MySQL. MySQL spells it DROP CHECK (8.0.16+; DROP CONSTRAINT only from
// 8.0.19); MariaDB has no DROP CHECK at all, which is also why Atlas's
// ModifyCheck output is unusable there.
func (c *Context) dropCheck(table, name string) string {
	if c.Target.MariaDB() {
		return Instant.With(fmt.Sprintf("ALTER TABLE %s DROP CONSTRAINT %s", sqlsyntax.Ident(table), sqlsyntax.Ident(name)))
	}
	return Inplace.With(fmt.Sprintf("ALTER TABLE %s DROP CHECK %s", sqlsyntax.Ident(table), sqlsyntax.Ident(name)))
}

// metadataOnly is the algorithm clause of a change of the data dictionary
// alone (a rename of a column's letters or of an index, a table comment):
// MariaDB takes INSTANT for it; MySQL changes it in place, touching no
// row, but refuses ALGORITHM=INSTANT for some (renaming an index).
func (c *Context) metadataOnly() Algorithm {
	if c.Target.MariaDB() {
		return Instant
	}
	return Inplace
}

// dropAlgorithm is INSTANT where the server drops columns without a
// rebuild (MariaDB 10.4+, MySQL 8.0.29+), online otherwise.
func (c *Context) dropAlgorithm() Algorithm {
	if c.Target.MariaDB() || !c.Target.Before(8, 0) && c.Target.Minor > 0 {
		return Instant
	}
	return Inplace
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

// widenAlgorithm is widening() corrected by what the target server does
// with VARCHAR, in bytes (the column's charset decides; widening() assumes
// 4 bytes a character). InnoDB stores a value's length in 1 byte when the
// column's maximum is at most 255 bytes, and in 1 byte (values under 128
// bytes) or 2 bytes otherwise. MySQL 8 extends a VARCHAR in place only while
// the maximum stays on the same side of 255 bytes. MariaDB 10.11 extends it
// INSTANTly unless the old maximum is 128..255 bytes and the new one above
// 255: stored values can then be 128+ bytes with a 1-byte length, which the
// new format would read as 2. Measured on 10.11 (DYNAMIC rows): utf8mb4
// 30->60 (120->240 bytes), 31->64 (124->256), 10->300, 100->200 and latin1
// 100->300, 300->400 are INSTANT; utf8mb4 32->64 (128->256), 60->100,
// 63->64 and latin1 128->256, 200->300 need COPY ("Cannot change column
// type"), INPLACE refused.
func (c *Context) widenAlgorithm(t *schema.Table, from, to *schema.Column, kind schema.ChangeKind) (Algorithm, bool) {
	alg, ok := widening(from, to, kind)
	f, fok := from.Type.Type.(*schema.StringType)
	v, vok := to.Type.Type.(*schema.StringType)
	if !ok || !kind.Is(schema.ChangeType) || !fok || !vok || f.T != mysql.TypeVarchar || v.T != mysql.TypeVarchar {
		return alg, ok
	}
	per := diff.CharsetBytes(c.Target, t, to)
	oldMax, newMax := f.Size*per, v.Size*per
	crosses := oldMax <= 255 && newMax > 255
	switch {
	case c.Target.MariaDB() && crosses && oldMax >= 128, !c.Target.MariaDB() && crosses:
		return Copy, true
	case kind.Is(schema.ChangeNull):
		// Relaxing NOT NULL in the same statement is INPLACE on both.
		return Inplace, true
	case c.Target.MariaDB():
		return Instant, true
	}
	return Inplace, true
}
