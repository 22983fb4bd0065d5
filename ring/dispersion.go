package ring

import (
	"cmp"
	"math"
	"regexp"
	"slices"
)

// dispersionGraph counts, for every tier holding a replica, how many
// partitions have 0, 1, 2, ... replicas in it, and the partition replicas
// that sit in some tier above its weight-agnostic bound (at risk). The
// definitions are swift-ring-builder's, including its quirk of looking only
// at partitions every replica row covers.
type dispersionGraph struct {
	topo    *topology
	allowed []int           // tier node -> Swift's weight-agnostic bound
	counts  map[int32][]int // tier node -> partitions by replica count
	atRisk  int             // partition replicas at risk
}

// buildDispersion computes the replicas at risk and, if graph is set, the
// per-tier counts the report shows.
func (b *Builder) buildDispersion(graph bool) *dispersionGraph {
	t := newTopology(b.devs)
	g := &dispersionGraph{topo: t, counts: map[int32][]int{}}
	for _, a := range t.maxReplicas(b.replicas, math.Ceil) {
		g.allowed = append(g.allowed, int(a))
	}
	if len(b.rows) == 0 {
		return g
	}
	covered := len(b.rows[0])
	for _, row := range b.rows {
		covered = min(covered, len(row))
	}
	width := int(math.Ceil(b.replicas)) + 1
	dense := make([][]int, len(t.nodes))
	paths := make([]*[numLevels]int32, len(b.rows))
	for p := 0; p < covered; p++ {
		for rep, row := range b.rows {
			paths[rep] = &t.paths[row[p]]
		}
		worst := 0
		for lvl := levelRegion; lvl < numLevels; lvl++ {
			risk := 0
			for i, pi := range paths {
				n := pi[lvl]
				seen, reps := false, 0
				for j, pj := range paths {
					if pj[lvl] == n {
						seen = seen || j < i
						reps++
					}
				}
				if seen {
					continue
				}
				risk += max(reps-g.allowed[n], 0)
				if !graph {
					continue
				}
				c := dense[n]
				if c == nil {
					c = make([]int, width)
					c[0] = b.Partitions()
					dense[n] = c
				}
				c[0]--
				if reps < len(c) {
					c[reps]++
				}
			}
			worst = max(worst, risk)
		}
		g.atRisk += worst
	}
	for n, c := range dense {
		if c != nil {
			g.counts[int32(n)] = c
		}
	}
	return g
}

// updateDispersion recomputes the stored dispersion (after a rebalance, as
// Swift does, it also counts as a new version).
func (b *Builder) updateDispersion() {
	g := b.buildDispersion(false)
	b.dispersion = 100 * float64(g.atRisk) / (float64(b.Partitions()) * b.replicas)
	b.hasDispersion = true
	b.version++
}

// RecalculateDispersion recomputes the stored dispersion from the current
// assignment and devices.
func (b *Builder) RecalculateDispersion() {
	if b.rows != nil {
		b.updateDispersion()
	}
}

// TierDispersion is one row of the dispersion report.
type TierDispersion struct {
	Tier        string  // r1, r1z2, r1z2-10.0.0.1, r1z2-10.0.0.1/sdb1
	MaxReplicas int     // replicas of one partition the tier should hold at most
	Placed      int     // partition replicas in the tier
	Dispersion  float64 // % of Placed above MaxReplicas
	Replicas    []int   // partitions with 0, 1, 2, ... replicas in the tier
}

// DispersionReport is swift-ring-builder's dispersion report.
type DispersionReport struct {
	MaxDispersion float64
	WorstTier     string // "" when no tier is at risk
	Tiers         []TierDispersion
}

// ReportDispersion lists every tier holding replicas, in Swift's order,
// keeping those whose name matches filter from its start (nil: all).
func (b *Builder) ReportDispersion(filter *regexp.Regexp) DispersionReport {
	g := b.buildDispersion(true)
	t := g.topo
	nodes := make([]int32, 0, len(g.counts))
	for n := range g.counts {
		nodes = append(nodes, n)
	}
	// Swift sorts tier tuples: (r,) < (r, z) < (r, z, ip) < (r, z, ip, id).
	slices.SortFunc(nodes, func(x, y int32) int {
		a, b := &t.nodes[x], &t.nodes[y]
		if c := cmp.Compare(a.region, b.region); c != 0 || a.level == levelRegion || b.level == levelRegion {
			return cmp.Or(c, cmp.Compare(a.level, b.level))
		}
		if c := cmp.Compare(a.zone, b.zone); c != 0 || a.level == levelZone || b.level == levelZone {
			return cmp.Or(c, cmp.Compare(a.level, b.level))
		}
		if c := cmp.Compare(a.ip, b.ip); c != 0 || a.level == levelServer || b.level == levelServer {
			return cmp.Or(c, cmp.Compare(a.level, b.level))
		}
		return cmp.Compare(a.devID, b.devID)
	})
	var rep DispersionReport
	for _, n := range nodes {
		name := t.name(n)
		if node := t.nodes[n]; node.level == levelDevice {
			name = b.devs[node.devID].TierName()
		}
		if filter != nil {
			if loc := filter.FindStringIndex(name); loc == nil || loc[0] != 0 {
				continue
			}
		}
		counts := g.counts[n]
		maxReps := g.allowed[n]
		atRisk, placed := 0, 0
		for i, c := range counts {
			placed += i * c
			if i > maxReps {
				atRisk += (i - maxReps) * c
			}
		}
		d := 0.0
		if placed > 0 {
			d = 100 * float64(atRisk) / float64(placed)
		}
		if d > rep.MaxDispersion {
			rep.MaxDispersion, rep.WorstTier = d, name
		}
		rep.Tiers = append(rep.Tiers, TierDispersion{Tier: name, MaxReplicas: maxReps, Placed: placed,
			Dispersion: d, Replicas: slices.Clone(counts)})
	}
	return rep
}

// RequiredOverload is the smallest overload with which the ring can be
// fully dispersed (Swift's get_required_overload).
func (b *Builder) RequiredOverload() (float64, error) {
	t := newTopology(b.devs)
	weighted := t.weightedReplicas(b.replicas, b.devs)
	wanted, err := t.wantedReplicas(b.replicas, weighted)
	if err != nil {
		return 0, err
	}
	return t.requiredOverload(weighted, wanted), nil
}
