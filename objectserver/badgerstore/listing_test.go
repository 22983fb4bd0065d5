package badgerstore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/listingtest"
)

// openListingStore opens a store in a fresh directory, closed when t ends.
func openListingStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), Options{
		Device: "sdl",
		Salt:   hashpath.Salt{Prefix: "pre", Suffix: "suf"},
		Logger: slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestContainers(t *testing.T) {
	listingtest.RunContainers(t, func(t *testing.T) objectserver.ContainerStore { return openListingStore(t) })
}

func TestAccounts(t *testing.T) {
	listingtest.RunAccounts(t, func(t *testing.T) objectserver.AccountStore { return openListingStore(t) })
}

// TestListingKeyLayout pins the keys listing.go documents, by reading
// back everything a few calls wrote.
func TestListingKeyLayout(t *testing.T) {
	s := openListingStore(t)
	ctx := t.Context()
	if _, err := s.PutAccount(ctx, 9, "AUTH_a", listingTS(1), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutContainer(ctx, 7, "AUTH_a", "c", listingTS(1), objectserver.Metadata{"X-Container-Meta-A": {Value: "1", Timestamp: listingTS(1)}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []objectserver.ObjectRow{
		{Name: "b/\u00e9", Timestamp: listingTS(2), Size: 3, ContentType: "text/plain", ETag: "e"},
		{Name: "gone", Timestamp: listingTS(3), Deleted: true},
	} {
		if err := s.PutObjectRow(ctx, 7, "AUTH_a", "c", r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.PutContainerRow(ctx, 9, "AUTH_a", objectserver.ContainerRow{Name: "c", PutTimestamp: listingTS(1), ObjectCount: 1, BytesUsed: 3}); err != nil {
		t.Fatal(err)
	}

	salt := hashpath.Salt{Prefix: "pre", Suffix: "suf"}
	ch := hashpath.MD5(salt, "AUTH_a", "c", "")
	ah := hashpath.MD5(salt, "AUTH_a", "", "")
	key := func(parts ...any) string {
		var b []byte
		for _, p := range parts {
			switch p := p.(type) {
			case byte:
				b = append(b, p)
			case uint32:
				b = binary.BigEndian.AppendUint32(b, p)
			case [16]byte:
				b = append(b, p[:]...)
			case string:
				b = append(b, p...)
			}
		}
		return string(b)
	}
	want := []string{
		key(nsAccount, uint32(9), ah, byte('s')),
		key(nsContainer, uint32(7), ch, byte('m')),
		key(nsContainer, uint32(7), ch, byte('s')),
		key(nsContainerRow, uint32(9), ah, byte(0), "c"),
		key(nsObjectRow, uint32(7), ch, byte(0), "b/\u00e9"),
		key(nsObjectRow, uint32(7), ch, byte(1), "gone"),
	}
	var got []string
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if k := it.Item().Key(); bytes.IndexByte([]byte{nsContainer, nsObjectRow, nsAccount, nsContainerRow}, k[0]) >= 0 {
				got = append(got, string(k))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys\n %q\nwant\n %q", got, want)
	}
}

// TestListingReopen: what was acknowledged is there after the store is
// closed and opened again.
func TestListingReopen(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Salt: hashpath.Salt{Prefix: "pre"}}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "c", listingTS(1), nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			r := objectserver.ObjectRow{Name: fmt.Sprintf("o%02d", i), Timestamp: listingTS(2), Size: int64(i)}
			if err := s.PutObjectRow(ctx, 1, "AUTH_a", "c", r); err != nil {
				t.Errorf("PutObjectRow: %v", err)
			}
		})
	}
	wg.Wait()
	before, _ := s.ListObjects(ctx, 1, "AUTH_a", "c", objectserver.ListQuery{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ContainerInfo(ctx, 1, "AUTH_a", "c"); !errors.Is(err, objectserver.ErrClosed) {
		t.Errorf("ContainerInfo after Close = %v, want ErrClosed", err)
	}
	if err := s.PutObjectRow(ctx, 1, "AUTH_a", "c", objectserver.ObjectRow{Name: "x", Timestamp: listingTS(3)}); !errors.Is(err, objectserver.ErrClosed) {
		t.Errorf("PutObjectRow after Close = %v, want ErrClosed", err)
	}

	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	if err != nil || info.ObjectCount != 50 || info.BytesUsed != 49*50/2 {
		t.Errorf("ContainerInfo after reopening = %+v, %v; want 50 objects, %d bytes", info, err, 49*50/2)
	}
	after, err := s.ListObjects(ctx, 1, "AUTH_a", "c", objectserver.ListQuery{})
	if err != nil || !slices.Equal(after, before) || len(after) != 50 {
		t.Errorf("listing after reopening = %d entries, %v; want the 50 before", len(after), err)
	}
}

// TestListingConflictsRetried races container-level writes (metadata,
// re-PUTs) against row batches of the same container: their transactions
// conflict on the container's state, and every call must still succeed.
func TestListingConflictsRetried(t *testing.T) {
	s := openListingStore(t)
	ctx := t.Context()
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "c", listingTS(1), nil); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 20 {
				r := objectserver.ObjectRow{Name: fmt.Sprintf("o-%d-%d", w, i), Timestamp: listingTS(2), Size: 1}
				if err := s.PutObjectRow(ctx, 1, "AUTH_a", "c", r); err != nil {
					t.Errorf("PutObjectRow: %v", err)
				}
			}
		})
		wg.Go(func() {
			for i := range 20 {
				m := objectserver.Metadata{fmt.Sprintf("X-Container-Meta-%d-%d", w, i): {Value: "v", Timestamp: listingTS(2)}}
				var err error
				if i%2 == 0 {
					err = s.UpdateContainerMeta(ctx, 1, "AUTH_a", "c", m)
				} else {
					_, err = s.PutContainer(ctx, 1, "AUTH_a", "c", listingTS(int64(10+i)), m)
				}
				if err != nil {
					t.Errorf("metadata update: %v", err)
				}
			}
		})
	}
	wg.Wait()
	info, err := s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	if err != nil || info.ObjectCount != 160 || len(info.Metadata) != 160 {
		t.Errorf("ContainerInfo = %d objects, %d metadata items, %v; want 160 and 160", info.ObjectCount, len(info.Metadata), err)
	}
}

// TestPutObjectRowBatches: concurrent rows of one container share
// transactions.
func TestPutObjectRowBatches(t *testing.T) {
	s := openListingStore(t)
	ctx := t.Context()
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "c", listingTS(1), nil); err != nil {
		t.Fatal(err)
	}
	var batches atomic.Int32
	apply := s.listings.objectRows.apply
	s.listings.objectRows.apply = func(ups []objectRowUpdate) []error {
		batches.Add(1)
		return apply(ups)
	}
	const n = 400
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := objectserver.ObjectRow{Name: fmt.Sprintf("o%d", i), Timestamp: listingTS(2), Size: 1}
			if err := s.PutObjectRow(ctx, 1, "AUTH_a", "c", r); err != nil {
				t.Errorf("PutObjectRow: %v", err)
			}
		})
	}
	wg.Wait()
	if info, _ := s.ContainerInfo(ctx, 1, "AUTH_a", "c"); info.ObjectCount != n {
		t.Errorf("ObjectCount = %d, want %d", info.ObjectCount, n)
	}
	if b := batches.Load(); b >= n {
		t.Errorf("%d concurrent rows took %d transactions; want them batched", n, b)
	}
	t.Logf("%d concurrent rows in %d transactions", n, batches.Load())
}

func listingTS(n int64) timestamp.Timestamp { return timestamp.FromTicks(1_700_000_000_00000+n, 0) }

// TestListingUpdateRetriesConflicts: a transaction whose reads another
// transaction overwrote before it committed is run again, and a store
// that never stops conflicting gives up with an error that is not the
// contract's ErrConflict (which means "older than stored").
func TestListingUpdateRetriesConflicts(t *testing.T) {
	s := openListingStore(t)
	key := []byte{nsContainer, 'x'}
	interfere := func() {
		if err := s.db.Update(func(txn *badger.Txn) error { return txn.Set(key, []byte("other")) }); err != nil {
			t.Fatal(err)
		}
	}
	attempts := 0
	err := s.listings.update(t.Context(), func(txn *badger.Txn) error {
		attempts++
		if _, err := txn.Get(key); err != nil && !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		if attempts < 3 {
			interfere()
		}
		return txn.Set(key, []byte("mine"))
	})
	if err != nil || attempts != 3 {
		t.Errorf("update = %v after %d attempts, want success at the 3rd", err, attempts)
	}

	attempts = 0
	err = s.listings.update(t.Context(), func(txn *badger.Txn) error {
		attempts++
		_, _ = txn.Get(key) // only its place in the read set matters
		interfere()
		return txn.Set(key, []byte("mine"))
	})
	if err == nil || errors.Is(err, objectserver.ErrConflict) || errors.Is(err, badger.ErrConflict) || attempts != maxListingConflictRetries {
		t.Errorf("update always conflicting = %v after %d attempts; want a plain error after %d", err, attempts, maxListingConflictRetries)
	}
}

// TestApplyObjectRowsPerContainerErrors: one transaction can carry rows
// of several containers; a row for a missing or deleted container fails
// alone.
func TestApplyObjectRowsPerContainerErrors(t *testing.T) {
	s := openListingStore(t)
	ctx := t.Context()
	for _, c := range []string{"a", "b", "gone"} {
		if _, err := s.PutContainer(ctx, 1, "AUTH_a", c, listingTS(1), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteContainer(ctx, 1, "AUTH_a", "gone", listingTS(2)); err != nil {
		t.Fatal(err)
	}
	row := func(c, name string, size int64) objectRowUpdate {
		return objectRowUpdate{listingContainerID{1, "AUTH_a", c}, objectserver.ObjectRow{Name: name, Timestamp: listingTS(3), Size: size}}
	}
	errs := s.listings.applyObjectRows([]objectRowUpdate{
		row("a", "x", 1), row("missing", "x", 1), row("b", "x", 2), row("gone", "x", 1), row("a", "y", 3),
	})
	for i, wantNotFound := range []bool{false, true, false, true, false} {
		if got := errors.Is(errs[i], objectserver.ErrNotFound); got != wantNotFound || !got && errs[i] != nil {
			t.Errorf("row %d: error %v, want not found: %v", i, errs[i], wantNotFound)
		}
	}
	for c, want := range map[string]int64{"a": 4, "b": 2} {
		info, err := s.ContainerInfo(ctx, 1, "AUTH_a", c)
		if err != nil || info.BytesUsed != want {
			t.Errorf("ContainerInfo(%s) = %d bytes, %v; want %d", c, info.BytesUsed, err, want)
		}
	}
}
