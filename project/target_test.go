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

// TestAttack2S25TargetOfServerVersions: VERSION() as servers and
// distributions write it, suffixes and all, reads as the flavor and
// minor release it is (a refuted attack on TargetOf, kept as a guard).
func TestAttack2S25TargetOfServerVersions(t *testing.T) {
	for version, want := range map[string]string{
		"8.4.3":                   "mysql 8.4",
		"8.0.36-28":               "mysql 8.0", // Percona Server
		"8.0.35-27.1":             "mysql 8.0", // Percona XtraDB Cluster
		"8.0.mysql_aurora.3.05.2": "mysql 8.0", // Aurora-like
		"9.1.0":                   "mysql 9.1",
		"10.5.23-MariaDB-log":     "mariadb 10.5",
		"10.6.16-MariaDB-1:10.6.16+maria~ubu2004": "mariadb 10.6",
		"11.8.2-MariaDB-ubu2404":                  "mariadb 11.8",
		"10.11.6-MariaDB-cll-lve":                 "mariadb 10.11",
		"5.7.44-48":                               "error: emcee supports MySQL 8.0+",
		"10.4.32-MariaDB":                         "error: emcee supports MySQL 8.0+ and MariaDB 10.5+",
	} {
		got, err := TargetOf(version)
		if w, ok := strings.CutPrefix(want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("%q: got %v, %v; want %s", version, got, err, want)
			}
			continue
		}
		if err != nil || got.String() != want || FlavorOf(version) != got.Flavor {
			t.Errorf("%q: got %v, %v; want %s", version, got, err, want)
		}
	}
}
