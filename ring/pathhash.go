package ring

import "encoding/hex"

// PathHash returns, in hex, the hash r places /account[/container[/object]]
// by: for MD5 rings Swift's hash_path (32 hex digits; on a Swift node the
// name of the item's directory), for xxhash64 rings the 16 hex digits of
// the 64-bit hash. The partition is the hash's top PartPower bits. Tools
// such as get-nodes print it; lookups use Partition, which does not
// allocate.
func (r *Ring) PathHash(account, container, object string) string {
	sum, n := pathDigest(r.hash, r.salt, account, container, object)
	return hex.EncodeToString(sum[:n])
}
