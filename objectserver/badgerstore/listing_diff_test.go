package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"pgregory.net/rapid"
)

// listingStores is what the differential test drives in both stores.
type listingStores interface {
	objectserver.ContainerStore
	objectserver.AccountStore
}

// TestListingsMatchMemstore runs random sequences of every listing call,
// timestamps colliding often, against this store and memstore, and
// requires the same answers and the same final state.
func TestListingsMatchMemstore(t *testing.T) {
	bs := openListingStore(t)
	round := 0
	rapid.Check(t, func(rt *rapid.T) {
		round++
		ms := memstore.New(hashpath.Salt{})
		acct := fmt.Sprintf("AUTH_%d", round) // a fresh namespace in the shared Badger store
		stores := []listingStores{ms, bs}
		tsGen := rapid.Custom(func(t *rapid.T) timestamp.Timestamp {
			return listingTS(rapid.Int64Range(1, 30).Draw(t, "tick"))
		})
		metaGen := rapid.Custom(func(t *rapid.T) objectserver.Metadata {
			m := objectserver.Metadata{}
			for range rapid.IntRange(0, 2).Draw(t, "items") {
				k := rapid.SampledFrom([]string{"X-Meta-A", "X-Meta-B"}).Draw(t, "key")
				m[k] = objectserver.MetaItem{Value: rapid.SampledFrom([]string{"", "1", "2"}).Draw(t, "value"), Timestamp: tsGen.Draw(t, "meta_ts")}
			}
			return m
		})
		containers := []string{"c0", "c1"}
		names := []string{"a", "a/b", "b", "b/c/d", "c"}
		ctx := context.Background()

		for step := range rapid.IntRange(1, 40).Draw(rt, "steps") {
			c := rapid.SampledFrom(containers).Draw(rt, "container")
			var call func(s listingStores) (any, error)
			var what string
			switch op := rapid.IntRange(0, 9).Draw(rt, "op"); op {
			case 0:
				ts, m := tsGen.Draw(rt, "ts"), metaGen.Draw(rt, "meta")
				what = fmt.Sprintf("PutContainer(%s, %v, %v)", c, ts, m)
				call = func(s listingStores) (any, error) { return s.PutContainer(ctx, 1, acct, c, ts, m) }
			case 1:
				ts := tsGen.Draw(rt, "ts")
				what = fmt.Sprintf("DeleteContainer(%s, %v)", c, ts)
				call = func(s listingStores) (any, error) { return nil, s.DeleteContainer(ctx, 1, acct, c, ts) }
			case 2:
				m := metaGen.Draw(rt, "meta")
				what = fmt.Sprintf("UpdateContainerMeta(%s, %v)", c, m)
				call = func(s listingStores) (any, error) { return nil, s.UpdateContainerMeta(ctx, 1, acct, c, m) }
			case 3, 4, 5:
				r := objectserver.ObjectRow{
					Name: rapid.SampledFrom(names).Draw(rt, "name"), Timestamp: tsGen.Draw(rt, "ts"),
					Deleted: rapid.Bool().Draw(rt, "deleted"),
				}
				if !r.Deleted {
					r.Size, r.ContentType, r.ETag = rapid.Int64Range(0, 100).Draw(rt, "size"), "text/plain", "etag"
				}
				what = fmt.Sprintf("PutObjectRow(%s, %+v)", c, r)
				call = func(s listingStores) (any, error) { return nil, s.PutObjectRow(ctx, 1, acct, c, r) }
			case 6:
				ts, m := tsGen.Draw(rt, "ts"), metaGen.Draw(rt, "meta")
				what = fmt.Sprintf("PutAccount(%v, %v)", ts, m)
				call = func(s listingStores) (any, error) { return s.PutAccount(ctx, 1, acct, ts, m) }
			case 7:
				ts := tsGen.Draw(rt, "ts")
				what = fmt.Sprintf("DeleteAccount(%v)", ts)
				call = func(s listingStores) (any, error) { return nil, s.DeleteAccount(ctx, 1, acct, ts) }
			case 8:
				m := metaGen.Draw(rt, "meta")
				what = fmt.Sprintf("UpdateAccountMeta(%v)", m)
				call = func(s listingStores) (any, error) { return nil, s.UpdateAccountMeta(ctx, 1, acct, m) }
			default:
				r := objectserver.ContainerRow{Name: c, PutTimestamp: tsGen.Draw(rt, "put")}
				if rapid.Bool().Draw(rt, "deleted") {
					r.DeleteTimestamp = tsGen.Draw(rt, "delete")
				} else {
					r.ObjectCount, r.BytesUsed = rapid.Int64Range(0, 5).Draw(rt, "objects"), rapid.Int64Range(0, 50).Draw(rt, "bytes")
				}
				what = fmt.Sprintf("PutContainerRow(%+v)", r)
				call = func(s listingStores) (any, error) { return nil, s.PutContainerRow(ctx, 1, acct, r) }
			}
			want, wantErr := call(ms)
			got, gotErr := call(bs)
			if !reflect.DeepEqual(got, want) || errClass(gotErr) != errClass(wantErr) {
				rt.Fatalf("step %d: %s = %v, %v; memstore: %v, %v", step, what, got, gotErr, want, wantErr)
			}
		}

		// The same final state, but for CreatedAt (each store's clock).
		for _, c := range containers {
			var infos [2]objectserver.ContainerInfo
			var errs [2]error
			var lists [2][]objectserver.ObjectEntry
			for i, s := range stores {
				infos[i], errs[i] = s.ContainerInfo(ctx, 1, acct, c)
				infos[i].CreatedAt = timestamp.Timestamp{}
				lists[i], _ = s.ListObjects(ctx, 1, acct, c, objectserver.ListQuery{Delimiter: '/'})
			}
			if !reflect.DeepEqual(infos[0], infos[1]) || errClass(errs[0]) != errClass(errs[1]) || !reflect.DeepEqual(lists[0], lists[1]) {
				rt.Fatalf("container %s: badgerstore %+v, %v, %v; memstore %+v, %v, %v", c, infos[1], errs[1], lists[1], infos[0], errs[0], lists[0])
			}
		}
		var infos [2]objectserver.AccountInfo
		var errs [2]error
		var lists [2][]objectserver.ContainerEntry
		for i, s := range stores {
			infos[i], errs[i] = s.AccountInfo(ctx, 1, acct)
			infos[i].CreatedAt = timestamp.Timestamp{}
			lists[i], _ = s.ListContainers(ctx, 1, acct, objectserver.ListQuery{})
		}
		if !reflect.DeepEqual(infos[0], infos[1]) || errClass(errs[0]) != errClass(errs[1]) || !reflect.DeepEqual(lists[0], lists[1]) {
			rt.Fatalf("account: badgerstore %+v, %v, %v; memstore %+v, %v, %v", infos[1], errs[1], lists[1], infos[0], errs[0], lists[0])
		}
	})
}

// errClass reduces an error to what the contract promises about it.
func errClass(err error) string {
	var ce *objectserver.ConflictError
	switch {
	case err == nil:
		return "nil"
	case errors.As(err, &ce):
		return "conflict at " + ce.Existing.Internal()
	case errors.Is(err, objectserver.ErrNotFound):
		return "not found"
	case errors.Is(err, objectserver.ErrNotEmpty):
		return "not empty"
	}
	return "other: " + err.Error()
}
