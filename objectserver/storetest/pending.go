package storetest

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

// PendingOpener returns a new, empty pending store. It should register
// the store's closing with t.Cleanup.
type PendingOpener func(t *testing.T) objectserver.PendingStore

// RunPending runs the PendingStore conformance suite.
func RunPending(t *testing.T, open PendingOpener) {
	tests := []struct {
		name string
		fn   func(*testing.T, PendingOpener)
	}{
		{"Queue", testPendingQueue},
		{"Supersede", testPendingSupersede},
		{"Remove", testPendingRemove},
		{"Concurrent", testPendingConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

func pendingUpdate(object string, at int) objectserver.PendingUpdate {
	return objectserver.PendingUpdate{
		Method:  http.MethodPut,
		Account: "AUTH_a", Container: "c", Object: object,
		Timestamp: ts(at),
		Headers: http.Header{
			"X-Size":         {"12"},
			"X-Content-Type": {"text/plain"},
			"X-Etag":         {"d41d8cd98f00b204e9800998ecf8427e"},
			"X-Timestamp":    {ts(at).Internal()},
			"X-Multi":        {"a", "b"},
		},
		ContainerPartition: 77,
		Targets:            []string{"10.0.0.1:6201/sdb1", "10.0.0.2:6201/sdc1"},
	}
}

func pendings(t *testing.T, s objectserver.PendingStore, limit int) []objectserver.QueuedUpdate {
	t.Helper()
	q, err := s.Pendings(context.Background(), limit)
	if err != nil {
		t.Fatalf("Pendings(%d) = %v", limit, err)
	}
	return q
}

func testPendingQueue(t *testing.T, open PendingOpener) {
	s := open(t)
	ctx := context.Background()
	if q := pendings(t, s, 10); len(q) != 0 {
		t.Errorf("Pendings of an empty store = %v", q)
	}
	var want []objectserver.PendingUpdate
	for i, obj := range []string{"z", "a", "m", "ü/x"} {
		u := pendingUpdate(obj, i+1)
		if i == 2 {
			u.Method = http.MethodDelete
			u.Headers = nil
			u.Targets = []string{"[::1]:6201/d1"}
		}
		if err := s.AddPending(ctx, u); err != nil {
			t.Fatal(err)
		}
		want = append(want, u)
	}
	q := pendings(t, s, 10)
	if len(q) != len(want) {
		t.Fatalf("Pendings = %d updates, want %d", len(q), len(want))
	}
	ids := map[string]bool{}
	for i, qu := range q {
		if !reflect.DeepEqual(qu.PendingUpdate, want[i]) {
			t.Errorf("Pendings[%d] = %+v, want %+v (oldest first)", i, qu.PendingUpdate, want[i])
		}
		if qu.ID == "" || ids[qu.ID] {
			t.Errorf("Pendings[%d].ID = %q: empty or repeated", i, qu.ID)
		}
		ids[qu.ID] = true
	}
	if got := pendings(t, s, 2); len(got) != 2 || got[0].ID != q[0].ID || got[1].ID != q[1].ID {
		t.Errorf("Pendings(2) = %v, want the first two of %v", got, q)
	}
	// Returned values are copies.
	q[0].Headers.Set("X-Size", "999")
	q[0].Targets[0] = "changed"
	if again := pendings(t, s, 1); !reflect.DeepEqual(again[0].PendingUpdate, want[0]) {
		t.Errorf("changing a returned update changed the queue: %+v", again[0])
	}
}

func testPendingSupersede(t *testing.T, open PendingOpener) {
	s := open(t)
	ctx := context.Background()
	for _, u := range []objectserver.PendingUpdate{
		pendingUpdate("o", 5),
		pendingUpdate("other", 1),
		pendingUpdate("o", 3), // older: dropped
	} {
		if err := s.AddPending(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	q := pendings(t, s, 10)
	if len(q) != 2 || q[0].Object != "o" || q[0].Timestamp != ts(5) || q[1].Object != "other" {
		t.Fatalf("after an older update: %+v, want o at %s and other", q, ts(5))
	}
	newer := pendingUpdate("o", 6)
	newer.Method = http.MethodDelete
	if err := s.AddPending(ctx, newer); err != nil {
		t.Fatal(err)
	}
	q = pendings(t, s, 10)
	if len(q) != 2 || q[0].Object != "other" || !reflect.DeepEqual(q[1].PendingUpdate, newer) {
		t.Fatalf("after a newer update: %+v, want other, then the newer o", q)
	}
	// The same object in another container is another object.
	elsewhere := pendingUpdate("o", 1)
	elsewhere.Container = "c2"
	if err := s.AddPending(ctx, elsewhere); err != nil {
		t.Fatal(err)
	}
	if q = pendings(t, s, 10); len(q) != 3 {
		t.Errorf("an update in another container replaced one: %+v", q)
	}
}

func testPendingRemove(t *testing.T, open PendingOpener) {
	s := open(t)
	ctx := context.Background()
	for i, obj := range []string{"a", "b", "c"} {
		if err := s.AddPending(ctx, pendingUpdate(obj, i+1)); err != nil {
			t.Fatal(err)
		}
	}
	q := pendings(t, s, 10)
	if err := s.RemovePending(ctx, q[1].ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{q[1].ID, "", "nonsense", "ffffffffffffffff"} {
		if err := s.RemovePending(ctx, id); err != nil {
			t.Errorf("RemovePending(%q) of an unknown id = %v, want nil", id, err)
		}
	}
	got := pendings(t, s, 10)
	if len(got) != 2 || got[0].ID != q[0].ID || got[1].ID != q[2].ID {
		t.Errorf("after removing %s: %+v", q[1].ID, got)
	}
	// A removed object's next update is queued again, at the back.
	if err := s.AddPending(ctx, pendingUpdate("b", 1)); err != nil {
		t.Fatal(err)
	}
	got = pendings(t, s, 10)
	if len(got) != 3 || got[2].Object != "b" || got[2].ID == q[1].ID {
		t.Errorf("re-queued update: %+v", got)
	}
	// Removing an update that was superseded leaves its successor.
	if err := s.AddPending(ctx, pendingUpdate("a", 9)); err != nil {
		t.Fatal(err)
	}
	if err := s.RemovePending(ctx, q[0].ID); err != nil {
		t.Fatal(err)
	}
	got = pendings(t, s, 10)
	found := false
	for _, u := range got {
		found = found || (u.Object == "a" && u.Timestamp == ts(9))
	}
	if !found {
		t.Errorf("removing a superseded id removed its successor: %+v", got)
	}
	for _, u := range got {
		if err := s.RemovePending(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got := pendings(t, s, 10); len(got) != 0 {
		t.Errorf("after removing all: %+v", got)
	}
}

func testPendingConcurrent(t *testing.T, open PendingOpener) {
	s := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 10 {
				if err := s.AddPending(ctx, pendingUpdate(fmt.Sprintf("w%d-%d", w, i), i+1)); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	q := pendings(t, s, 0)
	if len(q) != 80 {
		t.Fatalf("Pendings(0) = %d updates, want all 80", len(q))
	}
	for _, u := range q[:40] {
		wg.Go(func() {
			if err := s.RemovePending(ctx, u.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := pendings(t, s, 1000); len(got) != 40 || got[0].ID != q[40].ID {
		t.Errorf("after removing 40: %d left, first %v, want 40 from %s", len(got), got[0].ID, q[40].ID)
	}
}
