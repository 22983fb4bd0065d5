package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/internal/vfs"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
)

var t0 = timestamp.New(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))

func at(i int) timestamp.Timestamp { return t0.Add(time.Duration(i) * time.Second) }

// data is n bytes that differ from block to block.
func data(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7+i/65536)
	}
	return b
}

func mustPut(t testing.TB, s objectserver.ObjectStore, part uint32, name string, ts timestamp.Timestamp, d []byte) objectserver.ObjectMeta {
	t.Helper()
	w, err := s.Create(context.Background(), part, objectserver.ObjectMeta{Name: name, Timestamp: ts, Size: int64(len(d)), ContentType: "x/y"})
	if err != nil {
		t.Fatalf("Create(%s): %v", name, err)
	}
	defer w.Close()
	if _, err := w.Write(d); err != nil {
		t.Fatalf("Write(%s): %v", name, err)
	}
	m, err := w.Commit(context.Background())
	if err != nil {
		t.Fatalf("Commit(%s): %v", name, err)
	}
	return m
}

func mustRead(t testing.TB, s objectserver.ObjectStore, part uint32, name string) []byte {
	t.Helper()
	r, err := s.Open(context.Background(), part, name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r.Section(0, r.Meta().Size))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

func TestRecordRoundTrip(t *testing.T) {
	live := objectserver.ObjectMeta{
		Name: "/a/c/ö b", Timestamp: at(1), MetaTimestamp: at(2).WithOffset(3), ContentType: "text/plain",
		Size: 5, ETag: "5d41402abc4b2a76b9719d911017c592", DeleteAt: -1,
		Headers: map[string]string{"X-Object-Meta-B": "2", "X-Object-Meta-A": ""},
	}
	tests := []struct {
		name string
		rec  record
	}{
		{"inline", record{meta: live, data: []byte("hello"), dataSum: 42}},
		{"file", record{meta: live, hasFile: true, fileID: 1<<63 + 5, blockSize: dataBlockSize}},
		{"tombstone", record{meta: objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(3), MetaTimestamp: at(3), Deleted: true}}},
		{"no headers", record{meta: objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(3), MetaTimestamp: at(3), ETag: live.ETag}, data: []byte{}}},
	}
	for _, tt := range tests {
		enc, err := tt.rec.encode(nil)
		if err != nil {
			t.Fatalf("%s: encode: %v", tt.name, err)
		}
		got, err := decodeRecord(enc, true)
		if err != nil {
			t.Fatalf("%s: decode: %v", tt.name, err)
		}
		if !reflect.DeepEqual(*got, tt.rec) && !(len(got.data) == 0 && len(tt.rec.data) == 0 && reflect.DeepEqual(got.meta, tt.rec.meta)) {
			t.Errorf("%s: round trip = %+v, want %+v", tt.name, *got, tt.rec)
		}
		noData, err := decodeRecord(enc, false)
		if err != nil || noData.data != nil || !reflect.DeepEqual(noData.meta, tt.rec.meta) {
			t.Errorf("%s: decode without data = %+v, %v", tt.name, noData, err)
		}
		// Every truncation is an error, never a panic.
		for n := range len(enc) {
			if _, err := decodeRecord(enc[:n], true); !errors.Is(err, errBadRecord) {
				t.Errorf("%s: decode of %d of %d bytes = %v, want errBadRecord", tt.name, n, len(enc), err)
			}
		}
	}
	if _, err := (&record{meta: objectserver.ObjectMeta{Name: "/a/c/o", ETag: "nothex"}}).encode(nil); err == nil {
		t.Error("encode of a non-MD5 etag succeeded")
	}
}

func FuzzDecodeRecord(f *testing.F) {
	rec := record{meta: objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(1), MetaTimestamp: at(1), ETag: "5d41402abc4b2a76b9719d911017c592",
		Size: 2, Headers: map[string]string{"K": "v"}}, data: []byte("hi")}
	enc, _ := rec.encode(nil)
	f.Add(enc) // a valid inline record
	rec.hasFile, rec.data = true, nil
	enc, _ = rec.encode(nil)
	f.Add(enc)                      // a valid file record
	f.Add([]byte{1, 1})             // a tombstone cut short
	f.Add([]byte{1, 0, 0xff, 0xff}) // garbage after the flags
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b, true)
		if err != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		again, err := r.encode(nil)
		if err != nil {
			return // e.g. an etag that is not an MD5 cannot be stored
		}
		r2, err := decodeRecord(again, true)
		if err != nil || !reflect.DeepEqual(r2.meta, r.meta) {
			t.Fatalf("re-decode = %+v, %v, want %+v", r2, err, r.meta)
		}
	})
}

func TestPendingRoundTrip(t *testing.T) {
	u := objectserver.PendingUpdate{Method: "PUT", Account: "a", Container: "c", Object: "o/ü", Timestamp: at(1),
		Headers: map[string][]string{"X-Size": {"1"}, "X-Two": {"a", "b"}}, ContainerPartition: 1 << 20,
		Targets: []string{"1.2.3.4:5/d"}}
	enc := encodePending(&u)
	got, err := decodePending(enc)
	if err != nil || !reflect.DeepEqual(got, u) {
		t.Errorf("round trip = %+v, %v, want %+v", got, err, u)
	}
	for n := range len(enc) {
		if _, err := decodePending(enc[:n]); err == nil {
			t.Errorf("decode of %d of %d bytes succeeded", n, len(enc))
		}
	}
}

func TestDataFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	const block = 16
	for _, size := range []int{1, 15, 16, 17, 32, 100, 5000} {
		d := data(byte(size), size)
		f, err := vfs.OS{}.Create(filepath.Join(dir, fmt.Sprint(size)))
		if err != nil {
			t.Fatal(err)
		}
		w := newDataWriter(f, block)
		// Pieces of every size, so that both the copying and the direct
		// path run.
		for rest, n := d, 1; len(rest) > 0; n = n*3 + 1 {
			k := min(n, len(rest))
			if _, err := w.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		if err := w.finish(func(sync func() error) error { return sync() }); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(f.Name())
		if st.Size() != dataFileLen(int64(size), block) {
			t.Errorf("size %d: file of %d bytes, want %d", size, st.Size(), dataFileLen(int64(size), block))
		}
		dr, err := openDataReader(f, int64(size), block)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off <= size; off += 1 + size/9 {
			for _, n := range []int{0, 1, block - 1, block, 2*block + 3, size} {
				n = min(n, size-off)
				got := make([]byte, n)
				for pos := 0; pos < n; {
					k, err := dr.readAt(got[pos:], int64(off+pos))
					if err != nil || k == 0 {
						t.Fatalf("size %d: readAt(%d) = %d, %v", size, off+pos, k, err)
					}
					pos += k
				}
				if !bytes.Equal(got, d[off:off+n]) {
					t.Fatalf("size %d: [%d, +%d) differs", size, off, n)
				}
			}
		}
		if _, err := openDataReader(f, int64(size)+1, block); !errors.Is(err, errChecksum) {
			t.Errorf("size %d: open with the wrong size = %v, want errChecksum", size, err)
		}
		f.Close()
	}
}

func TestParseDataName(t *testing.T) {
	h := objecthash.Hash{1, 2, 3, 0xff}
	gh, id, ok := parseDataName(dataName(h, 0xdeadbeef))
	if !ok || gh != h || id != 0xdeadbeef {
		t.Errorf("parseDataName(dataName) = %v, %x, %v", gh, id, ok)
	}
	for _, bad := range []string{"", "x.data", h.String() + ".data", h.String() + "-12.data", h.String() + "-00000000000000zz.data", h.String() + "-0000000000000000.tmp"} {
		if _, _, ok := parseDataName(bad); ok {
			t.Errorf("parseDataName(%q) ok", bad)
		}
	}
}

// TestGroupCommit applies many changes in one group, including several to
// one object, and checks the result against the reference store.
func TestGroupCommit(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := openTest(t, Options{Metrics: NewMetrics(reg)})
	ref := memstore.New(storetest.Salt)
	o := &s.objects
	ctx := context.Background()
	var ops []*commitOp
	add := func(part uint32, name string, ts timestamp.Timestamp, deleted bool) {
		h, _ := objecthash.Of(storetest.Salt, name)
		m := objectserver.ObjectMeta{Name: name, Timestamp: ts, MetaTimestamp: ts, Deleted: deleted}
		rec := &record{meta: m}
		if !deleted {
			rec.meta.ETag = "d41d8cd98f00b204e9800998ecf8427e"
			rec.data = []byte{}
			if w, err := ref.Create(ctx, part, m); err == nil {
				if _, err := w.Commit(ctx); err != nil {
					t.Fatal(err)
				}
			}
		} else if _, err := ref.Delete(ctx, part, name, ts); err != nil && !errors.Is(err, objectserver.ErrConflict) {
			t.Fatal(err)
		}
		ops = append(ops, o.newOp(part, h, rec, func(cur *record) error { return createConflict(cur, rec.meta) }))
	}
	for i := range 20 {
		add(uint32(i%3), "/a/c/o"+string(rune('a'+i)), at(1), false)
	}
	add(1, "/a/c/same", at(1), false)
	add(1, "/a/c/same", at(3), false)
	add(1, "/a/c/same", at(2), false) // conflicts with the one before, in the same group
	add(1, "/a/c/same", at(4), true)
	for _, op := range ops {
		if op.next != nil {
			op.enc, _ = op.next.encode(nil)
		}
	}
	o.commitGroup(ops)
	o.refreshSnapshot() // as the committer does after a group
	for i, op := range ops {
		want := i != 22
		if (op.err == nil) != want {
			t.Errorf("op %d (%s at %s): error %v", i, op.next.meta.Name, op.next.meta.Timestamp, op.err)
		}
	}
	if got := histogramCount(t, reg, "swiftlet_objectserver_index_commit_batch_writes"); got != 1 {
		t.Errorf("%d commits for one group, want 1", got)
	}
	for p := range uint32(3) {
		got, _ := s.SuffixHashes(ctx, p)
		want, _ := ref.SuffixHashes(ctx, p)
		if !maps.Equal(got, want) {
			t.Errorf("partition %d: suffix hashes differ from the reference", p)
		}
	}
	if st, err := s.Stat(ctx, 1, "/a/c/same"); err != nil || !st.Deleted || st.Timestamp != at(4) {
		t.Errorf("Stat(same) = %+v, %v, want a tombstone at %s", st, err, at(4))
	}
}

// histogramCount returns the number of observations of a histogram.
func histogramCount(t *testing.T, reg *prometheus.Registry, name string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var n uint64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				n += m.GetHistogram().GetSampleCount()
			}
		}
	}
	return n
}

// TestConcurrentWritesShareCommits checks that concurrent writers end up
// in shared commits: with 32 writers blocked on a commit at a time, the
// committer must find more than one queued.
func TestConcurrentWritesShareCommits(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := openTest(t, Options{Metrics: NewMetrics(reg)})
	const writers, each = 32, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				mustPut(t, s, uint32(w), "/a/c/o"+string(rune('a'+i)), at(1), []byte("x"))
			}
		})
	}
	wg.Wait()
	commits := histogramCount(t, reg, "swiftlet_objectserver_index_commit_batch_writes")
	t.Logf("%d writes in %d commits", writers*each, commits)
	if commits >= writers*each {
		t.Errorf("%d writes took %d commits: no group commit", writers*each, commits)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Salt: storetest.Salt, ReserveBytes: 1 << 20}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	small, large := data(1, 100), data(2, 300<<10)
	mustPut(t, s, 1, "/a/c/small", at(1), small)
	mustPut(t, s, 2, "/a/c/large", at(1), large)
	if _, err := s.Delete(ctx, 3, "/a/c/gone", at(1)); err != nil {
		t.Fatal(err)
	}
	if err := s.AddPending(ctx, objectserver.PendingUpdate{Method: "PUT", Account: "a", Container: "c", Object: "o", Timestamp: at(1)}); err != nil {
		t.Fatal(err)
	}
	hashes, _ := s.SuffixHashes(ctx, 2)
	q1, _ := s.Pendings(ctx, 0)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := mustRead(t, s, 1, "/a/c/small"); !bytes.Equal(got, small) {
		t.Error("small object changed across reopen")
	}
	if got := mustRead(t, s, 2, "/a/c/large"); !bytes.Equal(got, large) {
		t.Error("large object changed across reopen")
	}
	if st, err := s.Stat(ctx, 3, "/a/c/gone"); err != nil || !st.Deleted {
		t.Errorf("tombstone across reopen: %+v, %v", st, err)
	}
	if got, _ := s.SuffixHashes(ctx, 2); !maps.Equal(got, hashes) {
		t.Errorf("suffix hashes across reopen = %v, want %v", got, hashes)
	}
	if parts, _ := s.Partitions(ctx); !slices.Equal(parts, []uint32{1, 2, 3}) {
		t.Errorf("Partitions() = %v", parts)
	}
	// Queued updates survive, and new ones queue after them.
	if err := s.AddPending(ctx, objectserver.PendingUpdate{Method: "PUT", Account: "a", Container: "c", Object: "p", Timestamp: at(1)}); err != nil {
		t.Fatal(err)
	}
	q2, _ := s.Pendings(ctx, 0)
	if len(q2) != 2 || q2[0].ID != q1[0].ID || q2[1].ID <= q1[0].ID {
		t.Errorf("pendings across reopen: %+v then %+v", q1, q2)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "not-mounted"), Options{})
	if !errors.Is(err, objectserver.ErrDeviceUnavailable) {
		t.Errorf("Open(missing) = %v, want ErrDeviceUnavailable", err)
	}
}

// TestDataFileLayout checks where large objects go and that small ones
// stay in the index.
func TestDataFileLayout(t *testing.T) {
	s := openTest(t, Options{InlineThreshold: 1000})
	mustPut(t, s, 5, "/a/c/small", at(1), data(1, 1000))
	mustPut(t, s, 5, "/a/c/big", at(1), data(1, 1001))
	files, err := os.ReadDir(filepath.Join(s.dir, "objects", "5"))
	if err != nil {
		t.Fatal(err)
	}
	h, _ := objecthash.Of(storetest.Salt, "/a/c/big")
	if len(files) != 1 || !strings.HasPrefix(files[0].Name(), h.String()+"-") {
		t.Errorf("objects/5 holds %v, want one data file of %s", files, h)
	}
	// Replacing the object removes the old file.
	mustPut(t, s, 5, "/a/c/big", at(2), data(2, 2000))
	if _, err := s.Delete(context.Background(), 5, "/a/c/big", at(3)); err != nil {
		t.Fatal(err)
	}
	if files, _ := os.ReadDir(filepath.Join(s.dir, "objects", "5")); len(files) != 0 {
		t.Errorf("objects/5 holds %v after the object was deleted, want nothing", files)
	}
}
