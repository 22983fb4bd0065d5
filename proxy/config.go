package proxy

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/ring"
)

// RingSource gives the current ring of one kind (account, container or
// object). *ring.Watcher implements it; a ring reload takes effect on the
// next request.
type RingSource interface {
	Ring() *ring.Ring
}

// fixedRing is a RingSource that never changes.
type fixedRing struct{ r *ring.Ring }

func (f fixedRing) Ring() *ring.Ring { return f.r }

// StaticRing returns a RingSource for a ring that does not change.
func StaticRing(r *ring.Ring) RingSource { return fixedRing{r} }

// Config configures a proxy Server. Zero fields take their defaults
// (DefaultConfig); the rings are required.
type Config struct {
	// AccountRing, ContainerRing and ObjectRing place accounts, containers
	// and objects. Required.
	AccountRing, ContainerRing, ObjectRing RingSource
	// Salt is the cluster's hash path prefix and suffix; it must be the
	// one the rings were used with by every node. Required (at least one
	// part non-empty).
	Salt hashpath.Salt

	// Logger receives one line per request and the errors. Nil discards.
	Logger *slog.Logger
	// Registerer receives the proxy's metrics; nil: a registry of the
	// server's own, which GET /metrics serves.
	Registerer prometheus.Registerer
	// Gatherer is what GET /metrics serves; nil: Registerer if it is a
	// gatherer, else the server's own registry.
	Gatherer prometheus.Gatherer
	// Client talks to the storage nodes. Nil: a client of the server's own
	// with ConnTimeout for dialling and keep-alive pools sized for many
	// concurrent requests.
	Client *http.Client

	// ConnTimeout bounds connecting to a node (Swift's conn_timeout,
	// default 0.5 s).
	ConnTimeout time.Duration
	// NodeTimeout bounds waiting for a node's response and between reads
	// of its body (Swift's node_timeout, default 10 s).
	NodeTimeout time.Duration
	// PostQuorumTimeout is how long, once a write has its quorum, the
	// proxy still waits for the other nodes before answering (Swift's
	// post_quorum_timeout, default 0.5 s).
	PostQuorumTimeout time.Duration
	// ClientTimeout bounds each read of a client's request body (Swift's
	// client_timeout, default 60 s).
	ClientTimeout time.Duration
	// ErrorSuppressionLimit and ErrorSuppressionInterval: a node with more
	// than Limit errors within Interval is skipped until Interval passes
	// since its last error (Swift's defaults: 10 and 60 s).
	ErrorSuppressionLimit    int
	ErrorSuppressionInterval time.Duration
	// RequestNodeCount is how many nodes a read may try, as a multiple of
	// the replica count (Swift's request_node_count "2 * replicas": 2).
	RequestNodeCount int

	// AccountAutocreate creates an account on its first container PUT or
	// account POST (Swift's account_autocreate; tempauth clusters want it).
	AccountAutocreate bool
	// AllowAccountManagement lets reseller admins PUT and DELETE accounts.
	AllowAccountManagement bool
	// Constraints are the cluster's limits, published at /info. Zero
	// value: Swift's defaults.
	Constraints constraints.Constraints
	// SwiftVersion is the "version" GET /info reports in its "swift"
	// section; empty: DefaultSwiftVersion.
	SwiftVersion string
	// InfoSections are the sections GET /info publishes beside "swift",
	// by name, as Swift's middlewares register them with
	// register_swift_info (e.g. "tempauth": {"account_acls": false}, as
	// tempauth.Auth.InfoSections gives). Values must encode as JSON; a
	// "swift" section that is a map[string]any adds keys to the proxy's.
	// The server does not modify them.
	InfoSections map[string]any
	// InfoCacheTTL is how long the proxy trusts what it learnt about an
	// account or container (existence, ACLs, counts) before asking its
	// nodes again (Swift's recheck_account/container_existence, 60 s).
	// Writes through this proxy update the cache at once.
	InfoCacheTTL time.Duration

	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// DefaultSwiftVersion is the Swift release whose API the proxy follows,
// reported at GET /info unless Config.SwiftVersion says otherwise.
const DefaultSwiftVersion = "2.30.1"

// DefaultConfig returns Swift's proxy defaults (without rings and salt).
func DefaultConfig() Config {
	return Config{
		ConnTimeout:              500 * time.Millisecond,
		NodeTimeout:              10 * time.Second,
		PostQuorumTimeout:        500 * time.Millisecond,
		ClientTimeout:            60 * time.Second,
		ErrorSuppressionLimit:    10,
		ErrorSuppressionInterval: 60 * time.Second,
		RequestNodeCount:         2,
		AccountAutocreate:        true,
		Constraints:              constraints.Default(),
		SwiftVersion:             DefaultSwiftVersion,
		InfoCacheTTL:             60 * time.Second,
		Now:                      time.Now,
	}
}

// withDefaults fills the zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	for _, f := range []struct{ dst, def *time.Duration }{
		{&c.ConnTimeout, &d.ConnTimeout}, {&c.NodeTimeout, &d.NodeTimeout},
		{&c.PostQuorumTimeout, &d.PostQuorumTimeout}, {&c.ClientTimeout, &d.ClientTimeout},
		{&c.ErrorSuppressionInterval, &d.ErrorSuppressionInterval}, {&c.InfoCacheTTL, &d.InfoCacheTTL},
	} {
		if *f.dst == 0 {
			*f.dst = *f.def
		}
	}
	if c.ErrorSuppressionLimit == 0 {
		c.ErrorSuppressionLimit = d.ErrorSuppressionLimit
	}
	if c.RequestNodeCount == 0 {
		c.RequestNodeCount = d.RequestNodeCount
	}
	if c.Constraints.MaxFileSize == 0 && c.Constraints.ValidAPIVersions == nil {
		c.Constraints = d.Constraints
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	if c.SwiftVersion == "" {
		c.SwiftVersion = d.SwiftVersion
	}
	return c
}

// Validate reports settings that cannot work, after defaults apply.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if c.AccountRing == nil || c.ContainerRing == nil || c.ObjectRing == nil {
		errs = append(errs, errors.New("proxy: the account, container and object rings are required"))
	}
	if c.Salt.Prefix == "" && c.Salt.Suffix == "" {
		errs = append(errs, errors.New("proxy: the hash path prefix or suffix must be set"))
	}
	for name, d := range map[string]time.Duration{
		"ConnTimeout": c.ConnTimeout, "NodeTimeout": c.NodeTimeout, "PostQuorumTimeout": c.PostQuorumTimeout,
		"ClientTimeout": c.ClientTimeout, "ErrorSuppressionInterval": c.ErrorSuppressionInterval,
		"InfoCacheTTL": c.InfoCacheTTL,
	} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("proxy: %s must not be negative, got %v", name, d))
		}
	}
	if c.ErrorSuppressionLimit < 0 || c.RequestNodeCount < 1 {
		errs = append(errs, errors.New("proxy: ErrorSuppressionLimit must be >= 0 and RequestNodeCount >= 1"))
	}
	if err := c.Constraints.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
