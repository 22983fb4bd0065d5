package badgerstore

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/objectserver"
)

// Listing benchmarks. The big container is filled once per run of
// BenchmarkListObjects (batched transactions through the store's own row
// path); its size is $SWIFTLET_LISTING_BENCH_OBJECTS, default 1,000,000,
// which takes a while, so it only runs under -bench:
//
//	go test -run='^$' -bench='ListObjects|PutObjectRow' -benchtime=20x ./objectserver/badgerstore

// benchObjects is the size of the big container.
func benchObjects(b *testing.B) int {
	n := 1_000_000
	if v := os.Getenv("SWIFTLET_LISTING_BENCH_OBJECTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 20_000 {
			b.Fatalf("SWIFTLET_LISTING_BENCH_OBJECTS=%q: want a number of at least 20000", v)
		}
	}
	return n
}

// benchName is object i of a container: directories of 50 objects, so a
// delimiter listing has n/50 subdirs.
func benchName(i int) string { return fmt.Sprintf("%06d/obj-%04d", i/50, i%50) }

// fillContainer creates container c holding n objects, in transactions of
// maxRowBatchRows rows as concurrent PutObjectRow calls would make them.
func fillContainer(b *testing.B, s *Store, c string, n int) {
	b.Helper()
	start := time.Now()
	if _, err := s.PutContainer(b.Context(), 1, "AUTH_bench", c, listingTS(1), nil); err != nil {
		b.Fatal(err)
	}
	id := listingContainerID{1, "AUTH_bench", c}
	ups := make([]objectRowUpdate, 0, maxRowBatchRows)
	for i := range n {
		ups = append(ups, objectRowUpdate{id, objectserver.ObjectRow{
			Name: benchName(i), Timestamp: listingTS(2), Size: int64(i % 100_000),
			ContentType: "application/octet-stream", ETag: "d41d8cd98f00b204e9800998ecf8427e",
		}})
		if len(ups) == cap(ups) || i == n-1 {
			if err := errors.Join(s.listings.applyObjectRows(ups)...); err != nil {
				b.Fatal(err)
			}
			ups = ups[:0]
		}
	}
	b.Logf("filled %s with %d objects in %v", c, n, time.Since(start).Round(time.Millisecond))
}

// BenchmarkListObjects times 10,000-entry pages of a container of 10,000
// objects and of a big one: the first page, the last (marker near the
// end), with a delimiter, and in reverse. The page cost should not depend
// on the container's size.
func BenchmarkListObjects(b *testing.B) {
	s := openListingStore(b)
	sizes := []int{20_000, benchObjects(b)}
	for _, n := range sizes {
		c := fmt.Sprintf("c%d", n)
		fillContainer(b, s, c, n)
		const page = objectserver.MaxListingLimit
		queries := []struct {
			name string
			q    objectserver.ListQuery
		}{
			{"first", objectserver.ListQuery{Limit: page}},
			{"last", objectserver.ListQuery{Limit: page, Marker: benchName(n - page - 1)}},
			{"delimiter-first", objectserver.ListQuery{Limit: page, Delimiter: '/'}},
			{"delimiter-last", objectserver.ListQuery{Limit: page, Delimiter: '/', Marker: fmt.Sprintf("%06d/", max(n/50-page-1, 0))}},
			{"prefix-delimiter", objectserver.ListQuery{Limit: page, Delimiter: '/', Prefix: benchName(n / 2)[:7]}},
			{"reverse-first", objectserver.ListQuery{Limit: page, Reverse: true}},
			{"reverse-last", objectserver.ListQuery{Limit: page, Reverse: true, Marker: benchName(page)}},
		}
		for _, qc := range queries {
			b.Run(fmt.Sprintf("objects=%d/%s", n, qc.name), func(b *testing.B) {
				b.ReportAllocs()
				var got int
				for b.Loop() {
					page, err := s.ListObjects(b.Context(), 1, "AUTH_bench", c, qc.q)
					if err != nil {
						b.Fatal(err)
					}
					got = len(page)
				}
				b.ReportMetric(float64(got), "entries")
			})
		}
		b.Run(fmt.Sprintf("objects=%d/head", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ContainerInfo(b.Context(), 1, "AUTH_bench", c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPutObjectRow measures row updates with 1 and 16 concurrent
// writers on one container (batched into shared transactions), and 16
// writers on 16 containers. Each update is durable when its call returns.
func BenchmarkPutObjectRow(b *testing.B) {
	for _, bc := range []struct {
		writers, containers int
	}{{1, 1}, {16, 1}, {16, 16}} {
		b.Run(fmt.Sprintf("writers=%d/containers=%d", bc.writers, bc.containers), func(b *testing.B) {
			s := openListingStore(b)
			for c := range bc.containers {
				if _, err := s.PutContainer(b.Context(), 1, "AUTH_bench", fmt.Sprint("c", c), listingTS(1), nil); err != nil {
					b.Fatal(err)
				}
			}
			var txns atomic.Int64
			apply := s.listings.objectRows.apply
			s.listings.objectRows.apply = func(ups []objectRowUpdate) []error {
				txns.Add(1)
				return apply(ups)
			}
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range bc.writers {
				wg.Go(func() {
					c := fmt.Sprint("c", w%bc.containers)
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						r := objectserver.ObjectRow{Name: fmt.Sprintf("obj-%09d", i), Timestamp: listingTS(2), Size: 4096, ETag: "d41d8cd98f00b204e9800998ecf8427e"}
						if err := s.PutObjectRow(b.Context(), 1, "AUTH_bench", c, r); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(txns.Load())/float64(b.N), "txns/op")
		})
	}
}
