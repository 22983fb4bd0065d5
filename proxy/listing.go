package proxy

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// Account and container GET and HEAD pass the storage nodes' answer
// through: the nodes speak every listing parameter and format byte for
// byte as Swift's proxy answers them (objectserver/PROTOCOL.md), so the
// proxy checks the limit, picks a node (backend.read) and streams the
// body. Swift's proxy asks its nodes for JSON and converts (the
// listing_formats middleware); the nodes here do the conversion, so the
// body is never held in the proxy's memory.

// ownerHeaders are the headers only an account's owners see and set
// (Swift's default swift_owner_headers). Read-only.
var ownerHeaders = []string{
	"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To",
	"X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2",
	"X-Container-Meta-Temp-Url-Key", "X-Container-Meta-Temp-Url-Key-2",
	"X-Account-Access-Control",
}

// internalHeader reports whether a node's answer header must not reach
// clients: Swift's update_headers leaves out the framing and hop headers
// and the ones the proxy sets itself, its gatekeeper the system metadata
// and the backend's headers.
func internalHeader(key string) bool {
	k := strings.ToLower(key)
	for _, p := range []string{"x-backend", "x-account-sysmeta-", "x-container-sysmeta-", "x-object-sysmeta-",
		"x-object-transient-sysmeta-"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	switch k {
	case "date", "content-length", "content-type", "connection", "transfer-encoding", "x-put-timestamp",
		"x-delete-after", "x-trans-id", "x-openstack-request-id",
		"x-account-host", "x-account-device", "x-account-partition",
		"x-container-host", "x-container-device", "x-container-partition", "x-container-root-db-state",
		"x-delete-at-host", "x-delete-at-device", "x-delete-at-partition", "x-delete-at-container":
		return true
	}
	return false
}

// copyNodeHeaders copies the headers of a node's answer that a client may
// see into dst; owner-only headers only for owners.
func copyNodeHeaders(dst, src http.Header, owner bool) {
	for k, v := range src {
		if !internalHeader(k) {
			dst[k] = v
		}
	}
	if !owner {
		for _, k := range ownerHeaders {
			dst.Del(k)
		}
	}
}

// nodeAnswer is what the nodes said to a GET or HEAD: a response to
// stream (resp), or the best of their other answers, with its small body.
type nodeAnswer struct {
	status int
	header http.Header
	resp   *http.Response
	best   nodeResponse
}

func answerOf(res readResult) nodeAnswer {
	if res.Resp != nil {
		return nodeAnswer{status: res.Resp.StatusCode, header: res.Resp.Header, resp: res.Resp}
	}
	if res.Best.header == nil {
		res.Best.header = http.Header{}
	}
	return nodeAnswer{status: res.Best.status, header: res.Best.header, best: res.Best}
}

func (a nodeAnswer) close() {
	if a.resp != nil {
		a.resp.Body.Close()
	}
}

// readListing asks an account's or container's nodes for the request's
// GET or HEAD, with its query and Accept, as Swift's GETorHEAD_base.
func (s *Server) readListing(r *request, serverType string, src RingSource) nodeAnswer {
	part := src.Ring().Partition(r.account, r.container, "")
	path := "/" + r.account
	if r.container != "" {
		path += "/" + r.container
	}
	h := r.backendHeader()
	if v, ok := r.Header["Accept"]; ok {
		h["Accept"] = v
	}
	res := s.backend.read(r.Context(), src, part, nodeRequest{
		serverType: serverType, method: r.Method, part: part, path: path,
		query: r.URL.RawQuery, header: h,
	}, headerTrue(r.Header.Get("X-Newest")))
	return answerOf(res)
}

// writeAnswer sends a node's answer to the client: a success streamed,
// with the node's length and type (Swift's get_working_response), the
// other answers as Swift's best_response makes them.
func (s *Server) writeAnswer(w http.ResponseWriter, r *request, a nodeAnswer, owner bool) {
	if a.resp == nil {
		a.best.status = a.status
		writeNodeResponse(w, r, a.best, owner)
		return
	}
	defer a.close()
	h := w.Header()
	copyNodeHeaders(h, a.header, owner)
	h.Set("Accept-Ranges", "bytes")
	if ct := a.header.Get("Content-Type"); ct != "" {
		h.Set("Content-Type", ct)
	}
	cl := a.header.Get("Content-Length")
	if cl != "" {
		h.Set("Content-Length", cl)
	}
	w.WriteHeader(a.status)
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, a.resp.Body); err != nil {
		s.log.Warn("listing cut off", "path", r.URL.EscapedPath(), "txn_id", r.txnID, "err", err)
		if cl == "" {
			// Without a length, only an aborted connection tells the
			// client that the body is short; with one, net/http closes
			// the connection after the short body.
			panic(http.ErrAbortHandler)
		}
	}
}

// headerTrue is Swift's config_true_value for a header.
func headerTrue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// listingQuery is a listing request's query, parsed once.
type listingQuery struct {
	values    url.Values
	hasFormat bool
}

// checkListing is Swift's validate_container_params for a GET of an
// account or container: the parameters must be UTF-8 (400) and limit, if
// all digits, at most maxLimit (412).
func checkListing(r *request, maxLimit int) (listingQuery, error) {
	q := parseListingQuery(r)
	for _, name := range []string{"marker", "end_marker", "prefix", "delimiter", "path", "format", "reverse", "limit"} {
		if v, ok := q.values[name]; ok && len(v) > 0 && !utf8.ValidString(v[len(v)-1]) {
			return q, &StatusError{Status: http.StatusBadRequest, Body: `"` + name + `" parameter not valid UTF-8`}
		}
	}
	if _, err := constraints.CheckListingLimit(q.values.Get("limit"), maxLimit); err != nil {
		return q, err
	}
	return q, nil
}

func parseListingQuery(r *request) listingQuery {
	// Malformed pairs are left out, as Python's parse_qsl does.
	values, _ := url.ParseQuery(r.URL.RawQuery)
	// The last value of a parameter is the one Swift uses.
	for k, v := range values {
		values[k] = v[len(v)-1:]
	}
	_, hasFormat := values["format"]
	return listingQuery{values: values, hasFormat: hasFormat}
}

// varyAccept adds "Vary: Accept" to a listing's success when its format
// came from the Accept header, as Swift's listing_formats does.
func varyAccept(h http.Header, status int, q listingQuery) {
	if q.hasFormat || (status != http.StatusOK && status != http.StatusNoContent) {
		return
	}
	for _, v := range h.Values("Vary") {
		for _, item := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(item), "accept") {
				return
			}
		}
	}
	if v := h.Get("Vary"); v != "" {
		h.Set("Vary", v+", Accept")
		return
	}
	h.Set("Vary", "Accept")
}

// itemWrite is one write (PUT, POST, DELETE) of an account or container
// to all its replicas.
type itemWrite struct {
	serverType string
	src        RingSource
	method     string
	account    string
	container  string
	// headers: one set per request, or nil for the same one (header) to
	// every replica.
	header  http.Header
	headers []http.Header
}

// writeItem sends an account or container write to its nodes and returns
// their answer by quorum (Swift's make_requests).
func (s *Server) writeItem(ctx context.Context, wr itemWrite) nodeResponse {
	r := wr.src.Ring()
	part := r.Partition(wr.account, wr.container, "")
	path := "/" + wr.account
	if wr.container != "" {
		path += "/" + wr.container
	}
	headers := wr.headers
	if headers == nil {
		for range r.Primaries(part) {
			headers = append(headers, wr.header)
		}
	}
	return s.backend.fanOut(ctx, wr.src, part, nodeRequest{
		serverType: wr.serverType, method: wr.method, part: part, path: path, header: headers[0],
	}, headers, nil)
}

// writeNodeResponse sends a small answer of the nodes to the client (to
// a write, or the best of failed reads), as Swift's best_response makes
// it: the node's status, body and headers, Swift's own 503 if no node
// answered.
func writeNodeResponse(w http.ResponseWriter, r *request, resp nodeResponse, owner bool) {
	if resp.node == nil {
		newStatusError(resp.status).write(w, r.Request)
		return
	}
	h := w.Header()
	copyNodeHeaders(h, resp.header, owner)
	h.Set("Content-Type", "text/html; charset=UTF-8")
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(resp.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	_, _ = w.Write(resp.body) // the client may be gone
}

// transferHeaders copies what a client's write of kind may set to the
// nodes' request, as Swift's transfer_headers: user metadata, with
// X-Remove-<Kind>-Meta-* (and the X-Remove- form of the pass-through
// headers) as empty values that delete; then the pass-through headers
// themselves. Non-owners may not set owner headers (ownerHeaders).
func transferHeaders(dst, src http.Header, kind constraints.Kind, passThrough []string, owner bool) {
	removePrefix := "x-remove-" + string(kind) + "-meta-"
	for k := range src {
		lk := strings.ToLower(k)
		if len(lk) > len(removePrefix) && strings.HasPrefix(lk, removePrefix) {
			dst.Set(kind.UserMetaPrefix()+k[len(removePrefix):], "")
			continue
		}
		for _, p := range passThrough {
			if strings.EqualFold(k, "X-Remove-"+strings.TrimPrefix(p, "X-")) {
				dst.Set(p, "")
			}
		}
	}
	for k, v := range src {
		if len(v) == 0 {
			continue
		}
		if kind.IsUserMeta(k) {
			dst.Set(k, v[0])
			continue
		}
		for _, p := range passThrough {
			if strings.EqualFold(k, p) {
				dst.Set(p, v[0])
			}
		}
	}
	if !owner {
		for _, k := range ownerHeaders {
			dst.Del(k)
		}
	}
}

// nameLimit is Swift's get_name_length_limit: the hidden accounts
// (AutoCreateAccountPrefix) may use names twice as long.
func (s *Server) nameLimit(account string, limit int) int {
	if strings.HasPrefix(account, s.cfg.Constraints.AutoCreateAccountPrefix) {
		return 2 * limit
	}
	return limit
}

// methodNotAllowed is the 405 for a method a controller does not serve.
func methodNotAllowed(allowed string) *StatusError {
	return &StatusError{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {allowed}}}
}
