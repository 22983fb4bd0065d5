package objectserver

import (
	"slices"
	"strings"
	"testing"
)

// fakeListing answers listing queries from a sorted set of names, rolling
// names up to subdirs at the delimiter as the stores do.
type fakeListing struct {
	names   []string
	queries int
}

func (f *fakeListing) query(q ListQuery) ([]ObjectEntry, error) {
	f.queries++
	var out []ObjectEntry
	for _, n := range f.names {
		if len(out) == q.Limit {
			break
		}
		if n <= q.Marker || !strings.HasPrefix(n, q.Prefix) {
			continue
		}
		if q.Delimiter != 0 {
			if i := strings.IndexByte(n[len(q.Prefix):], q.Delimiter); i >= 0 {
				dir := n[:len(q.Prefix)+i+1]
				if len(out) == 0 || out[len(out)-1].Subdir != dir {
					out = append(out, ObjectEntry{Subdir: dir})
				}
				continue
			}
		}
		out = append(out, ObjectEntry{ObjectRow: ObjectRow{Name: n}})
	}
	return out, nil
}

func names(es []ObjectEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.listingName())
	}
	return out
}

func TestFillPage(t *testing.T) {
	all := []string{"a", "b/1", "b/2", "c", "x1", "x2", "x3", "y"} // sorted
	keepAll := func(e ObjectEntry) (ObjectEntry, bool, error) { return e, true, nil }
	dropX := func(e ObjectEntry) (ObjectEntry, bool, error) {
		return e, !strings.HasPrefix(e.listingName(), "x"), nil
	}
	for _, tt := range []struct {
		name        string
		q           ListQuery
		keep        func(ObjectEntry) (ObjectEntry, bool, error)
		want        []string
		wantQueries int
	}{
		{"limit 0 queries nothing", ListQuery{Limit: 0}, keepAll, []string{}, 0},
		{"one page", ListQuery{Limit: 3}, keepAll, []string{"a", "b/1", "b/2"}, 1},
		// The first page is a, b/, c, x1; x1 is left out, and so are x2 and
		// x3 of the pages that make up for it.
		{"dropped entries are made up from the following pages", ListQuery{Limit: 4, Delimiter: '/'}, dropX, []string{"a", "b/", "c", "y"}, 4},
		// A subdir equal to the marker (what a delimiter listing continues
		// from) is not listed again.
		{"subdir marker not repeated", ListQuery{Limit: 2, Delimiter: '/', Marker: "b/"}, keepAll, []string{"c", "x1"}, 2},
		{"short page ends the listing", ListQuery{Limit: 20}, keepAll, all, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeListing{names: all}
			got, err := fillPage(tt.q, f.query, tt.keep)
			if err != nil {
				t.Fatalf("fillPage: %v", err)
			}
			if !slices.Equal(names(got), tt.want) {
				t.Errorf("fillPage(%+v) = %q, want %q", tt.q, names(got), tt.want)
			}
			if f.queries != tt.wantQueries {
				t.Errorf("fillPage(%+v) made %d queries, want %d", tt.q, f.queries, tt.wantQueries)
			}
		})
	}
}
