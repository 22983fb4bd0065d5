package ring

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"

	"github.com/cespare/xxhash/v2"
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

// HashSalt is the cluster's secret path salt, Swift's swift_hash_path_prefix
// and swift_hash_path_suffix. Every node and proxy of a cluster must use the
// same salt, and it must never change once data is stored.
type HashSalt struct {
	Prefix string
	Suffix string
}

// pathDigest hashes "/account[/container[/object]]" between the salt's
// prefix and suffix, leaving out empty container or object parts as
// Swift's hash_path does. It returns the digest (16 bytes of MD5, or the 8
// bytes of xxhash64 big-endian) and its length. It does not allocate for
// paths up to pathBufSize bytes.
func pathDigest(alg HashAlgorithm, salt HashSalt, account, container, object string) (sum [md5.Size]byte, n int) {
	var b []byte
	if len(salt.Prefix)+len(salt.Suffix)+len(account)+len(container)+len(object)+3 <= shortPathSize {
		var buf [shortPathSize]byte // most paths: less stack to clear
		b = appendPath(buf[:0], salt, account, container, object)
	} else {
		var buf [pathBufSize]byte
		b = appendPath(buf[:0], salt, account, container, object)
	}
	if alg == MD5 {
		return md5.Sum(b), md5.Size
	}
	binary.BigEndian.PutUint64(sum[:8], xxhash.Sum64(b))
	return sum, 8
}

// partitionOf is the top partPower bits of the path's digest.
func partitionOf(alg HashAlgorithm, salt HashSalt, partPower uint8, account, container, object string) uint32 {
	sum, _ := pathDigest(alg, salt, account, container, object)
	return uint32(uint64(binary.BigEndian.Uint32(sum[:4])) >> (32 - partPower))
}

// pathBufSize covers Swift's longest names (256-byte account and container,
// 1024-byte object) plus a salt; shortPathSize the usual ones.
const (
	pathBufSize   = 2048
	shortPathSize = 256
)

func appendPath(b []byte, salt HashSalt, account, container, object string) []byte {
	b = append(b, salt.Prefix...)
	b = append(b, '/')
	b = append(b, account...)
	if container != "" {
		b = append(b, '/')
		b = append(b, container...)
		if object != "" {
			b = append(b, '/')
			b = append(b, object...)
		}
	}
	return append(b, salt.Suffix...)
}
