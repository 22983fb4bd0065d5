package objectserver

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// replicate serves REPLICATE /<device>/<partition>[/<suffix>[-<suffix>...]]:
// the partition's suffix hashes as a JSON object, suffix to hash. Swift
// answers with a pickle and rehashes the suffixes named in the path
// first; the stores keep their hashes current on every write, so the
// suffixes are accepted and need no work.
func (s *objectServer) replicate(w http.ResponseWriter, r *http.Request) error {
	segs, part, err := parsePath(r.URL.Path, 2, 3, true)
	if err != nil {
		return err
	}
	dev, err := s.device(segs[0])
	if err != nil {
		return err
	}
	hashes, err := dev.Objects.SuffixHashes(r.Context(), part)
	if err != nil {
		return errorResponse(err, segs[0])
	}
	if hashes == nil {
		hashes = map[string]string{}
	}
	body, err := json.Marshal(hashes)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body) // a failed write means the client left
	return nil
}
