package sqlsyntax

// ArityForTest exposes the generated function table to the external tests.
func ArityForTest() map[string]uint8 { return arity }

// MariaDBCollationsForTest is MariaDB 10.11's list of collations.
var MariaDBCollationsForTest = mariadbCollationList
