// Package locale settles the process locale before Fyne reads it.
//
// Fyne parses the user's locale when it first translates a string and logs
// an error for the POSIX locale ("C", as on servers and in CI), which would
// print a spurious "Fyne error" on every CLI command. This package has no
// dependencies, so Go initialises it before any fyne.io package (packages
// initialise in import-path order once their dependencies are done); ui
// imports it for that side effect. When LC_ALL and LC_MESSAGES are unset and
// LANG is empty or POSIX, it sets LANG to English, which is what the POSIX
// locale means for messages. A real locale is left alone.
package locale

import "os"

func init() {
	if os.Getenv("LC_ALL") != "" || os.Getenv("LC_MESSAGES") != "" {
		return
	}
	switch os.Getenv("LANG") {
	case "", "C", "POSIX", "C.UTF-8", "C.utf8":
		_ = os.Setenv("LANG", "en_US.UTF-8") // fails only for an invalid name
	}
}
