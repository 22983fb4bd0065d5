package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

// namesInOneSuffix returns n object names that share one suffix (the
// suffix depends only on the name), and the suffix.
func namesInOneSuffix(t testing.TB, n int) (string, []string) {
	t.Helper()
	bySuffix := map[string][]string{}
	for i := 0; ; i++ {
		name := fmt.Sprintf("/a/c/o%d", i)
		sfx := suffixOf(t, name)
		bySuffix[sfx] = append(bySuffix[sfx], name)
		if len(bySuffix[sfx]) == n {
			return sfx, bySuffix[sfx]
		}
	}
}

func testSuffixHashesTrackChanges(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if got := suffixHashes(t, s, 1); len(got) != 0 {
		t.Errorf("SuffixHashes of an empty partition = %v, want none", got)
	}
	sfx, names := namesInOneSuffix(t, 2)
	a, b := names[0], names[1]
	other := "/a/c/elsewhere"
	for suffixOf(t, other) == sfx {
		other += "x"
	}
	put(t, s, 1, other, ts(1), []byte("other"))
	h0 := suffixHashes(t, s, 1)
	if _, ok := h0[suffixOf(t, other)]; !ok || len(h0) != 1 {
		t.Fatalf("SuffixHashes = %v, want only suffix %s (is the store opened with storetest.Salt?)", h0, suffixOf(t, other))
	}
	if len(h0[suffixOf(t, other)]) == 0 {
		t.Errorf("empty suffix hash")
	}

	// Each step must change sfx's hash and nothing else.
	steps := []struct {
		name string
		do   func() error
	}{
		{"put a", func() error { put(t, s, 1, a, ts(1), []byte("a")); return nil }},
		{"put b", func() error { put(t, s, 1, b, ts(1), []byte("b")); return nil }},
		{"overwrite a", func() error { put(t, s, 1, a, ts(2), []byte("a2")); return nil }},
		{"overwrite a, same data", func() error { put(t, s, 1, a, ts(3), []byte("a2")); return nil }},
		{"post a", func() error { _, err := s.UpdateMeta(ctx, 1, a, ts(4), nil); return err }},
		{"delete a", func() error { _, err := s.Delete(ctx, 1, a, ts(5)); return err }},
		{"delete a again", func() error { _, err := s.Delete(ctx, 1, a, ts(6)); return err }},
		{"revive a", func() error { put(t, s, 1, a, ts(7), nil); return nil }},
	}
	seen := map[string]string{}
	prev := suffixHashes(t, s, 1)
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		cur := suffixHashes(t, s, 1)
		if cur[sfx] == prev[sfx] {
			t.Errorf("%s: suffix hash unchanged", st.name)
		}
		if step, ok := seen[cur[sfx]]; ok {
			t.Errorf("%s: suffix hash equals the one after %q", st.name, step)
		}
		seen[cur[sfx]] = st.name
		want := maps.Clone(prev)
		delete(want, sfx)
		got := maps.Clone(cur)
		delete(got, sfx)
		if !maps.Equal(got, want) {
			t.Errorf("%s: other suffixes changed: %v, want %v", st.name, got, want)
		}
		prev = cur
	}

	// Failures, reads and other partitions change nothing.
	before := suffixHashes(t, s, 1)
	if _, err := s.Create(ctx, 1, meta(a, ts(1), nil)); !errors.Is(err, objectserver.ErrConflict) {
		t.Errorf("Create older = %v, want ErrConflict", err)
	}
	if _, err := s.Delete(ctx, 1, b, ts(1)); !errors.Is(err, objectserver.ErrConflict) {
		t.Errorf("Delete equal = %v, want ErrConflict", err)
	}
	read(t, s, 1, b)
	stat(t, s, 1, a)
	put(t, s, 2, a, ts(9), []byte("elsewhere"))
	if got := suffixHashes(t, s, 1); !maps.Equal(got, before) {
		t.Errorf("suffix hashes changed by failures, reads or another partition: %v, want %v", got, before)
	}
}

// testSuffixHashesOrderIndependent writes the same final state to two
// stores by different routes: their hashes must agree, and differ from a
// third store holding one version less.
func testSuffixHashesOrderIndependent(t *testing.T, open Opener) {
	ctx := context.Background()
	sfx, names := namesInOneSuffix(t, 3)
	s1, s2, s3 := open(t), open(t), open(t)

	// s1: in order, with superseded versions along the way.
	put(t, s1, 5, names[0], ts(1), []byte("v1"))
	put(t, s1, 5, names[0], ts(2), []byte("v2"))
	put(t, s1, 5, names[1], ts(1), payload(1, 100<<10))
	if _, err := s1.Delete(ctx, 5, names[2], ts(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := s1.UpdateMeta(ctx, 5, names[1], ts(4), func(m *objectserver.ObjectMeta) { m.ContentType = "a/b" }); err != nil {
		t.Fatal(err)
	}

	// s2: reversed, older versions arriving late and being refused.
	put(t, s2, 5, names[2], ts(2), []byte("old"))
	if _, err := s2.Delete(ctx, 5, names[2], ts(3)); err != nil {
		t.Fatal(err)
	}
	put(t, s2, 5, names[1], ts(1), payload(1, 100<<10))
	if _, err := s2.UpdateMeta(ctx, 5, names[1], ts(4), func(m *objectserver.ObjectMeta) { m.ContentType = "a/b" }); err != nil {
		t.Fatal(err)
	}
	put(t, s2, 5, names[0], ts(2), []byte("v2"))
	if _, err := s2.Create(ctx, 5, meta(names[0], ts(1), nil)); !errors.Is(err, objectserver.ErrConflict) {
		t.Errorf("late older version: %v, want ErrConflict", err)
	}

	h1, h2 := suffixHashes(t, s1, 5), suffixHashes(t, s2, 5)
	if !maps.Equal(h1, h2) {
		t.Errorf("equal content, different hashes: %v and %v", h1, h2)
	}
	l1, _ := s1.List(ctx, 5, sfx)
	l2, _ := s2.List(ctx, 5, sfx)
	if !reflect.DeepEqual(l1, l2) {
		t.Errorf("equal content, different listings:\n%+v\n%+v", l1, l2)
	}

	// s3 lacks the POST.
	put(t, s3, 5, names[0], ts(2), []byte("v2"))
	put(t, s3, 5, names[1], ts(1), payload(1, 100<<10))
	if _, err := s3.Delete(ctx, 5, names[2], ts(3)); err != nil {
		t.Fatal(err)
	}
	if h3 := suffixHashes(t, s3, 5); h3[sfx] == h1[sfx] {
		t.Errorf("a missing POST does not change the suffix hash")
	}
}

func testPartitionsAndList(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	if parts, err := s.Partitions(ctx); err != nil || len(parts) != 0 {
		t.Errorf("Partitions() of an empty store = %v, %v", parts, err)
	}
	for i, p := range []uint32{70000, 3, 1 << 31, 0, 3, 255, 256} {
		put(t, s, p, fmt.Sprintf("/a/c/p%d-%d", p, i), ts(1), []byte("x"))
	}
	if _, err := s.Delete(ctx, 9, "/a/c/gone", ts(1)); err != nil {
		t.Fatal(err)
	}
	// A discarded write leaves no partition behind.
	if w, err := s.Create(ctx, 12, meta("/a/c/discarded", ts(1), nil)); err == nil {
		w.Close()
	}
	want := []uint32{0, 3, 9, 255, 256, 70000, 1 << 31}
	if parts, err := s.Partitions(ctx); err != nil || !slices.Equal(parts, want) {
		t.Errorf("Partitions() = %v, %v, want %v", parts, err, want)
	}

	sfx, names := namesInOneSuffix(t, 4)
	var wantList []objectserver.ObjectMeta
	for i, name := range slices.Backward(names) {
		m := put(t, s, 30, name, ts(i+1), payload(uint64(i), 10*i))
		wantList = append(wantList, m)
	}
	prev, err := s.Delete(ctx, 30, names[1], ts(10))
	if err != nil {
		t.Fatal(err)
	}
	for i := range wantList {
		if wantList[i].Name == prev.Name {
			wantList[i] = objectserver.ObjectMeta{Name: prev.Name, Timestamp: ts(10), MetaTimestamp: ts(10), Deleted: true}
		}
	}
	slices.SortFunc(wantList, func(a, b objectserver.ObjectMeta) int { return strings.Compare(a.Name, b.Name) })
	got, err := s.List(ctx, 30, sfx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, wantList) {
		t.Errorf("List(30, %s) =\n%+v\nwant\n%+v", sfx, got, wantList)
	}
	other := "000"
	if other == sfx {
		other = "001"
	}
	for _, l := range []struct {
		part uint32
		sfx  string
	}{{31, sfx}, {30, other}} {
		if got, err := s.List(ctx, l.part, l.sfx); err != nil || len(got) != 0 {
			t.Errorf("List(%d, %s) = %v, %v, want nothing", l.part, l.sfx, got, err)
		}
	}
	for _, bad := range []string{"", "0", "0000", "xyz", "ABC"} {
		if _, err := s.List(ctx, 30, bad); err == nil {
			t.Errorf("List(30, %q) succeeded, want an error", bad)
		}
	}
	// The listing agrees with SuffixHashes about which suffixes exist.
	for _, p := range []uint32{3, 30} {
		for sfx := range suffixHashes(t, s, p) {
			if l, err := s.List(ctx, p, sfx); err != nil || len(l) == 0 {
				t.Errorf("SuffixHashes names %s but List(%d, %s) = %v, %v", sfx, p, sfx, l, err)
			}
		}
	}
}

func testClose(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	put(t, s, 1, "/a/c/o", ts(1), []byte("x"))
	w, err := s.Create(ctx, 1, meta("/a/c/o", ts(2), []byte("y")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}
	if _, err := w.Commit(ctx); err == nil {
		t.Error("Commit after store Close succeeded")
	}
	w.Close()
	checks := map[string]func() error{
		"Stat":         func() error { _, err := s.Stat(ctx, 1, "/a/c/o"); return err },
		"Open":         func() error { _, err := s.Open(ctx, 1, "/a/c/o"); return err },
		"Create":       func() error { _, err := s.Create(ctx, 1, meta("/a/c/o", ts(3), nil)); return err },
		"Delete":       func() error { _, err := s.Delete(ctx, 1, "/a/c/o", ts(3)); return err },
		"UpdateMeta":   func() error { _, err := s.UpdateMeta(ctx, 1, "/a/c/o", ts(3), nil); return err },
		"Partitions":   func() error { _, err := s.Partitions(ctx); return err },
		"SuffixHashes": func() error { _, err := s.SuffixHashes(ctx, 1); return err },
		"List":         func() error { _, err := s.List(ctx, 1, "000"); return err },
	}
	for _, name := range slices.Sorted(maps.Keys(checks)) {
		if err := checks[name](); !errors.Is(err, objectserver.ErrClosed) {
			t.Errorf("%s after Close = %v, want ErrClosed", name, err)
		}
	}
}
