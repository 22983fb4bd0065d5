package badgerstore

import (
	"context"
	"errors"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// The account databases: the same records as containers' (listing.go),
// under nsAccount and nsContainerRow.

// PutAccount implements objectserver.AccountStore.
func (s *Store) PutAccount(ctx context.Context, part uint32, account string, ts timestamp.Timestamp, meta objectserver.Metadata) (created bool, err error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return false, err
	}
	k := accountDBKeys(s.opts.Salt, part, account)
	err = l.updateDB(ctx, k, func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, "")
		if err != nil {
			return err
		}
		before := st
		if !ok {
			now := timestamp.New(s.opts.Now())
			st = dbState{account: account, dbLifecycle: dbLifecycle{put: ts, createdAt: now, changedAt: ts}}
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
		return false, l.wrap(err, "put account", account, "")
	}
	return created, nil
}

// DeleteAccount implements objectserver.AccountStore. As Swift's
// delete_db, it clears the account's metadata; its container rows stay.
func (s *Store) DeleteAccount(ctx context.Context, part uint32, account string, ts timestamp.Timestamp) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	k := accountDBKeys(s.opts.Salt, part, account)
	err := l.updateDB(ctx, k, func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, "")
		switch {
		case err != nil:
			return err
		case !ok || st.deleted():
			return objectserver.ErrNotFound
		}
		if err := st.doDelete(ts); err != nil {
			return err
		}
		if err := txn.Set(k.state, st.encode()); err != nil {
			return err
		}
		return clearDBMeta(txn, k, ts)
	})
	return l.wrap(err, "delete account", account, "")
}

// AccountInfo implements objectserver.AccountStore.
func (s *Store) AccountInfo(ctx context.Context, part uint32, account string) (objectserver.AccountInfo, error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return objectserver.AccountInfo{}, err
	}
	k := accountDBKeys(s.opts.Salt, part, account)
	var info objectserver.AccountInfo
	err := s.db.View(func(txn *badger.Txn) error {
		st, ok, err := getDBState(txn, k, account, "")
		if err != nil {
			return err
		}
		if !ok {
			return objectserver.ErrNotFound
		}
		meta, err := getDBMeta(txn, k)
		info = objectserver.AccountInfo{
			Account:      account,
			PutTimestamp: st.put, DeleteTimestamp: st.del, CreatedAt: st.createdAt, StatusChangedAt: st.changedAt,
			ContainerCount: st.containers, ObjectCount: st.objects, BytesUsed: st.bytesUsed,
			Metadata: meta,
		}
		return err
	})
	if err != nil {
		return objectserver.AccountInfo{}, l.wrap(err, "account info", account, "")
	}
	return info, nil
}

// UpdateAccountMeta implements objectserver.AccountStore.
func (s *Store) UpdateAccountMeta(ctx context.Context, part uint32, account string, meta objectserver.Metadata) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	k := accountDBKeys(s.opts.Salt, part, account)
	err := l.updateDB(ctx, k, func(txn *badger.Txn) error {
		if err := getLiveDB(txn, k, account, ""); err != nil {
			return err
		}
		return mergeDBMeta(txn, k, meta)
	})
	return l.wrap(err, "update account metadata", account, "")
}

// PutContainerRow implements objectserver.AccountStore. A report as new
// as the stored row replaces its counts (containers report changed counts
// under unchanged timestamps); the PUT and DELETE timestamps each keep the
// newer value, as Swift's AccountBroker.merge_items does. Concurrent calls
// are applied together (see rowBatcher).
func (s *Store) PutContainerRow(ctx context.Context, part uint32, account string, row objectserver.ContainerRow) error {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return err
	}
	err := l.containerRows.do(ctx, containerRowUpdate{listingAccountID{part, account}, row})
	return l.wrap(err, "put container row", account, "")
}

// containerRowUpdate is a PutContainerRow call waiting in a batch.
type containerRowUpdate struct {
	id  listingAccountID
	row objectserver.ContainerRow
}

// applyContainerRows applies a batch of container rows, of any accounts,
// in one transaction, and adjusts each account's counts. A row for a
// missing or deleted account fails alone.
func (l *listingState) applyContainerRows(ups []containerRowUpdate) []error {
	errs := make([]error, len(ups))
	err := l.update(context.Background(), func(txn *badger.Txn) error {
		clear(errs)
		for _, g := range groupRowUpdates(ups, func(u containerRowUpdate) listingAccountID { return u.id }) {
			id := ups[g[0]].id
			k := accountDBKeys(l.s.opts.Salt, id.part, id.account)
			st, ok, err := getDBState(txn, k, id.account, "")
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
				old, found, err := getContainerRowRecord(txn, k, r.Name)
				if err != nil {
					return err
				}
				if found {
					if containerRowTime(old).After(containerRowTime(r)) {
						continue
					}
					if !old.Deleted() {
						st.containers--
						st.objects -= old.ObjectCount
						st.bytesUsed -= old.BytesUsed
					}
					if old.PutTimestamp.After(r.PutTimestamp) {
						r.PutTimestamp = old.PutTimestamp
					}
					if old.DeleteTimestamp.After(r.DeleteTimestamp) {
						r.DeleteTimestamp = old.DeleteTimestamp
					}
					if old.Deleted() != r.Deleted() {
						if err := txn.Delete(k.rowKey(r.Name, old.Deleted())); err != nil {
							return err
						}
					}
				}
				if err := txn.Set(k.rowKey(r.Name, r.Deleted()), encodeContainerRow(r)); err != nil {
					return err
				}
				if !r.Deleted() {
					st.containers++
					st.objects += r.ObjectCount
					st.bytesUsed += r.BytesUsed
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

// ListContainers implements objectserver.AccountStore. ErrNotFound if the
// account does not exist or is deleted.
func (s *Store) ListContainers(ctx context.Context, part uint32, account string, q objectserver.ListQuery) ([]objectserver.ContainerEntry, error) {
	l := &s.listings
	if err := l.check(ctx); err != nil {
		return nil, err
	}
	k := accountDBKeys(s.opts.Salt, part, account)
	out := []objectserver.ContainerEntry{} // an empty listing is [], not null
	err := s.db.View(func(txn *badger.Txn) error {
		if err := getLiveDB(txn, k, account, ""); err != nil {
			return err
		}
		return scanListing(ctx, txn, k.live, q,
			func(name []byte, item *badger.Item) error {
				return item.Value(func(v []byte) error {
					r, err := decodeContainerRow(string(name), v)
					out = append(out, objectserver.ContainerEntry{ContainerRow: r})
					return err
				})
			},
			func(dir []byte) { out = append(out, objectserver.ContainerEntry{Subdir: string(dir)}) })
	})
	if err != nil {
		return nil, l.wrap(err, "list containers", account, "")
	}
	return out, nil
}

// getContainerRowRecord finds the row of a container, live or deleted.
func getContainerRowRecord(txn *badger.Txn, k listingKeys, name string) (objectserver.ContainerRow, bool, error) {
	for _, deleted := range []bool{false, true} {
		item, err := txn.Get(k.rowKey(name, deleted))
		if errors.Is(err, badger.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return objectserver.ContainerRow{}, false, err
		}
		var r objectserver.ContainerRow
		err = item.Value(func(v []byte) (err error) {
			r, err = decodeContainerRow(name, v)
			return err
		})
		return r, err == nil, err
	}
	return objectserver.ContainerRow{}, false, nil
}

// containerRowTime is how new a container row is: its newer timestamp.
func containerRowTime(r objectserver.ContainerRow) timestamp.Timestamp {
	if r.DeleteTimestamp.After(r.PutTimestamp) {
		return r.DeleteTimestamp
	}
	return r.PutTimestamp
}
