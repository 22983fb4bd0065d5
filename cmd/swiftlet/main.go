// Command swiftlet is the one swiftlet binary; its subcommands run the
// cluster's parts and the operator tools.
package main

import (
	"fmt"
	"io"
	"os"

	"github.com/swiftlet/swiftlet/ring/ringcli"
)

const usage = `usage: swiftlet <command> [arguments]

commands:
  ring BUILDER_FILE [VERB ARGS...]
             build and inspect rings, as swift-ring-builder
             ("swiftlet ring" alone lists the verbs)
  get-nodes [--hash-path-prefix P] [--hash-path-suffix S] [-a] [-p PARTITION]
            RING_FILE [ACCOUNT [CONTAINER [OBJECT]]]
             show where a ring places an item, as swift-get-nodes
  node --config FILE
             run one storage node (object, container and account servers)
  proxy --config FILE
             run one proxy (the Swift API, tempauth)
  saio [--data DIR] [--proxy-addr HOST:PORT]
             run an all-in-one cluster in the foreground: four storage
             nodes, their rings and the proxy (default data ./data, proxy
             127.0.0.1:8080)
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
	case "ring":
		return ringcli.Main(args[1:], stdin, stdout, stderr)
	case "get-nodes":
		return ringcli.GetNodes(args[1:], stdout, stderr)
	case "node":
		return runNode(args[1:], stderr)
	case "proxy":
		return runProxy(args[1:], stderr)
	case "saio":
		return runSAIO(args[1:], stdout, stderr)
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
