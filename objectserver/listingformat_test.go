package objectserver

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

func TestAppendJSONString(t *testing.T) {
	// Python's json.dumps of each, as Swift writes listings.
	tests := map[string]string{
		"plain":                   `"plain"`,
		`q"b\s/`:                  `"q\"b\\s/"`,
		"\n\r\t\b\f\x01\x1f\x7f":  `"\n\r\t\b\f\u0001\u001f\u007f"`,
		"caf\u00e9 \u20ac":        `"caf\u00e9 \u20ac"`,
		"emoji\U0001F600":         `"emoji\ud83d\ude00"`,
		"\x00nul":                 `"\u0000nul"`,
		"<script>&amp;</script>'": `"<script>&amp;</script>'"`,
	}
	for in, want := range tests {
		if got := string(appendJSONString(nil, in)); got != want {
			t.Errorf("appendJSONString(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestXMLEscape(t *testing.T) {
	in := "a&b<c>d\"e'f\ng\rh\ti"
	if got, want := string(xmlEscape(nil, in, false)), "a&amp;b&lt;c&gt;d\"e'f\ng\rh\ti"; got != want {
		t.Errorf("xmlEscape(text) = %q, want %q", got, want)
	}
	if got, want := string(xmlEscape(nil, in, true)), "a&amp;b&lt;c&gt;d&quot;e'f&#10;g&#13;h&#09;i"; got != want {
		t.Errorf("xmlEscape(attribute) = %q, want %q", got, want)
	}
}

func TestIsoTime(t *testing.T) {
	for in, want := range map[string]string{
		"1700000000.12345": "2023-11-14T22:13:20.123450",
		"1700000000":       "2023-11-14T22:13:20.000000",
		"0":                "1970-01-01T00:00:00.000000",
		"1700000000.99999": "2023-11-14T22:13:20.999990",
	} {
		ts, err := timestamp.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := isoTime(ts); got != want {
			t.Errorf("isoTime(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestListedType(t *testing.T) {
	tests := []struct {
		in       string
		size     int64
		wantType string
		wantSize int64
	}{
		{"text/plain", 5, "text/plain", 5},
		{"text/plain; charset=utf-8", 5, "text/plain;charset=utf-8", 5},
		{"application/json;swift_bytes=1234", 5, "application/json", 1234},
		{"a/b; swift_bytes=12 ;x=\"q;r\"", 5, "a/b;x=\"q;r\"", 12},
		{"a/b;swift_bytes=nope", 5, "a/b", 5},
		{"a/b;flag", 5, "a/b;flag=", 5},
	}
	for _, tt := range tests {
		gotType, gotSize := listedType(tt.in, tt.size)
		if gotType != tt.wantType || gotSize != tt.wantSize {
			t.Errorf("listedType(%q, %d) = %q, %d; want %q, %d", tt.in, tt.size, gotType, gotSize, tt.wantType, tt.wantSize)
		}
	}
}

func TestBestMatch(t *testing.T) {
	tests := []struct {
		accept  string
		want    string
		wantErr bool
	}{
		{"", "text/plain", false},
		{"application/json", "application/json", false},
		{"*/*", "text/plain", false},
		{"application/*", "application/json", false},
		{"text/*;q=0.5, application/xml", "application/xml", false},
		{"application/json;q=0.1, text/xml;q=0.2", "text/xml", false},
		{"*/*;q=0.9, application/xml", "application/xml", false},
		{"image/png", "", false},
		{"Application/JSON", "", false},
		{"garbage", "", true},
		{"a/b;q=x", "", true},
		{"a/b;q=1;q=1", "", true},
		{`a/b;x="1=2"`, "", true},
	}
	for _, tt := range tests {
		got, err := bestMatch(tt.accept, listingTypes)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("bestMatch(%q) = %q, %v; want %q (error %v)", tt.accept, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestQueryParams(t *testing.T) {
	got := queryParams("a=1&b=x+y&c=%2F%zz&a=2&flag&=v&d=%ff")
	want := map[string]string{"a": "2", "b": "x y", "c": "/%zz", "flag": "", "": "v", "d": "\xff"}
	if len(got) != len(want) {
		t.Errorf("queryParams = %q, want %q", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("queryParams[%q] = %q, want %q", k, got[k], v)
		}
	}
}

func TestListingParams(t *testing.T) {
	tests := []struct {
		query      string
		wantStatus int
		wantBody   string
	}{
		{"limit=10000&delimiter=/", 0, ""},
		{"limit=10001", 412, "Maximum limit is 10000"},
		{"delimiter=ab", 412, "Bad delimiter"},
		{"delimiter=%FF", 400, `"delimiter" parameter not valid UTF-8`},
		{"delimiter=%C3%A9", 412, "Bad delimiter"},
		{"prefix=%FF", 400, `"prefix" parameter not valid UTF-8`},
		{"path=%FF", 400, `"path" parameter not valid UTF-8`},
	}
	for _, tt := range tests {
		r := &http.Request{URL: &url.URL{RawQuery: tt.query}, Header: http.Header{}}
		_, err := parseListingParams(r, 10000, true)
		var status int
		var body string
		if err != nil {
			e := errorResponse(err, "")
			status, body = e.status, e.body
		}
		if status != tt.wantStatus || body != tt.wantBody {
			t.Errorf("parseListingParams(%q) = %d %q, want %d %q", tt.query, status, body, tt.wantStatus, tt.wantBody)
		}
	}
}
