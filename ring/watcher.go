package ring

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultReloadInterval is how often a Watcher looks at its ring file, as
// Swift's default reload_time.
const DefaultReloadInterval = 15 * time.Second

// Watcher holds the current ring of one ring file and replaces it when the
// file changes. Ring is lock-free and safe for concurrent use; a reader
// keeps using the *Ring it got for the whole request.
type Watcher struct {
	path   string
	salt   HashSalt
	logger *slog.Logger

	cur atomic.Pointer[Ring]

	mu   sync.Mutex  // serialises Reload
	stat os.FileInfo // of the file cur was loaded from; guarded by mu
}

// sameFile tells cheaply that a file has not changed: same file (a ring
// written by rename is a new one), same size, same modification time.
func sameFile(a, b os.FileInfo) bool {
	return a != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// NewWatcher loads the ring at path; it fails if the file cannot be loaded.
// A nil logger discards log output.
func NewWatcher(path string, salt HashSalt, logger *slog.Logger) (*Watcher, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{path: path, salt: salt, logger: logger.With("component", "ring", "ring_file", path)}
	if _, err := w.Reload(); err != nil {
		return nil, err
	}
	return w, nil
}

// Ring returns the current ring.
func (w *Watcher) Ring() *Ring { return w.cur.Load() }

// Reload loads the ring file if it changed since the last load and reports
// whether the current ring was replaced. A file that cannot be read or
// fails to parse leaves the current ring in place and returns the error.
func (w *Watcher) Reload() (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fi, err := os.Stat(w.path)
	if err != nil {
		return false, err
	}
	old := w.cur.Load()
	if old != nil && sameFile(w.stat, fi) {
		return false, nil
	}
	r, err := Load(w.path, w.salt)
	if err != nil {
		return false, err
	}
	w.stat = fi
	if old != nil && old.Checksum() == r.Checksum() {
		return false, nil
	}
	w.cur.Store(r)
	if old != nil {
		w.logger.Info("ring reloaded", "version", r.Version(), "checksum", r.Checksum(), "previous_version", old.Version())
	}
	return true, nil
}

// Run reloads the ring every interval (DefaultReloadInterval if zero) until
// ctx is done. Errors are logged and the current ring is kept.
func (w *Watcher) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultReloadInterval
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := w.Reload(); err != nil {
				w.logger.Error("ring reload failed; keeping the current ring", "err", err)
			}
		}
	}
}
