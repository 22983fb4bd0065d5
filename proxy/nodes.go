package proxy

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

// nodeKey identifies a node for error limiting: one device of one server.
func nodeKey(d *ring.Device) string { return fmt.Sprintf("%s:%d/%s", d.IP, d.Port, d.Name) }

// errorLimiter remembers which nodes have been failing. A node with more
// than limit errors, the last one within interval, is skipped; a 507
// (device unavailable) limits a node at once. Safe for concurrent use.
type errorLimiter struct {
	maxErrors int
	interval  time.Duration
	now       func() time.Time
	metrics   *metrics

	mu    sync.Mutex
	nodes map[string]*nodeErrors // guarded by mu
}

type nodeErrors struct {
	count int
	last  time.Time
}

func newErrorLimiter(limit int, interval time.Duration, now func() time.Time, m *metrics) *errorLimiter {
	return &errorLimiter{maxErrors: limit, interval: interval, now: now, metrics: m, nodes: map[string]*nodeErrors{}}
}

// limited reports whether the node is being skipped.
func (e *errorLimiter) limited(d *ring.Device) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	ne := e.nodes[nodeKey(d)]
	if ne == nil {
		return false
	}
	if e.now().Sub(ne.last) > e.interval {
		delete(e.nodes, nodeKey(d))
		return false
	}
	return ne.count > e.maxErrors
}

// failed records an error of the node (a timeout, a refused connection, a
// 5xx).
func (e *errorLimiter) failed(d *ring.Device, serverType string) {
	e.record(d, serverType, false)
}

// limit makes the node skipped at once (it answered 507).
func (e *errorLimiter) limit(d *ring.Device, serverType string) {
	e.record(d, serverType, true)
}

func (e *errorLimiter) record(d *ring.Device, serverType string, now bool) {
	e.metrics.nodeErrors.WithLabelValues(serverType).Inc()
	e.mu.Lock()
	defer e.mu.Unlock()
	k := nodeKey(d)
	ne := e.nodes[k]
	if ne == nil || e.now().Sub(ne.last) > e.interval {
		ne = &nodeErrors{}
		e.nodes[k] = ne
	}
	was := ne.count > e.maxErrors
	ne.count++
	if now {
		ne.count = max(ne.count, e.maxErrors+1)
	}
	ne.last = e.now()
	if !was && ne.count > e.maxErrors {
		e.metrics.errorLimited.WithLabelValues(serverType).Inc()
	}
}

// nodeIter yields a partition's nodes for one request: its primaries, then
// handoffs, skipping error-limited ones, up to a budget of nodes (Swift's
// request_node_count); a node that gets error-limited after being yielded
// does not count against the budget, so another takes its place. Not safe
// for concurrent use: callers that fan out hand nodes out under a lock
// (see syncIter).
type nodeIter struct {
	primaries []*ring.Device
	handoffs  func() (*ring.Device, bool)
	stop      func()
	limiter   *errorLimiter
	left      int // budget of nodes still to yield
	last      *ring.Device
}

// newNodeIter iterates partition part of r; budget is the most nodes it
// yields (at least the primaries). The primaries come in random order, as
// Swift's default sort_nodes, so that reads spread over the replicas.
func newNodeIter(r *ring.Ring, part uint32, budget int, limiter *errorLimiter) *nodeIter {
	next, stop := iter.Pull(r.Handoffs(part))
	primaries := r.Primaries(part)
	rand.Shuffle(len(primaries), func(i, j int) { primaries[i], primaries[j] = primaries[j], primaries[i] })
	return &nodeIter{primaries: primaries, handoffs: next, stop: stop, limiter: limiter, left: budget}
}

// next returns the next node to try, or false when the budget is spent or
// the ring has no more nodes.
func (it *nodeIter) next() (*ring.Device, bool) {
	if it.last != nil && !it.limiter.limited(it.last) {
		it.left--
	}
	it.last = nil
	for it.left > 0 {
		var d *ring.Device
		if len(it.primaries) > 0 {
			d, it.primaries = it.primaries[0], it.primaries[1:]
		} else {
			var ok bool
			if d, ok = it.handoffs(); !ok {
				break
			}
		}
		if it.limiter.limited(d) {
			continue
		}
		it.last = d
		return d, true
	}
	it.close()
	return nil, false
}

// close releases the handoff iteration; it is idempotent.
func (it *nodeIter) close() {
	if it.stop != nil {
		it.stop()
		it.stop = nil
	}
}

// syncIter shares a nodeIter between goroutines.
type syncIter struct {
	mu sync.Mutex
	it *nodeIter
}

func (s *syncIter) next() (*ring.Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.it.next()
}

func (s *syncIter) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.it.close()
}
