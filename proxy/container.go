package proxy

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// The container controller: /v1/<account>/<container>, as Swift's
// ContainerController.
//
//   - GET and HEAD: the listing and the container's counts and metadata
//     from one container node (listing.go), once its account is known to
//     exist; authorized with the container's read ACL (.rlistings).
//   - PUT: creates the container on every replica (201, 202 if it
//     existed), each container node told which account node to report
//     to; creates the account first with AccountAutocreate.
//   - POST: metadata and ACLs (204). DELETE: 204, 409 while it lists
//     objects, 404.
//
// Writes forget what the info cache knew of the container, so object
// requests through this proxy see a creation or deletion at once.

// containerPassThrough are the container headers a client's write may set
// besides metadata (Swift's pass_through_headers, less
// X-Versions-Location: versioning is not served).
var containerPassThrough = []string{"X-Container-Read", "X-Container-Write", "X-Container-Sync-Key", "X-Container-Sync-To"}

const containerMethods = "DELETE, GET, HEAD, OPTIONS, POST, PUT"

// defaultPolicy is the name of the one storage policy (index 0), as
// X-Storage-Policy and /info name it.
const defaultPolicy = "Policy-0"

// serveContainer answers /v1/<account>/<container>.
func (s *Server) serveContainer(w http.ResponseWriter, r *request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return s.containerGetOrHead(w, r)
	case http.MethodPut:
		return s.containerPut(w, r)
	case http.MethodPost:
		return s.containerPost(w, r)
	case http.MethodDelete:
		return s.containerDelete(w, r)
	case http.MethodOptions:
		return s.containerOptions(w, r)
	}
	return methodNotAllowed(containerMethods)
}

func (s *Server) containerGetOrHead(w http.ResponseWriter, r *request) error {
	q := parseListingQuery(r)
	if r.Method == http.MethodGet {
		var err error
		if q, err = checkListing(r, s.cfg.Constraints.ContainerListingLimit); err != nil {
			return err
		}
	}
	target := Target{Account: r.account, Container: r.container, Method: r.Method}
	// The hidden accounts' containers exist without their account.
	if !strings.HasPrefix(r.account, s.cfg.Constraints.AutoCreateAccountPrefix) {
		if ai := s.accountInfo(r.Context(), r.account, r.txnID); !ai.Exists() {
			if _, err := authorize(r.Request, target); err != nil {
				return err
			}
			return newStatusError(http.StatusNotFound)
		}
	}
	a := s.readListing(r, containerServer, s.cfg.ContainerRing)
	s.info.putContainer(r.account, r.container, newContainerInfo(a.status, a.header.Clone()))
	// Authorized only now, with the ACLs of the container as its nodes
	// say (Swift's delay_denial): nothing of it is sent before.
	target.ReadACL, target.WriteACL = a.header.Get("X-Container-Read"), a.header.Get("X-Container-Write")
	grant, err := authorize(r.Request, target)
	if err != nil {
		a.close()
		return err
	}
	if a.status/100 == 2 {
		if a.header.Get("X-Backend-Storage-Policy-Index") != "" {
			w.Header().Set("X-Storage-Policy", defaultPolicy)
		}
		varyAccept(w.Header(), a.status, q)
	}
	s.writeAnswer(w, r, a, grant.Owner)
	return nil
}

// ACLCleaner is an Authorizer that also checks container ACLs before they
// are stored (Swift's swift.clean_acl hook, which tempauth sets): for a
// container PUT or POST the proxy passes it X-Container-Read and
// X-Container-Write, stores the values it returns, and answers its error
// as it is if it is a *StatusError (Swift: 400 with the reason), else as
// a 400 with the error's text.
type ACLCleaner interface {
	CleanACL(header, value string) (string, error)
}

// cleanACLs runs the request's ACL headers through the Authorizer's
// ACLCleaner, if it has one.
func cleanACLs(r *request) error {
	cleaner, ok := r.Context().Value(authorizerKey{}).(ACLCleaner)
	if !ok {
		return nil
	}
	for _, k := range []string{"X-Container-Read", "X-Container-Write"} {
		v, ok := r.Header[k]
		if !ok || len(v) == 0 {
			continue
		}
		clean, err := cleaner.CleanACL(k, v[0])
		if err != nil {
			if se, ok := err.(*StatusError); ok {
				return se
			}
			return &StatusError{Status: http.StatusBadRequest, Body: err.Error()}
		}
		r.Header[k] = []string{clean}
	}
	return nil
}

// checkContainerWrite is what Swift checks of a container PUT or POST
// before acting: the ACLs (cleanACLs) and metadata (400) and, for a PUT,
// the storage policy and the name's length.
func (s *Server) checkContainerWrite(r *request) (policy http.Header, err error) {
	if err := cleanACLs(r); err != nil {
		return nil, err
	}
	if err := s.cfg.Constraints.CheckMetadata(r.Header, constraints.Container); err != nil {
		return nil, err
	}
	if r.Method != http.MethodPut {
		return nil, nil
	}
	policy = http.Header{"X-Backend-Storage-Policy-Default": {"0"}}
	if name := r.Header.Get("X-Storage-Policy"); name != "" {
		if !strings.EqualFold(name, defaultPolicy) {
			return nil, &StatusError{Status: http.StatusBadRequest, Body: fmt.Sprintf("Invalid X-Storage-Policy '%s'", name),
				Header: http.Header{"Content-Type": {"text/plain; charset=UTF-8"}}}
		}
		policy = http.Header{"X-Backend-Storage-Policy-Index": {"0"}}
	}
	if limit := s.nameLimit(r.account, s.cfg.Constraints.MaxContainerNameLength); len(r.container) > limit {
		return nil, &StatusError{Status: http.StatusBadRequest,
			Body: fmt.Sprintf("Container name length of %d longer than %d", len(r.container), limit)}
	}
	return policy, nil
}

// containerNodeHeaders are the headers of a container PUT or DELETE to
// each container replica, as Swift's _backend_requests: the same
// timestamp and client headers, and the account's nodes spread over them
// (X-Account-Host, -Device, -Partition), so that each container node
// reports the change to its own account replica.
func (s *Server) containerNodeHeaders(r *request, base http.Header) []http.Header {
	cring := s.cfg.ContainerRing.Ring()
	n := len(cring.Primaries(cring.Partition(r.account, r.container, "")))
	aring := s.cfg.AccountRing.Ring()
	apart := aring.Partition(r.account, "", "")
	headers := make([]http.Header, n)
	for i := range headers {
		headers[i] = base.Clone()
	}
	for i, d := range aring.Primaries(apart) {
		h := headers[i%n]
		h.Set("X-Account-Partition", strconv.FormatUint(uint64(apart), 10))
		h.Set("X-Account-Host", csvAppend(h.Get("X-Account-Host"), fmt.Sprintf("%s:%d", d.IP, d.Port)))
		h.Set("X-Account-Device", csvAppend(h.Get("X-Account-Device"), d.Name))
	}
	return headers
}

func csvAppend(list, item string) string {
	if list == "" {
		return item
	}
	return list + "," + item
}

// containerWriteHeader is the base of the nodes' headers for a client's
// container write: its transaction, a new timestamp, what it may set.
func (s *Server) containerWriteHeader(r *request, owner bool, extra http.Header) http.Header {
	h := r.backendHeader()
	h.Set("X-Timestamp", timestamp.New(s.cfg.Now()).Internal())
	for k, v := range extra {
		h[k] = v
	}
	transferHeaders(h, r.Header, constraints.Container, containerPassThrough, owner)
	return h
}

func (s *Server) containerPut(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Container: r.container, Method: r.Method})
	if err != nil {
		return err
	}
	policy, err := s.checkContainerWrite(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if ai := s.accountInfo(ctx, r.account, r.txnID); !ai.Exists() {
		if !s.cfg.AccountAutocreate {
			return newStatusError(http.StatusNotFound)
		}
		if !s.autocreateAccount(ctx, r) {
			return newStatusError(http.StatusServiceUnavailable)
		}
		if ai = s.accountInfo(ctx, r.account, r.txnID); !ai.Exists() {
			return newStatusError(http.StatusNotFound)
		}
	}
	headers := s.containerNodeHeaders(r, s.containerWriteHeader(r, grant.Owner, policy))
	resp := s.writeItem(ctx, itemWrite{serverType: containerServer, src: s.cfg.ContainerRing, method: http.MethodPut,
		account: r.account, container: r.container, headers: headers})
	s.info.forget(r.account, r.container)
	writeNodeResponse(w, r, resp, grant.Owner)
	return nil
}

func (s *Server) containerPost(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Container: r.container, Method: r.Method})
	if err != nil {
		return err
	}
	if _, err := s.checkContainerWrite(r); err != nil {
		return err
	}
	ctx := r.Context()
	if ai := s.accountInfo(ctx, r.account, r.txnID); !ai.Exists() {
		return newStatusError(http.StatusNotFound)
	}
	h := s.containerWriteHeader(r, grant.Owner, nil)
	resp := s.writeItem(ctx, itemWrite{serverType: containerServer, src: s.cfg.ContainerRing, method: http.MethodPost,
		account: r.account, container: r.container, header: h})
	s.info.forget(r.account, r.container)
	writeNodeResponse(w, r, resp, grant.Owner)
	return nil
}

func (s *Server) containerDelete(w http.ResponseWriter, r *request) error {
	grant, err := authorize(r.Request, Target{Account: r.account, Container: r.container, Method: r.Method})
	if err != nil {
		return err
	}
	ctx := r.Context()
	if ai := s.accountInfo(ctx, r.account, r.txnID); !ai.Exists() {
		return newStatusError(http.StatusNotFound)
	}
	base := s.containerWriteHeader(r, grant.Owner, http.Header{"X-Backend-Storage-Policy-Default": {"0"}})
	resp := s.writeItem(ctx, itemWrite{serverType: containerServer, src: s.cfg.ContainerRing, method: http.MethodDelete,
		account: r.account, container: r.container, headers: s.containerNodeHeaders(r, base)})
	s.info.forget(r.account, r.container)
	if resp.status == http.StatusAccepted {
		// No node had the container (Swift's reading of a 202).
		return newStatusError(http.StatusNotFound)
	}
	writeNodeResponse(w, r, resp, grant.Owner)
	return nil
}

// containerOptions answers OPTIONS: the methods, and for a CORS preflight
// (with Origin) whether the container's X-Container-Meta-Access-Control-*
// allow it (401 if not), as Swift's Controller.OPTIONS.
func (s *Server) containerOptions(w http.ResponseWriter, r *request) error {
	h := w.Header()
	h.Set("Allow", containerMethods)
	h.Set("Content-Length", "0")
	origin := r.Header.Get("Origin")
	if origin == "" {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	var allowOrigin, maxAge string
	if ci := s.containerInfo(r.Context(), r.account, r.container, r.txnID); ci.Exists() {
		allowOrigin = ci.Header.Get("X-Container-Meta-Access-Control-Allow-Origin")
		maxAge = ci.Header.Get("X-Container-Meta-Access-Control-Max-Age")
	}
	origins := strings.Fields(allowOrigin)
	methods := strings.Split(containerMethods, ", ")
	if !slices.Contains(origins, origin) && !slices.Contains(origins, "*") ||
		!slices.Contains(methods, r.Header.Get("Access-Control-Request-Method")) {
		w.WriteHeader(http.StatusUnauthorized)
		return nil
	}
	var vary []string
	if strings.TrimSpace(allowOrigin) == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
		vary = append(vary, "Origin")
	}
	if maxAge != "" {
		h.Set("Access-Control-Max-Age", maxAge)
	}
	h.Set("Access-Control-Allow-Methods", containerMethods)
	var allowHeaders []string
	for _, v := range strings.Split(r.Header.Get("Access-Control-Request-Headers"), ",") {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(allowHeaders, v) {
			allowHeaders = append(allowHeaders, v)
		}
	}
	if len(allowHeaders) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(allowHeaders, ", "))
		vary = append(vary, "Access-Control-Request-Headers")
	}
	if len(vary) > 0 {
		h.Set("Vary", strings.Join(vary, ", "))
	}
	w.WriteHeader(http.StatusOK)
	return nil
}
