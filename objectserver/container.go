package objectserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// containerServer serves /<device>/<partition>/<account>/<container> and
// the object rows /<device>/<partition>/<account>/<container>/<object>.
type containerServer struct{ *server }

// NewContainerServer returns the container server of a node: container
// PUT, GET (listings), HEAD, DELETE and POST, the object-row updates PUT
// and DELETE .../<object> that object servers send, /healthcheck and
// /metrics. A nil cfg means DefaultConfig.
func NewContainerServer(devices Devices, cfg *Config) (http.Handler, error) {
	base, err := newServer("container", devices, cfg)
	if err != nil {
		return nil, err
	}
	base.routes(&containerServer{server: base}, nil)
	return base, nil
}

// containerSaveHeaders are the non-metadata container headers kept as
// metadata (Swift's save_headers).
var containerSaveHeaders = map[string]bool{
	"X-Container-Read": true, "X-Container-Write": true,
	"X-Container-Sync-Key": true, "X-Container-Sync-To": true,
}

// containerMetaHeader reports whether a header is container metadata.
func containerMetaHeader(h string) bool {
	return containerSaveHeaders[h] || constraints.Container.IsUserMeta(h) || constraints.Container.IsSysMeta(h)
}

// requestMeta collects the metadata headers of a request, set at ts; an
// empty value records a removal.
func requestMeta(h http.Header, ts timestamp.Timestamp, isMeta func(string) bool) Metadata {
	m := Metadata{}
	for k, v := range h {
		if len(v) > 0 && isMeta(k) {
			m[k] = MetaItem{Value: v[0], Timestamp: ts}
		}
	}
	return m
}

// checkMetaTotals checks the metadata as it would be after merging update
// into current against the limits, as Swift's databases do (400).
func (s *server) checkMetaTotals(current, update Metadata, kind constraints.Kind) error {
	if len(update) == 0 {
		return nil
	}
	merged := make(map[string]string, len(current)+len(update))
	for k, v := range current {
		merged[k] = v.Value
	}
	for k, v := range update {
		if old, ok := current[k]; !ok || v.Timestamp.After(old.Timestamp) {
			merged[k] = v.Value
		}
	}
	return s.cfg.Constraints.CheckMetadataTotals(merged, kind)
}

// containerPath parses /<device>/<partition>/<account>/<container>[/<object>].
func (s *containerServer) containerPath(r *http.Request, objectOK bool) (itemPath, error) {
	if objectOK {
		return parseItemPath(r.URL.Path, 4, 5, true, &s.cfg.Constraints)
	}
	return parseItemPath(r.URL.Path, 4, 4, false, &s.cfg.Constraints)
}

// checkPolicyIndex validates X-Backend-Storage-Policy-Index: only policy
// 0 exists.
func checkPolicyIndex(h http.Header) error {
	v, ok := h["X-Backend-Storage-Policy-Index"]
	if !ok || len(v) == 0 {
		return nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(v[0]))
	if err != nil {
		return badRequest("Invalid X-Backend-Storage-Policy-Index '" + v[0] + "'")
	}
	if n != 0 {
		return badRequest("Invalid X-Backend-Storage-Policy-Index " + strconv.Itoa(n))
	}
	return nil
}

// containerHeaders are Swift's gen_resp_headers: the backend timestamps
// always, the counts and client timestamps for a live container.
func containerHeaders(h http.Header, info ContainerInfo, deleted bool) {
	h.Set("X-Backend-Timestamp", info.CreatedAt.Internal())
	h.Set("X-Backend-Put-Timestamp", info.PutTimestamp.Internal())
	h.Set("X-Backend-Delete-Timestamp", info.DeleteTimestamp.Internal())
	h.Set("X-Backend-Status-Changed-At", info.StatusChangedAt.Internal())
	h.Set("X-Backend-Storage-Policy-Index", "0")
	if deleted {
		return
	}
	h.Set("X-Container-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
	h.Set("X-Container-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	h.Set("X-Timestamp", info.CreatedAt.Normal())
	h.Set("X-Put-Timestamp", info.PutTimestamp.Normal())
	h.Set("X-Backend-Sharding-State", "unsharded")
	for k, v := range info.Metadata {
		if v.Value != "" && containerMetaHeader(k) {
			h[k] = []string{v.Value}
		}
	}
}

// info returns the container's state; ok is false (with what is known
// of it for the 404's headers) if it does not exist or is deleted.
func (s *containerServer) info(ctx context.Context, dev *Device, p itemPath) (info ContainerInfo, ok bool, err error) {
	info, err = dev.Containers.ContainerInfo(ctx, p.partition, p.account, p.container)
	if errors.Is(err, ErrNotFound) {
		return ContainerInfo{}, false, nil
	}
	if err != nil {
		return ContainerInfo{}, false, errorResponse(err, p.device)
	}
	return info, !info.Deleted(), nil
}

func (s *containerServer) head(w http.ResponseWriter, r *http.Request) error {
	p, err := s.containerPath(r, true)
	if err != nil {
		return err
	}
	ct, err := listingContentType(r, queryParams(r.URL.RawQuery))
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	info, ok, err := s.info(r.Context(), dev, p)
	if err != nil {
		return err
	}
	containerHeaders(w.Header(), info, !ok)
	if !ok {
		return newError(http.StatusNotFound)
	}
	w.Header().Set("Content-Type", ct+"; charset=utf-8")
	w.Header().Set("Last-Modified", httpDate(info.PutTimestamp.Seconds()))
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *containerServer) get(w http.ResponseWriter, r *http.Request) error {
	// An object in the path is ignored, as in Swift.
	p, err := s.containerPath(r, true)
	if err != nil {
		return err
	}
	lp, err := parseListingParams(r, s.cfg.Constraints.ContainerListingLimit, true)
	if err != nil {
		return err
	}
	if err := checkPolicyIndex(r.Header); err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	ctx := r.Context()
	info, ok, err := s.info(ctx, dev, p)
	if err != nil {
		return err
	}
	h := w.Header()
	containerHeaders(h, info, !ok)
	if !ok {
		return newError(http.StatusNotFound)
	}
	h.Set("X-Backend-Record-Type", "object")
	h.Set("X-Backend-Record-Storage-Policy-Index", "0")
	entries, err := s.list(ctx, dev, p, lp)
	if errors.Is(err, ErrNotFound) {
		containerHeaders(h, ContainerInfo{}, true) // deleted meanwhile
		return newError(http.StatusNotFound)
	}
	if err != nil {
		return errorResponse(err, p.device)
	}
	body := containerListing(lp.contentType, p.container, entries)
	h.Set("Content-Type", lp.contentType+"; charset=utf-8")
	h.Set("Last-Modified", httpDate(info.PutTimestamp.Seconds()))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if len(body) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client left
	return nil
}

// list returns one page of the listing. Reserved-namespace names are
// left out unless asked for. With the path parameter only what is
// directly under the path is listed, as Swift does: objects below it, and
// objects whose name is a "directory" there ("path/dir/"), but no subdir
// entries. Pages short of the limit because of that are filled from the
// following ones.
func (s *containerServer) list(ctx context.Context, dev *Device, p itemPath, lp listingParams) ([]ObjectEntry, error) {
	q := lp.query
	if q.Limit <= 0 {
		return nil, nil
	}
	query := func(q ListQuery) ([]ObjectEntry, error) {
		return dev.Containers.ListObjects(ctx, p.partition, p.account, p.container, q)
	}
	var self string // with path, the object named like the path itself is not listed
	if lp.path != nil {
		q.Prefix, q.Delimiter = "", '/'
		if *lp.path != "" {
			q.Prefix = strings.TrimRight(*lp.path, "/") + "/"
			self = q.Prefix
		}
	}
	keep := func(e ObjectEntry) (ObjectEntry, bool, error) {
		name := e.Name
		if e.Subdir != "" {
			name = e.Subdir
		}
		if !lp.allowReserved && strings.HasPrefix(name, constraints.Reserved) {
			return e, false, nil
		}
		switch {
		case lp.path == nil:
			return e, true, nil
		case e.Subdir == "":
			return e, name != self || self == "", nil
		}
		// A subdir stands for the names below it, which a path listing
		// leaves out, and for an object named exactly like it, which it
		// lists.
		first, err := query(ListQuery{Limit: 1, Prefix: e.Subdir})
		if err != nil || len(first) == 0 || first[0].Name != e.Subdir {
			return e, false, err
		}
		return first[0], true, nil
	}
	return fillPage(q, query, keep, entryName)
}

// entryName is an object entry's name or its subdir.
func entryName(e ObjectEntry) string {
	if e.Subdir != "" {
		return e.Subdir
	}
	return e.Name
}

// fillPage queries pages of a listing until limit entries pass keep (which
// may also replace them) or the listing ends, each query continuing after
// the last name seen. A subdir equal to the marker it continues from is
// not repeated.
func fillPage[E any](q ListQuery, query func(ListQuery) ([]E, error), keep func(E) (E, bool, error), name func(E) string) ([]E, error) {
	limit := q.Limit
	var out []E
	for len(out) < limit {
		q.Limit = limit - len(out)
		page, err := query(q)
		if err != nil {
			return nil, err
		}
		progressed := false
		for _, e := range page {
			if q.Marker != "" && name(e) == q.Marker {
				continue
			}
			progressed = true
			e, ok, err := keep(e)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, e)
			}
		}
		if len(page) < q.Limit || !progressed {
			break
		}
		q.Marker = name(page[len(page)-1])
	}
	return out, nil
}

func (s *containerServer) put(w http.ResponseWriter, r *http.Request) error {
	p, err := s.containerPath(r, true)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	if err := checkPolicyIndex(r.Header); err != nil {
		return err
	}
	if p.object != "" {
		return s.putObjectRow(w, r, dev, p, ts, false)
	}
	ctx := r.Context()
	meta := requestMeta(r.Header, ts, containerMetaHeader)
	if len(meta) > 0 {
		cur, _, err := s.info(ctx, dev, p)
		if err != nil {
			return err
		}
		if err := s.checkMetaTotals(cur.Metadata, meta, constraints.Container); err != nil {
			return err
		}
	}
	created, err := dev.Containers.PutContainer(ctx, p.partition, p.account, p.container, ts, meta)
	if err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			return newError(http.StatusConflict) // deleted at or after ts; Swift sends no timestamp
		}
		return errorResponse(err, p.device)
	}
	info, err := dev.Containers.ContainerInfo(ctx, p.partition, p.account, p.container)
	if err != nil {
		return errorResponse(err, p.device)
	}
	if notFound, err := s.accountUpdate(r, w, p, info); err != nil {
		return err
	} else if notFound {
		return newError(http.StatusNotFound)
	}
	status := http.StatusAccepted
	if created {
		status = http.StatusCreated
	}
	newError(status).withHeader("X-Backend-Storage-Policy-Index", "0").write(w, r)
	return nil
}

// putObjectRow records an object server's listing update: PUT with
// X-Size, X-Content-Type and X-Etag, or DELETE. Swift answers 500 for
// missing or malformed update headers; this answers 400.
func (s *containerServer) putObjectRow(w http.ResponseWriter, r *http.Request, dev *Device, p itemPath, ts timestamp.Timestamp, deleted bool) error {
	row := ObjectRow{Name: p.object, Timestamp: ts, Deleted: deleted}
	if !deleted {
		size, err := strconv.ParseInt(strings.TrimSpace(r.Header.Get("X-Size")), 10, 64)
		if err != nil || size < 0 {
			return badRequest("Invalid X-Size header")
		}
		ct, okType := r.Header["X-Content-Type"]
		etag, okETag := r.Header["X-Etag"]
		if !okType || !okETag || len(ct) == 0 || len(etag) == 0 {
			return badRequest("Missing X-Content-Type or X-Etag header")
		}
		row.Size, row.ContentType, row.ETag = size, ct[0], etag[0]
	}
	ctx := r.Context()
	err := dev.Containers.PutObjectRow(ctx, p.partition, p.account, p.container, row)
	if errors.Is(err, ErrNotFound) && s.autoCreate(r.Header, p.account) {
		// The hidden accounts' containers (the expirer's queue) are
		// created by their first row.
		if _, err = dev.Containers.PutContainer(ctx, p.partition, p.account, p.container, ts, nil); err == nil {
			err = dev.Containers.PutObjectRow(ctx, p.partition, p.account, p.container, row)
		}
	}
	if err != nil {
		return errorResponse(err, p.device)
	}
	status := http.StatusCreated
	if deleted {
		status = http.StatusNoContent
	}
	newError(status).write(w, r)
	return nil
}

// autoCreate is Swift's _should_autocreate: X-Backend-Auto-Create if
// given, else whether the account is a hidden one (but not the shards').
func (s *server) autoCreate(h http.Header, account string) bool {
	if v := h.Get("X-Backend-Auto-Create"); v != "" {
		return trueValue(v)
	}
	prefix := s.cfg.Constraints.AutoCreateAccountPrefix
	return strings.HasPrefix(account, prefix) && !strings.HasPrefix(account, prefix+"shards_")
}

func (s *containerServer) delete(w http.ResponseWriter, r *http.Request) error {
	p, err := s.containerPath(r, true)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	if err := checkPolicyIndex(r.Header); err != nil {
		return err
	}
	if p.object != "" {
		return s.putObjectRow(w, r, dev, p, ts, true)
	}
	ctx := r.Context()
	if err := dev.Containers.DeleteContainer(ctx, p.partition, p.account, p.container, ts); err != nil {
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict), errors.Is(err, ErrNotEmpty):
			return newError(http.StatusConflict)
		case errors.Is(err, ErrNotFound):
			return newError(http.StatusNotFound)
		}
		return errorResponse(err, p.device)
	}
	info, err := dev.Containers.ContainerInfo(ctx, p.partition, p.account, p.container)
	if err != nil {
		return errorResponse(err, p.device)
	}
	if notFound, err := s.accountUpdate(r, w, p, info); err != nil {
		return err
	} else if notFound {
		return newError(http.StatusNotFound)
	}
	newError(http.StatusNoContent).write(w, r)
	return nil
}

func (s *containerServer) post(w http.ResponseWriter, r *http.Request) error {
	p, err := s.containerPath(r, false)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cur, ok, err := s.info(ctx, dev, p)
	if err != nil {
		return err
	}
	if !ok {
		return newError(http.StatusNotFound)
	}
	meta := requestMeta(r.Header, ts, containerMetaHeader)
	if err := s.checkMetaTotals(cur.Metadata, meta, constraints.Container); err != nil {
		return err
	}
	// A POST also moves the container's PUT timestamp, as in Swift.
	if _, err := dev.Containers.PutContainer(ctx, p.partition, p.account, p.container, ts, meta); err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			return newError(http.StatusNotFound) // deleted meanwhile
		}
		return errorResponse(err, p.device)
	}
	newError(http.StatusNoContent).write(w, r)
	return nil
}
