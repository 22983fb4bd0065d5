package saio

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

// freeBasePort finds a base port whose twelve node ports are free.
func freeBasePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		base := 20000 + 10*rand.IntN(1000)
		var lns []net.Listener
		ok := true
		for i := range Nodes {
			for j := range 3 {
				ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base+10*i+j))
				if err != nil {
					ok = false
					break
				}
				lns = append(lns, ln)
			}
		}
		for _, ln := range lns {
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

func testConfig(t *testing.T, dir string) Config {
	t.Helper()
	return Config{
		DataDir:         dir,
		ProxyAddr:       "127.0.0.1:0",
		BasePort:        freeBasePort(t),
		ShutdownTimeout: 5 * time.Second,
		Logger:          slog.New(slog.NewTextHandler(t.Output(), nil)),
	}
}

// start runs a cluster until the returned function stops it and reports
// what Run returned.
func start(t *testing.T, cfg Config) (*Cluster, func() error) {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Error("the cluster did not stop")
			return nil
		}
	})
	t.Cleanup(func() { _ = stop() })
	return c, stop
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func builderOf(t *testing.T, dir, kind string) *ring.Builder {
	t.Helper()
	b, err := ring.LoadBuilder(filepath.Join(dir, "rings", kind+".builder"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A new cluster makes its salt, rings and devices, serves, and stops
// cleanly; started again on the same directory it keeps them, following a
// new base port without moving partitions.
func TestClusterStartsAndRestarts(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	c, stop := start(t, cfg)
	if got := get(t, c.ProxyURL()+"/healthcheck"); got != 200 {
		t.Errorf("proxy /healthcheck = %d", got)
	}
	for i, n := range c.nodes {
		for _, kind := range []string{"object", "container", "account"} {
			if got := get(t, "http://"+n.Addr(kind)+"/healthcheck"); got != 200 {
				t.Errorf("node %d %s /healthcheck = %d", i+1, kind, got)
			}
		}
	}
	if want := fmt.Sprintf("127.0.0.1:%d", cfg.BasePort+31); c.nodes[3].Addr("container") != want {
		t.Errorf("node 4's container server on %s, want %s", c.nodes[3].Addr("container"), want)
	}
	// tempauth with the standard users, account autocreate on.
	req, _ := http.NewRequest("GET", c.ProxyURL()+"/auth/v1.0", nil)
	req.Header.Set("X-Auth-User", "test2:tester2")
	req.Header.Set("X-Auth-Key", "testing2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	token, storage := resp.Header.Get("X-Auth-Token"), resp.Header.Get("X-Storage-Url")
	if resp.StatusCode != 200 || storage != c.ProxyURL()+"/v1/AUTH_test2" {
		t.Fatalf("login = %d, storage URL %q", resp.StatusCode, storage)
	}
	for _, step := range []struct {
		method, url string
		want        int
	}{{"PUT", storage + "/c", 201}, {"HEAD", storage + "/c", 204}, {"HEAD", storage, 204}} {
		req, _ := http.NewRequest(step.method, step.url, nil)
		req.Header.Set("X-Auth-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != step.want {
			t.Errorf("%s %s = %d, want %d", step.method, step.url, resp.StatusCode, step.want)
		}
	}
	var summary strings.Builder
	c.WriteSummary(&summary)
	if want := "swift -A " + c.ProxyURL() + "/auth/v1.0 -U test:tester -K testing stat"; !strings.Contains(summary.String(), want) {
		t.Errorf("summary lacks %q:\n%s", want, summary.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("Run = %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop = %v", err)
	}

	salt, err := os.ReadFile(filepath.Join(dir, "salt.conf"))
	if err != nil {
		t.Fatal(err)
	}
	b1 := builderOf(t, dir, "object")
	for _, kind := range []string{"account", "container", "object"} {
		if _, err := os.Stat(filepath.Join(dir, "rings", kind+".ring.gz")); err != nil {
			t.Errorf("%s ring: %v", kind, err)
		}
	}
	if b1.PartPower() != PartPower || b1.Replicas() != Replicas || len(b1.Devices()) != Nodes {
		t.Errorf("object builder: part power %d, %v replicas, %d devices", b1.PartPower(), b1.Replicas(), len(b1.Devices()))
	}

	cfg2 := cfg
	cfg2.BasePort = freeBasePort(t)
	c2, stop2 := start(t, cfg2)
	if got := get(t, c2.ProxyURL()+"/healthcheck"); got != 200 {
		t.Errorf("restarted proxy /healthcheck = %d", got)
	}
	if err := stop2(); err != nil {
		t.Fatalf("restarted Run = %v", err)
	}
	salt2, _ := os.ReadFile(filepath.Join(dir, "salt.conf"))
	if string(salt2) != string(salt) {
		t.Error("the salt changed on restart")
	}
	b2 := builderOf(t, dir, "object")
	if b2.ID() != b1.ID() {
		t.Errorf("builder id %s after restart, was %s: the ring was rebuilt", b2.ID(), b1.ID())
	}
	for _, d := range b2.Devices() {
		old, _ := b1.Device(d.ID)
		if d.Port-old.Port != cfg2.BasePort-cfg.BasePort || d.Parts != b1.Devices()[d.ID].Parts {
			t.Errorf("device %s: port %d -> %d, %d -> %d parts; want the port moved by %d and the same parts",
				d.Name, old.Port, d.Port, b1.Devices()[d.ID].Parts, d.Parts, cfg2.BasePort-cfg.BasePort)
		}
	}
	r, err := ring.Load(filepath.Join(dir, "rings", "account.ring.gz"), c2.salt)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Devices()[0].Port; got != cfg2.BasePort+2 {
		t.Errorf("account ring names port %d for node 1, want %d", got, cfg2.BasePort+2)
	}
}

// Rings left in a directory without a salt (by an older `make run`, which
// only built an object ring) are replaced; rings that do not describe the
// cluster in a directory that has one are refused.
func TestExistingRings(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "rings"), 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := ring.NewBuilder(10, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		if _, err := b.AddDevice(ring.Device{Region: 1, Zone: i, IP: "127.0.0.1", Port: 6200 + 10*i, Name: fmt.Sprint("d", i), Weight: 100}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Rebalance(ring.RebalanceOptions{}); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "rings", "object.builder")
	if err := b.Save(old); err != nil {
		t.Fatal(err)
	}

	c, err := New(testConfig(t, dir))
	if err != nil {
		t.Fatalf("New over an old make run's ring: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := builderOf(t, dir, "object").Devices()[0].Name; got != "sdb1" {
		t.Errorf("object ring's first device is %s, want sdb1", got)
	}

	if err := b.Save(filepath.Join(dir, "rings", "container.builder")); err != nil {
		t.Fatal(err)
	}
	if _, err := New(testConfig(t, dir)); err == nil || !strings.Contains(err.Error(), "not this all-in-one cluster's") {
		t.Errorf("New with a foreign container ring = %v, want an error naming it", err)
	}
}

// A port in use fails the start and leaves nothing bound or open.
func TestPortInUse(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", cfg.BasePort+21))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "node 3") {
		t.Errorf("New with node 3's container port taken = %v, want an error naming node 3", err)
	}
	ln.Close()
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New once the port is free: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]Config{
		"host name":      {ProxyAddr: "example.com:8080"},
		"no port":        {ProxyAddr: "127.0.0.1"},
		"port too large": {BasePort: 65530},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.DataDir = t.TempDir()
			if _, err := New(cfg); err == nil {
				t.Error("New succeeded")
			}
		})
	}
}

// No goroutine of the cluster's (servers, ring watchers, stores) is left
// once Run has returned.
func TestNoGoroutineLeft(t *testing.T) {
	c, stop := start(t, testConfig(t, t.TempDir()))
	if got := get(t, c.ProxyURL()+"/healthcheck"); got != 200 {
		t.Fatalf("/healthcheck = %d", got)
	}
	http.DefaultClient.CloseIdleConnections()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	markers := []string{"swiftlet/swiftlet/", "dgraph-io/", "net/http.(*conn).serve", "net/http.(*Server).Serve"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		buf := make([]byte, 4<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var left []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "saio.TestNoGoroutineLeft") || strings.Contains(g, "testing.tRunner") {
				continue // this test
			}
			for _, m := range markers {
				if strings.Contains(g, m) {
					left = append(left, g)
					break
				}
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines left running:\n%s", len(left), strings.Join(left, "\n\n"))
		}
		time.Sleep(10 * time.Millisecond)
	}
}
