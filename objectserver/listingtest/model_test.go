package listingtest

import (
	"slices"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

// TestModelMatchesSwift checks the brute-force model against the listings
// Swift computed, so that the model can judge the stores on random input.
func TestModelMatchesSwift(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) < 500 {
		t.Fatalf("swift_listings.json has %d cases, want at least 500", len(g.Cases))
	}
	for _, c := range g.Cases {
		got := modelList(g.Live, c.query())
		if !slices.Equal(got, c.Want) {
			t.Errorf("modelList(%s) = %v, want %v (Swift)", c, got, c.Want)
		}
	}
}

func TestModelLimit(t *testing.T) {
	names := []string{"a", "b", "c"}
	for _, limit := range []int{0, -1, objectserver.MaxListingLimit + 1} {
		if got := modelList(names, objectserver.ListQuery{Limit: limit}); len(got) != 3 {
			t.Errorf("modelList(limit=%d) = %v, want all 3 names", limit, got)
		}
	}
}
