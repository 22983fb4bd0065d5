package proxy

import (
	"fmt"
	"net"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/ring"
)

var testSalt = hashpath.Salt{Prefix: "proxy-test-prefix", Suffix: "proxy-test-suffix"}

// fakeClock is a settable clock for error limiting.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testRing builds a ring over the given addresses ("ip:port"), one device
// each, each in a zone of its own.
func testRing(t testing.TB, replicas float64, addrs ...string) *ring.Ring {
	t.Helper()
	b, err := ring.NewBuilder(4, replicas, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range addrs {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			t.Fatal(err)
		}
		p, _ := strconv.Atoi(port)
		if _, err := b.AddDevice(ring.Device{Region: 1, Zone: i + 1, IP: host, Port: p, Name: fmt.Sprintf("sd%c", 'a'+i), Weight: 100}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Rebalance(ring.RebalanceOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := b.Ring(testSalt)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fakeAddrs are n addresses nothing listens on (nodeIter tests make no
// requests).
func fakeAddrs(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("127.0.0.%d:6200", i+1)
	}
	return out
}

func newTestLimiter(limit int, clock *fakeClock) (*errorLimiter, *prometheus.Registry) {
	reg := prometheus.NewRegistry()
	return newErrorLimiter(limit, time.Minute, clock.Now, newMetrics(reg)), reg
}

// counterValue sums a counter's series in reg.
func counterValue(t testing.TB, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}

// A node is skipped once it has failed more than the limit within the
// interval, or at once after a 507, until the interval has passed since
// its last error.
func TestErrorLimiter(t *testing.T) {
	dev := &ring.Device{IP: "10.0.0.1", Port: 6200, Name: "sdb"}
	other := &ring.Device{IP: "10.0.0.1", Port: 6200, Name: "sdc"}
	tests := []struct {
		name     string
		failures int
		limit    bool          // then a 507
		wait     time.Duration // before checking
		want     bool
	}{
		{"no errors", 0, false, 0, false},
		{"at the limit", 3, false, 0, false},
		{"over the limit", 4, false, 0, true},
		{"507", 0, true, 0, true},
		{"over the limit, interval not over", 4, false, 59 * time.Second, true},
		{"over the limit, interval over", 4, false, 61 * time.Second, false},
		{"507, interval over", 0, true, 61 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			l, m := newTestLimiter(3, clock)
			for range tt.failures {
				l.failed(dev, objectServer)
				clock.advance(time.Second)
			}
			if tt.limit {
				l.limit(dev, objectServer)
			}
			clock.advance(tt.wait)
			if got := l.limited(dev); got != tt.want {
				t.Errorf("limited = %v, want %v", got, tt.want)
			}
			if l.limited(other) {
				t.Errorf("another device of the server is limited too")
			}
			limitedCount := 0
			if tt.failures > 3 || tt.limit {
				limitedCount = 1
			}
			if got := counterValue(t, m, "swiftlet_proxy_nodes_error_limited_total"); got != float64(limitedCount) {
				t.Errorf("error-limited count = %v, want %d", got, limitedCount)
			}
		})
	}
	t.Run("errors spread out do not add up", func(t *testing.T) {
		clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
		l, _ := newTestLimiter(2, clock)
		for range 5 {
			l.failed(dev, objectServer)
			clock.advance(61 * time.Second)
		}
		if l.limited(dev) {
			t.Errorf("a node failing once a minute is limited")
		}
	})
}

// nodeIter yields primaries then handoffs, skips limited nodes, stays
// within its budget, and replaces a node that gets limited after it was
// yielded.
func TestNodeIter(t *testing.T) {
	r := testRing(t, 3, fakeAddrs(6)...)
	const part = 5
	primaries := r.Primaries(part)
	var handoffs []*ring.Device
	for d := range r.Handoffs(part) {
		handoffs = append(handoffs, d)
	}
	tests := []struct {
		name         string
		budget       int
		limitFirst   []*ring.Device // limited before iterating
		limitYielded int            // how many yielded nodes get limited while iterating
		want         int            // nodes yielded
		wantHandoffs int            // of which handoffs
	}{
		{"primaries only", 3, nil, 0, 3, 0},
		{"twice the replicas", 6, nil, 0, 6, 3},
		{"budget beyond the ring", 100, nil, 0, 6, 3},
		{"a limited primary is skipped, not counted", 3, primaries[:1], 0, 3, 1},
		{"limited primary, handoff budget", 6, primaries[:1], 0, 5, 3},
		{"yielded then limited: replaced", 3, nil, 2, 5, 2},
		{"all limited", 6, append(slices.Clone(primaries), handoffs...), 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
			l, _ := newTestLimiter(0, clock)
			for _, d := range tt.limitFirst {
				l.limit(d, objectServer)
			}
			it := newNodeIter(r, part, tt.budget, l)
			defer it.close()
			var got []*ring.Device
			limitLeft := tt.limitYielded
			for {
				d, ok := it.next()
				if !ok {
					break
				}
				if slices.Contains(got, d) {
					t.Fatalf("node %s yielded twice", nodeKey(d))
				}
				if slices.Contains(tt.limitFirst, d) {
					t.Errorf("limited node %s yielded", nodeKey(d))
				}
				got = append(got, d)
				if limitLeft > 0 {
					limitLeft--
					l.limit(d, objectServer)
				}
			}
			nh := 0
			for _, d := range got {
				switch {
				case !slices.Contains(primaries, d):
					nh++
				case nh > 0:
					t.Errorf("primary %s after a handoff", nodeKey(d))
				}
			}
			if len(got) != tt.want || nh != tt.wantHandoffs {
				t.Errorf("yielded %d nodes (%d handoffs), want %d (%d)", len(got), nh, tt.want, tt.wantHandoffs)
			}
		})
	}
}

// The primaries come in random order, so that reads spread over the
// replicas.
func TestNodeIterShufflesPrimaries(t *testing.T) {
	r := testRing(t, 3, fakeAddrs(4)...)
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	l, _ := newTestLimiter(10, clock)
	firsts := map[string]bool{}
	for range 200 {
		it := newNodeIter(r, 3, 3, l)
		d, _ := it.next()
		firsts[nodeKey(d)] = true
		it.close()
	}
	if len(firsts) != 3 {
		t.Errorf("the first node was one of %d primaries, want all 3", len(firsts))
	}
	if got := r.Primaries(3); len(got) != 3 {
		t.Errorf("the ring's primaries changed: %d", len(got))
	}
}
