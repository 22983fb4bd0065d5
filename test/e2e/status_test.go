package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Bad requests get Swift's status codes, and none of them writes
// anything: names and metadata over the limits (400), no length (411),
// an unsatisfiable Range (416), failed preconditions (412), no or a bad
// token (401), another account's container (403).
func TestBadRequestStatuses(t *testing.T) {
	cluster := sharedSAIO(t)
	tester := login(t, cluster.url, "test:tester", "testing")
	cont := tester.url + "/statuses"
	resp, body := tester.do(t, "PUT", cont, nil, nil)
	mustStatus(t, "container PUT", resp, body, http.StatusCreated)
	resp, body = tester.do(t, "PUT", cont+"/o", strings.NewReader("0123456789"), map[string]string{"Content-Type": "text/plain"})
	mustStatus(t, "object PUT", resp, body, http.StatusCreated)
	etag := resp.Header.Get("Etag")
	lastModified := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)

	tooManyMeta := map[string]string{}
	for i := range 91 {
		tooManyMeta[fmt.Sprintf("X-Object-Meta-M%d", i)] = "v"
	}
	for _, tc := range []struct {
		name   string
		method string
		object string // under the container; "" for the container
		body   string
		header map[string]string
		want   int
		// written: a rejected write must leave this object absent.
		written string
	}{
		{"object name too long", "PUT", strings.Repeat("n", 1025), "x", nil, 400, ""},
		{"object name at the limit", "PUT", strings.Repeat("n", 1024), "x", nil, 201, ""},
		{"too many metadata items", "PUT", "meta-count", "x", tooManyMeta, 400, "meta-count"},
		{"metadata name too long", "PUT", "meta-name", "x", map[string]string{"X-Object-Meta-" + strings.Repeat("k", 129): "v"}, 400, "meta-name"},
		{"metadata value too long", "PUT", "meta-value", "x", map[string]string{"X-Object-Meta-K": strings.Repeat("v", 257)}, 400, "meta-value"},
		{"metadata too large overall", "PUT", "meta-size", "x", bigMeta(), 400, "meta-size"},
		{"too much metadata on POST", "POST", "o", "", tooManyMeta, 400, ""},
		{"wrong ETag", "PUT", "bad-etag", "x", map[string]string{"Etag": "00000000000000000000000000000000"}, 422, "bad-etag"},
		{"Range past the end", "GET", "o", "", map[string]string{"Range": "bytes=100-200"}, 416, ""},
		{"If-Match another ETag", "GET", "o", "", map[string]string{"If-Match": `"nope"`}, 412, ""},
		{"If-Unmodified-Since before the write", "GET", "o", "", map[string]string{"If-Unmodified-Since": lastModified}, 412, ""},
		{"If-None-Match * on an existing object", "PUT", "o", "y", map[string]string{"If-None-Match": "*"}, 412, ""},
		{"If-None-Match its ETag", "GET", "o", "", map[string]string{"If-None-Match": etag}, 304, ""},
		{"If-Match its ETag", "GET", "o", "", map[string]string{"If-Match": etag}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.body != "" {
				body = strings.NewReader(tc.body)
			}
			resp, data := tester.do(t, tc.method, cont+"/"+url.PathEscape(tc.object), body, tc.header)
			if resp.StatusCode != tc.want {
				t.Errorf("%s = %d %q, want %d", tc.method, resp.StatusCode, truncate(data), tc.want)
			}
			if tc.written != "" {
				resp, _ := tester.do(t, "HEAD", cont+"/"+url.PathEscape(tc.written), nil, nil)
				if resp.StatusCode != http.StatusNotFound {
					t.Errorf("HEAD after the rejected write = %d, want 404", resp.StatusCode)
				}
			}
		})
	}
	// The object the refused PUT with If-None-Match: * aimed at is unchanged.
	resp, body = tester.do(t, "GET", cont+"/o", nil, nil)
	if resp.StatusCode != 200 || string(body) != "0123456789" {
		t.Errorf("GET o = %d %q, want the first write", resp.StatusCode, body)
	}

	t.Run("no Content-Length", func(t *testing.T) {
		// Go's client always sends a length or chunks; speak HTTP by hand.
		u, _ := url.Parse(cont + "/no-length")
		status := rawRequest(t, u.Host, fmt.Sprintf("PUT %s HTTP/1.1\r\nHost: %s\r\nX-Auth-Token: %s\r\nConnection: close\r\n\r\n",
			u.EscapedPath(), u.Host, tester.token))
		if status != http.StatusLengthRequired {
			t.Errorf("PUT without Content-Length or chunking = %d, want 411", status)
		}
		if resp, _ := tester.do(t, "HEAD", cont+"/no-length", nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("HEAD after it = %d, want 404", resp.StatusCode)
		}
	})

	t.Run("unauthenticated", func(t *testing.T) {
		for _, s := range []session{{}, {token: "AUTH_tk00000000000000000000000000000000"}} {
			for _, u := range []string{tester.url, cont, cont + "/o"} {
				if resp, _ := s.do(t, "GET", u, nil, nil); resp.StatusCode != http.StatusUnauthorized {
					t.Errorf("GET %s with token %q = %d, want 401", u, s.token, resp.StatusCode)
				}
			}
			if resp, _ := s.do(t, "PUT", cont+"/anon", strings.NewReader("x"), nil); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("PUT with token %q = %d, want 401", s.token, resp.StatusCode)
			}
		}
		bad, _ := http.NewRequest("GET", cluster.url+"/auth/v1.0", nil)
		bad.Header.Set("X-Auth-User", "test:tester")
		bad.Header.Set("X-Auth-Key", "wrong")
		resp, err := http.DefaultClient.Do(bad)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("login with a wrong key = %d, want 401", resp.StatusCode)
		}
	})

	t.Run("another account", func(t *testing.T) {
		other := login(t, cluster.url, "test2:tester2", "testing2")
		for _, m := range []string{"GET", "HEAD", "POST", "DELETE"} {
			if resp, _ := other.do(t, m, cont+"/o", nil, nil); resp.StatusCode != http.StatusForbidden {
				t.Errorf("test2:tester2 %s of AUTH_test's object = %d, want 403", m, resp.StatusCode)
			}
		}
		if resp, _ := other.do(t, "GET", cont, nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("test2:tester2 listing AUTH_test's container = %d, want 403", resp.StatusCode)
		}
		if resp, _ := other.do(t, "PUT", cont+"/intruder", strings.NewReader("x"), nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("test2:tester2 PUT into AUTH_test's container = %d, want 403", resp.StatusCode)
		}
		if resp, _ := tester.do(t, "HEAD", cont+"/intruder", nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("HEAD of the refused write = %d, want 404", resp.StatusCode)
		}
		// A user of the same account without .admin needs an ACL too.
		reader := login(t, cluster.url, "test:tester3", "testing3")
		if resp, _ := reader.do(t, "GET", cont+"/o", nil, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("test:tester3 (not an admin) GET without an ACL = %d, want 403", resp.StatusCode)
		}
	})

	// Of all the writes above, only the two that were allowed happened.
	checkListing(t, tester, cont, strings.Repeat("n", 1024), "o")
}

// checkListing checks that a container lists exactly the given names.
func checkListing(t *testing.T, s session, cont string, want ...string) {
	t.Helper()
	resp, body := s.do(t, "GET", cont+"?format=json", nil, nil)
	mustStatus(t, "container listing", resp, body, http.StatusOK)
	var entries []struct{ Name string }
	jsonBody(t, body, &entries)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("the container lists %q, want %q", got, want)
	}
}

// bigMeta is metadata within the per-item limits but over 4096 bytes in
// all.
func bigMeta() map[string]string {
	h := map[string]string{}
	for i := range 20 {
		h[fmt.Sprintf("X-Object-Meta-Key%02d", i)] = strings.Repeat("v", 250)
	}
	return h
}

// rawRequest sends a hand-written HTTP request and returns the status.
func rawRequest(t *testing.T, host, request string) int {
	t.Helper()
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // a fresh connection accepts deadlines
	if _, err := conn.Write([]byte(request)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
