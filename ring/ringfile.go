package ring

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/swiftlet/swiftlet/internal/atomicfile"
)

// maxRingFileSize bounds what Decode reads after decompression: part power
// 24 with 6 replicas plus devices, far beyond any real ring.
const maxRingFileSize = 256 << 20

type ringHeader struct {
	PartPower  int       `json:"part_power"`
	RowLengths []int     `json:"row_lengths"`
	Hash       string    `json:"hash"`
	Version    int       `json:"version"`
	Devs       []*Device `json:"devs"`
}

// Encode writes the ring in swiftlet's ring file format (see doc.go),
// gzip-compressed. The same ring always encodes to the same bytes.
func (r *Ring) Encode(w io.Writer) error {
	// Device ids are close to random: the best compression saves under
	// 0.5% over the fastest and takes four times as long.
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed) // the level is valid
	if _, err := r.writeRaw(zw); err != nil {
		return err
	}
	return zw.Close()
}

func (r *Ring) header() ringHeader {
	h := ringHeader{PartPower: int(r.partPower), Hash: r.hash.String(), Version: r.version, Devs: r.devs}
	for _, row := range r.rows {
		h.RowLengths = append(h.RowLengths, len(row))
	}
	return h
}

func (r *Ring) writeRaw(w io.Writer) (uint64, error) {
	return writeContainer(w, ringMagic, r.header(), encodeRows(r.rows))
}

// checksumOf is the checksum a ring file of r carries.
func checksumOf(r *Ring) string {
	sum, _ := r.writeRaw(io.Discard) // writing to io.Discard cannot fail
	return checksumString(sum)
}

// WriteFile writes the ring to path atomically: readers see the old file
// or the complete new one.
func (r *Ring) WriteFile(path string) error {
	return atomicfile.Write(path, 0o644, r.Encode)
}

// Load reads a ring file: swiftlet's own format or Swift's R1NG format
// (version 1). Paths are placed with the file's hash algorithm (MD5 for
// Swift rings) and the given salt.
func Load(path string, salt HashSalt) (*Ring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Decode(f, salt)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Decode reads a gzip-compressed ring in swiftlet's format or Swift's R1NG
// format.
func Decode(rd io.Reader, salt HashSalt) (*Ring, error) {
	zr, err := gzip.NewReader(rd)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip data: %v", ErrCorrupt, err)
	}
	data, err := io.ReadAll(io.LimitReader(zr, maxRingFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(data) > maxRingFileSize {
		return nil, fmt.Errorf("%w: ring larger than %d bytes", ErrCorrupt, maxRingFileSize)
	}
	switch {
	case bytes.HasPrefix(data, []byte(swiftMagic)):
		return decodeSwift(data, salt)
	case bytes.HasPrefix(data, []byte(ringMagic)):
		return decodeRing(data, salt)
	}
	return nil, fmt.Errorf("%w: neither a swiftlet nor a Swift R1NG ring", ErrCorrupt)
}

func decodeRing(data []byte, salt HashSalt) (*Ring, error) {
	c, err := readContainer(data, ringMagic)
	if err != nil {
		return nil, err
	}
	var h ringHeader
	if err := json.Unmarshal(c.header, &h); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	alg, err := parseHashAlgorithm(h.Hash)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if h.PartPower < 0 || h.PartPower > 32 {
		return nil, fmt.Errorf("%w: part power %d", ErrCorrupt, h.PartPower)
	}
	rows, rest, err := decodeRows(c.body, h.RowLengths, 1<<h.PartPower)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrCorrupt, len(rest))
	}
	r, err := newRing(h.PartPower, rows, h.Devs, h.Version, alg, salt, checksumString(c.sum))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return r, nil
}
