package objectserver_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/badgerstore"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
)

var testSalt = hashpath.Salt{Prefix: "pre", Suffix: "suf"}

// fakeDevices is a node's device set that tests can take down.
type fakeDevices struct {
	mu   sync.Mutex
	devs map[string]*objectserver.Device // guarded by mu
	down map[string]bool                 // guarded by mu
}

// deviceStore is everything a device keeps, in one store.
type deviceStore interface {
	objectserver.ObjectStore
	objectserver.ContainerStore
	objectserver.AccountStore
	objectserver.PendingStore
}

// storeFactory makes the store of the named device.
type storeFactory func(t testing.TB, name string) deviceStore

func memStores(testing.TB, string) deviceStore { return memstore.New(testSalt) }

// badgerStores puts each device in a temporary directory.
func badgerStores(t testing.TB, name string) deviceStore {
	st, err := badgerstore.Open(t.TempDir(), badgerstore.Options{Device: name, Salt: testSalt})
	if err != nil {
		t.Fatalf("badgerstore.Open: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() }) // tests are over
	return st
}

func newFakeDevices(names ...string) *fakeDevices {
	return newFakeDevicesOf(nil, memStores, names...)
}

func newFakeDevicesOf(t testing.TB, stores storeFactory, names ...string) *fakeDevices {
	d := &fakeDevices{devs: map[string]*objectserver.Device{}, down: map[string]bool{}}
	for _, name := range names {
		st := stores(t, name)
		d.devs[name] = &objectserver.Device{Name: name, Objects: st, Containers: st, Accounts: st, Pending: st}
	}
	return d
}

func (d *fakeDevices) Device(name string) (*objectserver.Device, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dev, ok := d.devs[name]
	if !ok || d.down[name] {
		return nil, fmt.Errorf("fake: %s: %w", name, objectserver.ErrDeviceUnavailable)
	}
	return dev, nil
}

func (d *fakeDevices) get(name string) *objectserver.Device {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.devs[name]
}

func (d *fakeDevices) setDown(name string, down bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.down[name] = down
}

// setObjects replaces a device's object store (fault injection).
func (d *fakeDevices) setObjects(name string, os objectserver.ObjectStore) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dev := *d.devs[name]
	dev.Objects = os
	d.devs[name] = &dev
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// t0 is the tests' "now": 1700000000 s.
var t0 = time.Unix(1700000000, 0)

// ts is the X-Timestamp t0 + secs.
func ts(secs float64) string {
	return timestamp.New(t0.Add(time.Duration(secs * float64(time.Second)))).Internal()
}

// node is the three servers of one storage node on real sockets, each
// device a memstore.
type node struct {
	devs      *fakeDevices
	clock     *clock
	reg       *prometheus.Registry
	object    *httptest.Server
	container *httptest.Server
	account   *httptest.Server
}

func newNode(t testing.TB, configure ...func(*objectserver.Config)) *node {
	t.Helper()
	return newNodeOf(t, memStores, configure...)
}

// newNodeOf is newNode with devices from stores.
func newNodeOf(t testing.TB, stores storeFactory, configure ...func(*objectserver.Config)) *node {
	t.Helper()
	n := &node{devs: newFakeDevicesOf(t, stores, "sda1", "sdb1"), clock: &clock{now: t0}, reg: prometheus.NewRegistry()}
	cfg := objectserver.DefaultConfig()
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg.Registerer = n.reg
	cfg.Now = n.clock.Now
	for _, c := range configure {
		c(&cfg)
	}
	for _, s := range []struct {
		srv *(*httptest.Server)
		new func(objectserver.Devices, *objectserver.Config) (http.Handler, error)
	}{
		{&n.object, objectserver.NewObjectServer},
		{&n.container, objectserver.NewContainerServer},
		{&n.account, objectserver.NewAccountServer},
	} {
		h, err := s.new(n.devs, &cfg)
		if err != nil {
			t.Fatalf("new server: %v", err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		*s.srv = srv
	}
	return n
}

// response is a finished response.
type response struct {
	status int
	header http.Header
	body   string
}

// do sends a request (path already escaped as it goes on the wire) and
// reads the whole response.
func do(t *testing.T, srv *httptest.Server, method, path string, h http.Header, body io.Reader) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatalf("NewRequest(%s %s): %v", method, path, err)
	}
	// Ask for no encoding so that the client hands stored gzip data over
	// as it is.
	req.Header.Set("Accept-Encoding", "identity")
	for k, v := range h {
		req.Header[k] = v
	}
	if cl := h.Get("Content-Length"); cl != "" {
		fmt.Sscan(cl, &req.ContentLength)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// hdr builds a header from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[http.CanonicalHeaderKey(kv[i])] = append(h[http.CanonicalHeaderKey(kv[i])], kv[i+1])
	}
	return h
}

// putObject stores an object through the object server.
func (n *node) putObject(t *testing.T, path, timestamp, data string, extra ...string) response {
	t.Helper()
	h := hdr("X-Timestamp", timestamp, "Content-Type", "text/plain", "Content-Length", fmt.Sprint(len(data)))
	for k, v := range hdr(extra...) {
		h[k] = v
	}
	return do(t, n.object, "PUT", path, h, strings.NewReader(data))
}

// wantStatus fails unless r has status want.
func wantStatus(t *testing.T, what string, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("%s: status %d, want %d (body %q)", what, r.status, want, r.body)
	}
}

// metricValue returns the value of the metric named name with the label
// values given as name=value pairs, summed over other labels.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	metrics:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, lp := range m.GetLabel() {
					if lp.GetName() == labels[i] && lp.GetValue() == labels[i+1] {
						found = true
					}
				}
				if !found {
					continue metrics
				}
			}
			switch {
			case m.GetCounter() != nil:
				sum += m.GetCounter().GetValue()
			case m.GetHistogram() != nil:
				sum += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return sum
}
