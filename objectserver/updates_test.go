package objectserver_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/objectserver"
)

// recordingServer is a listing server that records the updates it gets
// and answers them with status.
type recordingServer struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*http.Request // guarded by mu
	status   int
}

func newRecordingServer(t *testing.T, status int) *recordingServer {
	rs := &recordingServer{status: status}
	rs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs.mu.Lock()
		rs.requests = append(rs.requests, r.Clone(context.Background()))
		rs.mu.Unlock()
		w.WriteHeader(rs.status)
	}))
	t.Cleanup(rs.Close)
	return rs
}

func (rs *recordingServer) got() []*http.Request {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]*http.Request(nil), rs.requests...)
}

// host is a server's "ip:port".
func host(srv *httptest.Server) string { return srv.Listener.Addr().String() }

// deadHost is an address nothing listens on.
func deadHost(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func pendings(t *testing.T, n *node, dev string) []objectserver.QueuedUpdate {
	t.Helper()
	q, err := n.devs.get(dev).Pending.Pendings(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestContainerUpdateFanOut(t *testing.T) {
	n := newNode(t)
	wantStatus(t, "container PUT", do(t, n.container, "PUT", "/sda1/3/a/c", hdr("X-Timestamp", ts(0)), nil), 201)
	ok := newRecordingServer(t, 201)
	failing := newRecordingServer(t, 503)
	dead := deadHost(t)
	targets := hdr(
		"X-Container-Host", host(n.container)+", "+host(ok.Server)+","+host(failing.Server)+", "+dead,
		"X-Container-Device", "sda1,sdx, sdy,sdz",
		"X-Container-Partition", "3",
	)
	put := hdr("X-Timestamp", ts(1), "Content-Type", "text/x", "Content-Length", "5", "X-Trans-Id", "tx-fanout")
	for k, v := range targets {
		put[k] = v
	}
	wantStatus(t, "object PUT", do(t, n.object, "PUT", "/sda1/1/a/c/dir/o", put, strings.NewReader("hello")), 201)

	// The live container server listed it.
	r := do(t, n.container, "GET", "/sda1/3/a/c?format=json", nil, nil)
	if !strings.Contains(r.body, `"bytes": 5, "hash": "`+md5hex("hello")+`", "name": "dir/o", "content_type": "text/x"`) {
		t.Errorf("container listing after PUT = %s", r.body)
	}
	// The recording one got Swift's update.
	reqs := ok.got()
	if len(reqs) != 1 {
		t.Fatalf("recording container server got %d updates, want 1", len(reqs))
	}
	u := reqs[0]
	if u.Method != "PUT" || u.URL.Path != "/sdx/3/a/c/dir/o" {
		t.Errorf("update = %s %s, want PUT /sdx/3/a/c/dir/o", u.Method, u.URL.Path)
	}
	for k, v := range map[string]string{
		"X-Size": "5", "X-Content-Type": "text/x", "X-Etag": md5hex("hello"), "X-Timestamp": ts(1),
		"X-Trans-Id": "tx-fanout", "X-Backend-Storage-Policy-Index": "0",
	} {
		if got := u.Header.Get(k); got != v {
			t.Errorf("update %s = %q, want %q", k, got, v)
		}
	}
	if !strings.HasPrefix(u.Header.Get("User-Agent"), "object-server ") || !strings.HasPrefix(u.Header.Get("Referer"), "PUT http://") {
		t.Errorf("update User-Agent %q, Referer %q", u.Header.Get("User-Agent"), u.Header.Get("Referer"))
	}
	// The two that failed are queued, once, on the object's device.
	q := pendings(t, n, "sda1")
	if len(q) != 1 {
		t.Fatalf("pendings = %+v, want 1", q)
	}
	p := q[0]
	wantTargets := []string{host(failing.Server) + "/sdy", dead + "/sdz"}
	if p.Method != "PUT" || p.Account != "a" || p.Container != "c" || p.Object != "dir/o" ||
		p.ContainerPartition != 3 || p.Timestamp.Internal() != ts(1) ||
		strings.Join(sortedCopy(p.Targets), " ") != strings.Join(sortedCopy(wantTargets), " ") {
		t.Errorf("pending = %+v, want PUT a/c/dir/o part 3 at %s to %v", p.PendingUpdate, ts(1), wantTargets)
	}
	if p.Headers.Get("X-Size") != "5" || p.Headers.Get("X-Etag") != md5hex("hello") {
		t.Errorf("pending headers = %v", p.Headers)
	}
	if got := pendings(t, n, "sdb1"); len(got) != 0 {
		t.Errorf("pendings on another device: %v", got)
	}
	if got := metricValue(t, n.reg, "swiftlet_objectserver_updates_total", "server", "object", "result", "failed"); got != 2 {
		t.Errorf("failed updates = %v, want 2", got)
	}
	if got := metricValue(t, n.reg, "swiftlet_objectserver_async_pendings_total", "result", "queued"); got != 1 {
		t.Errorf("queued async pendings = %v, want 1", got)
	}

	// A DELETE sends DELETEs, with only the timestamp.
	del := hdr("X-Timestamp", ts(2))
	for k, v := range targets {
		del[k] = v
	}
	wantStatus(t, "object DELETE", do(t, n.object, "DELETE", "/sda1/1/a/c/dir/o", del, nil), 204)
	if r := do(t, n.container, "GET", "/sda1/3/a/c", nil, nil); r.status != 204 {
		t.Errorf("container listing after DELETE = %d %q, want 204", r.status, r.body)
	}
	reqs = ok.got()
	if len(reqs) != 2 || reqs[1].Method != "DELETE" || reqs[1].Header.Get("X-Timestamp") != ts(2) || reqs[1].Header.Get("X-Size") != "" {
		t.Errorf("DELETE update = %+v", reqs[len(reqs)-1])
	}
	// The newer pending supersedes the PUT's.
	if q := pendings(t, n, "sda1"); len(q) != 1 || q[0].Method != "DELETE" || q[0].Headers.Get("X-Timestamp") != ts(2) {
		t.Errorf("pendings after DELETE = %+v, want the DELETE's", q)
	}
}

func sortedCopy(s []string) []string {
	c := append([]string(nil), s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestContainerUpdateTimeout(t *testing.T) {
	n := newNode(t, func(c *objectserver.Config) { c.ContainerUpdateTimeout = 50 * time.Millisecond })
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(stuck.Close)
	h := hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "1",
		"X-Container-Host", host(stuck), "X-Container-Device", "sdx", "X-Container-Partition", "9")
	wantStatus(t, "PUT", do(t, n.object, "PUT", "/sda1/1/a/c/o", h, strings.NewReader("x")), 201)
	q := pendings(t, n, "sda1")
	if len(q) != 1 || len(q[0].Targets) != 1 || q[0].Targets[0] != host(stuck)+"/sdx" {
		t.Errorf("pendings after a container server that never answers = %+v", q)
	}
}

func TestContainerUpdateHeaders(t *testing.T) {
	n := newNode(t)
	rec := newRecordingServer(t, 201)
	target := func(h http.Header) http.Header {
		h.Set("X-Container-Host", host(rec.Server))
		h.Set("X-Container-Device", "sdx")
		h.Set("X-Container-Partition", "4")
		return h
	}
	t.Run("overrides", func(t *testing.T) {
		h := target(hdr("X-Timestamp", ts(1), "Content-Type", "a/b", "Content-Length", "1",
			"X-Backend-Container-Update-Override-Etag", "backend",
			"X-Backend-Container-Update-Override-Size", "99",
			"X-Object-Sysmeta-Container-Update-Override-Etag", "sysmeta"))
		wantStatus(t, "PUT", do(t, n.object, "PUT", "/sda1/1/a/c/o", h, strings.NewReader("x")), 201)
		u := rec.got()[len(rec.got())-1]
		if u.Header.Get("X-Etag") != "sysmeta" || u.Header.Get("X-Size") != "99" {
			t.Errorf("update X-Etag %q, X-Size %q; want sysmeta, 99", u.Header.Get("X-Etag"), u.Header.Get("X-Size"))
		}
	})
	t.Run("post", func(t *testing.T) {
		h := target(hdr("X-Timestamp", ts(2), "Content-Type", "new/type"))
		wantStatus(t, "POST", do(t, n.object, "POST", "/sda1/1/a/c/o", h, nil), 202)
		u := rec.got()[len(rec.got())-1]
		for k, v := range map[string]string{
			"X-Timestamp": ts(1), "X-Meta-Timestamp": ts(2), "X-Content-Type-Timestamp": ts(2),
			"X-Content-Type": "new/type", "X-Size": "1", "X-Etag": "sysmeta", // the stored override applies
		} {
			if got := u.Header.Get(k); got != v || u.Method != "PUT" {
				t.Errorf("POST update %s %s = %q, want PUT with %q", u.Method, k, got, v)
			}
		}
	})
	t.Run("hosts and devices disagree", func(t *testing.T) {
		before := len(rec.got())
		h := hdr("X-Timestamp", ts(3), "Content-Type", "a/b", "Content-Length", "1",
			"X-Container-Host", host(rec.Server)+","+host(rec.Server), "X-Container-Device", "sdx", "X-Container-Partition", "4")
		wantStatus(t, "PUT", do(t, n.object, "PUT", "/sda1/1/a/c/o", h, strings.NewReader("x")), 201)
		if len(rec.got()) != before || len(pendings(t, n, "sda1")) != 0 {
			t.Errorf("an update was sent or queued for mismatched hosts and devices")
		}
	})
	t.Run("no partition", func(t *testing.T) {
		before := len(rec.got())
		h := hdr("X-Timestamp", ts(4), "Content-Type", "a/b", "Content-Length", "1",
			"X-Container-Host", host(rec.Server), "X-Container-Device", "sdx")
		wantStatus(t, "PUT", do(t, n.object, "PUT", "/sda1/1/a/c/o", h, strings.NewReader("x")), 201)
		if len(rec.got()) != before {
			t.Errorf("an update was sent without X-Container-Partition")
		}
	})
	t.Run("rejected writes send nothing", func(t *testing.T) {
		before := len(rec.got())
		h := target(hdr("X-Timestamp", ts(0), "Content-Type", "a/b", "Content-Length", "1"))
		wantStatus(t, "PUT", do(t, n.object, "PUT", "/sda1/1/a/c/o", h, strings.NewReader("x")), 409)
		if len(rec.got()) != before {
			t.Errorf("a 409 PUT sent a container update")
		}
	})
}

func TestAccountUpdate(t *testing.T) {
	n := newNode(t)
	wantStatus(t, "account PUT", do(t, n.account, "PUT", "/sda1/5/a", hdr("X-Timestamp", ts(0)), nil), 201)
	acct := func(hosts, devices string, kv ...string) http.Header {
		h := hdr(kv...)
		h.Set("X-Account-Host", hosts)
		h.Set("X-Account-Device", devices)
		h.Set("X-Account-Partition", "5")
		return h
	}
	h := acct(host(n.account)+","+deadHost(t), "sda1,sdq", "X-Timestamp", ts(1))
	wantStatus(t, "container PUT", do(t, n.container, "PUT", "/sda1/3/a/c", h, nil), 201)
	do(t, n.container, "PUT", "/sda1/3/a/c/o", hdr("X-Timestamp", ts(2), "X-Size", "7", "X-Content-Type", "a/b", "X-Etag", "e"), nil)
	r := do(t, n.account, "GET", "/sda1/5/a?format=json", nil, nil)
	if want := `[{"name": "c", "count": 0, "bytes": 0, "last_modified": "2023-11-14T22:13:21.000000"}]`; r.body != want {
		t.Errorf("account listing after container PUT = %s, want %s", r.body, want)
	}
	// A later PUT reports the counts.
	wantStatus(t, "container PUT", do(t, n.container, "PUT", "/sda1/3/a/c", acct(host(n.account), "sda1", "X-Timestamp", ts(3)), nil), 202)
	r = do(t, n.account, "HEAD", "/sda1/5/a", nil, nil)
	if r.header.Get("X-Account-Object-Count") != "1" || r.header.Get("X-Account-Bytes-Used") != "7" || r.header.Get("X-Account-Container-Count") != "1" {
		t.Errorf("account HEAD after update: %v", r.header)
	}
	t.Run("account missing everywhere", func(t *testing.T) {
		nf := newRecordingServer(t, 404)
		r := do(t, n.container, "PUT", "/sda1/3/a/c2", acct(host(nf.Server)+","+host(n.account), "sdx,sda1", "X-Timestamp", ts(4)), nil)
		wantStatus(t, "PUT with one 404", r, 201)
		r = do(t, n.container, "PUT", "/sda1/3/b/c", acct(host(nf.Server)+","+host(nf.Server), "sdx,sdy", "X-Timestamp", ts(4)), nil)
		wantStatus(t, "PUT with all 404", r, 404)
		got := nf.got()
		last := got[len(got)-1]
		if last.URL.Path != "/sdy/5/b/c" && last.URL.Path != "/sdx/5/b/c" || last.Header.Get("X-Put-Timestamp") != ts(4) ||
			last.Header.Get("X-Delete-Timestamp") != "0000000000.00000" || last.Header.Get("X-Object-Count") != "0" {
			t.Errorf("account update %s %v", last.URL.Path, last.Header)
		}
	})
	t.Run("hosts and devices disagree", func(t *testing.T) {
		r := do(t, n.container, "PUT", "/sda1/3/a/c3", acct(host(n.account), "sda1,sdb1", "X-Timestamp", ts(5)), nil)
		wantStatus(t, "PUT", r, 400)
	})
	t.Run("delete", func(t *testing.T) {
		do(t, n.container, "DELETE", "/sda1/3/a/c/o", hdr("X-Timestamp", ts(6)), nil)
		r := do(t, n.container, "DELETE", "/sda1/3/a/c", acct(host(n.account), "sda1", "X-Timestamp", ts(7)), nil)
		wantStatus(t, "container DELETE", r, 204)
		r = do(t, n.account, "GET", "/sda1/5/a", nil, nil)
		if r.body != "c2\n" {
			t.Errorf("account listing after container DELETE = %q, want c2 only", r.body)
		}
	})
}
