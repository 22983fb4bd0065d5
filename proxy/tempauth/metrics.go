package tempauth

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the middleware's Prometheus metrics (Swift's tempauth statsd
// counters: token_denied, unauthorized, forbidden).
type metrics struct {
	tokens  *prometheus.CounterVec // result: issued, reused, denied, bad_request
	denials *prometheus.CounterVec // status: 401, 403
}

// newMetrics registers the metrics with reg; registering twice with one
// registry is an error.
func newMetrics(reg prometheus.Registerer, store *tokenStore) (*metrics, error) {
	m := &metrics{
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_tempauth_token_requests_total",
			Help: "Requests to the auth endpoint, by result: issued (a new token), reused (the user's live token), denied (bad credentials), bad_request.",
		}, []string{"result"}),
		denials: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "swiftlet_tempauth_denials_total",
			Help: "Requests refused: 401 (no, invalid or expired token where one is needed), 403 (authenticated but not allowed).",
		}, []string{"status"}),
	}
	live := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "swiftlet_tempauth_tokens",
		Help: "Tokens held in memory (at most one per user).",
	}, func() float64 { return float64(store.len()) })
	for _, c := range []prometheus.Collector{m.tokens, m.denials, live} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("tempauth: metrics: %w", err)
		}
	}
	return m, nil
}
