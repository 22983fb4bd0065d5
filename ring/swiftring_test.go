package ring

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// golden is what Swift 2.30's own Ring computed for the rings in
// testdata/swift (see gen.sh there).
type golden struct {
	Prefix string `json:"hash_path_prefix"`
	Suffix string `json:"hash_path_suffix"`
	Rings  map[string]struct {
		PartPower    int     `json:"part_power"`
		ReplicaCount float64 `json:"replica_count"`
		Cases        []struct {
			Account, Container, Object string
			Partition                  uint32
			Primaries, Handoffs        []int
		} `json:"cases"`
	} `json:"rings"`
}

func TestSwiftRingPlacements(t *testing.T) {
	data, err := os.ReadFile("testdata/swift/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	salt := HashSalt{Prefix: g.Prefix, Suffix: g.Suffix}
	if len(g.Rings) == 0 {
		t.Fatal("no rings in golden data")
	}
	for name, want := range g.Rings {
		t.Run(name, func(t *testing.T) {
			r, err := Load(filepath.Join("testdata/swift", name), salt)
			if err != nil {
				t.Fatal(err)
			}
			if r.Hash() != MD5 {
				t.Errorf("Hash() = %v, want md5", r.Hash())
			}
			if got := r.PartPower(); got != want.PartPower {
				t.Errorf("PartPower() = %d, want %d", got, want.PartPower)
			}
			if got := r.ReplicaCount(); got != want.ReplicaCount {
				t.Errorf("ReplicaCount() = %v, want %v", got, want.ReplicaCount)
			}
			for _, c := range want.Cases {
				part := r.Partition(c.Account, c.Container, c.Object)
				if part != c.Partition {
					t.Errorf("Partition(%q, %q, %.20q) = %d, want %d", c.Account, c.Container, c.Object, part, c.Partition)
					continue
				}
				var prim []int
				for _, d := range r.Primaries(part) {
					prim = append(prim, d.ID)
				}
				if !slices.Equal(prim, c.Primaries) {
					t.Errorf("partition %d: primaries %v, want %v", part, prim, c.Primaries)
				}
				var hand []int
				for d := range r.Handoffs(part) {
					if len(hand) == 12 {
						break
					}
					hand = append(hand, d.ID)
				}
				if !slices.Equal(hand, c.Handoffs) {
					t.Errorf("partition %d: handoffs %v, want %v", part, hand, c.Handoffs)
				}
			}
		})
	}
}

// A Swift ring survives import into a builder and export as a swiftlet ring
// with every placement intact.
func TestSwiftRingImport(t *testing.T) {
	salt := HashSalt{Prefix: "p", Suffix: "s"}
	sr, err := Load("testdata/swift/multi.ring.gz", salt)
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuilderFromRing(sr, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	r, err := b.Ring(salt)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "object.ring.gz")
	if err := r.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path, salt)
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != MD5 {
		t.Fatalf("imported ring hash = %v, want md5", back.Hash())
	}
	for _, obj := range []string{"a", "b", "photos/cat.jpg", "x/y/z"} {
		p1, p2 := sr.Partition("AUTH_test", "c", obj), back.Partition("AUTH_test", "c", obj)
		if p1 != p2 {
			t.Fatalf("partition of %q: swift %d, swiftlet %d", obj, p1, p2)
		}
		if !slices.EqualFunc(sr.Primaries(p1), back.Primaries(p2), func(a, b *Device) bool { return *a == *b }) {
			t.Errorf("primaries of %q differ", obj)
		}
	}
}
