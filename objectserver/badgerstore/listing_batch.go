package badgerstore

import (
	"context"
	"slices"
	"sync"
)

// rowBatcher applies concurrent row updates in shared transactions, by
// flat combining: the first caller to find the batcher idle becomes the
// leader and applies its own update at once; callers arriving meanwhile
// queue. When the leader's transaction has committed it hands each member
// of its batch its result and passes the lead, with everything queued
// since, to the first queued caller. So a burst of updates costs one
// commit, and one fsync, per batch rather than per update: for a hot
// container, and for many containers at once (Badger syncs each
// transaction on its own, so combining across containers matters as
// much). One batch is applied at a time, so batches never conflict with
// each other.
//
// Every caller returns only once the batch holding its update has been
// applied (or failed): durability is that of apply.
type rowBatcher[T any] struct {
	// apply applies a batch in one transaction and returns each update's
	// error, in order.
	apply func(items []T) []error
	// maxItems and maxBytes bound a batch, keeping its transaction well
	// under Badger's size limits; size estimates an update's bytes. A
	// batch holds at least one update.
	maxItems, maxBytes int
	size               func(T) int

	mu      sync.Mutex
	busy    bool               // guarded by mu: a leader is applying a batch
	pending []*rowBatchItem[T] // guarded by mu: queued, not yet in a batch
}

type rowBatchItem[T any] struct {
	v     T
	taken bool                   // guarded by rowBatcher.mu: in a batch
	done  chan rowBatchResult[T] // receives exactly one result
}

// rowBatchResult ends a caller's wait: its update's error, or the lead of
// the next batch.
type rowBatchResult[T any] struct {
	err  error
	lead []*rowBatchItem[T]
}

func newRowBatcher[T any](maxItems, maxBytes int, size func(T) int, apply func([]T) []error) *rowBatcher[T] {
	return &rowBatcher[T]{apply: apply, maxItems: maxItems, maxBytes: maxBytes, size: size}
}

// do applies v, in a batch with concurrent updates. If ctx ends while v
// is still queued, do returns ctx.Err() and v is not applied; once v is
// in a batch, do waits for the batch.
func (b *rowBatcher[T]) do(ctx context.Context, v T) error {
	it := &rowBatchItem[T]{v: v, done: make(chan rowBatchResult[T], 1)}
	b.mu.Lock()
	if !b.busy {
		b.busy = true
		it.taken = true
		b.mu.Unlock()
		return b.lead([]*rowBatchItem[T]{it}, it)
	}
	b.pending = append(b.pending, it)
	b.mu.Unlock()

	var r rowBatchResult[T]
	select {
	case r = <-it.done:
	case <-ctx.Done():
		b.mu.Lock()
		if !it.taken {
			b.pending = slices.DeleteFunc(b.pending, func(o *rowBatchItem[T]) bool { return o == it })
			b.mu.Unlock()
			return ctx.Err()
		}
		b.mu.Unlock()
		r = <-it.done
	}
	if r.lead != nil {
		return b.lead(r.lead, it)
	}
	return r.err
}

// lead applies batch, of which self is a member, reports the results to
// the other members, passes the lead on and returns self's result.
func (b *rowBatcher[T]) lead(batch []*rowBatchItem[T], self *rowBatchItem[T]) error {
	vs := make([]T, len(batch))
	for i, it := range batch {
		vs[i] = it.v
	}
	errs := b.apply(vs)
	var own error
	for i, it := range batch {
		if it == self {
			own = errs[i]
		} else {
			it.done <- rowBatchResult[T]{err: errs[i]}
		}
	}

	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.pending) == 0 {
		b.busy = false
		return own
	}
	n, bytes := 0, 0
	for n < len(b.pending) && n < b.maxItems {
		bytes += b.size(b.pending[n].v)
		if n > 0 && bytes > b.maxBytes {
			break
		}
		n++
	}
	next := slices.Clone(b.pending[:n])
	b.pending = slices.Delete(b.pending, 0, n)
	for _, it := range next {
		it.taken = true
	}
	next[0].done <- rowBatchResult[T]{lead: next}
	return own
}
