package proxy

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// The format negotiation of made-up account listings, against swob's
// Accept.best_match.
func TestListingContentType(t *testing.T) {
	for _, tc := range []struct {
		name, query, accept string
		want                string
		status              int // of the error, if any
	}{
		{"default", "", "", "text/plain", 0},
		{"format json", "format=json", "", "application/json", 0},
		{"format XML upper", "format=XML", "", "application/xml", 0},
		{"unknown format is plain", "format=yaml", "application/json", "text/plain", 0},
		{"empty format uses Accept", "format=", "application/json", "application/json", 0},
		{"format beats Accept", "format=json", "text/xml", "application/json", 0},
		{"accept xml", "", "text/xml", "text/xml", 0},
		{"quality", "", "application/json;q=0.2, application/xml;q=0.8", "application/xml", 0},
		{"exact before wildcard", "", "*/*, application/json", "application/json", 0},
		{"wildcard subtype", "", "application/*", "application/json", 0},
		{"header order", "", "application/xml, application/json", "application/xml", 0},
		{"browser", "", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml", 0},
		{"parameters", "", `application/json; charset="utf-8"; q=1`, "application/json", 0},
		{"not acceptable", "", "image/png", "", http.StatusNotAcceptable},
		{"zero quality still listed", "", "application/json;q=0", "application/json", 0},
		{"malformed", "", "json", "", http.StatusBadRequest},
		{"two q", "", "text/plain;q=1;q=0.5", "", http.StatusBadRequest},
		{"bad q", "", "text/plain;q=high", "", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.accept != "" {
				h.Set("Accept", tc.accept)
			}
			r := &request{Request: &http.Request{URL: &url.URL{RawQuery: tc.query}, Header: h}}
			got, err := listingContentType(h, parseListingQuery(r))
			if tc.status != 0 {
				if se, ok := err.(*StatusError); !ok || se.Status != tc.status {
					t.Errorf("listingContentType(%q, %q) = %q, %v; want status %d", tc.query, tc.accept, got, err, tc.status)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("listingContentType(%q, %q) = %q, %v; want %q", tc.query, tc.accept, got, err, tc.want)
			}
		})
	}
}

func FuzzAcceptBestMatch(f *testing.F) {
	for _, seed := range []string{
		"",                    // accepts the first
		"application/json",    // exact
		"*/*;q=0.1, text/xml", // wildcard and quality
		`a/b; x="q=1"; q=0.5`, // quoted parameter
		"text/plain;q=1;q=2",  // two qualities
		",",                   // empty item
		"application/\x00",    // control byte
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got, err := acceptBestMatch(header, listingTypes)
		if err != nil {
			return
		}
		if got != "" && !slices.Contains(listingTypes, got) {
			t.Fatalf("acceptBestMatch(%q) = %q, not an option", header, got)
		}
		again, _ := acceptBestMatch(header, listingTypes)
		if again != got {
			t.Fatalf("acceptBestMatch(%q) = %q then %q", header, got, again)
		}
	})
}
