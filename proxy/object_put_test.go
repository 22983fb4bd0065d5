package proxy_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// A write succeeds at a quorum of replicas; a failed primary is replaced
// by a handoff, and when too few nodes are left nothing is reported
// written, and nothing is.
func TestObjectPutQuorum(t *testing.T) {
	t.Run("one primary down", func(t *testing.T) {
		tc := newTestCluster(t, cluster.Options{}, nil)
		tc.mkContainer("AUTH_a", "c", nil)
		down := tc.primaryIDs("AUTH_a", "c", "o")[0]
		tc.node(down).Stop()
		data := pattern(200_000)
		if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, data); r.status != 201 {
			t.Fatalf("PUT with a primary down = %d %s", r.status, r.body)
		}
		stored := tc.stored("AUTH_a", "c", "o")
		if len(stored) != 3 || stored[down] != "" {
			t.Errorf("stored on %v; want two primaries and the handoff, not node %d", stored, down)
		}
		if r := tc.do("GET", "/v1/AUTH_a/c/o", nil, nil); r.status != 200 || !bytes.Equal(r.body, data) {
			t.Errorf("GET = %d, %d bytes", r.status, len(r.body))
		}
		tc.node(down).Start(t)
	})
	t.Run("two of three down", func(t *testing.T) {
		tc := newTestCluster(t, cluster.Options{Nodes: 3}, nil)
		tc.mkContainer("AUTH_a", "c", nil)
		ids := tc.primaryIDs("AUTH_a", "c", "o")
		tc.node(ids[0]).Stop()
		tc.node(ids[1]).Stop()
		if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, pattern(200_000)); r.status != 503 {
			t.Errorf("PUT with two of three down = %d, want 503", r.status)
		}
		tc.Proxy.Close() // every node request has ended
		if s := tc.stored("AUTH_a", "c", "o"); len(s) != 0 {
			t.Errorf("a failed PUT stored the object on %v", s)
		}
	})
}

// A node that refuses the body (507, 5xx, a connection error, a
// timeout) before it is sent is replaced by the next node, a handoff;
// one that answers 409 or 412 decides the PUT.
func TestObjectPutBeforeBody(t *testing.T) {
	fail := func(status int) func(*http.Request, http.RoundTripper) (*http.Response, error) {
		return func(req *http.Request, _ http.RoundTripper) (*http.Response, error) {
			req.Body.Close()
			return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")),
				Request: req, ProtoMajor: 1, ProtoMinor: 1}, nil
		}
	}
	tests := []struct {
		name string
		// answer replaces the first primary's answer to the PUT
		answer     func(*http.Request, http.RoundTripper) (*http.Response, error)
		wantStatus int
		handoff    bool // the handoff, not the first primary, stores it
	}{
		{"507", fail(507), 201, true},
		{"503", fail(503), 201, true},
		{"connection error", func(req *http.Request, _ http.RoundTripper) (*http.Response, error) {
			req.Body.Close()
			return nil, errors.New("connection refused, says the test")
		}, 201, true},
		{"no 100-continue", func(req *http.Request, _ http.RoundTripper) (*http.Response, error) {
			<-req.Context().Done() // a node that never answers
			req.Body.Close()
			return nil, req.Context().Err()
		}, 201, true},
		{"409", fail(409), 202, false},
		{"412", fail(412), 412, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestCluster(t, cluster.Options{}, func(c *proxy.Config) { c.NodeTimeout = 500 * time.Millisecond })
			tc.mkContainer("AUTH_a", "c", nil)
			ids := tc.primaryIDs("AUTH_a", "c", "o")
			bad := tc.objectHost(ids[0])
			tc.faults.setHook(func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
				if req.Method == "PUT" && req.URL.Host == bad {
					return tt.answer(req, next)
				}
				return next.RoundTrip(req)
			})
			data := pattern(300_000)
			if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, data); r.status != tt.wantStatus {
				t.Fatalf("PUT = %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			tc.Proxy.Close()
			stored := tc.stored("AUTH_a", "c", "o")
			if !tt.handoff {
				if len(stored) != 0 {
					t.Errorf("stored on %v, want nowhere", stored)
				}
				return
			}
			var handoff int
			for _, n := range tc.Nodes {
				if !slices.Contains(ids, n.ID) {
					handoff = n.ID
				}
			}
			want := map[int]string{ids[1]: md5hex(data), ids[2]: md5hex(data), handoff: md5hex(data)}
			if fmt.Sprint(stored) != fmt.Sprint(want) {
				t.Errorf("stored on %v, want %v", stored, want)
			}
		})
	}
}

// A node that fails or stalls mid-body is dropped; the PUT succeeds with
// the others if they are a quorum, and is aborted everywhere if not.
func TestObjectPutMidBody(t *testing.T) {
	breakAfter := func(n int) func(*http.Request, http.RoundTripper) (*http.Response, error) {
		return func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
			req.Body = &failingBody{ReadCloser: req.Body, left: n}
			return next.RoundTrip(req)
		}
	}
	stall := func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		req.Body = &failingBody{ReadCloser: req.Body, left: 100_000, stall: req.Context()}
		return next.RoundTrip(req)
	}
	tests := []struct {
		name       string
		bad        int // how many primaries misbehave
		misbehave  func(*http.Request, http.RoundTripper) (*http.Response, error)
		wantStatus int
	}{
		{"one fails", 1, breakAfter(150_000), 201},
		{"one stalls", 1, stall, 201},
		{"two fail", 2, breakAfter(150_000), 503},
		{"two stall", 2, stall, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestCluster(t, cluster.Options{}, func(c *proxy.Config) { c.NodeTimeout = 500 * time.Millisecond })
			tc.mkContainer("AUTH_a", "c", nil)
			ids := tc.primaryIDs("AUTH_a", "c", "o")
			bad := map[string]bool{}
			for _, id := range ids[:tt.bad] {
				bad[tc.objectHost(id)] = true
			}
			tc.faults.setHook(func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
				if req.Method == "PUT" && bad[req.URL.Host] {
					return tt.misbehave(req, next)
				}
				return next.RoundTrip(req)
			})
			data := pattern(3 << 20)
			if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, data); r.status != tt.wantStatus {
				t.Fatalf("PUT = %d %s, want %d", r.status, r.body, tt.wantStatus)
			}
			tc.Proxy.Close()
			stored := tc.stored("AUTH_a", "c", "o")
			want := map[int]string{}
			if tt.wantStatus == 201 {
				for _, id := range ids[tt.bad:] {
					want[id] = md5hex(data)
				}
			}
			if fmt.Sprint(stored) != fmt.Sprint(want) {
				t.Errorf("stored on %v, want %v", stored, want)
			}
		})
	}
}

// failingBody is a request body that fails after left bytes, or (with
// stall) stops being read until the request is cancelled.
type failingBody struct {
	io.ReadCloser
	left  int
	stall context.Context
}

func (b *failingBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		if b.stall != nil {
			<-b.stall.Done()
			return 0, b.stall.Err()
		}
		return 0, errors.New("the test broke this body")
	}
	p = p[:min(len(p), b.left)]
	n, err := b.ReadCloser.Read(p)
	b.left -= n
	return n, err
}

// A client that goes away mid-body, or is too slow, or sends too much,
// stores nothing anywhere.
func TestObjectPutClientFailures(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{}, func(c *proxy.Config) {
		c.ClientTimeout = 300 * time.Millisecond
		c.Constraints.MaxFileSize = 1 << 20
	})
	tc.mkContainer("AUTH_a", "c", nil)
	head := "PUT /v1/AUTH_a/c/o HTTP/1.1\r\nHost: x\r\nContent-Type: a/b\r\n"

	t.Run("disconnect", func(t *testing.T) {
		tc.drainDone()
		tc.rawRequest(head + "Content-Length: 1000000\r\n\r\n" + string(pattern(200_000)))
		if st := tc.waitDone(); st != 499 {
			t.Errorf("client gone mid-body: proxy answered %d, want 499", st)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		tc.drainDone()
		conn, err := net.Dial("tcp", strings.TrimPrefix(tc.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := io.WriteString(conn, head+"Content-Length: 1000000\r\n\r\n"+string(pattern(100_000))); err != nil {
			t.Fatal(err)
		}
		if st := tc.waitDone(); st != 408 {
			t.Errorf("client too slow: proxy answered %d, want 408", st)
		}
	})
	t.Run("too large chunked", func(t *testing.T) {
		r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, io.MultiReader(bytes.NewReader(pattern(1<<20+1))))
		if r.status != 413 {
			t.Errorf("chunked PUT over the limit = %d, want 413", r.status)
		}
	})
	tc.Proxy.Close()
	if s := tc.stored("AUTH_a", "c", "o"); len(s) != 0 {
		t.Errorf("failed uploads stored the object on %v", s)
	}
}

// A DELETE without a quorum counts a node's 404 as a success (Swift's
// override), and X-If-Delete-At, the expirer's, is ignored.
func TestObjectDeleteQuorum(t *testing.T) {
	tc := newTestCluster(t, cluster.Options{Nodes: 3}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	ids := tc.primaryIDs("AUTH_a", "c", "o")
	tc.node(ids[0]).Stop()
	if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, "x"); r.status != 201 {
		t.Fatalf("PUT = %d", r.status)
	}
	tc.node(ids[0]).Start(t)
	failing := tc.objectHost(ids[1])
	tc.faults.setHook(func(req *http.Request, next http.RoundTripper) (*http.Response, error) {
		if req.Method == "DELETE" && req.URL.Host == failing {
			return nil, errors.New("the test broke this node")
		}
		return next.RoundTrip(req)
	})
	// ids[0]: 404 (missed the PUT), ids[1]: unavailable, ids[2]: 204.
	if r := tc.do("DELETE", "/v1/AUTH_a/c/o", hdr("X-If-Delete-At", "12345"), nil); r.status != 204 {
		t.Errorf("DELETE = %d %s, want 204", r.status, r.body)
	}
}
