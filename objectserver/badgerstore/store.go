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
	"github.com/swiftlet/swiftlet/internal/vfs"
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
	// FS is the file system data files go through; default the real one
	// (vfs.OS). Tests inject faults with vfs.Faulty.
	FS vfs.FS
	// ReserveBytes is the free space, in bytes, that writes must leave on
	// the device, so that the index (which writes through mmap, where
	// running out of space is a crash, not an error) always has room.
	// Default: 1/16 of the file system, from 32 MiB to 256 MiB, and at
	// most a quarter of a small one.
	ReserveBytes int64
}

const (
	defaultInlineThreshold = 64 << 10
	defaultReclaimAge      = 7 * 24 * time.Hour
	defaultReserve         = 256 << 20
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
	if o.FS == nil {
		o.FS = vfs.OS{}
	}
}

// Store is one device. All methods are safe for concurrent use.
type Store struct {
	dir    string
	opts   Options
	log    *slog.Logger
	db     *badger.DB
	closeM sync.Once
	closed chan struct{}  // closed by Close
	bg     sync.WaitGroup // background goroutines, waited for by Close

	objects  objectState  // objects.go
	pending  pendingState // pending.go
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
		// With SyncWrites Badger msyncs the whole mapping of the current
		// value-log file (twice its size) per commit, and the cost grows
		// with the mapping: 4 KiB PUTs, 16 writers, on the 2-core dev VM
		// went from 8.9k/s with 256 MiB files to 10.7k/s with 64 MiB and
		// 14.5k/s with 32 MiB. 64 MiB keeps the count of files (each one
		// mapped) moderate on a device full of small objects.
		WithValueLogFileSize(64 << 20).
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
	if err := s.pending.init(s); err != nil {
		s.objects.close()
		_ = db.Close()
		return nil, err
	}
	if err := s.listings.init(s); err != nil {
		s.objects.close()
		_ = db.Close()
		return nil, err
	}
	s.bg.Go(s.valueLogGC)
	return s, nil
}

// Close closes the store. It is idempotent.
func (s *Store) Close() error {
	var err error
	s.closeM.Do(func() {
		close(s.closed)
		s.bg.Wait()
		s.objects.close() // waits for object calls in progress
		if e := s.db.Close(); e != nil {
			err = fmt.Errorf("badgerstore: close %s: %w", s.dir, e)
		}
	})
	return err
}

// valueLogGCInterval is how often the store rewrites value-log files that
// are mostly garbage (inline objects since overwritten or deleted): Badger
// never does it by itself, so without it their space is never reclaimed.
const valueLogGCInterval = 10 * time.Minute

// valueLogGC collects the value log every valueLogGCInterval until Close.
func (s *Store) valueLogGC() {
	t := time.NewTicker(valueLogGCInterval)
	defer t.Stop()
	for {
		select {
		case <-s.closed:
			return
		case <-t.C:
			s.collectValueLog()
		}
	}
}

// collectValueLog rewrites value-log files while Badger finds one at least
// half garbage, and returns how many it rewrote.
func (s *Store) collectValueLog() int {
	n := 0
	for !s.isClosed() {
		err := s.db.RunValueLogGC(0.5)
		if err != nil {
			if !errors.Is(err, badger.ErrNoRewrite) && !errors.Is(err, badger.ErrRejected) {
				s.log.Warn("value log collection failed", "err", err)
			}
			break
		}
		n++
	}
	if n > 0 {
		s.log.Info("value log collected", "files", n)
	}
	return n
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
