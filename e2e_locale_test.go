package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// Every spelling of the POSIX locale, in each variable gettext reads, is
// accepted without a word from Fyne's locale machinery: no "Fyne error:
// Error parsing user locale C" on the command line.
func TestPosixLocaleSilent(t *testing.T) {
	t.Parallel()
	store := filepath.Join(t.TempDir(), "store")
	for _, env := range [][]string{
		{"LC_ALL=C.UTF-8"}, {"LC_ALL=C"}, {"LC_ALL=POSIX"}, {"LC_ALL=C.utf8", "LANG=en_GB.UTF-8"},
		{"LC_MESSAGES=C.UTF-8"}, {"LANG=C.UTF-8"}, {"LANG=POSIX"}, {"LANG=C"}, {},
		{"LC_ALL=C.UTF-8", "LANGUAGE=C"},
	} {
		full := append([]string{"LC_ALL=", "LC_MESSAGES=", "LANG=", "LANGUAGE="}, env...)
		r, err := exhibit(invocation{store: store, env: full, args: []string{"help"}})
		if err != nil || r.code != 0 || strings.Contains(r.err, "Fyne") || strings.Contains(r.err, "locale") {
			t.Errorf("%v: %v %v", env, r, err)
		}
	}
}
