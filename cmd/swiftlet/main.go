// Command swiftlet is the one swiftlet binary; its subcommands run the
// cluster's parts and the operator tools.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: swiftlet <command> [arguments]

commands:
  version    print the version
  help       print this help
`

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "version":
		fmt.Fprintln(stdout, "swiftlet", version)
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "swiftlet: unknown command %q\n%s", args[0], usage)
	return 2
}
