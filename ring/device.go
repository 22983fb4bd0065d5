package ring

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Device is one disk of one storage server as the ring knows it. The JSON
// names are those of Swift's ring files, so a device read from a Swift ring
// and one written by swiftlet look the same.
type Device struct {
	ID              int     `json:"id"`
	Region          int     `json:"region"`
	Zone            int     `json:"zone"`
	IP              string  `json:"ip"`
	Port            int     `json:"port"`
	ReplicationIP   string  `json:"replication_ip"`
	ReplicationPort int     `json:"replication_port"`
	Name            string  `json:"device"` // the device's directory name on its server, e.g. sdb1
	Weight          float64 `json:"weight"` // relative share of partitions; 0 drains the device
	Meta            string  `json:"meta"`   // free-form operator notes
}

// String formats d the way swift-ring-builder prints a device:
// d1r1z2-10.0.0.1:6200R10.0.1.1:6300/sdb1_"meta".
func (d Device) String() string {
	return fmt.Sprintf("d%dr%dz%d-%s:%dR%s:%d/%s_%q", d.ID, d.Region, d.Zone,
		bracketIPv6(d.IP), d.Port, bracketIPv6(d.ReplicationIP), d.ReplicationPort, d.Name, d.Meta)
}

// TierName is the device's name in dispersion reports: r1z2-10.0.0.1/sdb1.
func (d Device) TierName() string {
	return fmt.Sprintf("r%dz%d-%s/%s", d.Region, d.Zone, d.IP, d.Name)
}

func bracketIPv6(ip string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]"
	}
	return ip
}

// NormalizeIP returns ip in canonical form (IPv6 lower case and compressed,
// as Swift stores it) or an error if ip is not an IP address.
func NormalizeIP(ip string) (string, error) {
	a, err := netip.ParseAddr(strings.ToLower(ip))
	if err != nil || a.Zone() != "" {
		return "", fmt.Errorf("Invalid ip %s", ip)
	}
	return a.String(), nil
}

// NormalizeAddress accepts an IP address (IPv6 optionally in brackets) or a
// host name and returns its canonical form, as Swift's
// validate_and_normalize_address does.
func NormalizeAddress(addr string) (string, error) {
	if strings.HasPrefix(addr, "[") && strings.HasSuffix(addr, "]") {
		return NormalizeIP(addr[1 : len(addr)-1])
	}
	bare := strings.ToLower(strings.TrimRight(strings.TrimLeft(addr, "["), "]"))
	if ip, err := NormalizeIP(bare); err == nil {
		return ip, nil
	}
	if validHostname(bare) {
		return bare, nil
	}
	return "", fmt.Errorf("Invalid address %s", addr)
}

func validHostname(h string) bool {
	if len(h) < 1 || len(h) > 255 {
		return false
	}
	h = strings.TrimSuffix(h, ".")
	for _, label := range strings.Split(h, ".") {
		if len(label) < 1 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// ValidDeviceName reports whether name is usable as a device name: not
// empty and without leading or trailing spaces.
func ValidDeviceName(name string) bool {
	return name != "" && !strings.HasPrefix(name, " ") && !strings.HasSuffix(name, " ")
}

// AddValue is a device described in swift-ring-builder's add syntax,
// [r<region>]z<zone>-<ip>:<port>[R<r_ip>:<r_port>]/<device>[_<meta>].
// HasRegion and HasReplication tell which optional parts were given.
type AddValue struct {
	Device
	HasRegion      bool
	HasReplication bool
}

// ParseAddValue parses a device in swift-ring-builder's add syntax, e.g.
// "r1z2-10.0.0.1:6200R10.0.1.1:6300/sdb1_ssd". Without a replication
// address the device's own is used; without a region HasRegion is false and
// Region is 1.
func ParseAddValue(s string) (AddValue, error) {
	var v AddValue
	invalid := fmt.Errorf("Invalid add value: %s", s)
	rest := s
	v.Region = 1
	if strings.HasPrefix(rest, "r") {
		n, tail, ok := leadingInt(rest[1:])
		if !ok {
			return v, invalid
		}
		v.Region, v.HasRegion, rest = n, true, tail
	}
	if !strings.HasPrefix(rest, "z") {
		return v, invalid
	}
	n, tail, ok := leadingInt(rest[1:])
	if !ok {
		return v, invalid
	}
	v.Zone, rest = n, tail
	if !strings.HasPrefix(rest, "-") {
		return v, invalid
	}
	ip, port, tail, err := parseAddress(rest[1:])
	if err != nil {
		return v, err
	}
	v.IP, v.Port, rest = ip, port, tail
	v.ReplicationIP, v.ReplicationPort = ip, port
	if strings.HasPrefix(rest, "R") {
		ip, port, tail, err := parseAddress(rest[1:])
		if err != nil {
			return v, err
		}
		v.ReplicationIP, v.ReplicationPort, v.HasReplication, rest = ip, port, true, tail
	}
	if !strings.HasPrefix(rest, "/") {
		return v, invalid
	}
	rest = rest[1:]
	name, meta, hasMeta := strings.Cut(rest, "_")
	if !ValidDeviceName(name) {
		return v, fmt.Errorf("Invalid device name")
	}
	v.Name = name
	if hasMeta {
		v.Meta = meta
	}
	return v, nil
}

// parseAddress reads "<ip>:<port>" (IPv6 in brackets) up to the next 'R' or
// '/' and returns the rest.
func parseAddress(s string) (ip string, port int, rest string, err error) {
	if strings.HasPrefix(s, "[") {
		s = strings.Replace(strings.Replace(s, "[", "", 1), "]", "", 1)
	}
	end := strings.IndexAny(s, "R/")
	if end < 0 {
		end = len(s)
	}
	addr, rest := s[:end], s[end:]
	colon := strings.LastIndexByte(addr, ':')
	if colon < 0 {
		return "", 0, "", fmt.Errorf("Invalid port in add value")
	}
	port, perr := strconv.Atoi(addr[colon+1:])
	if perr != nil || port < 0 || port > 65535 {
		return "", 0, "", fmt.Errorf("Invalid port %s in add value", addr[colon:])
	}
	ip, err = NormalizeIP(addr[:colon])
	if err != nil {
		return "", 0, "", err
	}
	return ip, port, rest, nil
}

// leadingInt parses the decimal digits at the start of s. Like Swift's
// parser it requires at least one digit.
func leadingInt(s string) (n int, rest string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 || i > 9 {
		return 0, s, false
	}
	n, _ = strconv.Atoi(s[:i])
	return n, s[i:], true
}

// Query selects devices; a nil field matches every device. It is what
// swift-ring-builder's <search-value> and --region/--zone/... options
// describe.
type Query struct {
	ID              *int
	Region          *int
	Zone            *int
	IP              *string
	Port            *int
	ReplicationIP   *string
	ReplicationPort *int
	Device          *string
	Weight          *float64
	Meta            *string // matches devices whose meta contains it
}

// Match reports whether d satisfies every set field of q.
func (q Query) Match(d Device) bool {
	switch {
	case q.ID != nil && d.ID != *q.ID,
		q.Region != nil && d.Region != *q.Region,
		q.Zone != nil && d.Zone != *q.Zone,
		q.Port != nil && d.Port != *q.Port,
		q.ReplicationPort != nil && d.ReplicationPort != *q.ReplicationPort,
		q.Device != nil && d.Name != *q.Device,
		q.Weight != nil && d.Weight != *q.Weight,
		q.Meta != nil && !strings.Contains(d.Meta, *q.Meta):
		return false
	case q.IP != nil && !sameAddress(d.IP, *q.IP),
		q.ReplicationIP != nil && !sameAddress(d.ReplicationIP, *q.ReplicationIP):
		return false
	}
	return true
}

func sameAddress(have, want string) bool {
	n, err := NormalizeAddress(have)
	return err == nil && n == want
}

// ParseSearchValue parses swift-ring-builder's <search-value>:
//
//	d<id>r<region>z<zone>-<ip>:<port>R<r_ip>:<r_port>/<device>_<meta>
//
// where every part is optional but at least one is needed, e.g. "d74",
// "r1z2", "z1-10.0.0.1:6200", "10.0.0.1", ":6200", "/sdb1", "_ssd",
// "[::1]". The '-' before the ip is optional unless an id or zone precedes it.
func ParseSearchValue(s string) (Query, error) {
	var q Query
	invalid := fmt.Errorf("Invalid <search-value>: %q", s)
	rest := s
	intField := func(prefix byte) (*int, error) {
		if len(rest) == 0 || rest[0] != prefix {
			return nil, nil
		}
		n, tail, ok := leadingInt(rest[1:])
		if !ok {
			return nil, invalid
		}
		rest = tail
		return &n, nil
	}
	var err error
	if q.ID, err = intField('d'); err != nil {
		return q, err
	}
	if q.Region, err = intField('r'); err != nil {
		return q, err
	}
	if q.Zone, err = intField('z'); err != nil {
		return q, err
	}
	rest = strings.TrimPrefix(rest, "-")
	ipField := func() (*string, error) {
		var raw string
		switch {
		case rest != "" && rest[0] >= '0' && rest[0] <= '9':
			i := strings.IndexFunc(rest, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
			if i < 0 {
				i = len(rest)
			}
			raw, rest = rest[:i], rest[i:]
		case strings.HasPrefix(rest, "["):
			i := strings.IndexByte(rest, ']')
			if i < 0 {
				return nil, invalid
			}
			raw, rest = rest[1:i], rest[i+1:]
		default:
			return nil, nil
		}
		ip, err := NormalizeIP(raw)
		if err != nil {
			return nil, err
		}
		return &ip, nil
	}
	if q.IP, err = ipField(); err != nil {
		return q, err
	}
	if q.Port, err = intField(':'); err != nil {
		return q, err
	}
	if strings.HasPrefix(rest, "R") {
		rest = rest[1:]
		if q.ReplicationIP, err = ipField(); err != nil {
			return q, err
		}
		if q.ReplicationPort, err = intField(':'); err != nil {
			return q, err
		}
	}
	if strings.HasPrefix(rest, "/") {
		end := strings.IndexByte(rest, '_')
		if end < 0 {
			end = len(rest)
		}
		name := rest[1:end]
		q.Device = &name
		rest = rest[end:]
	}
	if strings.HasPrefix(rest, "_") {
		meta := rest[1:]
		q.Meta = &meta
		rest = ""
	}
	if rest != "" || s == "" {
		return q, invalid
	}
	return q, nil
}
