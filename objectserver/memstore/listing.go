package memstore

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

var (
	_ objectserver.ContainerStore = (*Store)(nil)
	_ objectserver.AccountStore   = (*Store)(nil)
)

// listingStore keeps the container and account databases. One mutex
// guards everything: the store is for tests, and being obviously right
// matters more than concurrency.
type listingStore struct {
	mu         sync.Mutex
	containers map[containerID]*container // guarded by mu
	accounts   map[accountID]*account     // guarded by mu
}

type containerID struct {
	part               uint32
	account, container string
}

type accountID struct {
	part    uint32
	account string
}

// container is one container database: its state (counts included) and
// every object row, deleted ones too.
type container struct {
	info objectserver.ContainerInfo
	rows table[objectserver.ObjectRow]
}

// account is one account database.
type account struct {
	info objectserver.AccountInfo
	rows table[objectserver.ContainerRow]
}

func (l *listingStore) init() {
	l.containers = make(map[containerID]*container)
	l.accounts = make(map[accountID]*account)
}

// PutContainer implements objectserver.ContainerStore.
func (l *listingStore) PutContainer(ctx context.Context, part uint32, acc, cont string, ts timestamp.Timestamp, meta objectserver.Metadata) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	id := containerID{part, acc, cont}
	c, ok := l.containers[id]
	if !ok {
		now := timestamp.New(time.Now())
		c = &container{info: objectserver.ContainerInfo{
			Account: acc, Container: cont,
			PutTimestamp: ts, CreatedAt: now, StatusChangedAt: ts,
			Metadata: objectserver.Metadata{},
		}}
		c.info.Metadata.Merge(meta)
		l.containers[id] = c
		return true, nil
	}
	st := status{&c.info.PutTimestamp, &c.info.DeleteTimestamp, &c.info.StatusChangedAt}
	created, err := st.put(ts)
	if err != nil {
		return false, err
	}
	c.info.Metadata.Merge(meta)
	return created, nil
}

// DeleteContainer implements objectserver.ContainerStore.
func (l *listingStore) DeleteContainer(ctx context.Context, part uint32, acc, cont string, ts timestamp.Timestamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.containers[containerID{part, acc, cont}]
	if !ok || c.info.Deleted() {
		return objectserver.ErrNotFound
	}
	if c.info.ObjectCount > 0 {
		return objectserver.ErrNotEmpty
	}
	st := status{&c.info.PutTimestamp, &c.info.DeleteTimestamp, &c.info.StatusChangedAt}
	if err := st.delete(ts); err != nil {
		return err
	}
	clearMeta(c.info.Metadata, ts)
	return nil
}

// ContainerInfo implements objectserver.ContainerStore.
func (l *listingStore) ContainerInfo(ctx context.Context, part uint32, acc, cont string) (objectserver.ContainerInfo, error) {
	if err := ctx.Err(); err != nil {
		return objectserver.ContainerInfo{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.containers[containerID{part, acc, cont}]
	if !ok {
		return objectserver.ContainerInfo{}, objectserver.ErrNotFound
	}
	info := c.info
	info.Metadata = copyMeta(c.info.Metadata)
	return info, nil
}

// UpdateContainerMeta implements objectserver.ContainerStore.
func (l *listingStore) UpdateContainerMeta(ctx context.Context, part uint32, acc, cont string, meta objectserver.Metadata) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.containers[containerID{part, acc, cont}]
	if !ok || c.info.Deleted() {
		return objectserver.ErrNotFound
	}
	c.info.Metadata.Merge(meta)
	return nil
}

// PutObjectRow implements objectserver.ContainerStore.
func (l *listingStore) PutObjectRow(ctx context.Context, part uint32, acc, cont string, row objectserver.ObjectRow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.containers[containerID{part, acc, cont}]
	if !ok || c.info.Deleted() {
		return objectserver.ErrNotFound
	}
	old, ok := c.rows.get(row.Name)
	if ok && !row.Timestamp.After(old.Timestamp) {
		return nil
	}
	if ok && !old.Deleted {
		c.info.ObjectCount--
		c.info.BytesUsed -= old.Size
	}
	if !row.Deleted {
		c.info.ObjectCount++
		c.info.BytesUsed += row.Size
	}
	c.rows.put(row.Name, row)
	return nil
}

// ListObjects implements objectserver.ContainerStore.
func (l *listingStore) ListObjects(ctx context.Context, part uint32, acc, cont string, q objectserver.ListQuery) ([]objectserver.ObjectEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.containers[containerID{part, acc, cont}]
	if !ok || c.info.Deleted() {
		return nil, objectserver.ErrNotFound
	}
	hits := list(&c.rows, func(r objectserver.ObjectRow) bool { return !r.Deleted }, q)
	out := make([]objectserver.ObjectEntry, len(hits))
	for i, h := range hits {
		if h.subdir {
			out[i].Subdir = h.name
		} else {
			out[i].ObjectRow, _ = c.rows.get(h.name)
		}
	}
	return out, nil
}

// PutAccount implements objectserver.AccountStore.
func (l *listingStore) PutAccount(ctx context.Context, part uint32, acc string, ts timestamp.Timestamp, meta objectserver.Metadata) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	id := accountID{part, acc}
	a, ok := l.accounts[id]
	if !ok {
		now := timestamp.New(time.Now())
		a = &account{info: objectserver.AccountInfo{
			Account:      acc,
			PutTimestamp: ts, CreatedAt: now, StatusChangedAt: ts,
			Metadata: objectserver.Metadata{},
		}}
		a.info.Metadata.Merge(meta)
		l.accounts[id] = a
		return true, nil
	}
	st := status{&a.info.PutTimestamp, &a.info.DeleteTimestamp, &a.info.StatusChangedAt}
	created, err := st.put(ts)
	if err != nil {
		return false, err
	}
	a.info.Metadata.Merge(meta)
	return created, nil
}

// DeleteAccount implements objectserver.AccountStore.
func (l *listingStore) DeleteAccount(ctx context.Context, part uint32, acc string, ts timestamp.Timestamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[accountID{part, acc}]
	if !ok || a.info.Deleted() {
		return objectserver.ErrNotFound
	}
	st := status{&a.info.PutTimestamp, &a.info.DeleteTimestamp, &a.info.StatusChangedAt}
	if err := st.delete(ts); err != nil {
		return err
	}
	clearMeta(a.info.Metadata, ts)
	return nil
}

// AccountInfo implements objectserver.AccountStore.
func (l *listingStore) AccountInfo(ctx context.Context, part uint32, acc string) (objectserver.AccountInfo, error) {
	if err := ctx.Err(); err != nil {
		return objectserver.AccountInfo{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[accountID{part, acc}]
	if !ok {
		return objectserver.AccountInfo{}, objectserver.ErrNotFound
	}
	info := a.info
	info.Metadata = copyMeta(a.info.Metadata)
	return info, nil
}

// UpdateAccountMeta implements objectserver.AccountStore.
func (l *listingStore) UpdateAccountMeta(ctx context.Context, part uint32, acc string, meta objectserver.Metadata) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[accountID{part, acc}]
	if !ok || a.info.Deleted() {
		return objectserver.ErrNotFound
	}
	a.info.Metadata.Merge(meta)
	return nil
}

// PutContainerRow implements objectserver.AccountStore. A report as new
// as the stored row replaces its counts (a container reports changed
// counts under unchanged timestamps); the PUT and DELETE timestamps each
// keep the newer value, as Swift's AccountBroker.merge_items does.
func (l *listingStore) PutContainerRow(ctx context.Context, part uint32, acc string, row objectserver.ContainerRow) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[accountID{part, acc}]
	if !ok || a.info.Deleted() {
		return objectserver.ErrNotFound
	}
	old, ok := a.rows.get(row.Name)
	if ok {
		if rowTime(old).After(rowTime(row)) {
			return nil
		}
		if !old.Deleted() {
			a.info.ContainerCount--
			a.info.ObjectCount -= old.ObjectCount
			a.info.BytesUsed -= old.BytesUsed
		}
		if old.PutTimestamp.After(row.PutTimestamp) {
			row.PutTimestamp = old.PutTimestamp
		}
		if old.DeleteTimestamp.After(row.DeleteTimestamp) {
			row.DeleteTimestamp = old.DeleteTimestamp
		}
	}
	if !row.Deleted() {
		a.info.ContainerCount++
		a.info.ObjectCount += row.ObjectCount
		a.info.BytesUsed += row.BytesUsed
	}
	a.rows.put(row.Name, row)
	return nil
}

// ListContainers implements objectserver.AccountStore. ErrNotFound if the
// account does not exist or is deleted.
func (l *listingStore) ListContainers(ctx context.Context, part uint32, acc string, q objectserver.ListQuery) ([]objectserver.ContainerEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.accounts[accountID{part, acc}]
	if !ok || a.info.Deleted() {
		return nil, objectserver.ErrNotFound
	}
	hits := list(&a.rows, func(r objectserver.ContainerRow) bool { return !r.Deleted() }, q)
	out := make([]objectserver.ContainerEntry, len(hits))
	for i, h := range hits {
		if h.subdir {
			out[i].Subdir = h.name
		} else {
			out[i].ContainerRow, _ = a.rows.get(h.name)
		}
	}
	return out, nil
}

// rowTime is the time a container row is as new as: its newer timestamp.
func rowTime(r objectserver.ContainerRow) timestamp.Timestamp {
	if r.DeleteTimestamp.After(r.PutTimestamp) {
		return r.DeleteTimestamp
	}
	return r.PutTimestamp
}

// status points at the timestamps of a container or an account.
type status struct {
	putTS, delTS, changedAt *timestamp.Timestamp
}

func (s status) deleted() bool { return s.delTS.After(*s.putTS) }

// put records a PUT at ts: a *ConflictError if the item is deleted at or
// after ts; created if it was deleted before.
func (s status) put(ts timestamp.Timestamp) (created bool, err error) {
	if s.deleted() {
		if !ts.After(*s.delTS) {
			return false, &objectserver.ConflictError{Existing: *s.delTS}
		}
		*s.putTS, *s.changedAt = ts, ts
		return true, nil
	}
	if ts.After(*s.putTS) {
		*s.putTS = ts
	}
	return false, nil
}

// delete records a DELETE at ts of a live item: a *ConflictError if ts is
// not newer than its PUT.
func (s status) delete(ts timestamp.Timestamp) error {
	if !ts.After(*s.putTS) {
		return &objectserver.ConflictError{Existing: *s.putTS}
	}
	*s.delTS, *s.changedAt = ts, ts
	return nil
}

// clearMeta removes every metadata item older than ts, as Swift's
// delete_db does, leaving an empty value timestamped ts.
func clearMeta(m objectserver.Metadata, ts timestamp.Timestamp) {
	for k := range m {
		m.Merge(objectserver.Metadata{k: {Value: "", Timestamp: ts}})
	}
}

func copyMeta(m objectserver.Metadata) objectserver.Metadata {
	out := make(objectserver.Metadata, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// table holds rows by name, with the names sorted for listing.
type table[R any] struct {
	names []string // sorted; every row's name, deleted rows included
	rows  map[string]R
}

func (t *table[R]) get(name string) (R, bool) {
	r, ok := t.rows[name]
	return r, ok
}

func (t *table[R]) put(name string, r R) {
	if t.rows == nil {
		t.rows = make(map[string]R)
	}
	if _, ok := t.rows[name]; !ok {
		i := sort.SearchStrings(t.names, name)
		t.names = append(t.names, "")
		copy(t.names[i+1:], t.names[i:])
		t.names[i] = name
	}
	t.rows[name] = r
}
