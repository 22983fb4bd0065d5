package proxy

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestParseContentRange(t *testing.T) {
	tests := []struct {
		in   string
		want objectPart
		ok   bool
	}{
		{"bytes 0-99/1000", objectPart{start: 0, end: 99, total: 1000}, true},
		{"bytes 999-999/1000", objectPart{start: 999, end: 999, total: 1000}, true},
		{" bytes 5-9/10 ", objectPart{start: 5, end: 9, total: 10}, true},
		{"bytes */1000", objectPart{}, false}, // 416's
		{"bytes 10-5/100", objectPart{}, false},
		{"bytes 0-100/100", objectPart{}, false}, // past the end
		{"bytes 0-99/*", objectPart{}, false},
		{"bytes -5-9/10", objectPart{}, false},
		{"items 0-9/10", objectPart{}, false},
		{"", objectPart{}, false},
	}
	for _, tt := range tests {
		got, ok := parseContentRange(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseContentRange(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseContentRange: no panics, and what parses is a consistent
// range that formats back to the same numbers.
func FuzzParseContentRange(f *testing.F) {
	for _, seed := range []string{
		"bytes 0-99/1000",  // a plain range
		"bytes */1000",     // a 416
		"bytes 9-9/10",     // the last byte
		"bytes 1-0/10",     // reversed
		"bytes 0-1/1",      // past the end
		"bytes 00-01/0002", // leading zeros
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := parseContentRange(s)
		if !ok {
			return
		}
		if p.start < 0 || p.end < p.start || p.end >= p.total || p.size() != p.end-p.start+1 {
			t.Fatalf("parseContentRange(%q) = %+v: inconsistent", s, p)
		}
		back := "bytes " + strconv.FormatInt(p.start, 10) + "-" + strconv.FormatInt(p.end, 10) + "/" + strconv.FormatInt(p.total, 10)
		if q, ok := parseContentRange(back); !ok || q != p {
			t.Fatalf("round trip of %q via %q = %+v, %v", s, back, q, ok)
		}
	})
}

func TestCopyHeaderParsing(t *testing.T) {
	tests := []struct {
		in, container, object string
		ok                    bool
	}{
		{"/c/o", "c", "o", true},
		{"c/o", "c", "o", true},
		{"/c/o/with/slashes", "c", "o/with/slashes", true},
		{"/c//o", "c", "/o", true},
		{"/c%2Fx/o%20y", "c", "x/o y", true}, // unquoted first, as Swift
		{"/c/", "", "", false},
		{"/c", "", "", false},
		{"//o", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		c, o, err := checkPathHeader(tt.in, "X-Copy-From")
		if c != tt.container || o != tt.object || (err == nil) != tt.ok {
			t.Errorf("checkPathHeader(%q) = %q, %q, %v; want %q, %q, ok %v", tt.in, c, o, err, tt.container, tt.object, tt.ok)
		}
	}
	for in, want := range map[string]string{
		"AUTH_test":     "AUTH_test",
		"a b/c~d_e.f-g": "a%20b/c~d_e.f-g",
		"caf\u00e9":     "caf%C3%A9",
		"%":             "%25",
	} {
		if got := quotePath(in); got != want {
			t.Errorf("quotePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestObjectHeaderHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"text/plain":                           "text/plain",
		"text/plain;swift_bytes=12":            "text/plain",
		"text/plain; charset=x; swift_bytes=1": "text/plain; charset=x",
		"text/plain;swift_bytes=1;a=b":         "text/plain;swift_bytes=1;a=b",
	} {
		if got := cleanContentType(in); got != want {
			t.Errorf("cleanContentType(%q) = %q, want %q", in, got, want)
		}
	}
	for name, want := range map[string]string{
		"index.html": "text/html", "data.json": "application/json", "noext": "application/octet-stream",
	} {
		if got := guessContentType(name); got != want {
			t.Errorf("guessContentType(%q) = %q, want %q", name, got, want)
		}
	}
	client := http.Header{
		"X-Object-Meta-A": {"1"}, "X-Backend-Replication": {"true"}, "X-Object-Sysmeta-S": {"s"},
		"X-Container-Host": {"1.2.3.4:5"}, "X-Auth-Token": {"secret"}, "X-Timestamp": {"1"},
		"Connection": {"close"}, "Range": {"bytes=1-2"}, "Content-Type": {"a/b"},
	}
	r := &request{Request: &http.Request{Header: client}, txnID: "tx1"}
	got := objectNodeHeader(r)
	want := http.Header{"X-Object-Meta-A": {"1"}, "Range": {"bytes=1-2"}, "Content-Type": {"a/b"}, "X-Trans-Id": {"tx1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("objectNodeHeader = %v, want %v", got, want)
	}
	resp := http.Header{}
	objectClientHeader(resp, http.Header{"Etag": {`"abc"`}, "X-Backend-Timestamp": {"1"}, "X-Object-Sysmeta-S": {"s"},
		"X-Object-Meta-A": {"1"}, "Content-Length": {"3"}, "Content-Type": {"a/b"}, "X-Timestamp": {"1.00000"}})
	want = http.Header{"Etag": {"abc"}, "X-Object-Meta-A": {"1"}, "X-Timestamp": {"1.00000"}}
	if fmt.Sprint(resp) != fmt.Sprint(want) {
		t.Errorf("objectClientHeader = %v, want %v", resp, want)
	}
}

// A DELETE without a quorum counts 404s as successes (Swift's
// overrides), and answers with a real success.
func TestDeleteOverride(t *testing.T) {
	tests := []struct {
		statuses []int
		want     int // 0: still no quorum
	}{
		{[]int{204, 404, 503}, 204},
		{[]int{404, 503, 503}, 0},
		{[]int{204, 503, 503}, 0},
		{[]int{204, 404, 409}, 204},
		{[]int{409, 404, 503}, 0},
	}
	for _, tt := range tests {
		resps := make([]nodeResponse, len(tt.statuses))
		for i, s := range tt.statuses {
			resps[i] = nodeResponse{status: s}
		}
		got := 0
		if b := deleteOverride(resps); b != nil {
			got = b.status
		}
		if got != tt.want {
			t.Errorf("deleteOverride(%v) = %d, want %d", tt.statuses, got, tt.want)
		}
	}
}

// Object writes name every container replica, enough times that the
// update survives the failure of all but a quorum of the object writes.
func TestObjectUpdateHeaders(t *testing.T) {
	tests := []struct {
		containers float64
		n          int
		wantPer    []int // container hosts named per request
	}{
		{3, 3, []int{1, 1, 1}},
		{3, 2, []int{2, 1}},          // max(2+2-2, 3) = 3 updates
		{2, 3, []int{1, 1, 1}},       // max(2+3-2, 2) = 3 updates
		{3, 5, []int{1, 1, 1, 1, 0}}, // max(2+5-3, 3) = 4 updates
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v containers, %d writes", tt.containers, tt.n), func(t *testing.T) {
			cr := testRing(t, tt.containers, fakeAddrs(4)...)
			s, err := New(Config{AccountRing: StaticRing(cr), ContainerRing: StaticRing(cr), ObjectRing: StaticRing(cr), Salt: testSalt})
			if err != nil {
				t.Fatal(err)
			}
			o := objectRef{"AUTH_a", "c", "o"}
			hs := s.objectUpdateHeaders(o, http.Header{"X-Trans-Id": {"tx"}}, tt.n)
			part := cr.Partition("AUTH_a", "c", "")
			var named []string
			for i, h := range hs {
				if tt.wantPer[i] == 0 {
					if h.Get("X-Container-Host") != "" || h.Get("X-Container-Partition") != "" {
						t.Errorf("request %d names containers: %v", i, h)
					}
					continue
				}
				hosts := strings.Split(h.Get("X-Container-Host"), ",")
				devs := strings.Split(h.Get("X-Container-Device"), ",")
				if len(hosts) != tt.wantPer[i] || len(devs) != len(hosts) {
					t.Errorf("request %d names %v / %v, want %d", i, hosts, devs, tt.wantPer[i])
				}
				if h.Get("X-Container-Partition") != strconv.Itoa(int(part)) || h.Get("X-Trans-Id") != "tx" {
					t.Errorf("request %d headers %v", i, h)
				}
				for j := range hosts {
					named = append(named, hosts[j]+"/"+devs[j])
				}
			}
			for _, d := range cr.Primaries(part) {
				if !slices.Contains(named, d.IP+":"+strconv.Itoa(d.Port)+"/"+d.Name) {
					t.Errorf("container replica %s/%s is never updated", d.IP, d.Name)
				}
			}
		})
	}
}
