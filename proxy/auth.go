package proxy

import (
	"context"
	"net/http"
)

// Authorizer decides whether a request may proceed. The auth middleware in
// front of the proxy (proxy/tempauth) identifies the client and attaches an
// Authorizer to the request's context with WithAuthorizer; the proxy calls
// it once it knows what the request acts on. A request without one is
// allowed everything: that is a proxy without auth, for tests and trusted
// internal use only.
type Authorizer interface {
	// Authorize returns what the request may do to t, or a *StatusError
	// (401 when the client is not authenticated, 403 when it is but may
	// not). It is called with r's method and path as the client sent
	// them, and may be called more than once per request (a COPY checks
	// source and destination).
	Authorize(r *http.Request, t Target) (Grant, error)
}

// Target is what a request acts on, with what the proxy knows that
// authorization depends on.
type Target struct {
	Account, Container, Object string
	// Method is what the request does to the target: GET, HEAD, PUT,
	// POST, DELETE (a COPY authorizes a GET of its source and a PUT of its
	// destination).
	Method string
	// ReadACL and WriteACL are the container's X-Container-Read and
	// X-Container-Write, for container and object requests; "" when the
	// container has none or does not exist.
	ReadACL, WriteACL string
}

// Grant is what an authorized request may do beyond the request itself.
type Grant struct {
	// Owner: the client owns the account (an account admin or reseller
	// admin); it sees and may set ACLs and account metadata. Requests
	// allowed only by an ACL are not owners: ACL headers are hidden from
	// their answers.
	Owner bool
	// ResellerAdmin: the client may create and delete accounts and set
	// reseller metadata.
	ResellerAdmin bool
}

type authorizerKey struct{}

// WithAuthorizer attaches the Authorizer the proxy will consult for the
// request.
func WithAuthorizer(ctx context.Context, a Authorizer) context.Context {
	return context.WithValue(ctx, authorizerKey{}, a)
}

// authorize asks the request's Authorizer; without one everything is
// allowed (see Authorizer).
func authorize(r *http.Request, t Target) (Grant, error) {
	a, _ := r.Context().Value(authorizerKey{}).(Authorizer)
	if a == nil {
		return Grant{Owner: true, ResellerAdmin: true}, nil
	}
	return a.Authorize(r, t)
}
