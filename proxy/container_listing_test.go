package proxy_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

// Container listings pass every parameter and format through to a
// container node and back.
func TestContainerListingParameters(t *testing.T) {
	c := newACCluster(t, nil)
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	names := []string{"a", "b/1", "b/2", "c", "d/e/f", "é"}
	for _, n := range names {
		c.putObject("AUTH_a", "c", n, "data-"+n)
	}
	for _, tc := range []struct {
		query string
		want  string // plain-text body
	}{
		{"", "a\nb/1\nb/2\nc\nd/e/f\né\n"},
		{"?limit=2", "a\nb/1\n"},
		{"?marker=b/2", "c\nd/e/f\né\n"},
		{"?end_marker=c", "a\nb/1\nb/2\n"},
		{"?marker=a&end_marker=c", "b/1\nb/2\n"},
		{"?prefix=b/", "b/1\nb/2\n"},
		{"?delimiter=/", "a\nb/\nc\nd/\né\n"},
		{"?prefix=d/&delimiter=/", "d/e/\n"},
		{"?path=b", "b/1\nb/2\n"},
		{"?reverse=true", "é\nd/e/f\nc\nb/2\nb/1\na\n"},
		{"?reverse=on&marker=c&limit=2", "b/2\nb/1\n"},
		{"?prefix=%C3%A9", "é\n"},
		{"?format=plain&limit=1", "a\n"},
	} {
		a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/c"+tc.query, asOwner...)
		if a.body != tc.want {
			t.Errorf("GET %s = %q, want %q", tc.query, a.body, tc.want)
		}
		if ct := a.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
			t.Errorf("GET %s: Content-Type %q", tc.query, ct)
		}
	}
	for _, q := range []string{"?limit=0", "?prefix=zzz", "?marker=é"} {
		if a := c.must(http.StatusNoContent, "GET", "/v1/AUTH_a/c"+q, asOwner...); a.body != "" {
			t.Errorf("GET %s = %q, want nothing", q, a.body)
		}
	}

	t.Run("json", func(t *testing.T) {
		a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/c?format=json&delimiter=/", asOwner...)
		var got []map[string]any
		if err := json.Unmarshal([]byte(a.body), &got); err != nil {
			t.Fatalf("body %q: %v", a.body, err)
		}
		if len(got) != 5 || got[0]["name"] != "a" || got[0]["bytes"] != 6.0 || got[0]["content_type"] != "text/plain" ||
			got[0]["hash"] == nil || got[0]["last_modified"] == nil || got[1]["subdir"] != "b/" || got[4]["name"] != "é" {
			t.Errorf("JSON listing = %v", got)
		}
		if !strings.Contains(a.body, `"\u00e9"`) {
			t.Errorf("JSON listing is not ASCII, as Swift's: %q", a.body)
		}
		if ct, vary := a.header.Get("Content-Type"), a.header.Get("Vary"); ct != "application/json; charset=utf-8" || vary != "" {
			t.Errorf("format=json: Content-Type %q, Vary %q; want application/json and no Vary", ct, vary)
		}
		if a.header.Get("X-Container-Object-Count") != "6" {
			t.Errorf("listing's X-Container-Object-Count = %q, want 6", a.header.Get("X-Container-Object-Count"))
		}
	})
	t.Run("xml", func(t *testing.T) {
		a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/c?format=xml&prefix=d/&delimiter=/", asOwner...)
		want := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container name=\"c\"><subdir name=\"d/e/\"><name>d/e/</name></subdir></container>"
		if a.body != want {
			t.Errorf("XML listing = %q, want %q", a.body, want)
		}
	})
	t.Run("accept", func(t *testing.T) {
		for _, tc := range []struct {
			accept, query string
			status        int
			contentType   string
		}{
			{"application/json", "", 200, "application/json; charset=utf-8"},
			{"text/xml", "", 200, "text/xml; charset=utf-8"},
			{"application/xml;q=0.5, application/json;q=0.9", "", 200, "application/json; charset=utf-8"},
			{"*/*", "", 200, "text/plain; charset=utf-8"},
			{"application/json", "?format=xml", 200, "application/xml; charset=utf-8"},
			{"image/png", "", 406, ""},
			{"not a type", "", 400, ""},
		} {
			a := c.do("GET", "/v1/AUTH_a/c"+tc.query, withHeaders(asOwner, "Accept", tc.accept)...)
			if a.status != tc.status || tc.contentType != "" && a.header.Get("Content-Type") != tc.contentType {
				t.Errorf("Accept %q%s = %d %s, want %d %s", tc.accept, tc.query, a.status, a.header.Get("Content-Type"), tc.status, tc.contentType)
			}
			if a.status == 200 && tc.query == "" && a.header.Get("Vary") != "Accept" {
				t.Errorf("Accept %q: Vary %q, want Accept", tc.accept, a.header.Get("Vary"))
			}
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for _, tc := range []struct {
			query  string
			status int
			body   string
		}{
			{"?limit=10001", 412, "Maximum limit is 10000"},
			{"?marker=%FF", 400, `"marker" parameter not valid UTF-8`},
			{"?delimiter=ab", 412, "Bad delimiter"},
		} {
			a := c.do("GET", "/v1/AUTH_a/c"+tc.query, asOwner...)
			if a.status != tc.status || !strings.Contains(a.body, tc.body) {
				t.Errorf("GET %s = %d %q, want %d %q", tc.query, a.status, a.body, tc.status, tc.body)
			}
		}
		c.must(http.StatusOK, "GET", "/v1/AUTH_a/c?limit=10000", asOwner...)
		c.must(http.StatusOK, "GET", "/v1/AUTH_a/c?limit=abc", asOwner...) // not digits: the default
	})
	t.Run("newest", func(t *testing.T) {
		if a := c.must(http.StatusOK, "GET", "/v1/AUTH_a/c?limit=1", withHeaders(asOwner, "X-Newest", "true")...); a.body != "a\n" {
			t.Errorf("X-Newest listing = %q", a.body)
		}
	})
	t.Run("head", func(t *testing.T) {
		a := c.must(http.StatusNoContent, "HEAD", "/v1/AUTH_a/c?format=json", asOwner...)
		if a.header.Get("Content-Type") != "application/json; charset=utf-8" || a.header.Get("X-Container-Object-Count") != "6" {
			t.Errorf("HEAD ?format=json: %v", a.header)
		}
	})
}

// The listing limit is the configured one.
func TestContainerListingConfiguredLimit(t *testing.T) {
	c := newACCluster(t, func(cfg *proxy.Config) {
		cfg.Constraints.ContainerListingLimit = 3
		cfg.Constraints.AccountListingLimit = 2
	})
	c.must(http.StatusCreated, "PUT", "/v1/AUTH_a/c", asOwner...)
	if a := c.do("GET", "/v1/AUTH_a/c?limit=4", asOwner...); a.status != 412 || a.body != "Maximum limit is 3" {
		t.Errorf("container limit=4 = %d %q, want 412 Maximum limit is 3", a.status, a.body)
	}
	if a := c.do("GET", "/v1/AUTH_a?limit=3", asOwner...); a.status != 412 || a.body != "Maximum limit is 2" {
		t.Errorf("account limit=3 = %d %q, want 412 Maximum limit is 2", a.status, a.body)
	}
	c.must(http.StatusNoContent, "GET", "/v1/AUTH_a/c?limit=3", asOwner...)
}
