package listingtest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// target is one listing database, a container or an account, seen
// through what the shared listing tests need: rows that are live or
// deleted at a timestamp, totals, and pages.
type target interface {
	// put stores a row for name as of ts: live with size bytes, or
	// deleted.
	put(ctx context.Context, name string, ts timestamp.Timestamp, deleted bool, size int64) error
	// totals returns the live rows' count and bytes.
	totals(ctx context.Context) (count, bytes int64, err error)
	// list returns one page.
	list(ctx context.Context, q objectserver.ListQuery) ([]entry, error)
}

// newTarget creates an empty container or account in a store.
type newTarget func(t *testing.T) target

// containerTarget is a container of a ContainerStore.
type containerTarget struct {
	s                  objectserver.ContainerStore
	part               uint32
	account, container string
}

func (c containerTarget) put(ctx context.Context, name string, ts timestamp.Timestamp, deleted bool, size int64) error {
	row := objectserver.ObjectRow{Name: name, Timestamp: ts, Deleted: deleted}
	if !deleted {
		row.Size, row.ContentType, row.ETag = size, "application/octet-stream", etagOf(name)
	}
	return c.s.PutObjectRow(ctx, c.part, c.account, c.container, row)
}

func (c containerTarget) totals(ctx context.Context) (int64, int64, error) {
	info, err := c.s.ContainerInfo(ctx, c.part, c.account, c.container)
	return info.ObjectCount, info.BytesUsed, err
}

func (c containerTarget) list(ctx context.Context, q objectserver.ListQuery) ([]entry, error) {
	page, err := c.s.ListObjects(ctx, c.part, c.account, c.container, q)
	if err != nil {
		return nil, err
	}
	if page == nil {
		return nil, errors.New("ListObjects returned a nil page; an empty one must be empty, not nil")
	}
	out := make([]entry, len(page))
	for i, e := range page {
		switch {
		case e.Subdir != "" && e.ObjectRow != (objectserver.ObjectRow{}):
			return nil, fmt.Errorf("subdir entry %q has an object row %+v", e.Subdir, e.ObjectRow)
		case e.Subdir == "" && (e.Name == "" || e.Deleted):
			return nil, fmt.Errorf("entry %d is neither a live object nor a subdir: %+v", i, e)
		}
		out[i] = entry{Name: e.Name, Subdir: e.Subdir}
	}
	return out, nil
}

// accountTarget is an account of an AccountStore. A live row reports one
// object of size bytes; a deleted row a DELETE one tick after its PUT.
type accountTarget struct {
	s       objectserver.AccountStore
	part    uint32
	account string
}

func (a accountTarget) put(ctx context.Context, name string, ts timestamp.Timestamp, deleted bool, size int64) error {
	row := objectserver.ContainerRow{Name: name, PutTimestamp: ts, ObjectCount: 1, BytesUsed: size}
	if deleted {
		row = objectserver.ContainerRow{Name: name, PutTimestamp: timestamp.FromTicks(ts.Ticks()-1, 0), DeleteTimestamp: ts}
	}
	return a.s.PutContainerRow(ctx, a.part, a.account, row)
}

func (a accountTarget) totals(ctx context.Context) (int64, int64, error) {
	info, err := a.s.AccountInfo(ctx, a.part, a.account)
	if err == nil && info.ObjectCount != info.ContainerCount {
		err = fmt.Errorf("account has %d containers of one object each but %d objects", info.ContainerCount, info.ObjectCount)
	}
	return info.ContainerCount, info.BytesUsed, err
}

func (a accountTarget) list(ctx context.Context, q objectserver.ListQuery) ([]entry, error) {
	page, err := a.s.ListContainers(ctx, a.part, a.account, q)
	if err != nil {
		return nil, err
	}
	if page == nil {
		return nil, errors.New("ListContainers returned a nil page; an empty one must be empty, not nil")
	}
	out := make([]entry, len(page))
	for i, e := range page {
		switch {
		case e.Subdir != "" && e.ContainerRow != (objectserver.ContainerRow{}):
			return nil, fmt.Errorf("subdir entry %q has a container row %+v", e.Subdir, e.ContainerRow)
		case e.Subdir == "" && (e.Name == "" || e.Deleted()):
			return nil, fmt.Errorf("entry %d is neither a live container nor a subdir: %+v", i, e)
		}
		out[i] = entry{Name: e.Name, Subdir: e.Subdir}
	}
	return out, nil
}

// seq numbers the containers and accounts the suite creates, so that
// tests sharing a store never share a database.
var seq atomic.Int64

func uniqueName(base string) string { return fmt.Sprintf("%s-%d", base, seq.Add(1)) }

// containerTargets makes a fresh container per call in the store opened
// once for t.
func containerTargets(s objectserver.ContainerStore) newTarget {
	return func(t *testing.T) target {
		t.Helper()
		c := containerTarget{s: s, part: 7, account: "AUTH_test", container: uniqueName("c")}
		if _, err := s.PutContainer(t.Context(), c.part, c.account, c.container, ts(1), nil); err != nil {
			t.Fatalf("PutContainer(%s) = %v", c.container, err)
		}
		return c
	}
}

// accountTargets makes a fresh account per call in the store opened once
// for t.
func accountTargets(s objectserver.AccountStore) newTarget {
	return func(t *testing.T) target {
		t.Helper()
		a := accountTarget{s: s, part: 7, account: uniqueName("AUTH_a")}
		if _, err := s.PutAccount(t.Context(), a.part, a.account, ts(1), nil); err != nil {
			t.Fatalf("PutAccount(%s) = %v", a.account, err)
		}
		return a
	}
}

// base is the suite's epoch: timestamps are ts(n), n ticks of 10 µs after
// it.
const base = 1_700_000_000 * 100_000

func ts(n int64) timestamp.Timestamp { return timestamp.FromTicks(base+n, 0) }

// item is a metadata value set at ts(n).
func item(v string, n int64) objectserver.MetaItem {
	return objectserver.MetaItem{Value: v, Timestamp: ts(n)}
}

func etagOf(name string) string { return fmt.Sprintf("%032x", len(name)) }

// isConflict reports whether err is a *ConflictError naming existing.
func isConflict(err error, existing timestamp.Timestamp) bool {
	var ce *objectserver.ConflictError
	return errors.As(err, &ce) && errors.Is(err, objectserver.ErrConflict) && ce.Existing == existing
}

func joinEntries(es []entry) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = e.String()
	}
	return "[" + strings.Join(s, " ") + "]"
}
