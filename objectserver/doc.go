// Package objectserver is the storage node: what a node keeps on each of
// its devices and the HTTP protocol the proxy and the replicator speak with
// it.
//
// # Place in the pipeline
//
//	proxy --HTTP--> objectserver.Server (object, container and account
//	                endpoints, REPLICATE) --> Devices --> per device:
//	                ObjectStore, ContainerStore, AccountStore, PendingStore
//
// The stores are contracts owned by this package (store.go, listing.go,
// device.go) with two implementations: objectserver/badgerstore (a Badger
// index per device plus data files; what nodes run) and
// objectserver/memstore (in memory, for tests). objectserver/storetest
// and objectserver/listingtest are the conformance suites both pass.
// objectserver/node assembles a node from its configuration file.
// PROTOCOL.md in this directory describes the wire protocol of the three
// servers and where it differs from Swift's.
//
// # Glossary
//
//   - device: a directory on a node, normally the mount point of one disk,
//     named in the rings (sdb1).
//   - partition: the ring's unit of placement; every request names the
//     partition of its item.
//   - object hash: Swift's hash_path, the MD5 of the salted
//     /account/container/object; its last three hex digits are the
//     object's suffix.
//   - suffix hash: a digest of everything stored in one suffix of a
//     partition; replicas compare them to find what differs.
//   - tombstone: the record a DELETE leaves, so that the delete wins over
//     older copies elsewhere; reclaimed after reclaim_age.
//   - timestamp: Swift's X-Timestamp (internal/timestamp); the newest wins.
//   - async pending: a listing update the container servers did not take;
//     queued on the device for the updater.
package objectserver
