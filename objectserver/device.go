package objectserver

import (
	"context"
	"net/http"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// Device is one storage device of a node (a directory, usually a mounted
// disk) and everything kept on it.
type Device struct {
	Name       string
	Objects    ObjectStore
	Containers ContainerStore
	Accounts   AccountStore
	Pending    PendingStore
}

// Devices gives the HTTP server the devices of its node.
type Devices interface {
	// Device returns the named device, or ErrDeviceUnavailable if the node
	// has no such device or it is missing, unmounted or failed.
	Device(name string) (*Device, error)
}

// PendingUpdate is a listing update the object server could not deliver to
// a container server (Swift's async pending): the replicator's updater
// retries it until it succeeds.
type PendingUpdate struct {
	// Method is PUT (an object written) or DELETE.
	Method string
	// Account, Container, Object name the object.
	Account, Container, Object string
	// Timestamp is the object version's timestamp; a newer pending update
	// for the same object supersedes an older one.
	Timestamp timestamp.Timestamp
	// Headers are those of the update request: X-Size, X-Content-Type,
	// X-Etag, X-Timestamp.
	Headers http.Header
	// ContainerPartition and Targets are where it must go: the container's
	// partition and the "ip:port/device" of each container server that did
	// not acknowledge it.
	ContainerPartition uint32
	Targets            []string
}

// PendingStore durably queues undelivered listing updates on a device.
// Methods are safe for concurrent use.
type PendingStore interface {
	// AddPending stores u durably before returning. It replaces a queued
	// update for the same object that is not newer; an older u is dropped.
	AddPending(ctx context.Context, u PendingUpdate) error
	// Pendings returns up to limit queued updates (all if limit <= 0),
	// oldest first, each with the id to remove it by.
	Pendings(ctx context.Context, limit int) ([]QueuedUpdate, error)
	// RemovePending deletes a delivered update; removing an unknown id is
	// not an error.
	RemovePending(ctx context.Context, id string) error
}

// QueuedUpdate is a PendingUpdate with its id in the queue.
type QueuedUpdate struct {
	ID string
	PendingUpdate
}
