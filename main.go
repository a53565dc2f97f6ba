// Command exhibit is the Exhibit review station for body-worn video.
//
// With no arguments it opens the GUI on the default store. Subcommands run
// headless; `exhibit help` lists them. The command line is package cli.
package main

import (
	"os"

	"exhibit/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Env{}))
}
