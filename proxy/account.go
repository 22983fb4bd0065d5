package proxy

import "net/http"

// serveAccount answers /v1/<account>. (Being written.)
func (s *Server) serveAccount(w http.ResponseWriter, r *request) error {
	return newStatusError(http.StatusNotImplemented)
}
