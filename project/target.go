package project

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Target is the server flavor and version plans are written for. It decides
// syntax (DROP CHECK vs DROP CONSTRAINT) and which ALTERs can be INSTANT.
type Target struct {
	Flavor string // "mysql" or "mariadb"
	Major  int
	Minor  int
}

// ParseTarget reads "mariadb 10.11" or "mysql 8.0".
func ParseTarget(s string) (Target, error) {
	f := strings.Fields(s)
	if len(f) != 2 || (f[0] != "mysql" && f[0] != "mariadb") {
		return Target{}, fmt.Errorf("%q: want \"mysql 8.0\" or \"mariadb 10.11\" (flavor, space, major.minor)", s)
	}
	maj, min, ok := strings.Cut(f[1], ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if !ok || err1 != nil || err2 != nil {
		return Target{}, fmt.Errorf("%q: version must be major.minor, e.g. 10.11", s)
	}
	t := Target{Flavor: f[0], Major: a, Minor: b}
	if (t.MariaDB() && t.Before(10, 5)) || (!t.MariaDB() && t.Before(8, 0)) {
		return Target{}, fmt.Errorf("%q: emcee supports MySQL 8.0+ and MariaDB 10.5+", s)
	}
	return t, nil
}

func (t Target) MariaDB() bool { return t.Flavor == "mariadb" }

// Before reports whether the target is older than major.minor.
func (t Target) Before(major, minor int) bool {
	return t.Major < major || (t.Major == major && t.Minor < minor)
}

// Version is the server version string Atlas is told it plans for. A
// target names a minor release; Atlas gates features on patch levels (CHECK
// needs MySQL 8.0.16), so MySQL 8.0 is taken as 8.0.31, the patch Atlas
// itself assumes offline. Other minors start at .0.
func (t Target) Version() string {
	if t.MariaDB() {
		return fmt.Sprintf("%d.%d.0-MariaDB", t.Major, t.Minor)
	}
	if t.Major == 8 && t.Minor == 0 {
		return "8.0.31"
	}
	return fmt.Sprintf("%d.%d.0", t.Major, t.Minor)
}

func (t Target) String() string { return fmt.Sprintf("%s %d.%d", t.Flavor, t.Major, t.Minor) }

var versionPattern = regexp.MustCompile(`^(\d+)\.(\d+)`)

// TargetOf reads the target of a server from its VERSION().
func TargetOf(version string) (Target, error) {
	m := versionPattern.FindStringSubmatch(version)
	if m == nil {
		return Target{}, fmt.Errorf("cannot read the server version %q", version)
	}
	t, err := ParseTarget(fmt.Sprintf("%s %s.%s", FlavorOf(version), m[1], m[2]))
	if err != nil {
		return Target{}, fmt.Errorf("the server is %s: %w", version, err)
	}
	return t, nil
}

// FlavorOf is the flavor of a server by its VERSION(): "mariadb" or
// "mysql".
func FlavorOf(version string) string {
	if strings.Contains(strings.ToLower(version), "mariadb") {
		return "mariadb"
	}
	return "mysql"
}
