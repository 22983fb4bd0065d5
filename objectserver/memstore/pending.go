package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"sync"

	"github.com/swiftlet/swiftlet/objectserver"
)

// pendingStore is the PendingStore part of a Store: a queue in insertion
// order where a newer update for an object replaces the queued one.
type pendingStore struct {
	mu       sync.Mutex
	closed   bool                                  // guarded by mu
	next     uint64                                // id of the next update; guarded by mu
	queue    map[uint64]objectserver.PendingUpdate // by id; guarded by mu
	byObject map[pendingKey]uint64                 // id of each object's queued update; guarded by mu
}

type pendingKey struct{ account, container, object string }

func (p *pendingStore) init() {
	p.next = 1
	p.queue = map[uint64]objectserver.PendingUpdate{}
	p.byObject = map[pendingKey]uint64{}
}

func (p *pendingStore) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
}

// AddPending implements objectserver.PendingStore. An update older than
// the one queued for the same object is dropped; an update as new or newer
// replaces it (and goes to the back of the queue).
func (p *pendingStore) AddPending(ctx context.Context, u objectserver.PendingUpdate) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return objectserver.ErrClosed
	}
	k := pendingKey{u.Account, u.Container, u.Object}
	if id, ok := p.byObject[k]; ok {
		if p.queue[id].Timestamp.After(u.Timestamp) {
			return nil
		}
		delete(p.queue, id)
	}
	id := p.next
	p.next++
	p.queue[id] = clonePending(u)
	p.byObject[k] = id
	return nil
}

// Pendings implements objectserver.PendingStore; limit <= 0 means all.
func (p *pendingStore) Pendings(ctx context.Context, limit int) ([]objectserver.QueuedUpdate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, objectserver.ErrClosed
	}
	ids := slices.Sorted(maps.Keys(p.queue))
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	out := make([]objectserver.QueuedUpdate, 0, len(ids))
	for _, id := range ids {
		out = append(out, objectserver.QueuedUpdate{ID: pendingID(id), PendingUpdate: clonePending(p.queue[id])})
	}
	return out, nil
}

// RemovePending implements objectserver.PendingStore.
func (p *pendingStore) RemovePending(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return objectserver.ErrClosed
	}
	n, err := strconv.ParseUint(id, 16, 64)
	if err != nil {
		return nil // not an id of ours: unknown
	}
	u, ok := p.queue[n]
	if !ok {
		return nil
	}
	delete(p.queue, n)
	k := pendingKey{u.Account, u.Container, u.Object}
	if p.byObject[k] == n {
		delete(p.byObject, k)
	}
	return nil
}

// pendingID is the queue position n as an id: 16 hex digits, so that ids
// sort as the queue does.
func pendingID(n uint64) string { return fmt.Sprintf("%016x", n) }

func clonePending(u objectserver.PendingUpdate) objectserver.PendingUpdate {
	u.Headers = u.Headers.Clone()
	u.Targets = slices.Clone(u.Targets)
	return u
}
