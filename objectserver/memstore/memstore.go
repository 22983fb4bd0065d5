// Package memstore keeps a device's objects, listings and pending updates in
// memory: the reference implementation of objectserver's store contracts,
// for tests. It implements ObjectStore, ContainerStore, AccountStore and
// PendingStore.
//
// It is written to be obviously right rather than fast: one mutex per
// concern, whole copies of data and metadata in and out, and suffix hashes
// computed from scratch when asked for. objectserver/storetest compares
// other stores with it.
package memstore

import (
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Store is an in-memory device. All methods are safe for concurrent use.
type Store struct {
	objectStore  // objects.go
	listingStore // listing.go
	pendingStore // pending.go
}

var (
	_ objectserver.ObjectStore  = (*Store)(nil)
	_ objectserver.PendingStore = (*Store)(nil)
)

// Options tune a Store. The zero value of each field selects its default.
type Options struct {
	// ReclaimAge is how long ReclaimTombstones keeps tombstones. Default
	// 7 days.
	ReclaimAge time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

const defaultReclaimAge = 7 * 24 * time.Hour

// New returns an empty store placing objects with the given salt.
func New(salt hashpath.Salt) *Store {
	return NewWithOptions(salt, nil)
}

// NewWithOptions is New with options; nil means the defaults.
func NewWithOptions(salt hashpath.Salt, opts *Options) *Store {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.ReclaimAge <= 0 {
		o.ReclaimAge = defaultReclaimAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Store{}
	s.objectStore.init(salt, o)
	s.listingStore.init()
	s.pendingStore.init()
	return s
}

// Close makes later object and pending calls fail with ErrClosed. It is
// idempotent.
func (s *Store) Close() error {
	s.objectStore.close()
	s.pendingStore.close()
	return nil
}
