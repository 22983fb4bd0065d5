package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

// An object GET streams one node's answer to the client. If that node
// fails mid-body (an error, a short body, or no bytes for NodeTimeout),
// the GET resumes from the next node, as Swift's GetOrHeadHandler does:
//
//   - a single body (200, or 206 for one range) is asked again from where
//     it stopped, with Range: bytes=<offset>-<end>;
//   - a multipart/byteranges body is asked again with the client's Range,
//     and the parts and bytes already sent are skipped (checked to be the
//     same ranges). The proxy rewrites the multipart framing with the
//     first node's boundary, as Swift does, so the bytes the client gets
//     do not depend on which nodes served them.
//
// A node resumed from must have the same object: the same ETag (and the
// same Content-Range). If no node can finish, the client's connection is
// cut (http.ErrAbortHandler): the client sees a broken transfer, never
// bytes known to be wrong or a body that looks complete but is short.

// objectRead answers a GET or HEAD of an object.
func (s *Server) objectRead(w http.ResponseWriter, r *request) error {
	o := objectRef{r.account, r.container, r.object}
	if _, err := s.objectContainer(r, o, r.Method); err != nil {
		return err
	}
	res, body := s.openObject(r.Context(), o, r.Method, objectNodeHeader(r), r.URL.RawQuery, trueValue(r.Header.Get("X-Newest")))
	if res.Resp == nil {
		writeNodeAnswer(w, r, res.Best)
		return nil
	}
	s.writeObject(w, r, res, body)
	return nil
}

// writeObject answers with a node's answer to a GET or HEAD: its headers
// as the client may see them, and the object's bytes from body (nil for
// HEAD and for answers without them: 304, 416, redirections).
func (s *Server) writeObject(w http.ResponseWriter, r *request, res readResult, body *objectBody) {
	resp := res.Resp
	rh := w.Header()
	objectClientHeader(rh, resp.Header)
	rh.Set("Accept-Ranges", "bytes")
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		rh.Set("Content-Type", cleanContentType(ct))
	} else {
		rh["Content-Type"] = nil // no sniffing
	}
	if body == nil {
		nr := readSmall(res.Node, resp)
		length := resp.Header.Get("Content-Length")
		if r.Method != http.MethodHead || length == "" {
			length = strconv.Itoa(len(nr.body))
		}
		rh.Set("Content-Length", length)
		w.WriteHeader(resp.StatusCode)
		if r.Method != http.MethodHead {
			_, _ = w.Write(nr.body) // the client may be gone
		}
		return
	}
	defer body.Close()
	if resp.ContentLength >= 0 {
		rh.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	w.WriteHeader(resp.StatusCode)
	s.sendObjectBody(w, r, body)
}

// sendObjectBody copies body to the client, each write bounded by
// ClientTimeout. If the body fails, the response is cut off.
func (s *Server) sendObjectBody(w http.ResponseWriter, r *request, body *objectBody) {
	c := newBodyChunk()
	defer c.release()
	rc := http.NewResponseController(w)
	defer func() { _ = rc.SetWriteDeadline(time.Time{}) }() // not every writer has deadlines
	for {
		n, err := body.Read(c.buf)
		if n > 0 {
			_ = rc.SetWriteDeadline(time.Now().Add(s.cfg.ClientTimeout))
			if _, werr := w.Write(c.buf[:n]); werr != nil {
				s.log.Info("object GET: client disconnected", "err", werr, "txn_id", r.txnID)
				return
			}
		}
		if err == io.EOF {
			return
		}
		if err != nil {
			if r.Context().Err() != nil {
				s.log.Info("object GET: client disconnected", "err", err, "txn_id", r.txnID)
				return
			}
			s.log.Error("object GET: no node could finish the body; cutting the response off", "path", body.req.path,
				"resumes", body.resumes, "err", err, "txn_id", r.txnID)
			// Send what is buffered, so that the client sees a body cut
			// short rather than no answer (which it might retry blindly).
			_ = rc.Flush()
			panic(http.ErrAbortHandler)
		}
	}
}

// cleanContentType drops the swift_bytes parameter Swift's large objects
// keep in a listing's content type (clean_content_type).
func cleanContentType(v string) string {
	if i := strings.LastIndex(v, ";"); i >= 0 && strings.HasPrefix(strings.TrimLeft(v[i+1:], " \t"), "swift_bytes=") {
		return v[:i]
	}
	return v
}

// openObject sends a GET or HEAD of o to its nodes (backend.read). For a
// GET answered 200 or 206, body streams the object and must be closed;
// otherwise the caller closes res.Resp's body, if any.
func (s *Server) openObject(ctx context.Context, o objectRef, method string, h http.Header, query string, newest bool) (readResult, *objectBody) {
	rg := s.cfg.ObjectRing.Ring()
	part := rg.Partition(o.account, o.container, o.object)
	primaries := len(rg.Primaries(part))
	budget := s.cfg.RequestNodeCount * primaries
	it := newNodeIter(rg, part, budget, s.backend.limiter)
	req := nodeRequest{serverType: objectServer, method: method, part: part, path: o.path(), query: query, header: h}
	sctx, cancel := context.WithCancelCause(ctx)
	res := s.backend.readFrom(sctx, it, primaries, req, newest, nil)
	if res.Resp == nil || method != http.MethodGet ||
		res.Resp.StatusCode != http.StatusOK && res.Resp.StatusCode != http.StatusPartialContent {
		it.close()
		if res.Resp == nil {
			cancel(nil)
		} else {
			res.Resp.Body = &cancelOnClose{ReadCloser: res.Resp.Body, cancel: func() { cancel(nil) }}
		}
		return res, nil
	}
	if newest {
		// The newest copy was chosen among every node: a resume starts
		// the nodes over.
		it.close()
		it = newNodeIter(rg, part, budget, s.backend.limiter)
	}
	body := &objectBody{s: s, ctx: ctx, it: it, primaries: primaries, req: req,
		etag: unquoteETag(res.Resp.Header.Get("Etag"))}
	body.start(&objectSource{resp: res.Resp, node: res.Node, cancel: cancel}, s.cfg.NodeTimeout)
	return res, body
}

// objectPart is one range of the object in an answer: bytes start to end
// (inclusive) of an object of total bytes; size -1 when unknown (an
// answer without Content-Length).
type objectPart struct {
	start, end, total int64
	contentType       string
}

func (p objectPart) size() int64 {
	if p.end < p.start-1 {
		return -1
	}
	return p.end - p.start + 1
}

// parseContentRange reads "bytes <start>-<end>/<total>".
func parseContentRange(v string) (objectPart, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return objectPart{}, false
	}
	span, total, ok := strings.Cut(strings.TrimSpace(rest), "/")
	if !ok {
		return objectPart{}, false
	}
	first, last, ok := strings.Cut(span, "-")
	if !ok {
		return objectPart{}, false
	}
	var p objectPart
	var err1, err2, err3 error
	p.start, err1 = strconv.ParseInt(first, 10, 64)
	p.end, err2 = strconv.ParseInt(last, 10, 64)
	p.total, err3 = strconv.ParseInt(total, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || p.start < 0 || p.end < p.start || p.end >= p.total {
		return objectPart{}, false
	}
	return p, true
}

// multipartBoundary returns the boundary of a multipart/byteranges
// answer, "" for other answers.
func multipartBoundary(h http.Header) string {
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" {
		return ""
	}
	return params["boundary"]
}

// objectSource is one node's answer being read.
type objectSource struct {
	resp   *http.Response
	node   *ring.Device
	cancel context.CancelCauseFunc // of the request
	body   io.Reader               // resp.Body, each read bounded by NodeTimeout
	mr     *multipart.Reader       // for a multipart answer
	timer  *time.Timer
}

// watch bounds each read of the source's body by timeout: a node that
// sends nothing for that long is given up (Swift's recoverable_node_timeout).
func (src *objectSource) watch(timeout time.Duration) {
	src.timer = time.AfterFunc(time.Hour, func() { src.cancel(errNodeTimeout) })
	src.timer.Stop()
	src.body = &watchedReader{r: src.resp.Body, timer: src.timer, timeout: timeout}
}

func (src *objectSource) close() {
	src.timer.Stop()
	src.resp.Body.Close()
	src.cancel(nil)
}

type watchedReader struct {
	r       io.Reader
	timer   *time.Timer
	timeout time.Duration
}

func (w *watchedReader) Read(p []byte) (int, error) {
	w.timer.Reset(w.timeout)
	n, err := w.r.Read(p)
	w.timer.Stop()
	return n, err
}

// objectBody is the body of an object GET as the client gets it, read
// from one node at a time (see the top of this file). Not safe for
// concurrent use.
type objectBody struct {
	s         *Server
	ctx       context.Context
	it        *nodeIter // the nodes to resume from
	primaries int
	req       nodeRequest // the first request
	etag      string      // the object's, which any node resumed from must have

	src       *objectSource
	multipart bool
	boundary  string
	parts     []objectPart // of the answer, as far as read
	cur       int          // the part being sent: parts[cur], if cur < len(parts)
	part      io.Reader    // its data; nil between parts
	sent      int64        // bytes of the current part sent
	pending   []byte       // multipart framing to send before more data
	err       error        // sticky: io.EOF at the end, or why the body failed
	resumes   int          // nodes resumed from, for logs
}

// errObjectSource marks the failure of every node a GET could read from.
var errObjectSource = errors.New("proxy: no node could finish the object")

// start sets the body up to read from the first answer.
func (b *objectBody) start(src *objectSource, timeout time.Duration) {
	b.src = src
	src.watch(timeout)
	resp := src.resp
	if b.boundary = multipartBoundary(resp.Header); resp.StatusCode == http.StatusPartialContent && b.boundary != "" {
		b.multipart = true
		src.mr = multipart.NewReader(src.body, b.boundary)
		return
	}
	p := objectPart{start: 0, end: resp.ContentLength - 1, total: resp.ContentLength}
	if resp.StatusCode == http.StatusPartialContent {
		var ok bool
		if p, ok = parseContentRange(resp.Header.Get("Content-Range")); !ok {
			p = objectPart{start: 0, end: -2, total: -1} // unknown: streamed, not resumable
		}
	} else if resp.ContentLength < 0 {
		p.end = -2
	}
	b.parts = []objectPart{p}
	b.part = src.body
}

// Close releases the node being read.
func (b *objectBody) Close() error {
	if b.src != nil {
		b.src.close()
		b.src = nil
	}
	b.it.close()
	return nil
}

// Read implements io.Reader. Past the first failure that no node could
// mend, it returns an error wrapping errObjectSource.
func (b *objectBody) Read(p []byte) (int, error) {
	for {
		if len(b.pending) > 0 {
			n := copy(p, b.pending)
			b.pending = b.pending[n:]
			return n, nil
		}
		if b.err != nil {
			return 0, b.err
		}
		if b.part == nil {
			b.nextPart()
			continue
		}
		cur := b.parts[b.cur]
		want := int64(len(p))
		if size := cur.size(); size >= 0 {
			want = min(want, size-b.sent)
		}
		if want == 0 {
			b.endPart()
			continue
		}
		n, err := b.part.Read(p[:want])
		b.sent += int64(n)
		if err == io.EOF && cur.size() < 0 {
			b.endPart()
		} else if err != nil && (cur.size() < 0 || b.sent < cur.size()) {
			// Short or failed: the bytes read are good, the rest must
			// come from another node.
			if n > 0 {
				b.resume(err) // errors are sticky; the next call reports them
				return n, nil
			}
			b.resume(err)
			continue
		}
		if n > 0 {
			return n, nil
		}
	}
}

// endPart finishes the current part.
func (b *objectBody) endPart() {
	b.part = nil
	b.cur++
	b.sent = 0
	if b.multipart {
		b.pending = []byte("\r\n")
	}
}

// nextPart moves to the next part of the answer, or to its end.
func (b *objectBody) nextPart() {
	if !b.multipart {
		b.err = io.EOF // the one part is done
		return
	}
	p, err := b.src.mr.NextPart()
	if err == io.EOF {
		b.pending = []byte("--" + b.boundary + "--")
		b.err = io.EOF
		return
	}
	var info objectPart
	ok := err == nil
	if ok {
		info, ok = parseContentRange(p.Header.Get("Content-Range"))
		info.contentType = p.Header.Get("Content-Type")
	}
	if !ok {
		if err == nil {
			err = fmt.Errorf("bad part Content-Range %q", p.Header.Get("Content-Range"))
		}
		b.resume(err)
		return
	}
	b.parts = append(b.parts, info)
	b.part = p
	b.sent = 0
	b.pending = []byte(partHeader(b.boundary, info))
}

// partHeader is the header of one part of a multipart/byteranges body,
// as Swift (and the object servers) write it.
func partHeader(boundary string, p objectPart) string {
	return "--" + boundary + "\r\nContent-Type: " + p.contentType + "\r\nContent-Range: bytes " +
		strconv.FormatInt(p.start, 10) + "-" + strconv.FormatInt(p.end, 10) + "/" + strconv.FormatInt(p.total, 10) + "\r\n\r\n"
}

// resume replaces the failed source with the next node that has the same
// object, positioned where the client's body is. If there is none, the
// body fails (b.err).
func (b *objectBody) resume(cause error) {
	failed := b.src.node
	b.src.close()
	b.src = nil
	if b.ctx.Err() != nil { // the client went away: not the node's fault
		b.err = fmt.Errorf("%w: %v", errObjectSource, cause)
		return
	}
	b.s.backend.limiter.failed(failed, objectServer)
	b.s.log.Warn("object GET: node failed mid-body; resuming from another", "node", nodeKey(failed), "path", b.req.path,
		"part", b.cur, "offset", b.sent, "err", cause, "txn_id", b.req.header.Get("X-Trans-Id"))
	if !b.multipart && b.parts[0].size() < 0 {
		b.err = fmt.Errorf("%w: %v (length unknown: cannot resume)", errObjectSource, cause)
		return
	}
	for {
		src, ok := b.reopen()
		if !ok {
			b.err = fmt.Errorf("%w: %v", errObjectSource, cause)
			return
		}
		b.resumes++
		if err := b.skipSent(src); err != nil {
			b.s.backend.limiter.failed(src.node, objectServer)
			b.s.log.Warn("object GET: resumed node failed", "node", nodeKey(src.node), "err", err,
				"txn_id", b.req.header.Get("X-Trans-Id"))
			src.close()
			cause = err
			continue
		}
		b.src = src
		return
	}
}

// reopen asks the next nodes for what is left of the body.
func (b *objectBody) reopen() (*objectSource, bool) {
	req := b.req
	req.method = http.MethodGet
	req.header = b.req.header.Clone()
	sameObject := func(resp *http.Response) bool {
		return resp.StatusCode == http.StatusPartialContent &&
			(b.etag == "" || unquoteETag(resp.Header.Get("Etag")) == b.etag)
	}
	accept := func(resp *http.Response) bool {
		return sameObject(resp) && multipartBoundary(resp.Header) != ""
	}
	if !b.multipart {
		p := b.parts[0]
		want := objectPart{start: p.start + b.sent, end: p.end, total: p.total}
		req.header.Set("Range", "bytes="+strconv.FormatInt(want.start, 10)+"-"+strconv.FormatInt(want.end, 10))
		accept = func(resp *http.Response) bool {
			got, ok := parseContentRange(resp.Header.Get("Content-Range"))
			return sameObject(resp) && ok && got == want
		}
	}
	ctx, cancel := context.WithCancelCause(b.ctx)
	res := b.s.backend.readFrom(ctx, b.it, b.primaries, req, false, accept)
	if res.Resp == nil {
		cancel(nil)
		return nil, false
	}
	src := &objectSource{resp: res.Resp, node: res.Node, cancel: cancel}
	src.watch(b.s.cfg.NodeTimeout)
	return src, true
}

// skipSent positions a resumed source where the client's body is: a
// single body's answer starts there already; a multipart one repeats
// the parts already sent, which are checked and skipped.
func (b *objectBody) skipSent(src *objectSource) error {
	if !b.multipart {
		b.part = src.body
		return nil
	}
	mr := multipart.NewReader(src.body, multipartBoundary(src.resp.Header))
	for i := 0; i <= b.cur && i < len(b.parts); i++ {
		p, err := mr.NextPart()
		if err != nil {
			return fmt.Errorf("part %d: %w", i, err)
		}
		got, ok := parseContentRange(p.Header.Get("Content-Range"))
		want := b.parts[i]
		if !ok || got.start != want.start || got.end != want.end || got.total != want.total {
			return fmt.Errorf("part %d is %q, want bytes %d-%d/%d", i, p.Header.Get("Content-Range"), want.start, want.end, want.total)
		}
		skip := want.size()
		if i == b.cur && b.part != nil {
			skip = b.sent
		}
		if n, err := io.CopyN(io.Discard, p, skip); err != nil {
			return fmt.Errorf("part %d: skipped %d of %d bytes: %w", i, n, skip, err)
		}
		if i == b.cur && b.part != nil {
			b.part = p
		}
	}
	src.mr = mr
	return nil
}
