package objectserver

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the storage servers' request metrics. The three servers of a
// node share one registry: they share these collectors, told apart by the
// server label (object, container, account). Labels are bounded: server,
// method (the storage protocol's verbs, else "other"), status class, and
// device names (a node has few).
type metrics struct {
	requests *prometheus.CounterVec   // server, method, status_class
	duration *prometheus.HistogramVec // server, method, status_class
	received *prometheus.CounterVec   // server, method
	sent     *prometheus.CounterVec   // server, method
	// updates counts container updates (object server) and account
	// updates (container server) sent to other nodes, by result: ok,
	// failed.
	updates *prometheus.CounterVec // server, result
	// asyncPendings counts failed container updates queued for the
	// updater (result queued) or lost because queuing failed (failed).
	asyncPendings *prometheus.CounterVec // result
	// aborted counts responses cut off after their headers were sent:
	// corrupt data (corrupt), another store read error (read_error).
	aborted *prometheus.CounterVec // server, reason
	// unavailable counts 507 answers per device.
	unavailable *prometheus.CounterVec // server, device
}

const (
	metricsNamespace = "swiftlet"
	metricsSubsystem = "objectserver"
)

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	opts := func(name, help string) prometheus.CounterOpts {
		return prometheus.CounterOpts{Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: name, Help: help}
	}
	m := &metrics{}
	var err error
	if m.requests, err = registerCounter(reg, opts("requests_total",
		"Requests served by the storage servers, by server, method and status class."),
		"server", "method", "status_class"); err != nil {
		return nil, err
	}
	h := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: metricsNamespace, Subsystem: metricsSubsystem, Name: "request_duration_seconds",
		Help: "Time from a request's arrival to the end of its response, by server, method and status class.",
		// 0.5 ms to 33 s: from cached HEADs to multi-GiB transfers.
		Buckets: prometheus.ExponentialBuckets(0.0005, 4, 9),
	}, []string{"server", "method", "status_class"})
	if m.duration, err = register(reg, h); err != nil {
		return nil, err
	}
	if m.received, err = registerCounter(reg, opts("received_bytes_total",
		"Request body bytes read by the storage servers."), "server", "method"); err != nil {
		return nil, err
	}
	if m.sent, err = registerCounter(reg, opts("sent_bytes_total",
		"Response body bytes written by the storage servers."), "server", "method"); err != nil {
		return nil, err
	}
	if m.updates, err = registerCounter(reg, opts("updates_total",
		"Listing updates sent to other servers (container updates from the object server, account updates from the container server), by result."),
		"server", "result"); err != nil {
		return nil, err
	}
	if m.asyncPendings, err = registerCounter(reg, opts("async_pendings_total",
		"Failed container updates queued for the updater (queued), or that could not be queued (failed)."),
		"result"); err != nil {
		return nil, err
	}
	if m.aborted, err = registerCounter(reg, opts("aborted_responses_total",
		"Responses cut off after their headers were sent because the store failed to read the data, by reason (corrupt, read_error)."),
		"server", "reason"); err != nil {
		return nil, err
	}
	if m.unavailable, err = registerCounter(reg, opts("insufficient_storage_total",
		"Requests answered 507 because their device was unavailable or full, by device."),
		"server", "device"); err != nil {
		return nil, err
	}
	return m, nil
}

func registerCounter(reg prometheus.Registerer, opts prometheus.CounterOpts, labels ...string) (*prometheus.CounterVec, error) {
	return register(reg, prometheus.NewCounterVec(opts, labels))
}

// register registers c, or returns the equal collector another server of
// the node registered first.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

// methodLabel bounds the method label to the protocol's verbs.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodPost, http.MethodDelete, "REPLICATE":
		return m
	}
	return "other"
}

// statusClass is "2xx", "4xx", ...
func statusClass(status int) string {
	if status < 100 || status > 599 {
		return "other"
	}
	return strconv.Itoa(status/100) + "xx"
}
