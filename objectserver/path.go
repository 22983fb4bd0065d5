package objectserver

import (
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// itemPath is a request path of the storage servers, parsed once at the
// edge: /<device>/<partition>/<account>[/<container>[/<object>]].
// Empty container or object means the path has none.
type itemPath struct {
	device    string
	partition uint32
	account   string
	container string
	object    string
}

// name is the object's full name, "/account/container/object", as the
// stores address it.
func (p itemPath) name() string { return "/" + p.account + "/" + p.container + "/" + p.object }

// splitPath is Swift's split_path: it splits a path of minSegs to maxSegs
// slash-separated segments (the first minSegs non-empty). With
// restWithLast the last segment takes the rest of the path, slashes and
// all. Missing optional segments are "". ok is false for anything else.
func splitPath(path string, minSegs, maxSegs int, restWithLast bool) (segs []string, ok bool) {
	if !strings.HasPrefix(path, "/") {
		return nil, false
	}
	// Python's path.split('/', maxSegs) keeps at most maxSegs+1 parts; the
	// leading "" is the first of them.
	parts := strings.SplitN(path[1:], "/", maxSegs)
	if !restWithLast {
		// Without restWithLast one trailing slash is allowed after the
		// last segment: split once more to see what follows it.
		parts = strings.SplitN(path[1:], "/", maxSegs+1)
		if len(parts) == maxSegs+1 {
			if parts[maxSegs] != "" {
				return nil, false
			}
			parts = parts[:maxSegs]
		}
	}
	if len(parts) < minSegs {
		return nil, false
	}
	for _, s := range parts[:minSegs] {
		if s == "" {
			return nil, false
		}
	}
	segs = make([]string, maxSegs)
	copy(segs, parts)
	return segs, true
}

// pyQuote is Python's urllib.parse.quote(s, safe='/'), which Swift uses to
// show paths in error messages.
func pyQuote(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// parsePath splits path like splitPath and validates the device and
// partition as Swift's split_and_validate_path does. The partition must
// also be a number below 2^32 (Swift would accept any directory name).
func parsePath(path string, minSegs, maxSegs int, restWithLast bool) (segs []string, part uint32, err error) {
	segs, ok := splitPath(path, minSegs, maxSegs, restWithLast)
	if !ok {
		return nil, 0, badRequest("Invalid path: " + pyQuote(path))
	}
	dev, ps := segs[0], segs[1]
	if dev == "" || dev == "." || dev == ".." || strings.Contains(dev, "/") {
		return nil, 0, badRequest("Invalid device: " + pyQuote(dev))
	}
	p, perr := strconv.ParseUint(ps, 10, 32)
	if ps == "" || ps == "." || ps == ".." || strings.Contains(ps, "/") || perr != nil {
		return nil, 0, badRequest("Invalid partition: " + pyQuote(ps))
	}
	return segs, uint32(p), nil
}

// parseItemPath parses an account, container or object path of between
// minSegs and maxSegs segments (device and partition included) and checks
// the names against the reserved namespace rules and the length limits.
func parseItemPath(path string, minSegs, maxSegs int, restWithLast bool, c *constraints.Constraints) (itemPath, error) {
	segs, part, err := parsePath(path, minSegs, maxSegs, restWithLast)
	if err != nil {
		return itemPath{}, err
	}
	p := itemPath{device: segs[0], partition: part}
	if len(segs) > 2 {
		p.account = segs[2]
	}
	if len(segs) > 3 {
		p.container = segs[3]
	}
	if len(segs) > 4 {
		p.object = segs[4]
	}
	if err := constraints.CheckReservedNames(p.account, p.container, p.object, c.AutoCreateAccountPrefix); err != nil {
		return itemPath{}, err
	}
	if err := c.CheckAccountName(p.account); err != nil {
		return itemPath{}, err
	}
	if err := c.CheckContainerName(p.container); err != nil {
		return itemPath{}, err
	}
	if err := c.CheckObjectName(p.object); err != nil {
		return itemPath{}, err
	}
	return p, nil
}
