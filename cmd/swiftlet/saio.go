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

	"github.com/swiftlet/swiftlet/proxy/saio"
)

// runSAIO is `swiftlet saio`: the all-in-one cluster in the foreground
// until SIGINT or SIGTERM.
func runSAIO(args []string, stdout, stderr io.Writer) int {
	def := saio.DefaultConfig()
	fs := flag.NewFlagSet("swiftlet saio", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "./data", "directory of the cluster's salt, rings and devices (reused across restarts)")
	proxyAddr := fs.String("proxy-addr", def.ProxyAddr, "address of the proxy (HOST:PORT)")
	basePort := fs.Int("base-port", def.BasePort, "object port of node 1; node N uses BASE+10*(N-1) to BASE+10*(N-1)+2")
	logLevel := fs.String("log-level", "info", "debug (adds the storage nodes' request lines), info (one line per client request), warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: swiftlet saio [--data DIR] [--proxy-addr HOST:PORT] [--base-port PORT] [--log-level LEVEL]")
		return 2
	}
	level, ok := parseLevel(*logLevel)
	if !ok {
		fmt.Fprintf(stderr, "swiftlet saio: bad --log-level %q\n", *logLevel)
		return 2
	}
	cfg := def
	cfg.DataDir, cfg.ProxyAddr, cfg.BasePort = *data, *proxyAddr, *basePort
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	// A node logs every request it serves, three or more per client
	// request: only at debug.
	cfg.NodeLogger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: max(level, slog.LevelWarn)}))
	if level <= slog.LevelDebug {
		cfg.NodeLogger = cfg.Logger
	}
	c, err := saio.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "swiftlet saio:", err)
		return 1
	}
	c.WriteSummary(stdout)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := c.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "swiftlet saio:", err)
		return 1
	}
	return 0
}
