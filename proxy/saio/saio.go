package saio

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/swiftlet/swiftlet/internal/atomicfile"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/iniconf"
	"github.com/swiftlet/swiftlet/objectserver/node"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/proxy/service"
	"github.com/swiftlet/swiftlet/proxy/tempauth"
)

// Nodes is the number of storage nodes of the cluster.
const Nodes = 4

// Config configures an all-in-one cluster. Zero fields take their
// defaults.
type Config struct {
	// DataDir holds the salt, the rings and the devices (default ./data).
	DataDir string
	// ProxyAddr is the proxy's host:port (default 127.0.0.1:8080); the
	// host must be an IP address or localhost.
	ProxyAddr string
	// BasePort is node 1's object port (default 6210); see the package doc.
	BasePort int
	// ShutdownTimeout bounds how long in-flight requests may finish on
	// stop, per server (default 10 s).
	ShutdownTimeout time.Duration
	// Logger receives the proxy's and the cluster's logs; NodeLogger the
	// storage nodes' (nil: Logger). Nil discards.
	Logger, NodeLogger *slog.Logger
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{DataDir: "data", ProxyAddr: "127.0.0.1:8080", BasePort: 6210, ShutdownTimeout: 10 * time.Second}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	if c.ProxyAddr == "" {
		c.ProxyAddr = d.ProxyAddr
	}
	if c.BasePort == 0 {
		c.BasePort = d.BasePort
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = d.ShutdownTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.NodeLogger == nil {
		c.NodeLogger = c.Logger
	}
	return c
}

// Validate reports settings that cannot work, after defaults apply.
func (c Config) Validate() error {
	c = c.withDefaults()
	if _, _, err := splitProxyAddr(c.ProxyAddr); err != nil {
		return err
	}
	if c.BasePort < 1 || c.BasePort+10*(Nodes-1)+2 > 65535 {
		return fmt.Errorf("saio: base port %d leaves no room for %d nodes", c.BasePort, Nodes)
	}
	if c.ShutdownTimeout < 0 {
		return errors.New("saio: shutdown timeout must not be negative")
	}
	return nil
}

// splitProxyAddr parses host:port; localhost means 127.0.0.1 and an empty
// host every address.
func splitProxyAddr(addr string) (ip string, port int, err error) {
	host, p, err := net.SplitHostPort(addr)
	if err == nil {
		port, err = strconv.Atoi(p)
	}
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("saio: proxy address %q is not host:port", addr)
	}
	switch host {
	case "localhost":
		host = "127.0.0.1"
	case "":
		host = "0.0.0.0"
	}
	if net.ParseIP(host) == nil {
		return "", 0, fmt.Errorf("saio: proxy address %q: the host must be an IP address or localhost", addr)
	}
	return host, port, nil
}

// nodeLayout is where node N lives.
type nodeLayout struct {
	id       int    // 1..Nodes
	zone     int    // = id
	ip       string // 127.0.0.1
	basePort int    // object port; container +1, account +2
	device   string // sdb<N>
	devices  string // DIR/<N>/node
}

func layout(c Config) []nodeLayout {
	var out []nodeLayout
	for i := 1; i <= Nodes; i++ {
		out = append(out, nodeLayout{
			id: i, zone: i, ip: "127.0.0.1", basePort: c.BasePort + 10*(i-1),
			device: fmt.Sprintf("sdb%d", i), devices: filepath.Join(c.DataDir, strconv.Itoa(i), "node"),
		})
	}
	return out
}

// Cluster is a running all-in-one cluster.
type Cluster struct {
	cfg    Config
	log    *slog.Logger
	layout []nodeLayout
	nodes  []*node.Node
	proxy  *service.Service
	salt   hashpath.Salt

	stopOnce sync.Once
	stopErr  error
}

// New prepares the data directory (salt, rings, devices) on first start,
// reuses it afterwards, opens the nodes' devices and binds every port; Run
// serves.
func New(cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	c := &Cluster{cfg: cfg, log: cfg.Logger.With("component", "saio"), layout: layout(cfg)}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("saio: %w", err)
	}
	saltPath := filepath.Join(cfg.DataDir, "salt.conf")
	salt, err := loadSalt(saltPath)
	fresh := errors.Is(err, os.ErrNotExist)
	switch {
	case fresh:
		salt = newSalt()
	case err != nil:
		return nil, err
	}
	c.salt = salt
	for _, n := range c.layout {
		if err := os.MkdirAll(filepath.Join(n.devices, n.device), 0o755); err != nil {
			return nil, fmt.Errorf("saio: %w", err)
		}
	}
	ringDir := filepath.Join(cfg.DataDir, "rings")
	if err := prepareRings(ringDir, c.layout, salt, fresh); err != nil {
		return nil, err
	}
	// The salt is written last: a first start that fails before this
	// point starts afresh next time.
	if fresh {
		if err := writeSalt(saltPath, salt); err != nil {
			return nil, err
		}
		c.log.Info("new cluster", "data", cfg.DataDir)
	}
	for _, l := range c.layout {
		n, err := c.newNode(l, ringDir)
		if err != nil {
			_ = c.Stop() // the start-up error is the one to report
			return nil, err
		}
		c.nodes = append(c.nodes, n)
	}
	if c.proxy, err = c.newProxy(ringDir); err != nil {
		_ = c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) newNode(l nodeLayout, ringDir string) (*node.Node, error) {
	nc := node.DefaultConfig()
	nc.BindIP = l.ip
	nc.ObjectPort, nc.ContainerPort, nc.AccountPort = l.basePort, l.basePort+1, l.basePort+2
	nc.DevicesDir = l.devices
	nc.DeviceNames = []string{l.device}
	nc.RingDir = ringDir
	nc.Salt = c.salt
	nc.ShutdownTimeout = c.cfg.ShutdownTimeout
	nc.Logger = c.cfg.NodeLogger.With("node", l.id)
	n, err := node.New(nc)
	if err != nil {
		return nil, fmt.Errorf("saio: node %d: %w", l.id, err)
	}
	if len(n.Devices()) == 0 {
		_ = n.Stop() // the missing device is the error to report
		return nil, fmt.Errorf("saio: node %d: device %s could not be opened (is another swiftlet using %s?)",
			l.id, filepath.Join(l.devices, l.device), c.cfg.DataDir)
	}
	return n, nil
}

func (c *Cluster) newProxy(ringDir string) (*service.Service, error) {
	fc := proxy.DefaultFileConfig()
	ip, port, err := splitProxyAddr(c.cfg.ProxyAddr)
	if err != nil {
		return nil, err
	}
	fc.BindIP, fc.BindPort = ip, port
	fc.RingDir = ringDir
	fc.ShutdownTimeout = c.cfg.ShutdownTimeout
	fc.Proxy.Salt = c.salt
	fc.Proxy.AccountAutocreate = true
	return service.New(service.Config{
		File:     fc,
		Tempauth: &tempauth.Config{Users: tempauth.StandardUsers()},
		Logger:   c.cfg.Logger,
	})
}

// ProxyURL is the proxy's base URL, e.g. http://127.0.0.1:8080.
func (c *Cluster) ProxyURL() string {
	host, port, _ := net.SplitHostPort(c.proxy.Addr())
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Run serves until ctx is done or a server fails, then stops (see Stop).
func (c *Cluster) Run(ctx context.Context) error {
	nodeCtx, stopNodes := context.WithCancel(context.WithoutCancel(ctx))
	defer stopNodes()
	failed := make(chan error, len(c.nodes))
	var nodes sync.WaitGroup
	for _, n := range c.nodes {
		nodes.Go(func() {
			if err := n.Run(nodeCtx); err != nil {
				failed <- err
			}
		})
	}
	proxyCtx, stopProxy := context.WithCancel(ctx)
	defer stopProxy()
	proxyDone := make(chan error, 1)
	go func() { proxyDone <- c.proxy.Run(proxyCtx) }()
	c.log.Info("running", "proxy", c.ProxyURL(), "data", c.cfg.DataDir)

	var err error
	select {
	case err = <-proxyDone:
	case err = <-failed:
		stopProxy()
		err = errors.Join(err, <-proxyDone)
	}
	// The proxy has stopped: no request can reach the nodes any more.
	stopNodes()
	nodes.Wait()
	close(failed)
	for e := range failed {
		err = errors.Join(err, e)
	}
	c.log.Info("stopped")
	return errors.Join(err, c.Stop())
}

// Stop stops the proxy, then the nodes (closing their stores). It is
// idempotent and safe to call without Run.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if c.proxy != nil {
			errs = append(errs, c.proxy.Stop())
		}
		for _, n := range c.nodes {
			errs = append(errs, n.Stop())
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}

// WriteSummary prints the cluster's endpoints, users and a command to try.
func (c *Cluster) WriteSummary(w io.Writer) {
	url := c.ProxyURL()
	fmt.Fprintf(w, "swiftlet all-in-one cluster, data in %s\n\n", c.cfg.DataDir)
	fmt.Fprintf(w, "  proxy         %s  (auth /auth/v1.0, Swift API /v1/AUTH_<account>, /info, /healthcheck, /metrics)\n", url)
	for i, l := range c.layout {
		fmt.Fprintf(w, "  node %d        object %s  container %s  account %s  device %s\n", l.id,
			c.nodes[i].Addr("object"), c.nodes[i].Addr("container"), c.nodes[i].Addr("account"),
			filepath.Join(l.devices, l.device))
	}
	fmt.Fprintf(w, "  rings         %s (part power %d, %d replicas)\n", filepath.Join(c.cfg.DataDir, "rings"), PartPower, Replicas)
	fmt.Fprintf(w, "\nusers (tempauth):\n")
	for _, u := range standardUsers() {
		fmt.Fprintf(w, "  %-16s key %-10s %s\n", u.name, u.key, u.note)
	}
	fmt.Fprintf(w, "\ntry:\n  swift -A %s/auth/v1.0 -U test:tester -K testing stat\n\nCtrl-C stops it.\n", url)
}

// loadSalt reads the salt file; an error matching os.ErrNotExist if there
// is none.
func loadSalt(path string) (hashpath.Salt, error) {
	f, err := iniconf.Load(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return hashpath.Salt{}, err
		}
		return hashpath.Salt{}, fmt.Errorf("saio: %w", err)
	}
	var salt hashpath.Salt
	s := f.Section("salt")
	s.String("hash_path_prefix", &salt.Prefix)
	s.String("hash_path_suffix", &salt.Suffix)
	if err := s.Err(); err != nil {
		return hashpath.Salt{}, fmt.Errorf("saio: %s: %w", path, err)
	}
	if salt.Prefix == "" && salt.Suffix == "" {
		return hashpath.Salt{}, fmt.Errorf("saio: %s holds no salt", path)
	}
	return salt, nil
}

func newSalt() hashpath.Salt {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hashpath.Salt{Prefix: hex.EncodeToString(b[:16]), Suffix: hex.EncodeToString(b[16:])}
}

func writeSalt(path string, salt hashpath.Salt) error {
	body := fmt.Sprintf(`# The all-in-one cluster's secret hash path salt, made by swiftlet saio on
# its first start. Every node and the proxy use it; changing it would lose
# every object stored.
[salt]
hash_path_prefix = %s
hash_path_suffix = %s
`, salt.Prefix, salt.Suffix)
	if err := atomicfile.Write(path, 0o600, func(w io.Writer) error {
		_, err := io.WriteString(w, body)
		return err
	}); err != nil {
		return fmt.Errorf("saio: %w", err)
	}
	return nil
}
