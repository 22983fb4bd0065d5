package ring

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// Ring files come from operators' disks and other nodes: any bytes must
// give a ring or ErrCorrupt, never a panic, and a decoded ring must encode
// and decode to the same placements.
func FuzzDecodeRing(f *testing.F) {
	// A valid swiftlet ring and two valid Swift rings.
	b, _ := NewBuilder(4, 3, 1)
	for z := range 3 {
		b.AddDevice(Device{Region: 1, Zone: z + 1, IP: "10.0.0.1", Port: 6200 + z, Name: "d", Weight: 100})
	}
	b.Rebalance(RebalanceOptions{})
	r, _ := b.Ring(HashSalt{})
	var buf bytes.Buffer
	r.Encode(&buf)
	f.Add(buf.Bytes())
	for _, name := range []string{"testdata/swift/multi.ring.gz", "testdata/swift/frac.ring.gz"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	// Gzip of a bare R1NG header with an absurd header length.
	f.Add(regzip([]byte("R1NG\x00\x01\xff\xff\xff\xff{}")))
	// Gzip of a swiftlet header claiming part power 32.
	f.Add(regzip([]byte("SWLTRING\x00\x01\x00\x00\x00\x10{\"part_power\":32}")))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(bytes.NewReader(data), HashSalt{})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Decode error %v is not ErrCorrupt", err)
			}
			return
		}
		var out bytes.Buffer
		if err := r.Encode(&out); err != nil {
			t.Fatal(err)
		}
		back, err := Decode(&out, HashSalt{})
		if err != nil {
			t.Fatalf("re-decoding an encoded ring: %v", err)
		}
		for p := range uint32(r.PartitionCount()) {
			if len(back.Primaries(p)) != len(r.Primaries(p)) {
				t.Fatalf("partition %d: primaries differ after re-encoding", p)
			}
		}
		for range r.Handoffs(0) {
		}
	})
}

func FuzzDecodeBuilder(f *testing.F) {
	b, _ := NewBuilder(3, 2, 1)
	b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.1", Port: 6200, Name: "a", Weight: 100})
	b.AddDevice(Device{Region: 1, Zone: 2, IP: "10.0.0.2", Port: 6200, Name: "b", Weight: 100})
	var unbalanced bytes.Buffer
	b.encode(&unbalanced)
	f.Add(unbalanced.Bytes())
	b.Rebalance(RebalanceOptions{})
	var balanced bytes.Buffer
	b.encode(&balanced)
	f.Add(balanced.Bytes())
	f.Add([]byte("SWLTBLDR"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := DecodeBuilder(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeBuilder error %v is not ErrCorrupt", err)
			}
			return
		}
		// Whatever loads can be shown, validated and rebalanced without
		// panicking.
		b.Devices()
		b.Balance()
		b.Validate()
		b.ReportDispersion(nil)
		if b.PartPower() <= 12 {
			b.Rebalance(RebalanceOptions{})
		}
	})
}

func FuzzParseAddValue(f *testing.F) {
	for _, s := range []string{
		"r1z1-127.0.0.1:6200/sdb1",                 // the common form
		"z1-10.0.0.1:6200R10.0.1.1:6300/d_meta",    // no region, replication address, meta
		"r1z2-[fd00::1]:6200R[fd00::2]:6300/sdb_x", // IPv6 in brackets
		"r1z1-127.0.0.1:/sdb",                      // empty port
		"r99999999999z1-1.1.1.1:1/a",               // region overflow
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseAddValue(s)
		if err != nil {
			return
		}
		// What parses formats back to an add value that parses the same.
		again := fmt.Sprintf("r%dz%d-%s:%dR%s:%d/%s", v.Region, v.Zone, bracketIPv6(v.IP), v.Port,
			bracketIPv6(v.ReplicationIP), v.ReplicationPort, v.Name)
		if v.Meta != "" || strings.Contains(s, "_") {
			again += "_" + v.Meta
		}
		w, err := ParseAddValue(again)
		if err != nil {
			t.Fatalf("%q parsed to %+v, whose formatting %q does not parse: %v", s, v, again, err)
		}
		if w.Device != v.Device {
			t.Fatalf("%q -> %+v -> %q -> %+v", s, v.Device, again, w.Device)
		}
	})
}

func FuzzParseSearchValue(f *testing.F) {
	for _, s := range []string{
		"d74r4z1-1.2.3.4:5678R5.6.7.8:6000/sdb1_meta", // every part
		"[::1]",  // IPv6 alone
		":6200",  // port alone
		"_",      // empty meta
		"d1z",    // zone without a number
		"R[::1]", // replication IPv6
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseSearchValue(s)
		if err != nil {
			return
		}
		q.Match(Device{ID: 1, Region: 1, Zone: 1, IP: "1.2.3.4", Port: 1, ReplicationIP: "::1", ReplicationPort: 2, Name: "x", Meta: "y"})
	})
}
