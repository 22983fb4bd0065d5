package tempauth

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestKeysEqual(t *testing.T) {
	tests := []struct {
		want, got string
		equal     bool
	}{
		{"testing", "testing", true},
		{"testing", "testinG", false},
		{"testing", "testing2", false},
		{"testing", "testin", false},
		{"testing", "", false},
		{"", "", true},
		{"k\x00", "k", false},
	}
	for _, tt := range tests {
		if got := keysEqual(tt.want, tt.got); got != tt.equal {
			t.Errorf("keysEqual(%q, %q) = %v, want %v", tt.want, tt.got, got, tt.equal)
		}
	}
}

// TestKeyComparisonConstantTime measures the auth endpoint refusing
// guesses of a long key that differ from it in the first byte and in the
// last. A comparison that stops at the first difference answers the first
// guesses 4-15 times sooner (the 4 MiB memcmp dominates the request); a
// constant-time one takes as long for both.
func TestKeyComparisonConstantTime(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	key := strings.Repeat("k", 4<<20)
	e := newTestEnv(t, Config{Users: []User{{Account: "a", User: "u", Key: key}}})
	first := "x" + key[1:]
	last := key[:len(key)-1] + "x"
	try := func(guess string) time.Duration {
		start := time.Now()
		w := e.do("GET", "/auth/v1.0", http.Header{"X-Auth-User": {"a:u"}, "X-Auth-Key": {guess}})
		d := time.Since(start)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("a wrong key got %d", w.Code)
		}
		return d
	}
	var dFirst, dLast []time.Duration
	for range 60 {
		dFirst = append(dFirst, try(first))
		dLast = append(dLast, try(last))
	}
	median := func(ds []time.Duration) time.Duration { slices.Sort(ds); return ds[len(ds)/2] }
	mf, ml := median(dFirst), median(dLast)
	t.Logf("median refusal: differing first byte %v, last byte %v", mf, ml)
	if ratio := float64(mf) / float64(ml); ratio < 0.5 || ratio > 2 {
		t.Errorf("refusing a key wrong in its first byte takes %v, in its last %v: the comparison leaks where keys differ", mf, ml)
	}
}
