package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"pgregory.net/rapid"
)

// testDifferential applies random operation sequences to the store under
// test and to memstore and compares every result: errors by kind, returned
// metadata, data, and after each step Partitions, SuffixHashes and List.
// Timestamps come from a small range so that conflicts are frequent; rapid
// shrinks a failing sequence to a short one.
func testDifferential(t *testing.T, open Opener) {
	_, shared := namesInOneSuffix(t, 3)
	names := append(shared, "/a/c/x", "/b/c/y")
	parts := []uint32{0, 1}
	sizes := []int{0, 1, 100, 64 << 10, 64<<10 + 1, 150 << 10}
	rapid.Check(t, func(rt *rapid.T) {
		d := &differ{t: rt, got: open(t), want: memstore.New(Salt)}
		defer d.got.Close()
		rt.Repeat(map[string]func(*rapid.T){
			"put": func(rt *rapid.T) {
				name := rapid.SampledFrom(names).Draw(rt, "name")
				part := rapid.SampledFrom(parts).Draw(rt, "part")
				at := ts(rapid.IntRange(1, 12).Draw(rt, "ts"))
				size := rapid.SampledFrom(sizes).Draw(rt, "size")
				data := payload(uint64(at.Ticks())+uint64(size), size)
				m := meta(name, at, data)
				switch rapid.IntRange(0, 4).Draw(rt, "variant") {
				case 1:
					m.Size = -1
				case 2:
					m.ETag = etagOf(data)
				case 3:
					m.ETag = etagOf([]byte("wrong"))
				case 4:
					m.Headers = nil
					m.DeleteAt = 1800000000
				}
				ctx := context.Background()
				if rapid.IntRange(0, 9).Draw(rt, "short") == 0 && size > 0 {
					d.compare("put short", func(s objectserver.ObjectStore) (any, error) {
						return tryWrite(ctx, s, part, m, data[:size-1])
					})
					return
				}
				d.compare(fmt.Sprintf("put %s/%s at %s, %d bytes", name, part0(part), at, size), func(s objectserver.ObjectStore) (any, error) {
					return tryWrite(ctx, s, part, m, data)
				})
			},
			"abandon": func(rt *rapid.T) {
				name := rapid.SampledFrom(names).Draw(rt, "name")
				part := rapid.SampledFrom(parts).Draw(rt, "part")
				at := ts(rapid.IntRange(1, 12).Draw(rt, "ts"))
				size := rapid.SampledFrom(sizes).Draw(rt, "size")
				data := payload(1, size)
				d.compare("abandoned put", func(s objectserver.ObjectStore) (any, error) {
					w, err := s.Create(context.Background(), part, meta(name, at, data))
					if err != nil {
						return nil, err
					}
					if _, err := w.Write(data[:size/2]); err != nil {
						return nil, err
					}
					return nil, w.Close()
				})
			},
			"delete": func(rt *rapid.T) {
				name := rapid.SampledFrom(names).Draw(rt, "name")
				part := rapid.SampledFrom(parts).Draw(rt, "part")
				at := ts(rapid.IntRange(1, 12).Draw(rt, "ts"))
				d.compare(fmt.Sprintf("delete %s/%s at %s", name, part0(part), at), func(s objectserver.ObjectStore) (any, error) {
					return s.Delete(context.Background(), part, name, at)
				})
			},
			"post": func(rt *rapid.T) {
				name := rapid.SampledFrom(names).Draw(rt, "name")
				part := rapid.SampledFrom(parts).Draw(rt, "part")
				at := ts(rapid.IntRange(1, 12).Draw(rt, "ts"))
				ctype := rapid.SampledFrom([]string{"", "text/plain", "image/png"}).Draw(rt, "ctype")
				clear := rapid.Bool().Draw(rt, "clear")
				d.compare(fmt.Sprintf("post %s/%s at %s", name, part0(part), at), func(s objectserver.ObjectStore) (any, error) {
					return s.UpdateMeta(context.Background(), part, name, at, func(m *objectserver.ObjectMeta) {
						if clear {
							m.Headers = nil
						} else {
							if m.Headers == nil {
								m.Headers = map[string]string{}
							}
							m.Headers["X-Object-Meta-Post"] = at.Internal()
						}
						m.ContentType = ctype
						m.DeleteAt++
					})
				})
			},
			"read": func(rt *rapid.T) {
				name := rapid.SampledFrom(names).Draw(rt, "name")
				part := rapid.SampledFrom(parts).Draw(rt, "part")
				off := rapid.IntRange(0, 160<<10).Draw(rt, "off")
				n := rapid.IntRange(0, 160<<10).Draw(rt, "n")
				d.compare(fmt.Sprintf("read %s/%s [%d+%d]", name, part0(part), off, n), func(s objectserver.ObjectStore) (any, error) {
					r, err := s.Open(context.Background(), part, name)
					if err != nil {
						return nil, err
					}
					defer r.Close()
					m := r.Meta()
					all, err := io.ReadAll(r.Section(0, m.Size))
					if err != nil {
						return nil, err
					}
					sec, err := io.ReadAll(r.Section(int64(off), int64(n)))
					return []any{m, all, sec}, err
				})
			},
			"": func(rt *rapid.T) { d.compareState(names, parts) },
		})
	})
}

func part0(p uint32) string { return fmt.Sprint(p) }

// differ applies each operation to the store under test and the reference.
type differ struct {
	t    *rapid.T
	got  objectserver.ObjectStore
	want objectserver.ObjectStore
}

func (d *differ) compare(what string, op func(objectserver.ObjectStore) (any, error)) {
	gv, gerr := op(d.got)
	wv, werr := op(d.want)
	if gk, wk := errKind(gerr), errKind(werr); gk != wk {
		d.t.Fatalf("%s: error %v (%s), reference %v (%s)", what, gerr, gk, werr, wk)
	}
	if gerr == nil && !equalValues(gv, wv) {
		d.t.Fatalf("%s:\n got %+v\nwant %+v", what, gv, wv)
	}
}

func equalValues(a, b any) bool {
	if ab, ok := a.([]any); ok {
		bb := b.([]any)
		for i := range ab {
			if !equalValues(ab[i], bb[i]) {
				return false
			}
		}
		return true
	}
	if ab, ok := a.([]byte); ok {
		return bytes.Equal(ab, b.([]byte))
	}
	return reflect.DeepEqual(a, b)
}

// compareState compares everything observable about the stores' contents.
func (d *differ) compareState(names []string, parts []uint32) {
	ctx := context.Background()
	gp, gerr := d.got.Partitions(ctx)
	wp, werr := d.want.Partitions(ctx)
	if gerr != nil || werr != nil || !slices.Equal(gp, wp) {
		d.t.Fatalf("Partitions() = %v, %v; reference %v, %v", gp, gerr, wp, werr)
	}
	for _, p := range parts {
		gh, gerr := d.got.SuffixHashes(ctx, p)
		wh, werr := d.want.SuffixHashes(ctx, p)
		if gerr != nil || werr != nil || !maps.Equal(gh, wh) {
			d.t.Fatalf("SuffixHashes(%d) = %v, %v; reference %v, %v", p, gh, gerr, wh, werr)
		}
		for sfx := range wh {
			d.compare("List("+part0(p)+", "+sfx+")", func(s objectserver.ObjectStore) (any, error) { return s.List(ctx, p, sfx) })
		}
		for _, name := range names {
			d.compare("Stat("+part0(p)+", "+name+")", func(s objectserver.ObjectStore) (any, error) { return s.Stat(ctx, p, name) })
		}
	}
}

// errKind names the class of err that the contract defines.
func errKind(err error) string {
	var ce *objectserver.ConflictError
	var de *objectserver.DeletedError
	switch {
	case err == nil:
		return "nil"
	case errors.As(err, &ce):
		return "conflict with " + ce.Existing.Internal()
	case errors.As(err, &de):
		return fmt.Sprintf("deleted %+v", de.Tombstone)
	case errors.Is(err, objectserver.ErrNotFound):
		return "not found"
	case errors.Is(err, objectserver.ErrSizeMismatch):
		return "size mismatch"
	case errors.Is(err, objectserver.ErrETagMismatch):
		return "etag mismatch"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	return "other error"
}
