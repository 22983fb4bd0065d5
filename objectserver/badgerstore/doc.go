// Package badgerstore is the on-disk store of one storage device: objects,
// container and account listings, and pending listing updates, indexed in
// one Badger database on the device, with large objects' data in files
// beside it. It implements objectserver's ObjectStore, ContainerStore,
// AccountStore and PendingStore. It is the only package that imports
// Badger.
//
// # Layout of a device directory
//
//	<device>/index/       the Badger database
//	<device>/objects/     data files of objects too large to keep in the index:
//	                      objects/<partition>/<object hash>-<file id>.data
//	<device>/tmp/         data files being written (emptied at Open)
//	<device>/quarantined/ corrupt data moved aside
//
// The file id is random, so two writes of one object never share a file
// name; the record names the file by it.
//
// # Badger keys
//
// Every key starts with a one-byte namespace (see keys.go); the rest is
// described where each namespace is implemented. The object store's:
//
//	'o' partition(4, BE) suffix(2, BE) hash(16)  -> object record
//	's' partition(4, BE) suffix(2, BE)           -> suffix hash(16) count(8, BE)
//	'p' 'q' sequence(8, BE)                      -> pending update (pending.go)
//	'p' 'x' hash of /account/container/object    -> sequence(8) timestamp(16)
//	'm' "format"                                 -> object format version (1)
//	'm' "state"                                  -> "open" or "clean" (recovery)
//
// The Badger entry of an object record carries the record's flags in its
// UserMeta byte, so that scans for tombstones (reclaim) and file-backed
// records (recovery) read keys only.
//
// # Object records (version 1)
//
//	version     1 byte (1)
//	flags       1 byte: 1 tombstone, 2 data in a file
//	timestamp   16 bytes: X-Timestamp (internal/timestamp binary form)
//	meta ts     16 bytes: MetaTimestamp
//	name        uvarint length, bytes: /account/container/object
//
// A tombstone ends there. A live object goes on:
//
//	content type  uvarint length, bytes
//	size          uvarint
//	etag          16 bytes: the MD5
//	delete-at     varint, Unix seconds (0: never)
//	headers       uvarint count, then name and value (uvarint length,
//	              bytes each), sorted by name
//
// and then either, for inline data,
//
//	checksum    8 bytes, little-endian: xxhash64 of the data
//	data        the rest of the record (size bytes)
//
// or, for a data file,
//
//	file id     8 bytes, little-endian
//	block size  uvarint: bytes per checksummed block
//
// # Data files
//
//	data        size bytes
//	checksums   8 bytes (little-endian xxhash64) per block of data:
//	            64 KiB blocks, the last one possibly short
//	trailer     32 bytes: "SWLTDAT1", size (8, BE), block size (4, BE),
//	            zero (4), xxhash64 of the trailer's first 24 bytes (8, LE)
//
// Data is contiguous, so a range read is one pread per block (or one for
// many whole blocks); the checksums follow it because the writer learns
// them as it streams. A reader checks the trailer against the record at
// Open, and each block against its checksum before handing out any byte
// of it; a mismatch quarantines the object (its record is removed, which
// changes the suffix hash so that replication restores it, and its data
// file is moved to quarantined/) and fails the read with ErrCorrupt.
//
// # Writes and durability
//
// Objects up to Options.InlineThreshold bytes (64 KiB) live in their
// record. Larger ones stream to tmp/ (space reserved with fallocate when
// the size is known, so that a full disk fails the write before any byte
// is written), are fdatasync'ed, renamed into objects/<partition>/, and
// the directory is fsync'ed; then the record is committed. Record changes
// go through one committer goroutine that applies the changes queued
// during the previous commit in one Badger transaction synced once (group
// commit; objects_commit.go). Each change checks the newest timestamp
// inside that transaction and updates the suffix hash incrementally: the
// XOR of a digest of (hash, timestamps, deleted) per object
// (internal/objecthash), so SuffixHashes reads only the 's' keys. Object
// reads use a snapshot the committer refreshes after each group
// (objects_snapshot.go), so they never wait for a commit's fsync.
//
// Recovery after a crash is described in objects_recover.go.
package badgerstore
