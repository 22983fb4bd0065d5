package ring

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"

	"github.com/swiftlet/swiftlet/internal/atomicfile"
)

// maxBuilderFileSize bounds a builder file: rows and move ages of part
// power 24 with 6 replicas.
const maxBuilderFileSize = 256 << 20

type builderHeader struct {
	PartPower          int          `json:"part_power"`
	Replicas           float64      `json:"replicas"`
	MinPartHours       int          `json:"min_part_hours"`
	Overload           float64      `json:"overload"`
	Version            int          `json:"version"`
	ID                 string       `json:"id"`
	Hash               string       `json:"hash"`
	Devs               []*headerDev `json:"devs"`
	RemoveDevs         []int        `json:"remove_devs"`
	DevsChanged        bool         `json:"devs_changed"`
	RowLengths         []int        `json:"row_lengths"` // absent before the first rebalance
	LastPartMovesEpoch int64        `json:"last_part_moves_epoch"`
	Dispersion         *float64     `json:"dispersion"`
}

type headerDev struct {
	Device
	Parts int `json:"parts"`
}

// Save writes the builder to path atomically, assigning the builder its id
// on first save as Swift does.
func (b *Builder) Save(path string) error {
	if b.id == "" {
		b.id = newBuilderID()
	}
	return atomicfile.Write(path, 0o644, b.encode)
}

func (b *Builder) encode(w io.Writer) error {
	h := builderHeader{
		PartPower: b.partPower, Replicas: b.replicas, MinPartHours: b.minPartHours, Overload: b.overload,
		Version: b.version, ID: b.id, Hash: b.hash.String(), RemoveDevs: b.removeDevs, DevsChanged: b.devsChanged,
		LastPartMovesEpoch: b.lastPartMovesEpoch,
	}
	if b.hasDispersion {
		d := b.dispersion
		h.Dispersion = &d
	}
	for _, d := range b.devs {
		if d == nil {
			h.Devs = append(h.Devs, nil)
			continue
		}
		h.Devs = append(h.Devs, &headerDev{Device: d.Device, Parts: d.parts})
	}
	if b.rows != nil {
		h.RowLengths = []int{}
		for _, row := range b.rows {
			h.RowLengths = append(h.RowLengths, len(row))
		}
	}
	_, err := writeContainer(w, builderMagic, h, encodeRows(b.rows), b.lastPartMoves)
	return err
}

// LoadBuilder reads a builder file written by Save.
func LoadBuilder(path string) (*Builder, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxBuilderFileSize+1))
	if err != nil {
		return nil, err
	}
	b, err := DecodeBuilder(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// DecodeBuilder parses the contents of a builder file and checks that they
// are consistent.
func DecodeBuilder(data []byte) (*Builder, error) {
	if len(data) > maxBuilderFileSize {
		return nil, fmt.Errorf("%w: builder larger than %d bytes", ErrCorrupt, maxBuilderFileSize)
	}
	c, err := readContainer(data, builderMagic)
	if err != nil {
		return nil, err
	}
	var h builderHeader
	if err := json.Unmarshal(c.header, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	if h.PartPower < 0 || h.PartPower > 32 || 1<<h.PartPower > len(c.body) {
		return nil, fmt.Errorf("%w: part power %d does not fit the file", ErrCorrupt, h.PartPower)
	}
	b, err := NewBuilder(h.PartPower, h.Replicas, h.MinPartHours)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if !(h.Overload >= 0) || math.IsInf(h.Overload, 0) || len(h.Devs) > MaxDevices {
		return nil, fmt.Errorf("%w: bad overload or device count", ErrCorrupt)
	}
	if b.hash, err = parseHashAlgorithm(h.Hash); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	b.overload, b.version, b.id, b.devsChanged = h.Overload, h.Version, h.ID, h.DevsChanged
	b.lastPartMovesEpoch = h.LastPartMovesEpoch
	if h.Dispersion != nil {
		b.dispersion, b.hasDispersion = *h.Dispersion, true
	}
	b.devs = make([]*builderDev, len(h.Devs))
	for i, d := range h.Devs {
		if d == nil {
			continue
		}
		if d.ID != i || d.Weight < 0 || math.IsNaN(d.Weight) || math.IsInf(d.Weight, 0) {
			return nil, fmt.Errorf("%w: device %d is invalid", ErrCorrupt, i)
		}
		b.devs[i] = &builderDev{Device: d.Device, parts: d.Parts}
	}
	for _, id := range h.RemoveDevs {
		if id < 0 || id >= len(b.devs) || b.devs[id] == nil || slices.Contains(b.removeDevs, id) {
			return nil, fmt.Errorf("%w: device %d marked for removal does not exist", ErrCorrupt, id)
		}
		b.removeDevs = append(b.removeDevs, id)
	}
	body := c.body
	if h.RowLengths != nil {
		if !slices.Equal(h.RowLengths, rowLengths(b.Partitions(), b.replicas)) {
			// A replica count change waits for the next rebalance; the
			// rows must still be a valid earlier shape.
			if len(h.RowLengths) == 0 || h.RowLengths[0] != b.Partitions() {
				return nil, fmt.Errorf("%w: replica rows %v", ErrCorrupt, h.RowLengths)
			}
		}
		b.rows, body, err = decodeRows(body, h.RowLengths, b.Partitions())
		if err != nil {
			return nil, err
		}
		counts := make([]int, len(b.devs))
		for _, row := range b.rows {
			for _, id := range row {
				if int(id) >= len(b.devs) || b.devs[id] == nil {
					return nil, fmt.Errorf("%w: assignment to unknown device %d", ErrCorrupt, id)
				}
				counts[id]++
			}
		}
		for id, d := range b.devs {
			if d != nil && d.parts != counts[id] {
				return nil, fmt.Errorf("%w: device %d claims %d partitions, holds %d", ErrCorrupt, id, d.parts, counts[id])
			}
		}
	}
	if len(body) != b.Partitions() {
		return nil, fmt.Errorf("%w: partition move ages: %d bytes, want %d", ErrCorrupt, len(body), b.Partitions())
	}
	copy(b.lastPartMoves, body)
	return b, nil
}
