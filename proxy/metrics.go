package proxy

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the proxy's Prometheus metrics; labels are bounded (no
// account, container, object or transaction).
type metrics struct {
	requests     *prometheus.CounterVec   // api, method, status_class
	duration     *prometheus.HistogramVec // api, method, status_class
	bytesIn      *prometheus.CounterVec   // api
	bytesOut     *prometheus.CounterVec   // api
	nodeErrors   *prometheus.CounterVec   // server
	errorLimited *prometheus.CounterVec   // server
	handoffs     *prometheus.CounterVec   // server
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_requests_total",
			Help: "Client requests answered, by API (swift, auth, info...), method and status class (2xx...).",
		}, []string{"api", "method", "status_class"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "swiftlet_proxy_request_duration_seconds",
			Help:    "Time from a client request's arrival to the end of its response.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 18),
		}, []string{"api", "method", "status_class"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_received_bytes_total",
			Help: "Request body bytes received from clients.",
		}, []string{"api"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_sent_bytes_total",
			Help: "Response body bytes sent to clients.",
		}, []string{"api"}),
		nodeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_node_errors_total",
			Help: "Failed requests to storage nodes (connection errors, timeouts, 5xx, 507), by server type.",
		}, []string{"server"}),
		errorLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_nodes_error_limited_total",
			Help: "Times a storage node was set aside for failing too often, by server type.",
		}, []string{"server"}),
		handoffs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_proxy_handoff_requests_total",
			Help: "Requests sent to handoff nodes because primaries failed or were error-limited, by server type.",
		}, []string{"server"}),
	}
	reg.MustRegister(m.requests, m.duration, m.bytesIn, m.bytesOut, m.nodeErrors, m.errorLimited, m.handoffs)
	return m
}
