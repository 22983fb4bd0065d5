package ring

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"strconv"
)

// NoDevice marks an unassigned slot in a replica row.
const NoDevice = 0xFFFF

// MaxDevices is the number of device ids a ring can hold: ids are stored as
// 16-bit values and NoDevice is reserved, as in Swift's v1 ring format.
const MaxDevices = NoDevice

// Ring is an immutable placement table: for every partition, the devices
// holding its replicas. It is safe for concurrent use; servers keep the
// current one behind an atomic pointer (see Watcher) and swap in a new one
// when the ring file changes.
type Ring struct {
	partPower uint8
	rows      [][]uint16 // replica -> partition -> device id; the last row may be short
	devs      []*Device  // by id; nil where an id is unused
	version   int
	hash      HashAlgorithm
	salt      HashSalt
	checksum  string // of the decoded ring data, for comparing rings across nodes

	// Counts over devices that hold at least one partition, as Swift's
	// get_more_nodes uses them to stop looking for unused failure domains.
	numRegions, numZones, numIPs, numAssigned int
}

// Errors returned when a ring cannot be built from its parts.
var (
	ErrBadRing = errors.New("ring: invalid ring data")
)

// newRing checks the parts of a ring and precomputes what handoff lookups
// need. rows and devs are owned by the ring from here on.
func newRing(partPower int, rows [][]uint16, devs []*Device, version int, hash HashAlgorithm, salt HashSalt, checksum string) (*Ring, error) {
	if partPower < 0 || partPower > 32 {
		return nil, fmt.Errorf("%w: part power %d out of range 0..32", ErrBadRing, partPower)
	}
	parts := 1 << partPower
	for i, row := range rows {
		if len(row) > parts || (i < len(rows)-1 && len(row) != parts) {
			return nil, fmt.Errorf("%w: replica row %d has %d partitions, want %d", ErrBadRing, i, len(row), parts)
		}
		for p, id := range row {
			if int(id) >= len(devs) || devs[id] == nil {
				return nil, fmt.Errorf("%w: partition %d replica %d is on unknown device %d", ErrBadRing, p, i, id)
			}
		}
	}
	for id, d := range devs {
		if d != nil && d.ID != id {
			return nil, fmt.Errorf("%w: device at index %d has id %d", ErrBadRing, id, d.ID)
		}
	}
	r := &Ring{partPower: uint8(partPower), rows: rows, devs: devs, version: version, hash: hash, salt: salt, checksum: checksum}
	r.countAssigned()
	return r, nil
}

func (r *Ring) countAssigned() {
	used := make([]bool, len(r.devs))
	for _, row := range r.rows {
		for _, id := range row {
			used[id] = true
		}
	}
	type zoneKey struct{ region, zone int }
	type ipKey struct {
		region, zone int
		ip           string
	}
	regions, zones, ips := map[int]bool{}, map[zoneKey]bool{}, map[ipKey]bool{}
	for id, d := range r.devs {
		if d == nil || !used[id] {
			continue
		}
		r.numAssigned++
		regions[d.Region] = true
		zones[zoneKey{d.Region, d.Zone}] = true
		ips[ipKey{d.Region, d.Zone, d.IP}] = true
	}
	r.numRegions, r.numZones, r.numIPs = len(regions), len(zones), len(ips)
}

// PartPower is log2 of the number of partitions.
func (r *Ring) PartPower() int { return int(r.partPower) }

// PartitionCount is the number of partitions, 2^PartPower.
func (r *Ring) PartitionCount() int { return 1 << r.partPower }

// ReplicaCount is the number of replicas, fractional when the last replica
// row covers only some partitions (Swift's replica_count).
func (r *Ring) ReplicaCount() float64 {
	if len(r.rows) == 0 || len(r.rows[0]) == 0 {
		return 0
	}
	return float64(len(r.rows)-1) + float64(len(r.rows[len(r.rows)-1]))/float64(len(r.rows[0]))
}

// Version is the builder version the ring was written from.
func (r *Ring) Version() int { return r.version }

// Hash is the algorithm the ring places paths with.
func (r *Ring) Hash() HashAlgorithm { return r.hash }

// Checksum identifies the ring's contents (devices and assignments): two
// rings with the same checksum place every path identically.
func (r *Ring) Checksum() string { return r.checksum }

// Devices returns the ring's devices indexed by id, with nil for unused ids.
// The slice and the devices are shared: callers must not modify them.
func (r *Ring) Devices() []*Device { return r.devs }

// Device returns the device with the given id, or nil.
func (r *Ring) Device(id int) *Device {
	if id < 0 || id >= len(r.devs) {
		return nil
	}
	return r.devs[id]
}

// Partition returns the partition of /account[/container[/object]]. An
// object without a container is ignored, as callers validate paths first.
// It does not allocate.
func (r *Ring) Partition(account, container, object string) uint32 {
	return partitionOf(r.hash, r.salt, r.partPower, account, container, object)
}

// AppendPrimaries appends the devices holding part's replicas to dst, in
// replica order and without duplicates (a device listed for two replicas
// appears once, as in Swift's get_part_nodes), and returns the extended
// slice. With a dst of sufficient capacity it does not allocate.
func (r *Ring) AppendPrimaries(dst []*Device, part uint32) []*Device {
	start := len(dst)
rows:
	for _, row := range r.rows {
		if int(part) >= len(row) {
			continue
		}
		d := r.devs[row[part]]
		for _, seen := range dst[start:] {
			if seen == d {
				continue rows
			}
		}
		dst = append(dst, d)
	}
	return dst
}

// Primaries returns the devices holding part's replicas; see AppendPrimaries.
func (r *Ring) Primaries(part uint32) []*Device {
	return r.AppendPrimaries(make([]*Device, 0, len(r.rows)), part)
}

// Handoffs yields, in a deterministic order, every assigned device that is
// not a primary of part: first devices in regions the primaries do not use,
// then in unused zones, then on unused servers (ips), then the rest. The
// order is Swift's get_more_nodes, so it is the same for an imported Swift
// ring as in Swift, and it changes little when the ring is rebalanced.
func (r *Ring) Handoffs(part uint32) iter.Seq[*Device] {
	return func(yield func(*Device) bool) {
		if len(r.rows) == 0 {
			return
		}
		primaries := r.Primaries(part)
		used := make([]bool, len(r.devs))
		type zoneKey struct{ region, zone int }
		type ipKey struct {
			region, zone int
			ip           string
		}
		regions, zones, ips := map[int]bool{}, map[zoneKey]bool{}, map[ipKey]bool{}
		for _, d := range primaries {
			used[d.ID] = true
			regions[d.Region] = true
			zones[zoneKey{d.Region, d.Zone}] = true
			ips[ipKey{d.Region, d.Zone, d.IP}] = true
		}
		numUsed := len(primaries)

		parts := len(r.rows[0])
		sum := md5.Sum(strconv.AppendUint(nil, uint64(part), 10))
		start := int(uint64(binary.BigEndian.Uint32(sum[:4])) >> (32 - r.partPower))
		inc := parts / 65536
		if inc == 0 {
			inc = 1
		}
		// Swift walks the partitions from start to the end and then wraps
		// around, in steps of inc, offsetting the second leg so that both
		// legs visit the same residue class.
		walk := func(visit func(id uint16) (stop bool)) {
			for _, leg := range [2][2]int{{start, parts}, {inc - ((parts - start) % inc), start}} {
				for hp := leg[0]; hp < leg[1]; hp += inc {
					for _, row := range r.rows {
						if hp < len(row) && visit(row[hp]) {
							return
						}
					}
				}
			}
		}
		stopped := false
		emit := func(d *Device) bool {
			used[d.ID] = true
			numUsed++
			regions[d.Region] = true
			zones[zoneKey{d.Region, d.Zone}] = true
			ips[ipKey{d.Region, d.Zone, d.IP}] = true
			if !yield(d) {
				stopped = true
			}
			return stopped
		}
		if len(regions) < r.numRegions {
			walk(func(id uint16) bool {
				d := r.devs[id]
				if used[id] || regions[d.Region] {
					return false
				}
				return emit(d) || len(regions) == r.numRegions
			})
		}
		if !stopped && len(zones) < r.numZones {
			walk(func(id uint16) bool {
				d := r.devs[id]
				if used[id] || zones[zoneKey{d.Region, d.Zone}] {
					return false
				}
				return emit(d) || len(zones) == r.numZones
			})
		}
		if !stopped && len(ips) < r.numIPs {
			walk(func(id uint16) bool {
				d := r.devs[id]
				if used[id] || ips[ipKey{d.Region, d.Zone, d.IP}] {
					return false
				}
				return emit(d) || len(ips) == r.numIPs
			})
		}
		if !stopped && numUsed < r.numAssigned {
			walk(func(id uint16) bool {
				if used[id] {
					return false
				}
				return emit(r.devs[id]) || numUsed == r.numAssigned
			})
		}
	}
}
