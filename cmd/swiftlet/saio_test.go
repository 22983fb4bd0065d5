package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// The saio and proxy commands check their arguments before starting
// anything.
func TestServerCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"saio extra argument", []string{"saio", "extra"}, 2, "usage: swiftlet saio"},
		{"saio unknown flag", []string{"saio", "--frobnicate"}, 2, "flag provided but not defined"},
		{"saio bad log level", []string{"saio", "--log-level", "loud"}, 2, "bad --log-level"},
		{"saio bad proxy address", []string{"saio", "--data", dir, "--proxy-addr", "example.com:8080"}, 1, "IP address or localhost"},
		{"proxy without config", []string{"proxy"}, 2, "usage: swiftlet proxy --config FILE"},
		{"proxy missing config", []string{"proxy", "--config", filepath.Join(dir, "missing.conf")}, 1, "no such file"},
		{"proxy bad log level", []string{"proxy", "--config", "x", "--log-level", "loud"}, 2, "bad --log-level"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errOut)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.wantCode, errOut.String())
			}
			if !strings.Contains(errOut.String(), tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tc.wantStderr)
			}
		})
	}
}
