package objectserver

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
)

// rangeSpec is one byte-range-spec of a Range header, inclusive; -1 stands
// for an absent first or last byte ("-500", "9500-").
type rangeSpec struct{ first, last int64 }

// byteRange is a satisfiable range of an entity, half-open: [start, end).
type byteRange struct{ start, end int64 }

// Limits on multi-range requests, from swob: more ranges, more
// overlapping ones or more out of order ones than this are not served
// (RFC 7233 section 6.1).
const (
	maxRanges             = 50
	maxRangeOverlaps      = 2
	maxNonAscendingRanges = 8
)

// parseRange parses a Range header as swob's Range does. ok is false if
// the header is syntactically invalid, and must then be ignored: a value
// not starting with "bytes=", a spec without "-", without both numbers,
// with a non-numeric number or with last < first. Spaces are ignored.
func parseRange(v string) (specs []rangeSpec, ok bool) {
	v = strings.ReplaceAll(v, " ", "")
	if len(v) < 6 || !strings.EqualFold(v[:6], "bytes=") {
		return nil, false
	}
	for _, spec := range strings.Split(v[6:], ",") {
		first, last, found := strings.Cut(spec, "-")
		if !found || (first == "" && last == "") {
			return nil, false
		}
		r := rangeSpec{first: -1, last: -1}
		if first != "" {
			n, ok := parseRangeInt(first, true)
			if !ok {
				return nil, false
			}
			r.first = n
		}
		if last != "" {
			n, ok := parseRangeInt(last, false)
			if !ok || (r.first >= 0 && n < r.first) {
				return nil, false
			}
			r.last = n
		}
		specs = append(specs, r)
	}
	return specs, true
}

// parseRangeInt parses decimal digits. A first byte is read as Python's
// int() does: white space around it, a "+", and single underscores
// between digits are allowed. Numbers beyond int64 saturate: Python's are
// unbounded, and only their order against the entity length matters.
func parseRangeInt(s string, pyInt bool) (int64, bool) {
	if pyInt {
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, "+")
		if strings.HasPrefix(s, "_") || strings.HasSuffix(s, "_") || strings.Contains(s, "__") {
			return 0, false
		}
		s = strings.ReplaceAll(s, "_", "")
	}
	if s == "" {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return math.MaxInt64, true
	}
	return n, true
}

// rangesForLength is swob's ranges_for_length: the ranges of an entity of
// length bytes that specs select. An empty result means none is
// satisfiable, or the request is too egregious to serve (416).
func rangesForLength(specs []rangeSpec, length int64) []byteRange {
	var out []byteRange
	for _, s := range specs {
		switch {
		case s.first < 0: // suffix: the last s.last bytes
			if s.last == 0 {
				continue
			}
			if s.last > length {
				out = append(out, byteRange{0, length})
			} else {
				out = append(out, byteRange{length - s.last, length})
			}
		case s.first >= length:
			continue
		case s.last < 0:
			out = append(out, byteRange{s.first, length})
		default:
			end := length
			if s.last < length-1 {
				end = s.last + 1
			}
			out = append(out, byteRange{s.first, end})
		}
	}
	if len(out) > maxRanges {
		return nil
	}
	overlaps := 0
	for i, a := range out {
		for _, b := range out[i+1:] {
			if (a.start < b.start && b.start < a.end) || (a.start < b.end && b.end < a.end) ||
				(b.start < a.start && a.start < b.end) || (b.start < a.end && a.end < b.end) {
				overlaps++
				if overlaps > maxRangeOverlaps {
					return nil
				}
			}
		}
	}
	for i := 1; i < len(out); i++ {
		a, b := out[i-1], out[i]
		if a.start > b.start || (a.start == b.start && a.end > b.end) {
			if len(out) >= maxNonAscendingRanges {
				return nil
			}
			break
		}
	}
	return out
}

// contentRange is the Content-Range value of r in an entity of length
// bytes.
func contentRange(r byteRange, length int64) string {
	return "bytes " + strconv.FormatInt(r.start, 10) + "-" + strconv.FormatInt(r.end-1, 10) + "/" + strconv.FormatInt(length, 10)
}

// multipartBoundary is a random boundary in swob's form: 32 hex digits.
func multipartBoundary() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// partHeader is the header of one part of a multipart/byteranges body.
func partHeader(boundary, contentType string, r byteRange, length int64) string {
	return "--" + boundary + "\r\nContent-Type: " + contentType + "\r\nContent-Range: " + contentRange(r, length) + "\r\n\r\n"
}

// multipartLength is the length of the multipart/byteranges body of
// ranges: each part's header, data and CRLF, then the closing boundary.
func multipartLength(boundary, contentType string, ranges []byteRange, length int64) int64 {
	var n int64
	for _, r := range ranges {
		n += int64(len(partHeader(boundary, contentType, r, length))) + (r.end - r.start) + 2
	}
	return n + int64(len(boundary)) + 4
}
