package ring

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
	"github.com/swiftlet/swiftlet/internal/hashpath"
)

// HashAlgorithm is how a ring turns an account/container/object path into a
// partition. swiftlet's own rings use XXHash64; rings imported from Swift use
// MD5 so that every path lands on the partition Swift put it on.
type HashAlgorithm uint8

const (
	// XXHash64 takes the top PartPower bits of xxhash64(prefix/path suffix).
	XXHash64 HashAlgorithm = iota + 1
	// MD5 is Swift's hash_path: the top PartPower bits of the first four
	// bytes (big-endian) of md5(prefix + "/a/c/o" + suffix).
	MD5
)

func (h HashAlgorithm) String() string {
	switch h {
	case XXHash64:
		return "xxhash64"
	case MD5:
		return "md5"
	}
	return fmt.Sprintf("HashAlgorithm(%d)", uint8(h))
}

func parseHashAlgorithm(s string) (HashAlgorithm, error) {
	switch s {
	case "xxhash64":
		return XXHash64, nil
	case "md5":
		return MD5, nil
	}
	return 0, fmt.Errorf("unknown hash algorithm %q", s)
}

// HashSalt is the cluster's secret path salt (Swift's swift_hash_path_prefix
// and swift_hash_path_suffix).
type HashSalt = hashpath.Salt

// pathDigest hashes the salted path (see internal/hashpath) and returns the
// digest (16 bytes of MD5, or the 8 bytes of xxhash64 big-endian) and its
// length. It does not allocate.
func pathDigest(alg HashAlgorithm, salt HashSalt, account, container, object string) (sum [md5.Size]byte, n int) {
	if alg == MD5 {
		return hashpath.MD5(salt, account, container, object), md5.Size
	}
	var h uint64
	if hashpath.Len(salt, account, container, object) <= hashpath.ShortSize {
		var buf [hashpath.ShortSize]byte
		h = xxhash.Sum64(hashpath.Append(buf[:0], salt, account, container, object))
	} else {
		var buf [hashpath.BufSize]byte
		h = xxhash.Sum64(hashpath.Append(buf[:0], salt, account, container, object))
	}
	binary.BigEndian.PutUint64(sum[:8], h)
	return sum, 8
}

// partitionOf is the top partPower bits of the path's digest.
func partitionOf(alg HashAlgorithm, salt HashSalt, partPower uint8, account, container, object string) uint32 {
	sum, _ := pathDigest(alg, salt, account, container, object)
	return uint32(uint64(binary.BigEndian.Uint32(sum[:4])) >> (32 - partPower))
}
