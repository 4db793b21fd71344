package sqlsyntax_test

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	_ "github.com/go-sql-driver/mysql"

	"github.com/emcee-db/emcee/internal/testdb"
)

var updateFunctions = flag.Bool("update-functions", false, "regenerate functions_mariadb1011.txt from the server at EMCEE_TEST_DSN")

// TestGenerateFunctionArity writes functions_mariadb1011.txt: for every built-in
// function and keyword of the server, the argument counts (0 to 6, 6
// standing for more) it accepts in a plain call. Run with
// -update-functions against MariaDB 10.11.
func TestGenerateFunctionArity(t *testing.T) {
	if !*updateFunctions {
		t.Skip("run with -update-functions and EMCEE_TEST_DSN to regenerate functions_mariadb1011.txt")
	}
	db := testdb.New(t)
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var version string
	if err := conn.QueryRowContext(t.Context(), "SELECT VERSION()").Scan(&version); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, q := range []string{"SELECT FUNCTION FROM information_schema.SQL_FUNCTIONS", "SELECT WORD FROM information_schema.KEYWORDS"} {
		rows, err := conn.QueryContext(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				t.Fatal(err)
			}
			names = append(names, strings.ToLower(n))
		}
		rows.Close()
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "# NAME MASK for every built-in function and keyword of MariaDB %s (information_schema.SQL_FUNCTIONS and KEYWORDS), written by TestGenerateFunctionArity: MASK has a bit per argument count (0 to 6; bit 6 stands for 6 or more) that a plain call NAME(...) accepts, 0b0 for a keyword no plain call accepts\n", strings.SplitN(version, "-", 2)[0])
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		var mask uint8
		for argc := 0; argc <= 6; argc++ {
			q := fmt.Sprintf("SELECT %s(%s)", n, strings.TrimSuffix(strings.Repeat("1, ", argc), ", "))
			st, err := conn.PrepareContext(t.Context(), q)
			if err == nil {
				st.Close()
				mask |= 1 << argc
				continue
			}
			if s := err.Error(); !strings.Contains(s, "Error 1064") && !strings.Contains(s, "Error 1582") && !strings.Contains(s, "Error 1305") && !strings.Contains(s, "Error 1630") {
				mask |= 1 << argc // parses; refused for another reason (argument types)
			}
		}
		fmt.Fprintf(&b, "%s %#b\n", n, mask)
	}
	if err := os.WriteFile("functions_mariadb1011.txt", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
