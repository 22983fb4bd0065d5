package ring

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Tier levels, from the whole cluster down to one device. A server is an
// IP address, as in Swift: devices behind several ports of one host share
// the host's fate.
const (
	levelRoot = iota
	levelRegion
	levelZone
	levelServer
	levelDevice
	numLevels
)

// tierNode is one failure domain of the tier tree.
type tierNode struct {
	level    int
	parent   int32
	children []int32
	region   int
	zone     int
	ip       string
	devID    int // device level only

	weightedDevs int     // devices with weight below this node
	weight       float64 // sum of device weights below

	// Replicanths: the average number of replicas of a partition this tier
	// should hold (Swift's target_replicas_by_tier).
	target float64
	// Per-partition bounds derived from target (Swift's replica plan).
	min, max int

	quota int     // partition replicas this tier should hold
	scale float64 // 64/quota, for ranking free room relative to quota
	count int     // partition replicas it holds (kept current during rebalance)
}

// topology is the tier tree over a builder's devices (those with and
// without weight) with the targets a rebalance works towards.
type topology struct {
	nodes   []tierNode
	devNode []int32            // device id -> device node, -1 if absent
	paths   [][numLevels]int32 // device id -> nodes from the root down
	devices []int32            // device nodes in tree order
}

func newTopology(devs []*builderDev) *topology {
	sorted := make([]*builderDev, 0, len(devs))
	for _, d := range devs {
		if d != nil {
			sorted = append(sorted, d)
		}
	}
	slices.SortFunc(sorted, func(a, b *builderDev) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Zone, b.Zone),
			cmp.Compare(a.IP, b.IP), cmp.Compare(a.ID, b.ID))
	})
	t := &topology{
		nodes:   []tierNode{{level: levelRoot, parent: -1}},
		devNode: make([]int32, len(devs)),
		paths:   make([][numLevels]int32, len(devs)),
	}
	for i := range t.devNode {
		t.devNode[i] = -1
	}
	var path [numLevels]int32
	for i, d := range sorted {
		var prev *builderDev
		if i > 0 {
			prev = sorted[i-1]
		}
		// A new node at each level from the first one whose key differs.
		first := levelRegion
		switch {
		case prev == nil || prev.Region != d.Region:
		case prev.Zone != d.Zone:
			first = levelZone
		case prev.IP != d.IP:
			first = levelServer
		default:
			first = levelDevice
		}
		for lvl := first; lvl < numLevels; lvl++ {
			n := tierNode{level: lvl, parent: path[lvl-1], region: d.Region, zone: d.Zone, ip: d.IP, devID: -1}
			if lvl == levelDevice {
				n.devID = d.ID
			}
			idx := int32(len(t.nodes))
			t.nodes = append(t.nodes, n)
			t.nodes[path[lvl-1]].children = append(t.nodes[path[lvl-1]].children, idx)
			path[lvl] = idx
		}
		t.devNode[d.ID] = path[levelDevice]
		t.paths[d.ID] = path
		t.devices = append(t.devices, path[levelDevice])
		if d.Weight > 0 {
			for _, n := range path {
				t.nodes[n].weightedDevs++
				t.nodes[n].weight += d.Weight
			}
		}
	}
	return t
}

// weightedChildren are the children holding a device with weight, the only
// ones Swift's tier tree knows.
func (t *topology) weightedChildren(n int32) []int32 {
	var out []int32
	for _, c := range t.nodes[n].children {
		if t.nodes[c].weightedDevs > 0 {
			out = append(out, c)
		}
	}
	return out
}

// maxReplicas spreads the replica count evenly down the tree, ignoring
// weights: each child may hold bound(parent / children) and a device at
// most one (Swift's _build_max_replicas_by_tier).
func (t *topology) maxReplicas(replicas float64, bound func(float64) float64) []float64 {
	out := make([]float64, len(t.nodes))
	var walk func(n int32, rc float64)
	walk = func(n int32, rc float64) {
		if t.nodes[n].level == levelDevice {
			rc = min(1, rc)
		}
		out[n] = rc
		kids := t.weightedChildren(n)
		for _, c := range kids {
			walk(c, bound(rc/float64(len(kids))))
		}
	}
	if t.nodes[0].weightedDevs > 0 {
		walk(0, replicas)
	}
	return out
}

// weightedReplicas gives every device replicanths in proportion to its
// weight, capped at one replica, and sums them up the tree (Swift's
// _build_weighted_replicas_by_tier).
func (t *topology) weightedReplicas(replicas float64, devs []*builderDev) []float64 {
	out := make([]float64, len(t.nodes))
	total := t.nodes[0].weight
	if total == 0 {
		return out
	}
	per := make([]float64, len(t.nodes)) // device node -> replicanths
	var room, weightedDevs []int32
	for _, n := range t.devices {
		d := devs[t.nodes[n].devID]
		if d.Weight <= 0 {
			continue
		}
		weightedDevs = append(weightedDevs, n)
		w := d.Weight * replicas / total
		if w < 1 {
			room = append(room, n)
		} else {
			w = 1
		}
		per[n] = w
	}
	for range 1000 {
		sum := 0.0
		for _, n := range weightedDevs {
			sum += per[n]
		}
		remaining := replicas - sum
		if remaining < 1e-10 {
			break
		}
		room = slices.DeleteFunc(room, func(n int32) bool { return per[n] >= 1 })
		roomSum := 0.0
		for _, n := range room {
			roomSum += per[n]
		}
		if roomSum == 0 {
			break
		}
		rel := remaining / roomSum
		for _, n := range room {
			per[n] = min(1, per[n]*(rel+1))
		}
	}
	for _, n := range weightedDevs {
		for _, a := range t.ancestry(n) {
			out[a] += per[n]
		}
	}
	return out
}

// ancestry lists n and its ancestors up to the root.
func (t *topology) ancestry(n int32) []int32 {
	var out []int32
	for ; n >= 0; n = t.nodes[n].parent {
		out = append(out, n)
	}
	return out
}

// wantedReplicas spreads replicas as evenly over failure domains as the
// domains' devices allow, following weights within those limits (Swift's
// _build_wanted_replicas_by_tier): the fully dispersed plan.
func (t *topology) wantedReplicas(replicas float64, weighted []float64) ([]float64, error) {
	exact := t.maxReplicas(replicas, func(f float64) float64 { return f })
	out := make([]float64, len(t.nodes))
	var place func(n int32, rc float64) error
	place = func(n int32, rc float64) error {
		if rc > float64(t.nodes[n].weightedDevs)+1e-10 {
			return fmt.Errorf("More replicanths (%v) than devices (%d) in tier (%s)", rc, t.nodes[n].weightedDevs, t.name(n))
		}
		out[n] = rc
		kids := t.weightedChildren(n)
		if len(kids) == 0 {
			return nil
		}
		toPlace := make([]float64, len(kids))
		spread := make([]int, len(kids))
		for i := range kids {
			spread[i] = i
		}
		remaining := rc
		deviceLimited := false
		for iter := 0; ; iter++ {
			if iter > 10000 || len(spread) == 0 {
				return fmt.Errorf("cannot spread %v replicas over tier (%s)", rc, t.name(n))
			}
			sumW := 0.0
			for _, i := range spread {
				sumW += weighted[kids[i]]
			}
			if sumW == 0 {
				return fmt.Errorf("cannot spread %v replicas over tier (%s)", rc, t.name(n))
			}
			rel := remaining / sumW
			for _, i := range spread {
				c := kids[i]
				r := toPlace[i] + weighted[c]*rel
				lo, hi := math.Floor(exact[c]), math.Ceil(exact[c])
				if r < lo {
					r = lo
				} else if r > hi && !deviceLimited {
					r = hi
				}
				r = min(r, float64(t.nodes[c].weightedDevs))
				toPlace[i] = r
			}
			sum := 0.0
			for _, v := range toPlace {
				sum += v
			}
			remaining = rc - sum
			spread = spread[:0]
			switch {
			case remaining < -1e-10:
				for i, c := range kids {
					if toPlace[i] > math.Floor(exact[c]) {
						spread = append(spread, i)
					}
				}
			case remaining > 1e-10:
				for i, c := range kids {
					if float64(t.nodes[c].weightedDevs) > toPlace[i] && toPlace[i] < math.Ceil(exact[c]) {
						spread = append(spread, i)
					}
				}
				if len(spread) == 0 {
					deviceLimited = true
					for i, c := range kids {
						if toPlace[i] < float64(t.nodes[c].weightedDevs) {
							spread = append(spread, i)
						}
					}
				}
			default:
				for i, c := range kids {
					if err := place(c, toPlace[i]); err != nil {
						return err
					}
				}
				return nil
			}
		}
	}
	if t.nodes[0].weightedDevs == 0 {
		return out, nil
	}
	return out, place(0, replicas)
}

// requiredOverload is the smallest overload that lets every device take
// its fully dispersed share: the largest relative increase over its
// weighted share any device needs.
func (t *topology) requiredOverload(weighted, wanted []float64) float64 {
	worst := 0.0
	for _, n := range t.devices {
		if weighted[n] > 0 {
			worst = max(worst, (wanted[n]-weighted[n])/weighted[n])
		}
	}
	return worst
}

// setTargets computes every tier's target replicanths: the weighted plan
// moved towards the dispersed plan by as much of the required overload as
// the builder's overload allows (Swift's _build_target_replicas_by_tier),
// and from it each tier's per-partition bounds.
func (t *topology) setTargets(replicas, overload float64, devs []*builderDev) error {
	weighted := t.weightedReplicas(replicas, devs)
	wanted, err := t.wantedReplicas(replicas, weighted)
	if err != nil {
		return err
	}
	required := t.requiredOverload(weighted, wanted)
	for i := range t.nodes {
		n := &t.nodes[i]
		switch {
		case required <= 0:
			n.target = wanted[i]
		default:
			n.target = weighted[i] + (wanted[i]-weighted[i])/required*min(overload, required)
		}
		n.min = int(math.Floor(n.target + 1e-10))
		n.max = int(math.Ceil(n.target - 1e-10))
	}
	return nil
}

// setQuotas splits slots over the tree in proportion to the targets: each
// node's quota is its exact share rounded down or up, the children's quotas
// add up to the parent's, and where rounding leaves a choice the extra
// replica goes to the child already holding the most (fewest moves), then
// to the largest remainder. counts must be current.
func (t *topology) setQuotas(slots int, replicas float64) {
	type share struct {
		node  int32
		ideal float64
		base  int
	}
	var split func(n int32, q int)
	split = func(n int32, q int) {
		t.nodes[n].quota = q
		t.nodes[n].scale = 64 / float64(max(q, 1))
		kids := t.nodes[n].children
		if len(kids) == 0 {
			return
		}
		shares := make([]share, len(kids))
		sum := 0
		for i, c := range kids {
			ideal := t.nodes[c].target * float64(slots) / replicas
			base := max(int(math.Floor(ideal)), 0)
			shares[i] = share{c, ideal, base}
			sum += base
		}
		extra := q - sum
		order := make([]int, len(shares))
		for i := range order {
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int {
			sa, sb := shares[a], shares[b]
			fullA := t.nodes[sa.node].count > sa.base && t.nodes[sa.node].target > 0
			fullB := t.nodes[sb.node].count > sb.base && t.nodes[sb.node].target > 0
			if fullA != fullB {
				if fullA {
					return -1
				}
				return 1
			}
			return cmp.Compare(sb.ideal-float64(sb.base), sa.ideal-float64(sa.base))
		})
		for i := 0; extra > 0 && i < len(order); i++ {
			if t.nodes[shares[order[i]].node].target > 0 {
				shares[order[i]].base++
				extra--
			}
		}
		// Floating-point slack: take back from the smallest remainders.
		for i := len(order) - 1; extra < 0 && i >= 0; i-- {
			if shares[order[i]].base > 0 {
				shares[order[i]].base--
				extra++
			}
		}
		for _, s := range shares {
			split(s.node, s.base)
		}
	}
	split(0, slots)
}

// name is the tier's name in reports: r1, r1z2, r1z2-10.0.0.1, or
// r1z2-10.0.0.1/sdb1 for a device (the latter needs the device name, so it
// is formed by the caller).
func (t *topology) name(n int32) string {
	node := t.nodes[n]
	switch node.level {
	case levelRoot:
		return "cluster"
	case levelRegion:
		return fmt.Sprintf("r%d", node.region)
	case levelZone:
		return fmt.Sprintf("r%dz%d", node.region, node.zone)
	case levelServer:
		return fmt.Sprintf("r%dz%d-%s", node.region, node.zone, node.ip)
	}
	return fmt.Sprintf("r%dz%d-%s/d%d", node.region, node.zone, node.ip, node.devID)
}
