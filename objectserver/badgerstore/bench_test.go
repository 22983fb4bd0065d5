package badgerstore

import (
	"flag"
	"log/slog"
	"os"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
	"golang.org/x/sys/unix"
)

// benchDir is where benchmarks put their stores and files: the disk being
// measured. Default: the test's temporary directory.
var benchDir = flag.String("benchdir", "", "directory for benchmark stores and disk measurements (default: a temporary directory)")

func benchTempDir(b *testing.B) string {
	if *benchDir == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(*benchDir, "bench")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// BenchmarkStore runs the store benchmarks of storetest on a store in
// benchDir; BenchmarkDisk* measure the same disk's limits in the same
// run.
func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) objectserver.ObjectStore {
		s, err := Open(benchTempDir(b), Options{Device: "bench", Salt: storetest.Salt, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	})
}

// BenchmarkDiskFsync4K is the disk's single-writer durable write rate:
// append 4 KiB to a file and fdatasync it, the least a durable 4 KiB PUT
// costs without group commit.
func BenchmarkDiskFsync4K(b *testing.B) {
	f, err := os.CreateTemp(benchTempDir(b), "fsync")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkDiskSequential is the disk's sequential write bandwidth: write
// 64 MiB in 1 MiB pieces to a new file and fdatasync it, as a large PUT
// must at least.
func BenchmarkDiskSequential(b *testing.B) {
	dir := benchTempDir(b)
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	const size = 64 << 20
	b.SetBytes(size)
	for b.Loop() {
		f, err := os.CreateTemp(dir, "seq")
		if err != nil {
			b.Fatal(err)
		}
		for range size / len(buf) {
			if _, err := f.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		if err := unix.Fdatasync(int(f.Fd())); err != nil {
			b.Fatal(err)
		}
		f.Close()
		os.Remove(f.Name())
	}
}
