package badgerstore

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// recordVersion is the format of object records (doc.go describes it).
const recordVersion = 1

// Record flags, in the record's second byte and in the Badger entry's
// UserMeta (so that key-only scans see them without reading values).
const (
	flagDeleted byte = 1 << 0 // a tombstone
	flagFile    byte = 1 << 1 // the data is in a data file, not inline
)

// record is one object version as the index keeps it.
type record struct {
	meta objectserver.ObjectMeta
	// Inline data (flagFile clear): the bytes and their xxhash64. data is
	// nil when the record was decoded without its data.
	data    []byte
	dataSum uint64
	// Data file (flagFile set): its id, which names the file, and its
	// checksum block size.
	fileID    uint64
	blockSize uint32
	hasFile   bool
}

func (r *record) flags() byte {
	var f byte
	if r.meta.Deleted {
		f |= flagDeleted
	}
	if r.hasFile {
		f |= flagFile
	}
	return f
}

// entry is the record's contribution to its suffix hash.
func (r *record) entry(h objecthash.Hash) objecthash.Digest {
	return objecthash.Entry(h, r.meta.Timestamp, r.meta.MetaTimestamp, r.meta.Deleted)
}

// sameVersion reports whether r and o are the same stored version.
func (r *record) sameVersion(o *record) bool {
	return o != nil && r.meta.Timestamp == o.meta.Timestamp && r.meta.MetaTimestamp == o.meta.MetaTimestamp &&
		r.meta.Deleted == o.meta.Deleted && r.hasFile == o.hasFile && r.fileID == o.fileID
}

// encode appends the record's binary form to b.
func (r *record) encode(b []byte) ([]byte, error) {
	m := &r.meta
	b = append(b, recordVersion, r.flags())
	b = m.Timestamp.Append(b)
	b = m.MetaTimestamp.Append(b)
	b = appendString(b, m.Name)
	if m.Deleted {
		return b, nil
	}
	b = appendString(b, m.ContentType)
	b = binary.AppendUvarint(b, uint64(m.Size))
	var etag [16]byte
	if n, err := hex.Decode(etag[:], []byte(m.ETag)); err != nil || n != 16 {
		return nil, fmt.Errorf("badgerstore: %s: etag %q is not an MD5", m.Name, m.ETag)
	}
	b = append(b, etag[:]...)
	b = binary.AppendVarint(b, m.DeleteAt)
	b = binary.AppendUvarint(b, uint64(len(m.Headers)))
	for _, k := range slices.Sorted(maps.Keys(m.Headers)) {
		b = appendString(b, k)
		b = appendString(b, m.Headers[k])
	}
	if r.hasFile {
		b = binary.LittleEndian.AppendUint64(b, r.fileID)
		return binary.AppendUvarint(b, uint64(r.blockSize)), nil
	}
	b = binary.LittleEndian.AppendUint64(b, r.dataSum)
	return append(b, r.data...), nil
}

var errBadRecord = errors.New("malformed record")

// decodeRecord parses a record. With withData, inline data is returned
// (aliasing v); otherwise it is skipped.
func decodeRecord(v []byte, withData bool) (*record, error) {
	d := decoder{b: v}
	if ver := d.byte(); d.err != nil || ver != recordVersion {
		return nil, fmt.Errorf("%w: version %d", errBadRecord, ver)
	}
	flags := d.byte()
	r := &record{hasFile: flags&flagFile != 0}
	m := &r.meta
	m.Deleted = flags&flagDeleted != 0
	m.Timestamp = d.timestamp()
	m.MetaTimestamp = d.timestamp()
	m.Name = d.string()
	if m.Deleted {
		return r, d.err
	}
	m.ContentType = d.string()
	m.Size = int64(d.uvarint())
	m.ETag = hex.EncodeToString(d.bytes(16))
	m.DeleteAt = d.varint()
	if n := d.count(); n > 0 {
		m.Headers = make(map[string]string, n)
		for range n {
			k := d.string()
			m.Headers[k] = d.string()
		}
	}
	if r.hasFile {
		r.fileID = d.uint64()
		r.blockSize = uint32(d.uvarint())
		if d.err == nil && (r.blockSize == 0 || len(d.b) != 0) {
			return nil, fmt.Errorf("%w: data file fields", errBadRecord)
		}
		return r, d.err
	}
	r.dataSum = d.uint64()
	if d.err == nil && int64(len(d.b)) != m.Size {
		return nil, fmt.Errorf("%w: %d inline bytes for size %d", errBadRecord, len(d.b), m.Size)
	}
	if withData {
		r.data = d.b
	}
	return r, d.err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads the fields of a record; the first error sticks and later
// reads return zero values.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: short %s", errBadRecord, what)
	}
	d.b = nil
}

func (d *decoder) bytes(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.fail("field")
		return make([]byte, n)
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte { return d.bytes(1)[0] }

func (d *decoder) uint64() uint64 { return binary.LittleEndian.Uint64(d.bytes(8)) }

func (d *decoder) timestamp() timestamp.Timestamp {
	t, _ := timestamp.Decode(d.bytes(timestamp.Size))
	return t
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads the number of items that follow, each at least a byte.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("count")
		return 0
	}
	return int(n)
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("string")
		return ""
	}
	return string(d.bytes(int(n)))
}
