package listingtest

import (
	"slices"
	"strings"

	"github.com/swiftlet/swiftlet/objectserver"
)

// entry is a listing entry reduced to what listing order decides: a name,
// or a subdir.
type entry struct {
	Name   string `json:"name,omitempty"`
	Subdir string `json:"subdir,omitempty"`
}

func (e entry) String() string {
	if e.Subdir != "" {
		return "subdir:" + e.Subdir
	}
	return e.Name
}

// modelList is the brute-force definition of a listing page: filter the
// live names by the bounds, order them, roll names holding the delimiter
// after the prefix into subdirs, and cut at the limit. It shares no code
// with the stores, which seek and skip instead.
//
// One Swift rule is less obvious: the subdir equal to the lower marker
// (Marker, or EndMarker when listing in reverse) is left out, so that the
// next page after a subdir does not repeat it.
func modelList(live []string, q objectserver.ListQuery) []entry {
	limit := q.Limit
	if limit <= 0 || limit > objectserver.MaxListingLimit {
		limit = objectserver.MaxListingLimit
	}
	lower, upper := q.Marker, q.EndMarker // both exclusive
	if q.Reverse {
		lower, upper = upper, lower
	}
	var names []string
	for _, n := range live {
		if strings.HasPrefix(n, q.Prefix) && (lower == "" || n > lower) && (upper == "" || n < upper) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	if q.Reverse {
		slices.Reverse(names)
	}
	out := []entry{}
	lastDir := ""
	for _, n := range names {
		if len(out) == limit {
			break
		}
		if q.Delimiter != 0 {
			if i := strings.IndexByte(n[len(q.Prefix):], q.Delimiter); i >= 0 {
				dir := n[:len(q.Prefix)+i+1]
				if dir != lower && dir != lastDir {
					out = append(out, entry{Subdir: dir})
					lastDir = dir
				}
				continue
			}
		}
		out = append(out, entry{Name: n})
	}
	return out
}
