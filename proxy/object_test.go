package proxy_test

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/test/cluster"
)

// An object's life through the proxy: PUT, GET, HEAD, POST, DELETE, with
// the headers Swift's proxy answers with.
func TestObjectLifecycle(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(100_000)
	deleteAt := time.Now().Add(time.Hour).Unix()

	put := tc.do("PUT", "/v1/AUTH_a/c/o", hdr("Content-Type", "text/x-test", "X-Object-Meta-Color", "blue",
		"Content-Disposition", "attachment", "Content-Encoding", "gzip", "X-Delete-At", itoa(int(deleteAt)),
		"X-Object-Sysmeta-Secret", "client may not set this", "X-Backend-Replication", "true"), data)
	if put.status != 201 {
		t.Fatalf("PUT = %d %s", put.status, put.body)
	}
	for k, want := range map[string]string{"Etag": md5hex(data), "Content-Length": "0", "Content-Type": "text/html; charset=UTF-8"} {
		if got := put.header.Get(k); got != want {
			t.Errorf("PUT %s = %q, want %q", k, got, want)
		}
	}
	if put.header.Get("Last-Modified") == "" || put.header.Get("X-Trans-Id") == "" {
		t.Errorf("PUT headers %v lack Last-Modified or X-Trans-Id", put.header)
	}
	if got := tc.stored("AUTH_a", "c", "o"); len(got) != 3 {
		t.Errorf("stored on %v, want 3 replicas", got)
	}

	for _, method := range []string{"GET", "HEAD"} {
		resp := tc.do(method, "/v1/AUTH_a/c/o", nil, nil)
		if resp.status != 200 {
			t.Fatalf("%s = %d", method, resp.status)
		}
		wantBody := data
		if method == "HEAD" {
			wantBody = nil
		}
		if !bytes.Equal(resp.body, wantBody) {
			t.Errorf("%s body: %d bytes, want %d", method, len(resp.body), len(wantBody))
		}
		for k, want := range map[string]string{
			"Etag": md5hex(data), "Content-Length": "100000", "Content-Type": "text/x-test", "Accept-Ranges": "bytes",
			"X-Object-Meta-Color": "blue", "Content-Disposition": "attachment", "Content-Encoding": "gzip",
			"X-Delete-At": itoa(int(deleteAt)),
		} {
			if got := resp.header.Get(k); got != want {
				t.Errorf("%s %s = %q, want %q", method, k, got, want)
			}
		}
		for k := range resp.header {
			if strings.HasPrefix(k, "X-Backend-") || strings.HasPrefix(k, "X-Object-Sysmeta-") {
				t.Errorf("%s answer has internal header %s", method, k)
			}
		}
		if resp.header.Get("X-Timestamp") == "" || resp.header.Get("Last-Modified") == "" {
			t.Errorf("%s lacks X-Timestamp or Last-Modified: %v", method, resp.header)
		}
	}

	post := tc.do("POST", "/v1/AUTH_a/c/o", hdr("X-Object-Meta-Shape", "round"), nil)
	if post.status != 202 {
		t.Fatalf("POST = %d %s", post.status, post.body)
	}
	head := tc.do("HEAD", "/v1/AUTH_a/c/o", nil, nil)
	if head.header.Get("X-Object-Meta-Shape") != "round" || head.header.Get("X-Object-Meta-Color") != "" {
		t.Errorf("after POST: metadata %v, want only Shape", head.header)
	}

	if del := tc.do("DELETE", "/v1/AUTH_a/c/o", nil, nil); del.status != 204 {
		t.Fatalf("DELETE = %d %s", del.status, del.body)
	}
	if got := tc.do("GET", "/v1/AUTH_a/c/o", nil, nil); got.status != 404 {
		t.Errorf("GET after DELETE = %d", got.status)
	}
	if got := tc.do("DELETE", "/v1/AUTH_a/c/o", nil, nil); got.status != 404 {
		t.Errorf("second DELETE = %d, want 404", got.status)
	}
	if got := tc.stored("AUTH_a", "c", "o"); len(got) != 0 {
		t.Errorf("after DELETE stored on %v", got)
	}
}

// Every rejected request gets Swift's status and, for the proxy's own
// checks, its message; nothing is stored.
func TestObjectErrors(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	if r := tc.do("PUT", "/v1/AUTH_a/c/exists", nil, "hello"); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	manyMeta := http.Header{}
	for i := range 91 {
		manyMeta.Set("X-Object-Meta-K"+itoa(i), "v")
	}
	tests := []struct {
		name       string
		method     string
		path       string
		header     http.Header
		body       any
		wantStatus int
		wantBody   string
	}{
		{"name too long", "PUT", "/v1/AUTH_a/c/" + strings.Repeat("x", 1025), nil, "x", 400,
			"Object name length of 1025 longer than 1024"},
		{"name too long GET", "GET", "/v1/AUTH_a/c/" + strings.Repeat("x", 1025), nil, nil, 400, ""},
		{"too much metadata", "PUT", "/v1/AUTH_a/c/o", manyMeta, "x", 400, "Too many metadata items; max 90"},
		{"metadata value too long", "POST", "/v1/AUTH_a/c/exists", hdr("X-Object-Meta-A", strings.Repeat("v", 257)), nil, 400,
			"Metadata value longer than 256: x-object-meta-A"},
		{"wrong etag", "PUT", "/v1/AUTH_a/c/o", hdr("Etag", md5hex([]byte("other"))), "data", 422, ""},
		{"malformed etag", "PUT", "/v1/AUTH_a/c/o", hdr("Etag", "not-an-md5"), "data", 422, ""},
		{"wrong etag, chunked", "PUT", "/v1/AUTH_a/c/o", hdr("Etag", md5hex([]byte("other"))), strings.NewReader("data"), 422, ""},
		{"if-none-match tag", "PUT", "/v1/AUTH_a/c/o", hdr("If-None-Match", `"abc"`), "data", 400, "If-None-Match only supports *"},
		{"if-none-match star", "PUT", "/v1/AUTH_a/c/exists", hdr("If-None-Match", "*"), "data", 412, ""},
		{"delete-at in past", "PUT", "/v1/AUTH_a/c/o", hdr("X-Delete-At", "1000"), "x", 400, "X-Delete-At in past"},
		{"delete-after not integer", "POST", "/v1/AUTH_a/c/exists", hdr("X-Delete-After", "soon"), nil, 400, "Non-integer X-Delete-After"},
		{"swift_ content type", "PUT", "/v1/AUTH_a/c/o", hdr("Content-Type", "text/plain;swift_bytes=3"), "x", 400,
			"Invalid Content-Type, swift_* is not a valid parameter name."},
		{"no container PUT", "PUT", "/v1/AUTH_a/nope/o", nil, "x", 404, ""},
		{"no container POST", "POST", "/v1/AUTH_a/nope/o", nil, nil, 404, ""},
		{"no container DELETE", "DELETE", "/v1/AUTH_a/nope/o", nil, nil, 404, ""},
		{"no container GET", "GET", "/v1/AUTH_a/nope/o", nil, nil, 404, ""},
		{"no object GET", "GET", "/v1/AUTH_a/c/nope", nil, nil, 404, ""},
		{"no object HEAD", "HEAD", "/v1/AUTH_a/c/nope", nil, nil, 404, ""},
		{"no object POST", "POST", "/v1/AUTH_a/c/nope", nil, nil, 404, ""},
		{"no object DELETE", "DELETE", "/v1/AUTH_a/c/nope", nil, nil, 404, ""},
		{"bad range", "GET", "/v1/AUTH_a/c/exists", hdr("Range", "bytes=10-20"), nil, 416, ""},
		{"if-match fails", "GET", "/v1/AUTH_a/c/exists", hdr("If-Match", `"nope"`), nil, 412, ""},
		{"if-none-match GET", "GET", "/v1/AUTH_a/c/exists", hdr("If-None-Match", md5hex([]byte("hello"))), nil, 304, ""},
		{"method", "PATCH", "/v1/AUTH_a/c/exists", nil, nil, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tc.do(tt.method, tt.path, tt.header, tt.body)
			if got.status != tt.wantStatus || tt.wantBody != "" && string(got.body) != tt.wantBody {
				t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, got.status, got.body, tt.wantStatus, tt.wantBody)
			}
			if tt.method == "PUT" && tt.path == "/v1/AUTH_a/c/o" {
				if s := tc.stored("AUTH_a", "c", "o"); len(s) != 0 {
					t.Errorf("rejected PUT stored on nodes %v", s)
				}
			}
		})
	}
	for _, tt := range []struct {
		name, req  string
		wantStatus int
		wantBody   string
	}{
		{"missing length", "PUT /v1/AUTH_a/c/o HTTP/1.1\r\nHost: x\r\nContent-Type: a/b\r\nConnection: close\r\n\r\n",
			411, "Missing Content-Length header."},
		{"too large", "PUT /v1/AUTH_a/c/o HTTP/1.1\r\nHost: x\r\nContent-Type: a/b\r\nContent-Length: 5368709123\r\nConnection: close\r\n\r\n",
			413, "Your request is too large."},
	} {
		if got := tc.raw(tt.req); got.status != tt.wantStatus || string(got.body) != tt.wantBody {
			t.Errorf("%s: %d %q, want %d %q", tt.name, got.status, got.body, tt.wantStatus, tt.wantBody)
		}
	}
	if s := tc.stored("AUTH_a", "c", "o"); len(s) != 0 {
		t.Errorf("rejected PUTs stored on nodes %v", s)
	}
	if r := tc.do("PATCH", "/v1/AUTH_a/c/exists", nil, nil); r.header.Get("Allow") != "COPY, DELETE, GET, HEAD, OPTIONS, POST, PUT" {
		t.Errorf("405 Allow = %q", r.header.Get("Allow"))
	}
	if r := tc.do("GET", "/v1/AUTH_a/c/exists", hdr("Range", "bytes=10-20"), nil); r.header.Get("Content-Range") != "bytes */5" {
		t.Errorf("416 Content-Range = %q", r.header.Get("Content-Range"))
	}
}

// Ranges come from the object servers: one range is a 206 with
// Content-Range, several a multipart/byteranges body.
func TestObjectRanges(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(10_000)
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", hdr("Content-Type", "application/x-thing"), data); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	r := tc.do("GET", "/v1/AUTH_a/c/o", hdr("Range", "bytes=100-199"), nil)
	if r.status != 206 || !bytes.Equal(r.body, data[100:200]) || r.header.Get("Content-Range") != "bytes 100-199/10000" {
		t.Errorf("single range = %d %q, %d bytes", r.status, r.header.Get("Content-Range"), len(r.body))
	}
	r = tc.do("GET", "/v1/AUTH_a/c/o", hdr("Range", "bytes=0-9,-10,500-"), nil)
	checkMultipart(t, r, "application/x-thing", []rangeWant{{0, 10, data[:10]}, {9990, 10000, data[9990:]}, {500, 10000, data[500:]}})
}

type rangeWant struct {
	start, end int // end exclusive
	data       []byte
}

// checkMultipart checks a multipart/byteranges answer part by part.
func checkMultipart(t *testing.T, r response, contentType string, want []rangeWant) {
	t.Helper()
	if r.status != 206 || r.err != nil {
		t.Fatalf("multi-range = %d, %v", r.status, r.err)
	}
	mt, params, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		t.Fatalf("Content-Type = %q", r.header.Get("Content-Type"))
	}
	if cl := r.header.Get("Content-Length"); cl != itoa(len(r.body)) {
		t.Errorf("Content-Length %s, body %d bytes", cl, len(r.body))
	}
	mr := multipart.NewReader(bytes.NewReader(r.body), params["boundary"])
	for i, w := range want {
		p, err := mr.NextPart()
		if err != nil {
			t.Fatalf("part %d: %v", i, err)
		}
		got, _ := io.ReadAll(p)
		cr := "bytes " + itoa(w.start) + "-" + itoa(w.end-1) + "/" + itoa(len(w.data)+w.start+0)
		_ = cr
		if !bytes.Equal(got, w.data) || p.Header.Get("Content-Type") != contentType ||
			!strings.HasPrefix(p.Header.Get("Content-Range"), "bytes "+itoa(w.start)+"-"+itoa(w.end-1)+"/") {
			t.Errorf("part %d = %q %q, %d bytes; want bytes %d-%d, %d bytes", i, p.Header.Get("Content-Type"),
				p.Header.Get("Content-Range"), len(got), w.start, w.end-1, len(w.data))
		}
	}
	if _, err := mr.NextPart(); err != io.EOF {
		t.Errorf("after the parts: %v, want EOF", err)
	}
}

// A chunked upload is stored whole; X-Delete-After becomes X-Delete-At;
// a missing Content-Type is guessed from the name.
func TestObjectPutVariants(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(300_000)
	if r := tc.do("PUT", "/v1/AUTH_a/c/chunked", nil, io.MultiReader(bytes.NewReader(data))); r.status != 201 || r.header.Get("Etag") != md5hex(data) {
		t.Fatalf("chunked PUT = %d %q", r.status, r.header.Get("Etag"))
	}
	if r := tc.do("GET", "/v1/AUTH_a/c/chunked", nil, nil); !bytes.Equal(r.body, data) {
		t.Errorf("chunked object read back: %d bytes, want %d", len(r.body), len(data))
	}
	if r := tc.do("PUT", "/v1/AUTH_a/c/empty", nil, ""); r.status != 201 || r.header.Get("Etag") != md5hex(nil) {
		t.Errorf("empty PUT = %d %q", r.status, r.header.Get("Etag"))
	}
	if r := tc.do("GET", "/v1/AUTH_a/c/empty", nil, nil); r.status != 200 || len(r.body) != 0 || r.header.Get("Content-Length") != "0" {
		t.Errorf("empty GET = %d, %d bytes, Content-Length %q", r.status, len(r.body), r.header.Get("Content-Length"))
	}
	before := time.Now().Unix()
	if r := tc.do("PUT", "/v1/AUTH_a/c/doc.json", hdr("Content-Type", "", "X-Delete-After", "100"), "{}"); r.status != 201 {
		t.Fatalf("PUT = %d %s", r.status, r.body)
	}
	r := tc.do("HEAD", "/v1/AUTH_a/c/doc.json", nil, nil)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("guessed Content-Type = %q", ct)
	}
	if at := r.header.Get("X-Delete-At"); at < itoa(int(before+100)) || at > itoa(int(time.Now().Unix()+101)) {
		t.Errorf("X-Delete-At = %q, want about %d", at, before+100)
	}
	if r := tc.do("PUT", "/v1/AUTH_a/c/etag", hdr("Etag", `"`+md5hex([]byte("abc"))+`"`), "abc"); r.status != 201 {
		t.Errorf("PUT with the right quoted ETag = %d", r.status)
	}
}

// Names that need escaping on their way to the nodes come back as they
// were stored.
func TestObjectNames(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	for _, name := range []string{"a b", "caf\u00e9", "x%3Fy", "100%25", "dir/sub/obj", "dir/", "+plus", strings.Repeat("n", 1024)} {
		path := "/v1/AUTH_a/c/" + name
		body := "body of " + name
		if r := tc.do("PUT", path, nil, body); r.status != 201 {
			t.Errorf("PUT %q = %d %s", name, r.status, r.body)
			continue
		}
		if r := tc.do("GET", path, nil, nil); r.status != 200 || string(r.body) != body {
			t.Errorf("GET %q = %d %q", name, r.status, r.body)
		}
	}
	if got := tc.stored("AUTH_a", "c", "x?y"); len(got) != 3 {
		t.Errorf("x%%3Fy stored as %v, want the unescaped name on 3 nodes", got)
	}
}

// An object's OPTIONS is its container's (CORS preflights decided by the
// container's settings), with COPY among the methods.
func TestObjectOptions(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", hdr("X-Container-Meta-Access-Control-Allow-Origin", "http://good.example"))
	tests := []struct {
		name        string
		header      http.Header
		wantStatus  int
		wantAllow   string
		wantMethods string
	}{
		{"plain", nil, 200, "DELETE, GET, HEAD, OPTIONS, POST, PUT, COPY", ""},
		{"preflight", hdr("Origin", "http://good.example", "Access-Control-Request-Method", "PUT"), 200,
			"DELETE, GET, HEAD, OPTIONS, POST, PUT, COPY", "DELETE, GET, HEAD, OPTIONS, POST, PUT, COPY"},
		{"other origin", hdr("Origin", "http://bad.example", "Access-Control-Request-Method", "PUT"), 401, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tc.do("OPTIONS", "/v1/AUTH_a/c/o", tt.header, nil)
			if r.status != tt.wantStatus {
				t.Fatalf("OPTIONS = %d", r.status)
			}
			if tt.wantAllow != "" && r.header.Get("Allow") != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", r.header.Get("Allow"), tt.wantAllow)
			}
			if got := r.header.Get("Access-Control-Allow-Methods"); got != tt.wantMethods {
				t.Errorf("Access-Control-Allow-Methods = %q, want %q", got, tt.wantMethods)
			}
		})
	}
}
