package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// Helpers shared by the account, container and /info tests: a cluster
// with a test authorizer in front, and a small client.

// acRoleHeader names the role the test authorizer gives a request.
const acRoleHeader = "X-Test-Role"

// Roles of acRoleAuth, after tempauth's rules:
//   - "reseller": reseller admin, owner of every account;
//   - "owner": admin of every account (not of account PUT and DELETE);
//   - "reader": the user test:reader, allowed what ACLs grant, and GET
//     and HEAD of accounts (as an account ACL "read-only" would);
//   - "writer": allowed every container request and account GET, HEAD
//     and POST, not an owner (what no tempauth rule allows for account
//     POSTs: to check that the proxy keeps non-owners from owner headers);
//   - none: anonymous, allowed what referrer ACLs grant.
type acRoleAuth struct{}

func (acRoleAuth) Authorize(r *http.Request, t proxy.Target) (proxy.Grant, error) {
	denied := &proxy.StatusError{Status: http.StatusForbidden}
	read := t.Method == http.MethodGet || t.Method == http.MethodHead
	acl := strings.Split(t.ReadACL, ",")
	switch r.Header.Get(acRoleHeader) {
	case "reseller":
		return proxy.Grant{Owner: true, ResellerAdmin: true}, nil
	case "owner":
		if t.Container == "" && (t.Method == http.MethodPut || t.Method == http.MethodDelete) {
			return proxy.Grant{}, denied
		}
		return proxy.Grant{Owner: true}, nil
	case "reader":
		if read && (t.Container == "" || slices.Contains(acl, "test:reader")) {
			return proxy.Grant{}, nil
		}
		return proxy.Grant{}, denied
	case "writer":
		if t.Container != "" || read || t.Method == http.MethodPost {
			return proxy.Grant{}, nil
		}
		return proxy.Grant{}, denied
	}
	if read && t.Container != "" && slices.Contains(acl, ".r:*") && slices.Contains(acl, ".rlistings") {
		return proxy.Grant{}, nil
	}
	return proxy.Grant{}, &proxy.StatusError{Status: http.StatusUnauthorized}
}

// CleanACL makes acRoleAuth a proxy.ACLCleaner: ".ref:" is shortened
// to ".r:"; other dotted designators are refused, as tempauth does.
func (acRoleAuth) CleanACL(header, value string) (string, error) {
	var out []string
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		switch {
		case strings.HasPrefix(item, ".ref:"):
			item = ".r:" + strings.TrimPrefix(item, ".ref:")
		case strings.HasPrefix(item, ".") && item != ".rlistings" && !strings.HasPrefix(item, ".r:"):
			return "", &proxy.StatusError{Status: http.StatusBadRequest, Body: "Unknown designator in ACL: " + item}
		}
		out = append(out, item)
	}
	return strings.Join(out, ","), nil
}

var _ proxy.ACLCleaner = acRoleAuth{}

func acWithAuth(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(proxy.WithAuthorizer(r.Context(), acRoleAuth{})))
	})
}

// acCluster is a cluster with the test authorizer and a client.
type acCluster struct {
	*cluster.Cluster
	t *testing.T
}

func newACCluster(t *testing.T, configure func(*proxy.Config)) *acCluster {
	t.Helper()
	c := cluster.New(t, cluster.Options{Proxy: configure, Middleware: acWithAuth})
	return &acCluster{Cluster: c, t: t}
}

// acAnswer is a response read whole.
type acAnswer struct {
	status int
	header http.Header
	body   string
}

// do sends a request to the proxy; headers are name, value pairs.
func (c *acCluster) do(method, path string, headers ...string) acAnswer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("%s %s: reading the body: %v", method, path, err)
	}
	return acAnswer{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

// must sends a request and fails the test unless it gets status.
func (c *acCluster) must(status int, method, path string, headers ...string) acAnswer {
	c.t.Helper()
	a := c.do(method, path, headers...)
	if a.status != status {
		c.t.Fatalf("%s %s = %d %q, want %d", method, path, a.status, a.body, status)
	}
	return a
}

// asOwner is the header pair of an account owner.
var asOwner = []string{acRoleHeader, "owner"}

func withHeaders(base []string, more ...string) []string {
	return append(slices.Clone(base), more...)
}

// putObject writes an object straight to its object servers, as the
// proxy's object controller would, naming the container servers to
// update (one each): the listing and counts then change as after a PUT
// through the proxy.
func (c *acCluster) putObject(account, container, object, body string) {
	c.t.Helper()
	c.objectRequest(http.MethodPut, account, container, object, body, http.StatusCreated)
}

// deleteObject deletes an object on its object servers.
func (c *acCluster) deleteObject(account, container, object string) {
	c.t.Helper()
	c.objectRequest(http.MethodDelete, account, container, object, "", http.StatusNoContent)
}

func (c *acCluster) objectRequest(method, account, container, object, body string, want int) {
	c.t.Helper()
	oring, cring := c.Rings["object"], c.Rings["container"]
	opart := oring.Partition(account, container, object)
	cpart := cring.Partition(account, container, "")
	cnodes := cring.Primaries(cpart)
	ts := timestamp.New(time.Now()).Internal()
	for i, d := range oring.Primaries(opart) {
		u := fmt.Sprintf("http://%s:%d/%s/%d/%s/%s/%s", d.IP, d.Port, d.Name, opart,
			url.PathEscape(account), url.PathEscape(container), url.PathEscape(object))
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil {
			c.t.Fatal(err)
		}
		cn := cnodes[i%len(cnodes)]
		req.Header.Set("X-Timestamp", ts)
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("X-Container-Host", fmt.Sprintf("%s:%d", cn.IP, cn.Port))
		req.Header.Set("X-Container-Device", cn.Name)
		req.Header.Set("X-Container-Partition", fmt.Sprint(cpart))
		req.Header.Set("X-Backend-Storage-Policy-Index", "0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			c.t.Fatalf("%s object %s/%s/%s on %s: %v", method, account, container, object, d.Name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			c.t.Fatalf("%s object %s/%s/%s on %s = %d %q, want %d", method, account, container, object, d.Name, resp.StatusCode, b, want)
		}
	}
}

// nodeOf returns the cluster node that serves device d.
func (c *acCluster) nodeOf(device string) *cluster.Node {
	for _, n := range c.Nodes {
		if n.Device == device {
			return n
		}
	}
	c.t.Fatalf("no node has device %s", device)
	return nil
}
