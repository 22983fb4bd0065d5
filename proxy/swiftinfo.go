package proxy

import "net/http"

// serveInfo answers GET /info. (Being written.)
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request) {
	newStatusError(http.StatusNotImplemented).write(w, r)
}
