package proxy

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swiftlet/swiftlet/internal/swiftstatus"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/ring"
)

// An object PUT streams the client's body to every replica at once, as
// Swift's _store_object:
//
//  1. Connect: one request per primary, each with Expect: 100-continue. A
//     node that fails, times out or answers 5xx/507 before asking for the
//     body is replaced by the next node (handoffs after the primaries).
//     An early 412 (If-None-Match: *) or 409 (a newer object exists)
//     decides the request; fewer than a quorum of nodes is a 503.
//  2. Transfer: the body is read in chunks, hashed, and queued to each
//     node; a node whose queue stays full for NodeTimeout, or whose
//     connection fails, is dropped. Memory is bounded by the queues: the
//     proxy never holds a whole object. If the nodes left fall below a
//     quorum, or the client fails (499, 408) or sends too much (413),
//     every node's request is aborted mid-body, so that none stores it.
//  3. Answers: the body's end is sent only if the client's ETag, if any,
//     matches the body's MD5 (422 otherwise, and again nothing is
//     stored). The answer is the best of the nodes' by quorum, once the
//     others had PostQuorumTimeout to answer; the rest finish in the
//     background.

const (
	// bodyChunkSize is how much of the client's body is read and sent to
	// the nodes at a time (Swift's client_chunk_size).
	bodyChunkSize = 64 << 10
	// putQueueDepth is how many chunks may wait for each node (Swift's
	// put_queue_depth is 10): it lets a node fall a little behind the
	// others without stalling them, and bounds the memory of a PUT to
	// about (depth+1) × chunk × replicas.
	putQueueDepth = 4
)

// bodyChunk is a piece of the body shared by the nodes' queues; the last
// to release it returns it to the pool.
type bodyChunk struct {
	buf  []byte
	n    int
	refs atomic.Int32
}

var bodyChunks = sync.Pool{New: func() any { return &bodyChunk{buf: make([]byte, bodyChunkSize)} }}

func newBodyChunk() *bodyChunk {
	c := bodyChunks.Get().(*bodyChunk)
	c.n = 0
	c.refs.Store(1)
	return c
}

func (c *bodyChunk) release() {
	if c.refs.Add(-1) == 0 {
		bodyChunks.Put(c)
	}
}

// putAnswer is a node's answer to a PUT, or the error that stood for it.
type putAnswer struct {
	resp nodeResponse
	err  error
}

// putConn is one node's PUT in progress.
type putConn struct {
	b    *backend
	node *ring.Device
	txn  string
	pw   *io.PipeWriter // the request body
	// abort cancels the request, mid-body if need be: the node stores
	// nothing.
	abort func(cause error)
	// answer receives the node's answer once (buffered).
	answer chan putAnswer
	// early is an answer the node gave before asking for the body.
	early *nodeResponse

	queue      chan *bodyChunk
	broken     atomic.Bool   // the node's body failed; it is out
	writerDone chan struct{} // closed when the writer has drained queue
}

// putRequest is what each node's PUT shares.
type putRequest struct {
	part   uint32
	path   string
	length int64 // of the body; -1 unknown (sent chunked)
}

// startPut sends the PUT's header to node d and waits, at most
// NodeTimeout, until it asks for the body (100 Continue) or answers. It
// returns an error for a node that fails, times out, or answers 5xx
// before the body: the caller tries the next node.
func (b *backend) startPut(ctx context.Context, d *ring.Device, pr putRequest, h http.Header) (*putConn, error) {
	body, pw := io.Pipe()
	ctx, cancel := context.WithCancelCause(ctx)
	cont := make(chan struct{})
	var once sync.Once
	trace := &httptrace.ClientTrace{Got100Continue: func() { once.Do(func() { close(cont) }) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPut,
		nodeURL(d, pr.part, pr.path, ""), body)
	if err != nil {
		cancel(err)
		return nil, err
	}
	req.Header = h.Clone()
	req.Header.Set("Expect", "100-continue")
	// A zero-length body goes chunked, as in Swift: 100-continue needs a
	// body to wait for.
	req.ContentLength = pr.length
	if pr.length == 0 {
		req.ContentLength = -1
	}
	pc := &putConn{
		b:          b,
		node:       d,
		txn:        h.Get("X-Trans-Id"),
		pw:         pw,
		answer:     make(chan putAnswer, 1),
		queue:      make(chan *bodyChunk, putQueueDepth),
		writerDone: make(chan struct{}),
	}
	pc.abort = func(cause error) {
		cancel(cause)
		pw.CloseWithError(cause)
	}
	b.stragglers.Add(1)
	go func() {
		defer b.stragglers.Done()
		defer cancel(nil)
		resp, err := b.client.Do(req)
		if err != nil {
			if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
				err = fmt.Errorf("%w: %v", cause, err)
			}
			pc.answer <- putAnswer{err: err}
			return
		}
		pc.answer <- putAnswer{resp: readSmall(d, resp)}
	}()
	timer := time.NewTimer(b.cfg.NodeTimeout)
	defer timer.Stop()
	select {
	case <-cont:
		return pc, nil
	case a := <-pc.answer:
		pc.abort(errPutRefused) // no body for this request
		if a.err == nil && a.resp.status < 500 {
			pc.early = &a.resp
			return pc, nil
		}
		err = a.err
		if err == nil {
			err = fmt.Errorf("status %d", a.resp.status)
			if a.resp.status == http.StatusInsufficientStorage {
				b.limiter.limit(d, objectServer)
			} else {
				b.limiter.failed(d, objectServer)
			}
		} else {
			b.limiter.failed(d, objectServer)
		}
	case <-timer.C:
		pc.abort(errNodeTimeout)
		err = errNodeTimeout
		b.limiter.failed(d, objectServer)
	}
	b.log.Warn("object PUT: node refused the body", "node", nodeKey(d), "path", pr.path, "err", err,
		"txn_id", h.Get("X-Trans-Id"))
	return nil, err
}

// errPutRefused ends the body of a request whose node answered without
// asking for it.
var errPutRefused = errors.New("proxy: node answered before the body")

// errPutAborted ends the bodies of a PUT that will not be stored.
var errPutAborted = errors.New("proxy: object PUT aborted")

// write sends the chunks queued for the node into its request body until
// the queue is closed; once the node fails it only releases them. Each
// chunk must be taken by the node within timeout.
func (pc *putConn) write(timeout time.Duration) {
	defer close(pc.writerDone)
	watchdog := time.AfterFunc(time.Hour, func() { pc.fail(errNodeTimeout) })
	watchdog.Stop()
	for c := range pc.queue {
		if !pc.broken.Load() {
			watchdog.Reset(timeout)
			_, err := pc.pw.Write(c.buf[:c.n])
			if !watchdog.Stop() && err == nil {
				err = errNodeTimeout
			}
			if err != nil {
				pc.fail(err)
			}
		}
		c.release()
	}
}

// fail drops the node from the PUT: its request is aborted. Unless the
// whole PUT is (errPutAborted), the node failed: it counts against it.
func (pc *putConn) fail(cause error) {
	if !pc.broken.CompareAndSwap(false, true) {
		return
	}
	pc.abort(cause)
	if !errors.Is(cause, errPutAborted) {
		pc.b.limiter.failed(pc.node, objectServer)
		pc.b.log.Warn("object PUT: node dropped", "node", nodeKey(pc.node), "err", cause, "txn_id", pc.txn)
	}
}

// putBody is where a PUT's data comes from: the client's body, or a
// copy's source.
type putBody struct {
	r io.Reader
	// client: r is the client's request body, each read of which is
	// bounded by ClientTimeout.
	client bool
	// length is the announced length, -1 if unknown (chunked).
	length int64
}

// storeObject writes object o with the node headers h (X-Timestamp set)
// and the data of body to the object's replicas, and answers the client:
// 201 with ETag and Last-Modified (and extra's headers) at a quorum.
func (s *Server) storeObject(w http.ResponseWriter, r *request, o objectRef, h http.Header, body putBody, extra http.Header) error {
	rg := s.cfg.ObjectRing.Ring()
	part := rg.Partition(o.account, o.container, o.object)
	primaries := rg.Primaries(part)
	quorum := quorumSize(len(primaries))
	pr := putRequest{part: part, path: o.path(), length: body.length}

	// The nodes' requests outlive the client's: once the body is sent,
	// every replica should be written even if the client goes away.
	ctx := context.WithoutCancel(r.Context())
	t := &putTransfer{s: s, conns: s.connectPut(ctx, rg, part, pr, s.objectUpdateHeaders(o, h, len(primaries)))}
	etag, err := t.send(w, r, quorum, body, h)
	if err != nil {
		return err
	}
	answers := t.answers(len(primaries), quorum)
	for i, a := range answers {
		if statusClass(a.status) == 200 && unquoteETag(a.header.Get("Etag")) != etag {
			// The node stored other bytes than the proxy sent.
			s.log.Error("object PUT: node stored a different ETag", "node", nodeKey(a.node), "path", o.path(),
				"etag", a.header.Get("Etag"), "want", etag, "txn_id", r.txnID)
			answers[i] = nodeResponse{node: a.node, status: http.StatusInternalServerError, header: http.Header{}}
		}
	}
	best := bestResponse(answers, quorumSize(len(answers)))
	if best == nil {
		s.log.Error("object PUT: no quorum", "path", o.path(), "statuses", fmt.Sprint(nodeStatuses(answers)), "txn_id", r.txnID)
		return newStatusError(http.StatusServiceUnavailable)
	}
	ts, _ := timestamp.Parse(h.Get("X-Timestamp")) // set by the caller
	rh := w.Header()
	if statusClass(best.status) == 200 {
		for k, v := range extra {
			rh[k] = v
		}
		rh.Set("Etag", etag)
	}
	rh.Set("Last-Modified", httpDate(ts.Seconds()))
	rh.Set("Content-Type", "text/html; charset=UTF-8")
	rh.Set("Content-Length", strconv.Itoa(len(best.body)))
	w.WriteHeader(best.status)
	_, _ = w.Write(best.body) // the client may be gone; the object is stored either way
	return nil
}

// httpDate formats Unix seconds as an HTTP date (Last-Modified).
func httpDate(secs int64) string { return time.Unix(secs, 0).UTC().Format(http.TimeFormat) }

// connectPut connects one node per header set, concurrently, each to the
// next node the ring offers; it returns the connections made.
func (s *Server) connectPut(ctx context.Context, rg *ring.Ring, part uint32, pr putRequest, headers []http.Header) []*putConn {
	primaries := rg.Primaries(part)
	nodes := &syncIter{it: newNodeIter(rg, part, s.cfg.RequestNodeCount*len(primaries), s.backend.limiter)}
	defer nodes.close()
	isPrimary := make(map[*ring.Device]bool, len(primaries))
	for _, d := range primaries {
		isPrimary[d] = true
	}
	results := make(chan *putConn, len(headers))
	var wg sync.WaitGroup
	for _, h := range headers {
		wg.Go(func() {
			for {
				d, ok := nodes.next()
				if !ok {
					results <- nil
					return
				}
				if !isPrimary[d] {
					s.metrics.handoffs.WithLabelValues(objectServer).Inc()
				}
				if pc, err := s.backend.startPut(ctx, d, pr, h); err == nil {
					results <- pc
					return
				}
			}
		})
	}
	wg.Wait()
	close(results)
	var conns []*putConn
	for pc := range results {
		if pc != nil {
			conns = append(conns, pc)
		}
	}
	return conns
}

// putTransfer is the transfer of one body to the connected nodes.
type putTransfer struct {
	s     *Server
	conns []*putConn
	live  []*putConn // the conns that take the body, writing
}

// abortAll aborts every node's request: nothing will be stored.
func (t *putTransfer) abortAll(cause error) {
	for _, pc := range t.conns {
		pc.fail(cause)
		pc.abort(cause) // those that answered early are not "broken" but still connected
	}
}

// stopWriters closes the writers' queues and waits for them to drain.
func (t *putTransfer) stopWriters() {
	for _, pc := range t.live {
		close(pc.queue)
	}
	for _, pc := range t.live {
		<-pc.writerDone
	}
	t.live = nil
}

// working counts the nodes still able to answer the PUT: those taking
// the body and those that answered before it (Swift's _check_min_conn).
func (t *putTransfer) working() int {
	n := 0
	for _, pc := range t.conns {
		if pc.early != nil || !pc.broken.Load() {
			n++
		}
	}
	return n
}

// send checks the nodes' early answers and streams the body to the
// others; it returns the body's MD5 (hex) once every working node has
// the whole body, or the error to answer the client with, every node
// aborted.
func (t *putTransfer) send(w http.ResponseWriter, r *request, quorum int, body putBody, h http.Header) (string, error) {
	for _, pc := range t.conns {
		if pc.early == nil {
			continue
		}
		switch pc.early.status {
		case http.StatusPreconditionFailed: // If-None-Match: the object exists
			t.abortAll(errPutAborted)
			return "", newStatusError(http.StatusPreconditionFailed)
		case http.StatusConflict: // a newer object exists: this PUT is moot
			t.abortAll(errPutAborted)
			return "", newStatusError(http.StatusAccepted)
		}
	}
	if len(t.conns) < quorum {
		t.abortAll(errPutAborted)
		t.s.log.Error("object PUT: too few nodes", "connected", len(t.conns), "quorum", quorum, "txn_id", r.txnID)
		return "", newStatusError(http.StatusServiceUnavailable)
	}
	for _, pc := range t.conns {
		if pc.early == nil {
			t.live = append(t.live, pc)
			go pc.write(t.s.cfg.NodeTimeout) // waited for by stopWriters
		}
	}
	defer t.stopWriters()
	if len(t.live) == 0 {
		return "", nil // every node has answered; the body is not needed
	}

	hash := md5.New()
	var total int64
	rc := http.NewResponseController(w)
	timer := time.NewTimer(t.s.cfg.NodeTimeout)
	defer timer.Stop()
	for {
		c := newBodyChunk()
		err := t.fill(c, body, rc)
		if c.n > 0 {
			hash.Write(c.buf[:c.n])
			total += int64(c.n)
			if total > t.s.cfg.Constraints.MaxFileSize {
				c.release()
				t.abortAll(errPutAborted)
				return "", &StatusError{Status: http.StatusRequestEntityTooLarge}
			}
			t.enqueue(c, timer)
		}
		c.release()
		if n := t.working(); n < quorum {
			t.abortAll(errPutAborted)
			t.s.log.Error("object PUT: too few nodes left", "working", n, "quorum", quorum, "txn_id", r.txnID)
			return "", newStatusError(http.StatusServiceUnavailable)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.abortAll(errPutAborted)
			return "", t.readError(r, body, err)
		}
	}
	etag := hex.EncodeToString(hash.Sum(nil))
	if want := h.Get("Etag"); want != "" && strings.ToLower(unquoteETag(want)) != etag {
		t.abortAll(errPutAborted)
		ts, _ := timestamp.Parse(h.Get("X-Timestamp")) // set by the caller
		return "", &StatusError{Status: http.StatusUnprocessableEntity, Header: http.Header{"Last-Modified": {httpDate(ts.Seconds())}}}
	}
	// The end of the body goes out only now: a chunked body's last chunk
	// (or a sized body's last bytes) is what lets a node store it.
	t.stopWriters()
	for _, pc := range t.conns {
		if pc.early == nil && !pc.broken.Load() {
			pc.pw.Close()
		}
	}
	return etag, nil
}

// fill reads the next chunk of the body.
func (t *putTransfer) fill(c *bodyChunk, body putBody, rc *http.ResponseController) error {
	if body.client {
		// Not every ResponseWriter has deadlines (test recorders).
		defer func() { _ = rc.SetReadDeadline(time.Time{}) }()
	}
	for c.n < len(c.buf) {
		if body.client {
			_ = rc.SetReadDeadline(time.Now().Add(t.s.cfg.ClientTimeout))
		}
		k, err := body.r.Read(c.buf[c.n:])
		c.n += k
		if err != nil {
			return err
		}
	}
	return nil
}

// enqueue queues the chunk to every node still taking the body. A node
// whose queue stays full until the chunk's deadline (NodeTimeout, shared
// by the nodes as in Swift) is dropped.
func (t *putTransfer) enqueue(c *bodyChunk, timer *time.Timer) {
	timer.Reset(t.s.cfg.NodeTimeout)
	expired := false
	for _, pc := range t.live {
		if pc.broken.Load() {
			continue
		}
		c.refs.Add(1)
		if expired {
			select {
			case pc.queue <- c:
			default:
				c.release()
				pc.fail(errNodeTimeout)
			}
			continue
		}
		select {
		case pc.queue <- c:
		case <-timer.C:
			expired = true
			c.release()
			pc.fail(errNodeTimeout)
		}
	}
	timer.Stop()
}

// readError classifies a failed read of the body: the client's (499, or
// 408 when it was too slow), or a copy's source (503).
func (t *putTransfer) readError(r *request, body putBody, err error) error {
	switch {
	case body.client && errors.Is(err, os.ErrDeadlineExceeded):
		t.s.log.Warn("object PUT: client read timeout", "txn_id", r.txnID)
		return newStatusError(http.StatusRequestTimeout)
	case body.client || r.Context().Err() != nil:
		t.s.log.Warn("object PUT: client disconnected", "err", err, "txn_id", r.txnID)
		return newStatusError(swiftstatus.ClientDisconnect)
	}
	t.s.log.Error("object copy: source failed", "err", err, "txn_id", r.txnID)
	return newStatusError(http.StatusServiceUnavailable)
}

// answers collects the nodes' answers once the body is sent: at a
// quorum, the others get PostQuorumTimeout more; each node has
// NodeTimeout. The list has at least n answers (503 for the missing).
func (t *putTransfer) answers(n, quorum int) []nodeResponse {
	b := t.s.backend
	results := make(chan nodeResponse, len(t.conns)) // never blocks a straggler
	for _, pc := range t.conns {
		switch {
		case pc.early != nil:
			results <- *pc.early
			continue
		case pc.broken.Load():
			results <- unavailable()
			continue
		}
		b.stragglers.Add(1)
		go func() {
			defer b.stragglers.Done()
			timer := time.NewTimer(b.cfg.NodeTimeout)
			defer timer.Stop()
			select {
			case a := <-pc.answer:
				switch {
				case a.err != nil:
					b.limiter.failed(pc.node, objectServer)
					b.log.Warn("object PUT: node failed", "node", nodeKey(pc.node), "err", a.err)
					results <- unavailable()
					return
				case a.resp.status == http.StatusInsufficientStorage:
					b.limiter.limit(pc.node, objectServer)
				case a.resp.status >= 500:
					b.limiter.failed(pc.node, objectServer)
				}
				results <- a.resp
			case <-timer.C:
				pc.abort(errNodeTimeout)
				b.limiter.failed(pc.node, objectServer)
				b.log.Warn("object PUT: node timed out", "node", nodeKey(pc.node))
				results <- unavailable()
			}
		}()
	}
	var got []nodeResponse
	var statuses []int
	var grace <-chan time.Time
collect:
	for len(got) < len(t.conns) {
		select {
		case a := <-results:
			got = append(got, a)
			statuses = append(statuses, a.status)
			if grace == nil && haveQuorum(statuses, quorum) {
				grace = time.After(b.cfg.PostQuorumTimeout)
			}
		case <-grace:
			break collect
		}
	}
	for len(got) < n {
		got = append(got, unavailable())
	}
	return got
}

// objectPut stores the client's body as the object.
func (s *Server) objectPut(w http.ResponseWriter, r *request) error {
	if v, ok := r.Header["If-None-Match"]; ok && !strings.Contains(strings.Join(v, ","), "*") {
		// Swift does not support a PUT conditional on a tag.
		return &StatusError{Status: http.StatusBadRequest, Body: "If-None-Match only supports *",
			Header: http.Header{"Content-Type": {"text/plain"}}}
	}
	o := objectRef{r.account, r.container, r.object}
	info, err := s.objectContainer(r, o, http.MethodPut)
	if err != nil {
		return err
	}
	if err := writableContainer(info); err != nil {
		return err
	}
	h := objectNodeHeader(r)
	length := r.ContentLength
	chunked := len(r.TransferEncoding) > 0 && r.TransferEncoding[len(r.TransferEncoding)-1] == "chunked"
	if _, ok := r.Header["Content-Length"]; !ok && !chunked {
		length = -1 // Go reads a request without a length as empty: Swift wants one (411)
	}
	if err := s.checkObjectPut(h, o, length, chunked); err != nil {
		return err
	}
	if chunked {
		length = -1
	}
	return s.storeObject(w, r, o, h, putBody{r: r.Body, client: true, length: length}, nil)
}

// checkObjectPut completes and checks the node headers of a PUT as
// Swift's: a Content-Type (guessed from the name if missing), the proxy's
// X-Timestamp, check_object_creation (size, length, name, metadata,
// expiry: 413, 411, 400) and the expiry as X-Delete-At.
func (s *Server) checkObjectPut(h http.Header, o objectRef, length int64, chunked bool) error {
	if h.Get("Content-Type") == "" || trueValue(h.Get("X-Detect-Content-Type")) {
		h.Set("Content-Type", guessContentType(o.object))
		h.Del("X-Detect-Content-Type")
	}
	ts := timestamp.New(s.cfg.Now())
	h.Set("X-Timestamp", ts.Internal())
	deleteAt, err := s.cfg.Constraints.CheckObjectCreation(h, length, chunked, o.object, ts, false)
	if err != nil {
		return err
	}
	if err := checkContentTypeParams(h.Get("Content-Type")); err != nil {
		return err
	}
	setDeleteAt(h, deleteAt)
	return nil
}
