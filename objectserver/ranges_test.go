package objectserver

import (
	"slices"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	tests := []struct {
		in   string
		want []rangeSpec
		ok   bool
	}{
		{"bytes=0-0", []rangeSpec{{0, 0}}, true},
		{"bytes=1-", []rangeSpec{{1, -1}}, true},
		{"bytes=-5", []rangeSpec{{-1, 5}}, true},
		{"BYTES=1-2,4-", []rangeSpec{{1, 2}, {4, -1}}, true},
		{" bytes = 1 - 2 , - 3 ", []rangeSpec{{1, 2}, {-1, 3}}, true},
		{"bytes=+1-2", []rangeSpec{{1, 2}}, true},
		{"bytes=3-3", []rangeSpec{{3, 3}}, true},
		{"bytes=99999999999999999999-", []rangeSpec{{1<<63 - 1, -1}}, true},
		{"", nil, false},
		{"bytes", nil, false},
		{"bytes=", nil, false},
		{"bytes=-", nil, false},
		{"bytes=5", nil, false},
		{"bytes=3-2", nil, false},
		{"bytes=a-2", nil, false},
		{"bytes=1-b", nil, false},
		{"bytes=1--2", nil, false},
		{"bytes=1-+2", nil, false},
		{"bytes=1-2,", nil, false},
		{"items=1-2", nil, false},
		{"bytes=\t1_0-20", []rangeSpec{{10, 20}}, true}, // Python's int()
		{"bytes=1-\t2", nil, false},
		{"bytes=1__0-20", nil, false},
	}
	for _, tt := range tests {
		got, ok := parseRange(tt.in)
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("parseRange(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRangesForLength(t *testing.T) {
	tests := []struct {
		in     string
		length int64
		want   []byteRange
	}{
		{"bytes=0-4", 10, []byteRange{{0, 5}}},
		{"bytes=5-100", 10, []byteRange{{5, 10}}},
		{"bytes=-3", 10, []byteRange{{7, 10}}},
		{"bytes=-30", 10, []byteRange{{0, 10}}},
		{"bytes=-0", 10, nil},
		{"bytes=10-", 10, nil},
		{"bytes=10-,2-3", 10, []byteRange{{2, 4}}},
		{"bytes=-5", 0, []byteRange{{0, 0}}}, // served whole by the caller
		{"bytes=0-", 0, nil},
		// Two overlaps are allowed, a third is not.
		{"bytes=0-4,2-6,8-9", 10, []byteRange{{0, 5}, {2, 7}, {8, 10}}},
		{"bytes=0-4,2-6,3-7", 10, nil},
		// Identical ranges do not count as overlapping (swob).
		{"bytes=0-4,0-4,0-4,0-4", 10, []byteRange{{0, 5}, {0, 5}, {0, 5}, {0, 5}}},
		// Out of order is fine below eight ranges.
		{"bytes=5-5,4-4,3-3,2-2,1-1,0-0,9-9", 10, []byteRange{{5, 6}, {4, 5}, {3, 4}, {2, 3}, {1, 2}, {0, 1}, {9, 10}}},
		{"bytes=5-5,4-4,3-3,2-2,1-1,0-0,9-9,8-8", 10, nil},
		{"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8", 10,
			[]byteRange{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}, {7, 8}, {8, 9}}},
		{"bytes=" + strings.Repeat("0-0,", 49) + "0-0", 10, slices.Repeat([]byteRange{{0, 1}}, 50)},
		{"bytes=" + strings.Repeat("0-0,", 50) + "0-0", 10, nil},
	}
	for _, tt := range tests {
		specs, ok := parseRange(tt.in)
		if !ok {
			t.Fatalf("parseRange(%q) failed", tt.in)
		}
		if got := rangesForLength(specs, tt.length); !slices.Equal(got, tt.want) {
			t.Errorf("rangesForLength(%q, %d) = %v, want %v", tt.in, tt.length, got, tt.want)
		}
	}
}

// multipartBody builds the body multipartLength measures, as get writes it.
func multipartBody(boundary, ct string, ranges []byteRange, length int64) string {
	var b strings.Builder
	for _, r := range ranges {
		b.WriteString(partHeader(boundary, ct, r, length))
		b.WriteString(strings.Repeat("x", int(r.end-r.start)))
		b.WriteString("\r\n")
	}
	b.WriteString("--" + boundary + "--")
	return b.String()
}

func TestMultipartLength(t *testing.T) {
	ranges := []byteRange{{0, 1}, {5, 10}, {0, 10}}
	body := multipartBody("0123456789abcdef0123456789abcdef", "text/plain", ranges, 10)
	if got := multipartLength("0123456789abcdef0123456789abcdef", "text/plain", ranges, 10); got != int64(len(body)) {
		t.Errorf("multipartLength = %d, body has %d bytes", got, len(body))
	}
	// swob's exact form.
	want := "--B\r\nContent-Type: t/p\r\nContent-Range: bytes 0-0/10\r\n\r\nx\r\n--B--"
	if got := multipartBody("B", "t/p", ranges[:1], 10); got != want {
		t.Errorf("multipart body = %q, want %q", got, want)
	}
}

func FuzzRange(f *testing.F) {
	f.Add("bytes=0-0", int64(10))                        // first byte
	f.Add("bytes=-5", int64(0))                          // suffix of an empty object
	f.Add("bytes=1-2,4-,-3", int64(100))                 // several kinds
	f.Add("bytes=99999999999999999999-", int64(5))       // beyond int64
	f.Add("bytes=0-4,2-6,3-7", int64(10))                // too many overlaps
	f.Add(" Bytes = 5 - 9 , 0-0 ", int64(1<<40))         // spaces, case
	f.Add("bytes=--1", int64(3))                         // invalid
	f.Add("bytes="+strings.Repeat("1-1,", 51), int64(3)) // too many ranges
	f.Fuzz(func(t *testing.T, header string, length int64) {
		if length < 0 {
			length = -length
		}
		if length < 0 {
			length = 0
		}
		specs, ok := parseRange(header)
		if !ok {
			if specs != nil {
				t.Fatalf("parseRange(%q) = %v, false", header, specs)
			}
			return
		}
		if len(specs) == 0 {
			t.Fatalf("parseRange(%q) accepted no ranges", header)
		}
		for _, s := range specs {
			if (s.first < 0 && s.last < 0) || (s.first >= 0 && s.last >= 0 && s.last < s.first) || s.first < -1 || s.last < -1 {
				t.Fatalf("parseRange(%q): bad spec %+v", header, s)
			}
		}
		ranges := rangesForLength(specs, length)
		if len(ranges) > maxRanges {
			t.Fatalf("rangesForLength(%q, %d): %d ranges", header, length, len(ranges))
		}
		for _, r := range ranges {
			if r.start < 0 || r.end > length || r.start > r.end || (r.start == r.end && length != 0) {
				t.Fatalf("rangesForLength(%q, %d): bad range %+v", header, length, r)
			}
		}
		if len(ranges) > 1 && length < 1<<16 {
			body := multipartBody("b", "t", ranges, length)
			if got := multipartLength("b", "t", ranges, length); got != int64(len(body)) {
				t.Fatalf("multipartLength = %d, body %d", got, len(body))
			}
		}
	})
}
