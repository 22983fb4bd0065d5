package node

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

func testConfig(t *testing.T, devices ...string) Config {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ObjectPort, cfg.ContainerPort, cfg.AccountPort = 0, 0, 0
	cfg.DevicesDir = t.TempDir()
	cfg.Salt.Suffix = "node-test"
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), nil))
	for _, d := range devices {
		if err := os.Mkdir(filepath.Join(cfg.DevicesDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return cfg
}

func do(t *testing.T, method, url string, body string, hdr map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// A node serves its devices on three ports, the devices it was given or
// found; an unknown or missing device answers 507; the node stops cleanly.
func TestNodeServes(t *testing.T) {
	cfg := testConfig(t, "sdb1", "sdc1")
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(n.Devices(), ","); got != "sdb1,sdc1" {
		t.Errorf("Devices() = %s, want the two found in the devices directory", got)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx) }()

	obj := "http://" + n.Addr("object")
	ts := timestamp.New(time.Now()).Internal()
	if r := do(t, "PUT", obj+"/sdb1/1/AUTH_a/c/o", "data", map[string]string{"X-Timestamp": ts, "Content-Type": "text/plain"}); r.StatusCode != 201 {
		t.Fatalf("object PUT = %d", r.StatusCode)
	}
	r := do(t, "GET", obj+"/sdb1/1/AUTH_a/c/o", "", nil)
	if body, _ := io.ReadAll(r.Body); r.StatusCode != 200 || string(body) != "data" {
		t.Fatalf("object GET = %d %q", r.StatusCode, body)
	}
	if r := do(t, "GET", obj+"/sdz9/1/AUTH_a/c/o", "", nil); r.StatusCode != http.StatusInsufficientStorage {
		t.Errorf("GET on an unknown device = %d, want 507", r.StatusCode)
	}
	cont := "http://" + n.Addr("container")
	if r := do(t, "PUT", cont+"/sdc1/2/AUTH_a/c", "", map[string]string{"X-Timestamp": ts}); r.StatusCode != 201 {
		t.Errorf("container PUT = %d", r.StatusCode)
	}
	acct := "http://" + n.Addr("account")
	if r := do(t, "PUT", acct+"/sdc1/3/AUTH_a", "", map[string]string{"X-Timestamp": ts}); r.StatusCode != 201 {
		t.Errorf("account PUT = %d", r.StatusCode)
	}
	for _, base := range []string{obj, cont, acct} {
		if r := do(t, "GET", base+"/healthcheck", "", nil); r.StatusCode != 200 {
			t.Errorf("%s/healthcheck = %d", base, r.StatusCode)
		}
	}
	r = do(t, "GET", obj+"/metrics", "", nil)
	if body, _ := io.ReadAll(r.Body); !strings.Contains(string(body), "swiftlet_objectserver_") || !strings.Contains(string(body), "go_goroutines") {
		t.Error("/metrics lacks the node's metrics")
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if err := n.Stop(); err != nil {
		t.Errorf("second Stop = %v", err)
	}

	// The data survives a restart.
	n2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(t.Context())
	go func() { done <- n2.Run(ctx2) }()
	r = do(t, "GET", "http://"+n2.Addr("object")+"/sdb1/1/AUTH_a/c/o", "", nil)
	if body, _ := io.ReadAll(r.Body); r.StatusCode != 200 || string(body) != "data" {
		t.Errorf("GET after restart = %d %q", r.StatusCode, body)
	}
	cancel2()
	<-done
}

// A configured device whose directory is missing (an unmounted disk) is
// not created on the root file system; it answers 507.
func TestNodeMissingDevice(t *testing.T) {
	cfg := testConfig(t, "sdb1")
	cfg.DeviceNames = []string{"sdb1", "sdx9"}
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	go n.Run(t.Context())
	if got := strings.Join(n.Devices(), ","); got != "sdb1" {
		t.Errorf("Devices() = %s, want sdb1 only", got)
	}
	if _, err := os.Stat(filepath.Join(cfg.DevicesDir, "sdx9")); !os.IsNotExist(err) {
		t.Errorf("the missing device's directory was created (%v)", err)
	}
	r := do(t, "HEAD", "http://"+n.Addr("object")+"/sdx9/1/AUTH_a/c/o", "", nil)
	if r.StatusCode != http.StatusInsufficientStorage {
		t.Errorf("HEAD on the missing device = %d, want 507", r.StatusCode)
	}
}

func TestNodeBadConfig(t *testing.T) {
	cfg := testConfig(t)
	cfg.Salt.Suffix = ""
	if _, err := New(cfg); err == nil {
		t.Error("New without a salt succeeded")
	}
	cfg = testConfig(t)
	cfg.DevicesDir = filepath.Join(t.TempDir(), "nope")
	if _, err := New(cfg); err == nil {
		t.Error("New with a missing devices directory succeeded")
	}
}
