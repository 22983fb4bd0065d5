package badgerstore

import (
	"encoding/binary"

	"github.com/swiftlet/swiftlet/internal/objecthash"
)

// Key namespaces: the first byte of every Badger key. Each is described
// where it is implemented.
const (
	nsObject        byte = 'o' // objects.go: newest version of an object
	nsSuffix        byte = 's' // objects.go: suffix hashes
	nsContainer     byte = 'c' // listing.go: container state
	nsObjectRow     byte = 'r' // listing.go: object rows of a container
	nsAccount       byte = 'a' // listing.go: account state
	nsContainerRow  byte = 'k' // listing.go: container rows of an account
	nsPending       byte = 'p' // pending.go: async pending updates
	nsStoreMetadata byte = 'm' // store-wide values (format version)
)

// Object keys: nsObject, partition (4 bytes, big-endian), suffix (2 bytes,
// big-endian), object hash (16 bytes). Byte order is partition, then
// suffix order, so a partition and a suffix are key ranges.
const objectKeyLen = 1 + 4 + 2 + 16

func objectKey(part uint32, h objecthash.Hash) []byte {
	k := make([]byte, 0, objectKeyLen)
	k = append(k, nsObject)
	k = binary.BigEndian.AppendUint32(k, part)
	k = binary.BigEndian.AppendUint16(k, h.Suffix())
	return append(k, h[:]...)
}

// objectPartPrefix is the prefix of partition part's object keys.
func objectPartPrefix(part uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{nsObject}, part)
}

// objectSuffixPrefix is the prefix of one suffix's object keys.
func objectSuffixPrefix(part uint32, suffix uint16) []byte {
	return binary.BigEndian.AppendUint16(objectPartPrefix(part), suffix)
}

// hashOfObjectKey returns the object hash at the end of an object key.
func hashOfObjectKey(k []byte) (h objecthash.Hash, ok bool) {
	if len(k) != objectKeyLen || k[0] != nsObject {
		return h, false
	}
	copy(h[:], k[7:])
	return h, true
}

// Suffix keys: nsSuffix, partition (4 bytes), suffix (2 bytes), all
// big-endian. The value is the suffix hash (16 bytes) and the number of
// objects and tombstones in the suffix (8 bytes, big-endian); a suffix
// without objects has no key.
const (
	suffixKeyLen   = 1 + 4 + 2
	suffixValueLen = 16 + 8
)

func suffixKey(part uint32, suffix uint16) []byte {
	k := make([]byte, 0, suffixKeyLen)
	k = append(k, nsSuffix)
	k = binary.BigEndian.AppendUint32(k, part)
	return binary.BigEndian.AppendUint16(k, suffix)
}

func suffixPartPrefix(part uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte{nsSuffix}, part)
}

// Pending keys: nsPending, then
//
//	'q', sequence number (8 bytes, big-endian) -> the update (pending.go)
//	'x', object hash (16 bytes) -> sequence number of the object's update
//
// The queue is in sequence order, oldest first.
const (
	pendingQueue byte = 'q'
	pendingIndex byte = 'x'
)

func pendingQueueKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{nsPending, pendingQueue}, seq)
}

func pendingIndexKey(h objecthash.Hash) []byte {
	return append([]byte{nsPending, pendingIndex}, h[:]...)
}

// Store metadata keys.
var (
	// formatKey holds the object format version, a byte.
	formatKey = []byte{nsStoreMetadata, 'f', 'o', 'r', 'm', 'a', 't'}
	// stateKey is "open" while a process has the store open and "clean"
	// after a clean Close: "open" at Open means the last process died,
	// and recovery must look for orphans.
	stateKey = []byte{nsStoreMetadata, 's', 't', 'a', 't', 'e'}
)
