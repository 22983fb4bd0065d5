package ring

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"time"
)

// RebalanceOptions tune one Rebalance. The zero value is the default.
type RebalanceOptions struct {
	// Now is the time the rebalance happens at, for min_part_hours; zero
	// means time.Now().
	Now time.Time
	// Seed varies the tie-breaking between equally good devices. The
	// result is a pure function of the builder state and the seed.
	Seed int64
}

// RebalanceResult reports what a Rebalance changed.
type RebalanceResult struct {
	// Moved counts partition replicas now on a different device than
	// before, or new (so a first rebalance counts every replica).
	Moved int
	// Balance and Dispersion are the ring's figures afterwards; see
	// Builder.Balance and Builder.Dispersion.
	Balance    float64
	Dispersion float64
	// RemovedDevices counts devices marked for removal that left the ring.
	RemovedDevices int
}

// Rebalance assigns every replica of every partition to a device, changing
// as little of the current assignment as it can. See DESIGN.md for the
// algorithm. Devices marked for removal leave the ring; partitions moved
// within the last min_part_hours stay where they are unless their device
// was removed.
func (b *Builder) Rebalance(opts RebalanceOptions) (RebalanceResult, error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	weighted := 0
	for _, d := range b.devs {
		if d != nil && d.Weight > 0 {
			weighted++
		}
	}
	if float64(weighted) < b.replicas {
		return RebalanceResult{}, fmt.Errorf("Replica count of %v requires more than %d devices", b.replicas, weighted)
	}
	// Work out the targets before touching anything, so that an error
	// leaves the builder as it was.
	remaining := slices.Clone(b.devs)
	for _, id := range b.removeDevs {
		remaining[id] = nil
	}
	topo := newTopology(remaining)
	if err := topo.setTargets(b.replicas, b.overload, remaining); err != nil {
		return RebalanceResult{}, err
	}

	old := make([][]uint16, len(b.rows))
	for i, row := range b.rows {
		old[i] = slices.Clone(row)
	}
	b.updateLastPartMoves(now)
	r := &rebalancer{b: b, topo: topo, parts: b.Partitions(), seed: uint64(opts.Seed)*0x9e3779b97f4a7c15 + 0x632be59bd9b4e5}
	r.moved = newBitset(r.parts)
	r.fresh = make([]bitset, max(len(b.rows), len(rowLengths(r.parts, b.replicas))))
	for i := range r.fresh {
		r.fresh[i] = newBitset(r.parts)
	}
	removed := r.removeDevices()
	r.resizeRows()
	r.countAssigned()
	topo.setQuotas(r.slots(), b.replicas)

	r.gatherForDispersion()
	r.placeHoles()
	r.shed()

	for _, n := range r.topo.devices {
		node := &r.topo.nodes[n]
		b.devs[node.devID].parts = node.count
	}
	b.devsChanged = false
	b.updateDispersion()
	res := RebalanceResult{Moved: movedSlots(old, b.rows), RemovedDevices: removed, Dispersion: b.dispersion}
	res.Balance, _ = b.Balance()
	return res, nil
}

func movedSlots(old, rows [][]uint16) int {
	n := 0
	for r, row := range rows {
		for p, id := range row {
			if r >= len(old) || p >= len(old[r]) || old[r][p] != id {
				n++
			}
		}
	}
	return n
}

// updateLastPartMoves ages every partition's last move by the whole hours
// passed since the last rebalance (Swift's _update_last_part_moves).
func (b *Builder) updateLastPartMoves(now time.Time) {
	elapsed := (now.Unix() - b.lastPartMovesEpoch) / 3600
	if elapsed <= 0 {
		return
	}
	for p, h := range b.lastPartMoves {
		b.lastPartMoves[p] = uint8(min(int64(h)+elapsed, 0xff))
	}
	b.lastPartMovesEpoch = now.Unix()
}

// rebalancer is the working state of one Rebalance.
type rebalancer struct {
	b     *Builder
	topo  *topology
	parts int
	seed  uint64
	moved bitset   // partitions that moved in this rebalance
	fresh []bitset // replica -> partitions whose slot was (re)assigned in this rebalance

	view    partView // scratch for the partition being placed
	slotsOf [][]slot // device id -> its slots, built by shed
}

// slots is the number of partition replicas to assign.
func (r *rebalancer) slots() int {
	n := 0
	for _, row := range r.b.rows {
		n += len(row)
	}
	return n
}

// canMove reports whether partition p may move a replica: not moved in
// this rebalance nor within min_part_hours.
func (r *rebalancer) canMove(p int) bool {
	return !r.moved.get(p) && int(r.b.lastPartMoves[p]) >= r.b.minPartHours
}

// canMoveSlot reports whether replica rep of p may be moved: a slot
// assigned during this rebalance may be reassigned freely, it is part of a
// move already counted.
func (r *rebalancer) canMoveSlot(p, rep int) bool {
	return r.fresh[rep].get(p) || r.canMove(p)
}

func (r *rebalancer) markMoved(p, rep int) {
	r.moved.set(p)
	r.fresh[rep].set(p)
	r.b.lastPartMoves[p] = 0
}

// removeDevices empties the devices marked for removal and deletes them.
func (r *rebalancer) removeDevices() int {
	b := r.b
	gone := map[uint16]bool{}
	for _, id := range b.removeDevs {
		gone[uint16(id)] = true
	}
	for rep, row := range b.rows {
		for p, id := range row {
			if gone[id] {
				row[p] = NoDevice
				r.markMoved(p, rep)
			}
		}
	}
	for _, id := range b.removeDevs {
		b.devs[id] = nil
	}
	n := len(b.removeDevs)
	b.removeDevs = nil
	for len(b.devs) > 0 && b.devs[len(b.devs)-1] == nil {
		b.devs = b.devs[:len(b.devs)-1]
	}
	return n
}

// resizeRows makes the replica rows match the replica count: new slots are
// holes to fill, surplus ones are dropped.
func (r *rebalancer) resizeRows() {
	b := r.b
	want := rowLengths(r.parts, b.replicas)
	if len(b.rows) > len(want) {
		b.rows = b.rows[:len(want)]
	}
	for rep, n := range want {
		if rep == len(b.rows) {
			b.rows = append(b.rows, nil)
		}
		row := b.rows[rep]
		if len(row) > n {
			row = row[:n]
		}
		for p := len(row); p < n; p++ {
			row = append(row, NoDevice)
			r.markMoved(p, rep)
		}
		b.rows[rep] = row
	}
}

// countAssigned sets every tier's count from the assignment.
func (r *rebalancer) countAssigned() {
	devCount := make([]int, len(r.b.devs))
	for _, row := range r.b.rows {
		for _, id := range row {
			if id != NoDevice {
				devCount[id]++
			}
		}
	}
	for id, n := range devCount {
		if n > 0 {
			for _, t := range r.topo.paths[id] {
				r.topo.nodes[t].count += n
			}
		}
	}
}

func (r *rebalancer) assign(p, rep int, devNode int32) {
	id := r.topo.nodes[devNode].devID
	r.b.rows[rep][p] = uint16(id)
	for _, t := range r.topo.paths[id] {
		r.topo.nodes[t].count++
	}
}

func (r *rebalancer) unassign(p, rep int) int32 {
	id := r.b.rows[rep][p]
	r.b.rows[rep][p] = NoDevice
	for _, t := range r.topo.paths[id] {
		r.topo.nodes[t].count--
	}
	return r.topo.devNode[id]
}

// partView is where one partition's assigned replicas are, by tier.
type partView struct {
	paths [][numLevels]int32
}

func (r *rebalancer) load(p int) *partView {
	v := &r.view
	v.paths = v.paths[:0]
	for _, row := range r.b.rows {
		if p < len(row) && row[p] != NoDevice {
			v.paths = append(v.paths, r.topo.paths[row[p]])
		}
	}
	return v
}

// count is how many of the partition's replicas tier node n (at level lvl)
// holds.
func (v *partView) count(lvl int, n int32) int {
	c := 0
	for i := range v.paths {
		if v.paths[i][lvl] == n {
			c++
		}
	}
	return c
}

// gatherForDispersion unassigns, from each movable partition that has more
// replicas in some tier than the plan allows, the replica on the most
// overloaded device among those in offending tiers.
func (r *rebalancer) gatherForDispersion() {
	t := r.topo
	for p := 0; p < r.parts; p++ {
		for {
			v := r.load(p)
			if len(v.paths) == 0 {
				break
			}
			worstRep, worstOver := -1, 0
			for rep, row := range r.b.rows {
				if p >= len(row) || row[p] == NoDevice {
					continue
				}
				path := t.paths[row[p]]
				bad := false
				for lvl := levelRegion; lvl < numLevels; lvl++ {
					if v.count(lvl, path[lvl]) > t.nodes[path[lvl]].max {
						bad = true
						break
					}
				}
				// A device holding two replicas of one partition must
				// shed one whatever min_part_hours says.
				dup := v.count(levelDevice, path[levelDevice]) > 1
				if !bad || !(dup || r.canMoveSlot(p, rep)) {
					continue
				}
				dn := &t.nodes[path[levelDevice]]
				if over := dn.count - dn.quota; worstRep < 0 || over > worstOver {
					worstRep, worstOver = rep, over
				}
			}
			if worstRep < 0 {
				break
			}
			r.unassign(p, worstRep)
			r.markMoved(p, worstRep)
		}
	}
}

// placeHoles assigns every empty slot, preferring devices below quota and
// never breaking the per-partition tier bounds.
func (r *rebalancer) placeHoles() {
	for p := 0; p < r.parts; p++ {
		for rep, row := range r.b.rows {
			if p >= len(row) || row[p] != NoDevice {
				continue
			}
			v := r.load(p)
			d := r.choose(p, v, strict)
			if d < 0 {
				d = r.choose(p, v, overfill)
			}
			if d < 0 {
				d = r.choose(p, v, anywhere)
			}
			r.assign(p, rep, d)
			r.markMoved(p, rep)
		}
	}
}

// slot is one replica of one partition.
type slot struct {
	part uint32
	rep  uint8
}

// shed moves replicas off devices holding more than their quota onto
// devices below theirs, one replica per partition, fresh slots first since
// moving those costs no extra move. A replica that cannot go straight to a
// device with room may push others along a chain instead (see
// shedChained).
func (r *rebalancer) shed() {
	t := r.topo
	var sources []int32
	for _, n := range t.devices {
		if t.nodes[n].count > t.nodes[n].quota {
			sources = append(sources, n)
		}
	}
	if len(sources) == 0 {
		return
	}
	slices.SortFunc(sources, func(a, b int32) int {
		na, nb := &t.nodes[a], &t.nodes[b]
		return cmp.Or(cmp.Compare(nb.count-nb.quota, na.count-na.quota), cmp.Compare(na.devID, nb.devID))
	})
	r.indexSlots()
	for _, o := range sources {
		r.shedDirect(o)
	}
	for _, o := range sources {
		r.shedChained(o)
	}
}

// indexSlots lists every device's slots. Lists go stale as replicas move;
// users check that a slot is still on the device.
func (r *rebalancer) indexSlots() {
	r.slotsOf = make([][]slot, len(r.b.devs))
	for rep, row := range r.b.rows {
		for p, id := range row {
			r.slotsOf[id] = append(r.slotsOf[id], slot{uint32(p), uint8(rep)})
		}
	}
}

// candidates yields the slots still on device node n whose replica may
// move, fresh ones first, starting at a seeded offset so that the moved
// partitions spread over the ring.
func (r *rebalancer) candidates(n int32) iter.Seq2[int, int] {
	id := r.topo.nodes[n].devID
	list := r.slotsOf[id]
	return func(yield func(p, rep int) bool) {
		if len(list) == 0 {
			return
		}
		off := int(mix(r.seed^uint64(id)) % uint64(len(list)))
		for pass := range 2 {
			for j := range list {
				s := list[(off+j)%len(list)]
				p, rep := int(s.part), int(s.rep)
				if int(r.b.rows[rep][p]) != id {
					continue
				}
				fresh := r.fresh[rep].get(p)
				if pass == 0 && !fresh || pass == 1 && (fresh || !r.canMove(p)) {
					continue
				}
				if !yield(p, rep) {
					return
				}
			}
		}
	}
}

func (r *rebalancer) over(n int32) bool { return r.topo.nodes[n].count > r.topo.nodes[n].quota }

// shedDirect moves replicas from device node o straight to devices with
// room until o is down to its quota or nothing more can move.
func (r *rebalancer) shedDirect(o int32) {
	for p, rep := range r.candidates(o) {
		if !r.over(o) {
			return
		}
		r.moveOff(p, rep)
	}
}

// moveOff moves replica rep of p from its device to the best device with
// room and reports whether it found one.
func (r *rebalancer) moveOff(p, rep int) bool {
	from := r.unassign(p, rep)
	d := r.choose(p, r.load(p), strict)
	if d < 0 {
		r.assign(p, rep, from)
		return false
	}
	r.assign(p, rep, d)
	r.markMoved(p, rep)
	return true
}

// shedChained handles a device whose replicas cannot go straight to a
// device with room because the partitions on it already have, in the
// tiers of every device with room, all the replicas those tiers allow. It
// searches breadth-first for a chain of moves of distinct partitions,
// o -> d1 -> ... -> u, ending on a device u with room: each intermediate
// device gains one replica and loses another, so only o and u change
// count, one move per link. The search is bounded; in large rings direct
// moves nearly always exist and this rarely runs.
func (r *rebalancer) shedChained(o int32) {
	for r.over(o) && r.augment(o) {
	}
}

// chainBudget bounds the placement checks of one augment.
const chainBudget = 1 << 21

// link is one move of a chain: replica rep of part leaves device node from.
type link struct {
	from int32
	part int
	rep  int
}

func (r *rebalancer) augment(o int32) bool {
	t := r.topo
	parent := map[int32]link{o: {from: -1}}
	unvisited := make([]int32, 0, len(t.devices))
	for _, n := range t.devices {
		if n != o && t.nodes[n].max > 0 {
			unvisited = append(unvisited, n)
		}
	}
	onPath := func(v int32, p int) bool {
		for ; v != o; v = parent[v].from {
			if parent[v].part == p {
				return true
			}
		}
		return false
	}
	queue := []int32{o}
	work := 0
	for len(queue) > 0 && len(unvisited) > 0 {
		v := queue[0]
		queue = queue[1:]
		for p, rep := range r.candidates(v) {
			if work > chainBudget || len(unvisited) == 0 {
				break
			}
			if onPath(v, p) {
				continue
			}
			view := r.loadWithout(p, rep)
			for i := 0; i < len(unvisited); i++ {
				w := unvisited[i]
				work++
				if !r.fits(view, w) {
					continue
				}
				parent[w] = link{from: v, part: p, rep: rep}
				unvisited = slices.Delete(unvisited, i, i+1)
				i--
				if t.nodes[w].count < t.nodes[w].quota {
					r.applyChain(parent, o, w)
					return true
				}
				queue = append(queue, w)
			}
		}
	}
	return false
}

// loadWithout is load(p) without replica rep.
func (r *rebalancer) loadWithout(p, rep int) *partView {
	v := &r.view
	v.paths = v.paths[:0]
	for i, row := range r.b.rows {
		if i != rep && p < len(row) && row[p] != NoDevice {
			v.paths = append(v.paths, r.topo.paths[row[p]])
		}
	}
	return v
}

// fits reports whether one more replica of the viewed partition may go to
// device node w without exceeding any of w's tiers' per-partition bounds.
func (r *rebalancer) fits(v *partView, w int32) bool {
	path := &r.topo.paths[r.topo.nodes[w].devID]
	for lvl := levelRegion; lvl < numLevels; lvl++ {
		if v.count(lvl, path[lvl]) >= r.topo.nodes[path[lvl]].max {
			return false
		}
	}
	return true
}

// applyChain performs the moves that lead from o to w.
func (r *rebalancer) applyChain(parent map[int32]link, o, w int32) {
	for v := w; v != o; {
		l := parent[v]
		r.unassign(l.part, l.rep)
		r.assign(l.part, l.rep, v)
		r.markMoved(l.part, l.rep)
		v = l.from
	}
}

// placement modes for choose, from the preferred to the last resort.
type placement int

const (
	// strict: only tiers with room below their quota.
	strict placement = iota
	// overfill: tiers at or above quota too, the least full first.
	overfill
	// anywhere: also tiers at their per-partition bound; only a device
	// already holding the partition is excluded. Used only if the tier
	// bounds cannot be met at all.
	anywhere
)

// choose walks down the tier tree to a device for one more replica of
// partition p. At each level, among the children still below their
// per-partition bound, it takes those below their minimum first, then the
// one with the most room relative to its quota, ties broken by a hash of
// partition and tier so that partitions spread over many device
// combinations. It backtracks when a subtree has no eligible device and
// returns -1 if there is none.
func (r *rebalancer) choose(p int, v *partView, mode placement) int32 {
	return r.descend(0, p, v, mode)
}

func (r *rebalancer) descend(n int32, p int, v *partView, mode placement) int32 {
	t := r.topo
	if t.nodes[n].level == levelDevice {
		return n
	}
	var failedBuf [4]int32
	failed := failedBuf[:0]
	for {
		best := int32(-1)
		var bestKey choiceKey
		for _, c := range t.nodes[n].children {
			node := &t.nodes[c]
			if node.max == 0 || slices.Contains(failed, c) {
				continue
			}
			have := v.count(node.level, c)
			limit := node.max
			if mode == anywhere && node.level != levelDevice {
				limit = len(v.paths) + 1
			}
			if have >= limit {
				continue
			}
			room := node.quota - node.count
			if mode == strict && room <= 0 {
				continue
			}
			key := choiceKey{needMin: have < node.min, room: roomBucket(room, node.scale)}
			if best >= 0 {
				if order := key.compare(bestKey); order < 0 {
					continue
				} else if order == 0 {
					// Only ties need the hash.
					key.tie = r.tie(p, c)
					if bestKey.tie == 0 {
						bestKey.tie = r.tie(p, best)
					}
					if key.tie < bestKey.tie {
						continue
					}
				}
			}
			best, bestKey = c, key
		}
		if best < 0 {
			return -1
		}
		if d := r.descend(best, p, v, mode); d >= 0 {
			return d
		}
		failed = append(failed, best)
	}
}

type choiceKey struct {
	needMin bool
	room    int64
	tie     uint64
}

// compare orders keys by need, then room; ties (0) go to the tie hash.
func (a choiceKey) compare(b choiceKey) int {
	if a.needMin != b.needMin {
		if a.needMin {
			return 1
		}
		return -1
	}
	return cmp.Compare(a.room, b.room)
}

// tie is the tie-break rank of tier node n for partition p; never 0.
func (r *rebalancer) tie(p int, n int32) uint64 {
	return mix(r.seed^uint64(p)*0xbf58476d1ce4e5b9^uint64(n)*0x94d049bb133111eb) | 1
}

// roomBucket ranks free room relative to quota in 1/64 steps (scale is
// 64/quota), so that tiers fill at the same pace while the tie-break still
// varies the choice among nearly equal ones. Full and overfull tiers rank
// below any with room.
func roomBucket(room int, scale float64) int64 {
	b := int64(float64(room) * scale)
	if room <= 0 {
		b--
	}
	return b
}

// mix is splitmix64's finalizer.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (s bitset) get(i int) bool { return s[i/64]&(1<<(i%64)) != 0 }
func (s bitset) set(i int)      { s[i/64] |= 1 << (i % 64) }
