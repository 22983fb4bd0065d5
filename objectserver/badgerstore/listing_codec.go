package badgerstore

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Keys and values of the listing databases; listing.go describes the
// layout.

const (
	// listingIDLen is the length of a database id: namespace, partition, hash.
	listingIDLen = 1 + 4 + md5.Size

	// Record kinds after a database id in nsContainer and nsAccount.
	listingRecState byte = 's'
	listingRecMeta  byte = 'm'

	// Row spaces after a database id in nsObjectRow and nsContainerRow.
	listingRowsLive    byte = 0
	listingRowsDeleted byte = 1

	// listingFormat is the first byte of every listing value.
	listingFormat byte = 1
)

// listingKeys are the keys of one container or account database.
type listingKeys struct {
	state, meta []byte
	// live and deleted are the prefixes of its rows; a row's key is one
	// of them followed by the name.
	live, deleted []byte
}

func newListingKeys(ns, rowNS byte, part uint32, sum [md5.Size]byte) listingKeys {
	id := make([]byte, 0, listingIDLen)
	id = append(id, ns)
	id = binary.BigEndian.AppendUint32(id, part)
	id = append(id, sum[:]...)
	rows := slices.Clone(id)
	rows[0] = rowNS
	return listingKeys{
		state:   append(slices.Clip(id), listingRecState),
		meta:    append(slices.Clip(id), listingRecMeta),
		live:    append(slices.Clip(rows), listingRowsLive),
		deleted: append(slices.Clip(rows), listingRowsDeleted),
	}
}

func containerDBKeys(salt hashpath.Salt, part uint32, account, container string) listingKeys {
	return newListingKeys(nsContainer, nsObjectRow, part, hashpath.MD5(salt, account, container, ""))
}

func accountDBKeys(salt hashpath.Salt, part uint32, account string) listingKeys {
	return newListingKeys(nsAccount, nsContainerRow, part, hashpath.MD5(salt, account, "", ""))
}

// rowKey is the key of the row name, live or deleted.
func (k listingKeys) rowKey(name string, deleted bool) []byte {
	p := k.live
	if deleted {
		p = k.deleted
	}
	return append(slices.Clip(p), name...)
}

// dbLifecycle is the state a container and an account share.
type dbLifecycle struct {
	put, del, createdAt, changedAt timestamp.Timestamp
}

func (l dbLifecycle) deleted() bool { return l.del.After(l.put) }

// doPut records a PUT at ts: a *ConflictError if deleted at or after ts;
// created if it was deleted before.
func (l *dbLifecycle) doPut(ts timestamp.Timestamp) (created bool, err error) {
	if l.deleted() {
		if !ts.After(l.del) {
			return false, &objectserver.ConflictError{Existing: l.del}
		}
		l.put, l.changedAt = ts, ts
		return true, nil
	}
	if ts.After(l.put) {
		l.put = ts
	}
	return false, nil
}

// doDelete records a DELETE at ts of a live item: a *ConflictError if ts
// is not newer than its PUT.
func (l *dbLifecycle) doDelete(ts timestamp.Timestamp) error {
	if !ts.After(l.put) {
		return &objectserver.ConflictError{Existing: l.put}
	}
	l.del, l.changedAt = ts, ts
	return nil
}

// dbState is the state record of a container (names account and
// container; counts objects and bytes) or an account (names account;
// counts containers, objects and bytes).
type dbState struct {
	dbLifecycle
	account, container             string
	containers, objects, bytesUsed int64
}

func (s *dbState) encode() []byte {
	b := make([]byte, 0, 1+4*timestamp.Size+3*binary.MaxVarintLen64+2+len(s.account)+len(s.container))
	b = append(b, listingFormat)
	b = s.put.Append(b)
	b = s.del.Append(b)
	b = s.createdAt.Append(b)
	b = s.changedAt.Append(b)
	b = binary.AppendVarint(b, s.containers)
	b = binary.AppendVarint(b, s.objects)
	b = binary.AppendVarint(b, s.bytesUsed)
	b = appendListingString(b, s.account)
	return appendListingString(b, s.container)
}

func decodeState(v []byte) (dbState, error) {
	d := listingDecoder{b: v}
	d.format()
	var s dbState
	s.put = d.timestamp()
	s.del = d.timestamp()
	s.createdAt = d.timestamp()
	s.changedAt = d.timestamp()
	s.containers = d.varint()
	s.objects = d.varint()
	s.bytesUsed = d.varint()
	s.account = d.string()
	s.container = d.string()
	return s, d.done("state")
}

// encodeMeta writes metadata sorted by name, so that equal metadata
// encodes equally.
func encodeMeta(m objectserver.Metadata) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b := []byte{listingFormat}
	b = binary.AppendUvarint(b, uint64(len(m)))
	for _, k := range keys {
		b = appendListingString(b, k)
		b = appendListingString(b, m[k].Value)
		b = m[k].Timestamp.Append(b)
	}
	return b
}

func decodeMeta(v []byte) (objectserver.Metadata, error) {
	d := listingDecoder{b: v}
	d.format()
	n := d.uvarint()
	if n > uint64(len(v)) {
		return nil, errors.New("badgerstore: metadata: bad item count")
	}
	m := make(objectserver.Metadata, n)
	for range n {
		k := d.string()
		m[k] = objectserver.MetaItem{Value: d.string(), Timestamp: d.timestamp()}
	}
	return m, d.done("metadata")
}

// encodeObjectRow writes what a listing shows of an object; the name is
// in the key and deletion in the row space.
func encodeObjectRow(r objectserver.ObjectRow) []byte {
	b := make([]byte, 0, 1+timestamp.Size+binary.MaxVarintLen64+2+len(r.ContentType)+len(r.ETag))
	b = append(b, listingFormat)
	b = r.Timestamp.Append(b)
	b = binary.AppendVarint(b, r.Size)
	b = appendListingString(b, r.ContentType)
	return appendListingString(b, r.ETag)
}

func decodeObjectRow(name string, deleted bool, v []byte) (objectserver.ObjectRow, error) {
	d := listingDecoder{b: v}
	d.format()
	r := objectserver.ObjectRow{Name: name, Deleted: deleted}
	r.Timestamp = d.timestamp()
	r.Size = d.varint()
	r.ContentType = d.string()
	r.ETag = d.string()
	return r, d.done("object row")
}

func encodeContainerRow(r objectserver.ContainerRow) []byte {
	b := make([]byte, 0, 1+2*timestamp.Size+2*binary.MaxVarintLen64)
	b = append(b, listingFormat)
	b = r.PutTimestamp.Append(b)
	b = r.DeleteTimestamp.Append(b)
	b = binary.AppendVarint(b, r.ObjectCount)
	return binary.AppendVarint(b, r.BytesUsed)
}

func decodeContainerRow(name string, v []byte) (objectserver.ContainerRow, error) {
	d := listingDecoder{b: v}
	d.format()
	r := objectserver.ContainerRow{Name: name}
	r.PutTimestamp = d.timestamp()
	r.DeleteTimestamp = d.timestamp()
	r.ObjectCount = d.varint()
	r.BytesUsed = d.varint()
	return r, d.done("container row")
}

func appendListingString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// listingDecoder reads a listing value; the first error sticks and done reports
// it.
type listingDecoder struct {
	b   []byte
	err error
}

func (d *listingDecoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("bad %s", what)
	}
}

func (d *listingDecoder) format() {
	if len(d.b) == 0 || d.b[0] != listingFormat {
		d.fail("format")
		d.b = nil
		return
	}
	d.b = d.b[1:]
}

func (d *listingDecoder) timestamp() timestamp.Timestamp {
	t, err := timestamp.Decode(d.b)
	if err != nil {
		d.fail("timestamp")
		d.b = nil
		return timestamp.Timestamp{}
	}
	d.b = d.b[timestamp.Size:]
	return t
}

func (d *listingDecoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("varint")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *listingDecoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("uvarint")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *listingDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("string length")
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *listingDecoder) done(what string) error {
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	if d.err != nil {
		return fmt.Errorf("badgerstore: decode %s: %w", what, d.err)
	}
	return nil
}
