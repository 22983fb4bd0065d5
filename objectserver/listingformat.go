package objectserver

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// Listing bodies are byte-for-byte Swift's (swift/common/middleware/
// listing_formats.py, account/utils.py, container/server.py): JSON as
// Python's json.dumps writes it, XML as ElementTree does, plain text one
// name per line.

// queryParams parses a query string as Swift's req.params does (Python's
// parse_qsl with blank values kept; the last value of a name wins, "+" is
// a space, malformed escapes are kept as they are).
func queryParams(raw string) map[string]string {
	out := map[string]string{}
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		out[pyUnquotePlus(k)] = pyUnquotePlus(v)
	}
	return out
}

// pyUnquotePlus is Python's unquote_plus on bytes: %XX escapes with two
// hex digits are decoded, others left alone.
func pyUnquotePlus(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
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
	}
	return c - 'a' + 10
}

// listingParams are a listing request's parameters, checked.
type listingParams struct {
	query ListQuery
	// path is the path parameter (container listings): list what is
	// directly "in" path as if it were a directory. nil if absent.
	path *string
	// contentType is the negotiated format: text/plain,
	// application/json, application/xml or text/xml.
	contentType string
	// allowReserved lists reserved-namespace names too
	// (X-Backend-Allow-Reserved-Names).
	allowReserved bool
}

// parseListingParams reads the listing parameters of r as Swift does, in
// Swift's order: UTF-8 of each parameter (400), the limit (412 above
// maxLimit), the delimiter (412 unless one byte below 255: the stores
// roll up on a byte), the format (400 for a bad Accept, 406 if no format
// is acceptable).
func parseListingParams(r *http.Request, maxLimit int, container bool) (listingParams, error) {
	params := queryParams(r.URL.RawQuery)
	names := []string{"marker", "end_marker", "prefix", "delimiter", "format", "reverse"}
	if container {
		names = append(names, "path", "states", "includes")
	}
	for _, n := range names {
		if v, ok := params[n]; ok && !utf8.ValidString(v) {
			return listingParams{}, badRequest(`"` + n + `" parameter not valid UTF-8`)
		}
	}
	if v := params["limit"]; !utf8.ValidString(v) {
		return listingParams{}, badRequest(`"limit" parameter not valid UTF-8`)
	}
	limit, err := constraints.CheckListingLimit(params["limit"], maxLimit)
	if err != nil {
		return listingParams{}, err
	}
	lp := listingParams{query: ListQuery{
		Limit:     limit,
		Marker:    params["marker"],
		EndMarker: params["end_marker"],
		Prefix:    params["prefix"],
		Reverse:   trueValue(params["reverse"]),
	}}
	if d := params["delimiter"]; d != "" {
		if len(d) > 1 || d[0] > 254 {
			return listingParams{}, &httpError{status: http.StatusPreconditionFailed, body: "Bad delimiter"}
		}
		lp.query.Delimiter = d[0]
	}
	if v, ok := params["path"]; ok && container {
		lp.path = &v
	}
	lp.allowReserved = trueValue(r.Header.Get("X-Backend-Allow-Reserved-Names"))
	lp.contentType, err = listingContentType(r, params)
	return lp, err
}

// formatTypes maps the format parameter to the Accept it stands for.
var formatTypes = map[string]string{"plain": "text/plain", "json": "application/json", "xml": "application/xml"}

// listingTypes are the listing formats, in order of preference.
var listingTypes = []string{"text/plain", "application/json", "application/xml", "text/xml"}

// listingContentType is Swift's get_listing_content_type: the format
// parameter if given (unknown formats mean plain), else the best match of
// the Accept header.
func listingContentType(r *http.Request, params map[string]string) (string, error) {
	accept, hasAccept := r.Header["Accept"]
	var header string
	if hasAccept && len(accept) > 0 {
		header = strings.Join(accept, ",")
	}
	if f := params["format"]; f != "" {
		header = formatTypes[strings.ToLower(f)]
		if header == "" {
			header = "text/plain"
		}
	}
	ct, err := bestMatch(header, listingTypes)
	if err != nil {
		return "", &httpError{status: http.StatusBadRequest, body: "Invalid Accept header"}
	}
	if ct == "" {
		return "", newError(http.StatusNotAcceptable)
	}
	return ct, nil
}

// rfcToken is RFC 2616's token, as swob's Accept parser spells it.
const rfcToken = `[^()<>@,;:\"/\[\]?={}\x00-\x20\x7f]+`

var (
	acceptItem = regexp.MustCompile(`^\s*(` + rfcToken + `)/(` + rfcToken + `)((?:\s*;\s*(?:` + rfcToken +
		`)\s*=\s*(?:` + rfcToken + `|"(?:[^"\\]|\\.)*"))*?\s*)$`)
	tokenPattern = regexp.MustCompile(`^` + rfcToken + `$`)
)

// bestMatch is swob's Accept.best_match: the first option matching the
// most preferred media range of header (by quality, exact types before
// wildcards, else header order); "" if none is acceptable. An empty header
// accepts the first option.
func bestMatch(header string, options []string) (string, error) {
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
		m := acceptItem.FindStringSubmatch(item)
		if m == nil {
			return "", fmt.Errorf("invalid accept header %q", header)
		}
		mr := mediaRange{typ: m[1], sub: m[2], q: 1, exact: m[1] != "*" && m[2] != "*"}
		seenQ := false
		for _, parm := range strings.Split(m[3], ";") {
			parm = strings.TrimSpace(parm)
			if parm == "" {
				continue
			}
			kv := strings.Split(parm, "=")
			if len(kv) != 2 {
				return "", fmt.Errorf("invalid accept parameter %q", parm)
			}
			if strings.TrimSpace(kv[0]) != "q" {
				continue
			}
			if seenQ {
				return "", fmt.Errorf("multiple q parameters in %q", item)
			}
			seenQ = true
			q, err := strconv.ParseFloat(strings.TrimSpace(kv[1]), 64)
			if err != nil {
				return "", err
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
	for _, mr := range ranges {
		for _, opt := range options {
			typ, sub, _ := strings.Cut(opt, "/")
			if (mr.typ == "*" && tokenPattern.MatchString(typ) || mr.typ == typ) &&
				(mr.sub == "*" && tokenPattern.MatchString(sub) || mr.sub == sub) {
				return opt, nil
			}
		}
	}
	return "", nil
}

// isoTime is Swift's Timestamp.isoformat: UTC, microseconds, no zone.
func isoTime(ts timestamp.Timestamp) string {
	ticks := ts.Ticks()
	secs, frac := ticks/100000, ticks%100000
	return time.Unix(secs, 0).UTC().Format("2006-01-02T15:04:05") + fmt.Sprintf(".%06d", frac*10)
}

// rfcExtension matches one ";name=value" content type parameter, as
// Swift's parse_content_type reads them.
var rfcExtension = regexp.MustCompile(`(?:\s*;\s*(` + rfcToken + `)\s*(?:=\s*(` + rfcToken + `|"(?:[^"\\]|\\.)*"))?)`)

// listedType is Swift's override_bytes_from_content_type for a listing
// row: a swift_bytes parameter of the content type replaces the size
// (large object manifests record their total size there) and is dropped;
// the other parameters are rewritten as ";name=value".
func listedType(contentType string, size int64) (string, int64) {
	base, params, ok := strings.Cut(contentType, ";")
	if !ok {
		return contentType, size
	}
	var b strings.Builder
	b.WriteString(base)
	for _, m := range rfcExtension.FindAllStringSubmatch(";"+params, -1) {
		k, v := strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
		if k == "swift_bytes" {
			if n, err := strconv.ParseInt(v, 10, 64); err == nil {
				size = n
			}
			continue
		}
		b.WriteString(";" + k + "=" + v)
	}
	return b.String(), size
}

// appendJSONString appends s as Python's json.dumps writes strings (ASCII
// only: everything outside space to "~" escaped, astral characters as
// surrogate pairs).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"':
			b = append(b, '\\', '"')
		case r == '\\':
			b = append(b, '\\', '\\')
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\r':
			b = append(b, '\\', 'r')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == '\b':
			b = append(b, '\\', 'b')
		case r == '\f':
			b = append(b, '\\', 'f')
		case r >= ' ' && r <= '~':
			b = append(b, byte(r))
		default:
			if r > 0xffff {
				r -= 0x10000
				hi, lo := 0xd800+(r>>10), 0xdc00+(r&0x3ff)
				b = append(b, '\\', 'u', hex[hi>>12&15], hex[hi>>8&15], hex[hi>>4&15], hex[hi&15])
				r = lo
			}
			b = append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
		}
	}
	return append(b, '"')
}

// xmlEscape escapes text as ElementTree does (&, <, >), and attribute
// values also (", newline, carriage return, tab).
func xmlEscape(b []byte, s string, attr bool) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&':
			b = append(b, "&amp;"...)
		case c == '<':
			b = append(b, "&lt;"...)
		case c == '>':
			b = append(b, "&gt;"...)
		case attr && c == '"':
			b = append(b, "&quot;"...)
		case attr && c == '\n':
			b = append(b, "&#10;"...)
		case attr && c == '\r':
			b = append(b, "&#13;"...)
		case attr && c == '\t':
			b = append(b, "&#09;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

const xmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

// listEntry is an entry of a container listing (ObjectEntry) or of an
// account listing (ContainerEntry).
type listEntry interface {
	// listingName is the entry's name in the listing: its subdir, or its
	// row's name.
	listingName() string
	// appendJSON appends the entry as an element of a JSON listing.
	appendJSON(b []byte) []byte
}

func (e ObjectEntry) listingName() string {
	if e.Subdir != "" {
		return e.Subdir
	}
	return e.Name
}

func (e ContainerEntry) listingName() string {
	if e.Subdir != "" {
		return e.Subdir
	}
	return e.Name
}

// jsonListing is a JSON listing: an array of the entries.
func jsonListing[E listEntry](entries []E) []byte {
	b := []byte{'['}
	for i, e := range entries {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = e.appendJSON(b)
	}
	return append(b, ']')
}

// plainListing is a text/plain listing: one name per line.
func plainListing[E listEntry](entries []E) []byte {
	var b []byte
	for _, e := range entries {
		b = append(b, e.listingName()...)
		b = append(b, '\n')
	}
	return b
}

// appendJSONSubdir appends a subdir as an element of a JSON listing.
func appendJSONSubdir(b []byte, subdir string) []byte {
	b = append(b, `{"subdir": `...)
	b = appendJSONString(b, subdir)
	return append(b, '}')
}

func (e ObjectEntry) appendJSON(b []byte) []byte {
	if e.Subdir != "" {
		return appendJSONSubdir(b, e.Subdir)
	}
	ct, size := listedType(e.ContentType, e.Size)
	b = append(b, `{"bytes": `...)
	b = strconv.AppendInt(b, size, 10)
	b = append(b, `, "hash": `...)
	b = appendJSONString(b, e.ETag)
	b = append(b, `, "name": `...)
	b = appendJSONString(b, e.Name)
	b = append(b, `, "content_type": `...)
	b = appendJSONString(b, ct)
	b = append(b, `, "last_modified": `...)
	b = appendJSONString(b, isoTime(e.Timestamp))
	return append(b, '}')
}

func (e ContainerEntry) appendJSON(b []byte) []byte {
	if e.Subdir != "" {
		return appendJSONSubdir(b, e.Subdir)
	}
	b = append(b, `{"name": `...)
	b = appendJSONString(b, e.Name)
	b = append(b, `, "count": `...)
	b = strconv.AppendInt(b, e.ObjectCount, 10)
	b = append(b, `, "bytes": `...)
	b = strconv.AppendInt(b, e.BytesUsed, 10)
	b = append(b, `, "last_modified": `...)
	b = appendJSONString(b, isoTime(e.PutTimestamp))
	return append(b, '}')
}

// containerListing is the body of a container listing in contentType.
func containerListing(contentType, container string, entries []ObjectEntry) []byte {
	switch {
	case strings.HasSuffix(contentType, "/json"):
		return jsonListing(entries)
	case strings.HasSuffix(contentType, "/xml"):
		// As ElementTree writes it.
		b := append([]byte(xmlDeclaration), `<container name="`...)
		b = xmlEscape(b, container, true)
		if len(entries) == 0 {
			return append(b, `" />`...)
		}
		b = append(b, `">`...)
		for _, e := range entries {
			if e.Subdir != "" {
				b = append(b, `<subdir name="`...)
				b = xmlEscape(b, e.Subdir, true)
				b = append(b, `"><name>`...)
				b = xmlEscape(b, e.Subdir, false)
				b = append(b, "</name></subdir>"...)
				continue
			}
			ct, size := listedType(e.ContentType, e.Size)
			b = append(b, "<object><name>"...)
			b = xmlEscape(b, e.Name, false)
			b = append(b, "</name><hash>"...)
			b = xmlEscape(b, e.ETag, false)
			b = append(b, "</hash><bytes>"...)
			b = strconv.AppendInt(b, size, 10)
			b = append(b, "</bytes><content_type>"...)
			b = xmlEscape(b, ct, false)
			b = append(b, "</content_type><last_modified>"...)
			b = append(b, isoTime(e.Timestamp)...)
			b = append(b, "</last_modified></object>"...)
		}
		return append(b, "</container>"...)
	}
	return plainListing(entries)
}

// accountListing is the body of an account listing in contentType.
func accountListing(contentType, account string, entries []ContainerEntry) []byte {
	switch {
	case strings.HasSuffix(contentType, "/json"):
		return jsonListing(entries)
	case strings.HasSuffix(contentType, "/xml"):
		// As Swift's account server joins lines.
		b := append([]byte(xmlDeclaration), `<account name="`...)
		b = xmlEscape(b, account, true)
		b = append(b, "\">\n"...)
		for _, e := range entries {
			if e.Subdir != "" {
				b = append(b, `<subdir name="`...)
				b = xmlEscape(b, e.Subdir, true)
				b = append(b, "\" />\n"...)
				continue
			}
			b = append(b, "<container><name>"...)
			b = xmlEscape(b, e.Name, false)
			b = append(b, "</name><count>"...)
			b = strconv.AppendInt(b, e.ObjectCount, 10)
			b = append(b, "</count><bytes>"...)
			b = strconv.AppendInt(b, e.BytesUsed, 10)
			b = append(b, "</bytes><last_modified>"...)
			b = append(b, isoTime(e.PutTimestamp)...)
			b = append(b, "</last_modified></container>\n"...)
		}
		return append(b, "</account>"...)
	}
	return plainListing(entries)
}
