package sqlsyntax

import (
	"fmt"
	"testing"
)

func TestZoneDependent(t *testing.T) {
	for _, tc := range []struct {
		src, into string
		want      string // "" when the value does not depend on the zone; else line:col
	}{
		{src: "DATE(at)", want: "1:6"},
		{src: "HOUR(`At`) + 1", want: "1:6"},
		{src: "at", want: ""},
		{src: "UNIX_TIMESTAMP(at)", want: ""},
		{src: "UNIX_TIMESTAMP()", want: ""},
		{src: "UNIX_TIMESTAMP(made)", want: "1:1"},
		{src: "IF(name = '', NOW(), NULL)", want: "1:15"},
		{src: "CURRENT_TIMESTAMP", want: "1:1"},
		{src: "CURDATE()", want: "1:1"},
		{src: "FROM_UNIXTIME(secs)", want: "1:1"},
		{src: "CONVERT_TZ(made, '+00:00', 'SYSTEM')", want: "1:1"},
		{src: "CONVERT_TZ(made, '+00:00', '+05:00')", want: ""},
		{src: "UTC_TIMESTAMP()", want: ""},
		{src: "DATE(made)", want: ""},
		{src: "CONCAT(name, '!')", want: ""},
		{src: "at", into: "made"},
		{src: "made", into: "at", want: "1:1"},
		{src: "'2024-01-01 00:00:00'", into: "AT", want: "1:1"},
		{src: "NULL", into: "at"},
	} {
		e, err := ParseExpr(tc.src, PerRow)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got := ""
		if z := e.ZoneDependent([]string{"at"}, tc.into); z != nil {
			got = fmt.Sprintf("%d:%d", z.Line, z.Col)
			if z.Msg == "" {
				t.Errorf("%s: no message", tc.src)
			}
		}
		if got != tc.want {
			t.Errorf("%s: zone-dependent at %q, want %q", tc.src, got, tc.want)
		}
	}
	for src, want := range map[string]int{"name = 'x', made = NOW()": 19, "name = 'x', at = made": 17, "at = NULL, name = 'x'": -1} {
		set, err := ParseAssignments(src)
		if err != nil {
			t.Fatal(err)
		}
		got := -1
		if z := set.ZoneDependent([]string{"at"}); z != nil {
			got = z.Offset
		}
		if got != want {
			t.Errorf("set %s: zone-dependent at offset %d, want %d", src, got, want)
		}
	}
}
