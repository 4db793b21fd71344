package sqlname

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFileLen(t *testing.T) {
	for name, want := range map[string]int{
		"images": 6,
		"a b":    1 + 5 + 1,
		"é":      3,
		"中":      5,
		"Ω/x_9":  3 + 5 + 1 + 1 + 1,
		"ｆｕｌｌ":   12,
	} {
		if got := FileLen(name); got != want {
			t.Errorf("FileLen(%q) = %d, want %d", name, got, want)
		}
	}
}

// Derived names (triggers from table names) are cut by whole characters to
// what the server takes, keeping the suffix that makes them unique.
func TestDerive(t *testing.T) {
	for _, prefix := range []string{
		"emcee_" + strings.Repeat("é", 70) + "_train",
		"emcee_" + strings.Repeat("/", 60) + "_train",
		"emcee_" + strings.Repeat("a", 100) + "_train",
		"emcee_images_train",
	} {
		name := Derive(Trigger, prefix, "_25904f_bi")
		if err := Validate(Trigger, name); err != nil {
			t.Errorf("Derive(%q): %v", prefix, err)
		}
		if !utf8.ValidString(name) || !strings.HasSuffix(name, "_25904f_bi") || !strings.HasPrefix(prefix, strings.TrimSuffix(name, "_25904f_bi")) {
			t.Errorf("Derive(%q) = %q", prefix, name)
		}
	}
	if got := Derive(Trigger, "emcee_images_train", "_25904f_bi"); got != "emcee_images_train_25904f_bi" {
		t.Errorf("a short name is kept whole: %q", got)
	}
}

func TestForeignKeyName(t *testing.T) {
	if got := ForeignKeyName("images", 2); got != "images_ibfk_2" {
		t.Errorf("ForeignKeyName(images, 2) = %s", got)
	}
	for sym, want := range map[string]bool{"images_ibfk_1": true, "images_ibfk_12": true, "images_ibfk_": false, "images_ibfk_x": false, "owners_ibfk_1": false, "images_ibfk_-1": false} {
		if got := IsForeignKeyName("images", sym); got != want {
			t.Errorf("IsForeignKeyName(images, %s) = %v, want %v", sym, got, want)
		}
	}
}

func TestRenamedForeignKey(t *testing.T) {
	for sym, want := range map[string]string{"files_ibfk_1": "task_has_files_ibfk_1", "files_ibfk_x": "task_has_files_ibfk_x", "files_ibfk_": "files_ibfk_", "fk_files": "fk_files", "filesx_ibfk_1": "filesx_ibfk_1"} {
		if got := RenamedForeignKey(sym, "files", "task_has_files"); got != want {
			t.Errorf("RenamedForeignKey(%q) = %q, want %q", sym, got, want)
		}
	}
}
