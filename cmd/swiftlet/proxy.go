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

	"github.com/swiftlet/swiftlet/proxy/service"
)

// runProxy is `swiftlet proxy --config FILE`: one proxy in the foreground
// until SIGINT or SIGTERM.
func runProxy(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("swiftlet proxy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", "", "proxy configuration file (see proxy/example.conf)")
	logLevel := fs.String("log-level", "info", "debug, info (one line per request), warn or error")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *config == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: swiftlet proxy --config FILE [--log-level LEVEL]")
		return 2
	}
	level, ok := parseLevel(*logLevel)
	if !ok {
		fmt.Fprintf(stderr, "swiftlet proxy: bad --log-level %q\n", *logLevel)
		return 2
	}
	cfg, err := service.LoadConfig(*config)
	if err != nil {
		fmt.Fprintln(stderr, "swiftlet proxy:", err)
		return 1
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	s, err := service.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "swiftlet proxy:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := s.Run(ctx); err != nil {
		fmt.Fprintln(stderr, "swiftlet proxy:", err)
		return 1
	}
	return 0
}

// parseLevel reads a --log-level value.
func parseLevel(name string) (slog.Level, bool) {
	var level slog.Level
	return level, level.UnmarshalText([]byte(name)) == nil
}
