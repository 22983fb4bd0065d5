package objectserver

import (
	"context"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// MaxListingLimit is the most entries one listing returns (Swift's
// container_listing_limit and account_listing_limit).
const MaxListingLimit = 10000

// MetaItem is one metadata value with the timestamp it was set at. An empty
// Value records a removal, so that replicas merge it by timestamp.
type MetaItem struct {
	Value     string
	Timestamp timestamp.Timestamp
}

// Metadata maps canonical header names (X-Container-Meta-*,
// X-Container-Read, X-Account-Meta-*, X-*-Sysmeta-*, ...) to their values.
type Metadata map[string]MetaItem

// Merge sets each entry of update whose timestamp is newer than the stored
// one and reports whether anything changed.
func (m Metadata) Merge(update Metadata) bool {
	changed := false
	for k, v := range update {
		if old, ok := m[k]; !ok || v.Timestamp.After(old.Timestamp) {
			m[k] = v
			changed = true
		}
	}
	return changed
}

// ContainerInfo is a container's state.
type ContainerInfo struct {
	Account, Container string
	// PutTimestamp and DeleteTimestamp are the newest PUT and DELETE of the
	// container itself; it is deleted when DeleteTimestamp is newer.
	PutTimestamp    timestamp.Timestamp
	DeleteTimestamp timestamp.Timestamp
	// CreatedAt is when this store first recorded the container.
	CreatedAt timestamp.Timestamp
	// StatusChangedAt is when it was last created or deleted.
	StatusChangedAt timestamp.Timestamp
	ObjectCount     int64
	BytesUsed       int64
	Metadata        Metadata
}

// Deleted reports whether the container's newest status is deleted.
func (c ContainerInfo) Deleted() bool { return c.DeleteTimestamp.After(c.PutTimestamp) }

// ObjectRow is one object in a container listing.
type ObjectRow struct {
	Name        string
	Timestamp   timestamp.Timestamp
	Size        int64
	ContentType string
	ETag        string
	// Deleted rows are kept (for replication and counts) but not listed.
	Deleted bool
}

// AccountInfo is an account's state.
type AccountInfo struct {
	Account         string
	PutTimestamp    timestamp.Timestamp
	DeleteTimestamp timestamp.Timestamp
	CreatedAt       timestamp.Timestamp
	StatusChangedAt timestamp.Timestamp
	ContainerCount  int64
	ObjectCount     int64
	BytesUsed       int64
	Metadata        Metadata
}

// Deleted reports whether the account's newest status is deleted.
func (a AccountInfo) Deleted() bool { return a.DeleteTimestamp.After(a.PutTimestamp) }

// ContainerRow is one container in an account listing, as the container's
// own servers last reported it.
type ContainerRow struct {
	Name            string
	PutTimestamp    timestamp.Timestamp
	DeleteTimestamp timestamp.Timestamp
	ObjectCount     int64
	BytesUsed       int64
}

// Deleted reports whether the row records a deleted container.
func (r ContainerRow) Deleted() bool { return r.DeleteTimestamp.After(r.PutTimestamp) }

// ListQuery selects a page of a listing, with Swift's parameters.
type ListQuery struct {
	// Limit is the most entries to return; 0 or less, or more than
	// MaxListingLimit, means MaxListingLimit.
	Limit int
	// Marker: only names after it (before it when Reverse).
	Marker string
	// EndMarker: only names before it (after it when Reverse).
	EndMarker string
	// Prefix: only names starting with it.
	Prefix string
	// Delimiter, if not 0, rolls names that contain it after Prefix up
	// into one subdir entry: the name up to and including the delimiter.
	Delimiter byte
	// Reverse lists in descending order.
	Reverse bool
}

// ObjectEntry is one entry of a container listing: an object, or a subdir
// when Subdir is set (and the other fields are empty).
type ObjectEntry struct {
	ObjectRow
	Subdir string
}

// ContainerEntry is one entry of an account listing: a container, or a
// subdir when Subdir is set.
type ContainerEntry struct {
	ContainerRow
	Subdir string
}

// ContainerStore keeps the container databases of one device: each
// container's state, metadata and object rows. Every method is safe for
// concurrent use; concurrent row updates keep counts exact. Containers are
// addressed by the partition the container ring gives them.
type ContainerStore interface {
	// PutContainer creates the container or, if it exists, records a
	// newer PUT timestamp (reviving a deleted container) and merges meta.
	// created reports whether the container did not exist (or was
	// deleted) before. A *ConflictError if the container was deleted at
	// or after ts.
	PutContainer(ctx context.Context, part uint32, account, container string, ts timestamp.Timestamp, meta Metadata) (created bool, err error)
	// DeleteContainer marks the container deleted at ts. ErrNotFound if
	// it does not exist or is deleted, ErrNotEmpty if it still lists
	// objects, a *ConflictError if ts is not newer than its PUT.
	DeleteContainer(ctx context.Context, part uint32, account, container string, ts timestamp.Timestamp) error
	// ContainerInfo returns the container's state. ErrNotFound if it was
	// never created; a deleted container is returned with Deleted() true.
	ContainerInfo(ctx context.Context, part uint32, account, container string) (ContainerInfo, error)
	// UpdateContainerMeta merges meta into the container's metadata.
	// ErrNotFound if it does not exist or is deleted.
	UpdateContainerMeta(ctx context.Context, part uint32, account, container string, meta Metadata) error
	// PutObjectRow records an object's newest state in the listing (a
	// deleted row for a DELETE) if row.Timestamp is newer than the row
	// stored, adjusting the counts; an older row is ignored (nil error).
	// ErrNotFound if the container does not exist or is deleted.
	PutObjectRow(ctx context.Context, part uint32, account, container string, row ObjectRow) error
	// ListObjects returns one page of the container's live objects. The
	// cost is proportional to the page, not to the container.
	// ErrNotFound if the container does not exist or is deleted.
	ListObjects(ctx context.Context, part uint32, account, container string, q ListQuery) ([]ObjectEntry, error)
}

// AccountStore keeps the account databases of one device: each account's
// state, metadata and container rows. Every method is safe for concurrent
// use.
type AccountStore interface {
	// PutAccount creates the account or records a newer PUT (see
	// PutContainer).
	PutAccount(ctx context.Context, part uint32, account string, ts timestamp.Timestamp, meta Metadata) (created bool, err error)
	// DeleteAccount marks the account deleted at ts. ErrNotFound if it
	// does not exist or is deleted; a *ConflictError if ts is not newer
	// than its PUT. (Swift allows deleting accounts that hold containers;
	// the reaper empties them.)
	DeleteAccount(ctx context.Context, part uint32, account string, ts timestamp.Timestamp) error
	// AccountInfo returns the account's state (see ContainerInfo).
	AccountInfo(ctx context.Context, part uint32, account string) (AccountInfo, error)
	// UpdateAccountMeta merges meta into the account's metadata.
	UpdateAccountMeta(ctx context.Context, part uint32, account string, meta Metadata) error
	// PutContainerRow records a container's state as its container servers
	// report it, unless the stored row is newer: put and delete timestamps
	// each keep the newer value, and a report with the same timestamps
	// replaces the counts (container servers report new counts under
	// unchanged timestamps), adjusting the account's counts. ErrNotFound
	// if the account does not exist or is deleted.
	PutContainerRow(ctx context.Context, part uint32, account string, row ContainerRow) error
	// ListContainers returns one page of the account's live containers.
	ListContainers(ctx context.Context, part uint32, account string, q ListQuery) ([]ContainerEntry, error)
}
