package proxy

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the proxy: an http.Handler serving the Swift API v1,
// /healthcheck, /info and /metrics. Put the auth middleware in front of it
// (proxy/tempauth). Close waits for node requests still running.
type Server struct {
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	gather  prometheus.Gatherer
	backend *backend
	info    *infoCache
}

// New returns a proxy for the rings and nodes of cfg.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	reg := cfg.Registerer
	gather := cfg.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg, gather = r, r
	}
	if gather == nil {
		if g, ok := reg.(prometheus.Gatherer); ok {
			gather = g
		} else {
			gather = prometheus.NewRegistry()
		}
	}
	cfg.Logger = cfg.Logger.With("component", "proxy")
	m := newMetrics(reg)
	return &Server{
		cfg:     cfg,
		log:     cfg.Logger,
		metrics: m,
		gather:  gather,
		backend: newBackend(cfg, m),
		info:    newInfoCache(cfg.InfoCacheTTL, cfg.Now),
	}, nil
}

// Close waits for node requests still running (writes to the last
// replicas of requests already answered). It is idempotent.
func (s *Server) Close() error {
	s.backend.close()
	return nil
}

// request is a client request to /v1, parsed once.
type request struct {
	*http.Request
	txnID                      string
	version                    string
	account, container, object string
}

// backendHeader starts the headers of a request to the nodes.
func (r *request) backendHeader() http.Header {
	return http.Header{"X-Trans-Id": {r.txnID}}
}

// newTxnID makes a transaction id of Swift's form: "tx", 21 hex digits, "-",
// the time in hex.
func newTxnID(now time.Time) string {
	var b [11]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read does not fail
	return fmt.Sprintf("tx%s-%010x", hex.EncodeToString(b[:])[:21], now.Unix())
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	txnID := r.Header.Get("X-Trans-Id")
	if txnID == "" || len(txnID) > 64 {
		txnID = newTxnID(s.cfg.Now())
	}
	if extra := r.Header.Get("X-Trans-Id-Extra"); extra != "" {
		txnID += "-" + extra[:min(len(extra), 32)]
	}
	w.Header().Set("X-Trans-Id", txnID)
	w.Header().Set("X-Openstack-Request-Id", txnID)
	rec := &statusRecorder{ResponseWriter: w}
	body := &countingReader{ReadCloser: r.Body}
	r.Body = body
	// Counted and logged even when a controller cuts its response off
	// (panic(http.ErrAbortHandler) after a node failed mid-body).
	api := "swift"
	defer func() {
		class := fmt.Sprintf("%dxx", rec.statusCode()/100)
		s.metrics.requests.WithLabelValues(api, r.Method, class).Inc()
		s.metrics.duration.WithLabelValues(api, r.Method, class).Observe(time.Since(start).Seconds())
		s.metrics.bytesIn.WithLabelValues(api).Add(float64(body.n))
		s.metrics.bytesOut.WithLabelValues(api).Add(float64(rec.n))
		s.log.Info("request", "method", r.Method, "path", r.URL.EscapedPath(), "status", rec.statusCode(),
			"txn_id", txnID, "remote_addr", r.RemoteAddr, "bytes_in", body.n, "bytes_out", rec.n,
			"duration", time.Since(start))
	}()
	api = s.route(rec, r, txnID)
}

// route dispatches a request and returns the API it belongs to, for
// metrics.
func (s *Server) route(w http.ResponseWriter, r *http.Request, txnID string) string {
	path := r.URL.Path
	switch path {
	case "/healthcheck":
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			(&StatusError{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {"GET, HEAD"}}}).write(w, r)
			return "healthcheck"
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("Content-Length", "2")
		if r.Method == http.MethodGet {
			_, _ = io.WriteString(w, "OK") // the client may be gone
		}
		return "healthcheck"
	case "/metrics":
		promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{}).ServeHTTP(w, r)
		return "metrics"
	case "/info":
		s.serveInfo(w, r)
		return "info"
	}
	if r.ContentLength < -1 {
		(&StatusError{Status: http.StatusBadRequest, Body: "Invalid Content-Length"}).write(w, r)
		return "swift"
	}
	if !utf8.ValidString(path) || strings.ContainsRune(path, 0) {
		(&StatusError{Status: http.StatusPreconditionFailed, Body: "Invalid UTF8 or contains NULL"}).write(w, r)
		return "swift"
	}
	req, err := s.parse(r, txnID)
	if err != nil {
		asStatusError(err).write(w, r)
		return "swift"
	}
	switch {
	case req.object != "":
		err = s.serveObject(w, req)
	case req.container != "":
		err = s.serveContainer(w, req)
	default:
		err = s.serveAccount(w, req)
	}
	if err != nil {
		se := asStatusError(err)
		if se.Status >= 500 {
			s.log.Error("request failed", "method", r.Method, "path", r.URL.EscapedPath(), "txn_id", txnID, "err", err)
		}
		se.write(w, r)
	}
	return "swift"
}

// parse splits /<version>/<account>[/<container>[/<object>]] as Swift's
// split_path(path, 1, 4, True) does: an object may contain slashes; an
// empty segment before the last is not a path (404); no account is not a
// Swift request (412 Bad URL); an unknown version with an account is 400.
func (s *Server) parse(r *http.Request, txnID string) (*request, error) {
	segs := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 4)
	for i, seg := range segs {
		if seg == "" && i < len(segs)-1 || i == 0 && seg == "" {
			return nil, newStatusError(http.StatusNotFound)
		}
	}
	for len(segs) < 4 {
		segs = append(segs, "")
	}
	req := &request{Request: r, txnID: txnID, version: segs[0], account: segs[1], container: segs[2], object: segs[3]}
	if req.container == "" && req.object != "" {
		return nil, newStatusError(http.StatusNotFound)
	}
	if req.account == "" {
		return nil, &StatusError{Status: http.StatusPreconditionFailed, Body: "Bad URL"}
	}
	if !slices.Contains(s.cfg.Constraints.ValidAPIVersions, req.version) {
		return nil, newStatusError(http.StatusBadRequest)
	}
	return req, nil
}

// statusRecorder remembers the status and counts the body bytes written.
type statusRecorder struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}

// Flush passes flushes on, for streamed answers.
func (w *statusRecorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusRecorder) statusCode() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// countingReader counts the request body bytes read.
type countingReader struct {
	io.ReadCloser
	n int64
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.n += int64(n)
	return n, err
}
