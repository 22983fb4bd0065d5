// Package ring places every account, container and object of a swiftlet
// cluster on devices.
//
// A path /account/container/object hashes to one of 2^PartPower partitions;
// the ring maps each partition to the devices holding its replicas (the
// primaries) and orders every other device as handoffs for when primaries
// fail. The proxy, the storage nodes and the replicator all look paths up
// here, so a Ring is an immutable value that is cheap to share and
// lock-free to read; servers swap in a new one when the ring file changes
// (Watcher).
//
// The Builder is the operator's side: devices with regions, zones, servers
// (IP addresses) and weights, a replica count (fractional allowed),
// min_part_hours and an overload factor. Rebalance assigns partitions so
// that replicas of a partition are as dispersed across failure domains as
// possible, each device holds a share proportional to its weight, and as
// little moves as possible on each change. DESIGN.md in this directory
// explains how. Balance and dispersion are computed exactly as Swift's
// swift-ring-builder computes them, so the figures compare directly.
//
// # Glossary
//
//   - partition: a slice of the hash space; the unit of placement and of
//     replication.
//   - replica row: for replica r, the device of every partition (Swift's
//     replica2part2dev). With a fractional replica count the last row
//     covers only the first part of the partitions.
//   - slot: one replica of one partition.
//   - tier: a failure domain: region, zone (region+zone), server
//     (region+zone+ip) or device.
//   - replicanths: the average number of a partition's replicas a tier
//     should hold; a device's is at most 1.
//   - balance: the largest deviation, in percent, of a device's partition
//     count from its weight's share.
//   - dispersion: the percentage of slots in a tier that already holds
//     more replicas of the partition than an even spread allows.
//
// # Placement hash
//
// swiftlet's rings take the top PartPower bits of
// xxhash64(prefix + "/account/container/object" + suffix), where prefix and
// suffix are the cluster's secret salt (HashSalt). Rings read from Swift
// take the top bits of the first four bytes of the MD5 of the same string,
// as Swift does, so an imported Swift ring places every path where Swift
// placed it.
//
// # Ring file format
//
// A ring file is gzip-compressed and holds, uncompressed:
//
//	"SWLTRING"   8 bytes of magic
//	version      uint16, big-endian; 1
//	hdrlen       uint32, big-endian
//	header       hdrlen bytes of JSON: part_power, row_lengths, hash
//	             ("xxhash64" or "md5"), version (the builder's), devs (by id,
//	             null for unused ids; fields as in Swift: id, region, zone,
//	             ip, port, replication_ip, replication_port, device,
//	             weight, meta)
//	rows         for each row, row_lengths[i] device ids as uint16,
//	             little-endian
//	checksum     uint64, big-endian: xxhash64 of all the bytes above
//
// A file that fails its checksum is rejected whole. Files are written to a
// temporary name, fsync'd and renamed, so readers never see a partial one.
// Load also reads Swift's format: "R1NG", version 1 (uint16), a JSON header
// (devs, part_shift, replica_count, byteorder) and the rows in the named
// byte order.
//
// # Builder file format
//
// The same layout, uncompressed, with magic "SWLTBLDR"; the header adds the
// builder's settings (replicas, min_part_hours, overload, id, devices with
// their partition counts, devices marked for removal, the epoch of the
// move ages) and the body is the rows followed by one byte per partition:
// hours since the partition last moved, saturating at 255.
package ring
