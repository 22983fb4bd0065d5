package tempauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/swiftlet/swiftlet/proxy/tempauth"
)

// A proxy behind tempauth with Swift's all-in-one users: log in, then use
// the token. (proxy.Server asks the Authorizer the middleware attached once
// it knows a request's target; this stand-in only says whom it serves.)
func Example() {
	var fakeProxy http.HandlerFunc = func(w http.ResponseWriter, r *http.Request) {
		who := "anonymous"
		if id := tempauth.IdentityFrom(r.Context()); id != nil {
			who = id.Name()
		}
		fmt.Fprintf(w, "%s for %s", r.URL.Path, who)
	}
	cfg := tempauth.DefaultConfig()
	cfg.Users = tempauth.StandardUsers()
	auth, err := tempauth.New(fakeProxy, cfg)
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(auth)
	defer srv.Close()

	req, _ := http.NewRequest("GET", srv.URL+"/auth/v1.0", nil)
	req.Header.Set("X-Auth-User", "test:tester")
	req.Header.Set("X-Auth-Key", "testing")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	token, storage := resp.Header.Get("X-Auth-Token"), resp.Header.Get("X-Storage-Url")
	fmt.Println(resp.StatusCode, strings.TrimPrefix(storage, srv.URL))

	for _, token := range []string{token, "AUTH_tkexpired", ""} {
		req, _ := http.NewRequest("GET", storage+"/photos", nil)
		if token != "" {
			req.Header.Set("X-Auth-Token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			body = []byte(resp.Header.Get("Www-Authenticate"))
		}
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 /v1/AUTH_test
	// 200 /v1/AUTH_test/photos for test:tester
	// 401 Swift realm="AUTH_test"
	// 200 /v1/AUTH_test/photos for anonymous
}
