package badgerstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRowBatcherCombines: concurrent updates of one key are applied in
// fewer, larger batches, never two at once, each exactly once.
func TestRowBatcherCombines(t *testing.T) {
	var running, calls atomic.Int32
	var mu sync.Mutex
	applied := map[int]int{}
	b := newRowBatcher(1000, 1<<20, func(int) int { return 1 }, func(items []int) []error {
		if running.Add(1) != 1 {
			t.Errorf("two batches applied at once")
		}
		defer running.Add(-1)
		calls.Add(1)
		time.Sleep(time.Millisecond) // a commit
		mu.Lock()
		for _, v := range items {
			applied[v]++
		}
		mu.Unlock()
		return make([]error, len(items))
	})
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := b.do(t.Context(), i); err != nil {
				t.Errorf("do(%d) = %v", i, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		if applied[i] != 1 {
			t.Errorf("update %d applied %d times, want once", i, applied[i])
		}
	}
	if c := calls.Load(); c >= n {
		t.Errorf("%d updates took %d batches; want them combined", n, c)
	}
	if b.busy || len(b.pending) != 0 {
		t.Errorf("busy %v with %d pending after all updates returned", b.busy, len(b.pending))
	}
}

// TestRowBatcherLimitsAndErrors: a batch respects maxItems, and each
// member gets its own error.
func TestRowBatcherLimitsAndErrors(t *testing.T) {
	errOdd := errors.New("odd")
	release := make(chan struct{})
	var sizes []int
	var mu sync.Mutex
	b := newRowBatcher(3, 1<<20, func(int) int { return 1 }, func(items []int) []error {
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		if items[0] == 0 {
			<-release // hold the first batch until the others queue
		}
		errs := make([]error, len(items))
		for i, v := range items {
			if v%2 == 1 {
				errs[i] = errOdd
			}
		}
		return errs
	})
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := b.do(t.Context(), 0); err != nil {
			t.Errorf("do(0) = %v", err)
		}
	})
	waitForBatcher(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(sizes) == 1 })
	for i := 1; i <= 7; i++ {
		wg.Go(func() {
			if err := b.do(t.Context(), i); (i%2 == 1) != errors.Is(err, errOdd) {
				t.Errorf("do(%d) = %v", i, err)
			}
		})
	}
	waitForBatcher(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.pending) == 7 })
	close(release)
	wg.Wait()
	if len(sizes) != 4 || sizes[1] != 3 || sizes[2] != 3 || sizes[3] != 1 {
		t.Errorf("batch sizes %v, want [1 3 3 1]", sizes)
	}
}

// TestRowBatcherCancelQueued: an update whose context ends while it is
// queued is dropped, and the others still go through.
func TestRowBatcherCancelQueued(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var applied []int
	b := newRowBatcher(10, 1<<20, func(int) int { return 1 }, func(items []int) []error {
		if items[0] == 0 {
			<-release
		}
		mu.Lock()
		applied = append(applied, items...)
		mu.Unlock()
		return make([]error, len(items))
	})
	var wg sync.WaitGroup
	wg.Go(func() { _ = b.do(t.Context(), 0) }) // leads; tested below through applied
	waitForBatcher(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.busy })
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- b.do(ctx, 1) }()
	waitForBatcher(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.pending) == 1 })
	wg.Go(func() {
		if err := b.do(t.Context(), 2); err != nil {
			t.Errorf("do(2) = %v", err)
		}
	})
	waitForBatcher(t, func() bool { b.mu.Lock(); defer b.mu.Unlock(); return len(b.pending) == 2 })
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("do(cancelled while queued) = %v, want context.Canceled", err)
	}
	close(release)
	wg.Wait()
	if len(applied) != 2 || applied[0] != 0 || applied[1] != 2 {
		t.Errorf("applied %v, want [0 2]", applied)
	}
}

func waitForBatcher(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(100 * time.Microsecond)
	}
}
