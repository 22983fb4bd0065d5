package proxy_test

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// cutBody is a response body that fails after left bytes, or (with
// stall) stops sending until the request is cancelled.
type cutBody struct {
	io.ReadCloser
	left  int
	stall <-chan struct{}
}

func (b *cutBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		if b.stall != nil {
			<-b.stall
		}
		return 0, io.ErrUnexpectedEOF
	}
	p = p[:min(len(p), b.left)]
	n, err := b.ReadCloser.Read(p)
	b.left -= n
	return n, err
}

// cutGETs makes the first n object GETs fail after the given number of
// body bytes (stalling instead, with stall); the later ones are left
// alone, or changed by later.
func cutGETs(n int, after int, stall bool, later func(*http.Response)) func(*http.Request, http.RoundTripper) (*http.Response, error) {
	var count atomic.Int32
	return func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		resp, err := next.RoundTrip(req)
		if err != nil || req.Method != "GET" || resp.StatusCode/100 != 2 {
			return resp, err
		}
		if int(count.Add(1)) > n {
			if later != nil {
				later(resp)
			}
			return resp, nil
		}
		cb := &cutBody{ReadCloser: resp.Body, left: after}
		if stall {
			cb.stall = req.Context().Done()
		}
		resp.Body = cb
		return resp, nil
	}
}

// A GET whose node fails mid-body resumes from another node where it
// stopped; the client gets every byte, once, in order.
func TestObjectGetResumes(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, func(c *proxy.Config) { c.NodeTimeout = 300 * time.Millisecond })
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(500_000)
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", hdr("Content-Type", "application/x-thing"), data); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	tests := []struct {
		name      string
		rng       string
		failures  int // node answers cut off
		after     int // bytes of the node's body before the cut
		stall     bool
		wantBody  []byte
		wantRange string // of the first resumed request
	}{
		{"whole", "", 1, 123_456, false, data, "bytes=123456-499999"},
		{"whole, twice", "", 2, 1000, false, data, "bytes=1000-499999"},
		{"whole, stalled", "", 1, 70_000, true, data, "bytes=70000-499999"},
		{"whole, first byte", "", 1, 0, false, data, "bytes=0-499999"},
		{"whole, last byte", "", 1, 499_999, false, data, "bytes=499999-499999"},
		{"one range", "bytes=1000-300999", 1, 5000, false, data[1000:301000], "bytes=6000-300999"},
		{"suffix range", "bytes=-10000", 1, 1, false, data[490_000:], "bytes=490001-499999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc.faults.setHook(cutGETs(tt.failures, tt.after, tt.stall, nil))
			h := http.Header{}
			if tt.rng != "" {
				h.Set("Range", tt.rng)
			}
			r := tc.do("GET", "/v1/AUTH_a/c/o", h, nil)
			if r.err != nil || !bytes.Equal(r.body, tt.wantBody) {
				t.Fatalf("GET = %d, %d bytes, %v; want %d bytes intact", r.status, len(r.body), r.err, len(tt.wantBody))
			}
			gets := tc.faults.callsFor("GET")
			if len(gets) < 1+tt.failures || gets[1].rng != tt.wantRange {
				t.Errorf("node GETs %v; want a resume with Range %q", gets, tt.wantRange)
			}
		})
	}
}

// A multi-range GET resumes too: the parts already sent are skipped, and
// the framing stays the first node's.
func TestObjectGetResumesMultipart(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(100_000)
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", hdr("Content-Type", "application/x-thing"), data); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	const rng = "bytes=0-9999,20000-29999,-5000"
	want := []rangeWant{{0, 10000, data[:10000]}, {20000, 30000, data[20000:30000]}, {95000, 100000, data[95000:]}}
	// Cuts in the first part, in a part header, between parts, in the
	// last part, in the closing boundary.
	for _, after := range []int{0, 50, 5000, 10_080, 10_150, 12_000, 20_150, 25_000, 25_280} {
		t.Run(itoa(after), func(t *testing.T) {
			tc.faults.setHook(cutGETs(1, after, false, nil))
			r := tc.do("GET", "/v1/AUTH_a/c/o", hdr("Range", rng), nil)
			checkMultipart(t, r, "application/x-thing", want)
			if gets := tc.faults.callsFor("GET"); len(gets) != 2 || gets[1].rng != rng {
				t.Errorf("node GETs %v; want one resume with the client's Range", gets)
			}
		})
	}
}

// When no node can finish a GET, the client's transfer is cut off: it
// never gets wrong bytes, nor a short body that looks complete.
func TestObjectGetCutOff(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(200_000)
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, data); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	otherObject := func(resp *http.Response) { resp.Header.Set("Etag", `"`+md5hex([]byte("other"))+`"`) }
	tests := []struct {
		name string
		hook func(*http.Request, http.RoundTripper) (*http.Response, error)
		rng  string
	}{
		{"every node fails", cutGETs(100, 1000, false, nil), ""},
		{"every node fails, one range", cutGETs(100, 1000, false, nil), "bytes=10-100000"},
		{"every node fails, ranges", cutGETs(100, 1000, false, nil), "bytes=10-100000,150000-"},
		{"the others have another object", cutGETs(1, 1000, false, otherObject), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc.faults.setHook(tt.hook)
			h := http.Header{}
			if tt.rng != "" {
				h.Set("Range", tt.rng)
			}
			r := tc.do("GET", "/v1/AUTH_a/c/o", h, nil)
			if r.err == nil {
				t.Fatalf("GET = %d, %d bytes, no error; want a broken transfer", r.status, len(r.body))
			}
			if tt.rng == "" && !bytes.HasPrefix(data, r.body) {
				t.Errorf("the %d bytes received are not the object's", len(r.body))
			}
		})
	}
}

// Reads go on when nodes are down; X-Newest finds the newest replica
// after one missed a write.
func TestObjectGetNodesDownAndNewest(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	ids := tc.primaryIDs("AUTH_a", "c", "o")
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, "old"); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	stale := tc.node(ids[0])
	stale.Stop()
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, "new!"); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	for _, m := range []string{"GET", "HEAD"} {
		if r := tc.do(m, "/v1/AUTH_a/c/o", nil, nil); r.status != 200 || r.header.Get("Content-Length") != "4" {
			t.Errorf("%s with a node down = %d, Content-Length %q", m, r.status, r.header.Get("Content-Length"))
		}
	}
	stale.Start(t)
	for i := range 10 {
		r := tc.do("GET", "/v1/AUTH_a/c/o", hdr("X-Newest", "true"), nil)
		if string(r.body) != "new!" {
			t.Fatalf("X-Newest GET #%d = %q, want the newest", i, r.body)
		}
	}
	if r := tc.do("HEAD", "/v1/AUTH_a/c/o", hdr("X-Newest", "yes"), nil); r.header.Get("Content-Length") != "4" {
		t.Errorf("X-Newest HEAD Content-Length = %q", r.header.Get("Content-Length"))
	}
}

// errNodeDown answers a node request as a refused connection would.
var errNodeDown = errors.New("the test took this node down")

// A read whose every node fails is a 503; a 404 needs a quorum of 404s.
func TestObjectGetNoQuorum(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	tc.faults.setHook(func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		if strings.Count(req.URL.Path, "/") >= 5 { // object requests
			return nil, errNodeDown
		}
		return next.RoundTrip(req)
	})
	for _, m := range []string{"GET", "HEAD"} {
		if r := tc.do(m, "/v1/AUTH_a/c/o", nil, nil); r.status != 503 {
			t.Errorf("%s with every node down = %d, want 503", m, r.status)
		}
	}
}
