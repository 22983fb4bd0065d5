package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/swiftlet/swiftlet/objectserver/node"
)

// runNode is `swiftlet node --config FILE`: one storage node in the
// foreground until SIGINT or SIGTERM.
func runNode(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("swiftlet node", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "node configuration file (see objectserver/node/example.conf)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *config == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: swiftlet node --config FILE [--log-level LEVEL]")
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(stderr, "swiftlet node: bad --log-level %q\n", *logLevel)
		return 2
	}
	cfg, err := node.LoadConfig(*config)
	if err != nil {
		fmt.Fprintln(stderr, "swiftlet node:", err)
		return 1
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	n, err := node.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "swiftlet node:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := n.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "swiftlet node:", err)
		return 1
	}
	return 0
}
