package proxy_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// faultTransport sits between the proxy and its nodes: it records every
// node request and lets a test answer, fail or alter some of them (fault
// injection at the seam).
type faultTransport struct {
	base http.RoundTripper

	mu    sync.Mutex
	hook  func(req *http.Request, next http.RoundTripper) (*http.Response, error) // guarded by mu
	calls []nodeCall                                                              // guarded by mu
}

// nodeCall is one request the proxy sent to a node.
type nodeCall struct {
	method, host, path, rng string
}

func (f *faultTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.calls = append(f.calls, nodeCall{req.Method, req.URL.Host, req.URL.Path, req.Header.Get("Range")})
	hook := f.hook
	f.mu.Unlock()
	if hook != nil {
		return hook(req, f.base)
	}
	return f.base.RoundTrip(req)
}

// setHook installs hook for the node requests that follow (nil: none).
func (f *faultTransport) setHook(hook func(req *http.Request, next http.RoundTripper) (*http.Response, error)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.hook = hook
	f.calls = nil
}

// callsTo returns the recorded requests with method to object servers.
func (f *faultTransport) callsFor(method string) []nodeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []nodeCall
	for _, c := range f.calls {
		if c.method == method {
			out = append(out, c)
		}
	}
	return out
}

// testCluster is a cluster.Cluster with the fault transport in front of
// its nodes and a record of how the proxy answered each request.
type testCluster struct {
	*cluster.Cluster
	t      testing.TB
	faults *faultTransport
	// done receives the status the proxy answered each client request
	// with, once its handler has returned.
	done chan int
}

// newTestCluster starts a cluster for object tests; tune adjusts the
// proxy's configuration.
func newTestCluster(t testing.TB, opts cluster.Options, tune func(*proxy.Config)) *testCluster {
	t.Helper()
	checkNoLeaks(t) // runs after the cluster's own cleanup
	tc := &testCluster{t: t, done: make(chan int, 100)}
	tc.faults = &faultTransport{base: &http.Transport{
		MaxIdleConnsPerHost:   64,
		ExpectContinueTimeout: 5 * time.Second,
		DisableCompression:    true,
	}}
	mw := opts.Middleware
	opts.Middleware = func(h http.Handler) http.Handler {
		if mw != nil {
			h = mw(h)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rec := &statusWriter{ResponseWriter: w}
			defer func() {
				select {
				case tc.done <- rec.status:
				default:
				}
			}()
			h.ServeHTTP(rec, r)
		})
	}
	opts.Proxy = func(c *proxy.Config) {
		c.Client = &http.Client{Transport: tc.faults}
		c.PostQuorumTimeout = time.Second
		if tune != nil {
			tune(c)
		}
	}
	tc.Cluster = cluster.New(t, opts)
	t.Cleanup(func() { tc.faults.base.(*http.Transport).CloseIdleConnections() })
	return tc
}

// leakMarkers are functions of the object controller whose goroutines
// must all have ended once a cluster is closed.
var leakMarkers = []string{
	"proxy.(*backend).startPut", "proxy.(*putConn)", "proxy.(*putTransfer)", "proxy.(*Server).connectPut",
	"proxy.(*objectBody)", "proxy.(*objectSource)", "proxy.(*Server).sendObjectBody",
}

// checkNoLeaks fails the test if goroutines of the object controller are
// still running after the test's cleanups (its cluster's Close waits for
// the node requests that outlive client requests).
func checkNoLeaks(t testing.TB) {
	t.Cleanup(func() {
		deadline := time.Now().Add(10 * time.Second)
		for {
			buf := make([]byte, 4<<20)
			buf = buf[:runtime.Stack(buf, true)]
			var leaked []string
			for _, g := range strings.Split(string(buf), "\n\n") {
				for _, m := range leakMarkers {
					if strings.Contains(g, m) {
						leaked = append(leaked, g)
						break
					}
				}
			}
			if len(leaked) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Errorf("%d goroutines left running:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *statusWriter) Flush() { http.NewResponseController(w.ResponseWriter).Flush() }

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// drainDone forgets the statuses recorded so far.
func (tc *testCluster) drainDone() {
	for {
		select {
		case <-tc.done:
		default:
			return
		}
	}
}

// mkContainer creates a container on its container nodes directly, so
// that the object tests do not depend on the container controller.
func (tc *testCluster) mkContainer(account, container string, h http.Header) {
	tc.t.Helper()
	part, nodes := tc.NodesFor("container", account, container, "")
	ts := timestamp.New(time.Now()).Internal()
	for _, n := range nodes {
		req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("http://%s/%s/%d/%s/%s", n.Addr("container"), n.Device, part, account, container), nil)
		req.Header.Set("X-Timestamp", ts)
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			tc.t.Fatalf("container PUT on node %d: %v", n.ID, err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			tc.t.Fatalf("container PUT on node %d: %d", n.ID, resp.StatusCode)
		}
	}
}

// response is a proxy answer with its body read.
type response struct {
	status int
	header http.Header
	body   []byte
	err    error // reading the body
}

// do sends a request to the proxy. body may be nil, a string, []byte or
// an io.Reader (sent chunked).
func (tc *testCluster) do(method, path string, h http.Header, body any) response {
	tc.t.Helper()
	return tc.doURL(tc.URL, method, path, h, body)
}

// doURL is do against the proxy at base ("": the cluster's).
func (tc *testCluster) doURL(base, method, path string, h http.Header, body any) response {
	tc.t.Helper()
	if base == "" {
		base = tc.URL
	}
	var rd io.Reader
	length := int64(-1)
	switch b := body.(type) {
	case nil:
		length = 0
	case string:
		rd, length = strings.NewReader(b), int64(len(b))
	case []byte:
		rd, length = bytes.NewReader(b), int64(len(b))
	case io.Reader:
		rd = b
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		tc.t.Fatal(err)
	}
	req.ContentLength = length
	if body == nil {
		req.Body = nil
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if _, ok := h["Content-Type"]; !ok && method == http.MethodPut && h.Get("X-Copy-From") == "" {
		req.Header.Set("Content-Type", "application/x-test")
	}
	resp, err := testClient.Do(req)
	if err != nil {
		tc.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data, err: err}
}

// otherProxy starts a second proxy in front of the cluster's nodes, its
// configuration adjusted by tune, and returns its URL.
func (tc *testCluster) otherProxy(tune func(*proxy.Config)) string {
	tc.t.Helper()
	cfg := proxy.DefaultConfig()
	cfg.AccountRing = proxy.StaticRing(tc.Rings["account"])
	cfg.ContainerRing = proxy.StaticRing(tc.Rings["container"])
	cfg.ObjectRing = proxy.StaticRing(tc.Rings["object"])
	cfg.Salt = cluster.Salt
	tune(&cfg)
	p, err := proxy.New(cfg)
	if err != nil {
		tc.t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	tc.t.Cleanup(func() {
		srv.Close()
		p.Close()
	})
	return srv.URL
}

// testClient leaves bodies as they are (no gzip decoding).
var testClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// raw sends a request written by hand (for headers Go's client would
// fix) and returns the answer.
func (tc *testCluster) raw(req string) response {
	tc.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(tc.URL, "http://"))
	if err != nil {
		tc.t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, req); err != nil {
		tc.t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		tc.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: data, err: err}
}

// stored reports which nodes hold a live copy of the object (directly in
// their stores) and the ETag each has.
func (tc *testCluster) stored(account, container, object string) map[int]string {
	tc.t.Helper()
	part := tc.Rings["object"].Partition(account, container, object)
	out := map[int]string{}
	for _, n := range tc.Nodes {
		dev, err := n.Devices().Device(n.Device)
		if err != nil {
			tc.t.Fatal(err)
		}
		m, err := dev.Objects.Stat(context.Background(), part, "/"+account+"/"+container+"/"+object)
		if errors.Is(err, objectserver.ErrNotFound) || err == nil && m.Deleted {
			continue
		}
		if err != nil {
			tc.t.Fatalf("Stat on node %d: %v", n.ID, err)
		}
		out[n.ID] = m.ETag
	}
	return out
}

// primaryIDs are the IDs of the object's primary nodes, in ring order.
func (tc *testCluster) primaryIDs(account, container, object string) []int {
	_, nodes := tc.NodesFor("object", account, container, object)
	ids := make([]int, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
	}
	return ids
}

// node returns the node with the id.
func (tc *testCluster) node(id int) *cluster.Node {
	for _, n := range tc.Nodes {
		if n.ID == id {
			return n
		}
	}
	tc.t.Fatalf("no node %d", id)
	return nil
}

// objectHost is the "ip:port" of a node's object server.
func (tc *testCluster) objectHost(id int) string { return tc.node(id).Addr("object") }

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// pattern is n bytes that differ from one offset to the next, so that a
// misplaced byte shows.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// hdr builds a header from pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

// rawRequest sends raw bytes to the proxy over one connection and closes
// it, without reading an answer: a client that goes away.
func (tc *testCluster) rawRequest(raw string) {
	tc.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(tc.URL, "http://"))
	if err != nil {
		tc.t.Fatal(err)
	}
	if _, err := io.WriteString(conn, raw); err != nil {
		tc.t.Fatal(err)
	}
	conn.Close()
}

// waitDone waits for the proxy to finish a request and returns its
// status.
func (tc *testCluster) waitDone() int {
	tc.t.Helper()
	select {
	case st := <-tc.done:
		return st
	case <-time.After(30 * time.Second):
		tc.t.Fatal("the proxy did not finish the request")
		return 0
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
