package tempauth

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// serveAuth answers a request under the auth prefix: Swift's
// TempAuth.handle_request and handle_get_token. The forms accepted, after
// the prefix's first segment (normally "/auth"):
//
//	GET /v1.0 or /auth   X-Auth-User: <account>:<user>  X-Auth-Key: <key>
//	                     (or X-Storage-User / X-Storage-Pass)
//	GET /v1/<account>/auth
//	                     X-Storage-User: <user>  X-Storage-Pass: <key>
//	                     (or X-Auth-User: <account>:<user> / X-Auth-Key)
//
// Success is 200 with X-Auth-Token, X-Storage-Token (the same),
// X-Auth-Token-Expires (seconds left) and X-Storage-Url; bad credentials
// are 401 with a Www-Authenticate challenge.
func (a *Auth) serveAuth(w http.ResponseWriter, r *http.Request) {
	// Swift pops the first segment of the path (the prefix's) and reads
	// the rest.
	path := r.URL.Path
	if i := strings.IndexByte(path[1:], '/'); i >= 0 {
		path = path[i+1:]
	} else {
		path = ""
	}
	if r.Method != http.MethodGet {
		a.tokenDenied(w, r, "bad_request", http.StatusMethodNotAllowed, "")
		return
	}
	segs, ok := splitPath(path, 1, 4)
	if !ok {
		a.tokenDenied(w, r, "bad_request", http.StatusNotFound, "")
		return
	}
	switch segs[0] {
	case "v1", "v1.0", "auth":
	default:
		a.tokenDenied(w, r, "bad_request", http.StatusBadRequest, "")
		return
	}
	segs, _ = splitPath(path, 1, 3)
	h := r.Header
	var account, name, key string
	switch {
	case segs[0] == "v1" && segs[2] == "auth":
		account = segs[1]
		name = h.Get("X-Storage-User")
		if name == "" {
			var acct string
			acct, name, ok = strings.Cut(h.Get("X-Auth-User"), ":")
			if !ok || acct != account {
				a.tokenDenied(w, r, "denied", http.StatusUnauthorized, account)
				return
			}
		}
		key = firstOf(h, "X-Storage-Pass", "X-Auth-Key")
	case segs[0] == "auth" || segs[0] == "v1.0":
		account, name, ok = strings.Cut(firstOf(h, "X-Auth-User", "X-Storage-User"), ":")
		if !ok {
			a.tokenDenied(w, r, "denied", http.StatusUnauthorized, "unknown")
			return
		}
		key = firstOf(h, "X-Auth-Key", "X-Storage-Pass")
	default:
		a.tokenDenied(w, r, "bad_request", http.StatusBadRequest, "")
		return
	}
	if account == "" || name == "" || key == "" {
		realm := account
		if realm == "" {
			realm = "unknown"
		}
		a.tokenDenied(w, r, "denied", http.StatusUnauthorized, realm)
		return
	}
	u, ok := a.users[account+":"+name]
	if !ok {
		a.tokenDenied(w, r, "denied", http.StatusUnauthorized, account)
		return
	}
	if !keysEqual(u.Key, key) {
		a.tokenDenied(w, r, "denied", http.StatusUnauthorized, "unknown")
		return
	}

	now := a.cfg.Now()
	token, expires, reused := a.tokens.issue(u, now)
	result := "issued"
	if reused {
		result = "reused"
	}
	a.metrics.tokens.WithLabelValues(result).Inc()
	a.log.Info("token "+result, "account", u.Account, "user", u.User.User, "remote_addr", r.RemoteAddr)

	url := strings.ReplaceAll(u.url, "$HOST", hostURL(r))
	if s := a.cfg.StorageURLScheme; s != "" {
		if _, rest, ok := strings.Cut(url, ":"); ok {
			url = s + ":" + rest
		}
	}
	wh := w.Header()
	wh.Set("X-Auth-Token", token)
	wh.Set("X-Storage-Token", token)
	wh.Set("X-Auth-Token-Expires", strconv.FormatInt(int64(expires.Sub(now).Seconds()), 10))
	wh.Set("X-Storage-Url", url)
	wh.Set("Content-Type", "text/html; charset=UTF-8")
	wh.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

// tokenDenied answers a failed auth request; a 401 challenges for realm.
func (a *Auth) tokenDenied(w http.ResponseWriter, r *http.Request, result string, status int, realm string) {
	a.metrics.tokens.WithLabelValues(result).Inc()
	a.log.Info("token refused", "status", status, "path", r.URL.EscapedPath(),
		"auth_user", firstOf(r.Header, "X-Auth-User", "X-Storage-User"), "remote_addr", r.RemoteAddr)
	challenge := ""
	if status == http.StatusUnauthorized {
		challenge = `Swift realm="` + realm + `"`
	}
	writeStatus(w, r, status, challenge)
}

// firstOf is the first non-empty value of the headers, in order.
func firstOf(h http.Header, keys ...string) string {
	for _, k := range keys {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}

// hostURL is where the client reached us, as swob's host_url: scheme and
// Host header (the listening address without one), without the scheme's
// default port.
func hostURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		if addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); ok {
			host = addr.String()
		}
	}
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		host = strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		host = strings.TrimSuffix(host, ":443")
	}
	return scheme + "://" + host
}
