package ring

import (
	"fmt"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// genLayout draws a random cluster: 1-3 regions, 1-3 zones each, 1-3
// servers per zone, 1-3 devices per server. With equal, every device has
// weight 100; otherwise weights come from a small set.
func genLayout(t *rapid.T, equal bool) [][][][]float64 {
	weights := []float64{100}
	if !equal {
		weights = []float64{50, 100, 100, 150, 200}
	}
	regions := rapid.IntRange(1, 3).Draw(t, "regions")
	out := make([][][][]float64, regions)
	for r := range out {
		out[r] = make([][][]float64, rapid.IntRange(1, 3).Draw(t, "zones"))
		for z := range out[r] {
			out[r][z] = make([][]float64, rapid.IntRange(1, 3).Draw(t, "servers"))
			for s := range out[r][z] {
				out[r][z][s] = make([]float64, rapid.IntRange(1, 3).Draw(t, "devices"))
				for d := range out[r][z][s] {
					out[r][z][s][d] = rapid.SampledFrom(weights).Draw(t, "weight")
				}
			}
		}
	}
	return out
}

// fataler is what addLayout needs of testing.T and rapid.T.
type fataler interface{ Fatal(args ...any) }

func addLayout(tb fataler, b *Builder, l [][][][]float64) {
	for r, zones := range l {
		for z, servers := range zones {
			for s, devs := range servers {
				for d, w := range devs {
					_, err := b.AddDevice(Device{Region: r + 1, Zone: z + 1, IP: fmt.Sprintf("10.%d.%d.%d", r, z, s),
						Port: 6200, Name: fmt.Sprintf("sd%c", 'a'+d), Weight: w})
					if err != nil {
						tb.Fatal(err)
					}
				}
			}
		}
	}
}

func weightedCount(b *Builder) int {
	n := 0
	for _, d := range b.devs {
		if d != nil && d.Weight > 0 {
			n++
		}
	}
	return n
}

// checkAssignment verifies what must hold after every rebalance: each
// partition has exactly its replica count of distinct devices, all of
// which exist, and the device counts agree with the table.
func checkAssignment(t *rapid.T, b *Builder) {
	if err := b.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := rowLengths(b.Partitions(), b.replicas)
	for r, row := range b.rows {
		if len(row) != want[r] {
			t.Fatalf("row %d has %d partitions, want %d", r, len(row), want[r])
		}
	}
}

// weightsAllowDispersion reports whether the ring can be both perfectly
// balanced and perfectly dispersed: the weights let every tier hold its
// evenly dispersed share (no overload needed), that share fits Swift's
// dispersion bound in every tier (device counts permitting), and no device
// is asked for more than one replica of a partition.
func weightsAllowDispersion(t *rapid.T, b *Builder) bool {
	req, err := b.RequiredOverload()
	if err != nil {
		t.Fatalf("RequiredOverload: %v", err)
	}
	topo := newTopology(b.devs)
	weighted := topo.weightedReplicas(b.replicas, b.devs)
	wanted, err := topo.wantedReplicas(b.replicas, weighted)
	if err != nil {
		t.Fatal(err)
	}
	for n, allowed := range topo.maxReplicas(b.replicas, math.Ceil) {
		if wanted[n] > allowed+1e-9 {
			return false
		}
	}
	total := topo.nodes[0].weight
	for _, d := range b.devs {
		if d != nil && d.Weight*b.replicas/total > 1 {
			return false
		}
	}
	return req < 1e-9
}

// checkOptimal verifies that dispersion is 0 and every device holds its
// exact weight share of the slots rounded down or up.
func checkOptimal(t *rapid.T, b *Builder) {
	if d, _ := b.Dispersion(); d != 0 {
		t.Fatalf("dispersion %v, want 0", d)
	}
	slots := float64(slotsFor(b.Partitions(), b.replicas))
	total := 0.0
	for _, d := range b.devs {
		if d != nil {
			total += d.Weight
		}
	}
	minIdeal := math.Inf(1)
	for _, d := range b.devs {
		if d == nil {
			continue
		}
		ideal := slots * d.Weight / total
		minIdeal = min(minIdeal, ideal)
		if math.Abs(float64(d.parts)-ideal) >= 1+1e-9 {
			t.Fatalf("device %d (weight %v) holds %d partitions, ideal %.3f", d.ID, d.Weight, d.parts, ideal)
		}
	}
	if bal, _ := b.Balance(); minIdeal >= 200 && bal > 1 {
		t.Fatalf("balance %.3f%% with every device wanting >= 200 partitions", bal)
	}
}

func TestRebalanceProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLayout(t, rapid.Bool().Draw(t, "equal"))
		pp := rapid.IntRange(4, 10).Draw(t, "part_power")
		replicas := rapid.SampledFrom([]float64{1, 2, 2.5, 3, 3, 3, 3.25, 4}).Draw(t, "replicas")
		b, err := NewBuilder(pp, replicas, 1)
		if err != nil {
			t.Fatal(err)
		}
		addLayout(t, b, l)
		_, err = b.Rebalance(RebalanceOptions{Seed: rapid.Int64().Draw(t, "seed")})
		if float64(weightedCount(b)) < replicas {
			if err == nil {
				t.Fatalf("rebalanced %v replicas over %d devices", replicas, weightedCount(b))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, b)
		if weightsAllowDispersion(t, b) {
			checkOptimal(t, b)
		}
	})
}

// With an overload at least the required one, the ring is fully dispersed
// whatever the weights.
func TestRebalanceOverloadDisperses(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLayout(t, false)
		b, _ := NewBuilder(rapid.IntRange(6, 9).Draw(t, "part_power"), 3, 0)
		addLayout(t, b, l)
		if weightedCount(b) < 3 {
			return
		}
		req, err := b.RequiredOverload()
		if err != nil {
			t.Fatal(err)
		}
		if err := b.SetOverload(req + 1e-6); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Rebalance(RebalanceOptions{}); err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, b)
		if d, _ := b.Dispersion(); d != 0 {
			t.Fatalf("dispersion %v with overload %v >= required", d, req)
		}
	})
}

// After any change, one rebalance moves at most one replica of a partition
// (more only from removed devices), partitions moved within min_part_hours
// stay, and repeated rebalances reach the optimum again.
func TestRebalanceAfterChanges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := genLayout(t, rapid.Bool().Draw(t, "equal"))
		b, _ := NewBuilder(rapid.IntRange(6, 10).Draw(t, "part_power"), 3, 1)
		addLayout(t, b, l)
		if weightedCount(b) < 4 {
			return
		}
		start := time.Unix(1_700_000_000, 0)
		if _, err := b.Rebalance(RebalanceOptions{Now: start}); err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, b)

		// Within min_part_hours of the first rebalance nothing may move.
		b.SetWeight(0, b.devs[0].Weight*2)
		before := cloneRows(b.rows)
		if _, err := b.Rebalance(RebalanceOptions{Now: start.Add(30 * time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if n := movedReplicas(before, b.rows, nil); n != 0 {
			t.Fatalf("%d replicas moved within min_part_hours", n)
		}

		// Random changes, a rebalance two hours later.
		removed := map[uint16]bool{}
		for range rapid.IntRange(1, 3).Draw(t, "changes") {
			id := rapid.IntRange(0, len(b.devs)-1).Draw(t, "device")
			if b.devs[id] == nil || removed[uint16(id)] {
				continue
			}
			switch rapid.IntRange(0, 2).Draw(t, "change") {
			case 0:
				b.SetWeight(id, rapid.SampledFrom([]float64{0, 50, 100, 300}).Draw(t, "new_weight"))
			case 1:
				if weightedCount(b) > 4 {
					b.RemoveDevice(id)
					removed[uint16(id)] = true
				}
			case 2:
				d := b.devs[id]
				b.AddDevice(Device{Region: d.Region, Zone: d.Zone, IP: d.IP, Port: d.Port, Name: fmt.Sprintf("new%d", b.Version()), Weight: 100})
			}
		}
		if float64(weightedCount(b)) < b.replicas {
			return
		}
		before = cloneRows(b.rows)
		now := start.Add(2 * time.Hour)
		if _, err := b.Rebalance(RebalanceOptions{Now: now}); err != nil {
			t.Fatal(err)
		}
		checkAssignment(t, b)
		for p := range b.Partitions() {
			n := 0
			for r := range b.rows {
				if before[r][p] != b.rows[r][p] && !removed[before[r][p]] {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("partition %d moved %d replicas in one rebalance", p, n)
			}
		}

		// Rebalancing again (as min_part_hours pass) converges.
		for i := range 6 {
			now = now.Add(2 * time.Hour)
			if _, err := b.Rebalance(RebalanceOptions{Now: now}); err != nil {
				t.Fatalf("rebalance %d: %v", i, err)
			}
			checkAssignment(t, b)
		}
		for _, d := range b.devs {
			if d != nil && d.Weight == 0 && d.parts > 0 {
				t.Fatalf("device %d without weight still holds %d partitions", d.ID, d.parts)
			}
		}
		if weightsAllowDispersion(t, b) {
			checkOptimal(t, b)
		}
	})
}

func cloneRows(rows [][]uint16) [][]uint16 {
	out := make([][]uint16, len(rows))
	for i, r := range rows {
		out[i] = append([]uint16(nil), r...)
	}
	return out
}

func movedReplicas(before, after [][]uint16, exempt map[uint16]bool) int {
	n := 0
	for r := range after {
		for p := range after[r] {
			if r >= len(before) || p >= len(before[r]) || (before[r][p] != after[r][p] && !exempt[before[r][p]]) {
				n++
			}
		}
	}
	return n
}

// Adding one device of weight w to n equal devices moves close to the
// ideal w/(n*w+w) of the slots, and no more.
func TestRebalanceAddMovesIdealShare(t *testing.T) {
	for _, tc := range []struct {
		name           string
		zones, perZone int
		replicas       float64
	}{
		{"one zone", 1, 12, 3},
		{"four zones", 4, 3, 3},
		{"ten zones", 10, 10, 3},
		{"fractional replicas", 5, 4, 2.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := NewBuilder(12, tc.replicas, 1)
			for z := range tc.zones {
				for d := range tc.perZone {
					b.AddDevice(Device{Region: 1, Zone: z + 1, IP: fmt.Sprintf("10.0.%d.%d", z, d), Port: 6200, Name: "sda", Weight: 100})
				}
			}
			if _, err := b.Rebalance(RebalanceOptions{}); err != nil {
				t.Fatal(err)
			}
			b.PretendMinPartHoursPassed()
			b.AddDevice(Device{Region: 1, Zone: 1, IP: "10.0.0.250", Port: 6200, Name: "sda", Weight: 100})
			res, err := b.Rebalance(RebalanceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n := tc.zones*tc.perZone + 1
			ideal := float64(slotsFor(b.Partitions(), tc.replicas)) / float64(n)
			if float64(res.Moved) > ideal+2 || float64(res.Moved) < ideal-1 {
				t.Errorf("moved %d replicas, ideal %.1f", res.Moved, ideal)
			}
		})
	}
}

// The result depends only on the builder state and the seed.
func TestRebalanceDeterministic(t *testing.T) {
	build := func(seed int64) [][]uint16 {
		b, _ := NewBuilder(10, 3, 1)
		for z := range 5 {
			for d := range 4 {
				b.AddDevice(Device{Region: 1, Zone: z + 1, IP: fmt.Sprintf("10.0.%d.1", z), Port: 6200, Name: fmt.Sprintf("d%d", d), Weight: float64(100 + 10*d)})
			}
		}
		if _, err := b.Rebalance(RebalanceOptions{Seed: seed}); err != nil {
			t.Fatal(err)
		}
		return b.rows
	}
	a, b, c := build(1), build(1), build(2)
	if movedReplicas(a, b, nil) != 0 {
		t.Error("two rebalances with the same seed differ")
	}
	if movedReplicas(a, c, nil) == 0 {
		t.Error("rebalances with different seeds are identical; the seed has no effect")
	}
}
