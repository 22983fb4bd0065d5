package badgerstore

import (
	"context"
	"slices"
	"sync"
)

// rowBatcher applies concurrent updates of one database (the object rows of
// a container, the container rows of an account) in shared transactions,
// by flat combining: the first caller for an idle database becomes the
// leader and applies its own update at once; callers arriving meanwhile
// queue. When the leader's transaction has committed it hands its result
// to the other members of its batch and passes the lead, with everything
// queued since, to the first queued caller. So a hot container costs one
// commit, and one fsync, per batch rather than per update, and its
// updates never conflict with each other. Different databases proceed in
// parallel.
//
// Every caller returns only once the batch holding its update has been
// applied (or failed): durability is that of apply.
type rowBatcher[K comparable, T any] struct {
	// apply applies a batch of updates to the database key in one
	// transaction; its error is every member's.
	apply func(key K, items []T) error
	// maxItems and maxBytes bound a batch, keeping its transaction well
	// under Badger's size limits; size estimates an update's bytes. A
	// batch holds at least one update.
	maxItems, maxBytes int
	size               func(T) int

	mu     sync.Mutex
	queues map[K]*rowBatchQueue[T] // guarded by mu; present while key has a leader
}

type rowBatchQueue[T any] struct {
	pending []*rowBatchItem[T] // guarded by rowBatcher.mu: queued, not yet in a batch
}

type rowBatchItem[T any] struct {
	v     T
	taken bool                   // guarded by rowBatcher.mu: in a batch
	done  chan rowBatchResult[T] // receives exactly one result
}

// rowBatchResult ends a caller's wait: the batch's error, or the lead of the
// next batch.
type rowBatchResult[T any] struct {
	err  error
	lead []*rowBatchItem[T]
}

func newRowBatcher[K comparable, T any](maxItems, maxBytes int, size func(T) int, apply func(K, []T) error) *rowBatcher[K, T] {
	return &rowBatcher[K, T]{apply: apply, maxItems: maxItems, maxBytes: maxBytes, size: size, queues: make(map[K]*rowBatchQueue[T])}
}

// do applies v to the database key, in a batch with concurrent updates of
// the same database. If ctx ends while v is still queued, do returns
// ctx.Err() and v is not applied; once v is in a batch, do waits for the
// batch.
func (b *rowBatcher[K, T]) do(ctx context.Context, key K, v T) error {
	it := &rowBatchItem[T]{v: v, done: make(chan rowBatchResult[T], 1)}
	b.mu.Lock()
	q, busy := b.queues[key]
	if !busy {
		b.queues[key] = &rowBatchQueue[T]{}
		it.taken = true
		b.mu.Unlock()
		return b.lead(key, []*rowBatchItem[T]{it}, it)
	}
	q.pending = append(q.pending, it)
	b.mu.Unlock()

	var r rowBatchResult[T]
	select {
	case r = <-it.done:
	case <-ctx.Done():
		b.mu.Lock()
		if !it.taken {
			q.pending = slices.DeleteFunc(q.pending, func(o *rowBatchItem[T]) bool { return o == it })
			b.mu.Unlock()
			return ctx.Err()
		}
		b.mu.Unlock()
		r = <-it.done
	}
	if r.lead != nil {
		return b.lead(key, r.lead, it)
	}
	return r.err
}

// lead applies batch, of which self is a member, reports the result to
// the other members and passes the lead on.
func (b *rowBatcher[K, T]) lead(key K, batch []*rowBatchItem[T], self *rowBatchItem[T]) error {
	vs := make([]T, len(batch))
	for i, it := range batch {
		vs[i] = it.v
	}
	err := b.apply(key, vs)
	for _, it := range batch {
		if it != self {
			it.done <- rowBatchResult[T]{err: err}
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	q := b.queues[key]
	if len(q.pending) == 0 {
		delete(b.queues, key)
		return err
	}
	n, bytes := 0, 0
	for n < len(q.pending) && n < b.maxItems {
		bytes += b.size(q.pending[n].v)
		if n > 0 && bytes > b.maxBytes {
			break
		}
		n++
	}
	next := slices.Clone(q.pending[:n])
	q.pending = slices.Delete(q.pending, 0, n)
	for _, it := range next {
		it.taken = true
	}
	next[0].done <- rowBatchResult[T]{lead: next}
	return err
}
