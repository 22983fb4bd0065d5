package objectserver_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/swiftlet/swiftlet/objectserver"
)

func TestConfigValidate(t *testing.T) {
	if err := objectserver.DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v", err)
	}
	if err := (objectserver.Config{}).Validate(); err != nil {
		t.Errorf("zero Config (all defaults) Validate() = %v", err)
	}
	bad := []func(*objectserver.Config){
		func(c *objectserver.Config) { c.ContainerUpdateTimeout = -1 },
		func(c *objectserver.Config) { c.NodeTimeout = -1 },
		func(c *objectserver.Config) { c.ClientTimeout = -1 },
		func(c *objectserver.Config) { c.MaxRequestsPerDevice = -1 },
		func(c *objectserver.Config) { c.AllowedHeaders = []string{"Bad Header"} },
		func(c *objectserver.Config) { c.Constraints.MaxObjectNameLength = 0 },
	}
	for i, f := range bad {
		c := objectserver.DefaultConfig()
		f(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("bad config %d: Validate() = nil", i)
		}
		if _, err := objectserver.NewObjectServer(newFakeDevices(), &c); err == nil {
			t.Errorf("bad config %d: NewObjectServer succeeded", i)
		}
	}
	if _, err := objectserver.NewContainerServer(nil, nil); err == nil {
		t.Errorf("NewContainerServer(nil Devices) succeeded")
	}
	// nil Config: defaults, a registry of its own.
	h, err := objectserver.NewAccountServer(newFakeDevices("sda1"), nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	do(t, srv, "GET", "/healthcheck", nil, nil)
	if r := do(t, srv, "GET", "/metrics", nil, nil); r.status != 200 || !strings.Contains(r.body, "swiftlet_objectserver_requests_total") {
		t.Errorf("GET /metrics with a private registry = %d", r.status)
	}
}

func TestHealthcheckAndMetrics(t *testing.T) {
	n := newNode(t)
	for _, srv := range []*httptest.Server{n.object, n.container, n.account} {
		if r := do(t, srv, "GET", "/healthcheck", nil, nil); r.status != 200 || r.body != "OK" {
			t.Errorf("GET /healthcheck = %d %q, want 200 OK", r.status, r.body)
		}
		if r := do(t, srv, "HEAD", "/healthcheck", nil, nil); r.status != 200 || r.body != "" {
			t.Errorf("HEAD /healthcheck = %d %q", r.status, r.body)
		}
	}
	n.putObject(t, "/sda1/1/a/c/o", ts(0), "12345")
	do(t, n.object, "GET", "/sda1/1/a/c/o", nil, nil)
	do(t, n.object, "GET", "/sda1/1/a/c/none", nil, nil)
	n.devs.setDown("sdb1", true)
	do(t, n.object, "GET", "/sdb1/1/a/c/o", nil, nil)
	do(t, n.container, "BREW", "/sda1/1/a/c", nil, nil)

	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		// The object GET and the health check.
		{"swiftlet_objectserver_requests_total", []string{"server", "object", "method", "GET", "status_class", "2xx"}, 2},
		{"swiftlet_objectserver_requests_total", []string{"server", "object", "method", "GET", "status_class", "4xx"}, 1},
		{"swiftlet_objectserver_requests_total", []string{"server", "object", "method", "PUT", "status_class", "2xx"}, 1},
		{"swiftlet_objectserver_requests_total", []string{"server", "container", "method", "other", "status_class", "4xx"}, 1},
		{"swiftlet_objectserver_request_duration_seconds", []string{"server", "object", "method", "PUT"}, 1},
		{"swiftlet_objectserver_received_bytes_total", []string{"server", "object", "method", "PUT"}, 5},
		// Object, 404 page, 507 page, "OK".
		{"swiftlet_objectserver_sent_bytes_total", []string{"server", "object", "method", "GET"}, 5 + 70 + 109 + 2},
		{"swiftlet_objectserver_insufficient_storage_total", []string{"server", "object", "device", "sdb1"}, 1},
	} {
		if got := metricValue(t, n.reg, tt.name, tt.labels...); got != tt.want {
			t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
		}
	}
	r := do(t, n.container, "GET", "/metrics", nil, nil)
	if r.status != 200 || !strings.Contains(r.body, `swiftlet_objectserver_requests_total{method="PUT",server="object",status_class="2xx"} 1`) {
		t.Errorf("GET /metrics on the container server does not show the node's shared registry: %d", r.status)
	}
	// Every metric has help and bounded labels only.
	mfs, err := n.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{"server": true, "method": true, "status_class": true, "result": true, "reason": true, "device": true}
	for _, mf := range mfs {
		if mf.GetHelp() == "" {
			t.Errorf("%s has no help", mf.GetName())
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if !allowed[l.GetName()] {
					t.Errorf("%s has unbounded label %s", mf.GetName(), l.GetName())
				}
			}
		}
	}
}

func TestServersShareRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	cfg := objectserver.DefaultConfig()
	cfg.Registerer = reg
	devs := newFakeDevices("sda1")
	for i := 0; i < 2; i++ { // twice: a second node in the same process
		for _, f := range []func(objectserver.Devices, *objectserver.Config) (interface{}, error){
			func(d objectserver.Devices, c *objectserver.Config) (interface{}, error) {
				return objectserver.NewObjectServer(d, c)
			},
			func(d objectserver.Devices, c *objectserver.Config) (interface{}, error) {
				return objectserver.NewContainerServer(d, c)
			},
			func(d objectserver.Devices, c *objectserver.Config) (interface{}, error) {
				return objectserver.NewAccountServer(d, c)
			},
		} {
			if _, err := f(devs, &cfg); err != nil {
				t.Fatalf("server on a shared registry: %v", err)
			}
		}
	}
}
