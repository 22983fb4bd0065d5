package storetest

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

func testStatUnknown(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if _, err := s.Stat(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Stat(unknown) = %v, want ErrNotFound", err)
	}
	_, err := s.Open(ctx, 1, "/a/c/o")
	if !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Open(unknown) = %v, want ErrNotFound", err)
	}
	var de *objectserver.DeletedError
	if errors.As(err, &de) {
		t.Errorf("Open(unknown) = %v, want no *DeletedError", err)
	}
	if _, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(1), nil); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("UpdateMeta(unknown) = %v, want ErrNotFound", err)
	}
	// The object is in partition 1, not 2.
	put(t, s, 1, "/a/c/o", ts(1), []byte("x"))
	if _, err := s.Stat(ctx, 2, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Stat in another partition = %v, want ErrNotFound", err)
	}
}

func testBadName(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	for _, name := range []string{"", "/a", "/a/c", "/a/c/", "a/c/o", "//c/o"} {
		if _, err := s.Stat(ctx, 1, name); err == nil || errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("Stat(%q) = %v, want a bad-name error", name, err)
		}
		if w, err := s.Create(ctx, 1, meta(name, ts(1), nil)); err == nil {
			w.Close()
			t.Errorf("Create(%q) succeeded, want an error", name)
		}
		if _, err := s.Delete(ctx, 1, name, ts(1)); err == nil {
			t.Errorf("Delete(%q) succeeded, want an error", name)
		}
	}
	if parts, err := s.Partitions(ctx); err != nil || len(parts) != 0 {
		t.Errorf("Partitions() = %v, %v after bad names, want none", parts, err)
	}
}

func testPutAndRead(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	long := "/AUTH_a/c/" + strings.Repeat("ö/", 340) + "end" // 1024-byte object part
	for i, tt := range []struct {
		name string
		size int
	}{
		{"/a/c/empty", 0},
		{"/a/c/one", 1},
		{"/a/c/small", 4096},
		{"/a/c/inline-edge", 64 << 10},
		{"/a/c/file-edge", 64<<10 + 1},
		{"/a/c/large", 1<<20 + 12345},
		{"/a/c/with/slashes and spaces", 100},
		{long, 10},
	} {
		data := payload(uint64(i), tt.size)
		m := objectserver.ObjectMeta{
			Name:        tt.name,
			Timestamp:   ts(i + 1),
			ContentType: "text/plain",
			Size:        int64(tt.size),
			ETag:        strings.ToUpper(etagOf(data)), // case does not matter
			DeleteAt:    1900000000,
			Headers:     map[string]string{"X-Object-Meta-Name": "ü", "Content-Encoding": "gzip"},
		}
		got := write(t, s, 7, m, data)
		want := m
		want.ETag = etagOf(data)
		want.MetaTimestamp = m.Timestamp
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Commit(%s) = %+v, want %+v", tt.name, got, want)
		}
		if st, ok := stat(t, s, 7, tt.name); !ok || !reflect.DeepEqual(st, want) {
			t.Errorf("Stat(%s) = %+v, %v, want %+v", tt.name, st, ok, want)
		}
		r, err := s.Open(ctx, 7, tt.name)
		if err != nil {
			t.Fatalf("Open(%s) = %v", tt.name, err)
		}
		if rm := r.Meta(); !reflect.DeepEqual(rm, want) {
			t.Errorf("Meta() of %s = %+v, want %+v", tt.name, rm, want)
		}
		if err := r.Close(); err != nil {
			t.Errorf("reader Close = %v", err)
		}
		checkData(t, s, 7, tt.name, data)
	}
	// Returned metadata is a copy.
	st, _ := stat(t, s, 7, "/a/c/one")
	st.Headers["X-Object-Meta-Name"] = "changed"
	if again, _ := stat(t, s, 7, "/a/c/one"); again.Headers["X-Object-Meta-Name"] != "ü" {
		t.Errorf("changing Stat's Headers changed the store: %v", again.Headers)
	}
}

func testUnknownSize(t *testing.T, open Opener) {
	s := open(t)
	for i, size := range []int{0, 10, 64 << 10, 64<<10 + 1, 300 << 10} {
		data := payload(uint64(i), size)
		m := meta("/a/c/chunked", ts(i+1), data)
		m.Size = -1
		got := write(t, s, 1, m, data)
		if got.Size != int64(size) || got.ETag != etagOf(data) {
			t.Errorf("Commit of %d bytes of unknown size = size %d etag %s, want %d %s", size, got.Size, got.ETag, size, etagOf(data))
		}
		checkData(t, s, 1, "/a/c/chunked", data)
	}
}

func testInvisibleUntilCommit(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		old := payload(1, size)
		put(t, s, 1, "/a/c/o", ts(1), old)
		before := suffixHashes(t, s, 1)

		data := payload(2, size)
		w, err := s.Create(ctx, 1, meta("/a/c/o", ts(2), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if st, _ := stat(t, s, 1, "/a/c/o"); st.Timestamp != ts(1) {
			t.Errorf("size %d: before Commit, Stat shows %s, want the old %s", size, st.Timestamp, ts(1))
		}
		checkData(t, s, 1, "/a/c/o", old)
		if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
			t.Errorf("size %d: suffix hashes changed before Commit", size)
		}
		// A new object is not visible either.
		w2, err := s.Create(ctx, 1, meta("/a/c/new", ts(2), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w2.Write(data); err != nil {
			t.Fatal(err)
		}
		if _, ok := stat(t, s, 1, "/a/c/new"); ok {
			t.Errorf("size %d: new object visible before Commit", size)
		}
		for _, w := range []objectserver.ObjectWriter{w, w2} {
			if _, err := w.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close after Commit = %v", err)
			}
		}
		checkData(t, s, 1, "/a/c/o", data)
		checkData(t, s, 1, "/a/c/new", data)
	}
}

func testCloseWithoutCommit(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		put(t, s, 1, "/a/c/o", ts(1), []byte("old"))
		before := suffixHashes(t, s, 1)
		for _, name := range []string{"/a/c/o", "/a/c/new"} {
			data := payload(3, size)
			w, err := s.Create(ctx, 1, meta(name, ts(2), data))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(data[:size/2]); err != nil {
				t.Fatal(err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close without Commit = %v, want nil", err)
			}
			if err := w.Close(); err != nil {
				t.Errorf("second Close = %v, want nil", err)
			}
		}
		checkData(t, s, 1, "/a/c/o", []byte("old"))
		if _, ok := stat(t, s, 1, "/a/c/new"); ok {
			t.Errorf("size %d: discarded object is visible", size)
		}
		if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
			t.Errorf("size %d: suffix hashes changed by discarded writes", size)
		}
		// The discarded timestamp is free for a real write.
		put(t, s, 1, "/a/c/new", ts(2), []byte("new"))
	}
}

func testWriterAfterDone(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	w, err := s.Create(ctx, 1, meta("/a/c/o", ts(1), []byte("abc")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("d")); err == nil {
		t.Error("Write after Commit succeeded")
	}
	if _, err := w.Commit(ctx); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := w.Close(); err != nil {
		t.Errorf("Close = %v", err)
	}
	if _, err := w.Write([]byte("d")); err == nil {
		t.Error("Write after Close succeeded")
	}
	checkData(t, s, 1, "/a/c/o", []byte("abc"))
}

func testNewestWins(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, 1, "/a/c/o", ts(5), []byte("five"))
	before := suffixHashes(t, s, 1)
	for _, at := range []int{4, 5} {
		_, err := s.Create(ctx, 1, meta("/a/c/o", ts(at), []byte("x")))
		wantConflict(t, "Create older or equal", err, ts(5))
	}
	checkData(t, s, 1, "/a/c/o", []byte("five"))
	if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
		t.Error("suffix hashes changed by rejected writes")
	}
	put(t, s, 1, "/a/c/o", ts(6), []byte("six"))
	checkData(t, s, 1, "/a/c/o", []byte("six"))
	// A timestamp offset orders writes within one tick.
	put(t, s, 1, "/a/c/o", ts(6).WithOffset(1), []byte("six+"))
	checkData(t, s, 1, "/a/c/o", []byte("six+"))
	if st, _ := stat(t, s, 1, "/a/c/o"); st.Timestamp != ts(6).WithOffset(1) {
		t.Errorf("Timestamp = %s, want %s", st.Timestamp, ts(6).WithOffset(1))
	}
}

func testConflictAtCommit(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		older, newer := payload(1, size), payload(2, size)
		w1, err := s.Create(ctx, 1, meta("/a/c/o", ts(1), older))
		if err != nil {
			t.Fatal(err)
		}
		defer w1.Close()
		if _, err := w1.Write(older); err != nil {
			t.Fatal(err)
		}
		put(t, s, 1, "/a/c/o", ts(2), newer)
		before := suffixHashes(t, s, 1)
		_, err = w1.Commit(ctx)
		wantConflict(t, "Commit of an older version", err, ts(2))
		if err := w1.Close(); err != nil {
			t.Errorf("Close after failed Commit = %v, want nil", err)
		}
		checkData(t, s, 1, "/a/c/o", newer)
		if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
			t.Errorf("size %d: suffix hashes changed by a failed Commit", size)
		}
		// A tombstone stored meanwhile also wins.
		w2, err := s.Create(ctx, 1, meta("/a/c/o", ts(3), older))
		if err != nil {
			t.Fatal(err)
		}
		defer w2.Close()
		if _, err := w2.Write(older); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Delete(ctx, 1, "/a/c/o", ts(4)); err != nil {
			t.Fatal(err)
		}
		_, err = w2.Commit(ctx)
		wantConflict(t, "Commit older than a tombstone", err, ts(4))
		if st, _ := stat(t, s, 1, "/a/c/o"); !st.Deleted || st.Timestamp != ts(4) {
			t.Errorf("after failed Commit: Stat = %+v, want the tombstone at %s", st, ts(4))
		}
	}
}

func testSameTimestampRace(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		const n = 4
		var ws []objectserver.ObjectWriter
		for i := range n {
			data := payload(uint64(i), size)
			w, err := s.Create(ctx, 1, meta("/a/c/o", ts(1), data))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := w.Write(data); err != nil {
				t.Fatal(err)
			}
			ws = append(ws, w)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, w := range ws {
			wg.Go(func() { _, errs[i] = w.Commit(ctx) })
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Errorf("size %d: writers %d and %d both committed at the same timestamp", size, winner, i)
			case err == nil:
				winner = i
			default:
				wantConflict(t, "losing Commit", err, ts(1))
			}
		}
		if winner < 0 {
			t.Fatalf("size %d: no writer committed: %v", size, errs)
		}
		checkData(t, s, 1, "/a/c/o", payload(uint64(winner), size))
	}
}

func testCancelledContext(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		data := payload(1, size)
		before := suffixHashes(t, s, 1)

		// Cancelled between writes.
		ctx, cancel := context.WithCancel(context.Background())
		w, err := s.Create(ctx, 1, meta("/a/c/o", ts(1), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data[:size/2]); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := w.Write(data[size/2:]); err == nil {
			t.Errorf("size %d: Write after cancel succeeded", size)
		}
		if _, err := w.Commit(context.Background()); err == nil {
			t.Errorf("size %d: Commit after cancel succeeded", size)
		}
		if err := w.Close(); !errors.Is(err, context.Canceled) {
			t.Errorf("size %d: Close after cancel = %v, want context.Canceled", size, err)
		}
		if err := w.Close(); !errors.Is(err, context.Canceled) {
			t.Errorf("size %d: second Close after cancel = %v, want context.Canceled", size, err)
		}

		// Cancelled with all data written, before Commit.
		ctx, cancel = context.WithCancel(context.Background())
		w, err = s.Create(ctx, 1, meta("/a/c/o", ts(2), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		cancel()
		if _, err := w.Commit(context.Background()); err == nil {
			t.Errorf("size %d: Commit after cancel succeeded", size)
		}
		if err := w.Close(); !errors.Is(err, context.Canceled) {
			t.Errorf("size %d: Close after cancel = %v, want context.Canceled", size, err)
		}

		// Commit's own context counts too.
		w, err = s.Create(context.Background(), 1, meta("/a/c/o", ts(3), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		cctx, ccancel := context.WithCancel(context.Background())
		ccancel()
		if _, err := w.Commit(cctx); err == nil {
			t.Errorf("size %d: Commit with a cancelled context succeeded", size)
		}
		w.Close()

		if _, ok := stat(t, s, 1, "/a/c/o"); ok {
			t.Errorf("size %d: a cancelled write is visible", size)
		}
		if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
			t.Errorf("size %d: suffix hashes changed by cancelled writes", size)
		}

		// Cancelling after Commit changes nothing.
		ctx, cancel = context.WithCancel(context.Background())
		w, err = s.Create(ctx, 1, meta("/a/c/o", ts(4), data))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		if err := w.Close(); err != nil {
			t.Errorf("size %d: Close after Commit and cancel = %v, want nil", size, err)
		}
		checkData(t, s, 1, "/a/c/o", data)

		// A cancelled context fails Create.
		if w, err := s.Create(ctx, 1, meta("/a/c/o", ts(5), data)); err == nil {
			w.Close()
			t.Errorf("size %d: Create with a cancelled context succeeded", size)
		}
	}
}

func testSizeMismatch(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		data := payload(1, size)
		for _, tt := range []struct {
			name  string
			write []byte
		}{
			{"short", data[:size-1]},
			{"long", append(append([]byte(nil), data...), 'x')},
		} {
			w, err := s.Create(ctx, 1, meta("/a/c/o", ts(1), data))
			if err != nil {
				t.Fatal(err)
			}
			_, werr := w.Write(tt.write)
			_, cerr := w.Commit(ctx)
			if !errors.Is(werr, objectserver.ErrSizeMismatch) && !errors.Is(cerr, objectserver.ErrSizeMismatch) {
				t.Errorf("size %d, %s: Write = %v, Commit = %v, want ErrSizeMismatch from one", size, tt.name, werr, cerr)
			}
			if cerr == nil {
				t.Errorf("size %d, %s: Commit succeeded", size, tt.name)
			}
			if err := w.Close(); err != nil {
				t.Errorf("Close = %v", err)
			}
			if _, ok := stat(t, s, 1, "/a/c/o"); ok {
				t.Errorf("size %d, %s: object visible after a size mismatch", size, tt.name)
			}
		}
	}
}

func testETagMismatch(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		data := payload(1, size)
		m := meta("/a/c/o", ts(1), data)
		m.ETag = etagOf([]byte("something else"))
		w, err := s.Create(ctx, 1, m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx); !errors.Is(err, objectserver.ErrETagMismatch) {
			t.Errorf("size %d: Commit = %v, want ErrETagMismatch", size, err)
		}
		w.Close()
		if _, ok := stat(t, s, 1, "/a/c/o"); ok {
			t.Errorf("size %d: object visible after an etag mismatch", size)
		}
		m.ETag = etagOf(data)
		write(t, s, 1, m, data)
		checkData(t, s, 1, "/a/c/o", data)
	}
}

func testTombstones(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	live := put(t, s, 1, "/a/c/o", ts(1), payload(1, 100<<10))
	prev, err := s.Delete(ctx, 1, "/a/c/o", ts(2))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(prev, live) {
		t.Errorf("Delete returned %+v, want the live version %+v", prev, live)
	}
	tomb := objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: ts(2), MetaTimestamp: ts(2), Deleted: true}
	if st, ok := stat(t, s, 1, "/a/c/o"); !ok || !reflect.DeepEqual(st, tomb) {
		t.Errorf("Stat(deleted) = %+v, %v, want %+v", st, ok, tomb)
	}
	_, err = s.Open(ctx, 1, "/a/c/o")
	var de *objectserver.DeletedError
	if !errors.As(err, &de) || !errors.Is(err, objectserver.ErrNotFound) {
		t.Fatalf("Open(deleted) = %v, want a *DeletedError matching ErrNotFound", err)
	}
	if !reflect.DeepEqual(de.Tombstone, tomb) {
		t.Errorf("DeletedError.Tombstone = %+v, want %+v", de.Tombstone, tomb)
	}
	if _, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(3), nil); !errors.As(err, &de) {
		t.Errorf("UpdateMeta(deleted) = %v, want a *DeletedError", err)
	}
	// A newer tombstone replaces the older, returning it.
	prev, err = s.Delete(ctx, 1, "/a/c/o", ts(3))
	if err != nil || !reflect.DeepEqual(prev, tomb) {
		t.Errorf("Delete of a tombstone = %+v, %v, want %+v", prev, err, tomb)
	}
	// A write older than the tombstone loses; a newer one revives.
	_, err = s.Create(ctx, 1, meta("/a/c/o", ts(3), nil))
	wantConflict(t, "Create at the tombstone's timestamp", err, ts(3))
	put(t, s, 1, "/a/c/o", ts(4), []byte("back"))
	checkData(t, s, 1, "/a/c/o", []byte("back"))
}

func testDeleteUnknown(t *testing.T, open Opener) {
	s := open(t)
	prev, err := s.Delete(context.Background(), 3, "/a/c/never", ts(5))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(prev, objectserver.ObjectMeta{}) {
		t.Errorf("Delete(unknown) returned %+v, want the zero ObjectMeta", prev)
	}
	st, ok := stat(t, s, 3, "/a/c/never")
	if !ok || !st.Deleted || st.Timestamp != ts(5) {
		t.Errorf("Stat after Delete(unknown) = %+v, %v, want a tombstone at %s", st, ok, ts(5))
	}
	if parts, _ := s.Partitions(context.Background()); !reflect.DeepEqual(parts, []uint32{3}) {
		t.Errorf("Partitions() = %v, want [3]", parts)
	}
	// The tombstone keeps older writes out.
	_, err = s.Create(context.Background(), 3, meta("/a/c/never", ts(4), nil))
	wantConflict(t, "Create older than the tombstone", err, ts(5))
}

func testDeleteConflicts(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, 1, "/a/c/o", ts(2), []byte("data"))
	for _, at := range []int{1, 2} {
		_, err := s.Delete(ctx, 1, "/a/c/o", ts(at))
		wantConflict(t, "Delete older or equal", err, ts(2))
	}
	before := suffixHashes(t, s, 1)
	checkData(t, s, 1, "/a/c/o", []byte("data"))
	if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
		t.Error("suffix hashes changed by rejected deletes")
	}
	// A POST's timestamp does not count, as in Swift: a DELETE newer than
	// the data wins over a newer POST.
	if _, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(5), nil); err != nil {
		t.Fatal(err)
	}
	prev, err := s.Delete(ctx, 1, "/a/c/o", ts(3))
	if err != nil || prev.MetaTimestamp != ts(5) {
		t.Errorf("Delete between the data and the metadata = %+v, %v; want the replaced version", prev, err)
	}
	if m, err := s.Stat(ctx, 1, "/a/c/o"); err != nil || !m.Deleted || m.Timestamp != ts(3) {
		t.Errorf("Stat after the delete = %+v, %v; want a tombstone at %v", m, err, ts(3))
	}
	_, err = s.Delete(ctx, 1, "/a/c/o", ts(3))
	wantConflict(t, "Delete at the tombstone's timestamp", err, ts(3))
}

func testUpdateMeta(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		data := payload(1, size)
		orig := put(t, s, 1, "/a/c/o", ts(1), data)
		before := suffixHashes(t, s, 1)
		got, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(2), func(m *objectserver.ObjectMeta) {
			if !reflect.DeepEqual(*m, orig) {
				t.Errorf("update sees %+v, want %+v", *m, orig)
			}
			m.Headers = map[string]string{"X-Object-Meta-New": "1"}
			m.ContentType = "image/png"
			m.DeleteAt = 2000000000
			// Changes to anything else are ignored.
			m.Name = "/a/c/other"
			m.Size = 1
			m.ETag = "nope"
			m.Timestamp = ts(9)
			m.Deleted = true
		})
		if err != nil {
			t.Fatal(err)
		}
		want := orig
		want.Headers = map[string]string{"X-Object-Meta-New": "1"}
		want.ContentType = "image/png"
		want.DeleteAt = 2000000000
		want.MetaTimestamp = ts(2)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("UpdateMeta = %+v, want %+v", got, want)
		}
		if st, _ := stat(t, s, 1, "/a/c/o"); !reflect.DeepEqual(st, want) {
			t.Errorf("Stat after UpdateMeta = %+v, want %+v", st, want)
		}
		checkData(t, s, 1, "/a/c/o", data)
		if after := suffixHashes(t, s, 1); maps.Equal(after, before) {
			t.Errorf("size %d: suffix hashes unchanged by UpdateMeta", size)
		}
		// A nil update only moves MetaTimestamp; removing all headers
		// leaves none.
		got, err = s.UpdateMeta(ctx, 1, "/a/c/o", ts(3), func(m *objectserver.ObjectMeta) { m.Headers = nil })
		if err != nil {
			t.Fatal(err)
		}
		if got.Headers != nil || got.MetaTimestamp != ts(3) {
			t.Errorf("UpdateMeta clearing headers = %+v", got)
		}
		// Data can be replaced after a POST by a newer PUT.
		put(t, s, 1, "/a/c/o", ts(4), []byte("new"))
		checkData(t, s, 1, "/a/c/o", []byte("new"))
	}
}

func testUpdateMetaConflicts(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, 1, "/a/c/o", ts(2), []byte("data"))
	_, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(2), nil)
	wantConflict(t, "UpdateMeta at the data's timestamp", err, ts(2))
	if _, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(4), nil); err != nil {
		t.Fatal(err)
	}
	before, _ := stat(t, s, 1, "/a/c/o")
	for _, at := range []int{3, 4} {
		_, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(at), func(m *objectserver.ObjectMeta) { m.ContentType = "x/y" })
		wantConflict(t, "UpdateMeta older or equal", err, ts(4))
	}
	if after, _ := stat(t, s, 1, "/a/c/o"); !reflect.DeepEqual(after, before) {
		t.Errorf("rejected UpdateMeta changed %+v to %+v", before, after)
	}
	// PUT compares with the data's timestamp: a PUT older than the POST
	// but newer than the data wins, as in Swift.
	put(t, s, 1, "/a/c/o", ts(3), []byte("put"))
	if st, _ := stat(t, s, 1, "/a/c/o"); st.Timestamp != ts(3) || st.MetaTimestamp != ts(3) {
		t.Errorf("after PUT at %s: Stat = %+v", ts(3), st)
	}
}
