package ring

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// MaxReplicas bounds the replica count: far above any real use, and low
// enough that a typo cannot ask for terabytes of replica rows.
const MaxReplicas = 64

// MaxBalance is the balance reported when a device without weight still
// holds partitions (Swift's MAX_BALANCE).
const MaxBalance = 999.99

// Errors returned by Builder methods; the CLI prints them as they are.
var (
	// ErrEmptyRing is returned by Balance, and by Rebalance, when no device
	// has weight.
	ErrEmptyRing = errors.New("There are no devices in this ring, or all devices have been deleted")
	// ErrNoSuchDevice is returned by the device setters for an unknown id.
	ErrNoSuchDevice = errors.New("no such device")
	// ErrDuplicateDevice is returned by AddDevice and SetInfo when another
	// device already uses the same ip, port and device name.
	ErrDuplicateDevice = errors.New("duplicate device")
)

// Builder holds what a ring is made from (devices and their weights, the
// replica count, the part power) and the current assignment, and computes
// new assignments with Rebalance. It is what swift-ring-builder's .builder
// file holds. A Builder is not safe for concurrent use.
type Builder struct {
	partPower    int
	replicas     float64
	minPartHours int
	overload     float64 // fraction: 0.1 lets a device take 10% more than its weight's share
	version      int
	id           string        // assigned on first save, as in Swift
	hash         HashAlgorithm // how rings from this builder place paths

	devs        []*builderDev // by id; nil where an id is unused
	removeDevs  []int         // ids marked for removal at the next rebalance
	devsChanged bool

	rows               [][]uint16 // replica -> partition -> device id; nil until the first rebalance
	lastPartMoves      []uint8    // hours since each partition last moved, saturating at 255
	lastPartMovesEpoch int64      // unix seconds lastPartMoves is relative to

	dispersion    float64
	hasDispersion bool // false until computed, like Swift's None
}

type builderDev struct {
	Device
	parts int // slots assigned to the device
}

// DeviceInfo is a device with its share of the current assignment.
type DeviceInfo struct {
	Device
	Parts    int     // partition replicas assigned
	Balance  float64 // % above (+) or below (-) its weight's share
	Removing bool    // marked for removal at the next rebalance
}

// NewBuilder returns an empty builder for 2^partPower partitions with the
// given replica count (fractional allowed, at least 1) and min_part_hours.
func NewBuilder(partPower int, replicas float64, minPartHours int) (*Builder, error) {
	if partPower < 0 || partPower > 32 {
		return nil, fmt.Errorf("part_power must be at most 32 (was %d)", partPower)
	}
	if !(replicas >= 1) {
		return nil, fmt.Errorf("replicas must be at least 1 (was %.6f)", replicas)
	}
	if replicas > MaxReplicas {
		return nil, fmt.Errorf("replicas must be at most %d (was %.6f)", MaxReplicas, replicas)
	}
	if minPartHours < 0 || minPartHours > 255 {
		return nil, fmt.Errorf("min_part_hours must be between 0 and 255 (was %d)", minPartHours)
	}
	return &Builder{
		hash:          XXHash64,
		partPower:     partPower,
		replicas:      replicas,
		minPartHours:  minPartHours,
		lastPartMoves: make([]uint8, 1<<partPower),
	}, nil
}

// PartPower is log2 of the number of partitions.
func (b *Builder) PartPower() int { return b.partPower }

// Partitions is the number of partitions.
func (b *Builder) Partitions() int { return 1 << b.partPower }

// Replicas is the replica count.
func (b *Builder) Replicas() float64 { return b.replicas }

// MinPartHours is the minimum time, in hours, between two moves of one
// partition.
func (b *Builder) MinPartHours() int { return b.minPartHours }

// Overload is the fraction by which a device may exceed its weight's share
// to improve dispersion.
func (b *Builder) Overload() float64 { return b.overload }

// Version counts the changes made to the builder.
func (b *Builder) Version() int { return b.version }

// ID is the builder's unique id, or "" before it was first saved.
func (b *Builder) ID() string { return b.id }

// DevsChanged reports whether devices changed since the last rebalance.
func (b *Builder) DevsChanged() bool { return b.devsChanged }

// EverRebalanced reports whether the builder has an assignment.
func (b *Builder) EverRebalanced() bool { return b.rows != nil }

// Dispersion is the percentage of partition replicas that are not as
// dispersed as the tiers allow, as computed at the last rebalance (ok is
// false if it never was).
func (b *Builder) Dispersion() (pct float64, ok bool) { return b.dispersion, b.hasDispersion }

// MinPartSecondsLeft is how long, at now, until partitions moved by the
// last rebalance may move again.
func (b *Builder) MinPartSecondsLeft(now time.Time) int64 {
	elapsed := now.Unix() - b.lastPartMovesEpoch
	return max(int64(b.minPartHours)*3600-elapsed, 0)
}

// Devices returns every device, ordered by id.
func (b *Builder) Devices() []DeviceInfo {
	balance := b.balancePerDevice()
	var out []DeviceInfo
	for _, d := range b.devs {
		if d == nil {
			continue
		}
		out = append(out, DeviceInfo{Device: d.Device, Parts: d.parts, Balance: balance[d.ID],
			Removing: slices.Contains(b.removeDevs, d.ID)})
	}
	return out
}

// Search returns the devices matching q, ordered by id.
func (b *Builder) Search(q Query) []DeviceInfo {
	var out []DeviceInfo
	for _, d := range b.Devices() {
		if q.Match(d.Device) {
			out = append(out, d)
		}
	}
	return out
}

func (b *Builder) dev(id int) (*builderDev, error) {
	if id < 0 || id >= len(b.devs) || b.devs[id] == nil {
		return nil, fmt.Errorf("%w: %d", ErrNoSuchDevice, id)
	}
	return b.devs[id], nil
}

func (b *Builder) changed() {
	b.devsChanged = true
	b.version++
}

// AddDevice adds d with the lowest free id and returns that id. The device
// gets partitions at the next Rebalance. ReplicationIP and ReplicationPort
// default to IP and Port.
func (b *Builder) AddDevice(d Device) (int, error) {
	if d.Weight < 0 || math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) {
		return 0, fmt.Errorf("Invalid weight value: %v", d.Weight)
	}
	if !ValidDeviceName(d.Name) {
		return 0, fmt.Errorf("Invalid device name")
	}
	if d.ReplicationIP == "" {
		d.ReplicationIP = d.IP
	}
	if d.ReplicationPort == 0 {
		d.ReplicationPort = d.Port
	}
	if other := b.deviceAt(d.IP, d.Port, d.Name, -1); other != nil {
		return 0, fmt.Errorf("%w: Device %d already uses %s:%d/%s", ErrDuplicateDevice, other.ID, other.IP, other.Port, other.Name)
	}
	id := slices.Index(b.devs, nil)
	if id < 0 {
		id = len(b.devs)
		if id >= MaxDevices {
			return 0, fmt.Errorf("ring: a ring holds at most %d devices", MaxDevices)
		}
		b.devs = append(b.devs, nil)
	}
	d.ID = id
	b.devs[id] = &builderDev{Device: d}
	b.changed()
	return id, nil
}

// Device returns the device with the given id.
func (b *Builder) Device(id int) (Device, bool) {
	d, err := b.dev(id)
	if err != nil {
		return Device{}, false
	}
	return d.Device, true
}

// DeviceAt returns the device other than the one with id except that uses
// ip:port/name: what makes two devices the same for Swift.
func (b *Builder) DeviceAt(ip string, port int, name string, except int) (Device, bool) {
	if d := b.deviceAt(ip, port, name, except); d != nil {
		return d.Device, true
	}
	return Device{}, false
}

func (b *Builder) deviceAt(ip string, port int, name string, except int) *builderDev {
	for _, o := range b.devs {
		if o != nil && o.ID != except && o.IP == ip && o.Port == port && o.Name == name {
			return o
		}
	}
	return nil
}

func (b *Builder) checkNotRemoving(id int, what string) error {
	if slices.Contains(b.removeDevs, id) {
		return fmt.Errorf("Can not set %s of dev_id %d because it is marked for removal", what, id)
	}
	return nil
}

// SetWeight changes a device's weight; it takes effect at the next
// Rebalance. Weight 0 drains the device.
func (b *Builder) SetWeight(id int, weight float64) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if weight < 0 || math.IsNaN(weight) || math.IsInf(weight, 0) {
		return fmt.Errorf("Invalid weight value: %v", weight)
	}
	if err := b.checkNotRemoving(id, "weight"); err != nil {
		return err
	}
	d.Weight = weight
	b.changed()
	return nil
}

// SetRegion moves a device to another region.
func (b *Builder) SetRegion(id, region int) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if err := b.checkNotRemoving(id, "region"); err != nil {
		return err
	}
	d.Region = region
	b.changed()
	return nil
}

// SetZone moves a device to another zone.
func (b *Builder) SetZone(id, zone int) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if err := b.checkNotRemoving(id, "zone"); err != nil {
		return err
	}
	d.Zone = zone
	b.changed()
	return nil
}

// InfoChange lists the device fields set_info may change; nil fields stay.
type InfoChange struct {
	IP              *string
	Port            *int
	ReplicationIP   *string
	ReplicationPort *int
	Device          *string
	Meta            *string
}

// Empty reports whether c changes nothing.
func (c InfoChange) Empty() bool {
	return c.IP == nil && c.Port == nil && c.ReplicationIP == nil && c.ReplicationPort == nil && c.Device == nil && c.Meta == nil
}

// SetInfo changes a device's addresses, name or meta. These do not affect
// placement; WriteRing publishes them without a rebalance.
func (b *Builder) SetInfo(id int, c InfoChange) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	n := d.Device
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&n.IP, c.IP)
	set(&n.ReplicationIP, c.ReplicationIP)
	set(&n.Name, c.Device)
	set(&n.Meta, c.Meta)
	if c.Port != nil {
		n.Port = *c.Port
	}
	if c.ReplicationPort != nil {
		n.ReplicationPort = *c.ReplicationPort
	}
	if !ValidDeviceName(n.Name) {
		return fmt.Errorf("Invalid device name")
	}
	if other := b.deviceAt(n.IP, n.Port, n.Name, id); other != nil {
		return fmt.Errorf("%w: Device %d already uses %s:%d/%s.", ErrDuplicateDevice, other.ID, other.IP, other.Port, other.Name)
	}
	d.Device = n
	b.changed()
	return nil
}

// RemoveDevice marks a device for removal: its weight becomes 0 and at the
// next Rebalance its partitions are reassigned (regardless of
// min_part_hours, since removal usually means the device failed) and the
// device leaves the ring.
func (b *Builder) RemoveDevice(id int) error {
	d, err := b.dev(id)
	if err != nil {
		return err
	}
	if slices.Contains(b.removeDevs, id) {
		return nil
	}
	d.Weight = 0
	b.removeDevs = append(b.removeDevs, id)
	b.changed()
	return nil
}

// SetReplicas changes the replica count (fractional allowed, at least 1);
// it takes effect at the next Rebalance.
func (b *Builder) SetReplicas(replicas float64) error {
	if !(replicas >= 1) {
		return fmt.Errorf("Replica count must be at least 1.")
	}
	if replicas > MaxReplicas {
		return fmt.Errorf("Replica count must be at most %d.", MaxReplicas)
	}
	if slotsFor(b.Partitions(), b.replicas) != slotsFor(b.Partitions(), replicas) {
		b.devsChanged = true
	}
	b.replicas = replicas
	return nil
}

// SetOverload sets the overload factor (a fraction, 0.1 = 10%).
func (b *Builder) SetOverload(overload float64) error {
	if !(overload >= 0) || math.IsInf(overload, 0) {
		return fmt.Errorf("Overload must be non-negative.")
	}
	b.overload = overload
	return nil
}

// SetMinPartHours changes min_part_hours.
func (b *Builder) SetMinPartHours(hours int) error {
	if hours < 0 || hours > 255 {
		return fmt.Errorf("min_part_hours must be between 0 and 255 (was %d)", hours)
	}
	b.minPartHours = hours
	return nil
}

// PretendMinPartHoursPassed marks every partition as moved long ago, so the
// next Rebalance may move any of them.
func (b *Builder) PretendMinPartHoursPassed() {
	b.lastPartMovesEpoch = 0
	for i := range b.lastPartMoves {
		b.lastPartMoves[i] = 0xff
	}
}

// rowLengths is the length of each replica row for the replica count:
// whole replicas cover every partition, a fractional one only a share.
func rowLengths(parts int, replicas float64) []int {
	whole := int(replicas)
	lens := make([]int, whole, whole+1)
	for i := range lens {
		lens[i] = parts
	}
	if frac := replicas - float64(whole); frac > 0 {
		lens = append(lens, int(float64(parts)*frac))
	}
	return lens
}

func slotsFor(parts int, replicas float64) int {
	n := 0
	for _, l := range rowLengths(parts, replicas) {
		n += l
	}
	return n
}

// weightOfOnePart is Swift's weight_of_one_part: partition replicas per
// unit of weight.
func (b *Builder) weightOfOnePart() (float64, error) {
	total := 0.0
	for _, d := range b.devs {
		if d != nil {
			total += d.Weight
		}
	}
	if total == 0 {
		return 0, ErrEmptyRing
	}
	return float64(b.Partitions()) * b.replicas / total, nil
}

// balancePerDevice is each device's deviation from its weight's share,
// indexed by id.
func (b *Builder) balancePerDevice() []float64 {
	out := make([]float64, len(b.devs))
	wop, err := b.weightOfOnePart()
	for _, d := range b.devs {
		switch {
		case d == nil:
		case d.Weight == 0 && d.parts > 0:
			out[d.ID] = MaxBalance
		case d.Weight == 0 || err != nil:
		default:
			out[d.ID] = 100*float64(d.parts)/(d.Weight*wop) - 100
		}
	}
	return out
}

// Balance is the largest deviation, in percent, of any device's partition
// count from its weight's share, exactly as swift-ring-builder computes it:
// max |100 * parts / (weight * weight_of_one_part) - 100|, and MaxBalance
// if a device without weight holds partitions.
func (b *Builder) Balance() (float64, error) {
	if _, err := b.weightOfOnePart(); err != nil {
		return 0, err
	}
	worst := 0.0
	for _, v := range b.balancePerDevice() {
		worst = max(worst, math.Abs(v))
	}
	return worst, nil
}

// Validate checks the assignment: every slot on an existing device, no
// partition twice on one device, and the device partition counts agreeing
// with the table.
func (b *Builder) Validate() error {
	if b.rows == nil {
		return errors.New("_replica2part2dev empty; did you forget to rebalance?")
	}
	onDevs, inMap := 0, 0
	for _, d := range b.devs {
		if d != nil {
			onDevs += d.parts
		}
	}
	counts := make([]int, len(b.devs))
	for r, row := range b.rows {
		inMap += len(row)
		if want := rowLengths(b.Partitions(), b.replicas); r >= len(want) || len(row) != want[r] {
			return fmt.Errorf("replica %d has %d partitions, want %v", r, len(row), want)
		}
		for p, id := range row {
			if int(id) >= len(b.devs) || b.devs[id] == nil {
				return fmt.Errorf("Partition %d, replica %d was not allocated to a device.", p, r)
			}
			counts[id]++
		}
	}
	if onDevs != inMap {
		return fmt.Errorf("All partitions are not double accounted for: %d != %d", onDevs, inMap)
	}
	for id, d := range b.devs {
		if d != nil && d.parts != counts[id] {
			return fmt.Errorf("device %d claims %d partitions but holds %d", id, d.parts, counts[id])
		}
	}
	var seen []uint16
	for p := range b.Partitions() {
		seen = seen[:0]
		for _, row := range b.rows {
			if p >= len(row) {
				continue
			}
			if slices.Contains(seen, row[p]) {
				return fmt.Errorf("The partition %d has been assigned to duplicate devices %v", p, append(seen, row[p]))
			}
			seen = append(seen, row[p])
		}
	}
	return nil
}

// PartCount is a partition and how many of its replicas a set of devices
// holds.
type PartCount struct {
	Part    int
	Matches int
}

// PartitionsOn lists the partitions with a replica on any of the devices,
// most matches first (swift-ring-builder's list_parts).
func (b *Builder) PartitionsOn(ids []int) []PartCount {
	want := map[uint16]bool{}
	for _, id := range ids {
		want[uint16(id)] = true
	}
	matches := map[int]int{}
	for _, row := range b.rows {
		for p, id := range row {
			if want[id] {
				matches[p]++
			}
		}
	}
	out := make([]PartCount, 0, len(matches))
	for p, n := range matches {
		out = append(out, PartCount{p, n})
	}
	slices.SortFunc(out, func(a, b PartCount) int {
		if a.Matches != b.Matches {
			return b.Matches - a.Matches
		}
		return a.Part - b.Part
	})
	return out
}

// PartitionDevices returns the devices holding part, without duplicates.
func (b *Builder) PartitionDevices(part int) []Device {
	var out []Device
	for _, row := range b.rows {
		if part < len(row) {
			d := b.devs[row[part]].Device
			if !slices.ContainsFunc(out, func(o Device) bool { return o.ID == d.ID }) {
				out = append(out, d)
			}
		}
	}
	return out
}

// Hash is the algorithm rings from this builder place paths with: xxhash64
// for swiftlet's own, MD5 for a builder made from a Swift ring.
func (b *Builder) Hash() HashAlgorithm { return b.hash }

// Ring returns the immutable ring for the current assignment, placing paths
// with the builder's hash algorithm and the given salt.
func (b *Builder) Ring(salt HashSalt) (*Ring, error) {
	devs := make([]*Device, len(b.devs))
	for i, d := range b.devs {
		if d != nil {
			c := d.Device
			devs[i] = &c
		}
	}
	rows := make([][]uint16, len(b.rows))
	for i, row := range b.rows {
		rows[i] = slices.Clone(row)
	}
	r, err := newRing(b.partPower, rows, devs, b.version, b.hash, salt, "")
	if err != nil {
		return nil, err
	}
	r.checksum = checksumOf(r)
	return r, nil
}

func newBuilderID() string {
	var buf [16]byte
	_, _ = rand.Read(buf[:]) // crypto/rand.Read never returns an error
	return hex.EncodeToString(buf[:])
}

// BuilderFromRing recreates a builder from a ring, e.g. a Swift cluster's
// ring to be managed by swiftlet from now on (swift-ring-builder's
// write_builder). What a ring does not record is lost: min_part_hours is
// the given one, the overload is 0, and every partition counts as moved
// long ago. Rings from it place paths with the ring's hash algorithm, so an
// imported Swift layout keeps Swift's placements.
func BuilderFromRing(r *Ring, minPartHours int) (*Builder, error) {
	if len(r.rows) == 0 {
		return nil, fmt.Errorf("ring: the ring has no partition assignments")
	}
	replicas := r.ReplicaCount()
	b, err := NewBuilder(r.PartPower(), replicas, minPartHours)
	if err != nil {
		return nil, err
	}
	b.hash, b.version = r.hash, r.version
	b.devs = make([]*builderDev, len(r.devs))
	for i, d := range r.devs {
		if d != nil {
			b.devs[i] = &builderDev{Device: *d}
		}
	}
	b.rows = make([][]uint16, len(r.rows))
	for i, row := range r.rows {
		b.rows[i] = slices.Clone(row)
		for _, id := range row {
			b.devs[id].parts++
		}
	}
	if want := rowLengths(b.Partitions(), replicas); !slices.Equal(want, rowLengthsOf(b.rows)) {
		return nil, fmt.Errorf("ring: replica rows %v do not match %v replicas", rowLengthsOf(b.rows), replicas)
	}
	b.PretendMinPartHoursPassed()
	return b, nil
}

func rowLengthsOf(rows [][]uint16) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = len(r)
	}
	return out
}
