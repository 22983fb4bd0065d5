package memstore_test

import (
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) objectserver.ObjectStore {
		s := memstore.New(storetest.Salt)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestPendingConformance(t *testing.T) {
	storetest.RunPending(t, func(t *testing.T) objectserver.PendingStore {
		s := memstore.New(storetest.Salt)
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestReclaimTombstones(t *testing.T) {
	storetest.RunReclaim(t, func(t *testing.T, now func() time.Time, age time.Duration) storetest.Reclaimer {
		return memstore.NewWithOptions(storetest.Salt, &memstore.Options{Now: now, ReclaimAge: age})
	})
}

func BenchmarkStore(b *testing.B) {
	storetest.RunBenchmarks(b, func(b *testing.B) objectserver.ObjectStore { return memstore.New(storetest.Salt) })
}
