package proxy

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// Server-side copy, as Swift's copy middleware: PUT with X-Copy-From
// (and X-Copy-From-Account), or COPY with Destination (and
// Destination-Account). The source is read as a GET with X-Newest and the
// client's Range and conditions, authorized as a read of the source; its
// body is streamed into a PUT of the destination, authorized as a write.
// The copy keeps the source's metadata and the headers it was stored
// with, under the request's (with X-Fresh-Metadata: only the source's
// system metadata), and its content type unless the request sets one.

// copySkippedHeaders are the source's headers a copy does not take over
// (Swift's exclude_headers, and what only describes the answer).
var copySkippedHeaders = map[string]bool{
	"X-Static-Large-Object": true, "X-Object-Manifest": true, "Etag": true, "Content-Type": true,
	"X-Timestamp": true, "Accept-Ranges": true, "Last-Modified": true, "Content-Range": true,
	"X-Trans-Id": true, "X-Openstack-Request-Id": true,
}

// copyRequestHeaders name the copy itself; the destination does not keep
// them.
var copyRequestHeaders = []string{"X-Copy-From", "X-Copy-From-Account", "Destination", "Destination-Account", "X-Fresh-Metadata"}

// objectCopy serves COPY and PUT with X-Copy-From.
func (s *Server) objectCopy(w http.ResponseWriter, r *request) error {
	src, dst, err := copyEnds(r)
	if err != nil {
		return err
	}
	if _, err := s.objectContainer(r, src, http.MethodGet); err != nil {
		return err
	}
	info, err := s.objectContainer(r, dst, http.MethodPut)
	if err != nil {
		return err
	}
	if err := writableContainer(info); err != nil {
		return err
	}

	res, body := s.openObject(r.Context(), src, http.MethodGet, objectNodeHeader(r), "", true)
	if res.Resp == nil {
		writeNodeAnswer(w, r, res.Best)
		return nil
	}
	if body == nil { // 304, 416...: the source's answer is the copy's
		s.writeObject(w, r, res, nil)
		return nil
	}
	defer body.Close()
	resp := res.Resp
	if resp.ContentLength < 0 || resp.ContentLength > s.cfg.Constraints.MaxFileSize {
		return &StatusError{Status: http.StatusRequestEntityTooLarge}
	}

	h := copyHeader(r, resp)
	if err := s.checkObjectPut(h, dst, resp.ContentLength, false); err != nil {
		return err
	}
	extra := http.Header{
		"X-Copied-From-Account": {quotePath(src.account)},
		"X-Copied-From":         {quotePath(src.container + "/" + src.object)},
	}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		extra.Set("X-Copied-From-Last-Modified", lm)
	}
	for k, v := range h {
		if constraints.Object.IsUserMeta(k) || k == "X-Delete-At" {
			extra[k] = v
		}
	}
	return s.storeObject(w, r, dst, h, putBody{r: body, length: resp.ContentLength}, extra)
}

// copyEnds reads the source and destination of a copy from its request
// (Swift's handle_COPY and handle_PUT checks: 412 for malformed headers).
func copyEnds(r *request) (src, dst objectRef, err error) {
	here := objectRef{r.account, r.container, r.object}
	if r.Method == "COPY" {
		dest := r.Header.Get("Destination")
		if dest == "" {
			return src, dst, &StatusError{Status: http.StatusPreconditionFailed, Body: "Destination header required"}
		}
		dst.account = r.account
		if v, ok := r.Header["Destination-Account"]; ok {
			if dst.account, err = checkAccountFormat(unquote(v[0])); err != nil {
				return src, dst, err
			}
		}
		dst.container, dst.object, err = checkPathHeader(dest, "Destination")
		return here, dst, err
	}
	if r.ContentLength > 0 {
		return src, dst, &StatusError{Status: http.StatusBadRequest, Body: "Copy requests require a zero byte body",
			Header: http.Header{"Content-Type": {"text/plain"}}}
	}
	src.account = r.account
	if v := r.Header.Get("X-Copy-From-Account"); v != "" {
		if src.account, err = checkAccountFormat(unquote(v)); err != nil {
			return src, dst, err
		}
	}
	src.container, src.object, err = checkPathHeader(r.Header.Get("X-Copy-From"), "X-Copy-From")
	return src, here, err
}

// unquote is Swift's wsgi_unquote: %-escapes decoded, a malformed value
// left as it is.
func unquote(v string) string {
	if u, err := url.PathUnescape(v); err == nil {
		return u
	}
	return v
}

// checkAccountFormat is Swift's check_account_format.
func checkAccountFormat(account string) (string, error) {
	switch {
	case account == "":
		return "", &StatusError{Status: http.StatusPreconditionFailed, Body: "Account name cannot be empty"}
	case strings.Contains(account, "/"):
		return "", &StatusError{Status: http.StatusPreconditionFailed, Body: "Account name cannot contain slashes"}
	}
	return account, nil
}

// checkPathHeader is Swift's check_path_header for a copy's
// "<container>/<object>" header (unquoted; a leading slash optional).
func checkPathHeader(v, name string) (container, object string, err error) {
	p := strings.TrimPrefix(unquote(v), "/")
	container, object, ok := strings.Cut(p, "/")
	if !ok || container == "" || object == "" {
		return "", "", &StatusError{Status: http.StatusPreconditionFailed,
			Body: name + " header must be of the form <container name>/<object name>"}
	}
	return container, object, nil
}

// copyHeader builds the destination's node headers: the source's headers
// (only its system metadata with X-Fresh-Metadata), under the client's;
// the source's content type unless the client sets one; the source's
// ETag, so that the nodes verify the copied bytes, when the source
// answered with the whole object.
func copyHeader(r *request, source *http.Response) http.Header {
	h := http.Header{}
	fresh := trueValue(r.Header.Get("X-Fresh-Metadata"))
	for k, v := range source.Header {
		switch {
		case constraints.Object.IsSysMeta(k):
		case fresh, hopHeader(k), copySkippedHeaders[k], strings.HasPrefix(k, "X-Backend-"):
			continue
		}
		h[k] = append([]string(nil), v...)
	}
	for k, v := range objectNodeHeader(r) {
		h[k] = v
	}
	for _, k := range copyRequestHeaders {
		h.Del(k)
	}
	if r.Header.Get("Content-Type") == "" {
		h.Set("Content-Type", cleanContentType(source.Header.Get("Content-Type")))
	}
	_, slo := source.Header["X-Static-Large-Object"]
	_, dlo := source.Header["X-Object-Manifest"]
	if source.StatusCode == http.StatusOK && !slo && !dlo {
		h.Set("Etag", unquoteETag(source.Header.Get("Etag")))
	} else {
		// The bytes are not the source's: its listing overrides are wrong.
		for k := range h {
			if strings.HasPrefix(k, "X-Object-Sysmeta-Container-Update-Override-") {
				delete(h, k)
			}
		}
	}
	return h
}

// quotePath is Swift's wsgi_quote (urllib's quote with "/" safe).
func quotePath(s string) string {
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
