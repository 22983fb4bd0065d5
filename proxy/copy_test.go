package proxy_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// Server-side copies within a container, across containers and across
// accounts, with COPY and with PUT + X-Copy-From.
func TestObjectCopy(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	for _, ac := range [][2]string{{"AUTH_a", "src"}, {"AUTH_a", "dst"}, {"AUTH_b", "other"}} {
		tc.mkContainer(ac[0], ac[1], nil)
	}
	data := pattern(150_000)
	put := tc.do("PUT", "/v1/AUTH_a/src/o", hdr("Content-Type", "image/x-test", "X-Object-Meta-Color", "blue",
		"X-Object-Meta-Size", "big", "Content-Disposition", "inline"), data)
	if put.status != 201 {
		t.Fatalf("PUT = %d", put.status)
	}
	srcLM := tc.do("HEAD", "/v1/AUTH_a/src/o", nil, nil).header.Get("Last-Modified")
	if r := tc.do("COPY", "/v1/AUTH_a/src/o", hdr("Destination", "src/self"), nil); r.status != 201 {
		t.Fatalf("COPY = %d", r.status)
	}
	tests := []struct {
		name     string
		method   string
		path     string
		header   http.Header
		dest     string // the copy's path
		wantAcct string // X-Copied-From-Account
		wantType string
		wantMeta map[string]string // "" for absent
		wantBody []byte
	}{
		{"COPY in container", "COPY", "/v1/AUTH_a/src/o", hdr("Destination", "/src/copy"), "/v1/AUTH_a/src/copy",
			"AUTH_a", "image/x-test", map[string]string{"Color": "blue", "Size": "big"}, data},
		{"COPY across containers, new metadata", "COPY", "/v1/AUTH_a/src/o", hdr("Destination", "dst/o2", "X-Object-Meta-Color", "red"),
			"/v1/AUTH_a/dst/o2", "AUTH_a", "image/x-test", map[string]string{"Color": "red", "Size": "big"}, data},
		{"COPY across accounts", "COPY", "/v1/AUTH_a/src/o", hdr("Destination", "/other/o3", "Destination-Account", "AUTH_b"),
			"/v1/AUTH_b/other/o3", "AUTH_a", "image/x-test", map[string]string{"Color": "blue"}, data},
		{"X-Copy-From", "PUT", "/v1/AUTH_a/dst/o4", hdr("X-Copy-From", "/src/o", "Content-Type", "text/plain"),
			"/v1/AUTH_a/dst/o4", "AUTH_a", "text/plain", map[string]string{"Color": "blue"}, data},
		{"X-Copy-From across accounts", "PUT", "/v1/AUTH_b/other/o5", hdr("X-Copy-From", "src/o", "X-Copy-From-Account", "AUTH_a"),
			"/v1/AUTH_b/other/o5", "AUTH_a", "image/x-test", map[string]string{"Color": "blue"}, data},
		{"fresh metadata", "PUT", "/v1/AUTH_a/dst/o6", hdr("X-Copy-From", "/src/o", "X-Fresh-Metadata", "true", "X-Object-Meta-New", "1"),
			"/v1/AUTH_a/dst/o6", "AUTH_a", "image/x-test", map[string]string{"Color": "", "Size": "", "New": "1"}, data},
		{"range", "PUT", "/v1/AUTH_a/dst/o7", hdr("X-Copy-From", "/src/o", "Range", "bytes=10-19"),
			"/v1/AUTH_a/dst/o7", "AUTH_a", "image/x-test", map[string]string{"Color": "blue"}, data[10:20]},
		{"onto itself", "COPY", "/v1/AUTH_a/src/self", hdr("Destination", "src/self", "X-Object-Meta-Extra", "x"),
			"/v1/AUTH_a/src/self", "AUTH_a", "image/x-test", map[string]string{"Color": "blue", "Extra": "x"}, data},
		{"escaped source", "PUT", "/v1/AUTH_a/dst/o8", hdr("X-Copy-From", "/src/%6F"),
			"/v1/AUTH_a/dst/o8", "AUTH_a", "image/x-test", map[string]string{"Color": "blue"}, data},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tc.do(tt.method, tt.path, tt.header, nil)
			if r.status != 201 {
				t.Fatalf("%s = %d %s", tt.method, r.status, r.body)
			}
			from := "src/o"
			if tt.method == "COPY" {
				from = strings.TrimPrefix(tt.path, "/v1/"+tt.wantAcct+"/")
			}
			for k, want := range map[string]string{"X-Copied-From-Account": tt.wantAcct, "X-Copied-From": from,
				"X-Copied-From-Last-Modified": srcLM, "Etag": md5hex(tt.wantBody)} {
				if got := r.header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for k, want := range tt.wantMeta {
				if got := r.header.Get("X-Object-Meta-" + k); got != want {
					t.Errorf("answer's X-Object-Meta-%s = %q, want %q", k, got, want)
				}
			}
			got := tc.do("GET", tt.dest, nil, nil)
			if got.status != 200 || !bytes.Equal(got.body, tt.wantBody) {
				t.Fatalf("GET of the copy = %d, %d bytes, want %d", got.status, len(got.body), len(tt.wantBody))
			}
			if ct := got.header.Get("Content-Type"); ct != tt.wantType {
				t.Errorf("copy's Content-Type = %q, want %q", ct, tt.wantType)
			}
			for k, want := range tt.wantMeta {
				if v := got.header.Get("X-Object-Meta-" + k); v != want {
					t.Errorf("copy's X-Object-Meta-%s = %q, want %q", k, v, want)
				}
			}
			if got.header.Get("Content-Disposition") != "inline" && tt.name != "fresh metadata" {
				t.Errorf("copy's Content-Disposition = %q", got.header.Get("Content-Disposition"))
			}
		})
	}
}

func TestObjectCopyErrors(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	if r := tc.do("PUT", "/v1/AUTH_a/c/small", nil, "small"); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	if r := tc.do("PUT", "/v1/AUTH_a/c/big", nil, pattern(2000)); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	// A proxy of the same cluster with a lower object size limit.
	limited := tc.otherProxy(func(c *proxy.Config) { c.Constraints.MaxFileSize = 1000 })
	tests := []struct {
		name       string
		url        string
		method     string
		path       string
		header     http.Header
		body       any
		wantStatus int
		wantBody   string
	}{
		{"no destination", "", "COPY", "/v1/AUTH_a/c/small", nil, nil, 412, "Destination header required"},
		{"bad destination", "", "COPY", "/v1/AUTH_a/c/small", hdr("Destination", "nocontainer"), nil, 412,
			"Destination header must be of the form <container name>/<object name>"},
		{"empty destination account", "", "COPY", "/v1/AUTH_a/c/small", hdr("Destination", "c/x", "Destination-Account", ""), nil, 412,
			"Account name cannot be empty"},
		{"bad source", "", "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "/c/"), nil, 412,
			"X-Copy-From header must be of the form <container name>/<object name>"},
		{"slash in account", "", "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "c/small", "X-Copy-From-Account", "a/b"), nil, 412,
			"Account name cannot contain slashes"},
		{"body", "", "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "c/small"), "data", 400, "Copy requests require a zero byte body"},
		{"missing source", "", "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "c/nope"), nil, 404, ""},
		{"missing destination container", "", "COPY", "/v1/AUTH_a/c/small", hdr("Destination", "nope/x"), nil, 404, ""},
		{"source precondition", "", "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "c/small", "If-Match", `"nope"`), nil, 412, ""},
		{"source too large", limited, "PUT", "/v1/AUTH_a/c/x", hdr("X-Copy-From", "c/big"), nil, 413, ""},
		{"source within the limit", limited, "COPY", "/v1/AUTH_a/c/small", hdr("Destination", "c/y"), nil, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tc.doURL(tt.url, tt.method, tt.path, tt.header, tt.body)
			if r.status != tt.wantStatus || tt.wantBody != "" && string(r.body) != tt.wantBody {
				t.Errorf("%s = %d %q, want %d %q", tt.method, r.status, r.body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	if s := tc.stored("AUTH_a", "c", "x"); len(s) != 0 {
		t.Errorf("failed copies stored on %v", s)
	}
}
