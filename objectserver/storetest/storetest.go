// Package storetest is the conformance suite of objectserver's ObjectStore
// and PendingStore contracts. Every implementation runs it from its own
// tests:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) objectserver.ObjectStore {
//			s := open(t, storetest.Salt) // a new, empty store
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// Each test checks one method against its documentation; a differential
// test applies random operation sequences to the store under test and to
// objectserver/memstore, the reference, and compares everything the
// contract lets a caller observe. RunBenchmarks times PUT and GET.
package storetest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Salt is the hash path salt stores under test must be opened with: the
// suite computes suffixes and compares suffix hashes with the reference.
var Salt = hashpath.Salt{Prefix: "storetest-prefix", Suffix: "storetest-suffix"}

// Opener returns a new, empty store placing objects with Salt. It should
// register the store's Close with t.Cleanup; the suite may close it first.
type Opener func(t *testing.T) objectserver.ObjectStore

// Run runs the ObjectStore conformance suite against the stores open
// returns.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"StatUnknown", testStatUnknown},
		{"BadName", testBadName},
		{"PutAndRead", testPutAndRead},
		{"UnknownSize", testUnknownSize},
		{"InvisibleUntilCommit", testInvisibleUntilCommit},
		{"CloseWithoutCommit", testCloseWithoutCommit},
		{"WriterAfterDone", testWriterAfterDone},
		{"NewestWins", testNewestWins},
		{"ConflictAtCommit", testConflictAtCommit},
		{"SameTimestampRace", testSameTimestampRace},
		{"CancelledContext", testCancelledContext},
		{"SizeMismatch", testSizeMismatch},
		{"ETagMismatch", testETagMismatch},
		{"Tombstones", testTombstones},
		{"DeleteUnknown", testDeleteUnknown},
		{"DeleteConflicts", testDeleteConflicts},
		{"UpdateMeta", testUpdateMeta},
		{"UpdateMetaConflicts", testUpdateMetaConflicts},
		{"Section", testSection},
		{"ReaderKeepsVersion", testReaderKeepsVersion},
		{"SuffixHashesTrackChanges", testSuffixHashesTrackChanges},
		{"SuffixHashesOrderIndependent", testSuffixHashesOrderIndependent},
		{"PartitionsAndList", testPartitionsAndList},
		{"ConcurrentSameObject", testConcurrentSameObject},
		{"ConcurrentObjects", testConcurrentObjects},
		{"Close", testClose},
		{"Differential", testDifferential},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

// base is the suite's first timestamp; ts(i) is i seconds later.
var base = timestamp.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))

func ts(i int) timestamp.Timestamp { return base.Add(time.Duration(i) * time.Second) }

// payload is n deterministic pseudo-random bytes.
func payload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	b := make([]byte, n)
	for i := 0; i < n; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < n; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

func etagOf(data []byte) string {
	sum := md5.Sum(data)
	return hex.EncodeToString(sum[:])
}

// suffixOf is the suffix of name under Salt.
func suffixOf(t testing.TB, name string) string {
	t.Helper()
	h, err := objecthash.Of(Salt, name)
	if err != nil {
		t.Fatal(err)
	}
	return objecthash.SuffixString(h.Suffix())
}

// meta is the ObjectMeta to Create name at ts with data.
func meta(name string, t timestamp.Timestamp, data []byte) objectserver.ObjectMeta {
	return objectserver.ObjectMeta{
		Name:        name,
		Timestamp:   t,
		ContentType: "application/octet-stream",
		Size:        int64(len(data)),
		Headers:     map[string]string{"X-Object-Meta-Color": "blue"},
	}
}

// write creates and commits a version, failing the test on error.
func write(t testing.TB, s objectserver.ObjectStore, part uint32, m objectserver.ObjectMeta, data []byte) objectserver.ObjectMeta {
	t.Helper()
	got, err := tryWrite(context.Background(), s, part, m, data)
	if err != nil {
		t.Fatalf("write %s at %s: %v", m.Name, m.Timestamp, err)
	}
	return got
}

// put writes data to name at ts with default metadata.
func put(t testing.TB, s objectserver.ObjectStore, part uint32, name string, at timestamp.Timestamp, data []byte) objectserver.ObjectMeta {
	t.Helper()
	return write(t, s, part, meta(name, at, data), data)
}

// tryWrite creates, writes and commits a version, closing the writer.
func tryWrite(ctx context.Context, s objectserver.ObjectStore, part uint32, m objectserver.ObjectMeta, data []byte) (objectserver.ObjectMeta, error) {
	w, err := s.Create(ctx, part, m)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	defer w.Close()
	// Write in uneven pieces so that stores see writes that straddle
	// their buffers.
	for rest := data; len(rest) > 0; {
		n := min(len(rest), 7919+len(rest)%65536)
		if _, err := w.Write(rest[:n]); err != nil {
			return objectserver.ObjectMeta{}, err
		}
		rest = rest[n:]
	}
	return w.Commit(ctx)
}

// read returns the whole data of name's newest version.
func read(t testing.TB, s objectserver.ObjectStore, part uint32, name string) ([]byte, objectserver.ObjectMeta) {
	t.Helper()
	r, err := s.Open(context.Background(), part, name)
	if err != nil {
		t.Fatalf("Open(%s) = %v", name, err)
	}
	defer r.Close()
	m := r.Meta()
	data, err := io.ReadAll(r.Section(0, m.Size))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return data, m
}

// checkData fails unless name's newest version holds want.
func checkData(t testing.TB, s objectserver.ObjectStore, part uint32, name string, want []byte) {
	t.Helper()
	got, m := read(t, s, part, name)
	if !bytes.Equal(got, want) {
		t.Errorf("data of %s: %d bytes, want %d (equal prefix %d)", name, len(got), len(want), commonPrefix(got, want))
	}
	if m.Size != int64(len(want)) || m.ETag != etagOf(want) {
		t.Errorf("meta of %s: size %d etag %s, want %d %s", name, m.Size, m.ETag, len(want), etagOf(want))
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// stat returns Stat's result, failing the test on an error other than
// ErrNotFound (then the zero ObjectMeta and false).
func stat(t testing.TB, s objectserver.ObjectStore, part uint32, name string) (objectserver.ObjectMeta, bool) {
	t.Helper()
	m, err := s.Stat(context.Background(), part, name)
	if errors.Is(err, objectserver.ErrNotFound) {
		return objectserver.ObjectMeta{}, false
	}
	if err != nil {
		t.Fatalf("Stat(%s) = %v", name, err)
	}
	return m, true
}

func suffixHashes(t testing.TB, s objectserver.ObjectStore, part uint32) map[string]string {
	t.Helper()
	h, err := s.SuffixHashes(context.Background(), part)
	if err != nil {
		t.Fatalf("SuffixHashes(%d) = %v", part, err)
	}
	return h
}

// wantConflict fails unless err is a *ConflictError naming existing.
func wantConflict(t testing.TB, what string, err error, existing timestamp.Timestamp) {
	t.Helper()
	var ce *objectserver.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, objectserver.ErrConflict) {
		t.Errorf("%s: error %v, want a *ConflictError", what, err)
		return
	}
	if ce.Existing != existing {
		t.Errorf("%s: ConflictError.Existing = %s, want %s", what, ce.Existing, existing)
	}
}
