package tempauth

import (
	"errors"
	"slices"
	"testing"
)

// TestCleanACL: the examples of Swift's clean_acl docstring.
func TestCleanACL(t *testing.T) {
	tests := []struct {
		header, in, want, err string
	}{
		{"X-Container-Read", "bob, sue", "bob,sue", ""},
		{"X-Container-Read", "bob , sue", "bob,sue", ""},
		{"X-Container-Read", "bob,,,sue", "bob,sue", ""},
		{"X-Container-Read", ".referrer : *", ".r:*", ""},
		{"X-Container-Read", ".ref:*.example.com", ".r:.example.com", ""},
		{"X-Container-Read", ".r:*, .rlistings", ".r:*,.rlistings", ""},
		{"X-Container-Read", ".r:*,.r:-.thief.com,bobs_account,sues_account:sue", ".r:*,.r:-.thief.com,bobs_account,sues_account:sue", ""},
		{"X-Container-Read", ".r:", "", "No host/domain value after referrer designation in ACL: '.r:'"},
		{"X-Container-Read", ".r:-", "", "No host/domain value after referrer designation in ACL: '.r:-'"},
		{"X-Container-Read", ".x:y", "", "Unknown designator '.x' in ACL: '.x:y'"},
		{"X-Container-Write", ".r:*", "", "Referrers not allowed in write ACL: '.r:*'"},
		{"x-container-write", "bob, .rlistings", "bob,.rlistings", ""},
		{"X-Container-Write", "test:tester3", "test:tester3", ""},
	}
	for _, tt := range tests {
		got, err := CleanACL(tt.header, tt.in)
		var ae *ACLError
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("CleanACL(%q, %q) = %q, %v; want %q", tt.header, tt.in, got, err, tt.want)
		case tt.err != "" && (!errors.As(err, &ae) || ae.Reason != tt.err):
			t.Errorf("CleanACL(%q, %q) = %q, %v; want the error %q", tt.header, tt.in, got, err, tt.err)
		}
	}
}

func TestParseACL(t *testing.T) {
	refs, groups := ParseACL(".r:*,.rlistings,test:tester3,.r:-bad.example.com,test2%3Atester2")
	if want := []string{"*", "-bad.example.com"}; !slices.Equal(refs, want) {
		t.Errorf("referrers = %q, want %q", refs, want)
	}
	if want := []string{".rlistings", "test:tester3", "test2:tester2"}; !slices.Equal(groups, want) {
		t.Errorf("groups = %q, want %q", groups, want)
	}
	if refs, groups := ParseACL(""); refs != nil || groups != nil {
		t.Errorf(`ParseACL("") = %q, %q; want nothing`, refs, groups)
	}
}

func TestReferrerAllowed(t *testing.T) {
	tests := []struct {
		referer string
		acl     []string
		want    bool
	}{
		{"http://www.example.com/index.html", []string{"*"}, true},
		{"", []string{"*"}, true},
		{"", []string{".example.com"}, false},
		{"", nil, false},
		{"http://www.example.com/index.html", []string{".example.com"}, true},
		{"http://www.example.com/index.html", []string{"www.example.com"}, true},
		{"http://WWW.Example.COM:8080/", []string{"www.example.com"}, true},
		{"http://user:pass@www.example.com/", []string{"www.example.com"}, true},
		{"http://example.com/", []string{".example.com"}, false},
		{"http://www.example.com.evil.org/", []string{".example.com"}, false},
		{"http://thief.example.com/", []string{".example.com", "-thief.example.com"}, false},
		{"http://thief.example.com/", []string{"-thief.example.com", ".example.com"}, true},
		{"http://a.thief.com/", []string{"*", "-.thief.com"}, false},
		{"www.example.com", []string{"www.example.com"}, false}, // no scheme or //: no host
		{"//www.example.com/x", []string{"www.example.com"}, true},
		{"http://[::1]:8080/", []string{"::1"}, true},
		{"http://[::1/", []string{"*"}, true}, // Python raises; no host
		{"http://[::1/", []string{"unknown"}, true},
	}
	for _, tt := range tests {
		if got := ReferrerAllowed(tt.referer, tt.acl); got != tt.want {
			t.Errorf("ReferrerAllowed(%q, %q) = %v, want %v", tt.referer, tt.acl, got, tt.want)
		}
	}
}

func TestPyQuote(t *testing.T) {
	for in, want := range map[string]string{
		"test": "test", "a b": "a%20b", "é": "%C3%A9", "a/b~c_d.e-f": "a/b~c_d.e-f", "a:b?c#d%": "a%3Ab%3Fc%23d%25",
	} {
		if got := pyQuote(in); got != want {
			t.Errorf("pyQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
