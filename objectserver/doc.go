// Package objectserver will be the storage node: per device a Badger index
// plus data files, the object, container and account HTTP endpoints, the
// listing databases and the REPLICATE endpoint used by the replicator.
//
// Nothing lives here yet; the storage-node issue fills it in.
package objectserver
