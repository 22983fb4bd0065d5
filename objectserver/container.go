package objectserver

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
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

// path parses /<device>/<partition>/<account>/<container> and, for every
// method but POST, .../<object>: PUT and DELETE of an object update its
// row, HEAD and GET ignore it (as Swift does).
func (s *containerServer) path(r *http.Request) (itemPath, error) {
	if r.Method == http.MethodPost {
		return parseItemPath(r.URL.Path, 4, 4, false, &s.cfg.Constraints)
	}
	return parseItemPath(r.URL.Path, 4, 5, true, &s.cfg.Constraints)
}

// putTarget reads what a PUT or DELETE addresses (target), then checks
// X-Backend-Storage-Policy-Index: Swift checks it after the device.
func (s *containerServer) putTarget(r *http.Request) (request, error) {
	q, err := s.target(r, s.path, constraints.RequestTimestamp)
	if err != nil {
		return request{}, err
	}
	if err := checkPolicyIndex(r.Header); err != nil {
		return request{}, err
	}
	return q, nil
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
	if err != nil {
		return ContainerInfo{}, false, unlessNotFound(err, p.device)
	}
	return info, !info.Deleted(), nil
}

// described looks the container up for a HEAD or GET and sets Swift's
// headers for what it found, also on the 404 for a container that does
// not exist or is deleted.
func (s *containerServer) described(ctx context.Context, w http.ResponseWriter, dev *Device, p itemPath) (ContainerInfo, error) {
	info, ok, err := s.info(ctx, dev, p)
	if err != nil {
		return ContainerInfo{}, err
	}
	containerHeaders(w.Header(), info, !ok)
	if !ok {
		return ContainerInfo{}, newError(http.StatusNotFound)
	}
	return info, nil
}

func (s *containerServer) head(w http.ResponseWriter, r *http.Request) error {
	p, err := s.path(r)
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
	info, err := s.described(r.Context(), w, dev, p)
	if err != nil {
		return err
	}
	w.Header().Set("Last-Modified", httpDate(info.PutTimestamp.Seconds()))
	writeListing(w, ct, nil)
	return nil
}

func (s *containerServer) get(w http.ResponseWriter, r *http.Request) error {
	// An object in the path is ignored, as in Swift.
	p, err := s.path(r)
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
	info, err := s.described(ctx, w, dev, p)
	if err != nil {
		return err
	}
	h := w.Header()
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
	h.Set("Last-Modified", httpDate(info.PutTimestamp.Seconds()))
	writeListing(w, lp.contentType, containerListing(lp.contentType, p.container, entries))
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
		name := e.listingName()
		if lp.hides(name) {
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
	return fillPage(q, query, keep)
}

func (s *containerServer) put(w http.ResponseWriter, r *http.Request) error {
	q, err := s.putTarget(r)
	if err != nil {
		return err
	}
	if q.object != "" {
		return s.putObjectRow(w, r, q, false)
	}
	ctx := r.Context()
	meta := requestMeta(r.Header, q.ts, containerMetaHeader)
	if len(meta) > 0 {
		cur, _, err := s.info(ctx, q.dev, q.itemPath)
		if err != nil {
			return err
		}
		if err := s.checkMetaTotals(cur.Metadata, meta, constraints.Container); err != nil {
			return err
		}
	}
	created, err := q.dev.Containers.PutContainer(ctx, q.partition, q.account, q.container, q.ts, meta)
	if err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			return newError(http.StatusConflict) // deleted at or after ts; Swift sends no timestamp
		}
		return errorResponse(err, q.device)
	}
	if err := s.accountUpdate(w, r, q); err != nil {
		return err
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
func (s *containerServer) putObjectRow(w http.ResponseWriter, r *http.Request, q request, deleted bool) error {
	row := ObjectRow{Name: q.object, Timestamp: q.ts, Deleted: deleted}
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
	ctx, c := r.Context(), q.dev.Containers
	err := c.PutObjectRow(ctx, q.partition, q.account, q.container, row)
	if errors.Is(err, ErrNotFound) && s.autoCreate(r.Header, q.account) {
		// The hidden accounts' containers (the expirer's queue) are
		// created by their first row.
		if _, err = c.PutContainer(ctx, q.partition, q.account, q.container, q.ts, nil); err == nil {
			err = c.PutObjectRow(ctx, q.partition, q.account, q.container, row)
		}
	}
	if err != nil {
		return errorResponse(err, q.device)
	}
	status := http.StatusCreated
	if deleted {
		status = http.StatusNoContent
	}
	newError(status).write(w, r)
	return nil
}

func (s *containerServer) delete(w http.ResponseWriter, r *http.Request) error {
	q, err := s.putTarget(r)
	if err != nil {
		return err
	}
	if q.object != "" {
		return s.putObjectRow(w, r, q, true)
	}
	if err := q.dev.Containers.DeleteContainer(r.Context(), q.partition, q.account, q.container, q.ts); err != nil {
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict), errors.Is(err, ErrNotEmpty):
			return newError(http.StatusConflict)
		case errors.Is(err, ErrNotFound):
			return newError(http.StatusNotFound)
		}
		return errorResponse(err, q.device)
	}
	if err := s.accountUpdate(w, r, q); err != nil {
		return err
	}
	newError(http.StatusNoContent).write(w, r)
	return nil
}

func (s *containerServer) post(w http.ResponseWriter, r *http.Request) error {
	q, err := s.target(r, s.path, constraints.RequestTimestamp)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cur, ok, err := s.info(ctx, q.dev, q.itemPath)
	if err != nil {
		return err
	}
	if !ok {
		return newError(http.StatusNotFound)
	}
	meta := requestMeta(r.Header, q.ts, containerMetaHeader)
	if err := s.checkMetaTotals(cur.Metadata, meta, constraints.Container); err != nil {
		return err
	}
	// A POST also moves the container's PUT timestamp, as in Swift.
	if _, err := q.dev.Containers.PutContainer(ctx, q.partition, q.account, q.container, q.ts, meta); err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			return newError(http.StatusNotFound) // deleted meanwhile
		}
		return errorResponse(err, q.device)
	}
	newError(http.StatusNoContent).write(w, r)
	return nil
}
