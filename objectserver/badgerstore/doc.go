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
//	<device>/objects/     data files of objects too large to keep in the index
//	<device>/tmp/         data files being written
//	<device>/quarantined/ corrupt data moved aside
//
// # Badger keys
//
// Every key starts with a one-byte namespace (see keys.go); the rest is
// described where each namespace is implemented.
package badgerstore
