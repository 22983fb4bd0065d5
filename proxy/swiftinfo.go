package proxy

import (
	"net/http"
	"slices"
	"strconv"
)

// GET /info publishes what the cluster can do, in Swift's format
// (swift/proxy/controllers/info.py): a JSON object of sections, "swift"
// for the proxy itself (version, constraints, policies, account
// settings) and one per middleware that registered one
// (Config.InfoSections). As in Swift's default configuration,
// auto_create_account_prefix is withheld, and signed admin requests
// (swiftinfo_sig) are refused: there is no admin key.

// swiftInfo is the "swift" section: the keys Swift's proxy registers, in
// its order.
func (s *Server) swiftInfo() orderedMap {
	c := s.cfg.Constraints
	info := orderedMap{
		{"version", s.cfg.SwiftVersion},
		{"strict_cors_mode", true},
		{"policies", []any{orderedMap{{"name", defaultPolicy}, {"aliases", defaultPolicy}, {"default", true}}}},
		{"allow_account_management", s.cfg.AllowAccountManagement},
		{"account_autocreate", s.cfg.AccountAutocreate},
		{"max_file_size", c.MaxFileSize},
		{"max_meta_name_length", c.MaxMetaNameLength},
		{"max_meta_value_length", c.MaxMetaValueLength},
		{"max_meta_count", c.MaxMetaCount},
		{"max_meta_overall_size", c.MaxMetaOverallSize},
		{"max_header_size", c.MaxHeaderSize},
		{"max_object_name_length", c.MaxObjectNameLength},
		{"container_listing_limit", c.ContainerListingLimit},
		{"account_listing_limit", c.AccountListingLimit},
		{"max_account_name_length", c.MaxAccountNameLength},
		{"max_container_name_length", c.MaxContainerNameLength},
		{"valid_api_versions", slices.Clone(c.ValidAPIVersions)},
		{"extra_header_count", c.ExtraHeaderCount},
	}
	// Keys registered for "swift" from outside add to these or replace
	// them, as register_swift_info does.
	extra, _ := s.cfg.InfoSections["swift"].(map[string]any)
	for _, k := range infoKeys(extra) {
		if i := slices.IndexFunc(info, func(kv keyValue) bool { return kv.key == k }); i >= 0 {
			info[i].value = extra[k]
		} else {
			info = append(info, keyValue{k, extra[k]})
		}
	}
	return info
}

// infoDocument is the whole /info object: "swift" first, then the other
// sections by name.
func (s *Server) infoDocument() orderedMap {
	doc := orderedMap{{"swift", s.swiftInfo()}}
	for _, name := range infoKeys(s.cfg.InfoSections) {
		if name == "swift" {
			continue
		}
		doc = append(doc, keyValue{name, s.cfg.InfoSections[name]})
	}
	return doc
}

func infoKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// serveInfo answers /info: GET and HEAD the capabilities, OPTIONS the
// methods.
func (s *Server) serveInfo(w http.ResponseWriter, r *http.Request) {
	const allowed = "GET, HEAD, OPTIONS"
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodOptions:
		w.Header().Set("Allow", allowed)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	default:
		methodNotAllowed(allowed).write(w, r)
		return
	}
	q := r.URL.Query()
	if q.Get("swiftinfo_sig") != "" || q.Get("swiftinfo_expires") != "" {
		// An admin request: Swift refuses them unless admin_key is set.
		newStatusError(http.StatusForbidden).write(w, r)
		return
	}
	body, err := pyJSON{itemSep: ", ", keySep: ": "}.encode(s.infoDocument())
	if err != nil {
		s.log.Error("encoding /info", "err", err)
		newStatusError(http.StatusInternalServerError).write(w, r)
		return
	}
	h := w.Header()
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "x-trans-id")
	}
	h.Set("Content-Type", "application/json; charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodGet {
		_, _ = w.Write(body) // the client may be gone
	}
}
