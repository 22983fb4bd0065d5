package proxy

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/swiftstatus"
)

// StatusError is an answer to the client other than success: a status,
// Swift's body for it, and headers. Controllers and the Authorizer return
// it; the server writes it.
type StatusError struct {
	Status int
	Body   string // empty: Swift's default body for the status
	Header http.Header
}

func (e *StatusError) Error() string { return fmt.Sprintf("proxy: %d %s", e.Status, e.Body) }

// newStatusError is a StatusError with Swift's default body.
func newStatusError(status int) *StatusError { return &StatusError{Status: status} }

// write sends the error to the client. HEAD answers carry no body.
func (e *StatusError) write(w http.ResponseWriter, r *http.Request) {
	for k, v := range e.Header {
		w.Header()[k] = v
	}
	body := e.Body
	if body == "" {
		body = swiftstatus.Body(e.Status, "")
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	}
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(e.Status)
		return
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write([]byte(body)) // the client may be gone; nothing to do about it
}

// asStatusError turns any error a controller returns into the answer to
// give: StatusErrors and constraint failures as they are (with Swift's
// status and body), anything else a 500.
func asStatusError(err error) *StatusError {
	var se *StatusError
	if errors.As(err, &se) {
		return se
	}
	var ce *constraints.Error
	if errors.As(err, &ce) {
		se := &StatusError{Status: ce.Status, Body: ce.Body}
		if ce.PlainText {
			se.Header = http.Header{"Content-Type": {"text/plain"}} // as swob sends it: no charset
		}
		return se
	}
	return newStatusError(http.StatusInternalServerError)
}
