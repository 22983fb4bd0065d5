package listingtest

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
)

// RunAccounts checks that the stores open returns (a new, empty one per
// call) implement objectserver.AccountStore as documented.
func RunAccounts(t *testing.T, open func(t *testing.T) objectserver.AccountStore) {
	t.Run("Create", func(t *testing.T) { testAccountCreate(t, open(t)) })
	t.Run("PutExisting", func(t *testing.T) { testAccountPutExisting(t, open(t)) })
	t.Run("DeleteAndRevive", func(t *testing.T) { testAccountDeleteAndRevive(t, open(t)) })
	t.Run("DeleteErrors", func(t *testing.T) { testAccountDeleteErrors(t, open(t)) })
	t.Run("MissingOrDeleted", func(t *testing.T) { testAccountMissingOrDeleted(t, open(t)) })
	t.Run("Metadata", func(t *testing.T) {
		s := open(t)
		testMetadata(t, metaOps{
			create: func(ts timestamp.Timestamp, m objectserver.Metadata) error {
				_, err := s.PutAccount(t.Context(), 1, "AUTH_a", ts, m)
				return err
			},
			update: func(m objectserver.Metadata) error { return s.UpdateAccountMeta(t.Context(), 1, "AUTH_a", m) },
			get: func() (objectserver.Metadata, error) {
				info, err := s.AccountInfo(t.Context(), 1, "AUTH_a")
				return info.Metadata, err
			},
		})
	})
	t.Run("ContainerRows", func(t *testing.T) { testContainerRows(t, open(t)) })
	t.Run("Isolation", func(t *testing.T) { testAccountIsolation(t, open(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testAccountCancelled(t, open(t)) })
	t.Run("Listings", func(t *testing.T) { runListings(t, accountTargets(open(t))) })
}

func testAccountCreate(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	meta := objectserver.Metadata{"X-Account-Meta-Color": {Value: "blue", Timestamp: ts(100)}}
	created, err := s.PutAccount(ctx, 1, "AUTH_a", ts(100), meta)
	if !created || err != nil {
		t.Fatalf("PutAccount(new) = %v, %v; want true, nil", created, err)
	}
	info, err := s.AccountInfo(ctx, 1, "AUTH_a")
	if err != nil {
		t.Fatalf("AccountInfo: %v", err)
	}
	checkAccountInfo(t, info, objectserver.AccountInfo{
		Account: "AUTH_a", PutTimestamp: ts(100), StatusChangedAt: ts(100), CreatedAt: info.CreatedAt, Metadata: meta,
	})
	if info.CreatedAt.IsZero() || info.Deleted() {
		t.Errorf("new account: CreatedAt %v, Deleted() %v; want a CreatedAt, not deleted", info.CreatedAt, info.Deleted())
	}
}

func testAccountPutExisting(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	if _, err := s.PutAccount(ctx, 1, "AUTH_a", ts(100), objectserver.Metadata{"A": item("1", 100)}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.AccountInfo(ctx, 1, "AUTH_a")
	if created, err := s.PutAccount(ctx, 1, "AUTH_a", ts(200), objectserver.Metadata{"A": item("2", 200)}); created || err != nil {
		t.Fatalf("PutAccount(newer) = %v, %v; want false, nil", created, err)
	}
	if created, err := s.PutAccount(ctx, 1, "AUTH_a", ts(150), objectserver.Metadata{"A": item("3", 150), "B": item("3", 150)}); created || err != nil {
		t.Fatalf("PutAccount(older) = %v, %v; want false, nil", created, err)
	}
	info, _ := s.AccountInfo(ctx, 1, "AUTH_a")
	checkAccountInfo(t, info, objectserver.AccountInfo{
		Account: "AUTH_a", PutTimestamp: ts(200), StatusChangedAt: ts(100), CreatedAt: first.CreatedAt,
		Metadata: objectserver.Metadata{"A": item("2", 200), "B": item("3", 150)},
	})
}

func testAccountDeleteAndRevive(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	if _, err := s.PutAccount(ctx, 1, "AUTH_a", ts(100), objectserver.Metadata{"M": {Value: "x", Timestamp: ts(100)}}); err != nil {
		t.Fatal(err)
	}
	first, _ := s.AccountInfo(ctx, 1, "AUTH_a")
	// Accounts holding containers can be deleted (the reaper empties
	// them); the rows and counts stay.
	mustPutContainerRow(t, s, 1, "AUTH_a", objectserver.ContainerRow{Name: "c", PutTimestamp: ts(110), ObjectCount: 2, BytesUsed: 20})
	if err := s.DeleteAccount(ctx, 1, "AUTH_a", ts(200)); err != nil {
		t.Fatalf("DeleteAccount(holding a container) = %v", err)
	}
	deleted := objectserver.AccountInfo{
		Account: "AUTH_a", PutTimestamp: ts(100), DeleteTimestamp: ts(200), StatusChangedAt: ts(200), CreatedAt: first.CreatedAt,
		ContainerCount: 1, ObjectCount: 2, BytesUsed: 20,
		Metadata: objectserver.Metadata{"M": {Value: "", Timestamp: ts(200)}},
	}
	info, err := s.AccountInfo(ctx, 1, "AUTH_a")
	if err != nil || !info.Deleted() {
		t.Fatalf("AccountInfo(deleted) = %+v, %v; want the deleted account", info, err)
	}
	checkAccountInfo(t, info, deleted)
	for _, n := range []int64{150, 200} {
		if created, err := s.PutAccount(ctx, 1, "AUTH_a", ts(n), nil); created || !isConflict(err, ts(200)) {
			t.Errorf("PutAccount(ts %d, deleted at 200) = %v, %v; want a *ConflictError at 200", n, created, err)
		}
	}
	info, _ = s.AccountInfo(ctx, 1, "AUTH_a")
	checkAccountInfo(t, info, deleted)
	if created, err := s.PutAccount(ctx, 1, "AUTH_a", ts(300), nil); !created || err != nil {
		t.Fatalf("PutAccount(revive) = %v, %v; want true, nil", created, err)
	}
	info, _ = s.AccountInfo(ctx, 1, "AUTH_a")
	revived := deleted
	revived.PutTimestamp, revived.StatusChangedAt = ts(300), ts(300)
	checkAccountInfo(t, info, revived)
	page, err := s.ListContainers(ctx, 1, "AUTH_a", objectserver.ListQuery{})
	if err != nil || len(page) != 1 || page[0].Name != "c" {
		t.Errorf("ListContainers(revived) = %+v, %v; want container c", page, err)
	}
}

func testAccountDeleteErrors(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	if err := s.DeleteAccount(ctx, 1, "AUTH_a", ts(100)); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("DeleteAccount(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.PutAccount(ctx, 1, "AUTH_a", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{90, 100} {
		if err := s.DeleteAccount(ctx, 1, "AUTH_a", ts(n)); !isConflict(err, ts(100)) {
			t.Errorf("DeleteAccount(ts %d, put at 100) = %v, want a *ConflictError at 100", n, err)
		}
	}
	if err := s.DeleteAccount(ctx, 1, "AUTH_a", ts(200)); err != nil {
		t.Fatalf("DeleteAccount = %v", err)
	}
	if err := s.DeleteAccount(ctx, 1, "AUTH_a", ts(300)); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("DeleteAccount(deleted) = %v, want ErrNotFound", err)
	}
	if info, _ := s.AccountInfo(ctx, 1, "AUTH_a"); info.DeleteTimestamp != ts(200) {
		t.Errorf("DeleteTimestamp = %v after a refused DELETE, want %v", info.DeleteTimestamp, ts(200))
	}
}

func testAccountMissingOrDeleted(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	if _, err := s.AccountInfo(ctx, 1, "missing"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("AccountInfo(missing) = %v, want ErrNotFound", err)
	}
	if _, err := s.PutAccount(ctx, 1, "gone", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteAccount(ctx, 1, "gone", ts(200)); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"missing", "gone"} {
		meta := objectserver.Metadata{"X": {Value: "1", Timestamp: ts(300)}}
		if err := s.UpdateAccountMeta(ctx, 1, a, meta); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("UpdateAccountMeta(%s) = %v, want ErrNotFound", a, err)
		}
		row := objectserver.ContainerRow{Name: "c", PutTimestamp: ts(300)}
		if err := s.PutContainerRow(ctx, 1, a, row); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("PutContainerRow(%s) = %v, want ErrNotFound", a, err)
		}
		if _, err := s.ListContainers(ctx, 1, a, objectserver.ListQuery{}); !errors.Is(err, objectserver.ErrNotFound) {
			t.Errorf("ListContainers(%s) = %v, want ErrNotFound", a, err)
		}
	}
}

func testContainerRows(t *testing.T, s objectserver.AccountStore) {
	const p, a = 1, "AUTH_a"
	if _, err := s.PutAccount(t.Context(), p, a, ts(100), nil); err != nil {
		t.Fatal(err)
	}
	row := func(name string, put, del, objects, bytes int64) objectserver.ContainerRow {
		r := objectserver.ContainerRow{Name: name, PutTimestamp: ts(put), ObjectCount: objects, BytesUsed: bytes}
		if del != 0 {
			r.DeleteTimestamp = ts(del)
		}
		return r
	}
	type totals struct{ containers, objects, bytes int64 }
	steps := []struct {
		what   string
		row    objectserver.ContainerRow
		want   totals
		listed []objectserver.ContainerRow
	}{
		{"new container", row("c1", 200, 0, 3, 30), totals{1, 3, 30}, []objectserver.ContainerRow{row("c1", 200, 0, 3, 30)}},
		{"new counts, same timestamps", row("c1", 200, 0, 5, 50), totals{1, 5, 50}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50)}},
		{"older report", row("c1", 150, 0, 9, 90), totals{1, 5, 50}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50)}},
		{"second container", row("c2", 300, 0, 1, 1), totals{2, 6, 51}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50), row("c2", 300, 0, 1, 1)}},
		// The newer DELETE wins; the newer PUT is kept beside it.
		{"container deleted", row("c2", 250, 400, 0, 0), totals{1, 5, 50}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50)}},
		{"PUT older than the DELETE", row("c2", 350, 0, 2, 2), totals{1, 5, 50}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50)}},
		{"container recreated", row("c2", 500, 0, 2, 2), totals{2, 7, 52}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50), row("c2", 500, 400, 2, 2)}},
		{"DELETE of an unknown container", row("c3", 0, 600, 0, 0), totals{2, 7, 52}, []objectserver.ContainerRow{row("c1", 200, 0, 5, 50), row("c2", 500, 400, 2, 2)}},
		{"emptied", row("c1", 200, 0, 0, 0), totals{2, 2, 2}, []objectserver.ContainerRow{row("c1", 200, 0, 0, 0), row("c2", 500, 400, 2, 2)}},
	}
	for _, st := range steps {
		mustPutContainerRow(t, s, p, a, st.row)
		info, err := s.AccountInfo(t.Context(), p, a)
		if err != nil {
			t.Fatal(err)
		}
		if got := (totals{info.ContainerCount, info.ObjectCount, info.BytesUsed}); got != st.want {
			t.Errorf("after %s: totals %+v, want %+v", st.what, got, st.want)
		}
		page, err := s.ListContainers(t.Context(), p, a, objectserver.ListQuery{})
		if err != nil {
			t.Fatal(err)
		}
		var got []objectserver.ContainerRow
		for _, e := range page {
			if e.Subdir != "" {
				t.Errorf("subdir %q without a delimiter", e.Subdir)
			}
			got = append(got, e.ContainerRow)
		}
		if !slices.Equal(got, st.listed) {
			t.Errorf("after %s: listing %+v, want %+v", st.what, got, st.listed)
		}
	}
	page, err := s.ListContainers(t.Context(), p, a, objectserver.ListQuery{Prefix: "c", Delimiter: '1', Reverse: true})
	want := []objectserver.ContainerEntry{{ContainerRow: row("c2", 500, 400, 2, 2)}, {Subdir: "c1"}}
	if err != nil || !slices.Equal(page, want) {
		t.Errorf("ListContainers(delimiter) = %+v, %v; want %+v", page, err, want)
	}
}

func testAccountIsolation(t *testing.T, s objectserver.AccountStore) {
	ctx := t.Context()
	type id struct {
		part    uint32
		account string
	}
	ids := []id{{1, "a"}, {1, "ab"}, {2, "a"}, {1, "a/"}}
	for i, x := range ids {
		if _, err := s.PutAccount(ctx, x.part, x.account, ts(100), nil); err != nil {
			t.Fatal(err)
		}
		mustPutContainerRow(t, s, x.part, x.account, objectserver.ContainerRow{Name: "c", PutTimestamp: ts(200), ObjectCount: int64(i + 1)})
	}
	for i, x := range ids {
		info, err := s.AccountInfo(ctx, x.part, x.account)
		if err != nil || info.Account != x.account || info.ContainerCount != 1 || info.ObjectCount != int64(i+1) {
			t.Errorf("AccountInfo(%v) = %+v, %v; want its own container of %d objects", x, info, err, i+1)
		}
	}
	if _, err := s.AccountInfo(ctx, 3, "a"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("AccountInfo(other partition) = %v, want ErrNotFound", err)
	}
}

func testAccountCancelled(t *testing.T, s objectserver.AccountStore) {
	if _, err := s.PutAccount(t.Context(), 1, "AUTH_a", ts(100), nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]error{}
	_, calls["PutAccount"] = s.PutAccount(ctx, 1, "AUTH_b", ts(100), nil)
	calls["DeleteAccount"] = s.DeleteAccount(ctx, 1, "AUTH_a", ts(200))
	_, calls["AccountInfo"] = s.AccountInfo(ctx, 1, "AUTH_a")
	calls["UpdateAccountMeta"] = s.UpdateAccountMeta(ctx, 1, "AUTH_a", objectserver.Metadata{"A": {Value: "1", Timestamp: ts(300)}})
	calls["PutContainerRow"] = s.PutContainerRow(ctx, 1, "AUTH_a", objectserver.ContainerRow{Name: "c", PutTimestamp: ts(300)})
	_, calls["ListContainers"] = s.ListContainers(ctx, 1, "AUTH_a", objectserver.ListQuery{})
	for name, err := range calls {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s(cancelled ctx) = %v, want context.Canceled", name, err)
		}
	}
	info, err := s.AccountInfo(t.Context(), 1, "AUTH_a")
	if err != nil || info.Deleted() || info.ContainerCount != 0 || len(info.Metadata) != 0 {
		t.Errorf("after cancelled calls: %+v, %v; want the account unchanged", info, err)
	}
}

func mustPutContainerRow(t *testing.T, s objectserver.AccountStore, p uint32, a string, row objectserver.ContainerRow) {
	t.Helper()
	if err := s.PutContainerRow(t.Context(), p, a, row); err != nil {
		t.Fatalf("PutContainerRow(%+v) = %v", row, err)
	}
}

func checkAccountInfo(t *testing.T, got, want objectserver.AccountInfo) {
	t.Helper()
	gm, wm := got.Metadata, want.Metadata
	got.Metadata, want.Metadata = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("AccountInfo =\n %+v\nwant\n %+v", got, want)
	}
	if !maps.Equal(gm, wm) {
		t.Errorf("AccountInfo.Metadata = %v, want %v", gm, wm)
	}
}
