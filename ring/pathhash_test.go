package ring

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
)

func TestPathHash(t *testing.T) {
	salt := HashSalt{Prefix: "changeme", Suffix: "changeme"}
	for _, alg := range []HashAlgorithm{XXHash64, MD5} {
		r, err := newRing(10, [][]uint16{make([]uint16, 1<<10)}, []*Device{{ID: 0}}, 1, alg, salt, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][3]string{{"AUTH_test", "", ""}, {"AUTH_test", "c", ""}, {"AUTH_test", "c", "o"}, {"a", "c", "o/with/slashes"}} {
			t.Run(fmt.Sprintf("%v/%s/%s/%s", alg, p[0], p[1], p[2]), func(t *testing.T) {
				h := r.PathHash(p[0], p[1], p[2])
				raw, err := hex.DecodeString(h)
				if err != nil {
					t.Fatalf("PathHash = %q, not hex: %v", h, err)
				}
				top, _ := strconv.ParseUint(hex.EncodeToString(raw[:4]), 16, 32)
				if got, want := uint32(top>>(32-10)), r.Partition(p[0], p[1], p[2]); got != want {
					t.Errorf("partition from PathHash %s = %d, Partition = %d", h, got, want)
				}
			})
		}
	}
	// Swift 2.30 with swift_hash_path_prefix = suffix = "changeme":
	// swift-get-nodes object.ring.gz AUTH_test c o prints this hash.
	r, _ := newRing(6, [][]uint16{make([]uint16, 64)}, []*Device{{ID: 0}}, 1, MD5, salt, "")
	if got, want := r.PathHash("AUTH_test", "c", "o"), "4e2772c453cbe15a19b26fbfbb223e31"; got != want {
		t.Errorf("PathHash(AUTH_test, c, o) = %s, want Swift's %s", got, want)
	}
}
