package objectserver

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// The container and account servers both serve databases: a container or
// an account has a state, metadata, and a listing of rows (objects or
// containers) that other servers keep up to date. What the two share is
// here; where Swift answers differently for each (which 404, which
// headers, what a PUT or DELETE also does) stays in container.go and
// account.go.

// unlessNotFound is the error of a state lookup as a handler returns it:
// nil if the store has never had the container or account (the handler
// answers 404 its own way), else the response for err.
func unlessNotFound(err error, device string) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return errorResponse(err, device)
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

// autoCreate is Swift's _should_autocreate: X-Backend-Auto-Create if
// given, else whether the account is a hidden one (but not the shards').
func (s *server) autoCreate(h http.Header, account string) bool {
	if v := h.Get("X-Backend-Auto-Create"); v != "" {
		return trueValue(v)
	}
	prefix := s.cfg.Constraints.AutoCreateAccountPrefix
	return strings.HasPrefix(account, prefix) && !strings.HasPrefix(account, prefix+"shards_")
}

// writeListing answers a GET of a container or account with body, a
// listing in contentType: 200, or 204 if the body is empty. A HEAD
// answers the same way with no body.
func writeListing(w http.ResponseWriter, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType+"; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if len(body) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client left
}

// hides reports whether a listing leaves out the entry named name:
// reserved-namespace names are listed only if asked for.
func (lp listingParams) hides(name string) bool {
	return !lp.allowReserved && strings.HasPrefix(name, constraints.Reserved)
}

// fillPage queries pages of a listing until limit entries pass keep (which
// may also replace them) or the listing ends, each query continuing after
// the last name seen. A subdir equal to the marker it continues from is
// not repeated. A limit of 0 or less queries nothing.
func fillPage[E listEntry](q ListQuery, query func(ListQuery) ([]E, error), keep func(E) (E, bool, error)) ([]E, error) {
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
			if q.Marker != "" && e.listingName() == q.Marker {
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
		q.Marker = page[len(page)-1].listingName()
	}
	return out, nil
}
