// Command exhibit is the Exhibit review station for body-worn video.
//
// With no arguments it opens the GUI on the default store. Subcommands run
// headless; `exhibit help` lists them.
package main

import (
	"os"
)

func main() {
	os.Exit(runCLI(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
