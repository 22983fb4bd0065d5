package ringcli

import (
	"errors"
	"strings"

	"github.com/swiftlet/swiftlet/ring"
)

// Search and add values are parsed by package ring. Swift reads the
// numbers in them with Python's int(), so a prefix without digits ("d",
// "r1z", "10.0.0.1:", "rz1-...") fails with int()'s message rather than
// the parser's; these wrappers give Swift's messages.

var errEmptyInt = errors.New("invalid literal for int() with base 10: ''")

// parseSearchValue is ring.ParseSearchValue with Swift's messages.
func parseSearchValue(v string) (ring.Query, error) {
	if searchValueHasEmptyNumber(v) {
		return ring.Query{}, errEmptyInt
	}
	q, err := ring.ParseSearchValue(v)
	if err != nil && strings.HasPrefix(err.Error(), "Invalid <search-value>") {
		return q, errors.New("Invalid <search-value>: " + pyRepr(v))
	}
	return q, err
}

// parseAddValue is ring.ParseAddValue with Swift's messages.
func parseAddValue(v string) (ring.AddValue, error) {
	rest, empty := skipNumber(v, 'r')
	if !empty && strings.HasPrefix(rest, "z") {
		_, empty = skipNumber(rest, 'z')
	}
	if empty {
		return ring.AddValue{}, errEmptyInt
	}
	return ring.ParseAddValue(v)
}

// searchValueHasEmptyNumber walks v as Swift's parse_search_value does and
// reports whether it meets a number prefix without digits.
func searchValueHasEmptyNumber(v string) bool {
	rest := v
	for _, prefix := range []byte("drz") {
		var empty bool
		if rest, empty = skipNumber(rest, prefix); empty {
			return true
		}
	}
	rest = skipAddress(strings.TrimPrefix(rest, "-"))
	rest, empty := skipNumber(rest, ':')
	if empty {
		return true
	}
	if strings.HasPrefix(rest, "R") {
		_, empty = skipNumber(skipAddress(rest[1:]), ':')
	}
	return empty
}

// skipNumber skips prefix and the digits after it, if s starts with
// prefix; empty reports a prefix without digits.
func skipNumber(s string, prefix byte) (rest string, empty bool) {
	if s == "" || s[0] != prefix {
		return s, false
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[i:], i == 1
}

// skipAddress skips an IPv4 address (digits and dots) or a bracketed
// IPv6 one.
func skipAddress(s string) string {
	switch {
	case s != "" && s[0] >= '0' && s[0] <= '9':
		return strings.TrimLeft(s, "0123456789.")
	case strings.HasPrefix(s, "["):
		if i := strings.IndexByte(s, ']'); i >= 0 {
			return s[i+1:]
		}
		return ""
	}
	return s
}
