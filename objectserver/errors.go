package objectserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/swiftstatus"
)

// StatusClientDisconnect is Swift's 499: the client went away (or sent
// fewer bytes than it announced) during the request.
const StatusClientDisconnect = swiftstatus.ClientDisconnect

// httpError is a response decided before anything was written: a status,
// an optional body (else swob's standard one, swiftstatus.Body), and
// extra headers.
type httpError struct {
	status int
	body   string
	// plain sends the body as text/plain; otherwise it is swob's default
	// text/html; charset=UTF-8.
	plain bool
	// empty sends no body at all, not even the standard one.
	empty bool
	// drive names the device in 507 bodies.
	drive  string
	header http.Header
	// cause is logged for server errors; it is not sent.
	cause error
}

func (e *httpError) Error() string {
	msg := fmt.Sprintf("objectserver: %d %s", e.status, http.StatusText(e.status))
	if e.body != "" {
		msg += ": " + e.body
	}
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *httpError) Unwrap() error { return e.cause }

// withHeader returns e with header k set to v.
func (e *httpError) withHeader(k, v string) *httpError {
	if e.header == nil {
		e.header = http.Header{}
	}
	e.header.Set(k, v)
	return e
}

func newError(status int) *httpError { return &httpError{status: status} }

func badRequest(body string) *httpError {
	return &httpError{status: http.StatusBadRequest, body: body, plain: true}
}

func insufficientStorage(drive string, cause error) *httpError {
	return &httpError{status: http.StatusInsufficientStorage, drive: drive, cause: cause}
}

// errorResponse classifies err, from a store, a check or a handler, into
// the response Swift would give: the one place store errors become
// statuses. device names the device the request was for.
func errorResponse(err error, device string) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var ce *constraints.Error
	if errors.As(err, &ce) {
		return &httpError{status: ce.Status, body: ce.Body, plain: ce.PlainText}
	}
	var conflict *ConflictError
	if errors.As(err, &conflict) {
		return newError(http.StatusConflict).withHeader("X-Backend-Timestamp", conflict.Existing.Internal())
	}
	var deleted *DeletedError
	if errors.As(err, &deleted) {
		return newError(http.StatusNotFound).withHeader("X-Backend-Timestamp", deleted.Tombstone.Timestamp.Internal())
	}
	switch {
	case errors.Is(err, ErrNotFound):
		return newError(http.StatusNotFound)
	case errors.Is(err, ErrCorrupt):
		// The store quarantined the object: this node no longer has it.
		return &httpError{status: http.StatusNotFound, cause: err}
	case errors.Is(err, ErrConflict), errors.Is(err, ErrNotEmpty):
		return newError(http.StatusConflict)
	case errors.Is(err, ErrDiskFull), errors.Is(err, ErrDeviceUnavailable):
		return insufficientStorage(device, err)
	case errors.Is(err, ErrETagMismatch):
		return newError(http.StatusUnprocessableEntity)
	case errors.Is(err, ErrSizeMismatch), errors.Is(err, context.Canceled):
		return &httpError{status: StatusClientDisconnect, cause: err}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return &httpError{status: http.StatusRequestTimeout, cause: err}
	case errors.Is(err, ErrClosed):
		return &httpError{status: http.StatusServiceUnavailable, cause: err}
	}
	return &httpError{status: http.StatusInternalServerError, cause: err}
}

// write sends e. A HEAD response carries the length of the body it would
// have had, as swob does for bodies set explicitly, and 0 for standard ones.
func (e *httpError) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range e.header {
		h[k] = v
	}
	body := e.body
	switch {
	case body != "" && e.plain:
		h.Set("Content-Type", "text/plain")
	case h.Get("Content-Type") == "":
		h.Set("Content-Type", "text/html; charset=UTF-8")
	}
	if body == "" && !e.empty && r.Method != http.MethodHead {
		body = swiftstatus.Body(e.status, e.drive)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead && body != "" {
		_, _ = w.Write([]byte(body)) // a failed write means the client left; nothing to do
	}
}
