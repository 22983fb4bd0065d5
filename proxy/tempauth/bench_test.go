package tempauth

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/swiftlet/swiftlet/proxy"
)

// BenchmarkRequest is the middleware's cost on every Swift request: find
// the token's identity, attach the authorizer, and (as the proxy would)
// decide for an object GET allowed by an ACL naming the user.
func BenchmarkRequest(b *testing.B) {
	var got *authorizer
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Context().Value(authorizerKey{}).(*authorizer)
	})
	a, err := New(next, Config{Users: StandardUsers()})
	if err != nil {
		b.Fatal(err)
	}
	w := httptest.NewRecorder()
	login := httptest.NewRequest("GET", "/auth/v1.0", nil)
	login.Header.Set("X-Auth-User", "test2:tester2")
	login.Header.Set("X-Auth-Key", "testing2")
	a.ServeHTTP(w, login)
	r := httptest.NewRequest("GET", "/v1/AUTH_test/c/o", nil)
	r.Header.Set("X-Auth-Token", w.Header().Get("X-Auth-Token"))
	target := proxy.Target{Account: "AUTH_test", Container: "c", Object: "o", Method: "GET",
		ReadACL: ".r:.example.com,test:tester3,test2:tester2"}
	b.ReportAllocs()
	for b.Loop() {
		a.ServeHTTP(w, r)
		if _, err := got.Authorize(r, target); err != nil {
			b.Fatal(err)
		}
	}
}
