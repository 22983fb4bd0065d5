package objectserver

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// Errors the stores return; the HTTP layer maps them to statuses in one
// place (errors.go). Stores never return their libraries' errors bare.
var (
	// ErrNotFound: the object, container or account was never stored, or its
	// newest version is a tombstone (see DeletedError).
	ErrNotFound = errors.New("objectserver: not found")
	// ErrConflict: a write whose timestamp is not newer than the stored
	// one; nothing was changed (see ConflictError).
	ErrConflict = errors.New("objectserver: conflict with a newer version")
	// ErrDiskFull: the device has no space for the write (507).
	ErrDiskFull = errors.New("objectserver: disk full")
	// ErrDeviceUnavailable: the device is missing, unmounted or failing
	// (507).
	ErrDeviceUnavailable = errors.New("objectserver: device unavailable")
	// ErrCorrupt: stored data failed its checksum. The object has been
	// quarantined; no corrupt byte was returned.
	ErrCorrupt = errors.New("objectserver: corrupt data")
	// ErrETagMismatch: the data written does not have the expected MD5 (422).
	ErrETagMismatch = errors.New("objectserver: etag mismatch")
	// ErrSizeMismatch: fewer or more bytes were written than announced.
	ErrSizeMismatch = errors.New("objectserver: size mismatch")
	// ErrNotEmpty: a container or account still holds objects or
	// containers (409).
	ErrNotEmpty = errors.New("objectserver: not empty")
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("objectserver: store closed")
)

// ConflictError is returned (matching ErrConflict) when a write is not
// newer than what is stored.
type ConflictError struct {
	Existing timestamp.Timestamp // the newer timestamp already stored
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("objectserver: conflict with a newer version (%s)", e.Existing.Internal())
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// DeletedError is returned (matching ErrNotFound) when the newest version of
// an object is a tombstone, so that responses can carry its timestamp.
type DeletedError struct {
	Tombstone ObjectMeta
}

func (e *DeletedError) Error() string {
	return fmt.Sprintf("objectserver: %s deleted at %s", e.Tombstone.Name, e.Tombstone.Timestamp.Internal())
}

// Is makes errors.Is(err, ErrNotFound) true.
func (e *DeletedError) Is(target error) bool { return target == ErrNotFound }

// ObjectMeta is one version of an object: everything stored but its data.
type ObjectMeta struct {
	// Name is "/account/container/object".
	Name string
	// Timestamp is the X-Timestamp of the PUT that wrote the data, or of the
	// DELETE for a tombstone.
	Timestamp timestamp.Timestamp
	// MetaTimestamp is the X-Timestamp of the newest POST, or Timestamp if
	// there was none. Metadata-only updates compare against it.
	MetaTimestamp timestamp.Timestamp
	// Deleted marks a tombstone: no data, only Name and the timestamps.
	Deleted bool
	// ContentType is the MIME type given at PUT.
	ContentType string
	// Size is the data length in bytes. At Create, -1 means unknown
	// (chunked upload).
	Size int64
	// ETag is the lowercase hex MD5 of the data. At Create, a non-empty
	// ETag is the value the data must have.
	ETag string
	// DeleteAt is X-Delete-At in Unix seconds; 0 means never.
	DeleteAt int64
	// Headers holds the rest of the object's metadata by canonical HTTP
	// header name: X-Object-Meta-*, X-Object-Sysmeta-*, Content-Encoding,
	// Content-Disposition, X-Object-Manifest, X-Static-Large-Object, ...
	Headers map[string]string
}

// ObjectStore keeps the objects of one device. Every method is safe for
// concurrent use; ctx bounds its I/O. Objects are addressed by partition
// and name; the store derives the object's hash (Swift's hash_path with the
// cluster's salt) itself.
type ObjectStore interface {
	// Stat returns the newest version of the object, a tombstone included
	// (Deleted set). ErrNotFound if the store knows nothing of it.
	Stat(ctx context.Context, part uint32, name string) (ObjectMeta, error)

	// Open opens the newest version for reading. ErrNotFound if unknown;
	// a *DeletedError (matching ErrNotFound) if it is a tombstone;
	// ErrCorrupt (the object quarantined) if what Open already checks
	// (small objects whole, a data file's trailer) fails. The caller must
	// Close the reader. A reader keeps reading its version after a newer
	// one replaces it.
	Open(ctx context.Context, part uint32, name string) (ObjectReader, error)

	// Create starts writing a new version described by meta (Name,
	// Timestamp, ContentType, Size or -1, optional ETag, DeleteAt,
	// Headers, and optionally a newer MetaTimestamp, which is kept so that
	// replication copies a version exactly). Nothing is visible until the
	// writer's Commit. It fails early with a *ConflictError if the stored
	// Timestamp (data or tombstone; not MetaTimestamp, as in Swift) is
	// already as new or newer, and with ErrDiskFull if the device lacks
	// room for meta.Size bytes. ctx governs the whole write: once it is
	// cancelled Write and Commit fail and Close returns ctx.Err().
	Create(ctx context.Context, part uint32, meta ObjectMeta) (ObjectWriter, error)

	// Delete stores a tombstone with timestamp ts if ts is newer than the
	// stored version's Timestamp (a newer MetaTimestamp does not matter,
	// as in Swift), and returns the version it replaced: a tombstone, a
	// live object, or the zero ObjectMeta if the store knew nothing of the
	// object (the tombstone is stored all the same). A *ConflictError,
	// changing nothing, if the stored Timestamp is as new or newer.
	Delete(ctx context.Context, part uint32, name string, ts timestamp.Timestamp) (prev ObjectMeta, err error)

	// UpdateMeta applies update to the newest version's metadata and sets
	// its MetaTimestamp to ts, atomically and durably. ErrNotFound (or a
	// *DeletedError) if there is no live version; a *ConflictError if ts is
	// not newer than its MetaTimestamp. update must change only Headers,
	// ContentType and DeleteAt.
	UpdateMeta(ctx context.Context, part uint32, name string, ts timestamp.Timestamp, update func(*ObjectMeta)) (ObjectMeta, error)

	// Partitions lists the partitions holding objects or tombstones, in
	// increasing order.
	Partitions(ctx context.Context) ([]uint32, error)

	// SuffixHashes returns, for each suffix (three lowercase hex digits) of
	// the partition that holds objects or tombstones, a hash of the
	// suffix's contents: two stores with equal hashes for a suffix hold the
	// same versions of the same objects there. Stores maintain them as
	// objects change, so this costs no walk of the data.
	SuffixHashes(ctx context.Context, part uint32) (map[string]string, error)

	// List returns the newest version of every object and tombstone in one
	// suffix of a partition, ordered by name.
	List(ctx context.Context, part uint32, suffix string) ([]ObjectMeta, error)

	// Close releases the store; later calls fail with ErrClosed. Close is
	// idempotent.
	Close() error
}

// ObjectReader reads one version of an object. It is not safe for
// concurrent use.
type ObjectReader interface {
	// Meta describes the version being read.
	Meta() ObjectMeta
	// Section returns a reader of the n bytes starting at off (clamped to
	// the object; n < 0 reads to the end). Every byte it yields has been
	// verified against the stored checksums; on a mismatch it fails with
	// ErrCorrupt (having quarantined the object) before yielding a wrong
	// byte.
	Section(off, n int64) io.Reader
	// Close releases the reader.
	Close() error
}

// ObjectWriter receives the data of a new version. It is not safe for
// concurrent use.
type ObjectWriter interface {
	io.Writer
	// Commit makes the version the object's newest, durably (data and
	// index on stable storage) before it returns, and returns its final
	// metadata (Size and ETag filled in). It fails, leaving the store as
	// it was, with ErrSizeMismatch if the data length differs from a
	// known Size, ErrETagMismatch if an expected ETag differs, a
	// *ConflictError if a newer version was stored meanwhile, ErrDiskFull
	// or ErrDeviceUnavailable.
	Commit(ctx context.Context) (ObjectMeta, error)
	// Close discards the data unless Commit succeeded. It is idempotent
	// and returns the cancelled context's error if the write was cut off
	// by ctx.
	Close() error
}
