package objectserver_test

import (
	"net/url"
	"testing"
)

func TestAccountListingAndRows(t *testing.T) {
	n := newNode(t)
	wantStatus(t, "account PUT", do(t, n.account, "PUT", "/sda1/4/a", hdr("X-Timestamp", ts(0)), nil), 201)
	row := func(name, put, del, count, used string) response {
		return do(t, n.account, "PUT", "/sda1/4/a/"+url.PathEscape(name), hdr("X-Timestamp", put,
			"X-Put-Timestamp", put, "X-Delete-Timestamp", del, "X-Object-Count", count, "X-Bytes-Used", used), nil)
	}
	for _, name := range []string{"\x00versions", "b", "c", "d"} {
		wantStatus(t, "row PUT", row(name, ts(1), "0", "1", "10"), 201)
	}
	wantStatus(t, "row of a deleted container", row("d", ts(1), ts(2), "0", "0"), 204)
	tests := []struct {
		query  string
		header []string
		want   string
	}{
		{"", nil, "b\nc\n"},
		{"limit=1", nil, "b\n"},
		{"limit=1&reverse=true", nil, "c\n"},
		{"", []string{"X-Backend-Allow-Reserved-Names", "yes"}, "\x00versions\nb\nc\n"},
		{"format=json&prefix=c", nil, `[{"name": "c", "count": 1, "bytes": 10, "last_modified": "2023-11-14T22:13:21.000000"}]`},
	}
	for _, tt := range tests {
		r := do(t, n.account, "GET", "/sda1/4/a?"+tt.query, hdr(tt.header...), nil)
		if r.body != tt.want {
			t.Errorf("GET ?%s %v = %d %q, want %q", tt.query, tt.header, r.status, r.body, tt.want)
		}
	}
	h := do(t, n.account, "HEAD", "/sda1/4/a", nil, nil)
	if h.header.Get("X-Account-Container-Count") != "3" || h.header.Get("X-Account-Object-Count") != "3" {
		t.Errorf("HEAD counts: %v", h.header)
	}
	for _, tt := range []struct {
		header   []string
		wantBody string
	}{
		{[]string{"X-Put-Timestamp", "x", "X-Delete-Timestamp", "0", "X-Object-Count", "0", "X-Bytes-Used", "0"}, "Invalid X-Put-Timestamp header"},
		{[]string{"X-Put-Timestamp", ts(1), "X-Object-Count", "0", "X-Bytes-Used", "0"}, "Invalid X-Delete-Timestamp header"},
		{[]string{"X-Put-Timestamp", ts(1), "X-Delete-Timestamp", "0", "X-Bytes-Used", "0"}, "Invalid X-Object-Count header"},
		{[]string{"X-Put-Timestamp", ts(1), "X-Delete-Timestamp", "0", "X-Object-Count", "0"}, "Invalid X-Bytes-Used header"},
		{[]string{"X-Timestamp", "bad"}, "Invalid X-Timestamp header"},
	} {
		r := do(t, n.account, "PUT", "/sda1/4/a/e", hdr(tt.header...), nil)
		if r.status != 400 || r.body != tt.wantBody {
			t.Errorf("row PUT %v = %d %q, want 400 %q", tt.header, r.status, r.body, tt.wantBody)
		}
	}
	if r := do(t, n.account, "GET", "/sda1/4/a?delimiter=xy", nil, nil); r.status != 412 || r.body != "Bad delimiter" {
		t.Errorf("GET with a two-byte delimiter = %d %q", r.status, r.body)
	}
	if r := do(t, n.account, "PUT", "/sda1/4/a/c/o", hdr("X-Timestamp", ts(1)), nil); r.status != 400 {
		t.Errorf("PUT of an object path on the account server = %d, want 400", r.status)
	}
}
