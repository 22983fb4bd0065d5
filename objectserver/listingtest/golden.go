package listingtest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

// swiftListings are listings computed by Swift 2.30.1 itself; see
// testdata/gen_swift_listings.py.
//
//go:embed testdata/swift_listings.json
var swiftListings []byte

// golden is the decoded swift_listings.json.
type golden struct {
	Swift   string       `json:"swift"`
	Live    []string     `json:"live"`
	Deleted []string     `json:"deleted"`
	Cases   []goldenCase `json:"cases"`
}

type goldenCase struct {
	Limit     int     `json:"limit"`
	Marker    string  `json:"marker"`
	EndMarker string  `json:"end_marker"`
	Prefix    string  `json:"prefix"`
	Delimiter string  `json:"delimiter"`
	Reverse   bool    `json:"reverse"`
	Want      []entry `json:"want"`
}

func (c goldenCase) query() objectserver.ListQuery {
	q := objectserver.ListQuery{Limit: c.Limit, Marker: c.Marker, EndMarker: c.EndMarker, Prefix: c.Prefix, Reverse: c.Reverse}
	if c.Delimiter != "" {
		q.Delimiter = c.Delimiter[0]
	}
	return q
}

func (c goldenCase) String() string { return describe(c.query()) }

func loadGolden(t testing.TB) golden {
	t.Helper()
	var g golden
	if err := json.Unmarshal(swiftListings, &g); err != nil {
		t.Fatalf("decode swift_listings.json: %v", err)
	}
	for _, c := range g.Cases {
		if len(c.Delimiter) > 1 {
			t.Fatalf("swift_listings.json: delimiter %q is not one byte", c.Delimiter)
		}
	}
	return g
}

// describe formats a query for failure messages.
func describe(q objectserver.ListQuery) string {
	s := fmt.Sprintf("limit=%d", q.Limit)
	if q.Marker != "" {
		s += fmt.Sprintf(" marker=%q", q.Marker)
	}
	if q.EndMarker != "" {
		s += fmt.Sprintf(" end_marker=%q", q.EndMarker)
	}
	if q.Prefix != "" {
		s += fmt.Sprintf(" prefix=%q", q.Prefix)
	}
	if q.Delimiter != 0 {
		s += fmt.Sprintf(" delimiter=%q", q.Delimiter)
	}
	if q.Reverse {
		s += " reverse"
	}
	return s
}
