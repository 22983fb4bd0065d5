package ring

import (
	"fmt"
	"testing"
)

// benchRing is a part power 18, 3-replica ring over 100 devices.
func benchRing(b *testing.B, alg HashAlgorithm) *Ring {
	bl := tenZones(b, 18, 100)
	bl.hash = alg
	r, err := bl.Ring(HashSalt{Prefix: "bench-prefix", Suffix: "bench-suffix"})
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// tenZones returns a rebalanced builder with devs devices of equal weight
// spread over 10 zones, 10 devices per server.
func tenZones(tb testing.TB, partPower, devs int) *Builder {
	tb.Helper()
	bl, _ := NewBuilder(partPower, 3, 1)
	addTenZones(tb, bl, devs)
	if _, err := bl.Rebalance(RebalanceOptions{}); err != nil {
		tb.Fatal(err)
	}
	return bl
}

func addTenZones(tb testing.TB, bl *Builder, devs int) {
	for i := range devs {
		z, s, d := i%10, i/10/10, i/10%10
		if _, err := bl.AddDevice(Device{Region: 1, Zone: z + 1, IP: fmt.Sprintf("10.0.%d.%d", z, s), Port: 6200,
			Name: fmt.Sprintf("d%d", d), Weight: 100}); err != nil {
			tb.Fatal(err)
		}
	}
}

func BenchmarkPartition(b *testing.B) {
	for _, alg := range []HashAlgorithm{XXHash64, MD5} {
		b.Run(alg.String(), func(b *testing.B) {
			r := benchRing(b, alg)
			b.ReportAllocs()
			for b.Loop() {
				r.Partition("AUTH_test", "photos", "2026/11/25/IMG_0042.jpg")
			}
		})
	}
}

// BenchmarkLookup is the proxy's hot path: path to partition to primaries.
func BenchmarkLookup(b *testing.B) {
	for _, alg := range []HashAlgorithm{XXHash64, MD5} {
		b.Run(alg.String(), func(b *testing.B) {
			r := benchRing(b, alg)
			dst := make([]*Device, 0, 4)
			b.ReportAllocs()
			for b.Loop() {
				dst = r.AppendPrimaries(dst[:0], r.Partition("AUTH_test", "photos", "2026/11/25/IMG_0042.jpg"))
			}
		})
	}
}

func BenchmarkFirstHandoff(b *testing.B) {
	r := benchRing(b, XXHash64)
	b.ReportAllocs()
	p := uint32(0)
	for b.Loop() {
		for range r.Handoffs(p) {
			break
		}
		p = (p + 7919) % uint32(r.PartitionCount())
	}
}

// BenchmarkRebalance builds part power 18, 3-replica rings from scratch
// over 100 and 1000 devices in 10 zones.
func BenchmarkRebalance(b *testing.B) {
	for _, devs := range []int{100, 1000} {
		b.Run(fmt.Sprintf("devices=%d", devs), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bl, _ := NewBuilder(18, 3, 1)
				addTenZones(b, bl, devs)
				if _, err := bl.Rebalance(RebalanceOptions{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRebalanceAddDevice adds one device to a balanced part power 18
// ring over 100 devices and rebalances.
func BenchmarkRebalanceAddDevice(b *testing.B) {
	base := tenZones(b, 18, 100)
	var saved bytesBuffer
	base.encode(&saved)
	b.ReportAllocs()
	for b.Loop() {
		bl, err := DecodeBuilder(saved)
		if err != nil {
			b.Fatal(err)
		}
		bl.PretendMinPartHoursPassed()
		bl.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.99", Port: 6200, Name: "new", Weight: 100})
		if _, err := bl.Rebalance(RebalanceOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

type bytesBuffer []byte

func (w *bytesBuffer) Write(p []byte) (int, error) { *w = append(*w, p...); return len(p), nil }
