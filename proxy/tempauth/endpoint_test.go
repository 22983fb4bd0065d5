package tempauth

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/swiftstatus"
)

func TestAuthEndpoint(t *testing.T) {
	unauthorized := swiftstatus.Body(http.StatusUnauthorized, "")
	tests := []struct {
		name          string
		method, path  string
		host          string
		tls           bool
		header        http.Header
		wantStatus    int
		wantURL       string
		wantChallenge string
	}{
		{name: "X-Auth-User and X-Auth-Key", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test"},
		{name: "X-Storage-User and X-Storage-Pass", path: "/auth/v1.0",
			header:     http.Header{"X-Storage-User": {"test2:tester2"}, "X-Storage-Pass": {"testing2"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test2"},
		{name: "mixed pair", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester3"}, "X-Storage-Pass": {"testing3"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test"},
		{name: "trailing slash", path: "/auth/v1.0/",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test"},
		{name: "/auth/auth", path: "/auth/auth",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test"},
		{name: "account in the path", path: "/auth/v1/test/auth",
			header:     http.Header{"X-Storage-User": {"tester"}, "X-Storage-Pass": {"testing"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_test"},
		{name: "account in the path and X-Auth-User of another", path: "/auth/v1/test/auth",
			header:     http.Header{"X-Auth-User": {"test2:tester2"}, "X-Auth-Key": {"testing2"}},
			wantStatus: 401, wantChallenge: `Swift realm="test"`},
		{name: "explicit storage URL", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"ext:admin"}, "X-Auth-Key": {"extpw"}},
			wantStatus: 200, wantURL: "http://other.example.com:8080/v1/AUTH_elsewhere"},
		{name: "TLS and its default port", path: "/auth/v1.0", host: "secure.example.com:443", tls: true,
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 200, wantURL: "https://secure.example.com/v1/AUTH_test"},
		{name: "HTTP's default port", path: "/auth/v1.0", host: "plain.example.com:80",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 200, wantURL: "http://plain.example.com/v1/AUTH_test"},
		{name: "base64 names", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"under_score:a_b"}, "X-Auth-Key": {"testing4"}},
			wantStatus: 200, wantURL: "http://proxy:8080/v1/AUTH_under_score"},
		{name: "wrong key", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing2"}},
			wantStatus: 401, wantChallenge: `Swift realm="unknown"`},
		{name: "another user's key", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester3"}, "X-Auth-Key": {"testing"}},
			wantStatus: 401, wantChallenge: `Swift realm="unknown"`},
		{name: "unknown user", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:nobody"}, "X-Auth-Key": {"testing"}},
			wantStatus: 401, wantChallenge: `Swift realm="test"`},
		{name: "no key", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester"}},
			wantStatus: 401, wantChallenge: `Swift realm="test"`},
		{name: "no account", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 401, wantChallenge: `Swift realm="unknown"`},
		{name: "no credentials", path: "/auth/v1.0",
			wantStatus: 401, wantChallenge: `Swift realm="unknown"`},
		{name: "keys are case-sensitive", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"TESTING"}},
			wantStatus: 401, wantChallenge: `Swift realm="unknown"`},
		{name: "POST", method: "POST", path: "/auth/v1.0",
			header:     http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}},
			wantStatus: 405},
		{name: "no version", path: "/auth/", wantStatus: 404},
		{name: "unknown version", path: "/auth/v2.0", wantStatus: 400},
		{name: "v1 without auth", path: "/auth/v1/test",
			header:     http.Header{"X-Storage-User": {"tester"}, "X-Storage-Pass": {"testing"}},
			wantStatus: 400},
	}
	e := newTestEnv(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			r := httptest.NewRequest(method, tt.path, nil)
			r.Host = "proxy:8080"
			if tt.host != "" {
				r.Host = tt.host
			}
			if tt.tls {
				r.TLS = &tls.ConnectionState{}
			}
			for k, v := range tt.header {
				r.Header[k] = v
			}
			w := httptest.NewRecorder()
			e.auth.ServeHTTP(w, r)
			if e.next.take() != nil {
				t.Fatalf("the auth request reached the proxy")
			}
			if w.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%s)", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("Www-Authenticate"); got != tt.wantChallenge {
				t.Errorf("Www-Authenticate = %q, want %q", got, tt.wantChallenge)
			}
			if got := w.Header().Get("X-Storage-Url"); got != tt.wantURL {
				t.Errorf("X-Storage-Url = %q, want %q", got, tt.wantURL)
			}
			if tt.wantStatus == http.StatusUnauthorized && w.Body.String() != unauthorized {
				t.Errorf("body = %q, want Swift's %q", w.Body, unauthorized)
			}
			if tt.wantStatus != http.StatusOK {
				if tok := w.Header().Get("X-Auth-Token"); tok != "" {
					t.Errorf("X-Auth-Token = %q on a failure", tok)
				}
				return
			}
			tok := w.Header().Get("X-Auth-Token")
			if !regexp.MustCompile(`^AUTH_tk[0-9a-f]{32}$`).MatchString(tok) {
				t.Errorf("X-Auth-Token = %q, want AUTH_tk and 32 hex digits", tok)
			}
			if got := w.Header().Get("X-Storage-Token"); got != tok {
				t.Errorf("X-Storage-Token = %q, want the X-Auth-Token %q", got, tok)
			}
			if got := w.Header().Get("X-Auth-Token-Expires"); got == "" {
				t.Errorf("no X-Auth-Token-Expires")
			}
			if got := w.Header().Get("Content-Length"); got != "0" || w.Body.Len() != 0 {
				t.Errorf("Content-Length %q, body %q: want an empty body", got, w.Body)
			}
		})
	}
}

// TestTokenLifecycle: the same user gets its token back while it lives,
// with the seconds left; an expired token is refused at once and
// forgotten, and the next login makes a new one.
func TestTokenLifecycle(t *testing.T) {
	e := newTestEnv(t, Config{TokenLife: time.Hour})
	login := func() (token, expires string) {
		t.Helper()
		w := e.do("GET", "/auth/v1.0", http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"testing"}})
		if w.Code != http.StatusOK {
			t.Fatalf("login: %d", w.Code)
		}
		return w.Header().Get("X-Auth-Token"), w.Header().Get("X-Auth-Token-Expires")
	}
	use := func(token string) int {
		t.Helper()
		w := e.do("HEAD", "/v1/AUTH_test", http.Header{"X-Auth-Token": {token}})
		if r := e.next.take(); r != nil {
			if IdentityFrom(r.Context()) == nil {
				t.Fatalf("token %s passed without an identity", token)
			}
		}
		return w.Code
	}

	tok1, exp := login()
	if exp != "3600" {
		t.Errorf("X-Auth-Token-Expires = %s, want 3600", exp)
	}
	e.clock.Advance(10 * time.Minute)
	tok2, exp := login()
	if tok2 != tok1 || exp != "3000" {
		t.Errorf("second login = %s (expires %s), want the first token %s with 3000 s left", tok2, exp, tok1)
	}
	// Another user gets its own token.
	if other := e.login(t, "test:tester3", "testing3"); other == tok1 {
		t.Errorf("test:tester3 got test:tester's token")
	}
	if code := use(tok1); code != http.StatusOK {
		t.Errorf("live token: %d, want 200", code)
	}

	e.clock.Advance(50*time.Minute - time.Nanosecond)
	if code := use(tok1); code != http.StatusOK {
		t.Errorf("token 1ns before expiry: %d, want 200", code)
	}
	e.clock.Advance(time.Nanosecond)
	if code := use(tok1); code != http.StatusUnauthorized {
		t.Errorf("expired token: %d, want 401", code)
	}
	if n := e.auth.tokens.len(); n != 1 {
		t.Errorf("%d tokens held after the expired one was refused, want 1 (test:tester3's)", n)
	}
	tok3, exp := login()
	if tok3 == tok1 || exp != "3600" {
		t.Errorf("login after expiry = %s (expires %s), want a new token with 3600 s", tok3, exp)
	}
	if code := use(tok1); code != http.StatusUnauthorized {
		t.Errorf("old token after a new login: %d, want 401", code)
	}
	if code := use(tok3); code != http.StatusOK {
		t.Errorf("new token: %d, want 200", code)
	}
}

// TestTokenStoreBounded: logins over many token lives never hold more
// tokens than there are users.
func TestTokenStoreBounded(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers(), TokenLife: time.Minute})
	for range 20 {
		for _, u := range StandardUsers() {
			e.login(t, u.Name(), u.Key)
		}
		e.clock.Advance(90 * time.Second)
	}
	if n, max := e.auth.tokens.len(), len(StandardUsers()); n > max {
		t.Errorf("%d tokens held, want at most %d", n, max)
	}
}

func TestTokenPrefixAndStorageURLScheme(t *testing.T) {
	e := newTestEnv(t, Config{ResellerPrefix: "SWIFT", StorageURLScheme: "https",
		Users: []User{{Account: "a", User: "u", Key: "k", Groups: []string{".admin"}}}})
	w := e.do("GET", "/auth/v1.0", http.Header{"X-Auth-User": {"a:u"}, "X-Auth-Key": {"k"}})
	if tok := w.Header().Get("X-Auth-Token"); !strings.HasPrefix(tok, "SWIFT_tk") {
		t.Errorf("token %q, want the prefix SWIFT_tk", tok)
	}
	if got, want := w.Header().Get("X-Storage-Url"), "https://example.com/v1/SWIFT_a"; got != want {
		t.Errorf("X-Storage-Url = %q, want %q", got, want)
	}
}

// TestHostFromListener: without a Host (HTTP/1.0) the storage URL names the
// address the request came in on.
func TestHostFromListener(t *testing.T) {
	e := newTestEnv(t, Config{})
	srv := httptest.NewServer(e.auth)
	t.Cleanup(srv.Close)
	req, err := http.NewRequest("GET", srv.URL+"/auth/v1.0", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Auth-User", "test:tester")
	req.Header.Set("X-Auth-Key", "testing")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.Header.Get("X-Storage-Url"), srv.URL+"/v1/AUTH_test"; got != want {
		t.Errorf("X-Storage-Url = %q, want %q", got, want)
	}
	r := httptest.NewRequest("GET", "/auth/v1.0", nil)
	r.Host = ""
	r = r.WithContext(contextWithLocalAddr(r, "10.1.2.3:8080"))
	if got, want := hostURL(r), "http://10.1.2.3:8080"; got != want {
		t.Errorf("hostURL without Host = %q, want %q", got, want)
	}
}

func contextWithLocalAddr(r *http.Request, addr string) context.Context {
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		panic(err)
	}
	return context.WithValue(r.Context(), http.LocalAddrContextKey, a)
}

// TestMetrics: logins, refusals and live tokens are counted in the
// registry given; a second middleware on the same registry is an error.
func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := newTestEnv(t, Config{Users: StandardUsers(), Registerer: reg})
	e.login(t, "test:tester", "testing")
	e.login(t, "test:tester", "testing")
	e.do("GET", "/auth/v1.0", http.Header{"X-Auth-User": {"test:tester"}, "X-Auth-Key": {"nope"}})
	e.do("GET", "/v1/AUTH_test", http.Header{"X-Auth-Token": {"AUTH_tkbogus"}})
	for name, want := range map[string]float64{
		`swiftlet_tempauth_token_requests_total{result="issued"}`: 1,
		`swiftlet_tempauth_token_requests_total{result="reused"}`: 1,
		`swiftlet_tempauth_token_requests_total{result="denied"}`: 1,
		`swiftlet_tempauth_denials_total{status="401"}`:           1,
		`swiftlet_tempauth_tokens`:                                1,
	} {
		if got := metricValue(t, reg, name); got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	if _, err := New(nil, Config{Registerer: reg}); err == nil {
		t.Errorf("a second middleware registered its metrics in the same registry")
	}
}

// metricValue finds one sample, named as in the text format.
func metricValue(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			id := f.GetName()
			if len(m.GetLabel()) > 0 {
				var labels []string
				for _, l := range m.GetLabel() {
					labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
				}
				id += "{" + strings.Join(labels, ",") + "}"
			}
			if id != name {
				continue
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}
