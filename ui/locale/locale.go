// Package locale settles the process locale before Fyne reads it.
//
// Fyne parses the user's locale when it loads its translations (at
// package initialisation, so on every CLI command too, since the command
// line links the GUI) and logs an error for the POSIX locale spelt with a
// codeset ("C.UTF-8", as on servers, in CI and in containers), printing a
// spurious "Fyne error: Error parsing user locale C". This package has no
// dependencies, so Go initialises it before any fyne.io package (packages
// initialise in import-path order once their dependencies are done); ui
// imports it for that side effect.
//
// The locale Fyne reads is the first of LC_ALL, LC_MESSAGES and LANG that
// is set, as gettext does. When that is the POSIX locale ("C", "POSIX",
// "C.UTF-8", "POSIX.UTF-8", ...) and LANG is the one, LANG becomes English;
// when LC_ALL or LC_MESSAGES is, LANGUAGE (which only message catalogues
// read, and which gettext ignores under the POSIX locale) is set to
// English, so that LC_ALL, which ffmpeg and other child processes inherit,
// is left as it is. A real locale is left alone.
package locale

import (
	"os"
	"strings"
)

func init() { Settle(os.Getenv, os.Setenv) }

// Posix reports whether a locale name is the POSIX locale, with or
// without a codeset or modifier ("C", "C.UTF-8", "POSIX", "C.utf8@euro").
func Posix(name string) bool {
	base, _, _ := strings.Cut(name, "@")
	base, _, _ = strings.Cut(base, ".")
	return base == "C" || base == "POSIX"
}

// Settle applies the rule above through getenv and setenv (os.Getenv and
// os.Setenv; tests pass a map's).
func Settle(getenv func(string) string, setenv func(string, string) error) {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		name := getenv(v)
		if name == "" {
			continue
		}
		if !Posix(name) {
			return // a real locale
		}
		if v == "LANG" {
			_ = setenv("LANG", "en_US.UTF-8") // fails only for an invalid name
			return
		}
		if getenv("LANGUAGE") == "" || Posix(getenv("LANGUAGE")) {
			_ = setenv("LANGUAGE", "en")
		}
		return
	}
	_ = setenv("LANG", "en_US.UTF-8") // nothing set: the POSIX locale
}
