package listingtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
	"pgregory.net/rapid"
)

// runListings runs the listing tests shared by containers and accounts;
// newT makes a fresh, empty database in one store.
func runListings(t *testing.T, newT newTarget) {
	t.Run("Swift", func(t *testing.T) { testSwiftGolden(t, newT) })
	t.Run("Paging", func(t *testing.T) { testPaging(t, newT) })
	t.Run("LimitDefaults", func(t *testing.T) { testLimitDefaults(t, newT) })
	t.Run("DelimiterBytes", func(t *testing.T) { testDelimiterBytes(t, newT) })
	t.Run("RandomAgainstModel", func(t *testing.T) { testRandomAgainstModel(t, newT) })
	t.Run("ConcurrentRows", func(t *testing.T) { testConcurrentRows(t, newT) })
}

// fillGolden stores the names of swift_listings.json: live ones, and
// deleted ones that were live first.
func fillGolden(t *testing.T, tg target, g golden) {
	t.Helper()
	ctx := t.Context()
	for i, n := range g.Live {
		if err := tg.put(ctx, n, ts(10), false, int64(i)); err != nil {
			t.Fatalf("put %q: %v", n, err)
		}
	}
	for _, n := range g.Deleted {
		if err := tg.put(ctx, n, ts(10), false, 1); err != nil {
			t.Fatalf("put %q: %v", n, err)
		}
		if err := tg.put(ctx, n, ts(11), true, 0); err != nil {
			t.Fatalf("delete %q: %v", n, err)
		}
	}
}

// testSwiftGolden replays listings that Swift 2.30.1 computed over the
// same rows.
func testSwiftGolden(t *testing.T, newT newTarget) {
	g := loadGolden(t)
	tg := newT(t)
	fillGolden(t, tg, g)
	for _, c := range g.Cases {
		got, err := tg.list(t.Context(), c.query())
		if err != nil {
			t.Fatalf("list(%s): %v", c, err)
		}
		if !slices.Equal(got, c.Want) {
			t.Errorf("list(%s) =\n %s\nwant (Swift 2.30.1)\n %s", c, joinEntries(got), joinEntries(c.Want))
		}
	}
}

// testPaging pages through listings the way clients do, passing the last
// entry (object or subdir) as the next marker, and checks that the pages
// add up to the whole listing.
func testPaging(t *testing.T, newT newTarget) {
	g := loadGolden(t)
	tg := newT(t)
	fillGolden(t, tg, g)
	ctx := t.Context()
	for _, prefix := range []string{"", "a", "x/", "q/r/"} {
		for _, delim := range []byte{0, '/', '-'} {
			for _, reverse := range []bool{false, true} {
				q := objectserver.ListQuery{Limit: objectserver.MaxListingLimit, Prefix: prefix, Delimiter: delim, Reverse: reverse}
				all, err := tg.list(ctx, q)
				if err != nil {
					t.Fatalf("list(%s): %v", describe(q), err)
				}
				for _, size := range []int{1, 2, 3, 7} {
					var got []entry
					q := q
					q.Limit = size
					for range len(all) + 2 {
						page, err := tg.list(ctx, q)
						if err != nil {
							t.Fatalf("list(%s): %v", describe(q), err)
						}
						if len(page) > size {
							t.Fatalf("list(%s) returned %d entries", describe(q), len(page))
						}
						got = append(got, page...)
						if len(page) < size {
							break
						}
						last := page[len(page)-1]
						q.Marker = last.Name + last.Subdir
					}
					if !slices.Equal(got, all) {
						q.Marker = ""
						t.Errorf("paging by %d through (%s) gave\n %s\nwant\n %s", size, describe(q), joinEntries(got), joinEntries(all))
					}
				}
			}
		}
	}
}

// testLimitDefaults: a Limit of 0, negative or above the maximum means
// MaxListingLimit.
func testLimitDefaults(t *testing.T, newT newTarget) {
	tg := newT(t)
	for _, n := range []string{"c", "a", "b"} {
		if err := tg.put(t.Context(), n, ts(5), false, 1); err != nil {
			t.Fatal(err)
		}
	}
	want := []entry{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	for _, limit := range []int{0, -5, objectserver.MaxListingLimit + 1} {
		got, err := tg.list(t.Context(), objectserver.ListQuery{Limit: limit})
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("list(limit=%d) = %v, %v; want %v", limit, got, err, want)
		}
	}
}

// testDelimiterBytes covers delimiters whose neighbouring bytes appear in
// names, and the extremes 0x01 and 0xff, where skipping past a subdir has
// to carry into the previous byte.
func testDelimiterBytes(t *testing.T, newT newTarget) {
	names := []string{
		"a", "a\x01", "a\x01b", "a\x01\x01", "a\x02", "a\xfe", "a\xff", "a\xffb", "a\xff\xff", "a\xff\xffc", "b",
		"\xff", "\xff\xff", "\xff\xffa", "m.", "m/", "m/x", "m0", "m//",
	}
	tg := newT(t)
	for _, n := range names {
		if err := tg.put(t.Context(), n, ts(5), false, 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []byte{0x01, 0xff, '/', '.', '0', 'a'} {
		for _, prefix := range []string{"", "a", "a\xff", "\xff", "m"} {
			for _, reverse := range []bool{false, true} {
				for _, marker := range []string{"", "a\x01", "a\xff", "m/"} {
					q := objectserver.ListQuery{Limit: 3, Prefix: prefix, Delimiter: d, Reverse: reverse, Marker: marker}
					checkQuery(t, tg, names, q)
					q.Limit = 0
					checkQuery(t, tg, names, q)
				}
			}
		}
	}
}

func checkQuery(t *testing.T, tg target, live []string, q objectserver.ListQuery) {
	t.Helper()
	got, err := tg.list(t.Context(), q)
	if err != nil {
		t.Fatalf("list(%s): %v", describe(q), err)
	}
	if want := modelList(live, q); !slices.Equal(got, want) {
		t.Errorf("list(%s) =\n %s\nwant\n %s", describe(q), joinEntries(got), joinEntries(want))
	}
}

// rowOp is one row update of the random and concurrent tests.
type rowOp struct {
	name    string
	tick    int64
	deleted bool
	size    int64
}

// newest is the model of a database after ops: per name, the op with the
// newest timestamp.
func newest(ops []rowOp) map[string]rowOp {
	m := make(map[string]rowOp)
	for _, op := range ops {
		if old, ok := m[op.name]; !ok || op.tick > old.tick {
			m[op.name] = op
		}
	}
	return m
}

// liveOf returns the live names of a model and their count and bytes.
func liveOf(m map[string]rowOp) (names []string, bytes int64) {
	for n, op := range m {
		if !op.deleted {
			names = append(names, n)
			bytes += op.size
		}
	}
	sort.Strings(names)
	return names, bytes
}

func checkTotals(ctx context.Context, t interface {
	Helper()
	Fatalf(string, ...any)
}, tg target, model map[string]rowOp) {
	t.Helper()
	names, bytes := liveOf(model)
	n, b, err := tg.totals(ctx)
	if err != nil {
		t.Fatalf("totals: %v", err)
	}
	if n != int64(len(names)) || b != bytes {
		t.Fatalf("totals = %d rows, %d bytes; want %d rows, %d bytes", n, b, len(names), bytes)
	}
}

// Name parts for random names: delimiters, the bytes just below and above
// '/', and UTF-8 of two, three and four bytes.
var nameParts = []string{"a", "b", "/", ".", "0", "-", "\u00e9", "\u00ff", "\u65e5", "\U0001F600"}

func drawName(t *rapid.T, label string) string {
	parts := rapid.SliceOfN(rapid.SampledFrom(nameParts), 1, 6).Draw(t, label)
	return strings.Join(parts, "")
}

// drawBound draws a marker or prefix: empty, a name, a cut of a name (at
// any byte), or a fresh name.
func drawBound(t *rapid.T, names []string, label string) string {
	switch k := rapid.IntRange(0, 3).Draw(t, label+"_kind"); {
	case k == 0 || len(names) == 0:
		return ""
	case k == 1:
		return rapid.SampledFrom(names).Draw(t, label)
	case k == 2:
		n := rapid.SampledFrom(names).Draw(t, label+"_of")
		return n[:rapid.IntRange(0, len(n)).Draw(t, label+"_cut")]
	default:
		return drawName(t, label)
	}
}

// testRandomAgainstModel stores random rows (overwrites, deletes and
// out-of-order timestamps included) and compares totals and random
// queries with the brute-force model.
func testRandomAgainstModel(t *testing.T, newT newTarget) {
	ctx := t.Context()
	rapid.Check(t, func(rt *rapid.T) {
		tg := newT(t)
		var ops []rowOp
		for i := range rapid.IntRange(0, 25).Draw(rt, "rows") {
			op := rowOp{
				name: drawName(rt, "name"),
				// Distinct timestamps, in random order.
				tick:    rapid.Int64Range(0, 1000).Draw(rt, "tick")*64 + int64(i) + 100,
				deleted: rapid.IntRange(0, 3).Draw(rt, "deleted") == 0,
				size:    rapid.Int64Range(0, 1<<40).Draw(rt, "size"),
			}
			if len(ops) > 0 && rapid.IntRange(0, 3).Draw(rt, "again") == 0 {
				op.name = rapid.SampledFrom(ops).Draw(rt, "same").name
			}
			ops = append(ops, op)
			if err := tg.put(ctx, op.name, ts(op.tick), op.deleted, op.size); err != nil {
				rt.Fatalf("put %q: %v", op.name, err)
			}
		}
		model := newest(ops)
		checkTotals(ctx, rt, tg, model)
		live, _ := liveOf(model)
		var all []string
		for n := range model {
			all = append(all, n)
		}
		sort.Strings(all)
		for range rapid.IntRange(1, 8).Draw(rt, "queries") {
			q := objectserver.ListQuery{
				Limit:     rapid.SampledFrom([]int{0, 1, 2, 3, 5, 10000}).Draw(rt, "limit"),
				Marker:    drawBound(rt, all, "marker"),
				EndMarker: drawBound(rt, all, "end_marker"),
				Prefix:    drawBound(rt, all, "prefix"),
				Delimiter: rapid.SampledFrom([]byte{0, 0, '/', '/', '.', '-', 'a'}).Draw(rt, "delimiter"),
				Reverse:   rapid.Bool().Draw(rt, "reverse"),
			}
			got, err := tg.list(ctx, q)
			if err != nil {
				rt.Fatalf("list(%s): %v", describe(q), err)
			}
			if want := modelList(live, q); !slices.Equal(got, want) {
				rt.Fatalf("list(%s) =\n %s\nwant\n %s", describe(q), joinEntries(got), joinEntries(want))
			}
		}
	})
}

// testConcurrentRows applies row updates from many goroutines at once:
// the same rows from all of them (overwrites with other sizes, deletes,
// timestamps out of order) and rows of their own. Totals and listing must
// be those of newest-wins.
func testConcurrentRows(t *testing.T, newT newTarget) {
	const workers, perWorker = 16, 40
	tg := newT(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	ticks := rnd.Perm(workers * perWorker) // distinct timestamps, out of order
	ops := make([]rowOp, 0, workers*perWorker)
	for w := range workers {
		for k := range perWorker {
			op := rowOp{tick: int64(ticks[w*perWorker+k]) + 100, deleted: rnd.IntN(4) == 0, size: rnd.Int64N(1 << 20)}
			if rnd.IntN(2) == 0 {
				op.name = "hot/" + string(rune('a'+rnd.IntN(6)))
			} else {
				op.name = fmt.Sprintf("own/%d/%d", w, rnd.IntN(8))
			}
			ops = append(ops, op)
		}
	}
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for _, op := range ops[w*perWorker : (w+1)*perWorker] {
				if err := tg.put(ctx, op.name, ts(op.tick), op.deleted, op.size); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent put: %v", err)
	}
	model := newest(ops)
	checkTotals(ctx, t, tg, model)
	live, _ := liveOf(model)
	checkQuery(t, tg, live, objectserver.ListQuery{})
	checkQuery(t, tg, live, objectserver.ListQuery{Delimiter: '/', Reverse: true})
}
