package objectserver_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// putRows creates container account/c on sda1 partition 2 with the named
// rows.
func putRows(t *testing.T, n *node, account string, names ...string) {
	t.Helper()
	wantStatus(t, "container PUT", do(t, n.container, "PUT", "/sda1/2/"+account+"/c", hdr("X-Timestamp", ts(0)), nil), 201)
	for i, name := range names {
		r := do(t, n.container, "PUT", "/sda1/2/"+account+"/c/"+url.PathEscape(name),
			hdr("X-Timestamp", ts(float64(i+1)), "X-Size", "1", "X-Content-Type", "a/b", "X-Etag", "e"), nil)
		wantStatus(t, "row PUT "+name, r, 201)
	}
}

func TestContainerListingFilters(t *testing.T) {
	n := newNode(t)
	// A hidden account: only there may reserved and user names mix.
	putRows(t, n, ".a", "\x00v1", "\x00v2", "\x00v3", "a", "b", "c", "d/x", "d/y/z", "d/y/")
	tests := []struct {
		query  string
		header []string
		want   string
	}{
		// Reserved names are hidden, and the page is still full.
		{"limit=2", nil, "a\nb\n"},
		{"limit=2&reverse=on", nil, "d/y/z\nd/y/\n"},
		{"limit=3", []string{"X-Backend-Allow-Reserved-Names", "true"}, "\x00v1\n\x00v2\n\x00v3\n"},
		{"limit=4&reverse=true", nil, "d/y/z\nd/y/\nd/x\nc\n"},
		{"delimiter=/&limit=4", nil, "a\nb\nc\nd/\n"},
		// path: what is directly below, and objects named like a directory
		// there, filled page by page.
		{"path=d&limit=1", nil, "d/x\n"},
		{"path=d&limit=2", nil, "d/x\nd/y/\n"},
		{"path=d/&limit=10&reverse=1", nil, "d/y/\nd/x\n"},
		{"path=d/y", nil, "d/y/z\n"},
		{"path=nothing", nil, ""},
	}
	for _, tt := range tests {
		r := do(t, n.container, "GET", "/sda1/2/.a/c?"+tt.query, hdr(tt.header...), nil)
		if r.body != tt.want {
			t.Errorf("GET ?%s %v = %d %q, want %q", tt.query, tt.header, r.status, r.body, tt.want)
		}
	}
}

func TestContainerListingPages(t *testing.T) {
	n := newNode(t)
	var names []string
	for i := range 25 {
		names = append(names, fmt.Sprintf("o%02d", i))
	}
	putRows(t, n, "a", names...)
	var got []string
	marker := ""
	for {
		r := do(t, n.container, "GET", "/sda1/2/a/c?limit=10&marker="+marker, nil, nil)
		if r.status == 204 {
			break
		}
		page := strings.Split(strings.TrimSuffix(r.body, "\n"), "\n")
		if len(page) > 10 {
			t.Fatalf("page of %d > limit", len(page))
		}
		got = append(got, page...)
		marker = page[len(page)-1]
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("paged listing = %v, want %v", got, names)
	}
	if r := do(t, n.container, "HEAD", "/sda1/2/a/c", nil, nil); r.header.Get("X-Container-Object-Count") != "25" || r.header.Get("X-Container-Bytes-Used") != "25" {
		t.Errorf("HEAD counts = %s objects, %s bytes", r.header.Get("X-Container-Object-Count"), r.header.Get("X-Container-Bytes-Used"))
	}
}

func TestContainerErrors(t *testing.T) {
	n := newNode(t)
	putRows(t, n, "a", "o")
	n.devs.setDown("sdb1", true)
	tests := []struct {
		method, path string
		header       []string
		wantStatus   int
		wantBody     string
	}{
		{"GET", "/sda1/2/a/c?delimiter=ab", nil, 412, "Bad delimiter"},
		{"GET", "/sda1/2/a/c?delimiter=%FF", nil, 400, `"delimiter" parameter not valid UTF-8`},
		{"GET", "/sda1/2/a/c", []string{"X-Backend-Storage-Policy-Index", "2"}, 400, "Invalid X-Backend-Storage-Policy-Index 2"},
		{"GET", "/sdb1/2/a/c", nil, 507, ""},
		{"HEAD", "/sda1/2/a/c", []string{"Accept", "image/png"}, 406, ""},
		{"PUT", "/sda1/2/a/c/o2", []string{"X-Timestamp", ts(9), "X-Content-Type", "a/b", "X-Etag", "e"}, 400, "Invalid X-Size header"},
		{"PUT", "/sda1/2/a/c/o2", []string{"X-Timestamp", ts(9), "X-Size", "-1", "X-Content-Type", "a/b", "X-Etag", "e"}, 400, "Invalid X-Size header"},
		{"PUT", "/sda1/2/a/c/o2", []string{"X-Timestamp", ts(9), "X-Size", "1"}, 400, "Missing X-Content-Type or X-Etag header"},
		{"PUT", "/sda1/2/a/c/o2", []string{"X-Size", "1", "X-Content-Type", "a/b", "X-Etag", "e"}, 400, "Missing X-Timestamp header"},
		{"PUT", "/sda1/2/a/" + strings.Repeat("c", 257), []string{"X-Timestamp", ts(9)}, 400, "Container name length of 257 longer than 256"},
		{"POST", "/sda1/2/a/c/o", []string{"X-Timestamp", ts(9)}, 400, "Invalid path: /sda1/2/a/c/o"},
		{"PUT", "/sda1/2/a/c", []string{"X-Timestamp", ts(9), "X-Container-Meta-" + strings.Repeat("k", 4000), "v" + strings.Repeat("v", 100)},
			400, "Total metadata too large; max 4096"},
		{"REPLICATE", "/sda1/2/a/c", nil, 405, ""},
	}
	for _, tt := range tests {
		r := do(t, n.container, tt.method, tt.path, hdr(tt.header...), nil)
		if r.status != tt.wantStatus || (tt.wantBody != "" && r.body != tt.wantBody) {
			t.Errorf("%s %.40s %v = %d %q, want %d %q", tt.method, tt.path, tt.header, r.status, r.body, tt.wantStatus, tt.wantBody)
		}
	}
	// Ninety metadata items fit, the ninety-first does not.
	h := hdr("X-Timestamp", ts(10))
	for i := range 90 {
		h.Set(fmt.Sprintf("X-Container-Meta-K%d", i), "v")
	}
	wantStatus(t, "POST of 90 items", do(t, n.container, "POST", "/sda1/2/a/c", h, nil), 204)
	r := do(t, n.container, "POST", "/sda1/2/a/c", hdr("X-Timestamp", ts(11), "X-Container-Meta-One-More", "v"), nil)
	if r.status != 400 || r.body != "Too many metadata items; max 90" {
		t.Errorf("POST of the 91st item = %d %q", r.status, r.body)
	}
	// Removing one makes room.
	wantStatus(t, "POST removing one", do(t, n.container, "POST", "/sda1/2/a/c", hdr("X-Timestamp", ts(12), "X-Container-Meta-K0", ""), nil), 204)
	wantStatus(t, "POST of the 90th again", do(t, n.container, "POST", "/sda1/2/a/c", hdr("X-Timestamp", ts(13), "X-Container-Meta-One-More", "v"), nil), 204)
}
