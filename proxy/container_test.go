package proxy_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

func TestContainerLifecycle(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusNotFound, "HEAD", "/v1/AUTH_a/c", asOwner...)
	put := c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", withHeaders(asOwner, "X-Container-Meta-Color", "blue")...)
	if put.header.Get("X-Trans-Id") == "" {
		t.Errorf("PUT acAnswer has no X-Trans-Id: %v", put.header)
	}
	c.must(http.StatusAccepted, "PUT", "/v1/AUTH_a/c", asOwner...)

	head := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	for k, want := range map[string]string{
		"X-Container-Object-Count": "0",
		"X-Container-Bytes-Used":   "0",
		"X-Container-Meta-Color":   "blue",
		"X-Storage-Policy":         "Policy-0",
		"Content-Type":             "text/plain; charset=utf-8",
		"Accept-Ranges":            "bytes",
		"Vary":                     "Accept",
	} {
		if got := head.header.Get(k); got != want {
			t.Errorf("HEAD container: %s = %q, want %q", k, got, want)
		}
	}
	if head.header.Get("X-Timestamp") == "" || head.header.Get("Last-Modified") == "" {
		t.Errorf("HEAD container lacks X-Timestamp or Last-Modified: %v", head.header)
	}
	for k := range head.header {
		if strings.HasPrefix(k, "X-Backend-") || k == "X-Put-Timestamp" {
			t.Errorf("HEAD container shows the internal header %s", k)
		}
	}

	c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusNotFound, "HEAD", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusNotFound, "GET", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusNotFound, "DELETE", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusNotFound, "POST", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusMethodNotAllowed, "COPY", "/v1/AUTH_a/c", asOwner...)
}

func TestContainerAccountAutocreate(t *testing.T) {
	t.Run("autocreate", func(t *testing.T) {
		c := newACCluster(t, nil)
		// The account's absence is cached by the first GET; the PUT
		// creates the account and the container, both seen at once.
		c.must(http.StatusNotFound, "GET", "/v1/AUTH_new/c", asOwner...)
		c.must(http.StatusCreated, "PUT", "/v1/AUTH_new/c", asOwner...)
		c.must(http.StatusNoContent, "GET", "/v1/AUTH_new/c", asOwner...)
		acct := c.must(http.StatusOK, "GET", "/v1/AUTH_new", asOwner...)
		if acct.body != "c\n" || acct.header.Get("X-Account-Container-Count") != "1" {
			t.Errorf("account after container PUT = %q, %s containers; want c and 1", acct.body, acct.header.Get("X-Account-Container-Count"))
		}
	})
	t.Run("no autocreate", func(t *testing.T) {
		c := newACCluster(t, func(cfg *proxy.Config) { cfg.AccountAutocreate = false })
		c.must(http.StatusNotFound, "PUT", "/v1/AUTH_new/c", asOwner...)
		c.must(http.StatusNotFound, "HEAD", "/v1/AUTH_new", asOwner...)
	})
}

func TestContainerWriteConstraints(t *testing.T) {
	c := newACCluster(t, nil)
	long := strings.Repeat("c", 257)
	for _, tc := range []struct {
		name, method, path string
		headers            []string
		status             int
		body               string
	}{
		{"name too long", "PUT", "/v1/AUTH_a/" + long, nil, 400, "Container name length of 257 longer than 256"},
		{"metadata name too long", "PUT", "/v1/AUTH_a/c", []string{"X-Container-Meta-" + strings.Repeat("n", 129), "v"}, 400,
			"Metadata name too long: x-container-meta-N" + strings.Repeat("n", 128)},
		{"metadata value too long", "POST", "/v1/AUTH_a/c", []string{"X-Container-Meta-N", strings.Repeat("v", 257)}, 400,
			"Metadata value longer than 256: x-container-meta-N"},
		{"unknown policy", "PUT", "/v1/AUTH_a/c", []string{"X-Storage-Policy", "gold"}, 400, "Invalid X-Storage-Policy 'gold'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := c.do(tc.method, tc.path, withHeaders(asOwner, tc.headers...)...)
			if a.status != tc.status || a.body != tc.body {
				t.Errorf("%s %s = %d %q, want %d %q", tc.method, tc.path, a.status, a.body, tc.status, tc.body)
			}
		})
	}
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/"+strings.Repeat("c", 256), asOwner...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/p", withHeaders(asOwner, "X-Storage-Policy", "policy-0")...)
	// Too many items in one request.
	var many []string
	for i := range 91 {
		many = append(many, fmt.Sprintf("X-Container-Meta-K%d", i), "v")
	}
	if a := c.do("POST", "/v1/AUTH_a/p", withHeaders(asOwner, many...)...); a.status != 400 || a.body != "Too many metadata items; max 90" {
		t.Errorf("POST with 91 metadata items = %d %q", a.status, a.body)
	}
}

func TestContainerPostMetadataAndACLs(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", withHeaders(asOwner, "X-Container-Meta-A", "1", "X-Container-Meta-B", "2")...)
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/c", withHeaders(asOwner,
		"X-Container-Meta-A", "one", "X-Remove-Container-Meta-B", "x",
		"X-Container-Read", "test:reader", "X-Container-Write", "test:writer",
		"X-Container-Meta-Temp-Url-Key", "secret")...)
	head := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	for k, want := range map[string]string{
		"X-Container-Meta-A": "one", "X-Container-Meta-B": "",
		"X-Container-Read": "test:reader", "X-Container-Write": "test:writer",
		"X-Container-Meta-Temp-Url-Key": "secret",
	} {
		if got := head.header.Get(k); got != want {
			t.Errorf("owner's HEAD: %s = %q, want %q", k, got, want)
		}
	}

	// A reader the ACL lets in sees the container but not the owner's
	// headers.
	rh := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", acRoleHeader, "reader")
	for _, k := range []string{"X-Container-Read", "X-Container-Write", "X-Container-Meta-Temp-Url-Key"} {
		if v := rh.header.Get(k); v != "" {
			t.Errorf("reader's HEAD shows %s: %q", k, v)
		}
	}
	if rh.header.Get("X-Container-Meta-A") != "one" {
		t.Errorf("reader's HEAD lacks the metadata: %v", rh.header)
	}

	// A non-owner allowed to write may set metadata but not ACLs.
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/c", acRoleHeader, "writer",
		"X-Container-Read", ".r:*", "X-Container-Meta-Temp-Url-Key", "stolen", "X-Container-Meta-C", "3")
	head = c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	if head.header.Get("X-Container-Read") != "test:reader" || head.header.Get("X-Container-Meta-Temp-Url-Key") != "secret" ||
		head.header.Get("X-Container-Meta-C") != "3" {
		t.Errorf("after a non-owner's POST: read ACL %q, temp URL key %q, meta C %q; want test:reader, secret, 3",
			head.header.Get("X-Container-Read"), head.header.Get("X-Container-Meta-Temp-Url-Key"), head.header.Get("X-Container-Meta-C"))
	}
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/w", acRoleHeader, "writer", "X-Container-Read", ".r:*,.rlistings")
	if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/w", asOwner...).header.Get("X-Container-Read"); got != "" {
		t.Errorf("a non-owner's PUT set the read ACL %q", got)
	}

	// The auth middleware cleans ACLs before they are stored.
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/w", withHeaders(asOwner, "X-Container-Read", " .ref:*, .rlistings")...)
	if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/w", asOwner...).header.Get("X-Container-Read"); got != ".r:*,.rlistings" {
		t.Errorf("cleaned read ACL = %q, want .r:*,.rlistings", got)
	}
	if a := c.do("PUT", "/v1/AUTH_a/w2", withHeaders(asOwner, "X-Container-Write", ".bad:x")...); a.status != 400 ||
		a.body != "Unknown designator in ACL: .bad:x" {
		t.Errorf("PUT with a bad ACL = %d %q", a.status, a.body)
	}
	c.must(http.StatusNotFound, "HEAD", "/v1/AUTH_a/w2", asOwner...)

	// Removing an ACL.
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/c", withHeaders(asOwner, "X-Remove-Container-Read", "x")...)
	if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...).header.Get("X-Container-Read"); got != "" {
		t.Errorf("X-Container-Read after X-Remove-Container-Read = %q", got)
	}
	c.must(http.StatusForbidden, "HEAD", "/v1/AUTH_a/c", acRoleHeader, "reader")
}

func TestContainerListingAuthorization(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/private", asOwner...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/public", withHeaders(asOwner, "X-Container-Read", ".r:*,.rlistings")...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/objects-only", withHeaders(asOwner, "X-Container-Read", ".r:*")...)
	c.putObject("AUTH_a", "public", "o", "x")
	for _, tc := range []struct {
		path   string
		role   string
		status int
	}{
		{"/v1/AUTH_a/private", "", http.StatusUnauthorized},
		{"/v1/AUTH_a/private", "reader", http.StatusForbidden},
		{"/v1/AUTH_a/public", "", http.StatusOK},
		{"/v1/AUTH_a/objects-only", "", http.StatusUnauthorized},
		{"/v1/AUTH_a/missing", "", http.StatusUnauthorized},
		{"/v1/AUTH_nobody/c", "", http.StatusUnauthorized},
		{"/v1/AUTH_nobody/c", "owner", http.StatusNotFound},
	} {
		a := c.do("GET", tc.path, acRoleHeader, tc.role)
		if a.status != tc.status {
			t.Errorf("GET %s as %q = %d %q, want %d", tc.path, tc.role, a.status, a.body, tc.status)
		}
	}
	if a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/public"); a.body != "o\n" || a.header.Get("X-Container-Read") != "" {
		t.Errorf("anonymous listing = %q with read ACL %q; want o and no ACL", a.body, a.header.Get("X-Container-Read"))
	}
	for _, m := range []string{"PUT", "POST", "DELETE"} {
		c.must(http.StatusUnauthorized, m, "/v1/AUTH_a/public")
		c.must(http.StatusForbidden, m, "/v1/AUTH_a/public", acRoleHeader, "reader")
	}
}

func TestContainerDeleteNotEmpty(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	c.putObject("AUTH_a", "c", "o", "hello")
	a := c.must(http.StatusConflict, "DELETE", "/v1/AUTH_a/c", asOwner...)
	if !strings.Contains(a.body, "There was a conflict when trying to complete your request.") {
		t.Errorf("409 body = %q", a.body)
	}
	c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	c.deleteObject("AUTH_a", "c", "o")
	c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_a/c", asOwner...)
}

func TestContainerCountsAfterObjectWrites(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	c.putObject("AUTH_a", "c", "o1", "hello")
	c.putObject("AUTH_a", "c", "o2", "hi")
	head := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	if n, b := head.header.Get("X-Container-Object-Count"), head.header.Get("X-Container-Bytes-Used"); n != "2" || b != "7" {
		t.Errorf("container after two object PUTs: %s objects, %s bytes; want 2, 7", n, b)
	}
	// Containers report to their account on container PUT and DELETE
	// (the container replicator does later otherwise).
	c.must(http.StatusAccepted, "PUT", "/v1/AUTH_a/c", asOwner...)
	acct := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a", asOwner...)
	for k, want := range map[string]string{
		"X-Account-Container-Count": "1", "X-Account-Object-Count": "2", "X-Account-Bytes-Used": "7",
		"X-Account-Storage-Policy-Policy-0-Object-Count": "2",
	} {
		if got := acct.header.Get(k); got != want {
			t.Errorf("account HEAD: %s = %q, want %q", k, got, want)
		}
	}
	var listing []map[string]any
	if err := json.Unmarshal([]byte(c.must(http.StatusOK, "GET", "/v1/AUTH_a?format=json", asOwner...).body), &listing); err != nil {
		t.Fatal(err)
	}
	if len(listing) != 1 || listing[0]["name"] != "c" || listing[0]["count"] != 2.0 || listing[0]["bytes"] != 7.0 {
		t.Errorf("account listing = %v, want c with 2 objects, 7 bytes", listing)
	}
	c.deleteObject("AUTH_a", "c", "o1")
	head = c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...)
	if n, b := head.header.Get("X-Container-Object-Count"), head.header.Get("X-Container-Bytes-Used"); n != "1" || b != "2" {
		t.Errorf("container after an object DELETE: %s objects, %s bytes; want 1, 2", n, b)
	}
}

func TestContainerNodeDown(t *testing.T) {
	c := newACCluster(t, nil)
	_, nodes := c.NodesFor("container", "AUTH_a", "c", "")
	down := nodes[0]
	down.Stop()
	// Writes reach a quorum with a handoff in the stopped node's place.
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/c", withHeaders(asOwner, "X-Container-Meta-K", "v")...)
	if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c", asOwner...).header.Get("X-Container-Meta-K"); got != "v" {
		t.Errorf("metadata with a node down = %q, want v", got)
	}
	c.putObject("AUTH_a", "c", "o", "x")
	if a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/c", asOwner...); a.body != "o\n" {
		t.Errorf("listing with a node down = %q, want o", a.body)
	}
	down.Start(t)

	// Reads fall back to the other replicas when one goes down after the
	// write. (Another account: the first one has no replica on the
	// restarted node, and no replicator runs here to give it one.)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_b/d", asOwner...)
	_, nodes = c.NodesFor("container", "AUTH_b", "d", "")
	nodes[1].Stop()
	for range 3 { // primaries are tried in random order
		c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_b/d", asOwner...)
		c.must(http.StatusNoContent, "GET", "/v1/AUTH_b/d", asOwner...)
	}
	c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_b/d", asOwner...)
	c.must(http.StatusNotFound, "HEAD", "/v1/AUTH_b/d", asOwner...)
	nodes[1].Start(t)
}

func TestContainerInfoCacheSeesWrites(t *testing.T) {
	c := newACCluster(t, nil)
	ctx := t.Context()
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", asOwner...) // creates the account
	if c.Proxy.ContainerExistsForTest(ctx, "AUTH_a", "c") {
		t.Fatal("a container exists before its PUT")
	}
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	if !c.Proxy.ContainerExistsForTest(ctx, "AUTH_a", "c") {
		t.Error("the info cache does not see a container created through the proxy")
	}
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a/c", withHeaders(asOwner, "X-Container-Read", "test:reader")...)
	if got := c.Proxy.ContainerReadACLForTest(ctx, "AUTH_a", "c"); got != "test:reader" {
		t.Errorf("the info cache's read ACL after a POST = %q, want test:reader", got)
	}
	c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_a/c", asOwner...)
	if c.Proxy.ContainerExistsForTest(ctx, "AUTH_a", "c") {
		t.Error("the info cache still sees a container deleted through the proxy")
	}
}

func TestContainerOptions(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/cors", withHeaders(asOwner,
		"X-Container-Meta-Access-Control-Allow-Origin", "http://good.example", "X-Container-Meta-Access-Control-Max-Age", "60")...)
	a := c.must(http.StatusOK, "OPTIONS", "/v1/AUTH_a/cors")
	if a.header.Get("Allow") != "DELETE, GET, HEAD, OPTIONS, POST, PUT" {
		t.Errorf("OPTIONS Allow = %q", a.header.Get("Allow"))
	}
	a = c.must(http.StatusOK, "OPTIONS", "/v1/AUTH_a/cors", "Origin", "http://good.example",
		"Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-auth-token")
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin": "http://good.example", "Access-Control-Max-Age": "60",
		"Access-Control-Allow-Headers": "x-auth-token", "Vary": "Origin, Access-Control-Request-Headers",
	} {
		if got := a.header.Get(k); got != want {
			t.Errorf("preflight %s = %q, want %q", k, got, want)
		}
	}
	c.must(http.StatusUnauthorized, "OPTIONS", "/v1/AUTH_a/cors", "Origin", "http://evil.example", "Access-Control-Request-Method", "GET")
	c.must(http.StatusUnauthorized, "OPTIONS", "/v1/AUTH_a/cors", "Origin", "http://good.example", "Access-Control-Request-Method", "PATCH")
}
