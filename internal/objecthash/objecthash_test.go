package objecthash

import (
	"errors"
	"testing"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name    string
		a, c, o string
		ok      bool
	}{
		{"/a/c/o", "a", "c", "o", true},
		{"/a/c/o/with/slashes", "a", "c", "o/with/slashes", true},
		{"/a/c/", "", "", "", false},
		{"/a/c", "", "", "", false},
		{"a/c/o", "", "", "", false},
		{"//c/o", "", "", "", false},
		{"/a//o", "", "", "", false},
		{"", "", "", "", false},
	}
	for _, tt := range tests {
		a, c, o, ok := Split(tt.name)
		if a != tt.a || c != tt.c || o != tt.o || ok != tt.ok {
			t.Errorf("Split(%q) = %q, %q, %q, %v, want %q, %q, %q, %v", tt.name, a, c, o, ok, tt.a, tt.c, tt.o, tt.ok)
		}
	}
}

func TestOfMatchesHashpath(t *testing.T) {
	salt := hashpath.Salt{Prefix: "changeme", Suffix: "changeme"}
	h, err := Of(salt, "/AUTH_test/c/o")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := h.String(), "4e2772c453cbe15a19b26fbfbb223e31"; got != want {
		t.Errorf("Of(/AUTH_test/c/o) = %s, want %s", got, want)
	}
	if got, want := SuffixString(h.Suffix()), "e31"; got != want {
		t.Errorf("suffix = %s, want %s", got, want)
	}
	if _, err := Of(salt, "/a/c"); !errors.Is(err, ErrBadName) {
		t.Errorf("Of(/a/c) error = %v, want ErrBadName", err)
	}
}

func TestParseSuffixRoundTrip(t *testing.T) {
	for s := range uint16(0x1000) {
		got, ok := ParseSuffix(SuffixString(s))
		if !ok || got != s {
			t.Fatalf("ParseSuffix(SuffixString(%d)) = %d, %v", s, got, ok)
		}
	}
	for _, bad := range []string{"", "00", "0000", "00G", "ABC"} {
		if _, ok := ParseSuffix(bad); ok {
			t.Errorf("ParseSuffix(%q) ok, want not ok", bad)
		}
	}
}

func TestToggleIsOrderIndependentAndReversible(t *testing.T) {
	ts := timestamp.FromTicks(100, 0)
	e1 := Entry(Hash{1}, ts, ts, false)
	e2 := Entry(Hash{2}, ts, ts, true)
	var a, b Digest
	a.Toggle(e1)
	a.Toggle(e2)
	b.Toggle(e2)
	b.Toggle(e1)
	if a != b {
		t.Errorf("order changed the digest: %s != %s", a, b)
	}
	a.Toggle(e1)
	a.Toggle(e2)
	if a != (Digest{}) {
		t.Errorf("toggling twice left %s, want zero", a)
	}
	if Entry(Hash{1}, ts, ts, false) == Entry(Hash{1}, ts, ts, true) {
		t.Error("deleted flag does not change the entry")
	}
	if Entry(Hash{1}, ts, ts, false) == Entry(Hash{1}, ts, ts.Add(10e3), false) {
		t.Error("meta timestamp does not change the entry")
	}
}
