package badgerstore

// # Listing databases
//
// Each container and each account is a small database inside the index,
// named by its partition and the hash Swift gives it: hash_path, the MD5
// of the salted /account/container or /account (internal/hashpath).
//
//	'c' partition(4, BE) md5(/a/c)(16) 's'        -> container state
//	'c' partition(4, BE) md5(/a/c)(16) 'm'        -> container metadata
//	'r' partition(4, BE) md5(/a/c)(16) 0x00 name  -> live object row
//	'r' partition(4, BE) md5(/a/c)(16) 0x01 name  -> deleted object row
//	'a' partition(4, BE) md5(/a)(16) 's'          -> account state
//	'a' partition(4, BE) md5(/a)(16) 'm'          -> account metadata
//	'k' partition(4, BE) md5(/a)(16) 0x00 name    -> live container row
//	'k' partition(4, BE) md5(/a)(16) 0x01 name    -> deleted container row
//
// A row's name is its raw UTF-8 bytes, so Badger's key order within a
// database's live rows is Swift's listing order (byte order of the UTF-8
// names, as SQLite compares them). Deleted rows (tombstones, kept for
// replication and so that an older PUT cannot resurrect an object) live
// in their own space, as Swift indexes rows by (deleted, name): listings
// never step over them, however many there are. A row is in exactly one
// of the two spaces.
//
// Values start with a format byte (1). Timestamps are 16 bytes
// (internal/timestamp's binary form); counts are signed varints; strings
// are a uvarint length and the bytes.
//
//	state          format, put, delete, created_at, status_changed_at
//	               timestamps, then containers, objects and bytes used
//	               (containers is 0 in a container's state), then the
//	               account and container names (container "" in an
//	               account's); the names guard against hash collisions
//	metadata       format, uvarint count, then per item, sorted by name:
//	               name, value, timestamp; an empty value records a
//	               removal, kept so that it wins over older values
//	object row     format, timestamp, size, content type, etag
//	container row  format, put and delete timestamps, objects, bytes used
//
// The state holds the counts, updated in the transaction that changes a
// row, so HEAD reads one key. Row updates are batched (flat combining,
// listing_batch.go): concurrent PutObjectRow calls, on a hot container or
// on many, share one transaction and one fsync. One batch is applied at a
// time, so row updates never conflict with each other; only
// container-level writes (PUT, DELETE, POST of a container) racing a
// batch do, and are retried.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

var (
	_ objectserver.ContainerStore = (*Store)(nil)
	_ objectserver.AccountStore   = (*Store)(nil)
)

// listingState is the listing store's part of a Store.
type listingState struct {
	s             *Store
	objectRows    *rowBatcher[objectRowUpdate]    // PutObjectRow
	containerRows *rowBatcher[containerRowUpdate] // PutContainerRow
	// dbLocks serialise the container- and account-level writes (state
	// and metadata) of one database, striped by its key, so that they do
	// not conflict with each other; each can then conflict only with the
	// one row batch being applied at a time.
	dbLocks [64]sync.Mutex
}

type listingContainerID struct {
	part               uint32
	account, container string
}

type listingAccountID struct {
	part    uint32
	account string
}

const (
	// A batch of row updates is at most this many rows and about this
	// many bytes, far below Badger's transaction limits (15% of the 16 MiB
	// memtable).
	maxRowBatchRows  = 256
	maxRowBatchBytes = 512 << 10
	// maxListingConflictRetries bounds the retries of a transaction that
	// conflicts with another; with batching only container- or
	// account-level writes racing row batches conflict.
	maxListingConflictRetries = 50
)

func (l *listingState) init(s *Store) error {
	l.s = s
	// Sizes: the row, its key twice (one may be deleted) and the state
	// of its database.
	l.objectRows = newRowBatcher(maxRowBatchRows, maxRowBatchBytes,
		func(u objectRowUpdate) int {
			return 2*len(u.row.Name) + len(u.row.ContentType) + len(u.row.ETag) + 64 + len(u.id.account) + len(u.id.container) + 128
		},
		l.applyObjectRows)
	l.containerRows = newRowBatcher(maxRowBatchRows, maxRowBatchBytes,
		func(u containerRowUpdate) int { return 2*len(u.row.Name) + 64 + len(u.id.account) + 128 },
		l.applyContainerRows)
	return nil
}

// PutContainer implements objectserver.ContainerStore.
func (s *Store) PutContainer(ctx context.Context, part uint32, account, container string, ts timestamp.Timestamp, meta objectserver.Metadata) (created bool, err error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return false, err
	}
	k := containerDBKeys(s.opts.Salt, part, account, container)
	err = l.updateDB(ctx, k, func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, container)
		if err != nil {
			return err
		}
		before := st
		if !ok {
			now := timestamp.New(s.opts.Now())
			st = dbState{account: account, container: container, dbLifecycle: dbLifecycle{put: ts, createdAt: now, changedAt: ts}}
			created = true
		} else if created, err = st.doPut(ts); err != nil {
			return err
		}
		if st != before {
			if err := txn.Set(k.state, st.encode()); err != nil {
				return err
			}
		}
		return mergeDBMeta(txn, k, meta)
	})
	if err != nil {
		return false, l.wrap(err, "put container", account, container)
	}
	return created, nil
}

// DeleteContainer implements objectserver.ContainerStore. As Swift's
// delete_db, it clears the container's metadata.
func (s *Store) DeleteContainer(ctx context.Context, part uint32, account, container string, ts timestamp.Timestamp) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	k := containerDBKeys(s.opts.Salt, part, account, container)
	err := l.updateDB(ctx, k, func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, container)
		switch {
		case err != nil:
			return err
		case !ok || st.deleted():
			return objectserver.ErrNotFound
		case st.objects > 0:
			return objectserver.ErrNotEmpty
		}
		if err := st.doDelete(ts); err != nil {
			return err
		}
		if err := txn.Set(k.state, st.encode()); err != nil {
			return err
		}
		return clearDBMeta(txn, k, ts)
	})
	return l.wrap(err, "delete container", account, container)
}

// ContainerInfo implements objectserver.ContainerStore.
func (s *Store) ContainerInfo(ctx context.Context, part uint32, account, container string) (objectserver.ContainerInfo, error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return objectserver.ContainerInfo{}, err
	}
	k := containerDBKeys(s.opts.Salt, part, account, container)
	var info objectserver.ContainerInfo
	err := s.db.View(func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, container)
		if err != nil {
			return err
		}
		if !ok {
			return objectserver.ErrNotFound
		}
		meta, err := getDBMeta(txn, k)
		info = objectserver.ContainerInfo{
			Account: account, Container: container,
			PutTimestamp: st.put, DeleteTimestamp: st.del, CreatedAt: st.createdAt, StatusChangedAt: st.changedAt,
			ObjectCount: st.objects, BytesUsed: st.bytesUsed,
			Metadata: meta,
		}
		return err
	})
	if err != nil {
		return objectserver.ContainerInfo{}, l.wrap(err, "container info", account, container)
	}
	return info, nil
}

// UpdateContainerMeta implements objectserver.ContainerStore.
func (s *Store) UpdateContainerMeta(ctx context.Context, part uint32, account, container string, meta objectserver.Metadata) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	k := containerDBKeys(s.opts.Salt, part, account, container)
	err := l.updateDB(ctx, k, func(txn *badger.Txn) error {
		if err := getLiveDB(txn, k, account, container); err != nil {
			return err
		}
		return mergeDBMeta(txn, k, meta)
	})
	return l.wrap(err, "update container metadata", account, container)
}

// PutObjectRow implements objectserver.ContainerStore. Concurrent calls
// are applied together (see rowBatcher); each returns once its row is on
// stable storage.
func (s *Store) PutObjectRow(ctx context.Context, part uint32, account, container string, row objectserver.ObjectRow) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	err := l.objectRows.do(ctx, objectRowUpdate{listingContainerID{part, account, container}, row})
	return l.wrap(err, "put object row", account, container)
}

// objectRowUpdate is a PutObjectRow call waiting in a batch.
type objectRowUpdate struct {
	id  listingContainerID
	row objectserver.ObjectRow
}

// applyObjectRows applies a batch of object rows, of any containers, in
// one transaction: per row the newest wins, and each container's counts
// follow. A row for a missing or deleted container fails alone.
func (l *listingState) applyObjectRows(ups []objectRowUpdate) []error {
	errs := make([]error, len(ups))
	err := l.update(context.Background(), func(txn *badger.Txn) error {
		clear(errs)
		for _, g := range groupRowUpdates(ups, func(u objectRowUpdate) listingContainerID { return u.id }) {
			id := ups[g[0]].id
			k := containerDBKeys(l.s.opts.Salt, id.part, id.account, id.container)
			st, ok, err := getDBState(txn, k, id.account, id.container)
			if err == nil && (!ok || st.deleted()) {
				err = objectserver.ErrNotFound
			}
			if err != nil {
				for _, i := range g {
					errs[i] = err
				}
				continue
			}
			changed := false
			for _, i := range g {
				r := ups[i].row
				old, found, err := getObjectRowRecord(txn, k, r.Name)
				if err != nil {
					return err
				}
				if found && !r.Timestamp.After(old.Timestamp) {
					continue
				}
				if found && !old.Deleted {
					st.objects--
					st.bytesUsed -= old.Size
				}
				if found && old.Deleted != r.Deleted {
					if err := txn.Delete(k.rowKey(r.Name, old.Deleted)); err != nil {
						return err
					}
				}
				if err := txn.Set(k.rowKey(r.Name, r.Deleted), encodeObjectRow(r)); err != nil {
					return err
				}
				if !r.Deleted {
					st.objects++
					st.bytesUsed += r.Size
				}
				changed = true
			}
			if changed {
				if err := txn.Set(k.state, st.encode()); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
	}
	return errs
}

// groupRowUpdates returns the indexes of items grouped by key, the groups in the
// order of their first items.
func groupRowUpdates[T any, K comparable](items []T, key func(T) K) [][]int {
	at := make(map[K]int)
	var groups [][]int
	for i, it := range items {
		k := key(it)
		g, ok := at[k]
		if !ok {
			g = len(groups)
			at[k] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], i)
	}
	return groups
}

// ListObjects implements objectserver.ContainerStore.
func (s *Store) ListObjects(ctx context.Context, part uint32, account, container string, q objectserver.ListQuery) ([]objectserver.ObjectEntry, error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return nil, err
	}
	k := containerDBKeys(s.opts.Salt, part, account, container)
	out := []objectserver.ObjectEntry{} // an empty listing is [], not null
	err := s.db.View(func(txn *badger.Txn) error {
		if err := getLiveDB(txn, k, account, container); err != nil {
			return err
		}
		return scanListing(ctx, txn, k.live, q,
			func(name []byte, item *badger.Item) error {
				return item.Value(func(v []byte) error {
					r, err := decodeObjectRow(string(name), false, v)
					out = append(out, objectserver.ObjectEntry{ObjectRow: r})
					return err
				})
			},
			func(dir []byte) { out = append(out, objectserver.ObjectEntry{Subdir: string(dir)}) })
	})
	if err != nil {
		return nil, l.wrap(err, "list objects", account, container)
	}
	return out, nil
}

// getDBState reads the state of a database, checking that it is the one
// named (the hash in its key could, in theory, be another's).
func getDBState(txn *badger.Txn, k listingKeys, account, container string) (dbState, bool, error) {
	item, err := txn.Get(k.state)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return dbState{}, false, nil
	}
	if err != nil {
		return dbState{}, false, err
	}
	var st dbState
	err = item.Value(func(v []byte) (err error) {
		st, err = decodeState(v)
		return err
	})
	if err != nil {
		return dbState{}, false, err
	}
	if st.account != account || st.container != container {
		return dbState{}, false, fmt.Errorf("badgerstore: /%s/%s has the hash of /%s/%s", account, container, st.account, st.container)
	}
	return st, true, nil
}

// getLiveDB returns ErrNotFound unless the database exists and is not
// deleted.
func getLiveDB(txn *badger.Txn, k listingKeys, account, container string) error {
	st, ok, err := getDBState(txn, k, account, container)
	if err != nil {
		return err
	}
	if !ok || st.deleted() {
		return objectserver.ErrNotFound
	}
	return nil
}

func getDBMeta(txn *badger.Txn, k listingKeys) (objectserver.Metadata, error) {
	item, err := txn.Get(k.meta)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return objectserver.Metadata{}, nil
	}
	if err != nil {
		return nil, err
	}
	var m objectserver.Metadata
	err = item.Value(func(v []byte) (err error) {
		m, err = decodeMeta(v)
		return err
	})
	return m, err
}

// mergeDBMeta merges update into the database's metadata.
func mergeDBMeta(txn *badger.Txn, k listingKeys, update objectserver.Metadata) error {
	if len(update) == 0 {
		return nil
	}
	m, err := getDBMeta(txn, k)
	if err != nil {
		return err
	}
	if !m.Merge(update) {
		return nil
	}
	return txn.Set(k.meta, encodeMeta(m))
}

// clearDBMeta removes every metadata item older than ts, as Swift's
// delete_db does, leaving an empty value timestamped ts.
func clearDBMeta(txn *badger.Txn, k listingKeys, ts timestamp.Timestamp) error {
	m, err := getDBMeta(txn, k)
	if err != nil || len(m) == 0 {
		return err
	}
	clear := make(objectserver.Metadata, len(m))
	for name := range m {
		clear[name] = objectserver.MetaItem{Timestamp: ts}
	}
	if !m.Merge(clear) {
		return nil
	}
	return txn.Set(k.meta, encodeMeta(m))
}

// getObjectRowRecord finds the row of an object, live or deleted.
func getObjectRowRecord(txn *badger.Txn, k listingKeys, name string) (objectserver.ObjectRow, bool, error) {
	for _, deleted := range []bool{false, true} {
		item, err := txn.Get(k.rowKey(name, deleted))
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return objectserver.ObjectRow{}, false, err
		}
		var r objectserver.ObjectRow
		err = item.Value(func(v []byte) (err error) {
			r, err = decodeObjectRow(name, deleted, v)
			return err
		})
		return r, err == nil, err
	}
	return objectserver.ObjectRow{}, false, nil
}

// check fails fast on a closed store or a finished context.
func (l *listingState) check(ctx context.Context) error {
	if l.s.isClosed() {
		return objectserver.ErrClosed
	}
	return ctx.Err()
}

// updateDB is update for a write to one database (keys k), holding its
// lock so that it only ever conflicts with a row batch.
func (l *listingState) updateDB(ctx context.Context, k listingKeys, fn func(txn *badger.Txn) error) error {
	mu := &l.dbLocks[k.state[len(k.state)-2]%byte(len(l.dbLocks))]
	mu.Lock()
	defer mu.Unlock()
	return l.update(ctx, fn)
}

// update runs fn in a read-write transaction, committed durably (the DB
// syncs writes), retrying it when it conflicts with another transaction.
func (l *listingState) update(ctx context.Context, fn func(txn *badger.Txn) error) error {
	for attempt := 1; ; attempt++ {
		err := l.s.db.Update(fn)
		if !errors.Is(err, badger.ErrConflict) {
			return err
		}
		if attempt == maxListingConflictRetries {
			return fmt.Errorf("badgerstore: %d conflicting transactions in a row: %v", attempt, err)
		}
		// Back off a little, more as conflicts repeat, at random so that
		// the conflicting writers spread out.
		pause := time.Duration(rand.Int64N(int64(attempt) * int64(50*time.Microsecond)))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.s.closed:
			return objectserver.ErrClosed
		case <-time.After(pause):
		}
	}
}

// wrap turns an error of a listing call into what callers get: the
// contract's sentinels and context errors as they are, anything else
// classified and named.
func (l *listingState) wrap(err error, op, account, container string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, objectserver.ErrNotFound), errors.Is(err, objectserver.ErrNotEmpty),
		errors.Is(err, objectserver.ErrConflict), errors.Is(err, objectserver.ErrClosed),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	path := "/" + account
	if container != "" {
		path += "/" + container
	}
	if l.s.isClosed() {
		return fmt.Errorf("badgerstore: %s %s: %w: %v", op, path, objectserver.ErrClosed, err)
	}
	return fmt.Errorf("badgerstore: %s %s: %w", op, path, classify(err))
}
