package tempauth

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Container ACLs (X-Container-Read, X-Container-Write) in Swift's version 1
// syntax: a comma-separated list of
//
//	.r:<host>    referrer designation: .r:*, .r:www.example.com,
//	             .r:.example.com (a domain), .r:-<host> denies; read ACLs only
//	.rlistings   referrers may also list the container
//	<group>      a user's group: "account:user", "account", ".admin" groups...
//
// Everything here follows swift/common/middleware/acl.py.

// ACLError is an ACL that CleanACL refuses. Reason is Swift's explanation,
// the body of its 400 answer.
type ACLError struct{ Reason string }

func (e *ACLError) Error() string { return "tempauth: " + e.Reason }

// CleanACL validates an ACL header value and returns it in its normal form
// (Swift's clean_acl): items trimmed, empty items dropped, ".ref:",
// ".referer:" and ".referrer:" shortened to ".r:", a leading "*" of a
// domain dropped (".r:*.example.com" is ".r:.example.com"). header is the
// header's name: referrers are refused in a header whose name contains
// "write". The proxy cleans X-Container-Read and X-Container-Write before
// storing them; the error is an *ACLError.
func CleanACL(header, value string) (string, error) {
	name := strings.ToLower(header)
	var values []string
	for _, raw := range strings.Split(value, ",") {
		raw = pyStrip(raw)
		if raw == "" {
			continue
		}
		first, second, ok := strings.Cut(raw, ":")
		if !ok {
			values = append(values, raw)
			continue
		}
		first, second = pyStrip(first), pyStrip(second)
		switch {
		case !strings.HasPrefix(first, "."):
			values = append(values, raw)
		case first == ".r" || first == ".ref" || first == ".referer" || first == ".referrer":
			if strings.Contains(name, "write") {
				return "", &ACLError{"Referrers not allowed in write ACL: " + pyRepr(raw)}
			}
			negate := strings.HasPrefix(second, "-")
			if negate {
				second = pyStrip(second[1:])
			}
			if second != "*" && strings.HasPrefix(second, "*") {
				second = pyStrip(second[1:])
			}
			if second == "" || second == "." {
				return "", &ACLError{"No host/domain value after referrer designation in ACL: " + pyRepr(raw)}
			}
			if negate {
				second = "-" + second
			}
			values = append(values, ".r:"+second)
		default:
			return "", &ACLError{fmt.Sprintf("Unknown designator %s in ACL: %s", pyRepr(first), pyRepr(raw))}
		}
	}
	return strings.Join(values, ","), nil
}

// ParseACL splits a cleaned ACL into its referrer designations (without
// ".r:") and its groups, percent-decoded (Swift's parse_acl_v1).
func ParseACL(acl string) (referrers, groups []string) {
	if acl == "" {
		return nil, nil
	}
	for _, v := range strings.Split(acl, ",") {
		if r, ok := strings.CutPrefix(v, ".r:"); ok {
			referrers = append(referrers, r)
		} else {
			groups = append(groups, pyUnquote(v))
		}
	}
	return referrers, groups
}

// ReferrerAllowed reports whether a request with the Referer header
// referer may read under the referrer designations of an ACL (Swift's
// referrer_allowed). Designations apply in order, so that
// ".r:.example.com,.r:-thief.example.com" allows every host of
// example.com but one. A request without a usable Referer has the host
// "unknown": only ".r:*" allows it.
func ReferrerAllowed(referer string, referrers []string) bool {
	if len(referrers) == 0 {
		return false
	}
	rhost, ok := referrerHost(referer)
	if !ok || rhost == "" {
		rhost = "unknown"
	}
	allow := false
	for _, m := range referrers {
		if deny, ok := strings.CutPrefix(m, "-"); ok {
			if deny == rhost || strings.HasPrefix(deny, ".") && strings.HasSuffix(rhost, deny) {
				allow = false
			}
		} else if m == "*" || m == rhost || strings.HasPrefix(m, ".") && strings.HasSuffix(rhost, m) {
			allow = true
		}
	}
	return allow
}

// referrerHost is the host of a Referer value as Python's
// urlparse(referer).hostname finds it (lower-cased, without user info,
// port or IPv6 brackets). ok is false where Python raises (malformed IPv6
// brackets).
func referrerHost(referer string) (host string, ok bool) {
	u := strings.TrimLeft(referer, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	if strings.ContainsAny(u, "\t\r\n") {
		u = unsafeURLBytes.Replace(u)
	}
	if i := strings.IndexByte(u, ':'); i > 0 && isASCIILetter(u[0]) {
		scheme := true
		for j := 0; j < i; j++ {
			if c := u[j]; !isASCIILetter(c) && !('0' <= c && c <= '9') && c != '+' && c != '-' && c != '.' {
				scheme = false
				break
			}
		}
		if scheme {
			u = u[i+1:]
		}
	}
	rest, ok := strings.CutPrefix(u, "//")
	if !ok {
		return "", true
	}
	netloc := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		netloc = rest[:i]
	}
	open, closed := strings.Contains(netloc, "["), strings.Contains(netloc, "]")
	if open != closed {
		return "", false
	}
	hostinfo := netloc[strings.LastIndexByte(netloc, '@')+1:]
	before, bracketed, br := strings.Cut(hostinfo, "[")
	if br {
		h, port, _ := strings.Cut(bracketed, "]")
		if open && closed && (before != "" || port != "" && port[0] != ':' || !validBracketedHost(h)) {
			return "", false
		}
		host = h
	} else {
		host, _, _ = strings.Cut(hostinfo, ":")
		if open && closed && !validBracketedHost(host) {
			return "", false
		}
	}
	// Python keeps an IPv6 zone's case.
	addr, zone, hasZone := strings.Cut(host, "%")
	host = asciiLower(addr)
	if hasZone {
		host += "%" + zone
	}
	return host, true
}

// unsafeURLBytes removes what Python's urlsplit drops anywhere in a URL.
var unsafeURLBytes = strings.NewReplacer("\t", "", "\r", "", "\n", "")

var ipvFuture = regexp.MustCompile(`\Av[a-fA-F0-9]+\..+\z`)

// validBracketedHost is Python's _check_bracketed_host: an IPv6 address or
// an IPvFuture literal.
func validBracketedHost(h string) bool {
	if strings.HasPrefix(h, "v") {
		return ipvFuture.MatchString(h)
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.Is6()
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// pyIsSpace is Python's str.isspace for one character: Unicode white
// space plus the ASCII separators \x1c-\x1f.
func pyIsSpace(r rune) bool { return unicode.IsSpace(r) || 0x1c <= r && r <= 0x1f }

// pyStrip is Python's str.strip().
func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// pyRepr is Python's repr() of a str, for Swift's error messages.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80 || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
		i += n
	}
	b.WriteByte(q)
	return b.String()
}

// pyUnquote is Python's urllib.parse.unquote: %XX escapes in runs of
// ASCII are decoded and the bytes read as UTF-8, each ill-formed
// sequence replaced by U+FFFD; an invalid escape stays as it is.
func pyUnquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var out strings.Builder
	var run []byte // decoded bytes of the current ASCII run
	flush := func() {
		out.WriteString(decodeReplacing(run))
		run = run[:0]
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 0x80:
			flush()
			_, n := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+n])
			i += n
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			run = append(run, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 3
		default:
			run = append(run, c)
			i++
		}
	}
	flush()
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// decodeReplacing decodes UTF-8 as Python's bytes.decode("utf-8",
// "replace") does: each maximal ill-formed subpart becomes one U+FFFD
// (Go's range loop would give one per byte).
func decodeReplacing(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var out strings.Builder
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			out.Write(b[:n])
			b = b[n:]
			continue
		}
		out.WriteRune(utf8.RuneError)
		b = b[maximalSubpart(b):]
	}
	return out.String()
}

// maximalSubpart is the length (at least 1) of the longest prefix of b
// that starts a well-formed UTF-8 sequence, b being ill-formed at its
// start.
func maximalSubpart(b []byte) int {
	var need int
	lo, hi := byte(0x80), byte(0xbf)
	switch c := b[0]; {
	case 0xc2 <= c && c <= 0xdf:
		need = 1
	case c == 0xe0:
		need, lo = 2, 0xa0
	case 0xe1 <= c && c <= 0xef:
		need = 2
		if c == 0xed {
			hi = 0x9f
		}
	case c == 0xf0:
		need, lo = 3, 0x90
	case 0xf1 <= c && c <= 0xf3:
		need = 3
	case c == 0xf4:
		need, hi = 3, 0x8f
	default:
		return 1
	}
	n := 1
	for ; n <= need && n < len(b); n++ {
		if b[n] < lo || b[n] > hi {
			break
		}
		lo, hi = 0x80, 0xbf
	}
	return n
}
