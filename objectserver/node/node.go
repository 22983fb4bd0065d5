// Package node assembles a storage node from its configuration: it opens
// the device stores (objectserver/badgerstore), and serves the object,
// container and account servers (objectserver) on their ports with one
// metrics registry. `swiftlet node --config FILE` runs one.
package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/badgerstore"
)

// Node is a running storage node.
type Node struct {
	cfg     Config
	log     *slog.Logger
	reg     *prometheus.Registry
	devices *deviceSet
	servers []*server

	stopOnce sync.Once
	stopErr  error
}

// server is one of the node's three HTTP servers.
type server struct {
	kind string // "object", "container" or "account"
	ln   net.Listener
	http *http.Server
}

// New opens the node's devices and binds its ports; Run serves them.
func New(cfg Config) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	n := &Node{cfg: cfg, log: cfg.Logger.With("component", "node"), reg: prometheus.NewRegistry()}
	n.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	devs, err := openDevices(cfg, badgerstore.NewMetrics(n.reg), n.log)
	if err != nil {
		return nil, err
	}
	n.devices = devs
	handlers, err := n.handlers()
	if err != nil {
		_ = devs.close() // the handler error is the one to report
		return nil, err
	}
	for _, h := range handlers {
		ln, err := net.Listen("tcp", net.JoinHostPort(cfg.BindIP, strconv.Itoa(h.port)))
		if err != nil {
			n.closeListeners()
			_ = devs.close()
			return nil, fmt.Errorf("node: %s server: %w", h.kind, err)
		}
		n.servers = append(n.servers, &server{kind: h.kind, ln: ln, http: &http.Server{
			Handler:           h.handler,
			ReadHeaderTimeout: 30 * time.Second,
			ErrorLog:          slog.NewLogLogger(n.log.Handler(), slog.LevelWarn),
		}})
	}
	return n, nil
}

type kindHandler struct {
	kind    string
	port    int
	handler http.Handler
}

func (n *Node) closeListeners() {
	for _, s := range n.servers {
		_ = s.ln.Close() // nothing was served yet
	}
}

// Addr returns the address the object, container or account server
// listens on.
func (n *Node) Addr(kind string) string {
	for _, s := range n.servers {
		if s.kind == kind {
			return s.ln.Addr().String()
		}
	}
	return ""
}

// Devices lists the devices the node serves.
func (n *Node) Devices() []string { return n.devices.Names() }

// Run serves until ctx is done, then stops: in-flight requests get
// ShutdownTimeout to finish, then the stores are closed.
func (n *Node) Run(ctx context.Context) error {
	errc := make(chan error, len(n.servers))
	for _, s := range n.servers {
		n.log.Info("serving", "server", s.kind, "addr", s.ln.Addr().String())
		go func() {
			if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("node: %s server: %w", s.kind, err)
			}
		}()
	}
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	return errors.Join(err, n.Stop())
}

// Stop shuts the servers down and closes the stores. It is idempotent.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), n.cfg.ShutdownTimeout)
		defer cancel()
		var errs []error
		for _, s := range n.servers {
			if err := s.http.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("node: %s server: %w", s.kind, err))
			}
			_ = s.ln.Close() // closed already if it was served; otherwise release the port
		}
		errs = append(errs, n.devices.close())
		n.stopErr = errors.Join(errs...)
		n.log.Info("stopped")
	})
	return n.stopErr
}

var _ objectserver.Devices = (*deviceSet)(nil)

// handlers builds the object, container and account servers over the
// node's devices, sharing one metrics registry.
func (n *Node) handlers() ([]kindHandler, error) {
	cfg := &objectserver.Config{
		Logger:      n.cfg.Logger,
		Registerer:  n.reg,
		NodeTimeout: n.cfg.NodeTimeout,
	}
	out := []kindHandler{{kind: "object", port: n.cfg.ObjectPort}, {kind: "container", port: n.cfg.ContainerPort},
		{kind: "account", port: n.cfg.AccountPort}}
	for i, build := range []func(objectserver.Devices, *objectserver.Config) (http.Handler, error){
		objectserver.NewObjectServer, objectserver.NewContainerServer, objectserver.NewAccountServer,
	} {
		h, err := build(n.devices, cfg)
		if err != nil {
			return nil, fmt.Errorf("node: %s server: %w", out[i].kind, err)
		}
		out[i].handler = h
	}
	return out, nil
}
