package project

import (
	"strings"
	"testing"
)

func TestTargetOf(t *testing.T) {
	for version, want := range map[string]string{
		"10.11.19-MariaDB-0+deb12u1": "mariadb 10.11",
		"11.4.2-MariaDB":             "mariadb 11.4",
		"8.0.36":                     "mysql 8.0",
		"8.4.0-commercial":           "mysql 8.4",
		"5.7.44-log":                 "error: emcee supports MySQL 8.0+",
		"10.3.39-MariaDB-0+deb10u1":  "error: emcee supports MySQL 8.0+ and MariaDB 10.5+",
		"garbage":                    "error: cannot read the server version",
	} {
		got, err := TargetOf(version)
		if strings.HasPrefix(want, "error: ") {
			if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(want, "error: ")) {
				t.Errorf("%s: got %v, %v; want %s", version, got, err, want)
			}
			continue
		}
		if err != nil || got.String() != want {
			t.Errorf("%s: got %v, %v; want %s", version, got, err, want)
		}
	}
}
