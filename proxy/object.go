package proxy

import "net/http"

// serveObject answers /v1/<account>/<container>/<object>. (Being written.)
func (s *Server) serveObject(w http.ResponseWriter, r *request) error {
	return newStatusError(http.StatusNotImplemented)
}
