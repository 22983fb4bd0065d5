package proxy

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The nodes choose a listing's format themselves; the proxy needs the
// choice only for the listing it makes up (an autocreated account that
// does not exist yet). This is Swift's get_listing_content_type with
// swob's Accept.best_match.

// listingFormats maps the format parameter to the type it asks for.
var listingFormats = map[string]string{"plain": "text/plain", "json": "application/json", "xml": "application/xml"}

// listingTypes are the listing formats, in order of preference.
var listingTypes = []string{"text/plain", "application/json", "application/xml", "text/xml"}

// listingContentType is the format of a listing: the format parameter if
// given (unknown ones mean plain), else the best match of Accept; 400
// for a malformed Accept, 406 if no format is acceptable.
func listingContentType(h http.Header, q listingQuery) (string, error) {
	accept := strings.Join(h.Values("Accept"), ",")
	if q.hasFormat && q.values.Get("format") != "" {
		accept = listingFormats[strings.ToLower(q.values.Get("format"))]
		if accept == "" {
			accept = "text/plain"
		}
	}
	ct, err := acceptBestMatch(accept, listingTypes)
	if err != nil {
		return "", &StatusError{Status: http.StatusBadRequest, Body: "Invalid Accept header"}
	}
	if ct == "" {
		return "", newStatusError(http.StatusNotAcceptable)
	}
	return ct, nil
}

// acceptToken is RFC 2616's token, as swob spells it.
const acceptToken = `[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`

var (
	acceptRange = regexp.MustCompile(`^\s*(` + acceptToken + `)/(` + acceptToken + `)((?:\s*;\s*(?:` + acceptToken +
		`)\s*=\s*(?:` + acceptToken + `|"(?:[^"\\]|\\.)*"))*?\s*)$`)
	acceptTokenOnly = regexp.MustCompile(`^` + acceptToken + `$`)
)

var errBadAccept = errors.New("malformed Accept header")

// acceptBestMatch is swob's Accept.best_match: the first option that
// matches the most preferred media range (highest quality, then exact
// types before wildcards, then header order); "" if none does. An empty
// header accepts the first option.
func acceptBestMatch(header string, options []string) (string, error) {
	if header == "" {
		return options[0], nil
	}
	type mediaRange struct {
		typ, sub string
		q        float64
		exact    bool
	}
	var ranges []mediaRange
	for _, item := range strings.Split(header, ",") {
		m := acceptRange.FindStringSubmatch(item)
		if m == nil {
			return "", errBadAccept
		}
		mr := mediaRange{typ: m[1], sub: m[2], q: 1, exact: m[1] != "*" && m[2] != "*"}
		seenQ := false
		for _, p := range strings.Split(m[3], ";") {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			name, value, ok := strings.Cut(p, "=")
			if !ok || strings.Contains(value, "=") {
				return "", errBadAccept
			}
			if strings.TrimSpace(name) != "q" {
				continue
			}
			if seenQ {
				return "", errBadAccept
			}
			seenQ = true
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return "", errBadAccept
			}
			mr.q = q
		}
		ranges = append(ranges, mr)
	}
	slices.SortStableFunc(ranges, func(a, b mediaRange) int {
		switch {
		case a.q != b.q:
			if a.q > b.q {
				return -1
			}
			return 1
		case a.exact != b.exact:
			if a.exact {
				return -1
			}
			return 1
		}
		return 0
	})
	matches := func(pattern, s string) bool {
		if pattern == "*" {
			return acceptTokenOnly.MatchString(s)
		}
		return pattern == s
	}
	for _, mr := range ranges {
		for _, opt := range options {
			typ, sub, _ := strings.Cut(opt, "/")
			if matches(mr.typ, typ) && matches(mr.sub, sub) {
				return opt, nil
			}
		}
	}
	return "", nil
}

// xmlAttr escapes s for an XML attribute value as Python's ElementTree
// does.
func xmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;",
		"\r", "&#13;", "\n", "&#10;", "\t", "&#09;").Replace(s)
}

// emptyAccountListing is the body of an account listing without
// containers in contentType (Swift's account_listing_response, after
// listing_formats): "[]", an XML document, or nothing.
func emptyAccountListing(contentType, account string) []byte {
	switch {
	case strings.HasSuffix(contentType, "/json"):
		return []byte("[]")
	case strings.HasSuffix(contentType, "/xml"):
		return []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"" + xmlAttr(account) + "\">\n</account>")
	}
	return nil
}
