package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/ring"
)

// Server types, as metrics and logs name them.
const (
	accountServer   = "account"
	containerServer = "container"
	objectServer    = "object"
)

// maxSmallBody bounds the body the proxy reads whole from a node's answer
// to an account, container or write request (errors, listings are
// streamed).
const maxSmallBody = 1 << 20

// backend sends requests to storage nodes and keeps track of the ones that
// fail.
type backend struct {
	client  *http.Client
	limiter *errorLimiter
	cfg     Config
	log     *slog.Logger

	// stragglers are the node requests still running after the request
	// that started them was answered (writes to the last replicas); Close
	// waits for them.
	stragglers sync.WaitGroup
}

func newBackend(cfg Config, m *metrics) *backend {
	client := cfg.Client
	if client == nil {
		dialer := &net.Dialer{Timeout: cfg.ConnTimeout, KeepAlive: 30 * time.Second}
		client = &http.Client{Transport: &http.Transport{
			DialContext:           dialer.DialContext,
			MaxIdleConns:          1024,
			MaxIdleConnsPerHost:   256,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: cfg.NodeTimeout,
			DisableCompression:    true,
		}}
	}
	return &backend{
		client:  client,
		limiter: newErrorLimiter(cfg.ErrorSuppressionLimit, cfg.ErrorSuppressionInterval, cfg.Now, m),
		cfg:     cfg,
		log:     cfg.Logger,
	}
}

// close waits for straggling node requests.
func (b *backend) close() { b.stragglers.Wait() }

// nodeURL is http://ip:port/<device>/<partition><path>?<query>, path being
// the unescaped /account[/container[/object]].
func nodeURL(d *ring.Device, part uint32, path, query string) string {
	u := url.URL{
		Scheme:   "http",
		Host:     net.JoinHostPort(d.IP, strconv.Itoa(d.Port)),
		Path:     "/" + d.Name + "/" + strconv.FormatUint(uint64(part), 10) + path,
		RawQuery: query,
	}
	return u.String()
}

// nodeRequest is one request to one node.
type nodeRequest struct {
	serverType string
	method     string
	part       uint32
	path       string // unescaped /account[/container[/object]]
	query      string // raw, already escaped
	header     http.Header
	// body, if not nil, is sent with contentLength (-1: chunked).
	body          io.Reader
	contentLength int64
}

// do sends r to node d and returns its response (the caller closes the
// body). Connection errors, timeouts and 5xx answers count against the
// node; a 507 limits it at once. ctx bounds the whole exchange; the
// response header must arrive within NodeTimeout.
func (b *backend) do(ctx context.Context, d *ring.Device, r nodeRequest) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, r.method, nodeURL(d, r.part, r.path, r.query), r.body)
	if err != nil {
		return nil, err
	}
	req.Header = r.header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if r.body != nil {
		req.ContentLength = r.contentLength
		if r.contentLength != 0 {
			req.Header.Set("Expect", "100-continue")
		}
	}
	resp, err := b.headerTimeout(req)
	if err != nil {
		b.limiter.failed(d, r.serverType)
		b.log.Warn("node request failed", "server", r.serverType, "node", nodeKey(d), "method", r.method,
			"path", r.path, "err", err, "txn_id", r.header.Get("X-Trans-Id"))
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusInsufficientStorage:
		b.limiter.limit(d, r.serverType)
	case resp.StatusCode >= 500:
		b.limiter.failed(d, r.serverType)
	}
	return resp, nil
}

// headerTimeout sends req and waits at most NodeTimeout for the response
// header; the body is then bounded by the request's context only.
func (b *backend) headerTimeout(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancelCause(req.Context())
	timer := time.AfterFunc(b.cfg.NodeTimeout, func() { cancel(errNodeTimeout) })
	resp, err := b.client.Do(req.WithContext(ctx))
	if !timer.Stop() || err != nil {
		cancel(nil)
		if err == nil {
			resp.Body.Close()
			err = errNodeTimeout
		}
		if cause := context.Cause(ctx); errors.Is(cause, errNodeTimeout) {
			err = fmt.Errorf("%w: %v", errNodeTimeout, err)
		}
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: func() { cancel(nil) }}
	return resp, nil
}

var errNodeTimeout = errors.New("node timeout")

// cancelOnClose releases the request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel func()
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}

// nodeResponse is a node's answer with its (small) body read.
type nodeResponse struct {
	node   *ring.Device
	status int
	header http.Header
	body   []byte
}

// unavailable stands for a node that gave no answer.
func unavailable() nodeResponse {
	return nodeResponse{status: http.StatusServiceUnavailable, header: http.Header{}}
}

// readSmall reads a response whole (up to maxSmallBody) and closes it.
func readSmall(d *ring.Device, resp *http.Response) nodeResponse {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxSmallBody)) // a cut-off body is still the node's answer
	return nodeResponse{node: d, status: resp.StatusCode, header: resp.Header, body: body}
}

// quorumSize is the number of agreeing nodes that decides a request:
// ⌊n/2⌋+1 of n replicas.
func quorumSize(n int) int { return n/2 + 1 }

// statusClass is the hundred of a status (200, 300, 400, 500).
func statusClass(s int) int { return s / 100 * 100 }

// haveQuorum reports whether quorum of the statuses agree on a class
// (1xx to 4xx; 5xx never makes a quorum).
func haveQuorum(statuses []int, quorum int) bool {
	for _, class := range []int{100, 200, 300, 400} {
		n := 0
		for _, s := range statuses {
			if statusClass(s) == class {
				n++
			}
		}
		if n >= quorum {
			return true
		}
	}
	return false
}

// bestResponse chooses the answer to give the client from the nodes'
// answers, as Swift's best_response: the highest status of the first class
// (2xx, then 3xx, then 4xx) that quorum of them reached; with no quorum,
// nil (the caller answers 503).
func bestResponse(resps []nodeResponse, quorum int) *nodeResponse {
	for _, class := range []int{200, 300, 400} {
		var best *nodeResponse
		n := 0
		for i := range resps {
			if statusClass(resps[i].status) == class {
				n++
				if best == nil || resps[i].status > best.status {
					best = &resps[i]
				}
			}
		}
		if n >= quorum {
			return best
		}
	}
	return nil
}

// fanOut sends one request per header set, concurrently, each to the next
// node of the partition (primaries first; a node that fails or answers
// 5xx is replaced by the next one, as Swift's make_requests does), and
// returns the best response once quorum of len(primaries) agree, having
// waited PostQuorumTimeout for the others. Requests still running then go
// on in the background (their bodies are small) so that every replica can
// be written; they are bounded by NodeTimeout. body, if not nil, is sent
// to every node.
func (b *backend) fanOut(ctx context.Context, src RingSource, part uint32, tmpl nodeRequest, headers []http.Header, body []byte) nodeResponse {
	got := b.fanOutResponses(ctx, src, part, tmpl, headers, body)
	if best := bestResponse(got, quorumSize(len(got))); best != nil {
		return *best
	}
	b.log.Error("no quorum", "server", tmpl.serverType, "method", tmpl.method, "path", tmpl.path,
		"statuses", fmt.Sprint(nodeStatuses(got)), "txn_id", tmpl.header.Get("X-Trans-Id"))
	return unavailable()
}

// nodeStatuses lists the statuses of answers, for logs.
func nodeStatuses(resps []nodeResponse) []int {
	out := make([]int, len(resps))
	for i, r := range resps {
		out[i] = r.status
	}
	return out
}

// fanOutResponses is fanOut's work: it returns every answer it collected,
// padded with unavailable() to at least the primaries' count, for callers
// that weigh them themselves (an object DELETE counts 404s as successes
// when there is no quorum, as Swift's overrides do).
func (b *backend) fanOutResponses(ctx context.Context, src RingSource, part uint32, tmpl nodeRequest, headers []http.Header, body []byte) []nodeResponse {
	r := src.Ring()
	primaries := len(r.Primaries(part))
	nodes := &syncIter{it: newNodeIter(r, part, b.cfg.RequestNodeCount*primaries, b.limiter)}
	results := make(chan nodeResponse, len(headers)) // never blocks a straggler
	// The writes must reach every replica even if the client goes away;
	// the last request to finish releases the node iterator.
	bg := context.WithoutCancel(ctx)
	var running atomic.Int32
	running.Store(int32(len(headers)))
	for _, h := range headers {
		b.stragglers.Add(1)
		go func() {
			defer b.stragglers.Done()
			results <- b.firstAnswer(bg, nodes, tmpl, h, body)
			if running.Add(-1) == 0 {
				nodes.close()
			}
		}()
	}
	quorum := quorumSize(primaries)
	var got []nodeResponse
	var statuses []int
	var grace <-chan time.Time
collect:
	for len(got) < len(headers) {
		select {
		case resp := <-results:
			got = append(got, resp)
			statuses = append(statuses, resp.status)
			if grace == nil && haveQuorum(statuses, quorum) {
				grace = time.After(b.cfg.PostQuorumTimeout)
			}
		case <-grace:
			break collect
		}
	}
	for len(got) < primaries {
		got = append(got, unavailable())
	}
	return got
}

// firstAnswer sends the request to nodes from it until one gives an answer
// that is not a server error; unavailable() if none does.
func (b *backend) firstAnswer(ctx context.Context, nodes *syncIter, tmpl nodeRequest, h http.Header, body []byte) nodeResponse {
	for {
		d, ok := nodes.next()
		if !ok {
			return unavailable()
		}
		req := tmpl
		req.header = h
		if body != nil {
			req.body, req.contentLength = bytes.NewReader(body), int64(len(body))
		}
		resp, err := b.do(ctx, d, req)
		if err != nil {
			continue
		}
		if resp.StatusCode >= 500 {
			resp.Body.Close()
			continue
		}
		return readSmall(d, resp)
	}
}

// readResult is what read gives back: the response to stream (Resp, with
// its node), or, when no node had the item, the best of their answers.
type readResult struct {
	Resp *http.Response // nil when Best decides
	Node *ring.Device
	Best nodeResponse
}

// read asks the partition's nodes one at a time, primaries then handoffs,
// for a GET or HEAD, as Swift's GETorHEAD_base: the first answer that is a
// success, a redirection or 416 is the one to stream; errors and other
// answers (404, 412...) move on to the next node. With newest (X-Newest)
// it asks every node and keeps the answer with the newest timestamp. If no
// node gives a usable answer, Best is the best of all answers by quorum of
// the nodes asked: so 404 only when enough nodes agree.
func (b *backend) read(ctx context.Context, src RingSource, part uint32, req nodeRequest, newest bool) readResult {
	r := src.Ring()
	primaries := len(r.Primaries(part))
	it := newNodeIter(r, part, b.cfg.RequestNodeCount*primaries, b.limiter)
	defer it.close()
	return b.readFrom(ctx, it, primaries, req, newest, nil)
}

// readFrom is read over the nodes it yields; it leaves it open, so that a
// GET that loses its node mid-body can go on with the next nodes (Swift's
// GetOrHeadHandler keeps one node iterator across resumes). accept, if not
// nil, vets each usable answer: one it refuses is closed and counts as a
// 404 (a resumed GET wants the same object, by ETag).
func (b *backend) readFrom(ctx context.Context, it *nodeIter, primaries int, req nodeRequest, newest bool, accept func(*http.Response) bool) readResult {
	var answers []nodeResponse
	var keep *http.Response
	var keepNode *ring.Device
	var keepTS timestamp.Timestamp
	for {
		d, ok := it.next()
		if !ok {
			break
		}
		resp, err := b.do(ctx, d, req)
		if err != nil {
			answers = append(answers, unavailable())
			continue
		}
		usable := resp.StatusCode < 400 || resp.StatusCode == http.StatusRequestedRangeNotSatisfiable
		if !usable {
			answers = append(answers, readSmall(d, resp))
			continue
		}
		if accept != nil && !accept(resp) {
			resp.Body.Close()
			answers = append(answers, nodeResponse{node: d, status: http.StatusNotFound, header: http.Header{}})
			continue
		}
		if !newest {
			return readResult{Resp: resp, Node: d}
		}
		ts := responseTimestamp(resp.Header)
		if keep == nil || ts.After(keepTS) {
			if keep != nil {
				keep.Body.Close()
			}
			keep, keepNode, keepTS = resp, d, ts
		} else {
			resp.Body.Close()
		}
	}
	if keep != nil {
		return readResult{Resp: keep, Node: keepNode}
	}
	for len(answers) < primaries {
		answers = append(answers, unavailable())
	}
	if best := bestResponse(answers, quorumSize(len(answers))); best != nil {
		return readResult{Best: *best}
	}
	return readResult{Best: unavailable()}
}

// responseTimestamp is the timestamp a node's answer carries:
// X-Backend-Timestamp, else X-Timestamp, else X-Put-Timestamp.
func responseTimestamp(h http.Header) timestamp.Timestamp {
	for _, k := range []string{"X-Backend-Timestamp", "X-Timestamp", "X-Put-Timestamp"} {
		if ts, err := timestamp.Parse(h.Get(k)); err == nil {
			return ts
		}
	}
	return timestamp.Timestamp{}
}
