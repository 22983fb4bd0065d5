package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/proxy/tempauth"
	"github.com/swiftlet/swiftlet/ring"
)

// Config configures a proxy service.
type Config struct {
	// File is the proxy's settings: address, ring directory, salt,
	// timeouts, constraints. Its Proxy's rings, Logger, Registerer and
	// Gatherer are set by the service, and the auth middleware's /info
	// sections added to its InfoSections.
	File proxy.FileConfig
	// Tempauth configures the auth middleware: users, token life...; its
	// Logger and Registerer are set by the service. Nil means no
	// authentication: every request may do everything, which is only for
	// tests and trusted internal use.
	Tempauth *tempauth.Config
	// Logger receives the service's logs; nil discards them.
	Logger *slog.Logger
}

// Service is a running proxy.
type Service struct {
	cfg      Config
	log      *slog.Logger
	watchers []*ring.Watcher
	proxy    *proxy.Server
	ln       net.Listener
	http     *http.Server

	stopOnce sync.Once
	stopErr  error
}

// ringNames are the ring files a proxy needs, in its RingDir.
var ringNames = []string{"account", "container", "object"}

// New loads the rings, builds the proxy and its middleware, and binds the
// address; Run serves.
func New(cfg Config) (*Service, error) {
	if err := cfg.File.Validate(); err != nil {
		return nil, err
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{cfg: cfg, log: cfg.Logger.With("component", "proxy-service")}
	pc := cfg.File.Proxy
	for _, name := range ringNames {
		w, err := ring.NewWatcher(filepath.Join(cfg.File.RingDir, name+".ring.gz"), pc.Salt, cfg.Logger)
		if err != nil {
			return nil, fmt.Errorf("proxy: %s ring: %w", name, err)
		}
		s.watchers = append(s.watchers, w)
	}
	pc.AccountRing, pc.ContainerRing, pc.ObjectRing = s.watchers[0], s.watchers[1], s.watchers[2]
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	pc.Registerer, pc.Gatherer = reg, reg
	pc.Logger = cfg.Logger
	// The middleware comes first: the proxy publishes its /info sections.
	// It reaches the proxy through next, set once the proxy exists.
	next := &laterHandler{}
	var front http.Handler = next
	if cfg.Tempauth != nil {
		tc := *cfg.Tempauth
		tc.Logger, tc.Registerer = cfg.Logger, reg
		a, err := tempauth.New(next, tc)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		front = a
		pc.InfoSections = maps.Clone(pc.InfoSections)
		if pc.InfoSections == nil {
			pc.InfoSections = map[string]any{}
		}
		maps.Copy(pc.InfoSections, a.InfoSections())
	}
	p, err := proxy.New(pc)
	if err != nil {
		return nil, err
	}
	s.proxy = p
	next.h = p
	mux := http.NewServeMux()
	// Health and metrics answer without credentials, before any middleware.
	mux.Handle("/healthcheck", p)
	mux.Handle("/metrics", p)
	mux.Handle("/", front)
	ln, err := net.Listen("tcp", cfg.File.Addr())
	if err != nil {
		return nil, fmt.Errorf("proxy: %w", err)
	}
	s.ln = ln
	s.http = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 30 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// laterHandler hands requests to a handler set after it was created and
// before it serves.
type laterHandler struct{ h http.Handler }

func (l *laterHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) { l.h.ServeHTTP(w, r) }

// Addr is the address the proxy listens on (host:port).
func (s *Service) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx is done (or the server fails), reloading changed
// ring files every RingCheckInterval, then stops (see Stop).
func (s *Service) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, w := range s.watchers {
		wg.Go(func() { w.Run(ctx, s.cfg.File.RingCheckInterval) })
	}
	errc := make(chan error, 1)
	s.log.Info("serving", "addr", s.Addr())
	go func() {
		if err := s.http.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("proxy: %w", err)
		}
		close(errc)
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	wg.Wait()
	err = errors.Join(err, s.Stop())
	<-errc // Serve has returned
	return err
}

// Stop shuts the server down: no new connections, in-flight requests get
// ShutdownTimeout to finish, then the proxy waits for the node requests it
// still has running. It is idempotent, and safe to call without Run.
func (s *Service) Stop() error {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.File.ShutdownTimeout)
		defer cancel()
		var errs []error
		if err := s.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("proxy: shutdown: %w", err))
			_ = s.http.Close() // the deadline passed; cut the remaining connections
		}
		_ = s.ln.Close() // closed already if it was served; otherwise release the port
		errs = append(errs, s.proxy.Close())
		s.stopErr = errors.Join(errs...)
		s.log.Info("stopped")
	})
	return s.stopErr
}
