package apply

import (
	"strings"
	"testing"
)

func TestSplitWhere(t *testing.T) {
	for _, c := range []struct{ sql, cond string }{
		{"UPDATE `t` SET `a` = 1 WHERE `a` IS NULL", "`a` IS NULL"},
		{"UPDATE t SET a = (SELECT x FROM u WHERE u.id = t.id) WHERE a IS NULL", "a IS NULL"},
		{"UPDATE t SET a = 'where' , b = \"WHERE\" where (a IS NULL OR b = 'x where y')", "(a IS NULL OR b = 'x where y')"},
		{"UPDATE t SET nowhere = 1 WHERE somewhere IS NULL", "somewhere IS NULL"},
	} {
		_, cond, ok := splitWhere(c.sql)
		if !ok || cond != c.cond {
			t.Errorf("splitWhere(%q) = %q, %v; want %q", c.sql, cond, ok, c.cond)
		}
	}
	if _, _, ok := splitWhere("UPDATE t SET a = 1"); ok {
		t.Error("a statement without WHERE must be rejected")
	}
}

func TestTriggerPrivileges(t *testing.T) {
	ok := []struct {
		logBin, trust bool
		grants        []string
	}{
		{false, false, nil},
		{true, true, nil},
		{true, false, []string{"GRANT SUPER, TRIGGER ON *.* TO `deploy`@`%`"}},
		{true, false, []string{"GRANT USAGE ON *.* TO `deploy`@`%`", "GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"}},
	}
	for _, c := range ok {
		if _, err := triggerPrivileges(2, c.logBin, c.trust, c.grants, "deploy"); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
	// ALL on one schema is not SUPER.
	_, err := triggerPrivileges(2, true, false, []string{"GRANT USAGE ON *.* TO `deploy`@`%`", "GRANT ALL PRIVILEGES ON `glance`.* TO `deploy`@`%`"}, "deploy")
	if err == nil || !strings.Contains(err.Error(), "log_bin_trust_function_creators = 1") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("missing SUPER with binary logging on: %v", err)
	}
}
