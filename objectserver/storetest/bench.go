package storetest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/objectserver"
)

// BenchOpener returns a new, empty store for a benchmark. It should
// register the store's Close with b.Cleanup.
type BenchOpener func(b *testing.B) objectserver.ObjectStore

// RunBenchmarks times PUT and GET of 4 KiB objects with 1 and 16
// concurrent clients (reporting ops/s and the 99th percentile latency) and
// of 64 MiB objects (MB/s).
func RunBenchmarks(b *testing.B, open BenchOpener) {
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("PUT4KiB/writers=%d", clients), func(b *testing.B) { benchPut4K(b, open, clients) })
	}
	for _, clients := range []int{1, 16} {
		b.Run(fmt.Sprintf("GET4KiB/readers=%d", clients), func(b *testing.B) { benchGet4K(b, open, clients) })
	}
	b.Run("PUT64MiB", func(b *testing.B) { benchPutLarge(b, open) })
	// Two streams at once: a single stream is bound by MD5 on one core.
	b.Run("PUT64MiB/writers=2", func(b *testing.B) { benchPutLargeConcurrent(b, open, 2) })
	b.Run("GET64MiB", func(b *testing.B) { benchGetLarge(b, open) })
}

// runClients runs b.N operations on clients goroutines and reports ops/s
// and p99 latency. op(i) performs operation i.
func runClients(b *testing.B, clients int, op func(i int) error) {
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "ops/s")
	b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
}

func benchPut4K(b *testing.B, open BenchOpener, writers int) {
	s := open(b)
	data := payload(1, 4096)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	ctx := context.Background()
	runClients(b, writers, func(i int) error {
		_, err := tryWrite(ctx, s, uint32(i%64), meta(fmt.Sprintf("/a/c/o%d", i), ts(1), data), data)
		return err
	})
}

func benchGet4K(b *testing.B, open BenchOpener, readers int) {
	s := open(b)
	data := payload(1, 4096)
	const objects = 1000
	ctx := context.Background()
	for i := range objects {
		put(b, s, uint32(i%64), fmt.Sprintf("/a/c/o%d", i), ts(1), data)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	bufs := sync.Pool{New: func() any { return make([]byte, 8192) }}
	runClients(b, readers, func(i int) error {
		o := (i * 7919) % objects
		r, err := s.Open(ctx, uint32(o%64), fmt.Sprintf("/a/c/o%d", o))
		if err != nil {
			return err
		}
		defer r.Close()
		buf := bufs.Get().([]byte)
		defer bufs.Put(buf)
		n, err := io.ReadFull(r.Section(0, 4096), buf[:4096])
		if err == nil && n != 4096 {
			err = io.ErrUnexpectedEOF
		}
		return err
	})
}

const largeSize = 64 << 20

// largeChunk is written repeatedly to make a large object: the benchmark
// does not hold the object in memory any more than a server would.
func largeChunk() []byte { return payload(7, 1<<20) }

func writeLarge(ctx context.Context, s objectserver.ObjectStore, i int, chunk []byte) error {
	return writeLargeNamed(ctx, s, "/a/c/large", i, chunk)
}

func writeLargeNamed(ctx context.Context, s objectserver.ObjectStore, name string, i int, chunk []byte) error {
	w, err := s.Create(ctx, 1, objectserver.ObjectMeta{Name: name, Timestamp: ts(i + 1), Size: largeSize})
	if err != nil {
		return err
	}
	defer w.Close()
	for range largeSize / len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	_, err = w.Commit(ctx)
	return err
}

func benchPutLarge(b *testing.B, open BenchOpener) {
	s := open(b)
	chunk := largeChunk()
	ctx := context.Background()
	b.SetBytes(largeSize)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := writeLarge(ctx, s, i, chunk); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// benchPutLargeConcurrent writes distinct 64 MiB objects from several
// writers at once.
func benchPutLargeConcurrent(b *testing.B, open BenchOpener, writers int) {
	s := open(b)
	chunk := largeChunk()
	ctx := context.Background()
	b.SetBytes(largeSize)
	b.ReportAllocs()
	runClients(b, writers, func(i int) error {
		return writeLargeNamed(ctx, s, fmt.Sprintf("/a/c/large%d", i), i, chunk)
	})
}

func benchGetLarge(b *testing.B, open BenchOpener) {
	s := open(b)
	ctx := context.Background()
	if err := writeLarge(ctx, s, 0, largeChunk()); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	b.SetBytes(largeSize)
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.Open(ctx, 1, "/a/c/large")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, r.Section(0, largeSize), buf)
		r.Close()
		if err != nil || n != largeSize {
			b.Fatalf("read %d bytes, %v", n, err)
		}
	}
}
