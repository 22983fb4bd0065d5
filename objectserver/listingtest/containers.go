package listingtest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// RunContainers checks that the stores open returns (a new, empty one per
// call) implement objectserver.ContainerStore as documented.
func RunContainers(t *testing.T, open func(t *testing.T) objectserver.ContainerStore) {
	t.Run("Create", func(t *testing.T) { testContainerCreate(t, open(t)) })
	t.Run("PutExisting", func(t *testing.T) { testContainerPutExisting(t, open(t)) })
	t.Run("DeleteAndRevive", func(t *testing.T) { testContainerDeleteAndRevive(t, open(t)) })
	t.Run("DeleteErrors", func(t *testing.T) { testContainerDeleteErrors(t, open(t)) })
	t.Run("MissingOrDeleted", func(t *testing.T) { testContainerMissingOrDeleted(t, open(t)) })
	t.Run("Metadata", func(t *testing.T) {
		s := open(t)
		testMetadata(t, metaOps{
			create: func(ts timestamp.Timestamp, m objectserver.Metadata) error {
				_, err := s.PutContainer(t.Context(), 1, "AUTH_a", "c", ts, m)
				return err
			},
			update: func(m objectserver.Metadata) error { return s.UpdateContainerMeta(t.Context(), 1, "AUTH_a", "c", m) },
			get: func() (objectserver.Metadata, error) {
				info, err := s.ContainerInfo(t.Context(), 1, "AUTH_a", "c")
				return info.Metadata, err
			},
		})
	})
	t.Run("ObjectRows", func(t *testing.T) { testObjectRows(t, open(t)) })
	t.Run("Entries", func(t *testing.T) { testObjectEntries(t, open(t)) })
	t.Run("Isolation", func(t *testing.T) { testContainerIsolation(t, open(t)) })
	t.Run("DeleteRacesRows", func(t *testing.T) { testDeleteRacesRows(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testContainerCancelled(t, open(t)) })
	t.Run("Listings", func(t *testing.T) { runListings(t, containerTargets(open(t))) })
}

func testContainerCreate(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	meta := objectserver.Metadata{"X-Container-Meta-Color": {Value: "blue", Timestamp: ts(100)}}
	created, err := s.PutContainer(ctx, 1, "AUTH_a", "c", ts(100), meta)
	if !created || err != nil {
		t.Fatalf("PutContainer(new) = %v, %v; want true, nil", created, err)
	}
	info, err := s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	if err != nil {
		t.Fatalf("ContainerInfo: %v", err)
	}
	want := objectserver.ContainerInfo{
		Account: "AUTH_a", Container: "c",
		PutTimestamp: ts(100), StatusChangedAt: ts(100), CreatedAt: info.CreatedAt,
		Metadata: meta,
	}
	checkContainerInfo(t, info, want)
	if info.CreatedAt.IsZero() {
		t.Errorf("CreatedAt is zero")
	}
	if info.Deleted() {
		t.Errorf("new container is Deleted()")
	}
}

func testContainerPutExisting(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "c", ts(100), objectserver.Metadata{"A": item("1", 100), "B": item("1", 100)}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	created, err := s.PutContainer(ctx, 1, "AUTH_a", "c", ts(200), objectserver.Metadata{"A": item("2", 200)})
	if created || err != nil {
		t.Fatalf("PutContainer(newer) = %v, %v; want false, nil", created, err)
	}
	// An older PUT of a live container is accepted: its metadata merges
	// item by item, its timestamp changes nothing.
	created, err = s.PutContainer(ctx, 1, "AUTH_a", "c", ts(150), objectserver.Metadata{"A": item("3", 150), "B": item("3", 150), "C": item("3", 150)})
	if created || err != nil {
		t.Fatalf("PutContainer(older) = %v, %v; want false, nil", created, err)
	}
	info, err := s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	if err != nil {
		t.Fatal(err)
	}
	checkContainerInfo(t, info, objectserver.ContainerInfo{
		Account: "AUTH_a", Container: "c",
		PutTimestamp: ts(200), StatusChangedAt: ts(100), CreatedAt: first.CreatedAt,
		Metadata: objectserver.Metadata{"A": item("2", 200), "B": item("3", 150), "C": item("3", 150)},
	})
}

func testContainerDeleteAndRevive(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	const p, a, c = 3, "AUTH_a", "c"
	if _, err := s.PutContainer(ctx, p, a, c, ts(100), objectserver.Metadata{"M": {Value: "x", Timestamp: ts(100)}}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.ContainerInfo(ctx, p, a, c)
	// A row put and deleted: the tombstone row stays, the container is
	// empty.
	mustPutRow(t, s, p, a, c, objectserver.ObjectRow{Name: "o", Timestamp: ts(110), Size: 5})
	mustPutRow(t, s, p, a, c, objectserver.ObjectRow{Name: "o", Timestamp: ts(120), Deleted: true})
	if err := s.DeleteContainer(ctx, p, a, c, ts(200)); err != nil {
		t.Fatalf("DeleteContainer = %v", err)
	}
	deleted := objectserver.ContainerInfo{
		Account: a, Container: c,
		PutTimestamp: ts(100), DeleteTimestamp: ts(200), StatusChangedAt: ts(200), CreatedAt: first.CreatedAt,
		Metadata: objectserver.Metadata{"M": {Value: "", Timestamp: ts(200)}},
	}
	info, err := s.ContainerInfo(ctx, p, a, c)
	if err != nil {
		t.Fatalf("ContainerInfo(deleted) = %v, want the deleted container", err)
	}
	checkContainerInfo(t, info, deleted)
	if !info.Deleted() {
		t.Errorf("deleted container: Deleted() = false")
	}

	for _, n := range []int64{150, 200} {
		created, err := s.PutContainer(ctx, p, a, c, ts(n), objectserver.Metadata{"N": {Value: "old", Timestamp: ts(n)}})
		if created || !isConflict(err, ts(200)) {
			t.Errorf("PutContainer(ts %d, deleted at 200) = %v, %v; want a *ConflictError at 200", n, created, err)
		}
	}
	info, _ = s.ContainerInfo(ctx, p, a, c)
	checkContainerInfo(t, info, deleted)

	created, err := s.PutContainer(ctx, p, a, c, ts(300), objectserver.Metadata{"N": {Value: "y", Timestamp: ts(300)}})
	if !created || err != nil {
		t.Fatalf("PutContainer(revive) = %v, %v; want true, nil", created, err)
	}
	info, _ = s.ContainerInfo(ctx, p, a, c)
	checkContainerInfo(t, info, objectserver.ContainerInfo{
		Account: a, Container: c,
		PutTimestamp: ts(300), DeleteTimestamp: ts(200), StatusChangedAt: ts(300), CreatedAt: first.CreatedAt,
		Metadata: objectserver.Metadata{"M": {Value: "", Timestamp: ts(200)}, "N": {Value: "y", Timestamp: ts(300)}},
	})
	if created, err := s.PutContainer(ctx, p, a, c, ts(400), nil); created || err != nil {
		t.Errorf("PutContainer(live again) = %v, %v; want false, nil", created, err)
	}
	// The revived container kept its rows: the tombstone still beats an
	// older PUT of the object.
	mustPutRow(t, s, p, a, c, objectserver.ObjectRow{Name: "o", Timestamp: ts(115), Size: 5})
	checkCounts(t, s, p, a, c, 0, 0)
	mustPutRow(t, s, p, a, c, objectserver.ObjectRow{Name: "o", Timestamp: ts(310), Size: 6})
	checkCounts(t, s, p, a, c, 1, 6)
}

func testContainerDeleteErrors(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	if err := s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(100)); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("DeleteContainer(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "c", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	mustPutRow(t, s, 1, "AUTH_a", "c", objectserver.ObjectRow{Name: "o", Timestamp: ts(110), Size: 5})
	// Emptiness is checked before the timestamp, as Swift does.
	for _, n := range []int64{200, 50} {
		if err := s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(n)); !errors.Is(err, objectserver.ErrNotEmpty) {
			t.Errorf("DeleteContainer(non-empty, ts %d) = %v, want ErrNotEmpty", n, err)
		}
	}
	mustPutRow(t, s, 1, "AUTH_a", "c", objectserver.ObjectRow{Name: "o", Timestamp: ts(120), Deleted: true})
	for _, n := range []int64{90, 100} {
		if err := s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(n)); !isConflict(err, ts(100)) {
			t.Errorf("DeleteContainer(ts %d, put at 100) = %v, want a *ConflictError at 100", n, err)
		}
	}
	if info, _ := s.ContainerInfo(ctx, 1, "AUTH_a", "c"); info.Deleted() {
		t.Fatalf("a refused DELETE deleted the container: %+v", info)
	}
	if err := s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(200)); err != nil {
		t.Fatalf("DeleteContainer(empty) = %v", err)
	}
	if err := s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(300)); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("DeleteContainer(deleted) = %v, want ErrNotFound", err)
	}
	if info, _ := s.ContainerInfo(ctx, 1, "AUTH_a", "c"); info.DeleteTimestamp != ts(200) {
		t.Errorf("DeleteTimestamp = %v after a refused DELETE, want %v", info.DeleteTimestamp, ts(200))
	}
}

func testContainerMissingOrDeleted(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	if _, err := s.ContainerInfo(ctx, 1, "AUTH_a", "missing"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("ContainerInfo(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.PutContainer(ctx, 1, "AUTH_a", "gone", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteContainer(ctx, 1, "AUTH_a", "gone", ts(200)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"missing", "gone"} {
		meta := objectserver.Metadata{"X": {Value: "1", Timestamp: ts(300)}}
		if err := s.UpdateContainerMeta(ctx, 1, "AUTH_a", c, meta); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("UpdateContainerMeta(%s) = %v, want ErrNotFound", c, err)
		}
		row := objectserver.ObjectRow{Name: "o", Timestamp: ts(300), Size: 1}
		if err := s.PutObjectRow(ctx, 1, "AUTH_a", c, row); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("PutObjectRow(%s) = %v, want ErrNotFound", c, err)
		}
		if _, err := s.ListObjects(ctx, 1, "AUTH_a", c, objectserver.ListQuery{}); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("ListObjects(%s) = %v, want ErrNotFound", c, err)
		}
	}
	info, err := s.ContainerInfo(ctx, 1, "AUTH_a", "gone")
	if err != nil || !info.Deleted() || info.ObjectCount != 0 || len(liveMeta(info.Metadata)) != 0 {
		t.Errorf("ContainerInfo(deleted) = %+v, %v; want it deleted, empty, without metadata", info, err)
	}
}

// metaOps reach the metadata of one container or account.
type metaOps struct {
	create func(timestamp.Timestamp, objectserver.Metadata) error
	update func(objectserver.Metadata) error
	get    func() (objectserver.Metadata, error)
}

// testMetadata checks that metadata merges item by item by timestamp,
// that an empty value removes an item and wins over older values, and
// that the store neither keeps the caller's map nor hands out its own.
func testMetadata(t *testing.T, ops metaOps) {
	if err := ops.create(ts(100), objectserver.Metadata{"A": item("a", 100)}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		update objectserver.Metadata
		want   map[string]string // live values
	}{
		{objectserver.Metadata{"A": item("old", 90)}, map[string]string{"A": "a"}},
		{objectserver.Metadata{"A": item("b", 110), "B": item("x", 110)}, map[string]string{"A": "b", "B": "x"}},
		{objectserver.Metadata{"A": item("same-time", 110)}, map[string]string{"A": "b", "B": "x"}},
		{objectserver.Metadata{"A": item("", 120)}, map[string]string{"B": "x"}},
		{objectserver.Metadata{"A": item("c", 115)}, map[string]string{"B": "x"}},
		{objectserver.Metadata{"A": item("d", 130), "B": item("", 130), "C": item("", 130)}, map[string]string{"A": "d"}},
		{objectserver.Metadata{}, map[string]string{"A": "d"}},
		{nil, map[string]string{"A": "d"}},
	}
	for i, step := range steps {
		if err := ops.update(step.update); err != nil {
			t.Fatalf("step %d: update(%v) = %v", i, step.update, err)
		}
		got, err := ops.get()
		if err != nil {
			t.Fatalf("step %d: info: %v", i, err)
		}
		if live := liveMeta(got); !maps.Equal(live, step.want) {
			t.Errorf("step %d: after update(%v) metadata = %v, want %v", i, step.update, live, step.want)
		}
	}
	// A removal is kept with its timestamp, so that replicas merge it.
	got, _ := ops.get()
	if item, ok := got["B"]; ok && (item.Value != "" || item.Timestamp != ts(130)) {
		t.Errorf("removed item B = %+v, want an empty value at %v or no item", item, ts(130))
	}

	// The store owns copies.
	mine := objectserver.Metadata{"E": item("e", 140)}
	if err := ops.update(mine); err != nil {
		t.Fatal(err)
	}
	mine["E"] = item("changed", 150)
	mine["F"] = item("f", 150)
	got["A"] = item("scribbled", 999)
	got2, _ := ops.get()
	if live := liveMeta(got2); !maps.Equal(live, map[string]string{"A": "d", "E": "e"}) {
		t.Errorf("metadata = %v after changing maps passed in and out, want A=d E=e", live)
	}
}

func testObjectRows(t *testing.T, s objectserver.ContainerStore) {
	const p, a, c = 1, "AUTH_a", "c"
	if _, err := s.PutContainer(t.Context(), p, a, c, ts(100), nil); err != nil {
		t.Fatal(err)
	}
	row := func(name string, n, size int64) objectserver.ObjectRow {
		return objectserver.ObjectRow{Name: name, Timestamp: ts(n), Size: size, ContentType: fmt.Sprintf("text/%d", n), ETag: fmt.Sprintf("%032x", n)}
	}
	tomb := func(name string, n int64) objectserver.ObjectRow {
		return objectserver.ObjectRow{Name: name, Timestamp: ts(n), Deleted: true}
	}
	steps := []struct {
		what         string
		row          objectserver.ObjectRow
		count, bytes int64
		listed       []objectserver.ObjectRow
	}{
		{"new object", row("o1", 200, 10), 1, 10, []objectserver.ObjectRow{row("o1", 200, 10)}},
		{"overwrite, bigger", row("o1", 300, 25), 1, 25, []objectserver.ObjectRow{row("o1", 300, 25)}},
		{"older overwrite", row("o1", 250, 99), 1, 25, []objectserver.ObjectRow{row("o1", 300, 25)}},
		{"same timestamp", row("o1", 300, 7), 1, 25, []objectserver.ObjectRow{row("o1", 300, 25)}},
		{"delete of an unknown object", tomb("o2", 400), 1, 25, []objectserver.ObjectRow{row("o1", 300, 25)}},
		{"PUT older than the tombstone", row("o2", 350, 5), 1, 25, []objectserver.ObjectRow{row("o1", 300, 25)}},
		{"second object", row("o0", 360, 4), 2, 29, []objectserver.ObjectRow{row("o0", 360, 4), row("o1", 300, 25)}},
		{"overwrite, smaller", row("o0", 370, 1), 2, 26, []objectserver.ObjectRow{row("o0", 370, 1), row("o1", 300, 25)}},
		{"delete", tomb("o1", 500), 1, 1, []objectserver.ObjectRow{row("o0", 370, 1)}},
		{"delete again", tomb("o1", 600), 1, 1, []objectserver.ObjectRow{row("o0", 370, 1)}},
		{"older delete", tomb("o0", 365), 1, 1, []objectserver.ObjectRow{row("o0", 370, 1)}},
		{"recreate", row("o1", 700, 3), 2, 4, []objectserver.ObjectRow{row("o0", 370, 1), row("o1", 700, 3)}},
		{"empty object", row("o3", 710, 0), 3, 4, []objectserver.ObjectRow{row("o0", 370, 1), row("o1", 700, 3), row("o3", 710, 0)}},
	}
	for _, st := range steps {
		mustPutRow(t, s, p, a, c, st.row)
		info, err := s.ContainerInfo(t.Context(), p, a, c)
		if err != nil {
			t.Fatal(err)
		}
		if info.ObjectCount != st.count || info.BytesUsed != st.bytes {
			t.Errorf("after %s: %d objects, %d bytes; want %d, %d", st.what, info.ObjectCount, info.BytesUsed, st.count, st.bytes)
		}
		page, err := s.ListObjects(t.Context(), p, a, c, objectserver.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []objectserver.ObjectRow
		for _, e := range page {
			got = append(got, e.ObjectRow)
		}
		if !slices.Equal(got, st.listed) {
			t.Errorf("after %s: listing %+v, want %+v", st.what, got, st.listed)
		}
	}
}

func testObjectEntries(t *testing.T, s objectserver.ContainerStore) {
	const p, a, c = 1, "AUTH_a", "c"
	if _, err := s.PutContainer(t.Context(), p, a, c, ts(100), nil); err != nil {
		t.Fatal(err)
	}
	rows := []objectserver.ObjectRow{
		{Name: "dir/x", Timestamp: ts(201), Size: 1, ContentType: "text/plain", ETag: "d41d8cd98f00b204e9800998ecf8427e"},
		{Name: "photo.jpg", Timestamp: ts(202).WithOffset(3), Size: 1 << 33, ContentType: "image/jpeg;swift_bytes=9", ETag: "0cc175b9c0f1b6a831c399e269772661"},
		{Name: "\u65e5\u672c\u8a9e", Timestamp: ts(203), Size: 0, ContentType: "", ETag: ""},
	}
	for _, r := range rows {
		mustPutRow(t, s, p, a, c, r)
	}
	page, err := s.ListObjects(t.Context(), p, a, c, objectserver.ListQuery{Delimiter: '/'})
	if err != nil {
		t.Fatal(err)
	}
	want := []objectserver.ObjectEntry{{Subdir: "dir/"}, {ObjectRow: rows[1]}, {ObjectRow: rows[2]}}
	if !slices.Equal(page, want) {
		t.Errorf("ListObjects = %+v, want %+v", page, want)
	}
}

// testContainerIsolation: containers are told apart by partition, account
// and container, however their names run together.
func testContainerIsolation(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	type id struct {
		part    uint32
		account string
		cont    string
	}
	ids := []id{{1, "a", "bc"}, {1, "ab", "c"}, {2, "a", "bc"}, {1, "a", "b"}, {1, "a", "bc/"}, {1, "a/b", "c"}}
	for i, x := range ids {
		if _, err := s.PutContainer(ctx, x.part, x.account, x.cont, ts(100), nil); err != nil {
			t.Fatal(err)
		}
		mustPutRow(t, s, x.part, x.account, x.cont, objectserver.ObjectRow{Name: fmt.Sprintf("o%d", i), Timestamp: ts(200), Size: int64(i + 1)})
	}
	for i, x := range ids {
		info, err := s.ContainerInfo(ctx, x.part, x.account, x.cont)
		if err != nil || info.Account != x.account || info.Container != x.cont || info.ObjectCount != 1 || info.BytesUsed != int64(i+1) {
			t.Errorf("ContainerInfo(%v) = %+v, %v; want its own one object of %d bytes", x, info, err, i+1)
		}
		page, err := s.ListObjects(ctx, x.part, x.account, x.cont, objectserver.ListQuery{})
		if err != nil || len(page) != 1 || page[0].Name != fmt.Sprintf("o%d", i) {
			t.Errorf("ListObjects(%v) = %+v, %v; want only o%d", x, page, err, i)
		}
	}
	if _, err := s.ContainerInfo(ctx, 3, "a", "bc"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("ContainerInfo(other partition) = %v, want ErrNotFound", err)
	}
}

// testDeleteRacesRows races DELETEs of a container against PUTs of rows:
// either a DELETE won before any row (and every row was refused), or no
// DELETE won and every acknowledged row is counted.
func testDeleteRacesRows(t *testing.T, s objectserver.ContainerStore) {
	ctx := t.Context()
	for round := range 6 {
		c := fmt.Sprintf("race%d", round)
		if _, err := s.PutContainer(ctx, 1, "AUTH_a", c, ts(100), nil); err != nil {
			t.Fatal(err)
		}
		var acked atomic.Int64
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				for i := range 10 {
					row := objectserver.ObjectRow{Name: fmt.Sprintf("o-%d-%d", w, i), Timestamp: ts(200), Size: 1}
					err := s.PutObjectRow(ctx, 1, "AUTH_a", c, row)
					switch {
					case err == nil:
						acked.Add(1)
					case errors.Is(err, objectserver.ErrNotFound):
						return
					default:
						t.Errorf("PutObjectRow: %v", err)
						return
					}
				}
			})
		}
		wg.Go(func() {
			for i := range 20 {
				err := s.DeleteContainer(ctx, 1, "AUTH_a", c, ts(int64(300+i)))
				if err == nil || !errors.Is(err, objectserver.ErrNotEmpty) {
					if err != nil {
						t.Errorf("DeleteContainer: %v", err)
					}
					return
				}
			}
		})
		wg.Wait()
		info, err := s.ContainerInfo(ctx, 1, "AUTH_a", c)
		if err != nil {
			t.Fatal(err)
		}
		n := acked.Load()
		if info.Deleted() && (n != 0 || info.ObjectCount != 0) || !info.Deleted() && info.ObjectCount != n {
			t.Errorf("round %d: deleted=%v with %d objects counted, %d rows acknowledged", round, info.Deleted(), info.ObjectCount, n)
		}
	}
}

func testContainerCancelled(t *testing.T, s objectserver.ContainerStore) {
	if _, err := s.PutContainer(t.Context(), 1, "AUTH_a", "c", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]error{}
	_, calls["PutContainer"] = s.PutContainer(ctx, 1, "AUTH_a", "c2", ts(100), nil)
	calls["DeleteContainer"] = s.DeleteContainer(ctx, 1, "AUTH_a", "c", ts(200))
	_, calls["ContainerInfo"] = s.ContainerInfo(ctx, 1, "AUTH_a", "c")
	calls["UpdateContainerMeta"] = s.UpdateContainerMeta(ctx, 1, "AUTH_a", "c", objectserver.Metadata{"A": {Value: "1", Timestamp: ts(300)}})
	calls["PutObjectRow"] = s.PutObjectRow(ctx, 1, "AUTH_a", "c", objectserver.ObjectRow{Name: "o", Timestamp: ts(300), Size: 1})
	_, calls["ListObjects"] = s.ListObjects(ctx, 1, "AUTH_a", "c", objectserver.ListQuery{})
	for name, err := range calls {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled ctx) = %v, want context.Canceled", name, err)
		}
	}
	info, err := s.ContainerInfo(t.Context(), 1, "AUTH_a", "c")
	if err != nil || info.Deleted() || info.ObjectCount != 0 || len(info.Metadata) != 0 {
		t.Errorf("after cancelled calls: %+v, %v; want the container unchanged", info, err)
	}
}

func mustPutRow(t *testing.T, s objectserver.ContainerStore, p uint32, a, c string, row objectserver.ObjectRow) {
	t.Helper()
	if err := s.PutObjectRow(t.Context(), p, a, c, row); err != nil {
		t.Fatalf("PutObjectRow(%+v) = %v", row, err)
	}
}

func checkCounts(t *testing.T, s objectserver.ContainerStore, p uint32, a, c string, count, bytes int64) {
	t.Helper()
	info, err := s.ContainerInfo(t.Context(), p, a, c)
	if err != nil || info.ObjectCount != count || info.BytesUsed != bytes {
		t.Errorf("ContainerInfo = %d objects, %d bytes, %v; want %d, %d", info.ObjectCount, info.BytesUsed, err, count, bytes)
	}
}

func checkContainerInfo(t *testing.T, got, want objectserver.ContainerInfo) {
	t.Helper()
	gm, wm := got.Metadata, want.Metadata
	got.Metadata, want.Metadata = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ContainerInfo =\n %+v\nwant\n %+v", got, want)
	}
	if !maps.Equal(gm, wm) {
		t.Errorf("ContainerInfo.Metadata = %v, want %v", gm, wm)
	}
}

// liveMeta is the values a client sees: items with a non-empty value.
func liveMeta(m objectserver.Metadata) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v.Value != "" {
			out[k] = v.Value
		}
	}
	return out
}
