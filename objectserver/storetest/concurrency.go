package storetest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
)

// testConcurrentSameObject races writers, deleters and posters on one
// object while readers check that every version they read is whole: its
// bytes match its ETag and Size.
func testConcurrentSameObject(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const (
		writers = 6
		rounds  = 8
		readers = 3
	)
	// Every successful PUT or DELETE stores a Timestamp newer than the
	// stored one, and POSTs do not change it: the final Timestamp is the
	// newest PUT or DELETE that succeeded.
	var newest atomic.Int64 // tick of the newest PUT or DELETE that succeeded
	bump := func(at timestamp.Timestamp) {
		for {
			cur := newest.Load()
			if at.Ticks() <= cur || newest.CompareAndSwap(cur, at.Ticks()) {
				return
			}
		}
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				at := ts(r*writers + w + 1)
				var err error
				data := true
				switch (r + w) % 4 {
				case 0, 1:
					size := 10
					if w%2 == 0 {
						size = 100 << 10
					}
					data := payload(uint64(at.Ticks()), size)
					_, err = tryWrite(ctx, s, 1, meta("/a/c/o", at, data), data)
				case 2:
					_, err = s.Delete(ctx, 1, "/a/c/o", at)
				case 3:
					data = false
					_, err = s.UpdateMeta(ctx, 1, "/a/c/o", at, func(m *objectserver.ObjectMeta) {
						m.Headers = map[string]string{"X-Object-Meta-At": at.Internal()}
					})
				}
				switch {
				case err == nil && data:
					bump(at)
				case err == nil:
				case errors.Is(err, objectserver.ErrConflict), errors.Is(err, objectserver.ErrNotFound):
				default:
					t.Errorf("write at %s: %v", at, err)
				}
			}
		})
	}
	stop := make(chan struct{})
	var rg sync.WaitGroup
	for range readers {
		rg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				r, err := s.Open(ctx, 1, "/a/c/o")
				if errors.Is(err, objectserver.ErrNotFound) {
					continue
				}
				if err != nil {
					t.Errorf("Open: %v", err)
					return
				}
				m := r.Meta()
				h := md5.New()
				n, err := io.Copy(h, r.Section(0, m.Size))
				r.Close()
				if err != nil || n != m.Size || hex.EncodeToString(h.Sum(nil)) != m.ETag {
					t.Errorf("read of version %s: %d bytes, %v; want %d bytes of etag %s", m.Timestamp, n, err, m.Size, m.ETag)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	rg.Wait()
	st, ok := stat(t, s, 1, "/a/c/o")
	if !ok {
		t.Fatal("object unknown after the race")
	}
	if got := st.Timestamp.Ticks(); got != newest.Load() {
		t.Errorf("final version at tick %d, want the newest committed, %d", got, newest.Load())
	}
	if st.MetaTimestamp.Compare(st.Timestamp) < 0 {
		t.Errorf("MetaTimestamp %s older than Timestamp %s", st.MetaTimestamp, st.Timestamp)
	}
	if !st.Deleted {
		_, m := read(t, s, 1, "/a/c/o")
		if m.Timestamp != st.Timestamp {
			t.Errorf("read version %s, Stat %s", m.Timestamp, st.Timestamp)
		}
	}
}

// testConcurrentObjects writes many objects at once and compares the
// result with the reference store.
func testConcurrentObjects(t *testing.T, open Opener) {
	s := open(t)
	ref := memstore.New(Salt)
	ctx := context.Background()
	const (
		workers = 16
		each    = 12
	)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				name := fmt.Sprintf("/a/c/w%d-%d", w, i)
				part := uint32(i % 3)
				size := 100 + i
				if i == 5 {
					size = 70 << 10
				}
				data := payload(uint64(w*each+i), size)
				if _, err := tryWrite(ctx, s, part, meta(name, ts(1), data), data); err != nil {
					t.Errorf("write %s: %v", name, err)
				}
				if i%4 == 3 {
					if _, err := s.Delete(ctx, part, name, ts(2)); err != nil {
						t.Errorf("delete %s: %v", name, err)
					}
				}
				if i%4 == 1 {
					if r, err := s.Open(ctx, part, name); err != nil {
						t.Errorf("open %s: %v", name, err)
					} else {
						r.Close()
					}
				}
			}
		})
	}
	wg.Wait()
	for w := range workers {
		for i := range each {
			name := fmt.Sprintf("/a/c/w%d-%d", w, i)
			part := uint32(i % 3)
			size := 100 + i
			if i == 5 {
				size = 70 << 10
			}
			data := payload(uint64(w*each+i), size)
			put(t, ref, part, name, ts(1), data)
			if i%4 == 3 {
				if _, err := ref.Delete(ctx, part, name, ts(2)); err != nil {
					t.Fatal(err)
				}
			} else {
				checkData(t, s, part, name, data)
			}
		}
	}
	for part := range uint32(3) {
		if got, want := suffixHashes(t, s, part), suffixHashes(t, ref, part); !maps.Equal(got, want) {
			t.Errorf("partition %d: suffix hashes differ from the reference's", part)
		}
	}
}
