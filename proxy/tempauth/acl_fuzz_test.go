package tempauth

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCleanACL: CleanACL never panics, refuses only with an *ACLError,
// and what it returns is clean: no item is empty or padded, write ACLs
// carry no referrers, every referrer has a host, and cleaning again
// changes nothing. Swift's clean_acl has two exceptions, kept here (see
// swiftQuirk).
func FuzzCleanACL(f *testing.F) {
	for _, seed := range []string{
		"",                              // nothing
		"bob, sue",                      // groups
		".r:*,.rlistings",               // public listing
		".referrer : -*.example.com",    // the long designator, a negated domain
		".r:*,.r:-.thief.com,acct:user", // Swift's docstring example
		".r:",                           // no host
		".x:y",                          // unknown designator
		" , ,\t,\u00a0",                 // only white space
		".r: - * . ",                    // spaces everywhere
		"a%3Ab,%zz,\xff\xfe",            // escapes and bytes that are not UTF-8
		".r:\u3000x\u3000,\x1c.r:y\x1f", // Unicode and ASCII separators as padding
	} {
		f.Add("X-Container-Read", seed)
		f.Add("X-Container-Write", seed)
	}
	// Found by fuzzing; Swift does the same.
	f.Add("X-Container-Read", ".r:**0")  // -> ".r:*0" -> ".r:0"
	f.Add("X-Container-Read", ".r:*-")   // -> ".r:-", which is refused
	f.Add("X-Container-Read", ".r:*- 0") // -> ".r:- 0" -> ".r:-0"
	f.Fuzz(func(t *testing.T, header, value string) {
		got, err := CleanACL(header, value)
		if err != nil {
			var ae *ACLError
			if !errors.As(err, &ae) || ae.Reason == "" {
				t.Fatalf("CleanACL(%q, %q) error %v is no *ACLError", header, value, err)
			}
			return
		}
		if got == "" {
			return
		}
		for _, item := range strings.Split(got, ",") {
			if item == "" || pyStrip(item) != item {
				t.Fatalf("CleanACL(%q) = %q: item %q is empty or padded", value, got, item)
			}
			if strings.HasPrefix(item, ".r:") && strings.Contains(strings.ToLower(header), "write") {
				t.Fatalf("CleanACL(%q, %q) = %q: a referrer in a write ACL", header, value, got)
			}
		}
		if swiftQuirk(got) {
			return
		}
		if again, err := CleanACL(header, got); err != nil || again != got {
			t.Fatalf("CleanACL(CleanACL(%q)) = %q, %v; want %q unchanged", value, again, err, got)
		}
	})
}

// swiftQuirk reports whether a cleaned ACL has a referrer Swift's
// clean_acl leaves unclean, because it drops only one leading "*" of a
// domain and does so after looking for a "-": ".r:**x" cleans to ".r:*x"
// (then ".r:x"), ".r:*- x" to ".r:- x" (then ".r:-x"), and ".r:*-" to
// ".r:-", which it refuses when cleaned again.
func swiftQuirk(acl string) bool {
	for _, item := range strings.Split(acl, ",") {
		if host, ok := strings.CutPrefix(item, ".r:"); ok {
			host = strings.TrimPrefix(host, "-")
			if host == "" || host == "." || pyStrip(host) != host || host != "*" && strings.HasPrefix(host, "*") {
				return true
			}
		}
	}
	return false
}

// FuzzParseACL: every item of an ACL is either a referrer or a group, in
// order; groups without escapes come back as they are, and decoding is
// UTF-8 whenever the input is.
func FuzzParseACL(f *testing.F) {
	for _, seed := range []string{
		"",                           // no ACL
		".r:*,.rlistings,a:b",        // mixed
		"a%3Ab,%e2%82%ac,%zz,%4",     // valid, UTF-8 and invalid escapes
		"%e2%82%41,%ed%a0%80,%c0%af", // ill-formed UTF-8 after decoding
		",,",                         // empty items
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, acl string) {
		refs, groups := ParseACL(acl)
		if acl == "" {
			if refs != nil || groups != nil {
				t.Fatalf("ParseACL(\"\") = %q, %q", refs, groups)
			}
			return
		}
		items := strings.Split(acl, ",")
		if len(refs)+len(groups) != len(items) {
			t.Fatalf("ParseACL(%q): %d referrers + %d groups, want %d items", acl, len(refs), len(groups), len(items))
		}
		var ri, gi int
		for _, item := range items {
			if r, ok := strings.CutPrefix(item, ".r:"); ok {
				if refs[ri] != r {
					t.Fatalf("ParseACL(%q) referrer %d = %q, want %q", acl, ri, refs[ri], r)
				}
				ri++
				continue
			}
			g := groups[gi]
			if !strings.Contains(item, "%") && g != item {
				t.Fatalf("ParseACL(%q) group %d = %q, want %q", acl, gi, g, item)
			}
			if utf8.ValidString(item) && !utf8.ValidString(g) {
				t.Fatalf("ParseACL(%q) group %q is not UTF-8", acl, g)
			}
			gi++
		}
	})
}

// FuzzReferrerAllowed: no panic; ".r:*" allows everyone, no designation
// allows no one, and denying a host after allowing all denies that host.
func FuzzReferrerAllowed(f *testing.F) {
	for _, seed := range []string{
		"",                                    // no Referer
		"http://www.example.com/x",            // plain
		"HTTPS://user:pw@Host.ORG:8443/p?q#f", // everything, upper case
		"//host.org",                          // scheme-relative
		"http://[fe80::1%eth0]:80/",           // IPv6 with a zone
		"http://[::1/",                        // unbalanced bracket
		"http://[1.2.3.4]/",                   // IPv4 in brackets
		"\t\x00 ht\ntp://x.org",               // control characters Python strips or drops
		"mailto:a@b",                          // no authority
	} {
		f.Add(seed, ".example.com")
	}
	f.Fuzz(func(t *testing.T, referer, rule string) {
		if !ReferrerAllowed(referer, []string{"*"}) {
			t.Fatalf("ReferrerAllowed(%q, [*]) = false", referer)
		}
		if ReferrerAllowed(referer, nil) {
			t.Fatalf("ReferrerAllowed(%q, nil) = true", referer)
		}
		host, ok := referrerHost(referer)
		if !ok || host == "" {
			host = "unknown"
		}
		if ReferrerAllowed(referer, []string{"*", "-" + host}) {
			t.Fatalf("ReferrerAllowed(%q, [* -%s]) = true", referer, host)
		}
		_ = ReferrerAllowed(referer, []string{rule, "-" + rule}) // no panic on any rule
	})
}
