package tempauth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/swiftlet/swiftlet/proxy"
)

// authorizer is the proxy.Authorizer of one request: Swift's
// TempAuth.authorize for the identity the request's token names.
type authorizer struct {
	auth *Auth
	id   *Identity // nil: an anonymous client
	// denyAll: neither the token nor the path is this middleware's;
	// every target is refused (Swift's denied_response).
	denyAll bool
}

// Authorize is Swift's TempAuth.authorize: see "Authorization" in the
// package doc. t.Method, when set, is what is authorized (r.Method
// otherwise).
func (z *authorizer) Authorize(r *http.Request, t proxy.Target) (proxy.Grant, error) {
	a := z.auth
	prefix := a.cfg.ResellerPrefix
	if z.denyAll || !strings.HasPrefix(t.Account, prefix) {
		return z.deny(t)
	}
	method := t.Method
	if method == "" {
		method = r.Method
	}
	var groups []string
	if z.id != nil {
		groups = z.id.Groups
	}
	has := func(g string) bool { return slices.Contains(groups, g) }
	grant := proxy.Grant{ResellerAdmin: has(".reseller_admin")}
	// Not the bare prefix, and not a dot account (AUTH_.x): those are
	// beyond reseller admins.
	resellerScope := t.Account != prefix && t.Account[len(prefix)] != '.'
	read := method == http.MethodGet || method == http.MethodHead

	switch {
	case has(".reseller_admin") && resellerScope:
		grant.Owner = true
		return grant, nil
	case has(".reseller_reader") && resellerScope && read:
		return grant, nil
	case has(t.Account) && (method != http.MethodPut && method != http.MethodDelete || t.Container != "") &&
		(a.cfg.RequireGroup == "" || has(a.cfg.RequireGroup)):
		grant.Owner = true
		return grant, nil
	case method == http.MethodOptions:
		return grant, nil
	}

	referrers, aclGroups := ParseACL(aclFor(t, method))
	if ReferrerAllowed(r.Referer(), referrers) && (t.Object != "" || slices.Contains(aclGroups, ".rlistings")) {
		return grant, nil
	}
	for _, g := range groups {
		if slices.Contains(aclGroups, g) {
			return grant, nil
		}
	}
	return z.deny(t)
}

// aclFor is the container ACL Swift's controllers hand to authorize for a
// method on the target.
func aclFor(t proxy.Target, method string) string {
	switch {
	case t.Container == "":
		return ""
	case method == http.MethodGet || method == http.MethodHead:
		return t.ReadACL
	case t.Object != "" && (method == http.MethodPut || method == http.MethodPost || method == http.MethodDelete):
		return t.WriteACL
	}
	return ""
}

// deny is Swift's denied_response: 403 for an authenticated client, 401
// challenging for the account's realm for an anonymous one.
func (z *authorizer) deny(t proxy.Target) (proxy.Grant, error) {
	if z.id != nil {
		z.auth.metrics.denials.WithLabelValues("403").Inc()
		z.auth.log.Debug("forbidden", "user", z.id.Name(), "account", t.Account,
			"container", t.Container, "object", t.Object, "method", t.Method)
		return proxy.Grant{}, &proxy.StatusError{Status: http.StatusForbidden}
	}
	z.auth.metrics.denials.WithLabelValues("401").Inc()
	realm := t.Account
	if realm == "" || realm == "v1.0" || realm == "auth" {
		realm = "unknown"
	}
	return proxy.Grant{}, &proxy.StatusError{
		Status: http.StatusUnauthorized,
		Header: http.Header{"Www-Authenticate": {`Swift realm="` + pyQuote(realm) + `"`}},
	}
}

// CleanACL is Swift's swift.clean_acl for the proxy, which cannot import
// this package: the proxy finds it on the request's Authorizer by type
// assertion and cleans X-Container-Read and X-Container-Write with it
// before storing them. A refused ACL is a 400 with Swift's explanation.
func (z *authorizer) CleanACL(header, value string) (string, error) {
	v, err := CleanACL(header, value)
	if ae, ok := err.(*ACLError); ok {
		return "", &proxy.StatusError{Status: http.StatusBadRequest, Body: ae.Reason}
	}
	return v, err
}
