// Package replicator will keep replicas complete: it compares partition suffix
// hashes with the other primaries, pushes what they lack, reverts handoff
// partitions to their primaries, retries async container updates and expires
// objects whose X-Delete-At has passed.
//
// Nothing lives here yet; the replication issue fills it in.
package replicator
