package ring

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// swiftMagic starts a decompressed Swift ring file, followed by the format
// version (uint16, big-endian), the length of a JSON header (uint32,
// big-endian), the header and the replica rows as arrays of uint16 device
// ids in the byte order the header names. Only version 1 exists in Swift
// 2.30; older pickled rings are not supported.
const swiftMagic = "R1NG"

type swiftHeader struct {
	Devs         []*swiftDevice `json:"devs"`
	PartShift    *int           `json:"part_shift"`
	ReplicaCount int            `json:"replica_count"`
	ByteOrder    string         `json:"byteorder"`
	Version      *int           `json:"version"`
}

// swiftDevice is a device as Swift stores it; replication addresses and
// region are missing from rings written by old Swift versions.
type swiftDevice struct {
	Device
	ReplicationIP   *string `json:"replication_ip"`
	ReplicationPort *int    `json:"replication_port"`
	Region          *int    `json:"region"`
}

func decodeSwift(data []byte, salt HashSalt) (*Ring, error) {
	if len(data) < 10 {
		return nil, fmt.Errorf("%w: truncated R1NG header", ErrCorrupt)
	}
	if v := binary.BigEndian.Uint16(data[4:]); v != 1 {
		return nil, fmt.Errorf("%w: unknown R1NG format version %d", ErrCorrupt, v)
	}
	n := binary.BigEndian.Uint32(data[6:])
	if n > maxHeaderLen || int(n) > len(data)-10 {
		return nil, fmt.Errorf("%w: R1NG header length %d", ErrCorrupt, n)
	}
	var h swiftHeader
	if err := json.Unmarshal(data[10:10+n], &h); err != nil {
		return nil, fmt.Errorf("%w: R1NG header: %v", ErrCorrupt, err)
	}
	if h.PartShift == nil || *h.PartShift < 0 || *h.PartShift > 32 {
		return nil, fmt.Errorf("%w: R1NG part_shift missing or out of range", ErrCorrupt)
	}
	partPower := 32 - *h.PartShift
	var order binary.ByteOrder = binary.LittleEndian
	switch h.ByteOrder {
	case "", "little":
	case "big":
		order = binary.BigEndian
	default:
		return nil, fmt.Errorf("%w: R1NG byteorder %q", ErrCorrupt, h.ByteOrder)
	}
	body := data[10+n:]
	parts := 1 << partPower
	if h.ReplicaCount < 0 || h.ReplicaCount > len(body)/2+1 {
		return nil, fmt.Errorf("%w: R1NG replica_count %d", ErrCorrupt, h.ReplicaCount)
	}
	rows := make([][]uint16, h.ReplicaCount)
	for i := range rows {
		// Swift reads up to a full row; only the last may be shorter.
		n := min(len(body)/2, parts)
		if n < parts && i < len(rows)-1 {
			return nil, fmt.Errorf("%w: R1NG replica row %d truncated", ErrCorrupt, i)
		}
		row := make([]uint16, n)
		for p := range row {
			row[p] = order.Uint16(body[2*p:])
		}
		rows[i], body = row, body[2*n:]
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after R1NG rows", ErrCorrupt, len(body))
	}
	devs := make([]*Device, len(h.Devs))
	for i, sd := range h.Devs {
		if sd == nil {
			continue
		}
		d := sd.Device
		d.Region = 1
		if sd.Region != nil {
			d.Region = *sd.Region
		}
		d.ReplicationIP, d.ReplicationPort = d.IP, d.Port
		if sd.ReplicationIP != nil {
			d.ReplicationIP = *sd.ReplicationIP
		}
		if sd.ReplicationPort != nil {
			d.ReplicationPort = *sd.ReplicationPort
		}
		devs[i] = &d
	}
	version := 0
	if h.Version != nil {
		version = *h.Version
	}
	r, err := newRing(partPower, rows, devs, version, MD5, salt, checksumString(xxhash.Sum64(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return r, nil
}
