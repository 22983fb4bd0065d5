package objectserver

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// Config configures the object, container and account servers. The zero
// value of each field selects its default (DefaultConfig).
type Config struct {
	// Logger receives one line per request and the errors. Nil discards.
	Logger *slog.Logger
	// Registerer receives the servers' metrics (metrics.go). The three
	// servers of a node should share one. Nil: a registry of the server's
	// own.
	Registerer prometheus.Registerer
	// Gatherer is what GET /metrics serves. Nil: Registerer, if it is a
	// prometheus.Gatherer (a *prometheus.Registry), else the server's own
	// registry.
	Gatherer prometheus.Gatherer
	// Client sends container updates (object server) and account updates
	// (container server) to other nodes. Nil: a client of the servers'
	// own; requests are bounded by the timeouts below, not the client's.
	Client *http.Client
	// ContainerUpdateTimeout is how long an object write waits for its
	// container updates before queuing the unfinished ones as async
	// pendings and answering (Swift's container_update_timeout). Default
	// 1 s.
	ContainerUpdateTimeout time.Duration
	// NodeTimeout bounds one account update from the container server
	// (Swift's conn_timeout plus node_timeout). Default 3.5 s.
	NodeTimeout time.Duration
	// ClientTimeout bounds each read of a request body: a client that
	// sends nothing for this long gets 408 (Swift's client_timeout).
	// Default 60 s.
	ClientTimeout time.Duration
	// MaxRequestsPerDevice bounds the object requests one device serves
	// at once; more are answered 503 so that the proxy tries another
	// node. 0: no bound.
	MaxRequestsPerDevice int
	// Now is the clock: expiry (X-Delete-At) and reads without
	// X-Timestamp use it. Nil: time.Now.
	Now func() time.Time
	// Constraints are the cluster's limits. Zero value: Swift's defaults.
	Constraints constraints.Constraints
	// AllowedHeaders are the object headers stored and returned besides
	// metadata (Swift's allowed_headers, case-insensitive). Nil: Swift's
	// default list.
	AllowedHeaders []string
}

// defaultAllowedHeaders are Swift's default allowed_headers.
var defaultAllowedHeaders = []string{
	"Content-Disposition", "Content-Encoding", "X-Delete-At", "X-Object-Manifest",
	"X-Static-Large-Object", "Cache-Control", "Content-Language", "Expires", "X-Robots-Tag",
}

// DefaultConfig returns Swift's defaults.
func DefaultConfig() Config {
	return Config{
		ContainerUpdateTimeout: time.Second,
		NodeTimeout:            3500 * time.Millisecond,
		ClientTimeout:          60 * time.Second,
		Now:                    time.Now,
		Constraints:            constraints.Default(),
		AllowedHeaders:         slices.Clone(defaultAllowedHeaders),
	}
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ContainerUpdateTimeout == 0 {
		c.ContainerUpdateTimeout = d.ContainerUpdateTimeout
	}
	if c.NodeTimeout == 0 {
		c.NodeTimeout = d.NodeTimeout
	}
	if c.ClientTimeout == 0 {
		c.ClientTimeout = d.ClientTimeout
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	if c.Constraints.MaxFileSize == 0 && c.Constraints.ValidAPIVersions == nil {
		c.Constraints = d.Constraints
	}
	if c.AllowedHeaders == nil {
		c.AllowedHeaders = d.AllowedHeaders
	}
	return c
}

// Validate reports settings that cannot work, after defaults are applied.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.ContainerUpdateTimeout < 0 {
		errs = append(errs, fmt.Errorf("objectserver: ContainerUpdateTimeout must be positive, got %v", c.ContainerUpdateTimeout))
	}
	if c.NodeTimeout < 0 {
		errs = append(errs, fmt.Errorf("objectserver: NodeTimeout must be positive, got %v", c.NodeTimeout))
	}
	if c.ClientTimeout < 0 {
		errs = append(errs, fmt.Errorf("objectserver: ClientTimeout must be positive, got %v", c.ClientTimeout))
	}
	if c.MaxRequestsPerDevice < 0 {
		errs = append(errs, fmt.Errorf("objectserver: MaxRequestsPerDevice must not be negative, got %d", c.MaxRequestsPerDevice))
	}
	for _, h := range c.AllowedHeaders {
		if !validHeaderName(h) {
			errs = append(errs, fmt.Errorf("objectserver: AllowedHeaders: %q is not a header name", h))
		}
	}
	if err := c.Constraints.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}

// server is what the object, container and account servers share: the
// device set, configuration, metrics, and the request middleware.
type server struct {
	kind    string // "object", "container" or "account"
	devices Devices
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	client  *http.Client
	gather  prometheus.Gatherer
	router  *mux.Router
	limits  deviceLimits
	// utf8Error is the body of the 412 for a path that is not UTF-8.
	utf8Error string
}

func newServer(kind string, devices Devices, cfg *Config) (*server, error) {
	if devices == nil {
		return nil, errors.New("objectserver: nil Devices")
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	reg, gather := c.Registerer, c.Gatherer
	if reg == nil {
		r := prometheus.NewRegistry()
		reg = r
		if gather == nil {
			gather = r
		}
	}
	if gather == nil {
		if g, ok := reg.(prometheus.Gatherer); ok {
			gather = g
		} else {
			gather = prometheus.NewRegistry()
		}
	}
	m, err := newMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("objectserver: metrics: %w", err)
	}
	client := c.Client
	if client == nil {
		client = &http.Client{Transport: &http.Transport{
			Proxy:               nil, // node-to-node traffic never goes through a proxy
			DialContext:         (&net.Dialer{Timeout: c.NodeTimeout}).DialContext,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
	s := &server{
		kind:      kind,
		devices:   devices,
		cfg:       c,
		log:       c.Logger.With("component", "objectserver", "server", kind),
		metrics:   m,
		client:    client,
		gather:    gather,
		limits:    deviceLimits{max: c.MaxRequestsPerDevice},
		utf8Error: "Invalid UTF8 or contains NULL",
	}
	if kind == "account" {
		s.utf8Error = "Invalid UTF8" // the account server's wording
	}
	return s, nil
}

// handlerFunc serves a storage request. A returned error has not been
// written yet; errorResponse turns it into the response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// storageHandlers are the storage methods all three servers answer.
type storageHandlers interface {
	get(w http.ResponseWriter, r *http.Request) error
	head(w http.ResponseWriter, r *http.Request) error
	put(w http.ResponseWriter, r *http.Request) error
	post(w http.ResponseWriter, r *http.Request) error
	delete(w http.ResponseWriter, r *http.Request) error
}

// routes builds the router: /healthcheck, /metrics, and the storage
// methods of h and extra on every other path. Paths are not cleaned:
// "a//b" and "." are names, not navigation.
func (s *server) routes(h storageHandlers, extra map[string]handlerFunc) {
	methods := map[string]handlerFunc{
		http.MethodGet:    h.get,
		http.MethodHead:   h.head,
		http.MethodPut:    h.put,
		http.MethodPost:   h.post,
		http.MethodDelete: h.delete,
	}
	maps.Copy(methods, extra)
	r := mux.NewRouter().SkipClean(true)
	r.Path("/healthcheck").Methods(http.MethodGet, http.MethodHead).HandlerFunc(healthcheck)
	r.Path("/metrics").Methods(http.MethodGet).Handler(promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{}))
	for method, hf := range methods {
		r.Methods(method).PathPrefix("/").Handler(s.handle(hf))
	}
	r.MethodNotAllowedHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		newError(http.StatusMethodNotAllowed).write(w, r)
	})
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		badRequest("Invalid path: "+pyQuote(r.URL.Path)).write(w, r)
	})
	s.router = r
}

func healthcheck(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Content-Length", "2")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.WriteString(w, "OK") // a failed write means the client left
	}
}

// handle adapts h: its error becomes the response, and server errors are
// logged.
func (s *server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := h(w, r)
		if err == nil {
			return
		}
		e := errorResponse(err, "")
		if e.status >= 500 || e.cause != nil {
			// The request's log line reports it (ServeHTTP).
			if rec, ok := w.(*recorder); ok {
				rec.err = err
			} else {
				s.log.LogAttrs(r.Context(), levelFor(e.status), "request failed",
					slog.String("method", r.Method), slog.String("path", r.URL.Path),
					slog.Int("status", e.status), slog.Any("err", err))
			}
		}
		if e.status == http.StatusInsufficientStorage && e.drive != "" {
			s.metrics.unavailable.WithLabelValues(s.kind, e.drive).Inc()
		}
		e.write(w, r)
	})
}

func levelFor(status int) slog.Level {
	if status >= 500 && status != http.StatusInsufficientStorage && status != http.StatusServiceUnavailable {
		return slog.LevelError
	}
	return slog.LevelWarn
}

// ServeHTTP is the middleware every request goes through: transaction id,
// the path's UTF-8 check, metrics and the request log line.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	txn := r.Header.Get("X-Trans-Id")
	if txn == "" {
		txn = newTransID(start)
	}
	w.Header().Set("X-Trans-Id", txn)
	rec := &recorder{ResponseWriter: w}
	body := &countingReader{r: r.Body}
	if r.Body != nil && r.Body != http.NoBody {
		// Count through a copy of the request: the server must still see
		// its own body type to decide what to do with an unread rest.
		r = r.WithContext(r.Context())
		r.Body = body
	}
	defer func() {
		p := recover()
		aborted := p != nil
		if aborted && p != http.ErrAbortHandler { //nolint:errorlint // ErrAbortHandler is a sentinel panic value
			s.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "txn_id", txn, "err", fmt.Sprint(p))
			if !rec.wroteHeader {
				newError(http.StatusInternalServerError).write(rec, r)
				aborted, p = false, nil
			}
		}
		s.observe(r, rec, body.n, txn, start, aborted)
		if p != nil {
			// Headers were sent: cut the connection so the client sees
			// a broken transfer, never a short or wrong body.
			panic(http.ErrAbortHandler)
		}
	}()
	if !constraints.CheckUTF8(r.URL.Path, true) {
		(&httpError{status: http.StatusPreconditionFailed, body: s.utf8Error}).write(rec, r)
		return
	}
	s.router.ServeHTTP(rec, r)
}

// observe records a finished request in the metrics and the log.
func (s *server) observe(r *http.Request, rec *recorder, received int64, txn string, start time.Time, aborted bool) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK
	}
	elapsed := time.Since(start)
	method := methodLabel(r.Method)
	class := statusClass(status)
	s.metrics.requests.WithLabelValues(s.kind, method, class).Inc()
	s.metrics.duration.WithLabelValues(s.kind, method, class).Observe(elapsed.Seconds())
	s.metrics.received.WithLabelValues(s.kind, method).Add(float64(received))
	s.metrics.sent.WithLabelValues(s.kind, method).Add(float64(rec.written))
	level := slog.LevelInfo
	switch {
	case aborted:
		level = slog.LevelError
	case rec.err != nil:
		level = levelFor(status)
	case r.Method == "REPLICATE" || r.URL.Path == "/metrics" || r.URL.Path == "/healthcheck":
		level = slog.LevelDebug // frequent and uninteresting, as in Swift
	}
	if !s.log.Enabled(r.Context(), level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Int("status", status), slog.String("txn_id", txn),
		slog.String("remote_addr", r.RemoteAddr),
		slog.Int64("bytes_in", received), slog.Int64("bytes_out", rec.written),
		slog.Duration("duration", elapsed),
	}
	if aborted {
		attrs = append(attrs, slog.Bool("aborted", true))
	}
	if rec.err != nil {
		attrs = append(attrs, slog.Any("err", rec.err))
	}
	s.log.LogAttrs(r.Context(), level, "request", attrs...)
}

// newTransID makes a transaction id in Swift's form: "tx", 21 random hex
// digits, "-", the time in hex.
func newTransID(now time.Time) string {
	var b [11]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("tx%s-%010x", hex.EncodeToString(b[:])[:21], now.Unix())
}

// recorder remembers the status and counts the body bytes of a response,
// and keeps the error a handler answered with for the log.
type recorder struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	written     int64
	err         error
}

func (rw *recorder) WriteHeader(status int) {
	if !rw.wroteHeader {
		rw.status, rw.wroteHeader = status, true
	}
	rw.ResponseWriter.WriteHeader(status)
}

func (rw *recorder) Write(b []byte) (int, error) {
	if !rw.wroteHeader {
		rw.WriteHeader(http.StatusOK)
	}
	n, err := rw.ResponseWriter.Write(b)
	rw.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (read
// deadlines for request bodies).
func (rw *recorder) Unwrap() http.ResponseWriter { return rw.ResponseWriter }

// countingReader counts the bytes of a request body.
type countingReader struct {
	r io.ReadCloser
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error { return c.r.Close() }

// trueValue is Swift's config_true_value.
func trueValue(v string) bool {
	switch strings.ToLower(v) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// checkPolicy rejects storage policies other than 0, the only one (Swift
// answers 503 for an unknown policy index).
func checkPolicy(h http.Header) error {
	v, ok := h["X-Backend-Storage-Policy-Index"]
	if !ok || len(v) == 0 || strings.TrimSpace(v[0]) == "0" {
		return nil
	}
	return &httpError{status: http.StatusServiceUnavailable, body: "No policy with index " + v[0], plain: true}
}

// deviceLimits bounds the requests each device serves at once: one slow
// or failing disk must not take every goroutine and file descriptor of the
// node while its other disks could serve.
type deviceLimits struct {
	max  int
	mu   sync.Mutex
	sems map[string]chan struct{} // guarded by mu; one per device, cap max
}

// acquire takes a slot on device, or returns a 503 when all are taken.
// release must be called once the request is done with the device.
func (l *deviceLimits) acquire(device string) (release func(), err error) {
	if l.max <= 0 {
		return func() {}, nil
	}
	l.mu.Lock()
	if l.sems == nil {
		l.sems = make(map[string]chan struct{})
	}
	sem, ok := l.sems[device]
	if !ok {
		sem = make(chan struct{}, l.max)
		l.sems[device] = sem
	}
	l.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	default:
		return nil, &httpError{status: http.StatusServiceUnavailable, cause: fmt.Errorf("objectserver: %s: %d requests in progress", device, l.max)}
	}
}

// isChunked reports whether the request body is chunked.
func isChunked(r *http.Request) bool {
	return len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked"
}

// bodyLength is the announced length of the request body, -1 if unknown
// (chunked, or no Content-Length at all: Go reports 0 for that).
func bodyLength(r *http.Request) int64 {
	if isChunked(r) {
		return -1
	}
	if _, ok := r.Header["Content-Length"]; !ok {
		return -1
	}
	return r.ContentLength
}

// bufPool holds the buffers bodies are copied through, so that streaming
// any number of bytes costs one buffer per request.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readBody copies a request body to dst, bounding each read by timeout.
// It returns the bytes copied; a read error is returned as is, a write
// error wrapped in writeError.
func readBody(w http.ResponseWriter, body io.Reader, dst io.Writer, timeout time.Duration) (int64, error) {
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	rc := http.NewResponseController(w)
	var total int64
	for {
		if timeout > 0 {
			// Not every ResponseWriter supports deadlines (tests'
			// recorders); the whole-request timeouts still apply.
			_ = rc.SetReadDeadline(time.Now().Add(timeout))
		}
		n, err := body.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return total, &writeError{werr}
			}
			total += int64(n)
		}
		if err == io.EOF {
			return total, nil
		}
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return total, &httpError{status: http.StatusRequestTimeout, cause: err}
			}
			return total, &httpError{status: StatusClientDisconnect, cause: err}
		}
	}
}

// writeError marks an error of the store a body was written to.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }
