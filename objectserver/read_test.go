package objectserver_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

const rangeBody416 = "<html><h1>Requested Range Not Satisfiable</h1><p>The Range requested is not available.</p></html>"

func TestObjectRanges(t *testing.T) {
	n := newNode(t)
	const data = "0123456789"
	n.putObject(t, "/sda1/1/a/c/o", ts(0), data)
	n.putObject(t, "/sda1/1/a/c/empty", ts(0), "")
	tests := []struct {
		name       string
		path       string
		rng        string
		wantStatus int
		wantRange  string // Content-Range
		wantBody   string // single part; for multipart, the parts joined by "|"
		multipart  []string
	}{
		{"first byte", "o", "bytes=0-0", 206, "bytes 0-0/10", "0", nil},
		{"middle", "o", "bytes=2-5", 206, "bytes 2-5/10", "2345", nil},
		{"open end", "o", "bytes=7-", 206, "bytes 7-9/10", "789", nil},
		{"suffix", "o", "bytes=-3", 206, "bytes 7-9/10", "789", nil},
		{"suffix longer than object", "o", "bytes=-30", 206, "bytes 0-9/10", data, nil},
		{"end past the object", "o", "bytes=8-100", 206, "bytes 8-9/10", "89", nil},
		{"spaces and case", "o", "Bytes = 1 - 2", 206, "bytes 1-2/10", "12", nil},
		{"huge end", "o", "bytes=3-99999999999999999999999", 206, "bytes 3-9/10", "3456789", nil},
		{"start past the end", "o", "bytes=10-", 416, "bytes */10", rangeBody416, nil},
		{"suffix zero", "o", "bytes=-0", 416, "bytes */10", rangeBody416, nil},
		{"huge start", "o", "bytes=99999999999999999999999-", 416, "bytes */10", rangeBody416, nil},
		{"one satisfiable of two", "o", "bytes=20-30,1-1", 206, "bytes 1-1/10", "1", nil},
		{"two ranges", "o", "bytes=0-1,5-6", 206, "", "", []string{"bytes 0-1/10:01", "bytes 5-6/10:56"}},
		{"three ranges out of order", "o", "bytes=8-,0-0,-2", 206, "", "", []string{"bytes 8-9/10:89", "bytes 0-0/10:0", "bytes 8-9/10:89"}},
		{"identical ranges", "o", "bytes=1-2,1-2,1-2,1-2", 206, "", "", []string{"bytes 1-2/10:12", "bytes 1-2/10:12", "bytes 1-2/10:12", "bytes 1-2/10:12"}},
		{"three overlaps", "o", "bytes=0-5,1-6,2-7", 416, "bytes */10", rangeBody416, nil},
		{"eight unordered", "o", "bytes=9-9,8-8,7-7,6-6,5-5,4-4,3-3,2-2", 416, "bytes */10", rangeBody416, nil},
		{"seven unordered", "o", "bytes=9-9,8-8,7-7,6-6,5-5,4-4,3-3", 206, "", "", []string{
			"bytes 9-9/10:9", "bytes 8-8/10:8", "bytes 7-7/10:7", "bytes 6-6/10:6", "bytes 5-5/10:5", "bytes 4-4/10:4", "bytes 3-3/10:3"}},
		{"fifty one", "o", "bytes=" + strings.Repeat("0-0,", 50) + "0-0", 416, "bytes */10", rangeBody416, nil},
		// Syntactically invalid: ignored, the whole object.
		{"not bytes", "o", "items=0-1", 200, "", data, nil},
		{"no dash", "o", "bytes=5", 200, "", data, nil},
		{"backwards", "o", "bytes=5-3", 200, "", data, nil},
		{"empty spec", "o", "bytes=", 200, "", data, nil},
		{"bare dash", "o", "bytes=-", 200, "", data, nil},
		{"one bad spec", "o", "bytes=1-2,x", 200, "", data, nil},
		{"negative end", "o", "bytes=1--2", 200, "", data, nil},
		{"empty object suffix", "empty", "bytes=-5", 200, "", "", nil},
		{"empty object start", "empty", "bytes=0-", 416, "bytes */0", rangeBody416, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, n.object, "GET", "/sda1/1/a/c/"+tt.path, hdr("Range", tt.rng), nil)
			if r.status != tt.wantStatus {
				t.Fatalf("GET Range %q: status %d, want %d (body %q)", tt.rng, r.status, tt.wantStatus, r.body)
			}
			if got := r.header.Get("Content-Range"); got != tt.wantRange {
				t.Errorf("GET Range %q: Content-Range %q, want %q", tt.rng, got, tt.wantRange)
			}
			if got, want := r.header.Get("Content-Length"), strconv.Itoa(len(r.body)); got != want {
				t.Errorf("GET Range %q: Content-Length %s, body has %s bytes", tt.rng, got, want)
			}
			if r.header.Get("Etag") == "" || r.header.Get("X-Timestamp") == "" {
				t.Errorf("GET Range %q: object headers missing: %v", tt.rng, r.header)
			}
			if tt.multipart == nil {
				if r.body != tt.wantBody {
					t.Errorf("GET Range %q: body %q, want %q", tt.rng, r.body, tt.wantBody)
				}
				return
			}
			ct, params, err := mime.ParseMediaType(r.header.Get("Content-Type"))
			if err != nil || ct != "multipart/byteranges" || len(params["boundary"]) != 32 {
				t.Fatalf("GET Range %q: Content-Type %q", tt.rng, r.header.Get("Content-Type"))
			}
			if !strings.HasPrefix(r.header.Get("Content-Type"), "multipart/byteranges;boundary=") {
				t.Errorf("Content-Type %q: want swob's form without a space", r.header.Get("Content-Type"))
			}
			mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
			var parts []string
			for {
				p, err := mr.NextPart()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("part: %v", err)
				}
				b, _ := io.ReadAll(p)
				if p.Header.Get("Content-Type") != "text/plain" {
					t.Errorf("part Content-Type %q", p.Header.Get("Content-Type"))
				}
				parts = append(parts, p.Header.Get("Content-Range")+":"+string(b))
			}
			if strings.Join(parts, "|") != strings.Join(tt.multipart, "|") {
				t.Errorf("GET Range %q: parts %q, want %q", tt.rng, parts, tt.multipart)
			}
			if !strings.HasSuffix(r.body, "--"+params["boundary"]+"--") {
				t.Errorf("multipart body does not end with the closing boundary: %q", r.body)
			}
		})
	}
	t.Run("ignored for manifests", func(t *testing.T) {
		n.putObject(t, "/sda1/1/a/c/slo", ts(0), data, "X-Static-Large-Object", "True")
		r := do(t, n.object, "GET", "/sda1/1/a/c/slo", hdr("Range", "bytes=0-0",
			"X-Backend-Ignore-Range-If-Metadata-Present", "X-Object-Manifest, X-Static-Large-Object"), nil)
		if r.status != 200 || r.body != data {
			t.Errorf("GET with ignored Range = %d %q, want 200 %q", r.status, r.body, data)
		}
	})
}

func TestObjectConditional(t *testing.T) {
	n := newNode(t)
	const data = "abc"
	etag := md5hex(data)
	n.putObject(t, "/sda1/1/a/c/o", "1700000000.12345", data) // Last-Modified 22:13:21
	tests := []struct {
		name   string
		header http.Header
		want   int
	}{
		{"if-match hit", hdr("If-Match", `"`+etag+`"`), 200},
		{"if-match unquoted", hdr("If-Match", etag), 200},
		{"if-match list", hdr("If-Match", `"x", "`+etag+`"`), 200},
		{"if-match star", hdr("If-Match", "*"), 200},
		{"if-match miss", hdr("If-Match", `"nope"`), 412},
		{"if-match empty", hdr("If-Match", ""), 412},
		{"if-none-match hit", hdr("If-None-Match", `"`+etag+`"`), 304},
		{"if-none-match star", hdr("If-None-Match", "*"), 304},
		{"if-none-match miss", hdr("If-None-Match", `"nope"`), 200},
		{"both: none-match wins", hdr("If-None-Match", "*", "If-Match", "nope"), 304},
		{"modified since before", hdr("If-Modified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"), 200},
		{"modified since same", hdr("If-Modified-Since", "Tue, 14 Nov 2023 22:13:21 GMT"), 304},
		{"modified since later", hdr("If-Modified-Since", "Wed, 15 Nov 2023 00:00:00 GMT"), 304},
		{"modified since rfc850", hdr("If-Modified-Since", "Tuesday, 14-Nov-23 22:13:21 GMT"), 304},
		{"modified since garbage", hdr("If-Modified-Since", "yesterday"), 200},
		{"unmodified since before", hdr("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"), 412},
		{"unmodified since same", hdr("If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:21 GMT"), 200},
		{"unmodified since garbage", hdr("If-Unmodified-Since", "x"), 200},
		{"match beats dates", hdr("If-Match", etag, "If-Unmodified-Since", "Tue, 14 Nov 2023 22:13:20 GMT"), 412},
		{"not modified beats range", hdr("If-None-Match", "*", "Range", "bytes=0-0"), 304},
	}
	for _, tt := range tests {
		for _, method := range []string{"GET", "HEAD"} {
			r := do(t, n.object, method, "/sda1/1/a/c/o", tt.header, nil)
			if r.status != tt.want {
				t.Errorf("%s: %s = %d, want %d", tt.name, method, r.status, tt.want)
				continue
			}
			if tt.want != 200 {
				// swob keeps the object's headers but no body.
				if r.body != "" || r.header.Get("Etag") != `"`+etag+`"` || r.header.Get("X-Timestamp") == "" {
					t.Errorf("%s: %s %d: body %q, headers %v", tt.name, method, r.status, r.body, r.header)
				}
				if tt.want == 412 && r.header.Get("Content-Length") != "0" {
					t.Errorf("%s: %s 412 Content-Length = %q, want 0", tt.name, method, r.header.Get("Content-Length"))
				}
			}
		}
	}
	t.Run("etag is at", func(t *testing.T) {
		n.putObject(t, "/sda1/1/a/c/enc", ts(0), data, "X-Object-Sysmeta-Crypto-Etag", "plain-etag")
		h := hdr("If-Match", "plain-etag", "X-Backend-Etag-Is-At", "X-Object-Sysmeta-Missing,X-Object-Sysmeta-Crypto-Etag")
		if r := do(t, n.object, "GET", "/sda1/1/a/c/enc", h, nil); r.status != 200 {
			t.Errorf("If-Match on X-Backend-Etag-Is-At = %d, want 200", r.status)
		}
	})
}

// corruptStore serves objects whose data fails its checksum after the
// first good bytes.
type corruptStore struct {
	objectserver.ObjectStore
	good int64 // bytes read before the failure
}

func (c *corruptStore) Open(ctx context.Context, part uint32, name string) (objectserver.ObjectReader, error) {
	rd, err := c.ObjectStore.Open(ctx, part, name)
	if err != nil {
		return nil, err
	}
	return &corruptReader{ObjectReader: rd, good: c.good}, nil
}

type corruptReader struct {
	objectserver.ObjectReader
	good int64
}

func (c *corruptReader) Section(off, n int64) io.Reader {
	good := max(0, min(n, c.good-off))
	return io.MultiReader(c.ObjectReader.Section(off, good), errReader{fmt.Errorf("fake: %w", objectserver.ErrCorrupt)})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func TestCorruptReadAborts(t *testing.T) {
	n := newNode(t)
	data := strings.Repeat("0123456789", 20000) // 200 kB: several buffers
	n.putObject(t, "/sda1/1/a/c/o", ts(0), data)
	t.Run("at once", func(t *testing.T) {
		// Corrupt from the first byte: nothing was sent yet, so a clean
		// 404 (the store has quarantined the object).
		n.devs.setObjects("sda1", &corruptStore{ObjectStore: n.devs.get("sda1").Objects, good: 0})
		defer n.devs.setObjects("sda1", n.devs.get("sda1").Objects.(*corruptStore).ObjectStore)
		if r := do(t, n.object, "GET", "/sda1/1/a/c/o", nil, nil); r.status != 404 || r.body != notFoundBody || r.header.Get("Etag") != "" {
			t.Errorf("GET of data corrupt from the start = %d %q (ETag %q), want a plain 404", r.status, r.body, r.header.Get("Etag"))
		}
	})
	tests := []struct {
		name string
		good int64
		rng  string
	}{
		{"after some buffers", 150000, ""},
		{"range", 100000, "bytes=50-150000"},
		{"second part", 1000, "bytes=0-10,500-5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n.devs.setObjects("sda1", &corruptStore{ObjectStore: n.devs.get("sda1").Objects, good: tt.good})
			defer n.devs.setObjects("sda1", n.devs.get("sda1").Objects.(*corruptStore).ObjectStore)
			before := metricValue(t, n.reg, "swiftlet_objectserver_aborted_responses_total", "reason", "corrupt")
			req, _ := http.NewRequest("GET", n.object.URL+"/sda1/1/a/c/o", nil)
			if tt.rng != "" {
				req.Header.Set("Range", tt.rng)
			}
			resp, err := n.object.Client().Do(req)
			if err == nil {
				var b []byte
				b, err = io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil {
					t.Fatalf("GET of corrupt data: status %d, %d bytes read without error", resp.StatusCode, len(b))
				}
				if int64(len(b)) >= resp.ContentLength {
					t.Errorf("read %d bytes of %d", len(b), resp.ContentLength)
				}
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Logf("client error: %v", err) // any error will do; this is the usual one
			}
			if got := metricValue(t, n.reg, "swiftlet_objectserver_aborted_responses_total", "reason", "corrupt"); got != before+1 {
				t.Errorf("aborted responses (corrupt) = %v, want %v", got, before+1)
			}
		})
	}
	// The server is still fine.
	if r := do(t, n.object, "GET", "/sda1/1/a/c/o", nil, nil); r.status != 200 || r.body != data {
		t.Errorf("GET after the aborts = %d (%d bytes)", r.status, len(r.body))
	}
}
