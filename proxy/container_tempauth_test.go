package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/proxy/tempauth"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// The controllers behind the real tempauth: tokens, ownership, container
// ACLs and the /info section it registers.
func TestContainersBehindTempauth(t *testing.T) {
	var auth *tempauth.Auth
	c := &acCluster{t: t, Cluster: cluster.New(t, cluster.Options{
		Middleware: func(next http.Handler) http.Handler {
			var err error
			auth, err = tempauth.New(next, tempauth.Config{Users: []tempauth.User{
				{Account: "test", User: "tester", Key: "testing", Groups: []string{".admin"}},
				{Account: "test", User: "tester3", Key: "testing3"},
				{Account: "test2", User: "tester2", Key: "testing2", Groups: []string{".admin"}},
			}})
			if err != nil {
				t.Fatal(err)
			}
			return auth
		},
	})}
	token := func(user, key string) []string {
		a := c.must(http.StatusOK, "GET", "/auth/v1.0", "X-Auth-User", user, "X-Auth-Key", key)
		return []string{"X-Auth-Token", a.header.Get("X-Auth-Token")}
	}
	tester, tester3, tester2 := token("test:tester", "testing"), token("test:tester3", "testing3"), token("test2:tester2", "testing2")

	c.must(http.StatusCreated, "PUT", "/v1/AUTH_test/private", tester...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_test/shared", withHeaders(tester, "X-Container-Read", "test:tester3")...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_test/public", withHeaders(tester, "X-Container-Read", ".r:*,.rlistings")...)
	c.putObject("AUTH_test", "public", "o", "x")

	if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_test/shared", tester...).header.Get("X-Container-Read"); got != "test:tester3" {
		t.Errorf("owner's HEAD: X-Container-Read %q", got)
	}
	a := c.must(http.StatusNoContent, "GET", "/v1/AUTH_test/shared", tester3...)
	if a.header.Get("X-Container-Read") != "" {
		t.Errorf("ACL reader sees X-Container-Read %q", a.header.Get("X-Container-Read"))
	}
	c.must(http.StatusForbidden, "GET", "/v1/AUTH_test/private", tester3...)
	c.must(http.StatusForbidden, "PUT", "/v1/AUTH_test/new", tester3...)
	c.must(http.StatusForbidden, "POST", "/v1/AUTH_test/shared", tester3...)
	c.must(http.StatusForbidden, "DELETE", "/v1/AUTH_test/shared", tester3...)
	c.must(http.StatusForbidden, "GET", "/v1/AUTH_test", tester2...)
	c.must(http.StatusForbidden, "GET", "/v1/AUTH_test", tester3...)
	if a := c.must(http.StatusOK, "GET", "/v1/AUTH_test/public"); a.body != "o\n" {
		t.Errorf("anonymous listing of a public container = %q", a.body)
	}
	c.must(http.StatusUnauthorized, "GET", "/v1/AUTH_test/private")
	c.must(http.StatusUnauthorized, "GET", "/v1/AUTH_test")
	if a := c.must(http.StatusOK, "GET", "/v1/AUTH_test", tester...); a.body != "private\npublic\nshared\n" {
		t.Errorf("owner's account listing = %q", a.body)
	}
	// A fresh account through its own admin: created by the first
	// container PUT.
	c.must(http.StatusNoContent, "GET", "/v1/AUTH_test2", tester2...)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_test2/c", tester2...)
	c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_test2/c", tester2...)

	// What tempauth registers shows in /info, given to the proxy.
	p, err := proxy.New(func() proxy.Config {
		cfg := proxy.DefaultConfig()
		cfg.AccountRing, cfg.ContainerRing, cfg.ObjectRing = proxy.StaticRing(c.Rings["account"]),
			proxy.StaticRing(c.Rings["container"]), proxy.StaticRing(c.Rings["object"])
		cfg.Salt = cluster.Salt
		cfg.InfoSections = auth.InfoSections()
		return cfg
	}())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rec := httptest.NewRecorder()
	p.ServeHTTP(rec, httptest.NewRequest("GET", "/info", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /info = %d", rec.Code)
	}
	var info map[string]map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &info); err != nil {
		t.Fatalf("/info %q: %v", rec.Body.String(), err)
	}
	if _, ok := info["tempauth"]["account_acls"]; !ok || info["swift"]["version"] == nil {
		t.Errorf("/info with tempauth's sections = %s", rec.Body.String())
	}
}
