package storetest

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
)

// Reclaimer is an ObjectStore that forgets old tombstones.
type Reclaimer interface {
	objectserver.ObjectStore
	// ReclaimTombstones removes the partition's tombstones older than the
	// store's reclaim age and returns how many it removed.
	ReclaimTombstones(ctx context.Context, part uint32) (int, error)
}

// ReclaimOpener returns a new, empty store with the given clock and
// reclaim age.
type ReclaimOpener func(t *testing.T, now func() time.Time, reclaimAge time.Duration) Reclaimer

// Clock is a settable clock for tests.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock showing t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// RunReclaim tests ReclaimTombstones with a clock the test moves.
func RunReclaim(t *testing.T, open ReclaimOpener) {
	const age = 7 * 24 * time.Hour
	start := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	clock := NewClock(start)
	s := open(t, clock.Now, age)
	ctx := context.Background()
	at := func(d time.Duration) timestamp.Timestamp { return timestamp.New(start.Add(d)) }

	put(t, s, 1, "/a/c/live-old", at(-30*24*time.Hour), []byte("kept: not a tombstone"))
	for _, name := range []string{"/a/c/t1", "/a/c/t2", "/a/c/t3"} {
		if _, err := s.Delete(ctx, 1, name, at(-8*24*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Delete(ctx, 1, "/a/c/recent", at(-6*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, 2, "/a/c/other-part", at(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(ctx, 3, "/a/c/alone", at(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}

	n, err := s.ReclaimTombstones(ctx, 1)
	if err != nil || n != 3 {
		t.Fatalf("ReclaimTombstones(1) = %d, %v, want 3", n, err)
	}
	for _, name := range []string{"/a/c/t1", "/a/c/t2", "/a/c/t3"} {
		if m, ok := stat(t, s, 1, name); ok {
			t.Errorf("Stat(%s) after reclaim = %+v, want not found", name, m)
		}
	}
	for _, name := range []string{"/a/c/live-old", "/a/c/recent"} {
		if _, ok := stat(t, s, 1, name); !ok {
			t.Errorf("%s was reclaimed", name)
		}
	}
	if _, ok := stat(t, s, 2, "/a/c/other-part"); !ok {
		t.Error("a tombstone of another partition was reclaimed")
	}

	// The suffix hashes are those of a store that never had them.
	ref := memstore.New(Salt)
	put(t, ref, 1, "/a/c/live-old", at(-30*24*time.Hour), []byte("kept: not a tombstone"))
	if _, err := ref.Delete(ctx, 1, "/a/c/recent", at(-6*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, want := suffixHashes(t, s, 1), suffixHashes(t, ref, 1); !maps.Equal(got, want) {
		t.Errorf("suffix hashes after reclaim = %v, want %v", got, want)
	}

	// Two days later the recent one goes too; nothing is left to do after.
	clock.Advance(2 * 24 * time.Hour)
	if n, err := s.ReclaimTombstones(ctx, 1); err != nil || n != 1 {
		t.Errorf("ReclaimTombstones(1) two days later = %d, %v, want 1", n, err)
	}
	if n, err := s.ReclaimTombstones(ctx, 1); err != nil || n != 0 {
		t.Errorf("ReclaimTombstones(1) again = %d, %v, want 0", n, err)
	}
	// An emptied partition disappears.
	if n, err := s.ReclaimTombstones(ctx, 3); err != nil || n != 1 {
		t.Errorf("ReclaimTombstones(3) = %d, %v, want 1", n, err)
	}
	if parts, err := s.Partitions(ctx); err != nil || !slices.Equal(parts, []uint32{1, 2}) {
		t.Errorf("Partitions() = %v, %v, want [1 2]", parts, err)
	}
	if h := suffixHashes(t, s, 3); len(h) != 0 {
		t.Errorf("SuffixHashes(3) of an emptied partition = %v", h)
	}
	// A reclaimed object can be written again at any timestamp.
	put(t, s, 1, "/a/c/t1", at(-20*24*time.Hour), []byte("old but welcome"))
}
