package memstore

import (
	"sort"
	"strings"

	"github.com/swiftlet/swiftlet/objectserver"
)

// hit is one listing entry: a row's name, or a subdir.
type hit struct {
	name   string
	subdir bool
}

// list answers q over the live rows of t. It follows Swift's
// list_objects_iter (container/backend.py) step by step: each round
// "queries" the sorted names between the bounds, and a delimiter ends the
// round at the first subdir, moving the marker past it.
func list[R any](t *table[R], live func(R) bool, q objectserver.ListQuery) []hit {
	limit := q.Limit
	if limit <= 0 || limit > objectserver.MaxListingLimit {
		limit = objectserver.MaxListingLimit
	}
	marker, endMarker := q.Marker, q.EndMarker
	if q.Reverse {
		marker, endMarker = endMarker, marker
	}
	prefix := q.Prefix
	origMarker := marker
	forceGTE := false
	var out []hit
	for len(out) < limit {
		// Upper bound, exclusive.
		upper, hasUpper := prefixEnd(prefix)
		if endMarker != "" && (!hasUpper || endMarker < upper) {
			upper, hasUpper = endMarker, true
		}
		// Lower bound, inclusive.
		var lower string
		switch {
		case forceGTE:
			lower, forceGTE = marker, false
		case marker != "" && (prefix == "" || marker >= prefix):
			lower = marker + "\x00" // the least name after marker
		default:
			lower = prefix
		}
		rows := t.query(lower, upper, hasUpper, q.Reverse, limit-len(out), live)
		if q.Delimiter == 0 {
			return append(out, rows...)
		}
		for _, h := range rows {
			if q.Reverse {
				endMarker = h.name
			} else {
				marker = h.name
			}
			end := strings.IndexByte(h.name[len(prefix):], q.Delimiter)
			if end < 0 {
				out = append(out, h)
				continue
			}
			dir := h.name[:len(prefix)+end+1]
			if dir != origMarker {
				out = append(out, hit{name: dir, subdir: true})
			}
			if q.Reverse {
				endMarker = dir
			} else {
				next, ok := prefixEnd(dir)
				if !ok {
					return out // nothing sorts after dir
				}
				marker, forceGTE = next, true
			}
			break
		}
		if len(rows) == 0 {
			break
		}
	}
	return out
}

// query returns up to n live names in [lower, upper), descending if
// reverse.
func (t *table[R]) query(lower, upper string, hasUpper, reverse bool, n int, live func(R) bool) []hit {
	lo := sort.SearchStrings(t.names, lower)
	hi := len(t.names)
	if hasUpper {
		hi = sort.SearchStrings(t.names, upper)
	}
	var out []hit
	for k := lo; k < hi && len(out) < n; k++ {
		i := k
		if reverse {
			i = hi - 1 - (k - lo)
		}
		if name := t.names[i]; live(t.rows[name]) {
			out = append(out, hit{name: name})
		}
	}
	return out
}

// prefixEnd is the least string greater than every string starting with p
// (Swift's prefix[:-1] + chr(ord(prefix[-1]) + 1), in bytes); false if
// there is none (p is empty or all 0xff).
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}
