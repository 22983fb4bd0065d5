package ring

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"

	"github.com/cespare/xxhash/v2"
)

// PathHash returns, in hex, the hash r places /account[/container[/object]]
// by: for MD5 rings Swift's hash_path (32 hex digits; on a Swift node the
// name of the item's directory), for xxhash64 rings the 16 hex digits of
// the 64-bit hash. The partition is the hash's top PartPower bits. Tools
// such as get-nodes print it; lookups use Partition, which does not
// allocate.
func (r *Ring) PathHash(account, container, object string) string {
	path := r.salt.Prefix + "/" + account
	if container != "" {
		path += "/" + container
		if object != "" {
			path += "/" + object
		}
	}
	path += r.salt.Suffix
	if r.hash == MD5 {
		sum := md5.Sum([]byte(path))
		return hex.EncodeToString(sum[:])
	}
	var sum [8]byte
	binary.BigEndian.PutUint64(sum[:], xxhash.Sum64String(path))
	return hex.EncodeToString(sum[:])
}
