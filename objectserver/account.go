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

// accountServer serves /<device>/<partition>/<account> and the container
// rows /<device>/<partition>/<account>/<container>.
type accountServer struct{ *server }

// NewAccountServer returns the account server of a node: account PUT,
// GET (listings), HEAD, DELETE and POST, the container-row updates PUT
// .../<container> that container servers send, /healthcheck and /metrics.
// A nil cfg means DefaultConfig.
func NewAccountServer(devices Devices, cfg *Config) (http.Handler, error) {
	base, err := newServer("account", devices, cfg)
	if err != nil {
		return nil, err
	}
	base.routes(&accountServer{server: base}, nil)
	return base, nil
}

// accountMetaHeader reports whether a header is account metadata.
func accountMetaHeader(h string) bool {
	return constraints.Account.IsUserMeta(h) || constraints.Account.IsSysMeta(h)
}

// path parses /<device>/<partition>/<account>, and for PUT also
// .../<container>, a container row.
func (s *accountServer) path(r *http.Request) (itemPath, error) {
	maxSegs := 3
	if r.Method == http.MethodPut {
		maxSegs = 4
	}
	return parseItemPath(r.URL.Path, 3, maxSegs, false, &s.cfg.Constraints)
}

// state looks the account up: its state, and whether it exists (deleted
// or not).
func (s *accountServer) state(ctx context.Context, dev *Device, p itemPath) (info AccountInfo, exists bool, err error) {
	info, err = dev.Accounts.AccountInfo(ctx, p.partition, p.account)
	if err != nil {
		return AccountInfo{}, false, unlessNotFound(err, p.device)
	}
	return info, true, nil
}

// live looks up an account that must exist and not be deleted, else
// answers 404.
func (s *accountServer) live(ctx context.Context, dev *Device, p itemPath) (AccountInfo, error) {
	info, exists, err := s.state(ctx, dev, p)
	if err != nil {
		return AccountInfo{}, err
	}
	if !exists || info.Deleted() {
		return AccountInfo{}, accountResponse(http.StatusNotFound, exists && info.Deleted(), "")
	}
	return info, nil
}

// accountResponse is an answer of the account server without a listing:
// Swift's account server gives these an explicit, often empty, body, and
// marks a deleted account with X-Account-Status.
func accountResponse(status int, deleted bool, body string) *httpError {
	e := &httpError{status: status, body: body, empty: body == ""}
	if deleted {
		e.withHeader("X-Account-Status", "Deleted")
	}
	e.withHeader("Content-Type", "text/html; charset=utf-8")
	return e
}

// accountHeaders are Swift's get_response_headers: counts, timestamps,
// policy statistics and metadata.
func accountHeaders(h http.Header, info AccountInfo) {
	h.Set("X-Account-Container-Count", strconv.FormatInt(info.ContainerCount, 10))
	h.Set("X-Account-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
	h.Set("X-Account-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	h.Set("X-Timestamp", info.CreatedAt.Normal())
	h.Set("X-Put-Timestamp", info.PutTimestamp.Normal())
	if info.ContainerCount > 0 {
		// One storage policy: its statistics are the account's.
		h.Set("X-Account-Storage-Policy-Policy-0-Container-Count", strconv.FormatInt(info.ContainerCount, 10))
		h.Set("X-Account-Storage-Policy-Policy-0-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
		h.Set("X-Account-Storage-Policy-Policy-0-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	}
	for k, v := range info.Metadata {
		if v.Value != "" {
			h[k] = []string{v.Value}
		}
	}
}

func (s *accountServer) head(w http.ResponseWriter, r *http.Request) error {
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
	info, err := s.live(r.Context(), dev, p)
	if err != nil {
		return err
	}
	accountHeaders(w.Header(), info)
	writeListing(w, ct, nil)
	return nil
}

func (s *accountServer) get(w http.ResponseWriter, r *http.Request) error {
	p, err := s.path(r)
	if err != nil {
		return err
	}
	lp, err := parseListingParams(r, s.cfg.Constraints.AccountListingLimit, false)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	ctx := r.Context()
	info, err := s.live(ctx, dev, p)
	if err != nil {
		return err
	}
	entries, err := fillPage(lp.query, func(q ListQuery) ([]ContainerEntry, error) {
		return dev.Accounts.ListContainers(ctx, p.partition, p.account, q)
	}, func(e ContainerEntry) (ContainerEntry, bool, error) {
		return e, !lp.hides(e.listingName()), nil
	})
	if err != nil {
		return errorResponse(err, p.device)
	}
	accountHeaders(w.Header(), info)
	writeListing(w, lp.contentType, accountListing(lp.contentType, p.account, entries))
	return nil
}

func (s *accountServer) put(w http.ResponseWriter, r *http.Request) error {
	// Swift's account server checks the device before the timestamp.
	p, err := s.path(r)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	if p.container != "" {
		return s.putContainerRow(w, r, dev, p)
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	ctx := r.Context()
	info, exists, err := s.state(ctx, dev, p)
	if err != nil {
		return err
	}
	if exists && info.Deleted() {
		// Until the reaper has emptied it and it is reclaimed, a deleted
		// account cannot be recreated.
		return accountResponse(http.StatusForbidden, true, "Recently deleted")
	}
	meta := requestMeta(r.Header, ts, accountMetaHeader)
	if err := s.checkMetaTotals(info.Metadata, meta, constraints.Account); err != nil {
		return err
	}
	created, err := dev.Accounts.PutAccount(ctx, p.partition, p.account, ts, meta)
	if err != nil {
		var conflict *ConflictError
		if errors.As(err, &conflict) {
			return newError(http.StatusConflict)
		}
		return errorResponse(err, p.device)
	}
	status := http.StatusAccepted
	if created {
		status = http.StatusCreated
	}
	newError(status).write(w, r)
	return nil
}

// putContainerRow records a container server's report of a container:
// X-Put-Timestamp, X-Delete-Timestamp, X-Object-Count, X-Bytes-Used.
// Swift answers 500 for missing or malformed report headers; this answers
// 400.
func (s *accountServer) putContainerRow(w http.ResponseWriter, r *http.Request, dev *Device, p itemPath) error {
	ts, err := s.requestTime(r.Header)
	if err != nil {
		return err
	}
	row := ContainerRow{Name: p.container}
	if row.PutTimestamp, err = timestamp.Parse(r.Header.Get("X-Put-Timestamp")); err != nil {
		return badRequest("Invalid X-Put-Timestamp header")
	}
	if row.DeleteTimestamp, err = timestamp.Parse(r.Header.Get("X-Delete-Timestamp")); err != nil {
		return badRequest("Invalid X-Delete-Timestamp header")
	}
	if row.ObjectCount, err = strconv.ParseInt(strings.TrimSpace(r.Header.Get("X-Object-Count")), 10, 64); err != nil {
		return badRequest("Invalid X-Object-Count header")
	}
	if row.BytesUsed, err = strconv.ParseInt(strings.TrimSpace(r.Header.Get("X-Bytes-Used")), 10, 64); err != nil {
		return badRequest("Invalid X-Bytes-Used header")
	}
	ctx := r.Context()
	if s.autoCreate(http.Header{}, p.account) {
		// The hidden accounts are created by their first container.
		if _, exists, err := s.state(ctx, dev, p); err != nil {
			return err
		} else if !exists {
			if _, err := dev.Accounts.PutAccount(ctx, p.partition, p.account, ts, nil); err != nil {
				return errorResponse(err, p.device)
			}
		}
	}
	if err := dev.Accounts.PutContainerRow(ctx, p.partition, p.account, row); err != nil {
		return errorResponse(err, p.device)
	}
	status := http.StatusCreated
	if row.Deleted() {
		status = http.StatusNoContent
	}
	newError(status).write(w, r)
	return nil
}

func (s *accountServer) delete(w http.ResponseWriter, r *http.Request) error {
	// Swift's account server checks the device before the timestamp.
	p, err := s.path(r)
	if err != nil {
		return err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return err
	}
	ts, err := constraints.RequestTimestamp(r.Header)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := s.live(ctx, dev, p); err != nil {
		return err
	}
	if err := dev.Accounts.DeleteAccount(ctx, p.partition, p.account, ts); err != nil {
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict):
			return newError(http.StatusConflict)
		case errors.Is(err, ErrNotFound):
			return accountResponse(http.StatusNotFound, false, "")
		}
		return errorResponse(err, p.device)
	}
	accountResponse(http.StatusNoContent, true, "").write(w, r)
	return nil
}

func (s *accountServer) post(w http.ResponseWriter, r *http.Request) error {
	q, err := s.target(r, s.path, constraints.RequestTimestamp)
	if err != nil {
		return err
	}
	ctx := r.Context()
	info, err := s.live(ctx, q.dev, q.itemPath)
	if err != nil {
		return err
	}
	meta := requestMeta(r.Header, q.ts, accountMetaHeader)
	if err := s.checkMetaTotals(info.Metadata, meta, constraints.Account); err != nil {
		return err
	}
	if len(meta) > 0 {
		if err := q.dev.Accounts.UpdateAccountMeta(ctx, q.partition, q.account, meta); err != nil {
			if errors.Is(err, ErrNotFound) {
				return accountResponse(http.StatusNotFound, false, "")
			}
			return errorResponse(err, q.device)
		}
	}
	newError(http.StatusNoContent).write(w, r)
	return nil
}
