// Package shell writes commands emcee tells a person to paste into a POSIX
// shell: every value one word, whatever it holds.
package shell

import "strings"

// Word is s as one word of a POSIX shell command, quoted when it holds
// more than letters, digits and -_./:@=+,
func Word(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:@=+,") == "" {
		return s
	}
	return Quote(s)
}

// Quote is s single-quoted: the shell expands nothing inside.
func Quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
