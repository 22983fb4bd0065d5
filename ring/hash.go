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

// partitionOf hashes "/account[/container[/object]]" between the salt's
// prefix and suffix and keeps the top partPower bits. Empty container or
// object parts are left out, as Swift's hash_path does. It does not
// allocate for paths up to pathBufSize bytes.
func partitionOf(alg HashAlgorithm, salt HashSalt, partPower uint8, account, container, object string) uint32 {
	if alg == MD5 {
		var buf [pathBufSize]byte
		b := append(buf[:0], salt.Prefix...)
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
		b = append(b, salt.Suffix...)
		sum := md5.Sum(b)
		return uint32(uint64(binary.BigEndian.Uint32(sum[:4])) >> (32 - partPower))
	}
	var d xxhash.Digest
	d.Reset()
	d.WriteString(salt.Prefix)
	d.WriteString("/")
	d.WriteString(account)
	if container != "" {
		d.WriteString("/")
		d.WriteString(container)
		if object != "" {
			d.WriteString("/")
			d.WriteString(object)
		}
	}
	d.WriteString(salt.Suffix)
	return uint32(d.Sum64() >> (64 - partPower))
}

// pathBufSize covers Swift's longest names (256-byte account and container,
// 1024-byte object) plus a salt.
const pathBufSize = 2048
