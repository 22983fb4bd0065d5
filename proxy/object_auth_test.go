package proxy_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// fakeAuth is an Authorizer by token: "admin" may do anything; "reader"
// may read where the container's read ACL says .r:*; "writer" may write
// where its write ACL names AUTH_x:writer; no token is a 401, anything
// else a 403. It records what it was asked.
type fakeAuth struct {
	mu      sync.Mutex
	targets []proxy.Target // guarded by mu
}

func (a *fakeAuth) Authorize(r *http.Request, t proxy.Target) (proxy.Grant, error) {
	a.mu.Lock()
	a.targets = append(a.targets, t)
	a.mu.Unlock()
	read := t.Method == "GET" || t.Method == "HEAD"
	switch tok := r.Header.Get("X-Auth-Token"); {
	case tok == "admin",
		tok == "reader" && read && strings.Contains(t.ReadACL, ".r:*"),
		tok == "writer" && !read && t.WriteACL == "AUTH_x:writer":
		return proxy.Grant{Owner: tok == "admin"}, nil
	case tok == "":
		return proxy.Grant{}, &proxy.StatusError{Status: http.StatusUnauthorized}
	}
	return proxy.Grant{}, &proxy.StatusError{Status: http.StatusForbidden}
}

func (a *fakeAuth) reset() []proxy.Target {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.targets
	a.targets = nil
	return t
}

// Every object method asks the Authorizer, with the container's ACLs,
// before it reveals or changes anything; a COPY asks for a read of its
// source and a write of its destination.
func TestObjectAuthorization(t *testing.T) {
	auth := &fakeAuth{}
	tc := newTestCluster(t, cluster.Options{Middleware: func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(w, r.WithContext(proxy.WithAuthorizer(r.Context(), auth)))
		})
	}}, nil)
	tc.mkContainer("AUTH_a", "public", hdr("X-Container-Read", ".r:*", "X-Container-Write", "AUTH_x:writer"))
	tc.mkContainer("AUTH_a", "private", nil)
	for _, p := range []string{"/v1/AUTH_a/public/o", "/v1/AUTH_a/private/o"} {
		if r := tc.do("PUT", p, hdr("X-Auth-Token", "admin"), "data"); r.status != 201 {
			t.Fatalf("admin PUT %s = %d", p, r.status)
		}
	}
	tests := []struct {
		token, method, path string
		header              http.Header
		want                int
	}{
		{"", "GET", "/v1/AUTH_a/public/o", nil, 401},
		{"", "PUT", "/v1/AUTH_a/nope/o", nil, 401},
		{"", "DELETE", "/v1/AUTH_a/private/o", nil, 401},
		{"reader", "GET", "/v1/AUTH_a/public/o", nil, 200},
		{"reader", "HEAD", "/v1/AUTH_a/public/o", nil, 200},
		{"reader", "GET", "/v1/AUTH_a/private/o", nil, 403},
		{"reader", "GET", "/v1/AUTH_a/private/nope", nil, 403},
		{"reader", "PUT", "/v1/AUTH_a/public/new", nil, 403},
		{"reader", "POST", "/v1/AUTH_a/public/o", nil, 403},
		{"reader", "DELETE", "/v1/AUTH_a/public/o", nil, 403},
		{"writer", "GET", "/v1/AUTH_a/public/o", nil, 403},
		{"writer", "PUT", "/v1/AUTH_a/private/new", nil, 403},
		{"writer", "PUT", "/v1/AUTH_a/public/new", nil, 201},
		{"writer", "POST", "/v1/AUTH_a/public/o", nil, 202},
		{"reader", "COPY", "/v1/AUTH_a/public/o", hdr("Destination", "public/c1"), 403},
		{"writer", "COPY", "/v1/AUTH_a/public/o", hdr("Destination", "public/c2"), 403},
		{"writer", "PUT", "/v1/AUTH_a/public/c3", hdr("X-Copy-From", "private/o"), 403},
		{"writer", "DELETE", "/v1/AUTH_a/public/new", nil, 204},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %s %s", tt.token, tt.method, tt.path), func(t *testing.T) {
			h := tt.header.Clone()
			if h == nil {
				h = http.Header{}
			}
			h.Set("X-Auth-Token", tt.token)
			var body any
			if tt.method == "PUT" && h.Get("X-Copy-From") == "" {
				body = "new"
			}
			if r := tc.do(tt.method, tt.path, h, body); r.status != tt.want {
				t.Errorf("= %d %s, want %d", r.status, r.body, tt.want)
			}
		})
	}
	for _, name := range []string{"c1", "c2", "c3"} {
		if s := tc.stored("AUTH_a", "public", name); len(s) != 0 {
			t.Errorf("a denied copy stored %s on %v", name, s)
		}
	}

	auth.reset()
	if r := tc.do("COPY", "/v1/AUTH_a/private/o", hdr("X-Auth-Token", "admin", "Destination", "public/c4"), nil); r.status != 201 {
		t.Fatalf("admin COPY = %d", r.status)
	}
	got := auth.reset()
	want := []proxy.Target{
		{Account: "AUTH_a", Container: "private", Object: "o", Method: "GET"},
		{Account: "AUTH_a", Container: "public", Object: "c4", Method: "PUT", ReadACL: ".r:*", WriteACL: "AUTH_x:writer"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("COPY asked the Authorizer for %+v, want %+v", got, want)
	}
}
