package ring

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// testBuilder returns a rebalanced builder over regions x zones x servers
// x devices, all of weight 100.
func testBuilder(tb testing.TB, partPower int, replicas float64, regions, zones, servers, devs int) *Builder {
	tb.Helper()
	b, err := NewBuilder(partPower, replicas, 1)
	if err != nil {
		tb.Fatal(err)
	}
	for r := range regions {
		for z := range zones {
			for s := range servers {
				for d := range devs {
					_, err := b.AddDevice(Device{Region: r + 1, Zone: z + 1, IP: fmt.Sprintf("10.%d.%d.%d", r, z, s),
						Port: 6200, Name: fmt.Sprintf("d%d", d), Weight: 100})
					if err != nil {
						tb.Fatal(err)
					}
				}
			}
		}
	}
	if _, err := b.Rebalance(RebalanceOptions{}); err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestRingPrimaries(t *testing.T) {
	b := testBuilder(t, 8, 2.5, 2, 2, 2, 2)
	r, err := b.Ring(HashSalt{Prefix: "p", Suffix: "s"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ReplicaCount(); got != 2.5 {
		t.Errorf("ReplicaCount() = %v, want 2.5", got)
	}
	for p := range uint32(r.PartitionCount()) {
		got := r.Primaries(p)
		var want []*Device
		for _, d := range b.PartitionDevices(int(p)) {
			want = append(want, r.Device(d.ID))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Primaries(%d) = %v, want %v", p, got, want)
		}
		if n := len(got); n != 2 && n != 3 || (n == 3) != (int(p) < r.PartitionCount()/2) {
			t.Fatalf("partition %d has %d primaries", p, n)
		}
	}
}

// Handoffs follow Swift's get_more_nodes rules: every assigned device that
// is not a primary, once, preferring an unused region, then an unused
// zone, then an unused server, whenever one remains.
func TestRingHandoffOrder(t *testing.T) {
	b := testBuilder(t, 7, 3, 3, 2, 2, 2)
	b.AddDevice(Device{Region: 4, Zone: 1, IP: "10.9.9.9", Port: 6200, Name: "unassigned", Weight: 100})
	r, err := b.Ring(HashSalt{})
	if err != nil {
		t.Fatal(err)
	}
	assigned := map[int]bool{}
	for p := range uint32(r.PartitionCount()) {
		for _, d := range r.Primaries(p) {
			assigned[d.ID] = true
		}
	}
	type zone struct{ r, z int }
	type server struct {
		r, z int
		ip   string
	}
	for p := range uint32(r.PartitionCount()) {
		regions, zones, servers, used := map[int]bool{}, map[zone]bool{}, map[server]bool{}, map[int]bool{}
		note := func(d *Device) {
			used[d.ID], regions[d.Region], zones[zone{d.Region, d.Zone}], servers[server{d.Region, d.Zone, d.IP}] = true, true, true, true
		}
		for _, d := range r.Primaries(p) {
			note(d)
		}
		remains := func(pred func(d *Device) bool) bool {
			for id := range assigned {
				if d := r.Device(id); !used[id] && pred(d) {
					return true
				}
			}
			return false
		}
		n := 0
		for h := range r.Handoffs(p) {
			if used[h.ID] || !assigned[h.ID] {
				t.Fatalf("partition %d: handoff %d is a primary, repeated or unassigned", p, h.ID)
			}
			newRegion := func(d *Device) bool { return !regions[d.Region] }
			newZone := func(d *Device) bool { return !zones[zone{d.Region, d.Zone}] }
			newServer := func(d *Device) bool { return !servers[server{d.Region, d.Zone, d.IP}] }
			switch {
			case remains(newRegion) && !newRegion(h):
				t.Fatalf("partition %d: handoff %v while an unused region remains", p, h)
			case remains(newZone) && !newZone(h):
				t.Fatalf("partition %d: handoff %v while an unused zone remains", p, h)
			case remains(newServer) && !newServer(h):
				t.Fatalf("partition %d: handoff %v while an unused server remains", p, h)
			}
			note(h)
			n++
		}
		if want := len(assigned) - len(r.Primaries(p)); n != want {
			t.Fatalf("partition %d: %d handoffs, want %d", p, n, want)
		}
	}
}

func TestRingLookupDoesNotAllocate(t *testing.T) {
	b := testBuilder(t, 10, 3, 1, 4, 1, 2)
	xr, _ := b.Ring(HashSalt{Prefix: "pre", Suffix: "suf"})
	mr, err := Load("testdata/swift/multi.ring.gz", HashSalt{Prefix: "pre", Suffix: "suf"})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("o", 1024) // Swift's longest object name
	for _, r := range []*Ring{xr, mr} {
		for _, obj := range []string{"2026/11/cat.jpg", long} {
			dst := make([]*Device, 0, 8)
			allocs := testing.AllocsPerRun(100, func() {
				p := r.Partition("AUTH_test", "photos", obj)
				dst = r.AppendPrimaries(dst[:0], p)
			})
			if allocs != 0 {
				t.Errorf("%v ring, %d-byte object name: %v allocations per lookup, want 0", r.Hash(), len(obj), allocs)
			}
		}
	}
}

// Partitions spread evenly: a sanity check on the hash and the shift.
func TestPartitionSpread(t *testing.T) {
	b := testBuilder(t, 4, 1, 1, 1, 1, 1)
	r, _ := b.Ring(HashSalt{Prefix: "x"})
	counts := make([]int, r.PartitionCount())
	for i := range 16000 {
		counts[r.Partition("AUTH_a", "c", fmt.Sprint("obj", i))]++
	}
	for p, n := range counts {
		if n < 800 || n > 1200 {
			t.Errorf("partition %d got %d of 16000 paths, want about 1000", p, n)
		}
	}
	if a, b := r.Partition("a", "", ""), r.Partition("a", "c", ""); a == b && r.Partition("a", "c", "o") == a {
		t.Error("account, container and object paths all land on one partition")
	}
}

func TestRingFileRoundTrip(t *testing.T) {
	b := testBuilder(t, 8, 3, 2, 2, 1, 2)
	salt := HashSalt{Prefix: "a", Suffix: "b"}
	r, _ := b.Ring(salt)
	path := filepath.Join(t.TempDir(), "object.ring.gz")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path, salt)
	if err != nil {
		t.Fatal(err)
	}
	if back.Checksum() != r.Checksum() || back.Version() != r.Version() || back.Hash() != XXHash64 {
		t.Errorf("loaded ring: checksum %s version %d hash %v; want %s %d xxhash64", back.Checksum(), back.Version(), back.Hash(), r.Checksum(), r.Version())
	}
	if !slices.EqualFunc(back.Devices(), r.Devices(), func(a, b *Device) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }) {
		t.Error("devices differ after a round trip")
	}
	for p := range uint32(r.PartitionCount()) {
		if !slices.EqualFunc(back.Primaries(p), r.Primaries(p), func(a, b *Device) bool { return a.ID == b.ID }) {
			t.Fatalf("partition %d: primaries differ after a round trip", p)
		}
	}
	var one, two bytes.Buffer
	r.Encode(&one)
	back.Encode(&two)
	if !bytes.Equal(one.Bytes(), two.Bytes()) {
		t.Error("the same ring encodes to different bytes")
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after WriteFile, want only the ring", len(entries))
	}
}

// gunzip and regzip let tests damage the payload inside the gzip layer,
// where only the ring's own checksum can notice.
func gunzip(t *testing.T, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func regzip(raw []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	return buf.Bytes()
}

func TestRingFileCorruption(t *testing.T) {
	b := testBuilder(t, 6, 3, 1, 3, 1, 1)
	r, _ := b.Ring(HashSalt{})
	var buf bytes.Buffer
	if err := r.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	raw := gunzip(t, buf.Bytes())
	for name, damage := range map[string]func([]byte) []byte{
		"flipped row byte":    func(b []byte) []byte { b[len(b)-20] ^= 1; return b },
		"flipped header byte": func(b []byte) []byte { b[20] ^= 0x20; return b },
		"truncated":           func(b []byte) []byte { return b[:len(b)/2] },
		"wrong magic":         func(b []byte) []byte { b[0] = 'X'; return b },
		"wrong version":       func(b []byte) []byte { b[9] = 9; return b },
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(regzip(damage(slices.Clone(raw)))), HashSalt{})
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Decode = %v, want ErrCorrupt", err)
			}
		})
	}
	if _, err := Decode(bytes.NewReader(raw), HashSalt{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Decode of uncompressed data = %v, want ErrCorrupt", err)
	}
}

func TestBuilderFileRoundTrip(t *testing.T) {
	b := testBuilder(t, 8, 2.5, 1, 3, 2, 1)
	b.SetOverload(0.1)
	b.RemoveDevice(2)
	path := filepath.Join(t.TempDir(), "object.builder")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	if b.ID() == "" {
		t.Fatal("Save did not assign an id")
	}
	back, err := LoadBuilder(path)
	if err != nil {
		t.Fatal(err)
	}
	if back.ID() != b.ID() || back.Version() != b.Version() || back.Replicas() != 2.5 || back.Overload() != 0.1 ||
		back.PartPower() != 8 || back.MinPartHours() != 1 || back.DevsChanged() != b.DevsChanged() {
		t.Errorf("settings differ after a round trip")
	}
	if !slices.Equal(back.Devices(), b.Devices()) {
		t.Errorf("devices differ: %v\nwant %v", back.Devices(), b.Devices())
	}
	if movedReplicas(b.rows, back.rows, nil) != 0 || !slices.Equal(b.lastPartMoves, back.lastPartMoves) {
		t.Error("assignment or move ages differ after a round trip")
	}
	if d1, ok1 := b.Dispersion(); true {
		if d2, ok2 := back.Dispersion(); d1 != d2 || ok1 != ok2 {
			t.Errorf("dispersion %v/%v, want %v/%v", d2, ok2, d1, ok1)
		}
	}
	// The removal still happens at the next rebalance.
	if _, err := back.Rebalance(RebalanceOptions{Now: time.Now().Add(2 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(back.Devices(), func(d DeviceInfo) bool { return d.ID == 2 }) {
		t.Error("device marked for removal survived the rebalance after loading")
	}

	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 1
	if _, err := DecodeBuilder(data); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeBuilder of a damaged file = %v, want ErrCorrupt", err)
	}
}

// watchedRings writes a ring to a file and returns the file, that ring and
// the next version of it (one device added), not yet written.
func watchedRings(t *testing.T) (path string, r1, r2 *Ring) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "object.ring.gz")
	b := testBuilder(t, 6, 3, 1, 3, 1, 1)
	r1, _ = b.Ring(HashSalt{})
	if err := r1.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	b.AddDevice(Device{Region: 1, Zone: 4, IP: "10.0.4.1", Port: 6200, Name: "new", Weight: 100})
	b.PretendMinPartHoursPassed()
	if _, err := b.Rebalance(RebalanceOptions{}); err != nil {
		t.Fatal(err)
	}
	r2, _ = b.Ring(HashSalt{})
	return path, r1, r2
}

func TestWatcherReloads(t *testing.T) {
	path, r1, r2 := watchedRings(t)
	w, err := NewWatcher(path, HashSalt{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.Ring().Checksum() != r1.Checksum() {
		t.Fatal("watcher did not load the ring")
	}
	if changed, err := w.Reload(); changed || err != nil {
		t.Fatalf("Reload of an unchanged file = %v, %v; want false, nil", changed, err)
	}

	if err := r2.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	// WriteFile renames a new file into place: the watcher notices even if
	// size and modification time happen to be equal.
	if changed, err := w.Reload(); !changed || err != nil {
		t.Fatalf("Reload after a new ring = %v, %v; want true, nil", changed, err)
	}
	if w.Ring().Checksum() != r2.Checksum() {
		t.Fatal("watcher holds the old ring after reloading")
	}

	os.WriteFile(path, []byte("garbage"), 0o644)
	if changed, err := w.Reload(); changed || err == nil {
		t.Fatalf("Reload of a corrupt file = %v, %v; want false and an error", changed, err)
	}
	if w.Ring().Checksum() != r2.Checksum() {
		t.Fatal("a corrupt ring file replaced the current ring")
	}
}

// Run polls the file on its interval and stops with its context.
func TestWatcherRun(t *testing.T) {
	path, r1, r2 := watchedRings(t)

	synctest.Test(t, func(t *testing.T) {
		w, err := NewWatcher(path, HashSalt{}, slog.New(slog.NewTextHandler(t.Output(), nil)))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() {
			w.Run(ctx, time.Minute)
			close(done)
		}()
		if err := r2.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if w.Ring().Checksum() != r1.Checksum() {
			t.Fatal("ring replaced before the interval passed")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if w.Ring().Checksum() != r2.Checksum() {
			t.Fatal("ring not reloaded after the interval")
		}
		cancel()
		<-done
	})
}
