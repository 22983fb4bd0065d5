package badgerstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// The pending queue (keys.go): updates under nsPending 'q' in sequence
// order, and per object ('x', keyed by the hash of /account/container/
// object) the sequence number of its queued update, so that a newer
// update replaces an older one in the same transaction. Updates are rare
// (only failed container updates), so each is its own synced transaction.

// pendingState is the PendingStore's part of a Store.
type pendingState struct {
	next atomic.Uint64 // sequence number of the next update
}

func (p *pendingState) init(s *Store) error {
	var last uint64
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Reverse = true
		opts.Prefix = []byte{nsPending, pendingQueue}
		it := txn.NewIterator(opts)
		defer it.Close()
		it.Seek(pendingQueueKey(^uint64(0)))
		if it.Valid() {
			last = binary.BigEndian.Uint64(it.Item().Key()[2:])
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("badgerstore: open pending queue: %w", classify(err))
	}
	p.next.Store(last + 1)
	return nil
}

// pendingHash identifies an update's object.
func pendingHash(u *objectserver.PendingUpdate) objecthash.Hash {
	return hashpath.MD5(hashpath.Salt{}, u.Account, u.Container, u.Object)
}

// AddPending implements objectserver.PendingStore. An update older than
// the one queued for the same object is dropped; one as new or newer
// replaces it.
func (s *Store) AddPending(ctx context.Context, u objectserver.PendingUpdate) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.objects.gate.enter() {
		return objectserver.ErrClosed
	}
	defer s.objects.gate.exit()
	if err := s.objects.checkSpace(0); err != nil {
		return err
	}
	h := pendingHash(&u)
	seq := s.pending.next.Add(1) - 1
	val := encodePending(&u)
	err := s.pendingUpdate(func(txn *badger.Txn) error {
		ik := pendingIndexKey(h)
		item, err := txn.Get(ik)
		switch {
		case errors.Is(err, badger.ErrKeyNotFound):
		case err != nil:
			return err
		default:
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			if len(v) != 8+timestamp.Size {
				return fmt.Errorf("%w: pending index value of %d bytes", errBadRecord, len(v))
			}
			old, _ := timestamp.Decode(v[8:])
			if old.After(u.Timestamp) {
				return nil // a newer update is queued
			}
			if err := txn.Delete(pendingQueueKey(binary.BigEndian.Uint64(v))); err != nil {
				return err
			}
		}
		if err := txn.Set(pendingQueueKey(seq), val); err != nil {
			return err
		}
		return txn.Set(ik, u.Timestamp.Append(binary.BigEndian.AppendUint64(nil, seq)))
	})
	if err != nil {
		return s.objects.dbError("add pending", u.Account+"/"+u.Container+"/"+u.Object, err)
	}
	return nil
}

// pendingUpdate runs fn in a synced transaction, retrying conflicts.
func (s *Store) pendingUpdate(fn func(*badger.Txn) error) error {
	for attempt := 1; ; attempt++ {
		err := s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) || attempt == maxRetries {
			return err
		}
	}
}

// Pendings implements objectserver.PendingStore; limit <= 0 means all.
func (s *Store) Pendings(ctx context.Context, limit int) ([]objectserver.QueuedUpdate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !s.objects.gate.enter() {
		return nil, objectserver.ErrClosed
	}
	defer s.objects.gate.exit()
	var out []objectserver.QueuedUpdate
	err := s.db.View(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.Prefix = []byte{nsPending, pendingQueue}
		if limit > 0 {
			opts.PrefetchSize = min(limit, 100)
		}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid() && (limit <= 0 || len(out) < limit); it.Next() {
			item := it.Item()
			seq := binary.BigEndian.Uint64(item.Key()[2:])
			err := item.Value(func(v []byte) error {
				u, err := decodePending(v)
				if err != nil {
					return fmt.Errorf("pending update %d: %w", seq, err)
				}
				out = append(out, objectserver.QueuedUpdate{ID: pendingID(seq), PendingUpdate: u})
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, s.objects.dbError("pendings", s.opts.Device, err)
	}
	return out, nil
}

// RemovePending implements objectserver.PendingStore.
func (s *Store) RemovePending(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	seq, err := strconv.ParseUint(id, 16, 64)
	if err != nil || len(id) != 16 {
		return nil // not an id of ours: unknown
	}
	if !s.objects.gate.enter() {
		return objectserver.ErrClosed
	}
	defer s.objects.gate.exit()
	err = s.pendingUpdate(func(txn *badger.Txn) error {
		qk := pendingQueueKey(seq)
		item, err := txn.Get(qk)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if err := txn.Delete(qk); err != nil {
			return err
		}
		u, err := decodePending(v)
		if err != nil {
			return nil // the queue entry is gone; no index entry can be found
		}
		ik := pendingIndexKey(pendingHash(&u))
		item, err = txn.Get(ik)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		iv, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if len(iv) >= 8 && binary.BigEndian.Uint64(iv) == seq {
			return txn.Delete(ik)
		}
		return nil
	})
	if err != nil {
		return s.objects.dbError("remove pending", id, err)
	}
	return nil
}

// pendingID is a sequence number as an id: 16 hex digits, which sort as
// the queue does.
func pendingID(seq uint64) string { return fmt.Sprintf("%016x", seq) }

// Pending update values: a version byte (1), then method, account,
// container, object (uvarint length and bytes each), the timestamp (16
// bytes), the container partition (uvarint), the headers (uvarint count,
// then per header its name, uvarint count of values, and the values, names
// sorted), and the targets (uvarint count, then each string).
const pendingVersion = 1

func encodePending(u *objectserver.PendingUpdate) []byte {
	b := []byte{pendingVersion}
	b = appendString(b, u.Method)
	b = appendString(b, u.Account)
	b = appendString(b, u.Container)
	b = appendString(b, u.Object)
	b = u.Timestamp.Append(b)
	b = binary.AppendUvarint(b, uint64(u.ContainerPartition))
	b = binary.AppendUvarint(b, uint64(len(u.Headers)))
	for _, k := range slices.Sorted(maps.Keys(u.Headers)) {
		b = appendString(b, k)
		b = binary.AppendUvarint(b, uint64(len(u.Headers[k])))
		for _, v := range u.Headers[k] {
			b = appendString(b, v)
		}
	}
	b = binary.AppendUvarint(b, uint64(len(u.Targets)))
	for _, t := range u.Targets {
		b = appendString(b, t)
	}
	return b
}

func decodePending(v []byte) (objectserver.PendingUpdate, error) {
	var u objectserver.PendingUpdate
	d := decoder{b: v}
	if ver := d.byte(); d.err != nil || ver != pendingVersion {
		return u, fmt.Errorf("%w: pending version %d", errBadRecord, ver)
	}
	u.Method = d.string()
	u.Account = d.string()
	u.Container = d.string()
	u.Object = d.string()
	u.Timestamp = d.timestamp()
	u.ContainerPartition = uint32(d.uvarint())
	if n := d.count(); n > 0 {
		u.Headers = make(http.Header, n)
		for range n {
			k := d.string()
			vals := make([]string, d.count())
			for i := range vals {
				vals[i] = d.string()
			}
			u.Headers[k] = vals
		}
	}
	if n := d.count(); n > 0 {
		u.Targets = make([]string, n)
		for i := range u.Targets {
			u.Targets[i] = d.string()
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("trailing bytes")
	}
	return u, d.err
}
