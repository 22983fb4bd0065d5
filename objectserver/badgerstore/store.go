package badgerstore

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Options tune a Store. The zero value of each field selects its default.
type Options struct {
	// Device names the device in logs and metrics.
	Device string
	// Salt is the cluster's hash path prefix and suffix.
	Salt hashpath.Salt
	// InlineThreshold is the largest object, in bytes, kept inside the
	// index rather than in a data file. Default 64 KiB.
	InlineThreshold int64
	// ReclaimAge is how long tombstones are kept. Default 7 days.
	ReclaimAge time.Duration
	// Logger receives the store's and Badger's logs. Default: discard.
	Logger *slog.Logger
	// Metrics, shared by the stores of a node; nil records nothing.
	Metrics *Metrics
	// Now is the clock; default time.Now.
	Now func() time.Time
}

const (
	defaultInlineThreshold = 64 << 10
	defaultReclaimAge      = 7 * 24 * time.Hour
)

func (o *Options) setDefaults() {
	if o.InlineThreshold <= 0 {
		o.InlineThreshold = defaultInlineThreshold
	}
	if o.ReclaimAge <= 0 {
		o.ReclaimAge = defaultReclaimAge
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Store is one device. All methods are safe for concurrent use.
type Store struct {
	dir    string
	opts   Options
	log    *slog.Logger
	db     *badger.DB
	closeM sync.Once
	closed chan struct{} // closed by Close

	objects  objectState  // objects.go
	listings listingState // listing.go
}

// Open opens the store of the device directory dir, creating the index on
// first use. ErrDeviceUnavailable if dir does not exist: a device that is
// not mounted must not be filled on the root file system.
func Open(dir string, opts Options) (*Store, error) {
	opts.setDefaults()
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, objectserver.ErrDeviceUnavailable)
	}
	log := opts.Logger.With("component", "badgerstore", "device", opts.Device)
	bo := badger.DefaultOptions(filepath.Join(dir, "index")).
		WithSyncWrites(true). // a write is acknowledged only once on stable storage
		WithLogger(badgerLogger{log}).
		WithNumVersionsToKeep(1).
		WithMemTableSize(16 << 20). // many devices per node: keep each one's memory modest
		WithValueThreshold(4 << 10).
		WithValueLogFileSize(256 << 20).
		WithNumCompactors(2)
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("badgerstore: open %s: %w", dir, classify(err))
	}
	s := &Store{dir: dir, opts: opts, log: log, db: db, closed: make(chan struct{})}
	if err := s.objects.init(s); err != nil {
		_ = db.Close() // the init error is the one to report
		return nil, err
	}
	if err := s.listings.init(s); err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store. It is idempotent.
func (s *Store) Close() error {
	var err error
	s.closeM.Do(func() {
		close(s.closed)
		if e := s.db.Close(); e != nil {
			err = fmt.Errorf("badgerstore: close %s: %w", s.dir, e)
		}
	})
	return err
}

// isClosed reports whether Close was called.
func (s *Store) isClosed() bool {
	select {
	case <-s.closed:
		return true
	default:
		return false
	}
}

// classify maps errors from Badger and the file system to objectserver's
// sentinels, keeping the original for the message.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrDBClosed):
		return fmt.Errorf("%w: %v", objectserver.ErrClosed, err)
	case isNoSpace(err):
		return fmt.Errorf("%w: %v", objectserver.ErrDiskFull, err)
	case isIOError(err):
		return fmt.Errorf("%w: %v", objectserver.ErrDeviceUnavailable, err)
	}
	return err
}

// badgerLogger passes Badger's log lines to slog; Badger's informational
// chatter goes to debug.
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any)   { l.log.Error(fmt.Sprintf(f, a...), "lib", "badger") }
func (l badgerLogger) Warningf(f string, a ...any) { l.log.Warn(fmt.Sprintf(f, a...), "lib", "badger") }
func (l badgerLogger) Infof(f string, a ...any)    { l.log.Debug(fmt.Sprintf(f, a...), "lib", "badger") }
func (l badgerLogger) Debugf(f string, a ...any)   { l.log.Debug(fmt.Sprintf(f, a...), "lib", "badger") }
