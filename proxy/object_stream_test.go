package proxy_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"runtime"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/test/cluster"
)

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// sinkStore is an object store that keeps no data: writes are hashed and
// counted, reads produce zeros. The nodes then allocate nothing per byte,
// and what a transfer allocates is the proxy's.
type sinkStore struct {
	objectserver.ObjectStore // the methods a transfer does not use

	mu   sync.Mutex
	meta map[string]objectserver.ObjectMeta // guarded by mu
}

func (s *sinkStore) Stat(_ context.Context, _ uint32, name string) (objectserver.ObjectMeta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meta[name]
	if !ok {
		return m, objectserver.ErrNotFound
	}
	return m, nil
}

func (s *sinkStore) Open(ctx context.Context, part uint32, name string) (objectserver.ObjectReader, error) {
	m, err := s.Stat(ctx, part, name)
	if err != nil {
		return nil, err
	}
	return zeroObject{m}, nil
}

func (s *sinkStore) Create(_ context.Context, _ uint32, meta objectserver.ObjectMeta) (objectserver.ObjectWriter, error) {
	return &sinkWriter{s: s, meta: meta, md5: md5.New()}, nil
}

type sinkWriter struct {
	s    *sinkStore
	meta objectserver.ObjectMeta
	md5  hash.Hash
	n    int64
}

func (w *sinkWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return w.md5.Write(p)
}

func (w *sinkWriter) Commit(context.Context) (objectserver.ObjectMeta, error) {
	w.meta.Size, w.meta.ETag = w.n, hex.EncodeToString(w.md5.Sum(nil))
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.meta[w.meta.Name] = w.meta
	return w.meta, nil
}

func (w *sinkWriter) Close() error { return nil }

type zeroObject struct{ m objectserver.ObjectMeta }

func (z zeroObject) Meta() objectserver.ObjectMeta { return z.m }
func (z zeroObject) Close() error                  { return nil }
func (z zeroObject) Section(off, n int64) io.Reader {
	if n < 0 || off+n > z.m.Size {
		n = z.m.Size - off
	}
	return io.LimitReader(zeros{}, n)
}

// The proxy streams objects: a PUT and a GET of an object much larger
// than what the whole transfer (proxy and nodes) may allocate go through.
func TestObjectStreamingDoesNotBuffer(t *testing.T) {
	size := int64(64 << 20)
	if testing.Short() || raceEnabled {
		size = 16 << 20
	}
	const budget = 16 << 20 // allocations allowed per transfer, whatever its size
	tc := newTestCluster(t, cluster.Options{WrapObjects: func(_ int, s objectserver.ObjectStore) objectserver.ObjectStore {
		return &sinkStore{ObjectStore: s, meta: map[string]objectserver.ObjectMeta{}}
	}}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	zeroMD5 := md5.New()
	if _, err := io.CopyN(zeroMD5, zeros{}, size); err != nil {
		t.Fatal(err)
	}
	want := hex.EncodeToString(zeroMD5.Sum(nil))

	for _, chunked := range []bool{false, true} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		req, _ := http.NewRequest("PUT", tc.URL+"/v1/AUTH_a/c/big", io.LimitReader(zeros{}, size))
		req.ContentLength = size
		if chunked {
			req.ContentLength = -1
		}
		req.Header.Set("Content-Type", "application/octet-stream")
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		runtime.ReadMemStats(&after)
		if resp.StatusCode != 201 || resp.Header.Get("Etag") != want {
			t.Fatalf("PUT of %d MiB (chunked %v) = %d %q", size>>20, chunked, resp.StatusCode, resp.Header.Get("Etag"))
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
			t.Errorf("PUT of %d MiB (chunked %v) allocated %d MiB", size>>20, chunked, alloc>>20)
		}
	}

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := testClient.Get(tc.URL + "/v1/AUTH_a/c/big")
	if err != nil {
		t.Fatal(err)
	}
	got := md5.New()
	n, err := io.Copy(got, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || hex.EncodeToString(got.Sum(nil)) != want {
		t.Fatalf("GET = %d, %d bytes, %v", resp.StatusCode, n, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
		t.Errorf("GET of %d MiB allocated %d MiB", size>>20, alloc>>20)
	}
}

// The streaming path over Badger devices: large objects, sized and
// chunked, read back whole, by range and with a resume.
func TestObjectStreamingBadger(t *testing.T) {
	size := 24 << 20
	if testing.Short() || raceEnabled {
		size = 6 << 20
	}
	tc := newTestCluster(t, cluster.Options{Badger: true}, nil)
	tc.mkContainer("AUTH_a", "c", nil)
	data := pattern(size)
	for _, tt := range []struct {
		name string
		body any
	}{{"sized", data}, {"chunked", io.MultiReader(bytes.NewReader(data))}} {
		t.Run(tt.name, func(t *testing.T) {
			if r := tc.do("PUT", "/v1/AUTH_a/c/"+tt.name, nil, tt.body); r.status != 201 || r.header.Get("Etag") != md5hex(data) {
				t.Fatalf("PUT = %d %q", r.status, r.header.Get("Etag"))
			}
			if s := tc.stored("AUTH_a", "c", tt.name); len(s) != 3 {
				t.Errorf("stored on %v, want 3 nodes", s)
			}
			if r := tc.do("GET", "/v1/AUTH_a/c/"+tt.name, nil, nil); r.status != 200 || md5hex(r.body) != md5hex(data) {
				t.Errorf("GET = %d, %d bytes, MD5 %s", r.status, len(r.body), md5hex(r.body))
			}
			tc.faults.setHook(cutGETs(1, size/3, false, nil))
			if r := tc.do("GET", "/v1/AUTH_a/c/"+tt.name, nil, nil); r.err != nil || md5hex(r.body) != md5hex(data) {
				t.Errorf("resumed GET = %d, %d bytes, %v", r.status, len(r.body), r.err)
			}
			tc.faults.setHook(nil)
			rng := "bytes=5-1000,-2000"
			checkMultipart(t, tc.do("GET", "/v1/AUTH_a/c/"+tt.name, hdr("Range", rng), nil), "application/x-test",
				[]rangeWant{{5, 1001, data[5:1001]}, {size - 2000, size, data[size-2000:]}})
		})
	}
}
