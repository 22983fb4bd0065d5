package ring

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cespare/xxhash/v2"
)

// swiftlet's ring and builder files share one layout (see doc.go):
//
//	magic     8 bytes ("SWLTRING" or "SWLTBLDR")
//	version   uint16, big-endian (formatVersion)
//	hdrlen    uint32, big-endian
//	header    hdrlen bytes of JSON
//	body      the binary sections the header describes
//	checksum  uint64, big-endian: xxhash64 of everything above
//
// Ring files are gzip-compressed; builder files are not.
const (
	formatVersion = 1
	ringMagic     = "SWLTRING"
	builderMagic  = "SWLTBLDR"

	// maxHeaderLen bounds the JSON header: 65535 devices of ~300 bytes.
	maxHeaderLen = 32 << 20
)

// ErrCorrupt is returned when a ring or builder file fails its checksum or
// does not parse.
var ErrCorrupt = errors.New("ring: corrupt file")

type container struct {
	header []byte
	body   []byte
	sum    uint64
}

func writeContainer(w io.Writer, magic string, header any, body ...[]byte) (uint64, error) {
	hdr, err := json.Marshal(header)
	if err != nil {
		return 0, err
	}
	h := xxhash.New()
	mw := io.MultiWriter(w, h)
	var pre [14]byte
	copy(pre[:8], magic)
	binary.BigEndian.PutUint16(pre[8:], formatVersion)
	binary.BigEndian.PutUint32(pre[10:], uint32(len(hdr)))
	if _, err := mw.Write(pre[:]); err != nil {
		return 0, err
	}
	if _, err := mw.Write(hdr); err != nil {
		return 0, err
	}
	for _, b := range body {
		if _, err := mw.Write(b); err != nil {
			return 0, err
		}
	}
	sum := h.Sum64()
	var tail [8]byte
	binary.BigEndian.PutUint64(tail[:], sum)
	_, err = w.Write(tail[:])
	return sum, err
}

// readContainer parses data (already decompressed) and verifies its
// checksum.
func readContainer(data []byte, magic string) (container, error) {
	if len(data) < 14+8 || string(data[:8]) != magic {
		return container{}, fmt.Errorf("%w: not a %s file", ErrCorrupt, magic)
	}
	if v := binary.BigEndian.Uint16(data[8:]); v != formatVersion {
		return container{}, fmt.Errorf("%w: unsupported format version %d", ErrCorrupt, v)
	}
	end := len(data) - 8
	sum := binary.BigEndian.Uint64(data[end:])
	if got := xxhash.Sum64(data[:end]); got != sum {
		return container{}, fmt.Errorf("%w: checksum mismatch (%016x != %016x)", ErrCorrupt, got, sum)
	}
	n := binary.BigEndian.Uint32(data[10:])
	if n > maxHeaderLen || int(n) > end-14 {
		return container{}, fmt.Errorf("%w: header length %d", ErrCorrupt, n)
	}
	return container{header: data[14 : 14+n], body: data[14+n : end], sum: sum}, nil
}

// encodeRows lays the replica rows out as little-endian uint16 device ids.
func encodeRows(rows [][]uint16) []byte {
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	out := make([]byte, 0, 2*n)
	for _, r := range rows {
		for _, id := range r {
			out = binary.LittleEndian.AppendUint16(out, id)
		}
	}
	return out
}

// decodeRows splits body into rows of the given lengths and returns what
// follows them.
func decodeRows(body []byte, lengths []int, parts int) ([][]uint16, []byte, error) {
	rows := make([][]uint16, len(lengths))
	for i, n := range lengths {
		if n < 0 || n > parts || (i < len(lengths)-1 && n != parts) {
			return nil, nil, fmt.Errorf("%w: replica row %d has length %d", ErrCorrupt, i, n)
		}
		if len(body) < 2*n {
			return nil, nil, fmt.Errorf("%w: replica row %d truncated", ErrCorrupt, i)
		}
		row := make([]uint16, n)
		for p := range row {
			row[p] = binary.LittleEndian.Uint16(body[2*p:])
		}
		rows[i], body = row, body[2*n:]
	}
	return rows, body, nil
}

func checksumString(sum uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], sum)
	return hex.EncodeToString(b[:])
}
