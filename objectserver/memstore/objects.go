package memstore

import (
	"bytes"
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// objectStore is the ObjectStore part of a Store.
type objectStore struct {
	salt       hashpath.Salt
	reclaimAge time.Duration
	now        func() time.Time

	mu     sync.RWMutex
	closed bool                                                  // guarded by mu
	parts  map[uint32]map[uint16]map[objecthash.Hash]*memVersion // partition, suffix, hash; guarded by mu
}

// memVersion is a stored version. Neither it nor its data is modified once
// stored; a change stores a new memVersion.
type memVersion struct {
	meta objectserver.ObjectMeta
	data []byte
}

func (o *objectStore) init(salt hashpath.Salt, opts Options) {
	o.salt = salt
	o.reclaimAge = opts.ReclaimAge
	o.now = opts.Now
	o.parts = map[uint32]map[uint16]map[objecthash.Hash]*memVersion{}
}

func (o *objectStore) close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
}

// getLocked returns the stored version of h, or nil.
func (o *objectStore) getLocked(part uint32, h objecthash.Hash) *memVersion {
	return o.parts[part][h.Suffix()][h]
}

// putLocked stores v as the version of h.
func (o *objectStore) putLocked(part uint32, h objecthash.Hash, v *memVersion) {
	suffixes := o.parts[part]
	if suffixes == nil {
		suffixes = map[uint16]map[objecthash.Hash]*memVersion{}
		o.parts[part] = suffixes
	}
	objs := suffixes[h.Suffix()]
	if objs == nil {
		objs = map[objecthash.Hash]*memVersion{}
		suffixes[h.Suffix()] = objs
	}
	objs[h] = v
}

// removeLocked forgets h, and its suffix and partition if they become empty.
func (o *objectStore) removeLocked(part uint32, h objecthash.Hash) {
	suffixes := o.parts[part]
	objs := suffixes[h.Suffix()]
	delete(objs, h)
	if len(objs) == 0 {
		delete(suffixes, h.Suffix())
	}
	if len(suffixes) == 0 {
		delete(o.parts, part)
	}
}

// begin checks what every call checks first. It returns the object's hash.
func (o *objectStore) begin(ctx context.Context, op, name string) (objecthash.Hash, error) {
	if err := ctx.Err(); err != nil {
		return objecthash.Hash{}, err
	}
	h, err := objecthash.Of(o.salt, name)
	if err != nil {
		return h, fmt.Errorf("memstore: %s: %w", op, err)
	}
	return h, nil
}

// Stat implements objectserver.ObjectStore.
func (o *objectStore) Stat(ctx context.Context, part uint32, name string) (objectserver.ObjectMeta, error) {
	h, err := o.begin(ctx, "stat", name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return objectserver.ObjectMeta{}, objectserver.ErrClosed
	}
	v := o.getLocked(part, h)
	if v == nil {
		return objectserver.ObjectMeta{}, fmt.Errorf("memstore: stat %s: %w", name, objectserver.ErrNotFound)
	}
	return cloneMeta(v.meta), nil
}

// Open implements objectserver.ObjectStore.
func (o *objectStore) Open(ctx context.Context, part uint32, name string) (objectserver.ObjectReader, error) {
	h, err := o.begin(ctx, "open", name)
	if err != nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return nil, objectserver.ErrClosed
	}
	v := o.getLocked(part, h)
	switch {
	case v == nil:
		return nil, fmt.Errorf("memstore: open %s: %w", name, objectserver.ErrNotFound)
	case v.meta.Deleted:
		return nil, &objectserver.DeletedError{Tombstone: cloneMeta(v.meta)}
	}
	return &memReader{meta: cloneMeta(v.meta), data: v.data}, nil
}

// Create implements objectserver.ObjectStore.
func (o *objectStore) Create(ctx context.Context, part uint32, meta objectserver.ObjectMeta) (objectserver.ObjectWriter, error) {
	h, err := o.begin(ctx, "create", meta.Name)
	if err != nil {
		return nil, err
	}
	if meta.Timestamp.IsZero() {
		return nil, fmt.Errorf("memstore: create %s: no timestamp", meta.Name)
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return nil, objectserver.ErrClosed
	}
	if err := createConflict(o.getLocked(part, h), meta.Timestamp); err != nil {
		return nil, err
	}
	return &memWriter{o: o, ctx: ctx, part: part, hash: h, meta: cloneMeta(meta), md5: md5.New()}, nil
}

// createConflict is the conflict a new version at ts has with the stored
// version v (nil if none): as Swift's object PUT, it compares with the
// stored data's (or tombstone's) timestamp.
func createConflict(v *memVersion, ts timestamp.Timestamp) error {
	if v != nil && !ts.After(v.meta.Timestamp) {
		return &objectserver.ConflictError{Existing: v.meta.Timestamp}
	}
	return nil
}

// Delete implements objectserver.ObjectStore.
func (o *objectStore) Delete(ctx context.Context, part uint32, name string, ts timestamp.Timestamp) (objectserver.ObjectMeta, error) {
	h, err := o.begin(ctx, "delete", name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	if ts.IsZero() {
		return objectserver.ObjectMeta{}, fmt.Errorf("memstore: delete %s: no timestamp", name)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return objectserver.ObjectMeta{}, objectserver.ErrClosed
	}
	var prev objectserver.ObjectMeta
	if v := o.getLocked(part, h); v != nil {
		if !ts.After(v.meta.Timestamp) {
			return objectserver.ObjectMeta{}, &objectserver.ConflictError{Existing: v.meta.Timestamp}
		}
		prev = cloneMeta(v.meta)
	}
	o.putLocked(part, h, &memVersion{meta: objectserver.ObjectMeta{Name: name, Timestamp: ts, MetaTimestamp: ts, Deleted: true}})
	return prev, nil
}

// UpdateMeta implements objectserver.ObjectStore.
func (o *objectStore) UpdateMeta(ctx context.Context, part uint32, name string, ts timestamp.Timestamp, update func(*objectserver.ObjectMeta)) (objectserver.ObjectMeta, error) {
	h, err := o.begin(ctx, "update", name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return objectserver.ObjectMeta{}, objectserver.ErrClosed
	}
	v := o.getLocked(part, h)
	switch {
	case v == nil:
		return objectserver.ObjectMeta{}, fmt.Errorf("memstore: update %s: %w", name, objectserver.ErrNotFound)
	case v.meta.Deleted:
		return objectserver.ObjectMeta{}, &objectserver.DeletedError{Tombstone: cloneMeta(v.meta)}
	case !ts.After(v.meta.MetaTimestamp):
		return objectserver.ObjectMeta{}, &objectserver.ConflictError{Existing: v.meta.MetaTimestamp}
	}
	meta := applyUpdate(v.meta, ts, update)
	o.putLocked(part, h, &memVersion{meta: meta, data: v.data})
	return cloneMeta(meta), nil
}

// applyUpdate returns meta after update, as UpdateMeta stores it: update
// sees a copy, only its changes to Headers, ContentType and DeleteAt are
// kept, and MetaTimestamp becomes ts.
func applyUpdate(meta objectserver.ObjectMeta, ts timestamp.Timestamp, update func(*objectserver.ObjectMeta)) objectserver.ObjectMeta {
	changed := cloneMeta(meta)
	if update != nil {
		update(&changed)
	}
	meta = cloneMeta(meta)
	meta.Headers = cloneHeaders(changed.Headers)
	meta.ContentType = changed.ContentType
	meta.DeleteAt = changed.DeleteAt
	meta.MetaTimestamp = ts
	return meta
}

// Partitions implements objectserver.ObjectStore.
func (o *objectStore) Partitions(ctx context.Context) ([]uint32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return nil, objectserver.ErrClosed
	}
	return slices.Sorted(maps.Keys(o.parts)), nil
}

// SuffixHashes implements objectserver.ObjectStore. Unlike the contract's
// real stores, it computes them from scratch: the reference must be
// obviously right.
func (o *objectStore) SuffixHashes(ctx context.Context, part uint32) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return nil, objectserver.ErrClosed
	}
	hashes := map[string]string{}
	for suffix, objs := range o.parts[part] {
		var d objecthash.Digest
		for h, v := range objs {
			d.Toggle(objecthash.Entry(h, v.meta.Timestamp, v.meta.MetaTimestamp, v.meta.Deleted))
		}
		hashes[objecthash.SuffixString(suffix)] = d.String()
	}
	return hashes, nil
}

// List implements objectserver.ObjectStore.
func (o *objectStore) List(ctx context.Context, part uint32, suffix string) ([]objectserver.ObjectMeta, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sfx, ok := objecthash.ParseSuffix(suffix)
	if !ok {
		return nil, fmt.Errorf("memstore: list %d/%q: bad suffix", part, suffix)
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	if o.closed {
		return nil, objectserver.ErrClosed
	}
	var out []objectserver.ObjectMeta
	for _, v := range o.parts[part][sfx] {
		out = append(out, cloneMeta(v.meta))
	}
	slices.SortFunc(out, func(a, b objectserver.ObjectMeta) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ReclaimTombstones forgets the tombstones of partition part older than the
// reclaim age, and returns how many it removed.
func (o *objectStore) ReclaimTombstones(ctx context.Context, part uint32) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	cutoff := timestamp.New(o.now().Add(-o.reclaimAge))
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closed {
		return 0, objectserver.ErrClosed
	}
	n := 0
	for _, objs := range o.parts[part] {
		for h, v := range objs {
			if v.meta.Deleted && cutoff.After(v.meta.Timestamp) {
				o.removeLocked(part, h)
				n++
			}
		}
	}
	return n, nil
}

// memWriter is an ObjectWriter buffering the data.
type memWriter struct {
	o    *objectStore
	ctx  context.Context // of Create
	part uint32
	hash objecthash.Hash
	meta objectserver.ObjectMeta // as given to Create
	buf  bytes.Buffer
	md5  hash.Hash

	err       error // sticky failure of Write
	done      bool  // Commit or Close was called
	committed bool
	closeErr  error // what Close returns
	closed    bool
}

var errWriterDone = errors.New("memstore: write after commit or close")

func (w *memWriter) Write(p []byte) (int, error) {
	switch {
	case w.done:
		return 0, errWriterDone
	case w.err != nil:
		return 0, w.err
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return 0, err
	}
	if w.meta.Size >= 0 && int64(w.buf.Len()+len(p)) > w.meta.Size {
		w.err = fmt.Errorf("memstore: %s: more than %d bytes: %w", w.meta.Name, w.meta.Size, objectserver.ErrSizeMismatch)
		return 0, w.err
	}
	w.buf.Write(p)
	w.md5.Write(p)
	return len(p), nil
}

func (w *memWriter) Commit(ctx context.Context) (objectserver.ObjectMeta, error) {
	if w.done {
		return objectserver.ObjectMeta{}, errWriterDone
	}
	w.done = true
	if w.err != nil {
		return objectserver.ObjectMeta{}, w.err
	}
	if err := cmp.Or(w.ctx.Err(), ctx.Err()); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	meta := cloneMeta(w.meta)
	size := int64(w.buf.Len())
	if meta.Size >= 0 && size != meta.Size {
		return objectserver.ObjectMeta{}, fmt.Errorf("memstore: %s: %d bytes, want %d: %w", meta.Name, size, meta.Size, objectserver.ErrSizeMismatch)
	}
	etag := hex.EncodeToString(w.md5.Sum(nil))
	if meta.ETag != "" && !strings.EqualFold(meta.ETag, etag) {
		return objectserver.ObjectMeta{}, fmt.Errorf("memstore: %s: etag %s, want %s: %w", meta.Name, etag, meta.ETag, objectserver.ErrETagMismatch)
	}
	meta = newVersion(meta, size, etag)

	w.o.mu.Lock()
	defer w.o.mu.Unlock()
	if w.o.closed {
		return objectserver.ObjectMeta{}, objectserver.ErrClosed
	}
	if err := createConflict(w.o.getLocked(w.part, w.hash), meta.Timestamp); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	w.o.putLocked(w.part, w.hash, &memVersion{meta: meta, data: bytes.Clone(w.buf.Bytes())})
	w.committed = true
	return cloneMeta(meta), nil
}

// newVersion is the metadata a store records for a version created with
// meta, holding size bytes of MD5 etag: MetaTimestamp is Timestamp unless
// meta carries a newer one (a replicated version that had a POST), and
// empty Headers are nil.
func newVersion(meta objectserver.ObjectMeta, size int64, etag string) objectserver.ObjectMeta {
	meta = cloneMeta(meta)
	meta.Deleted = false
	meta.Size = size
	meta.ETag = etag
	if !meta.MetaTimestamp.After(meta.Timestamp) {
		meta.MetaTimestamp = meta.Timestamp
	}
	return meta
}

func (w *memWriter) Close() error {
	if w.closed {
		return w.closeErr
	}
	w.closed = true
	w.done = true
	if !w.committed {
		w.closeErr = w.ctx.Err()
	}
	w.buf = bytes.Buffer{}
	return w.closeErr
}

// memReader is an ObjectReader of a stored version's data.
type memReader struct {
	meta objectserver.ObjectMeta
	data []byte
}

func (r *memReader) Meta() objectserver.ObjectMeta { return cloneMeta(r.meta) }

func (r *memReader) Section(off, n int64) io.Reader {
	start, end := sectionBounds(off, n, int64(len(r.data)))
	return bytes.NewReader(r.data[start:end])
}

// sectionBounds clamps the section [off, off+n) of an object of size bytes
// to the object; n < 0 means to the end.
func sectionBounds(off, n, size int64) (start, end int64) {
	start = min(max(off, 0), size)
	if n < 0 || n > size-start {
		return start, size
	}
	return start, start + n
}

func (r *memReader) Close() error { return nil }

func cloneMeta(m objectserver.ObjectMeta) objectserver.ObjectMeta {
	m.Headers = cloneHeaders(m.Headers)
	return m
}

// cloneHeaders copies h; an empty map becomes nil.
func cloneHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	return maps.Clone(h)
}
