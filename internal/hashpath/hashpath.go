// Package hashpath builds the strings Swift hashes to place and name
// accounts, containers and objects: prefix + "/account[/container[/object]]"
// + suffix, where prefix and suffix are the cluster's secret salt. The ring
// hashes it to a partition; storage nodes key objects by its MD5 (Swift's
// hash_path), whose last three hex digits are the object's suffix, the unit
// replication compares.
package hashpath

import (
	"crypto/md5"
	"encoding/hex"
)

// Salt is the cluster's secret path salt, Swift's swift_hash_path_prefix
// and swift_hash_path_suffix. Every node and proxy of a cluster must use the
// same salt, and it must never change once data is stored.
type Salt struct {
	Prefix string
	Suffix string
}

// Append appends the salted path to b. Empty container or object parts
// are left out, as Swift's hash_path does.
func Append(b []byte, salt Salt, account, container, object string) []byte {
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

// Len is the length of the salted path.
func Len(salt Salt, account, container, object string) int {
	n := len(salt.Prefix) + 1 + len(account) + len(salt.Suffix)
	if container != "" {
		n += 1 + len(container)
		if object != "" {
			n += 1 + len(object)
		}
	}
	return n
}

// BufSize covers Swift's longest names (256-byte account and container,
// 1024-byte object) plus a salt; ShortSize the usual ones. Callers hashing
// a path build it in a stack buffer of one of these sizes, the smaller
// when Len allows (less stack to clear), and so do not allocate.
const (
	BufSize   = 2048
	ShortSize = 256
)

// MD5 is Swift's hash_path: the MD5 of the salted path. It does not
// allocate for paths up to BufSize.
func MD5(salt Salt, account, container, object string) [md5.Size]byte {
	if Len(salt, account, container, object) <= ShortSize {
		var buf [ShortSize]byte
		return md5.Sum(Append(buf[:0], salt, account, container, object))
	}
	var buf [BufSize]byte
	return md5.Sum(Append(buf[:0], salt, account, container, object))
}

// Hex is Swift's hash_path in hex, the 32-digit name Swift gives an item's
// directory.
func Hex(salt Salt, account, container, object string) string {
	sum := MD5(salt, account, container, object)
	return hex.EncodeToString(sum[:])
}

// Suffix is the last three hex digits of a hash_path: the replication unit
// of a partition (4096 per partition).
func Suffix(sum [md5.Size]byte) uint16 {
	return uint16(sum[14]&0x0f)<<8 | uint16(sum[15])
}
