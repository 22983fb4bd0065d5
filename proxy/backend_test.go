package proxy

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/ring"
)

func TestHaveQuorum(t *testing.T) {
	tests := []struct {
		statuses []int
		quorum   int
		want     bool
	}{
		{nil, 2, false},
		{[]int{201}, 2, false},
		{[]int{201, 202}, 2, true},
		{[]int{201, 404}, 2, false},
		{[]int{404, 409}, 2, true},
		{[]int{503, 503, 503}, 2, false}, // 5xx never decides
		{[]int{100, 100}, 2, true},
		{[]int{301, 302, 500}, 2, true},
		{[]int{201, 404, 503}, 2, false},
		{[]int{201}, 1, true},
	}
	for _, tt := range tests {
		if got := haveQuorum(tt.statuses, tt.quorum); got != tt.want {
			t.Errorf("haveQuorum(%v, %d) = %v, want %v", tt.statuses, tt.quorum, got, tt.want)
		}
	}
}

func TestBestResponse(t *testing.T) {
	tests := []struct {
		statuses []int
		quorum   int
		want     int // 0: none
	}{
		{[]int{201, 201, 201}, 2, 201},
		{[]int{201, 202, 503}, 2, 202},    // the highest of the class
		{[]int{201, 404, 404}, 2, 404},    // 2xx has no quorum
		{[]int{404, 404, 201, 201}, 3, 0}, // nor anyone
		{[]int{204, 404, 503}, 2, 0},
		{[]int{503, 503, 503}, 2, 0},
		{[]int{304, 304, 200}, 2, 304},
		{[]int{201, 201, 404, 404}, 2, 201}, // 2xx before 4xx
		{[]int{412, 409, 404}, 2, 412},
	}
	for _, tt := range tests {
		resps := make([]nodeResponse, len(tt.statuses))
		for i, s := range tt.statuses {
			resps[i] = nodeResponse{status: s}
		}
		got := 0
		if b := bestResponse(resps, tt.quorum); b != nil {
			got = b.status
		}
		if got != tt.want {
			t.Errorf("bestResponse(%v, %d) = %d, want %d", tt.statuses, tt.quorum, got, tt.want)
		}
	}
}

// fakeNodes are storage nodes on httptest servers, one device each, whose
// answers a test chooses per device.
type fakeNodes struct {
	t    *testing.T
	ring *ring.Ring
	srvs map[string]*httptest.Server // by device name

	mu      sync.Mutex
	answer  map[string]func(w http.ResponseWriter, r *http.Request) // by device; nil: 201; guarded by mu
	hits    map[string]int                                          // requests by device; guarded by mu
	headers map[string][]http.Header                                // request headers by device; guarded by mu
}

func newFakeNodes(t *testing.T, n int, replicas float64) *fakeNodes {
	f := &fakeNodes{t: t, srvs: map[string]*httptest.Server{}, answer: map[string]func(http.ResponseWriter, *http.Request){},
		hits: map[string]int{}, headers: map[string][]http.Header{}}
	var addrs []string
	var srvs []*httptest.Server
	for range n {
		var dev string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			f.mu.Lock()
			f.hits[name]++
			f.headers[name] = append(f.headers[name], r.Header.Clone())
			answer := f.answer[name]
			f.mu.Unlock()
			_, _ = io.Copy(io.Discard, r.Body)
			if answer == nil {
				w.WriteHeader(http.StatusCreated)
				return
			}
			answer(w, r)
		}))
		_ = dev
		t.Cleanup(srv.Close)
		srvs = append(srvs, srv)
		addrs = append(addrs, strings.TrimPrefix(srv.URL, "http://"))
	}
	f.ring = testRing(t, replicas, addrs...)
	for i, srv := range srvs {
		f.srvs[fmt.Sprintf("sd%c", 'a'+i)] = srv
	}
	return f
}

func status(code int) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(code) }
}

func (f *fakeNodes) set(dev string, answer func(http.ResponseWriter, *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answer[dev] = answer
}

func (f *fakeNodes) hitsOf(dev string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[dev]
}

func newTestBackend(t *testing.T, tune func(*Config)) (*backend, *prometheus.Registry) {
	cfg := DefaultConfig()
	cfg.NodeTimeout = 2 * time.Second
	cfg.PostQuorumTimeout = 2 * time.Second
	if tune != nil {
		tune(&cfg)
	}
	cfg = cfg.withDefaults()
	reg := prometheus.NewRegistry()
	b := newBackend(cfg, newMetrics(reg))
	t.Cleanup(b.close)
	return b, reg
}

// fanOut writes to every primary, replaces the ones that fail by
// handoffs, and answers by quorum.
func TestFanOut(t *testing.T) {
	const part = 7
	tests := []struct {
		name string
		// answers of the primaries (in ring order) and of the handoffs
		primaries, handoffs []func(http.ResponseWriter, *http.Request)
		down                []int // primaries whose server is closed
		want                int
		wantHandoffHits     int
		wantLimited         int // primaries error-limited afterwards
	}{
		{name: "all succeed", want: 201},
		{name: "one 503", primaries: []func(http.ResponseWriter, *http.Request){status(503)}, want: 201, wantHandoffHits: 1},
		{name: "one 507", primaries: []func(http.ResponseWriter, *http.Request){status(507)}, want: 201, wantHandoffHits: 1, wantLimited: 1},
		{name: "one down", down: []int{0}, want: 201, wantHandoffHits: 1},
		{name: "two 503, handoffs too", primaries: []func(http.ResponseWriter, *http.Request){status(503), status(503)},
			handoffs: []func(http.ResponseWriter, *http.Request){status(503), status(503)}, want: 503, wantHandoffHits: 2},
		{name: "404 quorum", primaries: []func(http.ResponseWriter, *http.Request){status(404), status(404)}, want: 404},
		{name: "one 404", primaries: []func(http.ResponseWriter, *http.Request){status(404)}, want: 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeNodes(t, 5, 3)
			b, _ := newTestBackend(t, func(c *Config) { c.ErrorSuppressionLimit = 1 })
			primaries := f.ring.Primaries(part)
			var handoffs []*ring.Device
			for d := range f.ring.Handoffs(part) {
				handoffs = append(handoffs, d)
			}
			for i, a := range tt.primaries {
				f.set(primaries[i].Name, a)
			}
			for i, a := range tt.handoffs {
				f.set(handoffs[i].Name, a)
			}
			for _, i := range tt.down {
				f.srvs[primaries[i].Name].Close()
			}
			headers := []http.Header{{"X-Which": {"0"}}, {"X-Which": {"1"}}, {"X-Which": {"2"}}}
			got := b.fanOut(context.Background(), StaticRing(f.ring), part, nodeRequest{
				serverType: objectServer, method: "DELETE", part: part, path: "/a/c/o", header: http.Header{},
			}, headers, nil)
			if got.status != tt.want {
				t.Errorf("fanOut = %d, want %d", got.status, tt.want)
			}
			b.close()
			hh := 0
			for _, d := range handoffs {
				hh += f.hitsOf(d.Name)
			}
			if hh != tt.wantHandoffHits {
				t.Errorf("%d requests to handoffs, want %d", hh, tt.wantHandoffHits)
			}
			limited := 0
			for _, d := range primaries {
				if b.limiter.limited(d) {
					limited++
				}
			}
			if limited != tt.wantLimited {
				t.Errorf("%d primaries error-limited, want %d", limited, tt.wantLimited)
			}
			// Every header set went to exactly one node that answered.
			var seen []string
			f.mu.Lock()
			for _, hs := range f.headers {
				for _, h := range hs {
					seen = append(seen, h.Get("X-Which"))
				}
			}
			f.mu.Unlock()
			for _, w := range []string{"0", "1", "2"} {
				if !slices.Contains(seen, w) {
					t.Errorf("header set %s reached no node", w)
				}
			}
		})
	}
}

// A read skips answers its accept function refuses, counting them as
// 404s, and goes on with the nodes after the one it used (a resume).
func TestReadFromAccept(t *testing.T) {
	const part = 3
	f := newFakeNodes(t, 4, 3)
	b, _ := newTestBackend(t, nil)
	for name := range f.srvs {
		f.set(name, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Etag", `"`+name+`"`)
			_, _ = io.WriteString(w, name)
		})
	}
	it := newNodeIter(f.ring, part, 8, b.limiter)
	defer it.close()
	req := nodeRequest{serverType: objectServer, method: "GET", part: part, path: "/a/c/o", header: http.Header{}}
	var used []string
	for range 4 {
		res := b.readFrom(context.Background(), it, 3, req, false, func(resp *http.Response) bool {
			return resp.Header.Get("Etag") != `"sda"`
		})
		if res.Resp == nil {
			t.Fatalf("after %v: no source, best %d", used, res.Best.status)
		}
		body, _ := io.ReadAll(res.Resp.Body)
		res.Resp.Body.Close()
		if string(body) == "sda" || slices.Contains(used, string(body)) {
			t.Errorf("read used %q again or a refused one (used %v)", body, used)
		}
		used = append(used, string(body))
		if len(used) == 3 {
			break
		}
	}
	res := b.readFrom(context.Background(), it, 3, req, false, nil)
	if res.Resp != nil {
		res.Resp.Body.Close()
		t.Errorf("a fourth source from four nodes, one refused: %s", res.Node.Name)
	}
}
