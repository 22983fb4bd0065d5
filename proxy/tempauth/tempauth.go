package tempauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/swiftstatus"
	"github.com/swiftlet/swiftlet/proxy"
)

// Auth is the tempauth middleware: an http.Handler that serves tokens
// under the auth prefix and hands every other request to the next handler
// with a proxy.Authorizer attached. Safe for concurrent use.
type Auth struct {
	next    http.Handler
	cfg     Config
	log     *slog.Logger
	metrics *metrics
	users   map[string]*user // by "account:user"
	tokens  *tokenStore
}

var _ http.Handler = (*Auth)(nil)

// user is a configured User with what Swift derives from it once.
type user struct {
	User
	url       string   // storage URL, "$HOST" not yet replaced
	accountID string   // the URL's last segment: the account .admin owns
	groups    []string // Swift's group list (see Identity.Groups)
}

// Identity is who a token or an S3 access key stands for.
type Identity struct {
	// Account and User: the login "account:user".
	Account, User string
	// AccountID is the account the user's storage URL names (AUTH_test
	// for test:tester): what "the user's account" means to the S3 layer.
	AccountID string
	// Groups are Swift's: the account ("test"), the login
	// ("test:tester"), then the configured groups, except that ".admin"
	// is replaced by the accounts it owns ("AUTH_test" and AccountID).
	// ACLs grant to any of them.
	Groups []string
}

// Name is the identity's "account:user".
func (id *Identity) Name() string { return id.Account + ":" + id.User }

func (id *Identity) has(group string) bool { return slices.Contains(id.Groups, group) }

// New returns the middleware in front of next (the proxy). A nil next
// answers 404 to everything but the auth endpoint.
func New(next http.Handler, cfg Config) (*Auth, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if next == nil {
		next = http.NotFoundHandler()
	}
	a := &Auth{
		next:   next,
		cfg:    cfg,
		log:    cfg.Logger.With("component", "tempauth"),
		users:  map[string]*user{},
		tokens: newTokenStore(cfg.ResellerPrefix, cfg.TokenLife),
	}
	for _, u := range cfg.Users {
		a.users[u.Name()] = a.newUser(u)
	}
	reg := cfg.Registerer
	if reg == nil {
		reg = prometheus.NewRegistry()
	}
	m, err := newMetrics(reg, a.tokens)
	if err != nil {
		return nil, err
	}
	a.metrics = m
	return a, nil
}

// newUser derives a user's storage URL, account and groups as Swift's
// TempAuth.__init__ and _get_user_groups do.
func (a *Auth) newUser(cu User) *user {
	u := &user{User: cu, url: cu.StorageURL}
	if u.url == "" {
		u.url = "$HOST/v1/" + a.cfg.ResellerPrefix + pyQuote(cu.Account)
	}
	u.accountID = u.url[strings.LastIndexByte(u.url, '/')+1:]
	groups := append([]string{cu.Account, cu.Name()}, cu.Groups...)
	if i := slices.Index(groups, ".admin"); i >= 0 {
		groups = slices.Delete(groups, i, i+1)
		groups = append(groups, a.cfg.ResellerPrefix+cu.Account)
		if !slices.Contains(groups, u.accountID) {
			groups = append(groups, u.accountID)
		}
	}
	// Swift hands the groups on as one comma-separated string (REMOTE_USER).
	u.groups = strings.Split(strings.Join(groups, ","), ",")
	return u
}

func (u *user) identity() *Identity {
	return &Identity{Account: u.Account, User: u.User.User, AccountID: u.accountID, Groups: slices.Clone(u.groups)}
}

// Secret returns the identity and secret key of an S3 access key, which is
// a tempauth login "account:user"; ok is false for an unknown key. The
// caller verifies the request's signature with the secret and then
// attaches Authorizer(id) to the request.
func (a *Auth) Secret(accessKey string) (id *Identity, secret string, ok bool) {
	u, ok := a.users[accessKey]
	if !ok {
		return nil, "", false
	}
	return u.identity(), u.Key, true
}

// Authorizer returns the proxy.Authorizer for requests made by id (nil:
// an anonymous client), for front-ends that authenticate by other means
// than a token (the S3 layer).
func (a *Auth) Authorizer(id *Identity) proxy.Authorizer {
	return &authorizer{auth: a, id: id}
}

// InfoSections returns what tempauth publishes at GET /info. Account ACLs
// (X-Account-Access-Control) are not supported: see the package doc.
func (a *Auth) InfoSections() map[string]any {
	return map[string]any{"tempauth": map[string]any{"account_acls": false}}
}

// ServeHTTP implements http.Handler, as Swift's TempAuth.__call__.
func (a *Auth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, a.cfg.AuthPrefix) {
		a.serveAuth(w, r)
		return
	}
	authz := &authorizer{auth: a}
	token := requestToken(r.Header)
	switch {
	case token != "" && strings.HasPrefix(token, a.cfg.ResellerPrefix):
		id, ok := a.identify(token, r.Header.Get("X-Service-Token"))
		if !ok {
			// This middleware is the authority for its tokens: an
			// unknown or expired one is refused outright.
			a.metrics.denials.WithLabelValues("401").Inc()
			// Info: the proxy never sees, so never logs, this request.
			a.log.Info("invalid or expired token", "method", r.Method, "path", r.URL.EscapedPath(), "remote_addr", r.RemoteAddr)
			realm := "unknown"
			if segs, ok := splitPath(r.URL.Path, 2, 3); ok {
				realm = segs[1]
			}
			writeStatus(w, r, http.StatusUnauthorized, `Swift realm="`+realm+`"`)
			return
		}
		authz.id = id
	case a.definitive(r.URL.Path):
		// Anonymous, in an account of ours: ACLs may allow it.
	default:
		// Not our token and not our account: nobody else will
		// authorize it either (Swift's denied_response).
		authz.denyAll = true
	}
	ctx := context.WithValue(proxy.WithAuthorizer(r.Context(), authz), authorizerKey{}, authz)
	a.next.ServeHTTP(w, r.WithContext(ctx))
}

type authorizerKey struct{}

// IdentityFrom returns who the middleware found a request to come from:
// the identity of its token, or nil for an anonymous client (and for
// requests that did not pass through the middleware). A layer behind it
// that authenticates otherwise (S3) attaches its own Authorizer; this
// still reports what the token said.
func IdentityFrom(ctx context.Context) *Identity {
	if z, ok := ctx.Value(authorizerKey{}).(*authorizer); ok {
		return z.id
	}
	return nil
}

// requestToken is the request's X-Auth-Token, or X-Storage-Token when it
// has none (an empty X-Auth-Token counts as given).
func requestToken(h http.Header) string {
	if v, ok := h["X-Auth-Token"]; ok {
		return strings.Join(v, ",")
	}
	return strings.Join(h["X-Storage-Token"], ",")
}

// identify returns who a token stands for, with the groups of a valid
// service token (X-Service-Token) added.
func (a *Auth) identify(token, serviceToken string) (*Identity, bool) {
	now := a.cfg.Now()
	u, ok := a.tokens.get(token, now)
	if !ok {
		return nil, false
	}
	id := u.identity()
	if serviceToken != "" {
		if su, ok := a.tokens.get(serviceToken, now); ok {
			id.Groups = append(id.Groups, su.groups...)
		}
	}
	return id, true
}

// definitive reports whether the path names an account under the reseller
// prefix, which makes this middleware its only authority.
func (a *Auth) definitive(path string) bool {
	segs, ok := splitPath(path, 1, 3)
	return ok && segs[1] != "" && strings.HasPrefix(segs[1], a.cfg.ResellerPrefix)
}

// keysEqual compares a configured key with a client's in constant time:
// hashing first hides the length too.
func keysEqual(want, got string) bool {
	w, g := sha256.Sum256([]byte(want)), sha256.Sum256([]byte(got))
	return subtle.ConstantTimeCompare(w[:], g[:]) == 1
}

// writeStatus answers with Swift's default body for status, and its
// Www-Authenticate challenge if given.
func writeStatus(w http.ResponseWriter, r *http.Request, status int, challenge string) {
	body := swiftstatus.Body(status, "")
	if challenge != "" {
		w.Header().Set("Www-Authenticate", challenge)
	}
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	if r.Method == http.MethodHead {
		body = ""
	}
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body)) // the client may be gone; nothing to do about it
}

// splitPath is Swift's split_path(path, minsegs, maxsegs, True): the
// path's segments, the last one taking the rest, padded with "" to
// maxsegs; ok is false where Swift raises ValueError (no leading "/", too
// few segments, or an empty one among the first minsegs).
func splitPath(path string, minsegs, maxsegs int) ([]string, bool) {
	segs := strings.SplitN(path, "/", maxsegs+1)
	if segs[0] != "" || len(segs) < minsegs+1 || slices.Contains(segs[1:minsegs+1], "") {
		return nil, false
	}
	segs = segs[1:]
	for len(segs) < maxsegs {
		segs = append(segs, "")
	}
	return segs, true
}

// pyQuote is Python's urllib.parse.quote(s) with its default safe "/".
func pyQuote(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isASCIILetter(c) || '0' <= c && c <= '9' || strings.IndexByte("_.-~/", c) >= 0 {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}
