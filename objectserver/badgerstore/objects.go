package badgerstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/internal/vfs"
	"github.com/swiftlet/swiftlet/objectserver"
)

var (
	_ objectserver.ObjectStore  = (*Store)(nil)
	_ objectserver.PendingStore = (*Store)(nil)
)

// objectState is the object store's part of a Store.
type objectState struct {
	s             *Store
	fs            vfs.FS
	m             deviceMetrics
	objectsDir    string
	tmpDir        string
	quarantineDir string
	reserve       int64 // bytes of free space writes must leave

	gate gate // in-flight calls; closed by close

	commits       chan *commitOp // to the committer (objects_commit.go)
	stopCommitter chan struct{}
	committerDone chan struct{}

	partDirs  sync.Map  // partition directories known to exist: uint32 -> struct{}
	md5Chunks sync.Pool // buffers of asyncMD5: []byte of md5Chunk bytes

	// snap is what object reads read (objects_snapshot.go).
	snap atomic.Pointer[snapshot]
}

// objectFormat is the version of the object records and data files (see
// doc.go); Open refuses stores of another version.
const objectFormat = 1

func (o *objectState) init(s *Store) error {
	o.s = s
	o.fs = s.opts.FS
	o.m = s.opts.Metrics.forDevice(s.opts.Device)
	o.objectsDir = filepath.Join(s.dir, "objects")
	o.tmpDir = filepath.Join(s.dir, "tmp")
	o.quarantineDir = filepath.Join(s.dir, "quarantined")
	o.gate.init()
	o.md5Chunks.New = func() any { return make([]byte, 0, md5Chunk) }
	for _, d := range []string{o.objectsDir, o.tmpDir, o.quarantineDir} {
		if err := o.fs.MkdirAll(d); err != nil {
			return o.ioError("create directory", d, err)
		}
	}
	o.reserve = s.opts.ReserveBytes
	if o.reserve <= 0 {
		_, total, err := o.fs.DiskUsage(s.dir)
		if err != nil {
			return o.ioError("statfs", s.dir, err)
		}
		o.reserve = defaultReserveFor(int64(total))
	}
	clean, err := o.checkFormat()
	if err != nil {
		return err
	}
	o.refreshSnapshot()
	o.commits = make(chan *commitOp, 1024)
	o.stopCommitter = make(chan struct{})
	o.committerDone = make(chan struct{})
	go o.committer()
	if err := o.recover(clean); err != nil {
		o.close()
		return err
	}
	return nil
}

// defaultReserveFor is the reserve of a file system of total bytes: 1/16
// of it, at least 32 MiB (room for Badger to flush a memtable and grow its
// logs) and at most 256 MiB, but never more than a quarter of a small file
// system.
func defaultReserveFor(total int64) int64 {
	return min(max(total/16, 32<<20), defaultReserve, total/4)
}

// checkFormat checks (or, in a new store, sets) the format version, reports
// whether the last process closed the store cleanly, and marks it open.
func (o *objectState) checkFormat() (clean bool, err error) {
	err = o.s.db.Update(func(txn *badger.Txn) error {
		switch item, err := txn.Get(formatKey); {
		case errors.Is(err, badger.ErrKeyNotFound):
			if err := txn.Set(formatKey, []byte{objectFormat}); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) != 1 || v[0] != objectFormat {
				return fmt.Errorf("object format %v, this program knows %d", v, objectFormat)
			}
		}
		item, err := txn.Get(stateKey)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			clean = string(v) == "clean"
		}
		return txn.Set(stateKey, []byte("open"))
	})
	if err != nil {
		return false, o.dbError("open", "", err)
	}
	return clean, nil
}

// close waits for the calls in progress, stops the committer and records a
// clean shutdown. The Store closes the database after.
func (o *objectState) close() {
	o.gate.close()
	if o.stopCommitter == nil {
		return // init failed early
	}
	select {
	case <-o.stopCommitter:
		return // already closed
	default:
	}
	close(o.stopCommitter)
	<-o.committerDone
	o.snap.Swap(nil).release()
	if err := o.s.db.Update(func(txn *badger.Txn) error { return txn.Set(stateKey, []byte("clean")) }); err != nil {
		o.s.log.Error("recording a clean shutdown failed; the next open will look for orphans", "err", err)
	}
}

// begin starts a call: it checks ctx and that the store is open, and parses
// name. done must be called when the call ends.
func (o *objectState) begin(ctx context.Context, op string, part uint32, name string) (objecthash.Hash, func(), error) {
	if err := ctx.Err(); err != nil {
		return objecthash.Hash{}, nil, err
	}
	h, err := objecthash.Of(o.s.opts.Salt, name)
	if err != nil {
		return h, nil, fmt.Errorf("badgerstore: %s %s/%d: %w", op, o.s.opts.Device, part, err)
	}
	if !o.gate.enter() {
		return h, nil, objectserver.ErrClosed
	}
	return h, o.gate.exit, nil
}

// get reads the record of an object; nil if there is none.
func (o *objectState) get(part uint32, h objecthash.Hash, withData bool) (*record, error) {
	var rec *record
	err := o.view(func(txn *badger.Txn) error {
		var err error
		rec, err = getRecord(txn, objectKey(part, h), withData)
		return err
	})
	return rec, err
}

// getRecord reads a record in txn; nil if there is none. With withData
// the record owns a copy of its inline data.
func getRecord(txn *badger.Txn, key []byte, withData bool) (*record, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if withData {
		v, err := item.ValueCopy(nil)
		if err != nil {
			return nil, err
		}
		return decodeRecord(v, true)
	}
	var rec *record
	err = item.Value(func(v []byte) error {
		var err error
		rec, err = decodeRecord(v, false)
		return err
	})
	return rec, err
}

func (o *objectState) where(part uint32, name string) string {
	return fmt.Sprintf("%s/%d%s", o.s.opts.Device, part, name)
}

// errNotFound is the error for an object the store knows nothing of.
func (o *objectState) errNotFound(op string, part uint32, name string) error {
	return fmt.Errorf("badgerstore: %s %s: %w", op, o.where(part, name), objectserver.ErrNotFound)
}

// Stat implements objectserver.ObjectStore.
func (s *Store) Stat(ctx context.Context, part uint32, name string) (objectserver.ObjectMeta, error) {
	o := &s.objects
	h, done, err := o.begin(ctx, "stat", part, name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	defer done()
	rec, err := o.get(part, h, false)
	switch {
	case err != nil:
		return objectserver.ObjectMeta{}, o.dbError("stat", o.where(part, name), err)
	case rec == nil:
		return objectserver.ObjectMeta{}, o.errNotFound("stat", part, name)
	}
	return rec.meta, nil
}

// Delete implements objectserver.ObjectStore.
func (s *Store) Delete(ctx context.Context, part uint32, name string, ts timestamp.Timestamp) (objectserver.ObjectMeta, error) {
	o := &s.objects
	h, done, err := o.begin(ctx, "delete", part, name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	defer done()
	if ts.IsZero() {
		return objectserver.ObjectMeta{}, fmt.Errorf("badgerstore: delete %s: no timestamp", o.where(part, name))
	}
	// A tombstone is small, and deleting frees space: only a device at
	// its last quarter of the reserve refuses.
	if err := o.checkSpace(-o.reserve * 3 / 4); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	tomb := &record{meta: objectserver.ObjectMeta{Name: name, Timestamp: ts, MetaTimestamp: ts, Deleted: true}}
	op := o.newOp(part, h, tomb, func(cur *record) error {
		if cur != nil && !ts.After(cur.meta.Timestamp) {
			return &objectserver.ConflictError{Existing: cur.meta.Timestamp}
		}
		return nil
	})
	if err := o.submit(ctx, op); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	if op.prev == nil {
		return objectserver.ObjectMeta{}, nil
	}
	o.removeReplaced(part, h, op.prev)
	return op.prev.meta, nil
}

// errRetry: the version changed between reading it and committing a
// change computed from it.
var errRetry = errors.New("badgerstore: version changed")

// UpdateMeta implements objectserver.ObjectStore. update runs outside the
// commit: the change is computed from the version read, and committed only
// if that version is still the newest (else it is recomputed).
func (s *Store) UpdateMeta(ctx context.Context, part uint32, name string, ts timestamp.Timestamp, update func(*objectserver.ObjectMeta)) (objectserver.ObjectMeta, error) {
	o := &s.objects
	h, done, err := o.begin(ctx, "update", part, name)
	if err != nil {
		return objectserver.ObjectMeta{}, err
	}
	defer done()
	if err := o.checkSpace(0); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	for {
		cur, err := o.get(part, h, true)
		switch {
		case err != nil:
			return objectserver.ObjectMeta{}, o.dbError("update", o.where(part, name), err)
		case cur == nil:
			return objectserver.ObjectMeta{}, o.errNotFound("update", part, name)
		case cur.meta.Deleted:
			return objectserver.ObjectMeta{}, &objectserver.DeletedError{Tombstone: cur.meta}
		case !ts.After(cur.meta.MetaTimestamp):
			return objectserver.ObjectMeta{}, &objectserver.ConflictError{Existing: cur.meta.MetaTimestamp}
		}
		next := *cur
		next.meta = applyUpdate(cur.meta, ts, update)
		op := o.newOp(part, h, &next, func(now *record) error {
			if !cur.sameVersion(now) {
				return errRetry
			}
			return nil
		})
		err = o.submit(ctx, op)
		if errors.Is(err, errRetry) {
			continue
		}
		if err != nil {
			return objectserver.ObjectMeta{}, err
		}
		return next.meta, nil
	}
}

// applyUpdate returns meta after update: update sees a copy, only its
// changes to Headers, ContentType and DeleteAt are kept, and MetaTimestamp
// becomes ts.
func applyUpdate(meta objectserver.ObjectMeta, ts timestamp.Timestamp, update func(*objectserver.ObjectMeta)) objectserver.ObjectMeta {
	changed := meta
	changed.Headers = cloneHeaders(meta.Headers)
	if update != nil {
		update(&changed)
	}
	meta.Headers = cloneHeaders(changed.Headers)
	meta.ContentType = changed.ContentType
	meta.DeleteAt = changed.DeleteAt
	meta.MetaTimestamp = ts
	return meta
}

// cloneHeaders copies h; an empty map becomes nil, as records decode it.
func cloneHeaders(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	c := make(map[string]string, len(h))
	for k, v := range h {
		c[k] = v
	}
	return c
}

// Partitions implements objectserver.ObjectStore. It walks the suffix
// keys, seeking past each partition found: one seek per partition.
func (s *Store) Partitions(ctx context.Context) ([]uint32, error) {
	o := &s.objects
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !o.gate.enter() {
		return nil, objectserver.ErrClosed
	}
	defer o.gate.exit()
	var parts []uint32
	err := o.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = []byte{nsSuffix}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Seek([]byte{nsSuffix}); it.Valid(); {
			k := it.Item().Key()
			if len(k) != suffixKeyLen {
				it.Next()
				continue
			}
			p := binary.BigEndian.Uint32(k[1:])
			parts = append(parts, p)
			if p == ^uint32(0) {
				break
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			it.Seek(suffixPartPrefix(p + 1))
		}
		return nil
	})
	if err != nil {
		return nil, o.dbError("partitions", s.opts.Device, err)
	}
	return parts, nil
}

// SuffixHashes implements objectserver.ObjectStore: it reads the suffix
// keys only.
func (s *Store) SuffixHashes(ctx context.Context, part uint32) (map[string]string, error) {
	o := &s.objects
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !o.gate.enter() {
		return nil, objectserver.ErrClosed
	}
	defer o.gate.exit()
	hashes := map[string]string{}
	err := o.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = suffixPartPrefix(part)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			if len(k) != suffixKeyLen {
				continue
			}
			err := item.Value(func(v []byte) error {
				st, err := decodeSuffix(v)
				if err != nil {
					return fmt.Errorf("suffix key %x: %w", k, err)
				}
				hashes[objecthash.SuffixString(binary.BigEndian.Uint16(k[5:]))] = st.digest.String()
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, o.dbError("suffix hashes", fmt.Sprintf("%s/%d", s.opts.Device, part), err)
	}
	return hashes, nil
}

// List implements objectserver.ObjectStore.
func (s *Store) List(ctx context.Context, part uint32, suffix string) ([]objectserver.ObjectMeta, error) {
	o := &s.objects
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sfx, ok := objecthash.ParseSuffix(suffix)
	if !ok {
		return nil, fmt.Errorf("badgerstore: list %s/%d/%q: bad suffix", s.opts.Device, part, suffix)
	}
	if !o.gate.enter() {
		return nil, objectserver.ErrClosed
	}
	defer o.gate.exit()
	var out []objectserver.ObjectMeta
	err := o.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = objectSuffixPrefix(part, sfx)
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			err := it.Item().Value(func(v []byte) error {
				rec, err := decodeRecord(v, false)
				if err != nil {
					return err
				}
				out = append(out, rec.meta)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, o.dbError("list", fmt.Sprintf("%s/%d/%s", s.opts.Device, part, suffix), err)
	}
	slices.SortFunc(out, func(a, b objectserver.ObjectMeta) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ReclaimTombstones removes the tombstones of partition part older than
// Options.ReclaimAge (by Options.Now) and returns how many it removed. The
// replicator calls it once the partition's replicas agree.
func (s *Store) ReclaimTombstones(ctx context.Context, part uint32) (int, error) {
	o := &s.objects
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if !o.gate.enter() {
		return 0, objectserver.ErrClosed
	}
	defer o.gate.exit()
	cutoff := timestamp.New(s.opts.Now().Add(-s.opts.ReclaimAge))
	type old struct {
		h  objecthash.Hash
		ts timestamp.Timestamp
	}
	// In rounds of bounded size, so that a huge partition does not
	// need memory in proportion.
	const round = 1000
	removed := 0
	start := objectPartPrefix(part)
	for {
		var found []old
		var next []byte
		err := o.view(func(txn *badger.Txn) error {
			opts := badger.DefaultIteratorOptions
			opts.PrefetchValues = false
			opts.Prefix = objectPartPrefix(part)
			it := txn.NewIterator(opts)
			defer it.Close()
			for it.Seek(start); it.Valid(); it.Next() {
				item := it.Item()
				if item.UserMeta()&flagDeleted == 0 {
					continue
				}
				if len(found) == round {
					next = item.KeyCopy(nil)
					return nil
				}
				h, ok := hashOfObjectKey(item.Key())
				if !ok {
					continue
				}
				err := item.Value(func(v []byte) error {
					rec, err := decodeRecord(v, false)
					if err == nil && rec.meta.Deleted && cutoff.After(rec.meta.Timestamp) {
						found = append(found, old{h, rec.meta.Timestamp})
					}
					return err
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return removed, o.dbError("reclaim", fmt.Sprintf("%s/%d", s.opts.Device, part), err)
		}
		ops := make([]*commitOp, 0, len(found))
		for _, f := range found {
			op := o.newOp(part, f.h, nil, func(cur *record) error {
				if cur == nil || !cur.meta.Deleted || cur.meta.Timestamp != f.ts {
					return errRetry // revived or replaced meanwhile: keep it
				}
				return nil
			})
			ops = append(ops, op)
		}
		for _, err := range o.submitAll(ctx, ops) {
			switch {
			case err == nil:
				removed++
			case errors.Is(err, errRetry):
			default:
				return removed, err
			}
		}
		if next == nil {
			return removed, nil
		}
		start = next
	}
}

// Paths of data files: objects/<partition>/<hash>-<file id>.data.

func (o *objectState) partDir(part uint32) string {
	return filepath.Join(o.objectsDir, strconv.FormatUint(uint64(part), 10))
}

func (o *objectState) dataPath(part uint32, h objecthash.Hash, id uint64) string {
	return filepath.Join(o.partDir(part), dataName(h, id))
}

func dataName(h objecthash.Hash, id uint64) string {
	return fmt.Sprintf("%s-%016x.data", h, id)
}

// parseDataName reads a name written by dataName.
func parseDataName(name string) (h objecthash.Hash, id uint64, ok bool) {
	base, found := strings.CutSuffix(name, ".data")
	hexHash, hexID, found2 := strings.Cut(base, "-")
	if !found || !found2 || len(hexHash) != 32 || len(hexID) != 16 {
		return h, 0, false
	}
	for i := range h {
		v, err := strconv.ParseUint(hexHash[2*i:2*i+2], 16, 8)
		if err != nil {
			return h, 0, false
		}
		h[i] = byte(v)
	}
	id, err := strconv.ParseUint(hexID, 16, 64)
	return h, id, err == nil
}

// ensurePartDir creates the partition's directory if needed, durably: the
// first time a process uses it, it syncs objects/ too, in case an earlier
// creation was never synced.
func (o *objectState) ensurePartDir(part uint32) error {
	if _, ok := o.partDirs.Load(part); ok {
		return nil
	}
	dir := o.partDir(part)
	if err := o.fs.MkdirAll(dir); err != nil {
		return o.ioError("create directory", dir, err)
	}
	if err := o.fs.SyncDir(o.objectsDir); err != nil {
		return o.ioError("sync directory", o.objectsDir, err)
	}
	o.partDirs.Store(part, struct{}{})
	return nil
}

// removeReplaced removes the data file of a version a commit replaced.
// A failure leaves an orphan that the next recovery removes.
func (o *objectState) removeReplaced(part uint32, h objecthash.Hash, prev *record) {
	if prev == nil || !prev.hasFile {
		return
	}
	p := o.dataPath(part, h, prev.fileID)
	if err := o.fs.Remove(p); err != nil {
		o.s.log.Warn("removing a replaced data file failed", "path", p, "err", err)
	}
}

// checkSpace fails with ErrDiskFull unless the device has need bytes free
// beyond the reserve kept for the index: Badger must never be the one to
// run out of space (it writes through mmap, where that is a crash).
func (o *objectState) checkSpace(need int64) error {
	avail, _, err := o.fs.DiskUsage(o.s.dir)
	if err != nil {
		return o.ioError("statfs", o.s.dir, err)
	}
	if int64(avail) < o.reserve+need {
		return fmt.Errorf("badgerstore: %s: %d bytes free, %d wanted beyond the %d reserved: %w",
			o.s.opts.Device, avail, max(need, 0), o.reserve, objectserver.ErrDiskFull)
	}
	return nil
}

// ioError wraps a file-system error, mapping out-of-space and device
// failures to objectserver's sentinels and counting them.
func (o *objectState) ioError(op, path string, err error) error {
	switch {
	case isNoSpace(err):
		inc(o.m.diskErrors)
		return fmt.Errorf("badgerstore: %s %s: %w: %w", op, path, objectserver.ErrDiskFull, err)
	case isIOError(err):
		inc(o.m.diskErrors)
		o.s.log.Error("device error", "op", op, "path", path, "err", err)
		return fmt.Errorf("badgerstore: %s %s: %w: %w", op, path, objectserver.ErrDeviceUnavailable, err)
	}
	return fmt.Errorf("badgerstore: %s %s: %w", op, path, err)
}

// dbError wraps an error from Badger.
func (o *objectState) dbError(op, what string, err error) error {
	var ce *objectserver.ConflictError
	switch {
	case errors.As(err, &ce), errors.Is(err, objectserver.ErrClosed), errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, errBadRecord):
		return fmt.Errorf("badgerstore: %s %s: %w: %w", op, what, objectserver.ErrCorrupt, err)
	case isNoSpace(err), isIOError(err):
		inc(o.m.diskErrors)
	}
	return fmt.Errorf("badgerstore: %s %s: %w", op, cmp.Or(what, o.s.opts.Device), classify(err))
}

// gate counts the calls in progress so that close can wait for them.
// Unlike a RWMutex, entering twice from one goroutine cannot deadlock.
type gate struct {
	mu     sync.Mutex
	cond   sync.Cond
	n      int  // calls in progress; guarded by mu
	closed bool // guarded by mu
}

func (g *gate) init() { g.cond.L = &g.mu }

func (g *gate) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.n++
	return true
}

func (g *gate) exit() {
	g.mu.Lock()
	g.n--
	if g.n == 0 {
		g.cond.Broadcast()
	}
	g.mu.Unlock()
}

// close refuses new calls and waits for those in progress.
func (g *gate) close() {
	g.mu.Lock()
	g.closed = true
	for g.n > 0 {
		g.cond.Wait()
	}
	g.mu.Unlock()
}
