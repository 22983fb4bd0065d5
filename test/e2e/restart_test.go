package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// swiftlet saio prints its endpoints and the swift command to try, stops
// cleanly on SIGTERM and on SIGINT (Ctrl-C), and finds its data again when
// started on the same directory.
func TestSAIORestart(t *testing.T) {
	data := t.TempDir()
	p, err := startSAIO(t, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	out := p.stdout.String()
	for _, want := range []string{
		"swift -A " + p.url + "/auth/v1.0 -U test:tester -K testing stat",
		"proxy         " + p.url,
		"test:tester",
		"test2:tester2",
		filepath.Join(data, "1", "node", "sdb1"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the summary lacks %q:\n%s", want, out)
		}
	}
	s := login(t, p.url, "test:tester", "testing")
	resp, body := s.do(t, "PUT", s.url+"/kept", nil, nil)
	mustStatus(t, "container PUT", resp, body, http.StatusCreated)
	resp, body = s.do(t, "PUT", s.url+"/kept/o", strings.NewReader("still here"), nil)
	mustStatus(t, "object PUT", resp, body, http.StatusCreated)
	if err := p.terminate(); err != nil {
		t.Fatalf("%v; its log:\n%s", err, p.log)
	}
	salt, err := os.ReadFile(filepath.Join(data, "salt.conf"))
	if err != nil {
		t.Fatal(err)
	}

	p, err = startSAIO(t, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	if log := p.log.String(); strings.Contains(log, "new cluster") || strings.Contains(log, "not closed cleanly") {
		t.Errorf("the second start made a new cluster or found a store not closed:\n%s", log)
	}
	s = login(t, p.url, "test:tester", "testing")
	resp, body = s.do(t, "GET", s.url+"/kept/o", nil, nil)
	if resp.StatusCode != http.StatusOK || string(body) != "still here" {
		t.Errorf("GET after the restart = %d %q", resp.StatusCode, body)
	}
	if again, _ := os.ReadFile(filepath.Join(data, "salt.conf")); string(again) != string(salt) {
		t.Error("the salt changed")
	}
	// Ctrl-C.
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("exit after SIGINT: %v; log:\n%s", err, p.log)
		}
	case <-time.After(time.Minute):
		t.Fatal("no exit within a minute of SIGINT")
	}
	if !strings.Contains(p.log.String(), `msg=stopped component=saio`) {
		t.Errorf("the log does not end with the cluster stopping:\n%s", p.log)
	}
}
