package badgerstore

import (
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
)

// openTest opens a store in a new temporary directory, closed at the end
// of the test. opts may set anything but Salt and Logger.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	if opts.Device == "" {
		opts.Device = "sdt"
	}
	opts.Salt = storetest.Salt
	opts.Logger = slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))
	if opts.ReserveBytes == 0 {
		opts.ReserveBytes = 1 << 20
	}
	s, err := Open(t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) objectserver.ObjectStore { return openTest(t, Options{}) })
}

func TestPendingConformance(t *testing.T) {
	storetest.RunPending(t, func(t *testing.T) objectserver.PendingStore { return openTest(t, Options{}) })
}

func TestReclaimTombstones(t *testing.T) {
	storetest.RunReclaim(t, func(t *testing.T, now func() time.Time, age time.Duration) storetest.Reclaimer {
		return openTest(t, Options{Now: now, ReclaimAge: age})
	})
}

func TestMetricsRegisterOnce(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	s := openTest(t, Options{Metrics: m})
	_ = s
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

// TestValueLogGCKeepsData overwrites inline objects (in Badger's value
// log) until most of the log is garbage, and collects it: the live data
// must survive. (Whether Badger finds a file to rewrite depends on its
// compactions having counted the garbage; the test does not require it.)
func TestValueLogGCKeepsData(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Salt: storetest.Salt, ReserveBytes: 1 << 20}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 60<<10) // above Badger's value threshold
	for round := range 4 {
		for i := range 400 {
			mustPut(t, s, 1, fmt.Sprintf("/a/c/o%d", i), at(round+1), big)
		}
	}
	// Closing flushes the memtable; compacting it tells the value log
	// what is garbage.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if s, err = Open(dir, opts); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.db.Flatten(1); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d value-log files rewritten", s.collectValueLog())
	for i := range 400 {
		if got := mustRead(t, s, 1, fmt.Sprintf("/a/c/o%d", i)); len(got) != len(big) {
			t.Fatalf("object %d: %d bytes after collection", i, len(got))
		}
	}
}

func TestDefaultReserve(t *testing.T) {
	for _, tt := range []struct{ total, want int64 }{
		{64 << 20, 16 << 20},
		{128 << 20, 32 << 20},
		{1 << 30, 64 << 20},
		{1 << 40, 256 << 20},
	} {
		if got := defaultReserveFor(tt.total); got != tt.want {
			t.Errorf("defaultReserveFor(%d MiB) = %d MiB, want %d MiB", tt.total>>20, got>>20, tt.want>>20)
		}
	}
}
