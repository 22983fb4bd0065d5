package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunDispatch(t *testing.T) {
	for _, tc := range []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"no command", nil, 2, "", "usage: swiftlet"},
		{"unknown", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"version", []string{"version"}, 0, "swiftlet dev", ""},
		{"help", []string{"help"}, 0, "get-nodes", ""},
		{"ring usage", []string{"ring"}, 0, "create <part_power> <replicas>", ""},
		{"ring missing builder", []string{"ring", filepath.Join(t.TempDir(), "x.builder")}, 2, "does not exist", ""},
		{"get-nodes without ring", []string{"get-nodes"}, 1, "", "Need to specify <ring.gz>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(tc.args, strings.NewReader(""), &out, &errOut)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stdout %q, stderr %q)", code, tc.wantCode, out.String(), errOut.String())
			}
			if !strings.Contains(out.String(), tc.wantStdout) {
				t.Errorf("stdout %q does not contain %q", out.String(), tc.wantStdout)
			}
			if !strings.Contains(errOut.String(), tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tc.wantStderr)
			}
		})
	}
}
