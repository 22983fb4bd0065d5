package tempauth

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/iniconf"
	"github.com/swiftlet/swiftlet/proxy"
)

// testUsers are the users testdata/gen_golden.py gives Swift: the SAIO
// ones and a few more.
const testUsers = `
[tempauth]
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin
user_test5_tester5 = testing5 service
user_reader_reader = reading .reseller_reader
user_ext_admin = extpw .admin http://other.example.com:8080/v1/AUTH_elsewhere
user64_dW5kZXJfc2NvcmU_YV9i = testing4 .admin
`

// fakeClock is a settable clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recorder is the fake proxy behind the middleware: it remembers the
// request it was handed and answers 200 "proxied".
type recorder struct {
	mu   sync.Mutex
	last *http.Request
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.last = r
	rec.mu.Unlock()
	_, _ = w.Write([]byte("proxied"))
}

// take returns the last request the proxy saw, and forgets it.
func (rec *recorder) take() *http.Request {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	r := rec.last
	rec.last = nil
	return r
}

type testEnv struct {
	auth  *Auth
	clock *fakeClock
	next  *recorder
}

// newTestEnv is a middleware with testUsers (overridden by cfg's if any)
// on a fake clock, logging into the test.
func newTestEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	if cfg.Users == nil {
		f, err := iniconf.Parse(strings.NewReader(testUsers))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Users, err = ParseUsers(f["tempauth"]); err != nil {
			t.Fatal(err)
		}
	}
	env := &testEnv{clock: newFakeClock(), next: &recorder{}}
	if cfg.Now == nil {
		cfg.Now = env.clock.Now
	}
	cfg.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := New(env.next, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	env.auth = a
	return env
}

// do sends a request through the middleware.
func (e *testEnv) do(method, path string, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.auth.ServeHTTP(w, r)
	return w
}

// login gets a token for login ("account:user").
func (e *testEnv) login(t *testing.T, login, key string) string {
	t.Helper()
	w := e.do("GET", "/auth/v1.0", http.Header{"X-Auth-User": {login}, "X-Auth-Key": {key}})
	if w.Code != http.StatusOK {
		t.Fatalf("login %s: %d %s", login, w.Code, w.Body)
	}
	return w.Header().Get("X-Auth-Token")
}

// passed sends a request through the middleware and returns the
// authorizer the proxy got with it; nil if the middleware answered
// itself, in which case the answer is returned.
func (e *testEnv) passed(t *testing.T, method, path string, header http.Header) (*http.Request, *authorizer, *httptest.ResponseRecorder) {
	t.Helper()
	w := e.do(method, path, header)
	r := e.next.take()
	if r == nil {
		return nil, nil, w
	}
	z, ok := r.Context().Value(authorizerKey{}).(*authorizer)
	if !ok {
		t.Fatalf("%s %s: the proxy got no authorizer", method, path)
	}
	return r, z, w
}

// grantOrStatus runs Authorize and folds its answer into a status: 0 for
// a grant, else the error's status.
func grantOrStatus(t *testing.T, z *authorizer, r *http.Request, tg proxy.Target) (proxy.Grant, int, http.Header) {
	t.Helper()
	g, err := z.Authorize(r, tg)
	if err == nil {
		return g, 0, nil
	}
	se, ok := err.(*proxy.StatusError)
	if !ok {
		t.Fatalf("Authorize(%+v) = %v, want a *proxy.StatusError", tg, err)
	}
	return g, se.Status, se.Header
}
