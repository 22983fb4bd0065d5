package objectserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/swiftstatus"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// objectServer serves /<device>/<partition>/<account>/<container>/<object>
// and REPLICATE.
type objectServer struct {
	*server
	// allowed holds AllowedHeaders in canonical form, X-Delete-At
	// excepted (the store keeps it as ObjectMeta.DeleteAt).
	allowed map[string]bool
}

// NewObjectServer returns the object server of a node: object PUT, GET,
// HEAD, POST and DELETE, REPLICATE, /healthcheck and /metrics (see the
// package documentation for the protocol). A nil cfg means DefaultConfig.
func NewObjectServer(devices Devices, cfg *Config) (http.Handler, error) {
	base, err := newServer("object", devices, cfg)
	if err != nil {
		return nil, err
	}
	s := &objectServer{server: base, allowed: map[string]bool{}}
	for _, h := range base.cfg.AllowedHeaders {
		h = http.CanonicalHeaderKey(h)
		if !reservedObjectHeader(h) {
			s.allowed[h] = true
		}
	}
	base.routes(s, map[string]handlerFunc{"REPLICATE": s.replicate})
	return base, nil
}

// reservedObjectHeader: headers the store keeps in ObjectMeta fields of
// their own, never in Headers.
func reservedObjectHeader(h string) bool {
	switch h {
	case "Content-Type", "Content-Length", "Etag", "X-Timestamp", "X-Delete-At", "Deleted":
		return true
	}
	return false
}

// path parses /<device>/<partition>/<account>/<container>/<object>, after
// checking the storage policy.
func (s *objectServer) path(r *http.Request) (itemPath, error) {
	if err := checkPolicy(r.Header); err != nil {
		return itemPath{}, err
	}
	return parseItemPath(r.URL.Path, 5, 5, true, &s.cfg.Constraints)
}

// open reads what an object request addresses (target, with its
// timestamp by stamp) and takes one of its device's request slots;
// release gives the slot back.
func (s *objectServer) open(r *http.Request, stamp func(http.Header) (timestamp.Timestamp, error)) (q request, release func(), err error) {
	q, err = s.target(r, s.path, stamp)
	if err != nil {
		return request{}, nil, err
	}
	release, err = s.limits.acquire(q.device)
	if err != nil {
		return request{}, nil, err
	}
	return q, release, nil
}

// acquire opens the device and takes one of its request slots, for the
// writes that check their headers between the timestamp and the device.
func (s *objectServer) acquire(device string) (*Device, func(), error) {
	dev, err := s.device(device)
	if err != nil {
		return nil, nil, err
	}
	release, err := s.limits.acquire(device)
	if err != nil {
		return nil, nil, err
	}
	return dev, release, nil
}

// expired reports whether m's X-Delete-At has passed at now.
func expired(m ObjectMeta, now timestamp.Timestamp) bool {
	return m.DeleteAt != 0 && m.DeleteAt*100000 <= now.Ticks()
}

// metaTimestamp is the timestamp of m's newest write, data or metadata.
func metaTimestamp(m ObjectMeta) timestamp.Timestamp {
	if m.MetaTimestamp.After(m.Timestamp) {
		return m.MetaTimestamp
	}
	return m.Timestamp
}

// keptHeader reports whether an object header is stored and returned:
// user, system and transient system metadata and the allowed headers.
func (s *objectServer) keptHeader(h string) bool {
	return constraints.Object.IsUserMeta(h) || constraints.Object.IsSysMeta(h) ||
		constraints.IsObjectTransientSysMeta(h) || s.allowed[h]
}

// requestMetadata collects what a PUT stores besides the fixed fields:
// metadata, the allowed headers and those X-Backend-Replication-Headers
// names (when replicating).
func (s *objectServer) requestMetadata(h http.Header, post bool) map[string]string {
	out := map[string]string{}
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		if constraints.Object.IsUserMeta(k) || constraints.IsObjectTransientSysMeta(k) ||
			(!post && constraints.Object.IsSysMeta(k)) || s.allowed[k] {
			out[k] = v[0]
		}
	}
	for _, k := range strings.Fields(h.Get("X-Backend-Replication-Headers")) {
		k = http.CanonicalHeaderKey(k)
		if v, ok := h[k]; ok && len(v) > 0 && !reservedObjectHeader(k) {
			out[k] = v[0]
		}
	}
	if post {
		// A POST never changes what only a PUT sets.
		delete(out, "X-Static-Large-Object")
	}
	return out
}

// setObjectHeaders sets the headers of a GET or HEAD of m.
func (s *objectServer) setObjectHeaders(h http.Header, m ObjectMeta) {
	ct := m.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	for k, v := range m.Headers {
		if s.keptHeader(k) {
			h[k] = []string{v}
		}
	}
	if m.DeleteAt != 0 {
		h.Set("X-Delete-At", strconv.FormatInt(m.DeleteAt, 10))
	}
	ts := metaTimestamp(m)
	h.Set("Etag", `"`+m.ETag+`"`)
	h.Set("Last-Modified", httpDate(ts.Seconds()))
	h.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	h.Set("X-Timestamp", ts.Normal())
	h.Set("X-Backend-Timestamp", ts.Internal())
	h.Set("X-Backend-Data-Timestamp", m.Timestamp.Internal())
	h.Set("X-Backend-Durable-Timestamp", m.Timestamp.Internal())
}

// conditionalETag is the tag If-Match and If-None-Match compare: the
// first metadata header named by X-Backend-Etag-Is-At that the object has
// (middlewares that transform data keep the client's ETag there), else
// the ETag.
func conditionalETag(h http.Header, m ObjectMeta) string {
	for _, k := range strings.Split(h.Get("X-Backend-Etag-Is-At"), ",") {
		k = http.CanonicalHeaderKey(strings.TrimSpace(k))
		if v, ok := m.Headers[k]; ok && k != "" {
			return v
		}
	}
	return m.ETag
}

// notFound answers 404 for an object, with the timestamp of what this
// node has (a tombstone or an expired object), and swob's conditional
// check (If-Match: * fails with 412).
func notFound(w http.ResponseWriter, r *http.Request, ts timestamp.Timestamp) {
	e := newError(http.StatusNotFound)
	if !ts.IsZero() {
		e.withHeader("X-Backend-Timestamp", ts.Internal())
	}
	if status := conditionalStatus(r.Header, "", 0, http.StatusNotFound); status != 0 {
		for k, v := range e.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	e.write(w, r)
}

// answerMeta answers a GET or HEAD of m as far as its metadata decides:
// a 404 for a deleted or expired object, else m's headers and, if a
// condition fails, a 304 or 412 without body. It reports whether the
// response still needs its status and body.
func (s *objectServer) answerMeta(w http.ResponseWriter, r *http.Request, m ObjectMeta, now timestamp.Timestamp) bool {
	switch {
	case m.Deleted:
		notFound(w, r, m.Timestamp)
		return false
	case expired(m, now) && !trueValue(r.Header.Get("X-Backend-Replication")):
		notFound(w, r, metaTimestamp(m))
		return false
	}
	h := w.Header()
	s.setObjectHeaders(h, m)
	if status := conditionalStatus(r.Header, conditionalETag(r.Header, m), metaTimestamp(m).Seconds(), http.StatusOK); status != 0 {
		h.Set("Content-Length", "0")
		w.WriteHeader(status)
		return false
	}
	return true
}

func (s *objectServer) head(w http.ResponseWriter, r *http.Request) error {
	q, release, err := s.open(r, s.requestTime)
	if err != nil {
		return err
	}
	defer release()
	m, err := q.dev.Objects.Stat(r.Context(), q.partition, q.name())
	if errors.Is(err, ErrNotFound) {
		notFound(w, r, timestamp.Timestamp{})
		return nil
	}
	if err != nil {
		return errorResponse(err, q.device)
	}
	if s.answerMeta(w, r, m, q.ts) {
		w.WriteHeader(http.StatusOK)
	}
	return nil
}

func (s *objectServer) get(w http.ResponseWriter, r *http.Request) error {
	q, release, err := s.open(r, s.requestTime)
	if err != nil {
		return err
	}
	defer release()
	rd, err := q.dev.Objects.Open(r.Context(), q.partition, q.name())
	if err != nil {
		var deleted *DeletedError
		switch {
		case errors.As(err, &deleted):
			notFound(w, r, deleted.Tombstone.Timestamp)
			return nil
		case errors.Is(err, ErrNotFound):
			notFound(w, r, timestamp.Timestamp{})
			return nil
		}
		return errorResponse(err, q.device)
	}
	defer rd.Close()
	m := rd.Meta()
	if !s.answerMeta(w, r, m, q.ts) {
		return nil
	}
	h := w.Header()
	var ranges []byteRange
	if v := r.Header.Get("Range"); v != "" && !s.ignoreRange(r.Header, m) {
		if specs, ok := parseRange(v); ok {
			ranges = rangesForLength(specs, m.Size)
			if len(ranges) == 0 {
				h.Set("Content-Range", "bytes */"+strconv.FormatInt(m.Size, 10))
				body := swiftstatus.Body(http.StatusRequestedRangeNotSatisfiable, "")
				h.Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
				_, _ = io.WriteString(w, body) // a failed write means the client left
				return nil
			}
			if m.Size == 0 {
				// A suffix range of an empty object: there is no byte to
				// name in a Content-Range, so the whole (empty) object.
				ranges = nil
			}
		}
	}
	// Read the first bytes before committing to a status: data found
	// corrupt at once is answered like a missing object (the store has
	// quarantined it), so that the proxy tries another replica.
	first := byteRange{0, m.Size}
	if len(ranges) > 0 {
		first = ranges[0]
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	src := rd.Section(first.start, first.end-first.start)
	primed, err := io.ReadFull(src, buf[:min(int64(len(buf)), first.end-first.start)])
	if err != nil {
		txn := h.Get("X-Trans-Id")
		clear(h) // the object's headers were for a 200
		h.Set("X-Trans-Id", txn)
		return errorResponse(err, q.device)
	}
	switch len(ranges) {
	case 0:
		w.WriteHeader(http.StatusOK)
		s.sendSection(w, r, src, first, buf, primed)
	case 1:
		h.Set("Content-Range", contentRange(ranges[0], m.Size))
		h.Set("Content-Length", strconv.FormatInt(ranges[0].end-ranges[0].start, 10))
		w.WriteHeader(http.StatusPartialContent)
		s.sendSection(w, r, src, first, buf, primed)
	default:
		boundary := multipartBoundary()
		ct := h.Get("Content-Type")
		h.Set("Content-Type", "multipart/byteranges;boundary="+boundary)
		h.Set("Content-Length", strconv.FormatInt(multipartLength(boundary, ct, ranges, m.Size), 10))
		w.WriteHeader(http.StatusPartialContent)
		for i, br := range ranges {
			if _, err := io.WriteString(w, partHeader(boundary, ct, br, m.Size)); err != nil {
				return nil // the client left
			}
			if i > 0 {
				src, primed = rd.Section(br.start, br.end-br.start), 0
			}
			if !s.sendSection(w, r, src, br, buf, primed) {
				return nil
			}
			if _, err := io.WriteString(w, "\r\n"); err != nil {
				return nil
			}
		}
		_, _ = io.WriteString(w, "--"+boundary+"--") // a failed write means the client left
	}
	return nil
}

// ignoreRange: X-Backend-Ignore-Range-If-Metadata-Present names metadata
// whose presence makes the object server send whole objects (so that a
// middleware can serve the range from a manifest).
func (s *objectServer) ignoreRange(h http.Header, m ObjectMeta) bool {
	for _, k := range strings.Split(h.Get("X-Backend-Ignore-Range-If-Metadata-Present"), ",") {
		k = http.CanonicalHeaderKey(strings.TrimSpace(k))
		if _, ok := m.Headers[k]; ok && k != "" {
			return true
		}
	}
	return false
}

// sendSection streams br of the object from src to the client after the
// headers were sent; the first primed bytes of br were already read into
// buf. If the store fails to read (corrupt data), the response is
// aborted: the client sees a broken transfer, never a wrong or short
// body. It returns false if the client went away.
func (s *objectServer) sendSection(w http.ResponseWriter, r *http.Request, src io.Reader, br byteRange, buf []byte, primed int) bool {
	n := br.end - br.start
	if primed > 0 {
		if _, err := w.Write(buf[:primed]); err != nil {
			return false
		}
	}
	sent := int64(primed)
	for sent < n {
		chunk := buf
		if rest := n - sent; rest < int64(len(chunk)) {
			chunk = chunk[:rest]
		}
		k, err := src.Read(chunk)
		if k > 0 {
			if _, werr := w.Write(chunk[:k]); werr != nil {
				return false
			}
			sent += int64(k)
		}
		if sent == n {
			break
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			reason := "read_error"
			if errors.Is(err, ErrCorrupt) {
				reason = "corrupt"
			}
			s.metrics.aborted.WithLabelValues(s.kind, reason).Inc()
			if rec, ok := w.(*recorder); ok {
				rec.err = fmt.Errorf("objectserver: aborted after %d of %d bytes: %w", sent, n, err)
			}
			// Send what is buffered first, so that the client sees the
			// headers and a body cut short rather than no answer at all
			// (which clients may retry on a reused connection).
			_ = http.NewResponseController(w).Flush() // the abort follows either way
			panic(http.ErrAbortHandler)
		}
	}
	return true
}

func (s *objectServer) put(w http.ResponseWriter, r *http.Request) error {
	p, err := s.path(r)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	length := bodyLength(r)
	replication := trueValue(r.Header.Get("X-Backend-Replication"))
	deleteAt, err := s.cfg.Constraints.CheckObjectCreation(r.Header, length, isChunked(r), p.object, ts, replication)
	if err != nil {
		return err
	}
	if length < 0 {
		// A chunked upload may announce its size for the space check.
		if v, ok := r.Header["X-Backend-Obj-Content-Length"]; ok && len(v) > 0 {
			n, err := strconv.ParseInt(strings.TrimSpace(v[0]), 10, 64)
			if err != nil || n < 0 {
				return badRequest("invalid literal for int() with base 10: '" + v[0] + "'")
			}
			length = n
		}
	}
	dev, release, err := s.acquire(p.device)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	name := p.name()
	orig, err := dev.Objects.Stat(ctx, p.partition, name)
	switch {
	case errors.Is(err, ErrNotFound):
		orig = ObjectMeta{}
	case err != nil:
		return errorResponse(err, p.device)
	}
	origLive := orig.Name != "" && !orig.Deleted && !expired(orig, ts)
	origTS := orig.Timestamp
	if orig.Name != "" && !orig.Deleted && !origLive {
		origTS = metaTimestamp(orig) // expired: Swift reports its newest write
	}
	if inm, ok := parseETagMatch(r.Header, "If-None-Match"); ok && origLive && inm.contains(orig.ETag) {
		return newError(http.StatusPreconditionFailed)
	}
	if !ts.After(origTS) {
		return newError(http.StatusConflict).withHeader("X-Backend-Timestamp", origTS.Internal())
	}
	etag := normalizeETag(r.Header.Get("Etag"))
	if etag != "" && !isMD5Hex(etag) {
		// Data always has a lowercase hex MD5: this ETag cannot match
		// (Swift reads the body before it finds out).
		return newError(http.StatusUnprocessableEntity)
	}
	meta := ObjectMeta{
		Name:          name,
		Timestamp:     ts,
		MetaTimestamp: ts,
		ContentType:   r.Header.Get("Content-Type"),
		Size:          length,
		ETag:          etag,
		DeleteAt:      deleteAt,
		Headers:       s.requestMetadata(r.Header, false),
	}
	ow, err := dev.Objects.Create(ctx, p.partition, meta)
	if err != nil {
		return errorResponse(err, p.device)
	}
	defer ow.Close()
	n, err := readBody(w, r.Body, ow, s.cfg.ClientTimeout)
	if err != nil {
		return errorResponse(err, p.device)
	}
	if length >= 0 && n != length {
		return &httpError{status: StatusClientDisconnect, cause: errors.New("objectserver: body shorter than announced")}
	}
	final, err := ow.Commit(ctx)
	if err != nil {
		return errorResponse(err, p.device)
	}
	update := rowUpdate(final, ts)
	applyUpdateOverrides(update, r.Header)
	s.containerUpdate(w, r, dev, p, http.MethodPut, ts, update)
	newError(http.StatusCreated).withHeader("Etag", `"`+final.ETag+`"`).write(w, r)
	return nil
}

// isMD5Hex reports whether s is 32 lowercase hex digits.
func isMD5Hex(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// rowUpdate is the container update for an object version m written at
// dataTS: its listing row's size, type and ETag.
func rowUpdate(m ObjectMeta, dataTS timestamp.Timestamp) http.Header {
	update := http.Header{}
	update.Set("X-Size", strconv.FormatInt(m.Size, 10))
	update.Set("X-Content-Type", m.ContentType)
	update.Set("X-Timestamp", dataTS.Internal())
	update.Set("X-Etag", m.ETag)
	return update
}

// applyUpdateOverrides applies the container update overrides of an
// object write to its update headers: X-Backend-Container-Update-Override-*
// then X-Object-Sysmeta-Container-Update-Override-* (which win), each
// replacing the header named by the rest ("Etag" overrides X-Etag).
func applyUpdateOverrides(update http.Header, from map[string][]string) {
	for _, prefix := range []string{"X-Backend-Container-Update-Override-", "X-Object-Sysmeta-Container-Update-Override-"} {
		for k, v := range from {
			if len(v) > 0 && len(k) > len(prefix) && strings.EqualFold(k[:len(prefix)], prefix) {
				update.Set("X-"+k[len(prefix):], v[0])
			}
		}
	}
}

func (s *objectServer) post(w http.ResponseWriter, r *http.Request) error {
	p, err := s.path(r)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	replication := trueValue(r.Header.Get("X-Backend-Replication"))
	deleteAt, err := constraints.DeleteAt(r.Header, ts, replication)
	if err != nil {
		return err
	}
	dev, release, err := s.acquire(p.device)
	if err != nil {
		return err
	}
	defer release()
	ctx := r.Context()
	name := p.name()
	cur, err := dev.Objects.Stat(ctx, p.partition, name)
	if errors.Is(err, ErrNotFound) || (err == nil && (cur.Deleted || (expired(cur, ts) && !replication))) {
		return newError(http.StatusNotFound)
	}
	if err != nil {
		return errorResponse(err, p.device)
	}
	if cts := metaTimestamp(cur); !ts.After(cts) {
		return newError(http.StatusConflict).withHeader("X-Backend-Timestamp", cts.Internal())
	}
	headers := s.requestMetadata(r.Header, true)
	contentType, newType := r.Header["Content-Type"]
	var orig ObjectMeta
	updated, err := dev.Objects.UpdateMeta(ctx, p.partition, name, ts, func(m *ObjectMeta) {
		orig = *m
		orig.Headers = make(map[string]string, len(m.Headers))
		kept := make(map[string]string, len(headers))
		for k, v := range m.Headers {
			orig.Headers[k] = v
			// What a PUT set for good: system metadata and the large
			// object marker. User metadata and the allowed headers are
			// replaced by the POST's.
			if constraints.Object.IsSysMeta(k) || k == "X-Static-Large-Object" {
				kept[k] = v
			}
		}
		for k, v := range headers {
			kept[k] = v
		}
		m.Headers = kept
		m.DeleteAt = deleteAt
		if newType && len(contentType) > 0 {
			m.ContentType = contentType[0]
		}
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return newError(http.StatusNotFound) // deleted meanwhile; no timestamp, as Swift
		}
		return errorResponse(err, p.device)
	}
	update := rowUpdate(updated, updated.Timestamp)
	if newType {
		update.Set("X-Content-Type-Timestamp", ts.Internal())
	} else {
		update.Set("X-Content-Type-Timestamp", updated.Timestamp.Internal())
	}
	update.Set("X-Meta-Timestamp", ts.Internal())
	applyUpdateOverrides(update, headerMap(orig.Headers))
	// A POST's listing update is a PUT of the row, as in Swift.
	s.containerUpdate(w, r, dev, p, http.MethodPut, ts, update)
	h := w.Header()
	for k, v := range orig.Headers {
		if constraints.Object.IsSysMeta(k) {
			h[k] = []string{v}
		}
	}
	h.Set("X-Backend-Content-Type", updated.ContentType)
	newError(http.StatusAccepted).write(w, r)
	return nil
}

// headerMap views stored headers as an http.Header-shaped map.
func headerMap(m map[string]string) map[string][]string {
	out := make(map[string][]string, len(m))
	for k, v := range m {
		out[k] = []string{v}
	}
	return out
}

func (s *objectServer) delete(w http.ResponseWriter, r *http.Request) error {
	q, release, err := s.open(r, constraints.RequestTimestamp)
	if err != nil {
		return err
	}
	defer release()
	ctx, ts := r.Context(), q.ts
	orig, err := q.dev.Objects.Stat(ctx, q.partition, q.name())
	if err != nil && !errors.Is(err, ErrNotFound) {
		return errorResponse(err, q.device)
	}
	// What this node has decides the status; the tombstone is written
	// whenever the DELETE is newer, even for a 404.
	status := http.StatusNotFound
	var origTS timestamp.Timestamp
	var origType string
	var origDeleteAt int64
	switch {
	case err != nil: // never stored here
	case orig.Deleted:
		origTS = orig.Timestamp
	case expired(orig, ts):
		origTS, origType, origDeleteAt = metaTimestamp(orig), orig.ContentType, orig.DeleteAt
	default:
		origTS, origType, origDeleteAt = orig.Timestamp, orig.ContentType, orig.DeleteAt
		status = http.StatusNoContent
		if !ts.After(origTS) {
			status = http.StatusConflict
		}
	}
	if v, ok := r.Header["X-If-Delete-At"]; ok && len(v) > 0 {
		// The expirer deletes only the version it queued.
		want, err := timestamp.Parse(v[0])
		if err != nil {
			return &httpError{status: http.StatusBadRequest, body: "Bad X-If-Delete-At header value"}
		}
		switch {
		case origTS.IsZero():
			return newError(http.StatusNotFound)
		case !ts.After(origTS):
			return newError(http.StatusConflict)
		case timestamp.FromTicks(origDeleteAt*100000, 0).Compare(want) != 0:
			return &httpError{status: http.StatusPreconditionFailed, body: "X-If-Delete-At and X-Delete-At do not match"}
		}
		status = http.StatusNoContent
	}
	respTS := ts
	if origTS.After(ts) {
		respTS = origTS
	}
	if ts.After(origTS) {
		if _, err := q.dev.Objects.Delete(ctx, q.partition, q.name(), ts); err != nil {
			return errorResponse(err, q.device)
		}
		update := http.Header{}
		update.Set("X-Timestamp", ts.Internal())
		s.containerUpdate(w, r, q.dev, q.itemPath, http.MethodDelete, ts, update)
	}
	e := newError(status)
	e.withHeader("X-Backend-Timestamp", respTS.Internal())
	e.withHeader("X-Backend-Content-Type", origType)
	e.write(w, r)
	return nil
}
