package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/iniconf"
)

// Config is one storage node's configuration. LoadConfig reads it from the
// [node] section of an INI file; example.conf in this directory documents
// every setting.
type Config struct {
	// BindIP is the address the three servers listen on.
	BindIP string
	// ObjectPort, ContainerPort and AccountPort are the servers' TCP ports
	// (the ports the object, container and account rings name). 0 picks a
	// free port (tests).
	ObjectPort, ContainerPort, AccountPort int
	// DevicesDir holds one directory per device, normally each the mount
	// point of a disk.
	DevicesDir string
	// DeviceNames are the devices to serve; empty means every directory
	// in DevicesDir at start-up.
	DeviceNames []string
	// RingDir holds object.ring.gz, container.ring.gz and account.ring.gz.
	RingDir string
	// Salt is the cluster's hash path prefix and suffix; at least one must
	// be set, and they must match every other node and proxy.
	Salt hashpath.Salt
	// InlineThreshold is the largest object, in bytes, kept in the index
	// instead of a data file.
	InlineThreshold int64
	// ReclaimAge is how long tombstones are kept.
	ReclaimAge time.Duration
	// NodeTimeout bounds each update request to another node.
	NodeTimeout time.Duration
	// ShutdownTimeout bounds how long in-flight requests may finish on stop.
	ShutdownTimeout time.Duration
	// Logger receives the node's logs; nil discards them.
	Logger *slog.Logger
}

// DefaultConfig returns Swift's defaults.
func DefaultConfig() Config {
	return Config{
		BindIP:          "127.0.0.1",
		ObjectPort:      6200,
		ContainerPort:   6201,
		AccountPort:     6202,
		DevicesDir:      "/srv/node",
		RingDir:         "/etc/swiftlet",
		InlineThreshold: 64 << 10,
		ReclaimAge:      7 * 24 * time.Hour,
		NodeTimeout:     3 * time.Second,
		ShutdownTimeout: 10 * time.Second,
	}
}

// Validate reports the first setting that cannot work.
func (c Config) Validate() error {
	switch {
	case net.ParseIP(c.BindIP) == nil:
		return fmt.Errorf("node: bind_ip %q is not an IP address", c.BindIP)
	case !validPort(c.ObjectPort) || !validPort(c.ContainerPort) || !validPort(c.AccountPort):
		return errors.New("node: ports must be between 0 and 65535")
	case c.ObjectPort != 0 && (c.ObjectPort == c.ContainerPort || c.ObjectPort == c.AccountPort) ||
		c.ContainerPort != 0 && c.ContainerPort == c.AccountPort:
		return errors.New("node: object_port, container_port and account_port must differ")
	case c.DevicesDir == "":
		return errors.New("node: devices is not set")
	case c.Salt.Prefix == "" && c.Salt.Suffix == "":
		return errors.New("node: set hash_path_prefix or hash_path_suffix (the cluster's secret salt)")
	case c.InlineThreshold < 0:
		return errors.New("node: inline_threshold must not be negative")
	case c.NodeTimeout <= 0:
		return errors.New("node: node_timeout must be positive")
	}
	for _, d := range c.DeviceNames {
		if d == "" || d == "." || d == ".." || strings.ContainsAny(d, "/\x00") {
			return fmt.Errorf("node: bad device name %q", d)
		}
	}
	return nil
}

func validPort(p int) bool { return p >= 0 && p <= 65535 }

// LoadConfig reads the [node] section of the file at path over the
// defaults and validates the result. Unknown settings are errors.
func LoadConfig(path string) (Config, error) {
	f, err := iniconf.Load(path)
	if err != nil {
		return Config{}, fmt.Errorf("node: %w", err)
	}
	c := DefaultConfig()
	s := f.Section("node")
	s.String("bind_ip", &c.BindIP)
	s.Int("object_port", &c.ObjectPort)
	s.Int("container_port", &c.ContainerPort)
	s.Int("account_port", &c.AccountPort)
	s.String("devices", &c.DevicesDir)
	s.List("device_names", &c.DeviceNames)
	s.String("ring_dir", &c.RingDir)
	s.String("hash_path_prefix", &c.Salt.Prefix)
	s.String("hash_path_suffix", &c.Salt.Suffix)
	s.Int64("inline_threshold", &c.InlineThreshold)
	s.Seconds("reclaim_age", &c.ReclaimAge)
	s.Seconds("node_timeout", &c.NodeTimeout)
	s.Seconds("shutdown_timeout", &c.ShutdownTimeout)
	if err := s.Err(); err != nil {
		return Config{}, fmt.Errorf("node: %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}
