package constraints

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	if got, want := Default().MaxHeaderCount(), 126; got != want {
		t.Errorf("MaxHeaderCount() = %d, want %d", got, want)
	}
	c := Default()
	c.MaxFileSize = 0
	c.ValidAPIVersions = nil
	if err := c.Validate(); err == nil {
		t.Errorf("Validate() of bad constraints = nil")
	}
	if !Default().ValidAPIVersion("v1.0") || Default().ValidAPIVersion("v2") {
		t.Errorf("ValidAPIVersion disagrees with Swift's v1, v1.0")
	}
}

// status returns the status and body of a check's error, 0 for none.
func status(t *testing.T, err error) (int, string) {
	t.Helper()
	if err == nil {
		return 0, ""
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *constraints.Error", err)
	}
	return e.Status, e.Body
}

func TestCheckUTF8(t *testing.T) {
	tests := []struct {
		in       string
		internal bool
		want     bool
	}{
		{"abc", false, true},
		{"", false, false},
		{"caf\xc3\xa9", false, true},
		{"\xff", false, false},
		{"\xed\xa0\x80", false, false}, // an encoded surrogate
		{"a\x00b", false, false},
		{"\x00ab", true, true},
	}
	for _, tt := range tests {
		if got := CheckUTF8(tt.in, tt.internal); got != tt.want {
			t.Errorf("CheckUTF8(%q, %v) = %v, want %v", tt.in, tt.internal, got, tt.want)
		}
	}
}

func TestCheckMetadata(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name       string
		kind       Kind
		header     http.Header
		wantStatus int
		wantBody   string
	}{
		{"none", Object, http.Header{"X-Foo": {"bar"}}, 0, ""},
		{"ok", Object, http.Header{"X-Object-Meta-Color": {"blue"}}, 0, ""},
		{"empty name", Object, http.Header{"X-Object-Meta-": {"x"}}, 400, "Metadata name cannot be empty"},
		{"name too long", Object, http.Header{"X-Object-Meta-" + long(129): {"x"}}, 400,
			"Metadata name too long: x-object-meta-" + long(129)},
		{"name at limit", Object, http.Header{"X-Object-Meta-" + long(128): {"x"}}, 0, ""},
		{"value too long", Container, http.Header{"X-Container-Meta-A": {long(257)}}, 400,
			"Metadata value longer than 256: x-container-meta-A"},
		{"header too long", Account, http.Header{"X-Other": {long(8193)}}, 400, "Header value too long: X-Other"},
		{"bad utf8 container", Container, http.Header{"X-Container-Meta-A": {"\xff"}}, 400, "Metadata must be valid UTF-8"},
		{"bad utf8 object allowed", Object, http.Header{"X-Object-Meta-A": {"\xff"}}, 0, ""},
		{"other kind ignored", Account, http.Header{"X-Container-Meta-": {"x"}}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, body := status(t, Default().CheckMetadata(tt.header, tt.kind))
			if st != tt.wantStatus || body != tt.wantBody {
				t.Errorf("CheckMetadata = %d %q, want %d %q", st, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
	t.Run("too many", func(t *testing.T) {
		h := http.Header{}
		for i := range 91 {
			h.Set("X-Account-Meta-K"+strconv.Itoa(i), "v")
		}
		st, body := status(t, Default().CheckMetadata(h, Account))
		if st != 400 || body != "Too many metadata items; max 90" {
			t.Errorf("CheckMetadata(91 items) = %d %q", st, body)
		}
	})
	t.Run("too large", func(t *testing.T) {
		h := http.Header{}
		for i := range 20 {
			h.Set("X-Object-Meta-K"+strconv.Itoa(i), long(250))
		}
		st, body := status(t, Default().CheckMetadata(h, Object))
		if st != 400 || body != "Total metadata too large; max 4096" {
			t.Errorf("CheckMetadata(5000 bytes) = %d %q", st, body)
		}
	})
}

func TestCheckMetadataTotals(t *testing.T) {
	meta := map[string]string{}
	for i := range 90 {
		meta["X-Container-Meta-K"+strconv.Itoa(i)] = "v"
	}
	meta["X-Container-Meta-Removed"] = "" // removals don't count
	meta["X-Container-Read"] = ".r:*"     // not user metadata
	if err := Default().CheckMetadataTotals(meta, Container); err != nil {
		t.Errorf("CheckMetadataTotals(90 items) = %v", err)
	}
	meta["X-Container-Meta-One-More"] = "v"
	if st, body := status(t, Default().CheckMetadataTotals(meta, Container)); st != 400 || body != "Too many metadata items; max 90" {
		t.Errorf("CheckMetadataTotals(91 items) = %d %q", st, body)
	}
}

func TestRequestTimestamp(t *testing.T) {
	tests := []struct {
		header   http.Header
		want     string
		wantBody string
	}{
		{http.Header{}, "", "Missing X-Timestamp header"},
		{http.Header{"X-Timestamp": {"abc"}}, "", "Invalid X-Timestamp header"},
		{http.Header{"X-Timestamp": {"-1"}}, "", "Invalid X-Timestamp header"},
		{http.Header{"X-Timestamp": {"1700000000.5"}}, "1700000000.50000", ""},
		{http.Header{"X-Timestamp": {"1700000000.00000_000000000000000a"}}, "1700000000.00000_000000000000000a", ""},
	}
	for _, tt := range tests {
		ts, err := RequestTimestamp(tt.header)
		_, body := status(t, err)
		if body != tt.wantBody || (err == nil && ts.Internal() != tt.want) {
			t.Errorf("RequestTimestamp(%v) = %v, %q; want %s, %q", tt.header, ts, body, tt.want, tt.wantBody)
		}
	}
}

func TestDeleteAt(t *testing.T) {
	now, _ := timestamp.Parse("1700000000.5")
	tests := []struct {
		name        string
		header      http.Header
		replication bool
		want        int64
		wantBody    string
	}{
		{"none", http.Header{}, false, 0, ""},
		{"at", http.Header{"X-Delete-At": {"1700000100"}}, false, 1700000100, ""},
		{"at with spaces and sign", http.Header{"X-Delete-At": {" +1700000100 "}}, false, 1700000100, ""},
		{"at past", http.Header{"X-Delete-At": {"1700000000"}}, false, 0, "X-Delete-At in past"},
		{"at past replicated", http.Header{"X-Delete-At": {"1700000000"}}, true, 1700000000, ""},
		{"at not integer", http.Header{"X-Delete-At": {"1.5"}}, false, 0, "Non-integer X-Delete-At"},
		{"at huge", http.Header{"X-Delete-At": {"99999999999999999999999"}}, false, MaxDeleteAt, ""},
		{"after", http.Header{"X-Delete-After": {"100"}}, false, 1700000100, ""},
		{"after wins", http.Header{"X-Delete-After": {"100"}, "X-Delete-At": {"1"}}, false, 1700000100, ""},
		{"after zero", http.Header{"X-Delete-After": {"0"}}, false, 0, "X-Delete-After in past"},
		{"after negative", http.Header{"X-Delete-After": {"-5"}}, false, 0, "X-Delete-After in past"},
		{"after not integer", http.Header{"X-Delete-After": {"soon"}}, false, 0, "Non-integer X-Delete-After"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeleteAt(tt.header, now, tt.replication)
			_, body := status(t, err)
			if got != tt.want || body != tt.wantBody {
				t.Errorf("DeleteAt = %d, %q; want %d, %q", got, body, tt.want, tt.wantBody)
			}
		})
	}
}

func TestCheckObjectCreation(t *testing.T) {
	now, _ := timestamp.Parse("1700000000")
	ok := http.Header{"Content-Type": {"text/plain"}}
	tests := []struct {
		name       string
		header     http.Header
		length     int64
		chunked    bool
		object     string
		wantStatus int
		wantBody   string
	}{
		{"ok", ok, 3, false, "o", 0, ""},
		{"chunked", ok, -1, true, "o", 0, ""},
		{"too large", ok, DefaultMaxFileSize + 1, false, "o", 413, "Your request is too large."},
		{"max size", ok, DefaultMaxFileSize, false, "o", 0, ""},
		{"no length", ok, -1, false, "o", 411, "Missing Content-Length header."},
		{"long name", ok, 0, false, strings.Repeat("o", 1025), 400, "Object name length of 1025 longer than 1024"},
		{"no type", http.Header{}, 0, false, "o", 400, "No content type"},
		{"empty type", http.Header{"Content-Type": {""}}, 0, false, "o", 400, "Invalid Content-Type"},
		{"bad type", http.Header{"Content-Type": {"a\xffb"}}, 0, false, "o", 400, "Invalid Content-Type"},
		{"past", http.Header{"Content-Type": {"a"}, "X-Delete-At": {"5"}}, 0, false, "o", 400, "X-Delete-At in past"},
		{"bad meta", http.Header{"Content-Type": {"a"}, "X-Object-Meta-": {"5"}}, 0, false, "o", 400, "Metadata name cannot be empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Default().CheckObjectCreation(tt.header, tt.length, tt.chunked, tt.object, now, false)
			st, body := status(t, err)
			if st != tt.wantStatus || body != tt.wantBody {
				t.Errorf("CheckObjectCreation = %d %q, want %d %q", st, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestNameLengths(t *testing.T) {
	c := Default()
	if err := c.CheckAccountName(strings.Repeat("a", 256)); err != nil {
		t.Errorf("CheckAccountName(256) = %v", err)
	}
	if _, body := status(t, c.CheckAccountName(strings.Repeat("a", 257))); body != "Account name length of 257 longer than 256" {
		t.Errorf("CheckAccountName(257) body = %q", body)
	}
	if _, body := status(t, c.CheckContainerName(strings.Repeat("c", 300))); body != "Container name length of 300 longer than 256" {
		t.Errorf("CheckContainerName(300) body = %q", body)
	}
}

func TestCheckListingLimit(t *testing.T) {
	tests := []struct {
		in         string
		want       int
		wantStatus int
	}{
		{"", 10000, 0},
		{"5", 5, 0},
		{"0", 0, 0},
		{"10000", 10000, 0},
		{"10001", 0, 412},
		{"99999999999999999999", 0, 412},
		{"-1", 10000, 0}, // not all digits: the default
		{"abc", 10000, 0},
	}
	for _, tt := range tests {
		got, err := CheckListingLimit(tt.in, 10000)
		st, body := status(t, err)
		if got != tt.want || st != tt.wantStatus || (st != 0 && body != "Maximum limit is 10000") {
			t.Errorf("CheckListingLimit(%q) = %d, %d %q; want %d, %d", tt.in, got, st, body, tt.want, tt.wantStatus)
		}
	}
}

func TestCheckReservedNames(t *testing.T) {
	tests := []struct {
		a, c, o  string
		wantBody string
	}{
		{"a", "c", "o", ""},
		{"a\x00", "", "", "Invalid reserved-namespace account"},
		{"a", "c\x00", "", "Invalid reserved-namespace container"},
		{"a", "c", "o\x00", "Invalid reserved-namespace object"},
		{"a", "c", "\x00o", "Invalid reserved-namespace object in user-namespace container"},
		{"a", "\x00c", "o", "Invalid user-namespace object in reserved-namespace container"},
		{"a", "\x00c", "\x00o", ""},
		{".expiring_objects", "c", "\x00o", ""},
	}
	for _, tt := range tests {
		_, body := status(t, CheckReservedNames(tt.a, tt.c, tt.o, "."))
		if body != tt.wantBody {
			t.Errorf("CheckReservedNames(%q, %q, %q) = %q, want %q", tt.a, tt.c, tt.o, body, tt.wantBody)
		}
	}
}

func TestKindPrefixes(t *testing.T) {
	if !Object.IsUserMeta("X-Object-Meta-A") || Object.IsUserMeta("X-Object-Meta-") {
		t.Errorf("IsUserMeta: prefix must be followed by a name")
	}
	if !Container.IsSysMeta("x-container-sysmeta-a") || Container.IsSysMeta("X-Account-Sysmeta-A") {
		t.Errorf("IsSysMeta disagrees")
	}
	if !IsObjectTransientSysMeta("X-Object-Transient-Sysmeta-Crypto") {
		t.Errorf("IsObjectTransientSysMeta disagrees")
	}
}
