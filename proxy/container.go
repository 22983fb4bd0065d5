package proxy

import "net/http"

// serveContainer answers /v1/<account>/<container>. (Being written.)
func (s *Server) serveContainer(w http.ResponseWriter, r *request) error {
	return newStatusError(http.StatusNotImplemented)
}
