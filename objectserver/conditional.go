package objectserver

import (
	"net/http"
	"strings"
	"time"
)

// normalizeETag strips the quotes around an entity tag (swob's
// normalize_etag).
func normalizeETag(tag string) string {
	if len(tag) >= 2 && tag[0] == '"' && tag[len(tag)-1] == '"' {
		return tag[1 : len(tag)-1]
	}
	return tag
}

// etagMatch is an If-Match or If-None-Match header: a set of entity tags,
// "*" matching any.
type etagMatch map[string]bool

// parseETagMatch parses the header named key; ok is false if the request
// has no such header (an empty one still counts, as in swob).
func parseETagMatch(h http.Header, key string) (m etagMatch, ok bool) {
	vals, ok := h[key]
	if !ok {
		return nil, false
	}
	m = etagMatch{}
	for _, v := range vals {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag != "" {
				m[normalizeETag(tag)] = true
			}
		}
	}
	return m, true
}

// contains reports whether etag matches: "*" is in the set or the tag is.
func (m etagMatch) contains(etag string) bool {
	return m["*"] || m[normalizeETag(etag)]
}

// parseHTTPDate parses the date of If-Modified-Since and friends; ok is
// false for a value that is not a date (the header is then ignored).
func parseHTTPDate(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	for _, layout := range []string{time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST", "2 Jan 2006 15:04:05 MST"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// conditionalStatus is swob's conditional response: 304 or 412 if the
// request's If-None-Match, If-Match, If-Modified-Since or
// If-Unmodified-Since says the response must be empty, else 0. etag is
// the entity's tag ("" for none), lastModified its Last-Modified in Unix
// seconds (0 for none), status the response's status.
func conditionalStatus(h http.Header, etag string, lastModified int64, status int) int {
	if etag != "" {
		if m, ok := parseETagMatch(h, "If-None-Match"); ok && m.contains(etag) {
			return http.StatusNotModified
		}
		if m, ok := parseETagMatch(h, "If-Match"); ok && !m.contains(etag) {
			return http.StatusPreconditionFailed
		}
	}
	if status == http.StatusNotFound {
		if m, ok := parseETagMatch(h, "If-Match"); ok && m["*"] {
			// "*" asks for any current entity, and there is none.
			return http.StatusPreconditionFailed
		}
	}
	if lastModified != 0 {
		if t, ok := parseHTTPDate(h.Get("If-Modified-Since")); ok && lastModified <= t.Unix() {
			return http.StatusNotModified
		}
		if t, ok := parseHTTPDate(h.Get("If-Unmodified-Since")); ok && lastModified > t.Unix() {
			return http.StatusPreconditionFailed
		}
	}
	return 0
}

// httpDate formats Unix seconds as an HTTP date.
func httpDate(secs int64) string {
	return time.Unix(secs, 0).UTC().Format(http.TimeFormat)
}
