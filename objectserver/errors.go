package objectserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// StatusClientDisconnect is Swift's 499: the client went away (or sent
// fewer bytes than it announced) during the request.
const StatusClientDisconnect = 499

// swobReasons are the titles and standard bodies Swift's swob gives each
// status (RESPONSE_REASONS); an error response without a body of its own
// gets "<html><h1>title</h1><p>explanation</p></html>".
var swobReasons = map[int][2]string{
	200: {"OK", ""},
	201: {"Created", ""},
	202: {"Accepted", "The request is accepted for processing."},
	204: {"No Content", ""},
	206: {"Partial Content", ""},
	304: {"Not Modified", ""},
	400: {"Bad Request", "The server could not comply with the request since it is either malformed or otherwise incorrect."},
	403: {"Forbidden", "Access was denied to this resource."},
	404: {"Not Found", "The resource could not be found."},
	405: {"Method Not Allowed", "The method is not allowed for this resource."},
	406: {"Not Acceptable", "The resource is not available in a format acceptable to your browser."},
	408: {"Request Timeout", "The server has waited too long for the request to be sent by the client."},
	409: {"Conflict", "There was a conflict when trying to complete your request."},
	411: {"Length Required", "Content-Length header required."},
	412: {"Precondition Failed", "A precondition for this request was not met."},
	413: {"Request Entity Too Large", "The body of your request was too large for this server."},
	416: {"Requested Range Not Satisfiable", "The Range requested is not available."},
	422: {"Unprocessable Entity", "Unable to process the contained instructions"},
	499: {"Client Disconnect", "The client was disconnected during request."},
	500: {"Internal Error", "The server has either erred or is incapable of performing the requested operation."},
	501: {"Not Implemented", "The requested method is not implemented by this server."},
	503: {"Service Unavailable", "The server is currently unavailable. Please try again at a later time."},
	507: {"Insufficient Storage", "There was not enough space to save the resource. Drive: %s"},
}

// standardBody is swob's body for a status without one of its own; drive
// fills the 507 text. Statuses without an explanation have an empty body.
func standardBody(status int, drive string) string {
	r, ok := swobReasons[status]
	if !ok || r[1] == "" {
		return ""
	}
	exp := r[1]
	if status == http.StatusInsufficientStorage {
		if drive == "" {
			drive = "unknown"
		}
		exp = fmt.Sprintf(exp, drive)
	}
	return "<html><h1>" + r[0] + "</h1><p>" + exp + "</p></html>"
}

// httpError is a response decided before anything was written: a status,
// an optional body (else swob's standard one), and extra headers.
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
		body = standardBody(e.status, e.drive)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.status)
	if r.Method != http.MethodHead && body != "" {
		_, _ = w.Write([]byte(body)) // a failed write means the client left; nothing to do
	}
}
