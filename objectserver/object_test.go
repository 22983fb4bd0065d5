package objectserver_test

import (
	"bufio"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

const (
	notFoundBody  = "<html><h1>Not Found</h1><p>The resource could not be found.</p></html>"
	conflictBody  = "<html><h1>Conflict</h1><p>There was a conflict when trying to complete your request.</p></html>"
	preFailedBody = "<html><h1>Precondition Failed</h1><p>A precondition for this request was not met.</p></html>"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// rawRequest sends req as it is on a new connection and reads one
// response: for requests Go's client will not make.
func rawRequest(t *testing.T, srv *httptest.Server, req string) response {
	t.Helper()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestObjectPutErrors(t *testing.T) {
	n := newNode(t)
	n.putObject(t, "/sda1/1/a/c/exists", ts(0), "data")
	long := strings.Repeat("o", 1025)
	tests := []struct {
		name       string
		path       string
		header     http.Header
		body       string
		wantStatus int
		wantBody   string
		wantHeader map[string]string
	}{
		{"missing timestamp", "/sda1/1/a/c/o", hdr("Content-Type", "a/b"), "x", 400, "Missing X-Timestamp header", nil},
		{"bad timestamp", "/sda1/1/a/c/o", hdr("X-Timestamp", "yesterday", "Content-Type", "a/b"), "x", 400, "Invalid X-Timestamp header", nil},
		{"negative timestamp", "/sda1/1/a/c/o", hdr("X-Timestamp", "-1", "Content-Type", "a/b"), "x", 400, "Invalid X-Timestamp header", nil},
		{"no content type", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1)), "x", 400, "No content type", nil},
		{"bad content type", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", ""), "x", 400, "Invalid Content-Type", nil},
		{"long name", "/sda1/1/a/c/" + long, hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Object name length of 1025 longer than 1024", nil},
		{"delete at past", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-At", "1600000000"), "x", 400, "X-Delete-At in past", nil},
		{"delete at not int", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-At", "soon"), "x", 400, "Non-integer X-Delete-At", nil},
		{"delete after zero", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Delete-After", "0"), "x", 400, "X-Delete-After in past", nil},
		{"empty meta name", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Object-Meta-", "v"), "x", 400, "Metadata name cannot be empty", nil},
		{"long meta value", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Object-Meta-K", strings.Repeat("v", 257)), "x", 400, "Metadata value longer than 256: x-object-meta-K", nil},
		{"etag mismatch", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", md5hex("y")), "x", 422,
			"<html><h1>Unprocessable Entity</h1><p>Unable to process the contained instructions</p></html>", nil},
		{"etag uppercase", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "Etag", strings.ToUpper(md5hex("x"))), "x", 422, "", nil},
		{"older than stored", "/sda1/1/a/c/exists", hdr("X-Timestamp", ts(-1), "Content-Type", "a/b"), "x", 409, conflictBody,
			map[string]string{"X-Backend-Timestamp": ts(0)}},
		{"same as stored", "/sda1/1/a/c/exists", hdr("X-Timestamp", ts(0), "Content-Type", "a/b"), "x", 409, conflictBody, nil},
		{"if-none-match star", "/sda1/1/a/c/exists", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "If-None-Match", "*"), "x", 412, preFailedBody, nil},
		{"if-none-match etag", "/sda1/1/a/c/exists", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "If-None-Match", `"`+md5hex("data")+`"`), "x", 412, preFailedBody, nil},
		{"device down", "/sdb1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 507,
			"<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: sdb1</p></html>", nil},
		{"unknown device", "/sdz9/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 507, "", nil},
		{"bad drive name", "/sd%20a/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 507, "", nil},
		{"bad partition", "/sda1/x/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid partition: x", nil},
		{"dotdot partition", "/sda1/../a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid partition: ..", nil},
		{"dot device", "/./1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid device: .", nil},
		{"short path", "/sda1/1/a/c", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid path: /sda1/1/a/c", nil},
		{"empty container", "/sda1/1/a//o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid path: /sda1/1/a//o", nil},
		{"trailing slash", "/sda1/1/a/c/", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid path: /sda1/1/a/c/", nil},
		{"not utf8", "/sda1/1/a/c/%FF", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 412, "Invalid UTF8 or contains NULL", nil},
		{"nul inside", "/sda1/1/a/c/o%00", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid reserved-namespace object", nil},
		{"reserved object", "/sda1/1/a/c/%00o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Invalid reserved-namespace object in user-namespace container", nil},
		{"policy", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "X-Backend-Storage-Policy-Index", "1"), "x", 503, "No policy with index 1", nil},
		{"long container", "/sda1/1/a/" + strings.Repeat("c", 257) + "/o", hdr("X-Timestamp", ts(1), "Content-Type", "a/b"), "x", 400, "Container name length of 257 longer than 256", nil},
	}
	n.devs.setDown("sdb1", true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, n.object, "PUT", tt.path, tt.header, strings.NewReader(tt.body))
			if r.status != tt.wantStatus {
				t.Fatalf("PUT %s: status %d, want %d (body %q)", tt.path, r.status, tt.wantStatus, r.body)
			}
			if tt.wantBody != "" && r.body != tt.wantBody {
				t.Errorf("PUT %s: body %q, want %q", tt.path, r.body, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if got := r.header.Get(k); got != v {
					t.Errorf("PUT %s: %s = %q, want %q", tt.path, k, got, v)
				}
			}
			if r.header.Get("X-Trans-Id") == "" {
				t.Errorf("PUT %s: no X-Trans-Id", tt.path)
			}
		})
	}
	// Nothing rejected was stored.
	if r := do(t, n.object, "HEAD", "/sda1/1/a/c/o", nil, nil); r.status != 404 {
		t.Errorf("HEAD after rejected PUTs: %d, want 404", r.status)
	}
	if r := do(t, n.object, "GET", "/sda1/1/a/c/exists", nil, nil); r.body != "data" {
		t.Errorf("GET of the object rejected PUTs tried to replace = %q, want %q", r.body, "data")
	}
}

func TestObjectPutBodies(t *testing.T) {
	n := newNode(t)
	t.Run("no length", func(t *testing.T) {
		r := rawRequest(t, n.object, "PUT /sda1/1/a/c/o HTTP/1.1\r\nHost: x\r\nX-Timestamp: "+ts(1)+"\r\nContent-Type: a/b\r\n\r\n")
		if r.status != 411 || r.body != "Missing Content-Length header." {
			t.Errorf("PUT without length = %d %q, want 411 Missing Content-Length header.", r.status, r.body)
		}
	})
	t.Run("too large", func(t *testing.T) {
		r := rawRequest(t, n.object, "PUT /sda1/1/a/c/o HTTP/1.1\r\nHost: x\r\nX-Timestamp: "+ts(1)+
			"\r\nContent-Type: a/b\r\nContent-Length: 5368709123\r\n\r\n")
		if r.status != 413 || r.body != "Your request is too large." {
			t.Errorf("PUT of 5 GiB + 3 = %d %q, want 413", r.status, r.body)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		r := rawRequest(t, n.object, "PUT /sda1/1/a/c/chunked HTTP/1.1\r\nHost: x\r\nX-Timestamp: "+ts(1)+
			"\r\nContent-Type: a/b\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
		if r.status != 201 || r.header.Get("Etag") != `"`+md5hex("abcde")+`"` {
			t.Fatalf("chunked PUT = %d, ETag %s", r.status, r.header.Get("Etag"))
		}
		if g := do(t, n.object, "GET", "/sda1/1/a/c/chunked", nil, nil); g.body != "abcde" || g.header.Get("Content-Length") != "5" {
			t.Errorf("GET of chunked upload = %q (length %s)", g.body, g.header.Get("Content-Length"))
		}
	})
	t.Run("chunked with announced length", func(t *testing.T) {
		r := rawRequest(t, n.object, "PUT /sda1/1/a/c/chunked2 HTTP/1.1\r\nHost: x\r\nX-Timestamp: "+ts(1)+
			"\r\nContent-Type: a/b\r\nX-Backend-Obj-Content-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
		if r.status != 499 {
			t.Errorf("chunked PUT shorter than X-Backend-Obj-Content-Length = %d, want 499", r.status)
		}
	})
	t.Run("short body", func(t *testing.T) {
		conn, err := net.Dial("tcp", n.object.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(conn, "PUT /sda1/1/a/c/short HTTP/1.1\r\nHost: x\r\nX-Timestamp: "+ts(1)+
			"\r\nContent-Type: a/b\r\nContent-Length: 10\r\n\r\nabc")
		_ = conn.(*net.TCPConn).CloseWrite()
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			if resp.StatusCode != 499 {
				t.Errorf("PUT of 3 bytes of 10 = %d, want 499", resp.StatusCode)
			}
			resp.Body.Close()
		}
		conn.Close()
		if r := do(t, n.object, "HEAD", "/sda1/1/a/c/short", nil, nil); r.status != 404 {
			t.Errorf("HEAD after short PUT = %d, want 404 (nothing stored)", r.status)
		}
	})
}

func TestObjectRoundTrip(t *testing.T) {
	n := newNode(t)
	const data = "hello, world"
	r := n.putObject(t, "/sda1/1/a/c/dir/obj", "1700000000.12345", data,
		"Content-Type", "text/x-test",
		"X-Object-Meta-Color", "blue",
		"X-Object-Sysmeta-Secret", "s",
		"X-Object-Transient-Sysmeta-T", "t",
		"Content-Encoding", "gzip",
		"Content-Disposition", "inline",
		"Cache-Control", "no-cache",
		"X-Delete-At", "1800000000",
		"X-Unrelated", "dropped",
		"Etag", md5hex(data))
	wantStatus(t, "PUT", r, 201)
	if got, want := r.header.Get("Etag"), `"`+md5hex(data)+`"`; got != want {
		t.Errorf("PUT ETag = %s, want %s", got, want)
	}
	want := map[string]string{
		"Content-Type":                 "text/x-test",
		"Content-Length":               "12",
		"Etag":                         `"` + md5hex(data) + `"`,
		"Last-Modified":                "Tue, 14 Nov 2023 22:13:21 GMT", // ceil of .12345
		"X-Timestamp":                  "1700000000.12345",
		"X-Backend-Timestamp":          "1700000000.12345",
		"X-Backend-Data-Timestamp":     "1700000000.12345",
		"X-Backend-Durable-Timestamp":  "1700000000.12345",
		"X-Object-Meta-Color":          "blue",
		"X-Object-Sysmeta-Secret":      "s",
		"X-Object-Transient-Sysmeta-T": "t",
		"Content-Encoding":             "gzip",
		"Content-Disposition":          "inline",
		"Cache-Control":                "no-cache",
		"X-Delete-At":                  "1800000000",
		"X-Unrelated":                  "",
	}
	for _, method := range []string{"GET", "HEAD"} {
		r := do(t, n.object, method, "/sda1/1/a/c/dir/obj", nil, nil)
		wantStatus(t, method, r, 200)
		for k, v := range want {
			if got := r.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", method, k, got, v)
			}
		}
		wantBody := data
		if method == "HEAD" {
			wantBody = ""
		}
		if r.body != wantBody {
			t.Errorf("%s body = %q, want %q", method, r.body, wantBody)
		}
	}
}

func TestObjectNotFound(t *testing.T) {
	n := newNode(t)
	n.putObject(t, "/sda1/1/a/c/deleted", ts(0), "x")
	wantStatus(t, "DELETE", do(t, n.object, "DELETE", "/sda1/1/a/c/deleted", hdr("X-Timestamp", ts(1)), nil), 204)
	n.putObject(t, "/sda1/1/a/c/expiring", ts(0), "x", "X-Delete-At", "1700000100")
	tests := []struct {
		name       string
		path       string
		header     http.Header
		at         time.Time
		wantStatus int
		wantTS     string
	}{
		{"never stored", "/sda1/1/a/c/none", nil, t0, 404, ""},
		{"tombstone", "/sda1/1/a/c/deleted", nil, t0, 404, ts(1)},
		{"not yet expired", "/sda1/1/a/c/expiring", nil, t0.Add(99 * time.Second), 200, ""},
		{"expired", "/sda1/1/a/c/expiring", nil, t0.Add(100 * time.Second), 404, ts(0)},
		{"expired by X-Timestamp", "/sda1/1/a/c/expiring", hdr("X-Timestamp", ts(200)), t0, 404, ts(0)},
		{"expired but replicating", "/sda1/1/a/c/expiring", hdr("X-Backend-Replication", "true"), t0.Add(time.Hour), 200, ""},
		{"if-match star", "/sda1/1/a/c/none", hdr("If-Match", "*"), t0, 412, ""},
		{"bad X-Timestamp", "/sda1/1/a/c/none", hdr("X-Timestamp", "x"), t0, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.clock.set(tt.at)
			defer n.clock.set(t0)
			for _, method := range []string{"GET", "HEAD"} {
				r := do(t, n.object, method, tt.path, tt.header, nil)
				if r.status != tt.wantStatus {
					t.Fatalf("%s %s: %d, want %d", method, tt.path, r.status, tt.wantStatus)
				}
				if got := r.header.Get("X-Backend-Timestamp"); tt.wantStatus == 404 && got != tt.wantTS {
					t.Errorf("%s %s: X-Backend-Timestamp = %q, want %q", method, tt.path, got, tt.wantTS)
				}
				if method == "GET" && tt.wantStatus == 404 && r.body != notFoundBody {
					t.Errorf("GET %s body = %q, want %q", tt.path, r.body, notFoundBody)
				}
				if tt.wantStatus == 412 && r.body != "" {
					t.Errorf("%s %s: 412 body %q, want empty", method, tt.path, r.body)
				}
			}
		})
	}
}

func TestObjectPost(t *testing.T) {
	n := newNode(t)
	path := "/sda1/1/a/c/o"
	n.putObject(t, path, ts(0), "data", "X-Object-Meta-Old", "1", "X-Object-Sysmeta-Keep", "k",
		"Content-Encoding", "gzip", "X-Static-Large-Object", "True", "X-Delete-At", "1800000000")
	r := do(t, n.object, "POST", path, hdr("X-Timestamp", ts(1), "X-Object-Meta-New", "2",
		"X-Object-Sysmeta-Keep", "changed", "X-Static-Large-Object", "False", "Content-Type", "new/type"), nil)
	wantStatus(t, "POST", r, 202)
	if want := "<html><h1>Accepted</h1><p>The request is accepted for processing.</p></html>"; r.body != want {
		t.Errorf("POST body = %q, want %q", r.body, want)
	}
	if got := r.header.Get("X-Backend-Content-Type"); got != "new/type" {
		t.Errorf("POST X-Backend-Content-Type = %q", got)
	}
	if got := r.header.Get("X-Object-Sysmeta-Keep"); got != "k" {
		t.Errorf("POST X-Object-Sysmeta-Keep = %q, want the stored k", got)
	}
	h := do(t, n.object, "HEAD", path, nil, nil)
	for k, v := range map[string]string{
		"X-Object-Meta-New":        "2",
		"X-Object-Meta-Old":        "", // replaced
		"X-Object-Sysmeta-Keep":    "k",
		"Content-Encoding":         "", // not resent: dropped, as in Swift
		"X-Static-Large-Object":    "True",
		"X-Delete-At":              "", // a POST without it removes the expiry
		"Content-Type":             "new/type",
		"X-Timestamp":              ts(1),
		"X-Backend-Timestamp":      ts(1),
		"X-Backend-Data-Timestamp": ts(0),
		"Etag":                     `"` + md5hex("data") + `"`,
	} {
		if got := h.header.Get(k); got != v {
			t.Errorf("HEAD after POST: %s = %q, want %q", k, got, v)
		}
	}
	tests := []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int
		wantTS     string
	}{
		{"same timestamp", path, hdr("X-Timestamp", ts(1)), 409, ts(1)},
		{"older", path, hdr("X-Timestamp", ts(0.5)), 409, ts(1)},
		{"missing", "/sda1/1/a/c/none", hdr("X-Timestamp", ts(2)), 404, ""},
		{"no timestamp", path, nil, 400, ""},
		{"delete at past", path, hdr("X-Timestamp", ts(2), "X-Delete-At", "1"), 400, ""},
		// The object server leaves metadata limits to the proxy on POST,
		// as Swift's does.
		{"long meta name", path, hdr("X-Timestamp", ts(2), "X-Object-Meta-"+strings.Repeat("k", 129), "v"), 202, ""},
		{"device down", "/sdb1/1/a/c/o", hdr("X-Timestamp", ts(2)), 507, ""},
	}
	n.devs.setDown("sdb1", true)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, n.object, "POST", tt.path, tt.header, nil)
			if r.status != tt.wantStatus || r.header.Get("X-Backend-Timestamp") != tt.wantTS {
				t.Errorf("POST = %d (X-Backend-Timestamp %q), want %d (%q); body %q",
					r.status, r.header.Get("X-Backend-Timestamp"), tt.wantStatus, tt.wantTS, r.body)
			}
		})
	}
	t.Run("expired", func(t *testing.T) {
		n.putObject(t, "/sda1/1/a/c/exp", ts(0), "x", "X-Delete-At", "1700000010")
		r := do(t, n.object, "POST", "/sda1/1/a/c/exp", hdr("X-Timestamp", ts(20)), nil)
		wantStatus(t, "POST of expired object", r, 404)
	})
}

func TestObjectDelete(t *testing.T) {
	n := newNode(t)
	path := "/sda1/1/a/c/o"
	n.putObject(t, path, ts(0), "data")
	tests := []struct {
		name       string
		path       string
		header     http.Header
		wantStatus int
		wantTS     string
		wantType   string
	}{
		{"older", path, hdr("X-Timestamp", ts(-1)), 409, ts(0), "text/plain"},
		{"same", path, hdr("X-Timestamp", ts(0)), 409, ts(0), "text/plain"},
		{"if-delete-at mismatch", path, hdr("X-Timestamp", ts(1), "X-If-Delete-At", "1700000500"), 412, "", ""},
		{"if-delete-at bad", path, hdr("X-Timestamp", ts(1), "X-If-Delete-At", "x"), 400, "", ""},
		{"newer", path, hdr("X-Timestamp", ts(1)), 204, ts(1), "text/plain"},
		{"again", path, hdr("X-Timestamp", ts(2)), 404, ts(2), ""},
		{"stale after delete", path, hdr("X-Timestamp", ts(1.5)), 404, ts(2), ""},
		{"never stored", "/sda1/1/a/c/none", hdr("X-Timestamp", ts(1)), 404, ts(1), ""},
		{"if-delete-at unknown object", "/sda1/1/a/c/none2", hdr("X-Timestamp", ts(1), "X-If-Delete-At", "1700000500"), 404, "", ""},
		{"no timestamp", path, nil, 400, "", ""},
		{"device down", "/sdb1/1/a/c/o", hdr("X-Timestamp", ts(1)), 507, "", ""},
	}
	n.devs.setDown("sdb1", true)
	for _, tt := range tests {
		r := do(t, n.object, "DELETE", tt.path, tt.header, nil)
		if r.status != tt.wantStatus || r.header.Get("X-Backend-Timestamp") != tt.wantTS ||
			(tt.wantTS != "" && r.header.Get("X-Backend-Content-Type") != tt.wantType) {
			t.Errorf("%s: DELETE = %d (X-Backend-Timestamp %q, X-Backend-Content-Type %q), want %d (%q, %q); body %q",
				tt.name, r.status, r.header.Get("X-Backend-Timestamp"), r.header.Get("X-Backend-Content-Type"),
				tt.wantStatus, tt.wantTS, tt.wantType, r.body)
		}
	}
	// A DELETE of an unknown object still leaves a tombstone: an older
	// PUT arriving later loses.
	r := n.putObject(t, "/sda1/1/a/c/none", ts(0.5), "late")
	if r.status != 409 || r.header.Get("X-Backend-Timestamp") != ts(1) {
		t.Errorf("PUT older than a 404 DELETE = %d (%s), want 409 (%s)", r.status, r.header.Get("X-Backend-Timestamp"), ts(1))
	}
	t.Run("if-delete-at match", func(t *testing.T) {
		n.putObject(t, "/sda1/1/a/c/exp", ts(0), "x", "X-Delete-At", "1700000500")
		r := do(t, n.object, "DELETE", "/sda1/1/a/c/exp", hdr("X-Timestamp", ts(600), "X-If-Delete-At", "1700000500"), nil)
		wantStatus(t, "expirer DELETE", r, 204)
	})
}

func TestObjectMethodsAndPaths(t *testing.T) {
	n := newNode(t)
	tests := []struct {
		method, path string
		wantStatus   int
		wantBody     string
	}{
		{"FOO", "/sda1/1/a/c/o", 405, "<html><h1>Method Not Allowed</h1><p>The method is not allowed for this resource.</p></html>"},
		{"GET", "/healthcheck", 200, "OK"},
		{"GET", "/sda1/1/a/c", 400, "Invalid path: /sda1/1/a/c"},
		{"GET", "/sda1", 400, "Invalid path: /sda1"},
		{"GET", "/sda1/1/a/c/caf%C3%A9%20x", 404, notFoundBody},
		{"GET", "/sda1/1/a/c/%FF", 412, "Invalid UTF8 or contains NULL"},
		{"GET", "/sda1/1/a/c/a%2Fb", 404, notFoundBody},
		{"GET", "/sda1/1/a/c/%00x", 400, "Invalid reserved-namespace object in user-namespace container"},
		{"GET", "/sda1/1/a/%00c/%00x", 404, notFoundBody},
		{"GET", "/sda1/1/.expiring_objects/c/x%00", 404, notFoundBody},
		{"GET", "/sda1/99999999999/a/c/o", 400, "Invalid partition: 99999999999"},
		{"GET", "/sda1/1/a/c/o?multipart-manifest=get", 404, notFoundBody},
	}
	for _, tt := range tests {
		r := do(t, n.object, tt.method, tt.path, nil, nil)
		if r.status != tt.wantStatus || r.body != tt.wantBody {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, r.status, r.body, tt.wantStatus, tt.wantBody)
		}
	}
	// Names are not paths: "." and ".." and "//" are kept.
	for _, name := range []string{"./x", "../x", "a//b", "x/", "."} {
		path := "/sda1/1/a/c/" + name
		wantStatus(t, "PUT "+path, n.putObject(t, path, ts(0), name), 201)
		if r := do(t, n.object, "GET", path, nil, nil); r.status != 200 || r.body != name {
			t.Errorf("GET %s = %d %q, want 200 %q", path, r.status, r.body, name)
		}
	}
	if r := do(t, n.object, "GET", "/sda1/1/a/c/x", nil, nil); r.status != 404 {
		t.Errorf("GET /sda1/1/a/c/x = %d: a PUT of ./x or ../x was cleaned to x", r.status)
	}
}

func TestTransID(t *testing.T) {
	n := newNode(t)
	r := do(t, n.object, "GET", "/sda1/1/a/c/o", hdr("X-Trans-Id", "tx123-abc"), nil)
	if got := r.header.Get("X-Trans-Id"); got != "tx123-abc" {
		t.Errorf("X-Trans-Id echoed = %q", got)
	}
	a := do(t, n.object, "GET", "/sda1/1/a/c/o", nil, nil).header.Get("X-Trans-Id")
	b := do(t, n.object, "GET", "/sda1/1/a/c/o", nil, nil).header.Get("X-Trans-Id")
	if !strings.HasPrefix(a, "tx") || len(a) != 34 || a == b {
		t.Errorf("generated X-Trans-Ids %q, %q: want distinct tx<21 hex>-<10 hex>", a, b)
	}
}

func TestReplicate(t *testing.T) {
	n := newNode(t)
	for _, name := range []string{"o1", "o2", "o3"} {
		n.putObject(t, "/sda1/7/a/c/"+name, ts(0), name)
	}
	want, err := n.devs.get("sda1").Objects.SuffixHashes(context.Background(), 7)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/sda1/7", "/sda1/7/abc", "/sda1/7/abc-def"} {
		r := do(t, n.object, "REPLICATE", path, nil, nil)
		wantStatus(t, "REPLICATE "+path, r, 200)
		var got map[string]string
		if err := json.Unmarshal([]byte(r.body), &got); err != nil {
			t.Fatalf("REPLICATE %s body %q: %v", path, r.body, err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Errorf("REPLICATE %s = %v, want %v", path, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("REPLICATE %s: suffix %s = %q, want %q", path, k, got[k], v)
			}
		}
	}
	if r := do(t, n.object, "REPLICATE", "/sda1/8", nil, nil); r.status != 200 || r.body != "{}" {
		t.Errorf("REPLICATE of an empty partition = %d %q, want 200 {}", r.status, r.body)
	}
	if r := do(t, n.object, "REPLICATE", "/sda1", nil, nil); r.status != 400 {
		t.Errorf("REPLICATE /sda1 = %d, want 400", r.status)
	}
	n.devs.setDown("sda1", true)
	if r := do(t, n.object, "REPLICATE", "/sda1/7", nil, nil); r.status != 507 {
		t.Errorf("REPLICATE on a down device = %d, want 507", r.status)
	}
}

func TestDevicePerRequestLimit(t *testing.T) {
	block := make(chan struct{})
	n := newNode(t, func(c *objectserver.Config) { c.MaxRequestsPerDevice = 1 })
	started := make(chan struct{})
	n.devs.setObjects("sda1", &blockingStore{ObjectStore: n.devs.get("sda1").Objects, started: started, release: block})
	done := make(chan response, 1)
	go func() { done <- do(t, n.object, "HEAD", "/sda1/1/a/c/o", nil, nil) }()
	<-started
	if r := do(t, n.object, "HEAD", "/sda1/1/a/c/o", nil, nil); r.status != 503 {
		t.Errorf("HEAD while the device's one slot is taken = %d, want 503", r.status)
	}
	if r := do(t, n.object, "HEAD", "/sdb1/1/a/c/o", nil, nil); r.status != 404 {
		t.Errorf("HEAD on another device = %d, want 404", r.status)
	}
	close(block)
	if r := <-done; r.status != 404 {
		t.Errorf("blocked HEAD = %d, want 404", r.status)
	}
}

// blockingStore blocks Stat until release is closed.
type blockingStore struct {
	objectserver.ObjectStore
	started chan struct{}
	release chan struct{}
}

func (b *blockingStore) Stat(ctx context.Context, part uint32, name string) (objectserver.ObjectMeta, error) {
	close(b.started)
	<-b.release
	return b.ObjectStore.Stat(ctx, part, name)
}

// fullStore fails writes as a full disk does: at Create, at a Write, or
// at Commit.
type fullStore struct {
	objectserver.ObjectStore
	at string // "create", "write" or "commit"
}

func (f *fullStore) Create(ctx context.Context, part uint32, meta objectserver.ObjectMeta) (objectserver.ObjectWriter, error) {
	if f.at == "create" {
		return nil, objectserver.ErrDiskFull
	}
	w, err := f.ObjectStore.Create(ctx, part, meta)
	if err != nil {
		return nil, err
	}
	return &fullWriter{ObjectWriter: w, at: f.at}, nil
}

func (f *fullStore) Delete(ctx context.Context, part uint32, name string, ts timestamp.Timestamp) (objectserver.ObjectMeta, error) {
	return objectserver.ObjectMeta{}, objectserver.ErrDiskFull
}

type fullWriter struct {
	objectserver.ObjectWriter
	at string
}

func (w *fullWriter) Write(p []byte) (int, error) {
	if w.at == "write" {
		return 0, objectserver.ErrDiskFull
	}
	return w.ObjectWriter.Write(p)
}

func (w *fullWriter) Commit(ctx context.Context) (objectserver.ObjectMeta, error) {
	if w.at == "commit" {
		return objectserver.ObjectMeta{}, objectserver.ErrDiskFull
	}
	return w.ObjectWriter.Commit(ctx)
}

func TestObjectDiskFull(t *testing.T) {
	n := newNode(t)
	mem := n.devs.get("sda1").Objects
	rec := newRecordingServer(t, 201)
	const full = "<html><h1>Insufficient Storage</h1><p>There was not enough space to save the resource. Drive: sda1</p></html>"
	for _, at := range []string{"create", "write", "commit"} {
		n.devs.setObjects("sda1", &fullStore{ObjectStore: mem, at: at})
		r := n.putObject(t, "/sda1/1/a/c/o", ts(1), strings.Repeat("x", 100000),
			"X-Container-Host", host(rec.Server), "X-Container-Device", "sdx", "X-Container-Partition", "1")
		if r.status != 507 || r.body != full {
			t.Errorf("PUT with the disk full at %s = %d %q, want 507", at, r.status, r.body)
		}
	}
	r := do(t, n.object, "DELETE", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(2)), nil)
	wantStatus(t, "DELETE on a full disk", r, 507)
	n.devs.setObjects("sda1", mem)
	if r := do(t, n.object, "HEAD", "/sda1/1/a/c/o", nil, nil); r.status != 404 {
		t.Errorf("HEAD after failed PUTs = %d, want 404", r.status)
	}
	if got := len(rec.got()); got != 0 {
		t.Errorf("failed writes sent %d container updates", got)
	}
	if got := metricValue(t, n.reg, "swiftlet_objectserver_insufficient_storage_total", "device", "sda1"); got != 4 {
		t.Errorf("insufficient storage on sda1 = %v, want 4", got)
	}
	// The other device still serves.
	wantStatus(t, "PUT on sdb1", n.putObject(t, "/sdb1/1/a/c/o", ts(1), "x"), 201)
}

// TestObjectDeleteBetweenPutAndPost: as in Swift, a DELETE newer than the
// data wins even if the object's last POST is newer.
func TestObjectDeleteBetweenPutAndPost(t *testing.T) {
	n := newNode(t)
	n.putObject(t, "/sda1/1/a/c/o", ts(0), "x")
	wantStatus(t, "POST", do(t, n.object, "POST", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(2)), nil), 202)
	wantStatus(t, "DELETE between PUT and POST", do(t, n.object, "DELETE", "/sda1/1/a/c/o", hdr("X-Timestamp", ts(1)), nil), 204)
	r := do(t, n.object, "HEAD", "/sda1/1/a/c/o", nil, nil)
	if r.status != 404 || r.header.Get("X-Backend-Timestamp") != ts(1) {
		t.Errorf("HEAD after the DELETE = %d (%s), want 404 (%s)", r.status, r.header.Get("X-Backend-Timestamp"), ts(1))
	}
}
