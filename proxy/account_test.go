package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

// An account that does not exist yet reads as an empty one when it would
// be created on first write, as Swift's proxy answers.
func TestAccountAutocreateFakeListing(t *testing.T) {
	c := newACCluster(t, nil)
	for _, tc := range []struct {
		method, query, accept string
		status                int
		contentType, body     string
		vary                  string
	}{
		{"GET", "", "", 204, "text/plain; charset=utf-8", "", "Accept"},
		{"GET", "?format=json", "", 200, "application/json; charset=utf-8", "[]", ""},
		{"GET", "", "application/json", 200, "application/json; charset=utf-8", "[]", "Accept"},
		{"GET", "?format=xml", "", 200, "application/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"AUTH_new\">\n</account>", ""},
		{"GET", "", "text/xml", 200, "text/xml; charset=utf-8",
			"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"AUTH_new\">\n</account>", "Accept"},
		{"HEAD", "", "", 200, "text/plain; charset=utf-8", "", "Accept"},
	} {
		a := c.do(tc.method, "/v1/AUTH_new"+tc.query, withHeaders(asOwner, "Accept", tc.accept)...)
		if a.status != tc.status || a.header.Get("Content-Type") != tc.contentType || a.body != tc.body || a.header.Get("Vary") != tc.vary {
			t.Errorf("%s %s (Accept %q) = %d %q %q Vary %q, want %d %q %q Vary %q", tc.method, tc.query, tc.accept,
				a.status, a.header.Get("Content-Type"), a.body, a.header.Get("Vary"), tc.status, tc.contentType, tc.body, tc.vary)
		}
		for _, k := range []string{"X-Account-Container-Count", "X-Account-Object-Count", "X-Account-Bytes-Used"} {
			if got := a.header.Get(k); got != "0" {
				t.Errorf("%s %s: %s = %q, want 0", tc.method, tc.query, k, got)
			}
		}
		if a.header.Get("X-Timestamp") == "" {
			t.Errorf("%s %s: no X-Timestamp", tc.method, tc.query)
		}
	}
	if a := c.do("GET", "/v1/AUTH_new", withHeaders(asOwner, "Accept", "image/png")...); a.status != http.StatusNotAcceptable {
		t.Errorf("GET Accept image/png = %d, want 406", a.status)
	}
	// Nothing was created by reading.
	c2 := newACCluster(t, func(cfg *proxy.Config) { cfg.AccountAutocreate = false })
	c2.must(http.StatusNotFound, "GET", "/v1/AUTH_new", asOwner...)
	c2.must(http.StatusNotFound, "HEAD", "/v1/AUTH_new", asOwner...)
	c2.must(http.StatusNotFound, "POST", "/v1/AUTH_new", withHeaders(asOwner, "X-Account-Meta-A", "1")...)
}

func TestAccountPostMetadata(t *testing.T) {
	c := newACCluster(t, nil)
	// The first POST creates the account.
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Account-Meta-Color", "blue", "X-Account-Meta-Size", "L")...)
	head := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a", asOwner...)
	for k, want := range map[string]string{
		"X-Account-Meta-Color": "blue", "X-Account-Meta-Size": "L",
		"X-Account-Container-Count": "0", "X-Account-Object-Count": "0", "X-Account-Bytes-Used": "0",
		"Content-Type": "text/plain; charset=utf-8", "Accept-Ranges": "bytes",
	} {
		if got := head.header.Get(k); got != want {
			t.Errorf("HEAD account: %s = %q, want %q", k, got, want)
		}
	}
	if head.header.Get("X-Timestamp") == "" {
		t.Error("HEAD account: no X-Timestamp")
	}
	for k := range head.header {
		if strings.HasPrefix(k, "X-Backend-") || strings.Contains(k, "Sysmeta") || k == "X-Put-Timestamp" {
			t.Errorf("HEAD account shows the internal header %s", k)
		}
	}
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Remove-Account-Meta-Color", "x", "X-Account-Meta-Size", "M")...)
	head = c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a", asOwner...)
	if head.header.Get("X-Account-Meta-Color") != "" || head.header.Get("X-Account-Meta-Size") != "M" {
		t.Errorf("after removing Color and setting Size: %v", head.header)
	}

	for _, tc := range []struct {
		name    string
		path    string
		headers []string
		body    string
	}{
		{"name too long", "/v1/" + strings.Repeat("a", 257), nil, "Account name length of 257 longer than 256"},
		{"value too long", "/v1/AUTH_a", []string{"X-Account-Meta-V", strings.Repeat("v", 257)}, "Metadata value longer than 256: x-account-meta-V"},
		{"header too long", "/v1/AUTH_a", []string{"X-Account-Meta-V", strings.Repeat("v", 8193)}, "Header value too long: X-Account-Meta-V"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a := c.do("POST", tc.path, withHeaders(asOwner, tc.headers...)...); a.status != 400 || a.body != tc.body {
				t.Errorf("POST = %d %q, want 400 %q", a.status, a.body, tc.body)
			}
		})
	}
	// The account's totals are checked by its nodes.
	for i := range 3 {
		v := strings.Repeat("x", 250)
		c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Account-Meta-Big"+string(rune('a'+i)), v,
			"X-Account-Meta-Bigg"+string(rune('a'+i)), v, "X-Account-Meta-Biggg"+string(rune('a'+i)), v,
			"X-Account-Meta-Bigggg"+string(rune('a'+i)), v, "X-Account-Meta-Biggggg"+string(rune('a'+i)), v)...)
	}
	if a := c.do("POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Account-Meta-More", strings.Repeat("y", 250))...); a.status != 400 ||
		!strings.Contains(a.body, "Total metadata too large; max 4096") {
		t.Errorf("POST over the account's total = %d %q", a.status, a.body)
	}
}

func TestAccountOwnerHeaders(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner,
		"X-Account-Meta-Temp-Url-Key", "secret", "X-Account-Meta-Temp-Url-Key-2", "secret2", "X-Account-Meta-Public", "yes")...)
	for _, method := range []string{"HEAD", "GET"} {
		a := c.do(method, "/v1/AUTH_a", asOwner...)
		if a.status/100 != 2 || a.header.Get("X-Account-Meta-Temp-Url-Key") != "secret" || a.header.Get("X-Account-Meta-Temp-Url-Key-2") != "secret2" {
			t.Errorf("owner's %s = %d, temp URL keys %q, %q", method, a.status,
				a.header.Get("X-Account-Meta-Temp-Url-Key"), a.header.Get("X-Account-Meta-Temp-Url-Key-2"))
		}
		a = c.do(method, "/v1/AUTH_a", acRoleHeader, "reader")
		if a.status/100 != 2 || a.header.Get("X-Account-Meta-Public") != "yes" {
			t.Errorf("reader's %s = %d %v", method, a.status, a.header)
		}
		for _, k := range []string{"X-Account-Meta-Temp-Url-Key", "X-Account-Meta-Temp-Url-Key-2"} {
			if v := a.header.Get(k); v != "" {
				t.Errorf("reader's %s shows %s: %q", method, k, v)
			}
		}
	}
	// Non-owners cannot set owner-only metadata; account ACLs are not
	// stored at all (the auth middleware does not support them).
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", acRoleHeader, "writer",
		"X-Account-Meta-Temp-Url-Key", "stolen", "X-Account-Meta-Public", "no")
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Account-Access-Control", `{"admin":["x:y"]}`)...)
	head := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a", asOwner...)
	if head.header.Get("X-Account-Meta-Temp-Url-Key") != "secret" || head.header.Get("X-Account-Meta-Public") != "no" ||
		head.header.Get("X-Account-Access-Control") != "" {
		t.Errorf("after a non-owner's POST: temp URL key %q, public %q, ACL %q; want secret, no, none",
			head.header.Get("X-Account-Meta-Temp-Url-Key"), head.header.Get("X-Account-Meta-Public"), head.header.Get("X-Account-Access-Control"))
	}
	c.must(http.StatusForbidden, "POST", "/v1/AUTH_a", acRoleHeader, "reader")
	c.must(http.StatusUnauthorized, "GET", "/v1/AUTH_a")
	c.must(http.StatusUnauthorized, "POST", "/v1/AUTH_a")
}

func TestAccountManagement(t *testing.T) {
	t.Run("not allowed", func(t *testing.T) {
		c := newACCluster(t, nil)
		for _, m := range []string{"PUT", "DELETE"} {
			a := c.must(http.StatusMethodNotAllowed, m, "/v1/AUTH_x", acRoleHeader, "reseller")
			if a.header.Get("Allow") != "GET, HEAD, OPTIONS, POST" {
				t.Errorf("%s: Allow %q", m, a.header.Get("Allow"))
			}
		}
		if a := c.must(http.StatusOK, "OPTIONS", "/v1/AUTH_x"); a.header.Get("Allow") != "GET, HEAD, OPTIONS, POST" {
			t.Errorf("OPTIONS: Allow %q", a.header.Get("Allow"))
		}
	})
	t.Run("allowed", func(t *testing.T) {
		c := newACCluster(t, func(cfg *proxy.Config) { cfg.AllowAccountManagement = true })
		reseller := []string{acRoleHeader, "reseller"}
		c.must(http.StatusForbidden, "PUT", "/v1/AUTH_x", asOwner...)
		c.must(http.StatusUnauthorized, "PUT", "/v1/AUTH_x")
		c.must(http.StatusCreated, "PUT", "/v1/AUTH_x", withHeaders(reseller, "X-Account-Meta-Quota", "10")...)
		c.must(http.StatusAccepted, "PUT", "/v1/AUTH_x", reseller...)
		if got := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_x", asOwner...).header.Get("X-Account-Meta-Quota"); got != "10" {
			t.Errorf("metadata of a PUT account = %q", got)
		}
		c.must(http.StatusBadRequest, "PUT", "/v1/"+strings.Repeat("x", 257), reseller...)
		c.must(http.StatusForbidden, "DELETE", "/v1/AUTH_x", asOwner...)
		c.must(http.StatusBadRequest, "DELETE", "/v1/AUTH_x?bulk-delete", reseller...)
		a := c.must(http.StatusNoContent, "DELETE", "/v1/AUTH_x", reseller...)
		if a.header.Get("X-Account-Status") != "Deleted" {
			t.Errorf("DELETE account: X-Account-Status %q", a.header.Get("X-Account-Status"))
		}
		// A deleted account is gone, not a fake empty one.
		c.must(http.StatusGone, "HEAD", "/v1/AUTH_x", asOwner...)
		c.must(http.StatusGone, "GET", "/v1/AUTH_x", asOwner...)
		c.must(http.StatusForbidden, "PUT", "/v1/AUTH_x", reseller...) // recently deleted
		if a := c.must(http.StatusOK, "OPTIONS", "/v1/AUTH_x"); a.header.Get("Allow") != "DELETE, GET, HEAD, OPTIONS, POST, PUT" {
			t.Errorf("OPTIONS: Allow %q", a.header.Get("Allow"))
		}
	})
}

// Account listings pass every parameter and format through.
func TestAccountListing(t *testing.T) {
	c := newACCluster(t, nil)
	for _, name := range []string{"a", "b-1", "b-2", "c"} {
		c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/"+name, asOwner...)
	}
	c.putObject("AUTH_a", "b-1", "o", "12345")
	c.must(http.StatusAccepted, "PUT", "/v1/AUTH_a/b-1", asOwner...) // reports the counts to the account
	for _, tc := range []struct{ query, want string }{
		{"", "a\nb-1\nb-2\nc\n"},
		{"?limit=1", "a\n"},
		{"?marker=a", "b-1\nb-2\nc\n"},
		{"?end_marker=b-2", "a\nb-1\n"},
		{"?prefix=b-", "b-1\nb-2\n"},
		{"?delimiter=-", "a\nb-\nc\n"},
		{"?reverse=yes", "c\nb-2\nb-1\na\n"},
	} {
		if a := c.must(http.StatusOK, "GET", "/v1/AUTH_a"+tc.query, asOwner...); a.body != tc.want {
			t.Errorf("GET account%s = %q, want %q", tc.query, a.body, tc.want)
		}
	}
	a := c.must(http.StatusOK, "GET", "/v1/AUTH_a?format=json&prefix=b-1", asOwner...)
	var got []map[string]any
	if err := json.Unmarshal([]byte(a.body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0]["name"] != "b-1" || got[0]["count"] != 1.0 || got[0]["bytes"] != 5.0 || got[0]["last_modified"] == nil {
		t.Errorf("JSON account listing = %v", got)
	}
	a = c.must(http.StatusOK, "GET", "/v1/AUTH_a?limit=1", withHeaders(asOwner, "Accept", "application/xml")...)
	if !strings.HasPrefix(a.body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<account name=\"AUTH_a\">\n<container><name>a</name><count>0</count>") ||
		a.header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Errorf("XML account listing = %q (%s)", a.body, a.header.Get("Content-Type"))
	}
	if a := c.do("GET", "/v1/AUTH_a?limit=10001", asOwner...); a.status != 412 || a.body != "Maximum limit is 10000" {
		t.Errorf("limit=10001 = %d %q", a.status, a.body)
	}
	if a := c.do("GET", "/v1/AUTH_a", withHeaders(asOwner, "Accept", "a,b")...); a.status != 400 {
		t.Errorf("malformed Accept = %d, want 400", a.status)
	}
	c.must(http.StatusNoContent, "GET", "/v1/AUTH_a?prefix=zz", asOwner...)
}

// Reads go to the next replica when an account node is down.
func TestAccountNodeDown(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	_, nodes := c.NodesFor("account", "AUTH_a", "", "")
	nodes[0].Stop()
	for range 3 {
		if a := c.must(http.StatusOK, "GET", "/v1/AUTH_a", asOwner...); a.body != "c\n" {
			t.Errorf("listing with a node down = %q", a.body)
		}
	}
	c.must(http.StatusNoContent, "POST", "/v1/AUTH_a", withHeaders(asOwner, "X-Account-Meta-K", "v")...)
	nodes[0].Start(t)
}
