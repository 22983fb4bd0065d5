// Package auditor will walk every stored object at a bounded rate, verify its
// checksum, size and ETag, and quarantine what is corrupt so the replicator
// restores a good copy.
//
// Nothing lives here yet; the replication issue fills it in.
package auditor
