package service

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/proxy/tempauth"
	"github.com/swiftlet/swiftlet/ring"
)

var salt = hashpath.Salt{Suffix: "service-test"}

// writeRings writes the three rings of devices on the given ports into dir
// (the nodes need not exist).
func writeRings(t *testing.T, dir string, port int) {
	t.Helper()
	for _, name := range ringNames {
		b, err := ring.NewBuilder(4, 3, 0)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := b.AddDevice(ring.Device{Region: 1, Zone: i + 1, IP: "127.0.0.1", Port: port + i, Name: "sdb", Weight: 1}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.Rebalance(ring.RebalanceOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := b.Ring(salt)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.WriteFile(filepath.Join(dir, name+".ring.gz")); err != nil {
			t.Fatal(err)
		}
	}
}

func testConfig(t *testing.T) Config {
	t.Helper()
	fc := proxy.DefaultFileConfig()
	fc.BindPort = 0
	fc.RingDir = t.TempDir()
	fc.RingCheckInterval = 10 * time.Millisecond
	fc.Proxy.Salt = salt
	writeRings(t, fc.RingDir, 6000)
	return Config{File: fc, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The service answers /healthcheck and /metrics without credentials, puts
// tempauth before everything else (and its section in /info), follows ring
// changes, and stops cleanly.
func TestServiceServes(t *testing.T) {
	cfg := testConfig(t)
	cfg.Tempauth = &tempauth.Config{Users: tempauth.StandardUsers()}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	base := "http://" + s.Addr()

	if status, body := get(t, base+"/healthcheck"); status != 200 || body != "OK" {
		t.Errorf("/healthcheck = %d %q", status, body)
	}
	if status, _ := get(t, base+"/v1/AUTH_test"); status != http.StatusUnauthorized {
		t.Errorf("/v1/AUTH_test without a token = %d, want tempauth's 401", status)
	}
	req, _ := http.NewRequest("GET", base+"/auth/v1.0", nil)
	req.Header.Set("X-Auth-User", "test:tester")
	req.Header.Set("X-Auth-Key", "testing")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-Storage-Url") != base+"/v1/AUTH_test" || resp.Header.Get("X-Auth-Token") == "" {
		t.Errorf("/auth/v1.0 = %d, storage URL %q, token %q", resp.StatusCode, resp.Header.Get("X-Storage-Url"), resp.Header.Get("X-Auth-Token"))
	}
	if status, info := get(t, base+"/info"); status != 200 || !strings.Contains(info, `"tempauth"`) {
		t.Errorf("/info = %d %q, want tempauth's section", status, info)
	}
	status, metrics := get(t, base+"/metrics")
	for _, want := range []string{"swiftlet_proxy_requests_total", "go_goroutines", "process_resident_memory_bytes",
		`swiftlet_tempauth_denials_total{status="401"} 1`, `swiftlet_tempauth_token_requests_total{result="issued"} 1`} {
		if status != 200 || !strings.Contains(metrics, want) {
			t.Errorf("/metrics = %d, lacks %s", status, want)
		}
	}

	// A rewritten ring is picked up.
	old := s.watchers[2].Ring()
	writeRings(t, cfg.File.RingDir, 7000)
	deadline := time.Now().Add(10 * time.Second)
	for s.watchers[2].Ring() == old && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := s.watchers[2].Ring().Devices()[0].Port; got != 7000 {
		t.Errorf("object ring names port %d after the rewrite, want 7000", got)
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop = %v", err)
	}
	if _, err := http.Get(base + "/healthcheck"); err == nil {
		t.Error("the proxy still answers after Stop")
	}
}

func TestNewErrors(t *testing.T) {
	cfg := testConfig(t)
	os.Remove(filepath.Join(cfg.File.RingDir, "container.ring.gz"))
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "container ring") {
		t.Errorf("New without a container ring = %v", err)
	}
	cfg = testConfig(t)
	cfg.File.Proxy.Salt = hashpath.Salt{}
	if _, err := New(cfg); err == nil {
		t.Error("New without a salt succeeded")
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for name, body := range map[string]string{
		"unknown section":   "[proxy]\nhash_path_suffix = x\n[tempuath]\n",
		"outside a section": "hash_path_suffix = x\n[proxy]\n",
		"bad proxy setting": "[proxy]\nhash_path_suffix = x\nnode_timeout = -1\n[tempauth]\nuser_a_b = c\n",
		"no users":          "[proxy]\nhash_path_suffix = x\n",
		"bad user":          "[proxy]\nhash_path_suffix = x\n[tempauth]\nuser_a_b =\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "proxy.conf")
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadConfig(p); err == nil {
				t.Error("LoadConfig succeeded")
			}
		})
	}
}

// The documented example loads (with a salt) and has the standard users.
func TestLoadExampleConfig(t *testing.T) {
	data, err := os.ReadFile("../example.conf")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "proxy.conf")
	conf := strings.Replace(string(data), "# hash_path_suffix =", "hash_path_suffix = x", 1)
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Tempauth == nil {
		t.Fatal("no tempauth configuration")
	}
	got, want := *cfg.Tempauth, tempauth.DefaultConfig()
	want.Users = tempauth.StandardUsers()
	// The file says "AUTH" and "default" where the defaults are "AUTH_"
	// and "", which mean the same.
	if got.ResellerPrefix != "AUTH" || got.StorageURLScheme != "default" || got.TokenLife != want.TokenLife ||
		got.AuthPrefix != want.AuthPrefix || got.RequireGroup != want.RequireGroup {
		t.Errorf("example.conf's [tempauth] = %+v, want the defaults %+v", got, want)
	}
	if a, b := userList(got.Users), userList(want.Users); !reflect.DeepEqual(a, b) {
		t.Errorf("example.conf's users = %q, want the standard ones %q", a, b)
	}
}

// userList describes users, sorted, one string each.
func userList(users []tempauth.User) []string {
	var out []string
	for _, u := range users {
		out = append(out, fmt.Sprintf("%s key=%s groups=%s url=%s", u.Name(), u.Key, strings.Join(u.Groups, ","), u.StorageURL))
	}
	slices.Sort(out)
	return out
}
