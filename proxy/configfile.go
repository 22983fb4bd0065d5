package proxy

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/swiftlet/swiftlet/internal/iniconf"
)

// FileConfig is what a proxy's configuration file says: the proxy's Config
// (without rings, which come from RingDir) and how the process around it
// runs. ParseConfig reads it from the [proxy] section; example.conf
// documents every setting with its default.
type FileConfig struct {
	// BindIP and BindPort are the address the proxy listens on (Swift's
	// bind_ip and bind_port). Port 0 picks a free port (tests).
	BindIP   string
	BindPort int
	// RingDir holds account.ring.gz, container.ring.gz and
	// object.ring.gz.
	RingDir string
	// RingCheckInterval is how often the ring files are checked for
	// changes and reloaded.
	RingCheckInterval time.Duration
	// ShutdownTimeout bounds how long in-flight requests may finish on
	// stop.
	ShutdownTimeout time.Duration
	// Proxy is the proxy's configuration; its rings are left nil.
	Proxy Config
}

// Addr is BindIP:BindPort.
func (c FileConfig) Addr() string {
	return net.JoinHostPort(c.BindIP, strconv.Itoa(c.BindPort))
}

// DefaultFileConfig returns the defaults of every setting of the [proxy]
// section.
func DefaultFileConfig() FileConfig {
	return FileConfig{
		BindIP:            "127.0.0.1",
		BindPort:          8080,
		RingDir:           "/etc/swiftlet",
		RingCheckInterval: 15 * time.Second,
		ShutdownTimeout:   10 * time.Second,
		Proxy:             DefaultConfig(),
	}
}

// Validate reports the first group of settings that cannot work. The
// rings are not checked: they are loaded from RingDir later.
func (c FileConfig) Validate() error {
	var errs []error
	if net.ParseIP(c.BindIP) == nil {
		errs = append(errs, fmt.Errorf("proxy: bind_ip %q is not an IP address", c.BindIP))
	}
	if c.BindPort < 0 || c.BindPort > 65535 {
		errs = append(errs, fmt.Errorf("proxy: bind_port %d is not a port", c.BindPort))
	}
	if c.RingDir == "" {
		errs = append(errs, errors.New("proxy: ring_dir is not set"))
	}
	// Zero would silently mean the default in Config; refuse it here.
	for _, d := range []struct {
		name string
		v    time.Duration
	}{
		{"ring_check_interval", c.RingCheckInterval}, {"conn_timeout", c.Proxy.ConnTimeout},
		{"node_timeout", c.Proxy.NodeTimeout}, {"post_quorum_timeout", c.Proxy.PostQuorumTimeout},
		{"client_timeout", c.Proxy.ClientTimeout}, {"error_suppression_interval", c.Proxy.ErrorSuppressionInterval},
		{"recheck_existence", c.Proxy.InfoCacheTTL},
	} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("proxy: %s must be positive", d.name))
		}
	}
	if c.Proxy.ErrorSuppressionLimit < 1 {
		errs = append(errs, errors.New("proxy: error_suppression_limit must be at least 1"))
	}
	// Validate the proxy's own settings with stand-in rings: the real ones
	// are loaded from RingDir.
	p := c.Proxy
	p.AccountRing, p.ContainerRing, p.ObjectRing = fixedRing{}, fixedRing{}, fixedRing{}
	if err := p.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// LoadConfig reads the [proxy] section of the file at path (see
// ParseConfig).
func LoadConfig(path string) (FileConfig, error) {
	f, err := iniconf.Load(path)
	if err != nil {
		return FileConfig{}, fmt.Errorf("proxy: %w", err)
	}
	c, err := ParseConfig(f)
	if err != nil {
		return FileConfig{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}

// ParseConfig reads the [proxy] section of a configuration file over the
// defaults and validates the result. Unknown settings are errors; other
// sections are left to their readers (the auth middleware's [tempauth]).
// Names are Swift's proxy-server.conf and swift.conf ones where Swift has
// the setting.
func ParseConfig(f iniconf.File) (FileConfig, error) {
	c := DefaultFileConfig()
	p := &c.Proxy
	s := f.Section("proxy")
	s.String("bind_ip", &c.BindIP)
	s.Int("bind_port", &c.BindPort)
	s.String("ring_dir", &c.RingDir)
	s.Seconds("ring_check_interval", &c.RingCheckInterval)
	s.Seconds("shutdown_timeout", &c.ShutdownTimeout)
	s.String("hash_path_prefix", &p.Salt.Prefix)
	s.String("hash_path_suffix", &p.Salt.Suffix)

	s.Seconds("conn_timeout", &p.ConnTimeout)
	s.Seconds("node_timeout", &p.NodeTimeout)
	s.Seconds("post_quorum_timeout", &p.PostQuorumTimeout)
	s.Seconds("client_timeout", &p.ClientTimeout)
	s.Int("error_suppression_limit", &p.ErrorSuppressionLimit)
	s.Seconds("error_suppression_interval", &p.ErrorSuppressionInterval)
	var requestNodeCount string
	s.String("request_node_count", &requestNodeCount)
	s.Bool("account_autocreate", &p.AccountAutocreate)
	s.Bool("allow_account_management", &p.AllowAccountManagement)
	s.Seconds("recheck_existence", &p.InfoCacheTTL)

	k := &p.Constraints
	s.Int64("max_file_size", &k.MaxFileSize)
	s.Int("max_meta_name_length", &k.MaxMetaNameLength)
	s.Int("max_meta_value_length", &k.MaxMetaValueLength)
	s.Int("max_meta_count", &k.MaxMetaCount)
	s.Int("max_meta_overall_size", &k.MaxMetaOverallSize)
	s.Int("max_header_size", &k.MaxHeaderSize)
	s.Int("max_object_name_length", &k.MaxObjectNameLength)
	s.Int("max_container_name_length", &k.MaxContainerNameLength)
	s.Int("max_account_name_length", &k.MaxAccountNameLength)
	s.Int("container_listing_limit", &k.ContainerListingLimit)
	s.Int("account_listing_limit", &k.AccountListingLimit)
	s.Int("extra_header_count", &k.ExtraHeaderCount)
	s.List("valid_api_versions", &k.ValidAPIVersions)
	s.String("auto_create_account_prefix", &k.AutoCreateAccountPrefix)
	if err := s.Err(); err != nil {
		return FileConfig{}, fmt.Errorf("proxy: %w", err)
	}
	if requestNodeCount != "" {
		n, err := parseRequestNodeCount(requestNodeCount)
		if err != nil {
			return FileConfig{}, fmt.Errorf("proxy: [proxy] request_node_count = %q: %w", requestNodeCount, err)
		}
		p.RequestNodeCount = n
	}
	if err := c.Validate(); err != nil {
		return FileConfig{}, err
	}
	return c, nil
}

// parseRequestNodeCount reads Swift's "N * replicas" form. Swift also takes
// a plain number of nodes; this proxy counts in replicas only, so a plain
// number is refused rather than misread.
func parseRequestNodeCount(v string) (int, error) {
	num, unit, ok := strings.Cut(v, "*")
	if !ok || strings.TrimSpace(unit) != "replicas" {
		return 0, errors.New(`want "N * replicas"`)
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 1 {
		return 0, errors.New(`want "N * replicas" with N a positive integer`)
	}
	return n, nil
}
