package objectserver_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// sinkStore is an ObjectStore that keeps no data: writes are hashed and
// counted, reads produce zeros. It lets streaming tests move many bytes
// without memory of their own.
type sinkStore struct {
	objectserver.ObjectStore // unused methods panic

	mu   sync.Mutex
	meta map[string]objectserver.ObjectMeta // guarded by mu
}

func newSinkStore() *sinkStore { return &sinkStore{meta: map[string]objectserver.ObjectMeta{}} }

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
	return zeroReader{m}, nil
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

type zeroReader struct{ m objectserver.ObjectMeta }

func (z zeroReader) Meta() objectserver.ObjectMeta { return z.m }
func (z zeroReader) Close() error                  { return nil }
func (z zeroReader) Section(off, n int64) io.Reader {
	return io.LimitReader(zeros{}, n)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestStreamingDoesNotBuffer moves an object much larger than the memory
// the transfer may allocate through PUT and GET: the body is streamed,
// never held whole.
func TestStreamingDoesNotBuffer(t *testing.T) {
	size := int64(256 << 20)
	if testing.Short() || raceEnabled {
		size = 32 << 20
	}
	const budget = 8 << 20 // allocations allowed per transfer, whatever its size
	n := newNode(t)
	n.devs.setObjects("sda1", newSinkStore())

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	req, _ := http.NewRequest("PUT", n.object.URL+"/sda1/1/a/c/big", io.LimitReader(zeros{}, size))
	req.ContentLength = size
	req.Header.Set("X-Timestamp", timestamp.New(t0).Internal())
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := n.object.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("PUT of %d bytes = %d", size, resp.StatusCode)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
		t.Errorf("PUT of %d MiB allocated %d MiB", size>>20, alloc>>20)
	}

	runtime.ReadMemStats(&before)
	resp, err = n.object.Client().Get(n.object.URL + "/sda1/1/a/c/big")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || got != size || resp.StatusCode != 200 {
		t.Fatalf("GET = %d, %d bytes, %v; want 200, %d bytes", resp.StatusCode, got, err, size)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > budget {
		t.Errorf("GET of %d MiB allocated %d MiB", size>>20, alloc>>20)
	}
}

// BenchmarkObject measures the handlers' own cost for small objects:
// memstore devices, loopback HTTP.
func BenchmarkObject(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		data := strings.Repeat("x", size)
		b.Run(fmt.Sprintf("PUT/%dKiB", size>>10), func(b *testing.B) {
			n := newNode(b)
			client := n.object.Client()
			i := 0
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				i++
				req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/sda1/1/a/c/o%d", n.object.URL, i), strings.NewReader(data))
				req.Header.Set("X-Timestamp", ts(float64(i)))
				req.Header.Set("Content-Type", "a/b")
				resp, err := client.Do(req)
				if err != nil || resp.StatusCode != 201 {
					b.Fatalf("PUT: %v %v", err, resp)
				}
				resp.Body.Close()
			}
		})
		b.Run(fmt.Sprintf("GET/%dKiB", size>>10), func(b *testing.B) {
			n := newNode(b)
			client := n.object.Client()
			req, _ := http.NewRequest("PUT", n.object.URL+"/sda1/1/a/c/o", strings.NewReader(data))
			req.Header.Set("X-Timestamp", ts(0))
			req.Header.Set("Content-Type", "a/b")
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 201 {
				b.Fatalf("PUT: %v %v", err, resp)
			}
			resp.Body.Close()
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(n.object.URL + "/sda1/1/a/c/o")
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("GET: %v %v", err, resp)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
