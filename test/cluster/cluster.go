// Package cluster runs a whole swiftlet cluster inside a test process:
// storage nodes (objectserver's three servers over in-memory or Badger
// devices) on loopback httptest servers, account, container and object
// rings built from their devices, and a proxy in front. Nodes can be
// stopped (their ports refuse connections, as a killed node's would) and
// started again, to test quorum, handoffs and error limiting.
package cluster

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/badgerstore"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/ring"
)

// Salt is the hash path salt of every test cluster.
var Salt = hashpath.Salt{Prefix: "cluster-prefix", Suffix: "cluster-suffix"}

// Options shape a cluster; zero fields take defaults.
type Options struct {
	// Nodes is the number of storage nodes, each in a zone of its own
	// (default 4).
	Nodes int
	// Replicas is the replica count of all three rings (default 3).
	Replicas float64
	// PartPower of the rings (default 6).
	PartPower int
	// Badger stores devices on disk (t.TempDir()) instead of in memory.
	Badger bool
	// Proxy adjusts the proxy's configuration before it starts.
	Proxy func(*proxy.Config)
	// Middleware wraps the proxy's handler (an auth middleware).
	Middleware func(http.Handler) http.Handler
	// WrapObjects, if set, replaces each node's object store with what it
	// returns for it: fault injection at the store seam, or a store that
	// keeps no data, for streaming tests.
	WrapObjects func(node int, s objectserver.ObjectStore) objectserver.ObjectStore
}

// Cluster is a running test cluster.
type Cluster struct {
	t     testing.TB
	Nodes []*Node
	// URL is the proxy's base URL, e.g. http://127.0.0.1:34567.
	URL   string
	Proxy *proxy.Server
	Rings map[string]*ring.Ring // "account", "container", "object"

	proxySrv *httptest.Server
}

// Node is one storage node: an object, a container and an account server
// over the same devices.
type Node struct {
	ID      int
	Device  string
	devices objectserver.Devices
	servers map[string]*switchable // by server type
}

// switchable is an httptest server that can go down and come back on the
// same port.
type switchable struct {
	handler http.Handler
	addr    string
	mu      sync.Mutex
	srv     *httptest.Server
}

func (s *switchable) start(t testing.TB) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return
	}
	addr := s.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for range 50 { // the port may linger briefly after a stop
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("cluster: listen %s: %v", addr, err)
	}
	s.addr = ln.Addr().String()
	s.srv = httptest.NewUnstartedServer(s.handler)
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
}

func (s *switchable) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		s.srv.CloseClientConnections()
		s.srv.Close()
		s.srv = nil
	}
}

// devs is a Devices of one named device.
type devs struct{ d *objectserver.Device }

func (d devs) Device(name string) (*objectserver.Device, error) {
	if name != d.d.Name {
		return nil, objectserver.ErrDeviceUnavailable
	}
	return d.d, nil
}

// New starts a cluster and stops it when the test ends.
func New(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.Nodes == 0 {
		opts.Nodes = 4
	}
	if opts.Replicas == 0 {
		opts.Replicas = 3
	}
	if opts.PartPower == 0 {
		opts.PartPower = 6
	}
	log := slog.New(slog.DiscardHandler)
	c := &Cluster{t: t, Rings: map[string]*ring.Ring{}}
	for i := range opts.Nodes {
		n := &Node{ID: i + 1, Device: fmt.Sprintf("sd%c", 'b'+i), servers: map[string]*switchable{}}
		dev := &objectserver.Device{Name: n.Device}
		if opts.Badger {
			st, err := badgerstore.Open(makeDir(t, filepath.Join(t.TempDir(), n.Device)), badgerstore.Options{Device: n.Device, Salt: Salt})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			dev.Objects, dev.Containers, dev.Accounts, dev.Pending = st, st, st, st
		} else {
			st := memstore.New(Salt)
			dev.Objects, dev.Containers, dev.Accounts, dev.Pending = st, st, st, st
		}
		if opts.WrapObjects != nil {
			dev.Objects = opts.WrapObjects(n.ID, dev.Objects)
		}
		n.devices = devs{dev}
		cfg := &objectserver.Config{Logger: log}
		for kind, build := range map[string]func(objectserver.Devices, *objectserver.Config) (http.Handler, error){
			"object": objectserver.NewObjectServer, "container": objectserver.NewContainerServer, "account": objectserver.NewAccountServer,
		} {
			h, err := build(n.devices, cfg)
			if err != nil {
				t.Fatal(err)
			}
			s := &switchable{handler: h}
			s.start(t)
			n.servers[kind] = s
		}
		c.Nodes = append(c.Nodes, n)
	}
	for _, kind := range []string{"account", "container", "object"} {
		b, err := ring.NewBuilder(opts.PartPower, opts.Replicas, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range c.Nodes {
			host, port, _ := net.SplitHostPort(n.servers[kind].addr)
			p, _ := strconv.Atoi(port)
			if _, err := b.AddDevice(ring.Device{Region: 1, Zone: n.ID, IP: host, Port: p, Name: n.Device, Weight: 100}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := b.Rebalance(ring.RebalanceOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := b.Ring(Salt)
		if err != nil {
			t.Fatal(err)
		}
		c.Rings[kind] = r
	}
	pcfg := proxy.DefaultConfig()
	pcfg.AccountRing = proxy.StaticRing(c.Rings["account"])
	pcfg.ContainerRing = proxy.StaticRing(c.Rings["container"])
	pcfg.ObjectRing = proxy.StaticRing(c.Rings["object"])
	pcfg.Salt = Salt
	pcfg.Logger = log
	pcfg.NodeTimeout = 5 * time.Second
	if opts.Proxy != nil {
		opts.Proxy(&pcfg)
	}
	p, err := proxy.New(pcfg)
	if err != nil {
		t.Fatal(err)
	}
	c.Proxy = p
	var h http.Handler = p
	if opts.Middleware != nil {
		h = opts.Middleware(h)
	}
	c.proxySrv = httptest.NewServer(h)
	c.URL = c.proxySrv.URL
	t.Cleanup(c.close)
	return c
}

func makeDir(t testing.TB, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func (c *Cluster) close() {
	c.proxySrv.Close()
	c.Proxy.Close()
	for _, n := range c.Nodes {
		for _, s := range n.servers {
			s.stop()
		}
	}
}

// Stop takes the node down: its ports refuse connections.
func (n *Node) Stop() {
	for _, s := range n.servers {
		s.stop()
	}
}

// Start brings a stopped node back on the same ports with its data.
func (n *Node) Start(t testing.TB) {
	for _, s := range n.servers {
		s.start(t)
	}
}

// Devices gives direct access to the node's device, to check what it
// stores without going through the proxy.
func (n *Node) Devices() objectserver.Devices { return n.devices }

// Addr is the address of the node's object, container or account server.
func (n *Node) Addr(kind string) string { return n.servers[kind].addr }

// NodesFor returns the nodes holding the primaries of an object (or
// container or account, with kind and empty names), in ring order.
func (c *Cluster) NodesFor(kind, account, container, object string) (part uint32, nodes []*Node) {
	r := c.Rings[kind]
	part = r.Partition(account, container, object)
	for _, d := range r.Primaries(part) {
		for _, n := range c.Nodes {
			if n.Device == d.Name {
				nodes = append(nodes, n)
			}
		}
	}
	return part, nodes
}
