package hashpath

import (
	"fmt"
	"strings"
	"testing"
)

func TestHex(t *testing.T) {
	// Swift 2.30 with prefix and suffix "changeme": swift-get-nodes prints
	// this hash for AUTH_test/c/o.
	salt := Salt{Prefix: "changeme", Suffix: "changeme"}
	if got, want := Hex(salt, "AUTH_test", "c", "o"), "4e2772c453cbe15a19b26fbfbb223e31"; got != want {
		t.Errorf("Hex(AUTH_test, c, o) = %s, want %s", got, want)
	}
	// An object without a container is not a path; the object is left out.
	if Hex(salt, "a", "", "o") != Hex(salt, "a", "", "") {
		t.Error("object without container changed the hash")
	}
}

func TestSuffixIsLastThreeHexDigits(t *testing.T) {
	for i := range 50 {
		sum := MD5(Salt{}, "a", "c", fmt.Sprint(i))
		h := Hex(Salt{}, "a", "c", fmt.Sprint(i))
		if got, want := fmt.Sprintf("%03x", Suffix(sum)), h[29:]; got != want {
			t.Fatalf("Suffix = %s, want %s (of %s)", got, want, h)
		}
	}
}

func TestLenMatchesAppend(t *testing.T) {
	salt := Salt{Prefix: "p", Suffix: "ss"}
	for _, p := range [][3]string{{"a", "", ""}, {"a", "c", ""}, {"a", "c", "o"}, {"a", "", "o"}, {"a", "c", strings.Repeat("o", 3000)}} {
		if got, want := Len(salt, p[0], p[1], p[2]), len(Append(nil, salt, p[0], p[1], p[2])); got != want {
			t.Errorf("Len%v = %d, want %d", p, got, want)
		}
	}
}

func TestMD5DoesNotAllocate(t *testing.T) {
	long := strings.Repeat("o", 1024)
	for _, obj := range []string{"photo.jpg", long} {
		if n := testing.AllocsPerRun(50, func() { MD5(Salt{"pre", "suf"}, "AUTH_test", "c", obj) }); n != 0 {
			t.Errorf("%d-byte object: %v allocations, want 0", len(obj), n)
		}
	}
}
