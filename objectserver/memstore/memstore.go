// Package memstore keeps a device's objects, listings and pending updates in
// memory: the reference implementation of objectserver's store contracts,
// for tests. It implements ObjectStore, ContainerStore, AccountStore and
// PendingStore.
package memstore

import "github.com/swiftlet/swiftlet/internal/hashpath"

// Store is an in-memory device. All methods are safe for concurrent use.
type Store struct {
	objectStore  // objects.go
	listingStore // listing.go
	pendingStore // pending.go
}

// New returns an empty store placing objects with the given salt.
func New(salt hashpath.Salt) *Store {
	s := &Store{}
	s.objectStore.init(salt)
	s.listingStore.init()
	s.pendingStore.init()
	return s
}
