package proxy

import (
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// The object controller: /v1/<account>/<container>/<object>, as Swift's
// ObjectController with its copy middleware.
//
//   - GET and HEAD (object_get.go): one node at a time, primaries then
//     handoffs, the client's Range and conditions passed on; the body is
//     streamed, and a GET that loses its node mid-body resumes from the
//     next one.
//   - PUT (object_put.go): the body streamed to every primary at once,
//     201 at a quorum.
//   - COPY and PUT with X-Copy-From (copy.go): a GET of the source
//     streamed into a PUT of the destination.
//   - POST and DELETE (here): one small request per replica, decided by
//     quorum.
//
// Every method looks the container up first (its ACLs decide what the
// Authorizer allows) and writes need it to exist.
//
// Where this differs from Swift, and why:
//
//   - A write whose container the container nodes cannot vouch for (no
//     quorum) is a 503, not Swift's 404: the container may well exist.
//   - The object name's length is checked for every method, not only PUT
//     (the nodes refuse the others with the same 400 anyway).
//   - The client's credentials (X-Auth-Token, Authorization, Cookie) are
//     not passed to the storage nodes.
//   - A PUT whose body does not match the client's ETag is aborted on
//     every node by the proxy, which computed the MD5 while streaming,
//     and answered 422 (Swift lets the object servers find out). A node
//     that stores another ETag than the proxy's MD5 counts as failed
//     (Swift answers 500 only when the nodes disagree among themselves).
//     If every node answered before the body, the body is not read.
//   - GETs with X-Newest resume too (Swift does not), and a multi-range
//     GET resumes by asking for the client's ranges again and skipping
//     what was sent (Swift asks for the ranges left).
//   - A copy whose source fails mid-body is a 503 (Swift: 499). A copy
//     checks both authorizations and the destination's container before
//     it reads the source; the source answer's X-Backend-* headers are
//     not passed on to the destination's nodes.
//   - 405's Allow lists COPY, which this controller serves (Swift's
//     proxy leaves it to its copy middleware, which adds it to OPTIONS
//     answers only).
//   - X-If-Delete-At, the expirer's condition, is not passed on: the
//     expirer is the replicator's job and does not go through the proxy.
//   - Not served: large objects (SLO, DLO), versioning, symlinks, the
//     CORS headers of actual requests, the expiring-objects queue headers (X-Delete-At-Host,
//     see objectserver/PROTOCOL.md). A guessed Content-Type comes from
//     Go's MIME tables, which may differ from Python's for rare
//     extensions.

// objectMethods are the methods an object answers, for 405's Allow.
const objectMethods = "COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT"

// objectRef names an object.
type objectRef struct {
	account, container, object string
}

// path is the object's unescaped path on its nodes: /account/container/object.
func (o objectRef) path() string { return "/" + o.account + "/" + o.container + "/" + o.object }

// serveObject answers /v1/<account>/<container>/<object>.
func (s *Server) serveObject(w http.ResponseWriter, r *request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return s.objectRead(w, r)
	case http.MethodPut:
		if r.Header.Get("X-Copy-From") != "" {
			return s.objectCopy(w, r)
		}
		return s.objectPut(w, r)
	case http.MethodPost:
		return s.objectPost(w, r)
	case http.MethodDelete:
		return s.objectDelete(w, r)
	case "COPY":
		return s.objectCopy(w, r)
	case http.MethodOptions:
		return s.containerOptions(&withCopyMethod{ResponseWriter: w}, r)
	}
	return &StatusError{Status: http.StatusMethodNotAllowed, Header: http.Header{"Allow": {objectMethods}}}
}

// objectContainer looks the object's container up and asks the request's
// Authorizer whether method may act on the object, with the container's
// ACLs; it is the first thing every object request does, so that a
// client that may not see an object learns nothing of it.
func (s *Server) objectContainer(r *request, o objectRef, method string) (ContainerInfo, error) {
	info := s.containerInfo(r.Context(), o.account, o.container, r.txnID)
	_, err := authorize(r.Request, Target{
		Account: o.account, Container: o.container, Object: o.object, Method: method,
		ReadACL: info.ReadACL, WriteACL: info.WriteACL,
	})
	if err != nil {
		return info, err
	}
	return info, s.cfg.Constraints.CheckObjectName(o.object)
}

// writableContainer is the check of every object write: its container
// exists (404 if not). When the container's nodes could not say (no
// quorum), the answer is 503; Swift answers 404 then too.
func writableContainer(info ContainerInfo) error {
	switch {
	case info.Exists():
		return nil
	case info.Status >= 500:
		return newStatusError(http.StatusServiceUnavailable)
	}
	return newStatusError(http.StatusNotFound)
}

// withCopyMethod adds COPY to the methods of a successful OPTIONS answer,
// as Swift's copy middleware does: an object's OPTIONS is otherwise its
// container's (the container's CORS settings decide a preflight).
type withCopyMethod struct{ http.ResponseWriter }

func (w *withCopyMethod) WriteHeader(status int) {
	if statusClass(status) == 200 {
		for _, k := range []string{"Allow", "Access-Control-Allow-Methods"} {
			if v := w.Header().Get(k); v != "" && !strings.Contains(v, "COPY") {
				w.Header().Set(k, v+", COPY")
			}
		}
	}
	w.ResponseWriter.WriteHeader(status)
}

// gatekept reports whether a header is the cluster's own, which clients
// may neither send nor see (Swift's gatekeeper middleware): X-Backend-*,
// system metadata, and the headers that name the nodes a write updates.
func gatekept(key string) bool {
	k := strings.ToLower(key)
	for _, p := range []string{"x-backend", "x-account-sysmeta-", "x-container-sysmeta-", "x-object-sysmeta-",
		"x-object-transient-sysmeta-"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	switch k {
	case "x-account-host", "x-account-device", "x-account-partition",
		"x-container-host", "x-container-device", "x-container-partition", "x-container-root-db-state",
		"x-delete-at-host", "x-delete-at-device", "x-delete-at-partition", "x-delete-at-container":
		return true
	}
	return false
}

// hopHeader reports whether a header belongs to one HTTP connection
// rather than to the object (RFC 9110 §7.6.1), or is the message framing
// the HTTP libraries set themselves.
func hopHeader(key string) bool {
	switch http.CanonicalHeaderKey(key) {
	case "Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
		"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Expect", "Date":
		return true
	}
	return false
}

// objectNodeHeader is what the object nodes get of a client's request:
// its headers but the connection's, the credentials and the cluster's own
// (gatekept; X-Timestamp is the proxy's to set), and X-Trans-Id. Swift
// forwards the client's headers the same way (with the credentials).
func objectNodeHeader(r *request) http.Header {
	h := r.backendHeader()
	for k, v := range r.Header {
		if hopHeader(k) || gatekept(k) {
			continue
		}
		switch k {
		case "X-Auth-Token", "X-Storage-Token", "Authorization", "Cookie",
			"X-Timestamp", "X-Trans-Id", "X-Trans-Id-Extra", "X-Openstack-Request-Id":
			continue
		}
		h[k] = append([]string(nil), v...)
	}
	return h
}

// objectClientHeader copies a node's answer headers that the client may
// see into dst, as Swift's update_headers and gatekeeper do: not the
// cluster's own, not the connection's, and the ETag without quotes.
// Content-Length and Content-Type are the caller's to set.
func objectClientHeader(dst, src http.Header) {
	for k, v := range src {
		if hopHeader(k) || gatekept(k) {
			continue
		}
		switch k {
		case "Content-Type", "X-Put-Timestamp", "X-Delete-After", "X-Trans-Id", "X-Openstack-Request-Id":
			continue
		case "Etag":
			dst[k] = []string{unquoteETag(v[0])}
			continue
		}
		dst[k] = append([]string(nil), v...)
	}
}

// unquoteETag strips the quotes of an entity tag (normalize_etag).
func unquoteETag(tag string) string { return strings.ReplaceAll(tag, `"`, "") }

// writeNodeAnswer sends a node's small answer (an error, a POST's 202) to
// the client: its status, the headers it may see, and its body as
// Swift's best_response does, typed text/html.
func writeNodeAnswer(w http.ResponseWriter, r *request, nr nodeResponse) {
	if nr.node == nil {
		// Nobody answered: the proxy's own 503.
		newStatusError(nr.status).write(w, r.Request)
		return
	}
	h := w.Header()
	objectClientHeader(h, nr.header)
	h.Set("Content-Type", "text/html; charset=UTF-8")
	if r.Method == http.MethodHead {
		h.Set("Content-Length", "0")
		w.WriteHeader(nr.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(nr.body)))
	w.WriteHeader(nr.status)
	_, _ = w.Write(nr.body) // the client may be gone; nothing to do about it
}

// trueValue is Swift's config_true_value for a header.
func trueValue(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "1", "yes", "on", "t", "y":
		return true
	}
	return false
}

// objectUpdateHeaders spreads the container's replicas over the n
// requests of an object write, in X-Container-Host, -Device and
// -Partition, so that the object servers update every container replica:
// as Swift's _backend_requests, enough of them that the update is durable
// if only a quorum of the object writes succeed (max(Qc + n - Qo, Rc)).
func (s *Server) objectUpdateHeaders(o objectRef, base http.Header, n int) []http.Header {
	hs := make([]http.Header, n)
	for i := range hs {
		hs[i] = base.Clone()
	}
	r := s.cfg.ContainerRing.Ring()
	part := r.Partition(o.account, o.container, "")
	containers := r.Primaries(part)
	if len(containers) == 0 || n == 0 {
		return hs
	}
	need := max(quorumSize(len(containers))+n-quorumSize(n), len(containers))
	for i := range need {
		h, c := hs[i%n], containers[i%len(containers)]
		h.Set("X-Container-Partition", strconv.FormatUint(uint64(part), 10))
		h.Set("X-Container-Host", appendCSV(h.Get("X-Container-Host"), c.IP+":"+strconv.Itoa(c.Port)))
		h.Set("X-Container-Device", appendCSV(h.Get("X-Container-Device"), c.Name))
	}
	return hs
}

// appendCSV is Swift's csv_append.
func appendCSV(list, item string) string {
	if list == "" {
		return item
	}
	return list + "," + item
}

// objectWrite sends a POST or DELETE of o to its replicas with the
// node headers h (X-Timestamp set) and returns every answer.
func (s *Server) objectWrite(r *request, o objectRef, h http.Header) []nodeResponse {
	rg := s.cfg.ObjectRing.Ring()
	part := rg.Partition(o.account, o.container, o.object)
	n := len(rg.Primaries(part))
	return s.backend.fanOutResponses(r.Context(), s.cfg.ObjectRing, part, nodeRequest{
		serverType: objectServer, method: r.Method, part: part, path: o.path(), header: h,
	}, s.objectUpdateHeaders(o, h, n), nil)
}

// objectPost updates an object's metadata on its replicas (202).
func (s *Server) objectPost(w http.ResponseWriter, r *request) error {
	o := objectRef{r.account, r.container, r.object}
	info, err := s.objectContainer(r, o, http.MethodPost)
	if err != nil {
		return err
	}
	if err := writableContainer(info); err != nil {
		return err
	}
	h := objectNodeHeader(r)
	if err := s.cfg.Constraints.CheckMetadata(h, constraints.Object); err != nil {
		return err
	}
	ts := timestamp.New(s.cfg.Now())
	h.Set("X-Timestamp", ts.Internal())
	deleteAt, err := constraints.DeleteAt(h, ts, false)
	if err != nil {
		return err
	}
	setDeleteAt(h, deleteAt)
	resps := s.objectWrite(r, o, h)
	best := bestResponse(resps, quorumSize(len(resps)))
	if best == nil {
		s.log.Error("object POST: no quorum", "statuses", fmt.Sprint(nodeStatuses(resps)), "txn_id", r.txnID)
		return newStatusError(http.StatusServiceUnavailable)
	}
	writeNodeAnswer(w, r, *best)
	return nil
}

// setDeleteAt makes the expiry of a write an X-Delete-At in whole seconds
// (X-Delete-After is the proxy's to convert), or none.
func setDeleteAt(h http.Header, deleteAt int64) {
	h.Del("X-Delete-After")
	if deleteAt != 0 {
		h.Set("X-Delete-At", strconv.FormatInt(deleteAt, 10))
	} else {
		h.Del("X-Delete-At")
	}
}

// objectDelete deletes an object on its replicas: 204, or 404 when a
// quorum of them did not have it. X-If-Delete-At is the expirer's and is
// not passed on.
func (s *Server) objectDelete(w http.ResponseWriter, r *request) error {
	o := objectRef{r.account, r.container, r.object}
	info, err := s.objectContainer(r, o, http.MethodDelete)
	if err != nil {
		return err
	}
	if err := writableContainer(info); err != nil {
		return err
	}
	h := objectNodeHeader(r)
	h.Del("X-If-Delete-At")
	h.Set("X-Timestamp", timestamp.New(s.cfg.Now()).Internal())
	resps := s.objectWrite(r, o, h)
	best := bestResponse(resps, quorumSize(len(resps)))
	if best == nil {
		best = deleteOverride(resps)
	}
	if best == nil {
		s.log.Error("object DELETE: no quorum", "statuses", fmt.Sprint(nodeStatuses(resps)), "txn_id", r.txnID)
		return newStatusError(http.StatusServiceUnavailable)
	}
	writeNodeAnswer(w, r, *best)
	return nil
}

// deleteOverride is Swift's {404: 204} override of an object DELETE
// without a quorum: a node that did not have the object counts as one
// that deleted it, and the answer is a real success among them.
func deleteOverride(resps []nodeResponse) *nodeResponse {
	var best *nodeResponse
	n := 0
	for i := range resps {
		switch st := resps[i].status; {
		case st == http.StatusNotFound:
			n++
		case statusClass(st) == 200:
			n++
			if best == nil || st > best.status {
				best = &resps[i]
			}
		}
	}
	if best == nil || n < quorumSize(len(resps)) {
		return nil
	}
	return best
}

// guessContentType is Swift's guess from the object's name
// (mimetypes.guess_type), for a PUT that has no Content-Type or asks for
// X-Detect-Content-Type; parameters Go adds (charset) are dropped.
func guessContentType(object string) string {
	if t := mime.TypeByExtension(path.Ext(object)); t != "" {
		if mt, _, err := mime.ParseMediaType(t); err == nil {
			return mt
		}
	}
	return "application/octet-stream"
}

// checkContentTypeParams refuses swift_* Content-Type parameters, which
// only the cluster may set (Swift's check_content_type).
func checkContentTypeParams(ct string) error {
	_, params, ok := strings.Cut(ct, ";")
	if !ok {
		return nil
	}
	for _, p := range strings.Split(params, ";") {
		if strings.HasPrefix(strings.TrimLeft(p, " \t"), "swift_") {
			return &StatusError{Status: http.StatusBadRequest, Body: "Invalid Content-Type, swift_* is not a valid parameter name."}
		}
	}
	return nil
}
