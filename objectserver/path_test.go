package objectserver

import (
	"slices"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/internal/constraints"
)

// splitPathCases are Swift's split_path answers (recorded with Swift
// 2.30.1).
var splitPathCases = []struct {
	path             string
	minSegs, maxSegs int
	rest             bool
	want             []string
	ok               bool
}{
	{"/a", 1, 1, false, []string{"a"}, true},
	{"/a/", 1, 1, false, []string{"a"}, true},
	{"/a//", 1, 1, false, nil, false},
	{"a", 1, 1, false, nil, false},
	{"/", 1, 1, false, nil, false},
	{"//", 1, 1, false, nil, false},
	{"/a/c", 1, 2, false, []string{"a", "c"}, true},
	{"/a/c/", 1, 2, false, []string{"a", "c"}, true},
	{"/a/c/o", 1, 2, false, nil, false},
	{"/a//", 1, 3, false, []string{"a", "", ""}, true},
	{"/a", 2, 3, false, nil, false},
	{"/d/p/a/c/o", 5, 5, true, []string{"d", "p", "a", "c", "o"}, true},
	{"/d/p/a/c/o/x/", 5, 5, true, []string{"d", "p", "a", "c", "o/x/"}, true},
	{"/d/p/a/c/", 5, 5, true, nil, false},
	{"/d/p/a//o", 5, 5, true, nil, false},
	{"/d/p/a/c", 4, 5, true, []string{"d", "p", "a", "c", ""}, true},
	{"/d/p/a/c/", 4, 5, true, []string{"d", "p", "a", "c", ""}, true},
	{"/d/p/a/c//", 4, 5, true, []string{"d", "p", "a", "c", "/"}, true},
	{"/d/p/a", 4, 5, true, nil, false},
	{"/d/p/a", 3, 4, false, []string{"d", "p", "a", ""}, true},
	{"/d/p/a/c", 3, 4, false, []string{"d", "p", "a", "c"}, true},
	{"/d/p/a/c/", 3, 4, false, []string{"d", "p", "a", "c"}, true},
	{"/d/p/a/c/x", 3, 4, false, nil, false},
	{"/d/p/a/", 3, 4, false, []string{"d", "p", "a", ""}, true},
	{"/d/p", 2, 3, true, []string{"d", "p", ""}, true},
	{"/d/p/abc-def", 2, 3, true, []string{"d", "p", "abc-def"}, true},
	{"/d/p/", 2, 3, true, []string{"d", "p", ""}, true},
	{"/d/p/a/b", 2, 3, true, []string{"d", "p", "a/b"}, true},
	{"/d", 2, 3, true, nil, false},
	{"/d/p/a/c", 4, 4, false, []string{"d", "p", "a", "c"}, true},
	{"/d/p/a/c/", 4, 4, false, []string{"d", "p", "a", "c"}, true},
	{"/d/p/a/c//", 4, 4, false, nil, false},
}

func TestSplitPath(t *testing.T) {
	for _, tt := range splitPathCases {
		got, ok := splitPath(tt.path, tt.minSegs, tt.maxSegs, tt.rest)
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("splitPath(%q, %d, %d, %v) = %q, %v; want %q, %v", tt.path, tt.minSegs, tt.maxSegs, tt.rest, got, ok, tt.want, tt.ok)
		}
	}
}

// pySplitPath is Swift's split_path written out literally, with Python's
// str.split(sep, n) as strings.SplitN(s, sep, n+1): the oracle the fuzz
// test compares splitPath with.
func pySplitPath(path string, minSegs, maxSegs int, rest bool) ([]string, bool) {
	lo, hi := minSegs+1, maxSegs+1
	var segs []string
	if rest {
		segs = strings.SplitN(path, "/", maxSegs+1)
		if segs[0] != "" || len(segs) < lo || len(segs) > hi || slices.Contains(segs[1:lo], "") {
			return nil, false
		}
	} else {
		segs = strings.SplitN(path, "/", hi+1)
		n := len(segs)
		if segs[0] != "" || n < lo || n > hi+1 || slices.Contains(segs[1:lo], "") || (n == hi+1 && segs[hi] != "") {
			return nil, false
		}
	}
	out := make([]string, maxSegs)
	copy(out, segs[1:min(len(segs), hi)])
	return out, true
}

func FuzzSplitPath(f *testing.F) {
	for _, tt := range splitPathCases {
		f.Add(tt.path, uint8(tt.minSegs), uint8(tt.maxSegs), tt.rest)
	}
	f.Add("/sda1/1/a/c/o//x/./..", uint8(5), uint8(5), true) // names keep their slashes and dots
	f.Add("/sda1/1/\x00a/c", uint8(3), uint8(4), false)      // reserved names are split like any
	f.Fuzz(func(t *testing.T, path string, minSegs, maxSegs uint8, rest bool) {
		lo, hi := int(minSegs%6)+1, int(maxSegs%6)+1
		if lo > hi {
			lo, hi = hi, lo
		}
		got, ok := splitPath(path, lo, hi, rest)
		want, wantOK := pySplitPath(path, lo, hi, rest)
		if ok != wantOK || !slices.Equal(got, want) {
			t.Fatalf("splitPath(%q, %d, %d, %v) = %q, %v; Swift gives %q, %v", path, lo, hi, rest, got, ok, want, wantOK)
		}
		if !ok {
			return
		}
		// Round trip: the segments rebuild the path, up to one trailing
		// slash and empty optional segments.
		joined := "/" + strings.Join(got, "/")
		if trimmed := strings.TrimRight(joined, "/"); !strings.HasPrefix(path, trimmed) {
			t.Fatalf("splitPath(%q) = %q does not rebuild the path", path, got)
		}
		c := constraints.Default()
		if len(got) >= 2 {
			// parseItemPath must not panic on anything splitPath accepts.
			_, _ = parseItemPath(path, lo, hi, rest, &c)
		}
	})
}

func TestParseItemPath(t *testing.T) {
	c := constraints.Default()
	tests := []struct {
		path     string
		want     itemPath
		wantBody string
	}{
		{"/sda1/12/a/c/o/x", itemPath{device: "sda1", partition: 12, account: "a", container: "c", object: "o/x"}, ""},
		{"/sda1/012/a/c/o", itemPath{device: "sda1", partition: 12, account: "a", container: "c", object: "o"}, ""},
		{"/sda1/4294967295/a/c/o", itemPath{device: "sda1", partition: 4294967295, account: "a", container: "c", object: "o"}, ""},
		{"/sda1/4294967296/a/c/o", itemPath{}, "Invalid partition: 4294967296"},
		{"/sda1/-1/a/c/o", itemPath{}, "Invalid partition: -1"},
		{"/sda1/+1/a/c/o", itemPath{}, "Invalid partition: %2B1"},
		{"/sda1/1 /a/c/o", itemPath{}, "Invalid partition: 1%20"},
		{"/../1/a/c/o", itemPath{}, "Invalid device: .."},
		{"/sda1/1/a/c", itemPath{}, "Invalid path: /sda1/1/a/c"},
		{"/sda1/1/a/c/caf\u00e9 x", itemPath{device: "sda1", partition: 1, account: "a", container: "c", object: "caf\u00e9 x"}, ""},
		{"/sda1/1/a\x00/c/o", itemPath{}, "Invalid reserved-namespace account"},
		{"/sda1/1/" + strings.Repeat("a", 257) + "/c/o", itemPath{}, "Account name length of 257 longer than 256"},
		{"/sda1/1/a/c/" + strings.Repeat("o", 1025), itemPath{}, "Object name length of 1025 longer than 1024"},
	}
	for _, tt := range tests {
		got, err := parseItemPath(tt.path, 5, 5, true, &c)
		var body string
		if err != nil {
			body = errorResponse(err, "").body
		}
		if got != tt.want || body != tt.wantBody {
			t.Errorf("parseItemPath(%q) = %+v, %q; want %+v, %q", tt.path, got, body, tt.want, tt.wantBody)
		}
	}
}

func TestPyQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b-c_d.e~f": "/a/b-c_d.e~f",
		"a b":          "a%20b",
		"caf\u00e9":    "caf%C3%A9",
		"\x00\xff%?#+": "%00%FF%25%3F%23%2B",
	} {
		if got := pyQuote(in); got != want {
			t.Errorf("pyQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
