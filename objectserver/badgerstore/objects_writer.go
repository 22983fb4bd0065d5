package badgerstore

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/cespare/xxhash/v2"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/vfs"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Create implements objectserver.ObjectStore. Objects of up to
// Options.InlineThreshold bytes are buffered and go into the index record;
// larger ones (or those of unknown size that grow past it) stream to a
// temp file, space reserved up front with fallocate when the size is
// known.
func (s *Store) Create(ctx context.Context, part uint32, meta objectserver.ObjectMeta) (objectserver.ObjectWriter, error) {
	o := &s.objects
	h, done, err := o.begin(ctx, "create", part, meta.Name)
	if err != nil {
		return nil, err
	}
	defer done()
	if meta.Timestamp.IsZero() {
		return nil, fmt.Errorf("badgerstore: create %s: no timestamp", o.where(part, meta.Name))
	}
	cur, err := o.get(part, h, false)
	if err != nil {
		return nil, o.dbError("create", o.where(part, meta.Name), err)
	}
	if err := createConflict(cur, meta); err != nil {
		return nil, err
	}
	if err := o.checkSpace(max(meta.Size, 0)); err != nil {
		return nil, err
	}
	w := &objectWriter{o: o, ctx: ctx, part: part, hash: h, meta: meta, md5: md5.New(), inlineMax: s.opts.InlineThreshold}
	w.meta.Headers = cloneHeaders(meta.Headers)
	switch {
	case meta.Size > w.inlineMax:
		if err := w.startFile(meta.Size); err != nil {
			return nil, err
		}
	case meta.Size > 0:
		w.mem = make([]byte, 0, meta.Size)
	}
	return w, nil
}

// createConflict is the conflict a new version has with the stored one
// (nil if none): as Swift's object PUT, it compares with the stored data's
// (or tombstone's) timestamp, not a newer POST's.
func createConflict(cur *record, meta objectserver.ObjectMeta) error {
	if cur != nil && !meta.Timestamp.After(cur.meta.Timestamp) {
		return &objectserver.ConflictError{Existing: cur.meta.Timestamp}
	}
	return nil
}

// objectWriter is an ObjectWriter. The data is in mem until it outgrows
// the inline threshold, then in a temp file written through dw.
type objectWriter struct {
	o         *objectState
	ctx       context.Context // of Create
	part      uint32
	hash      objecthash.Hash
	meta      objectserver.ObjectMeta // as given to Create
	inlineMax int64
	md5       hash.Hash
	n         int64 // bytes written

	mem []byte // inline data

	f         vfs.File // the temp file, until Commit closes it
	dw        *dataWriter
	amd5      *asyncMD5 // hashes the data of a file-backed write
	tmp       string    // temp file to remove, if any
	spaceNext int64     // unknown size: check free space again at this n

	err       error // sticky failure
	done      bool  // Commit or Close was called
	committed bool
	closed    bool
	closeErr  error // what Close returns
}

var errWriterDone = errors.New("badgerstore: write after commit or close")

// spaceCheckEvery bytes, a write of unknown size checks the free space
// again, so that it stops before eating into the reserve.
const spaceCheckEvery = 8 << 20

// startFile creates the temp file for an object of size bytes (-1:
// unknown), allocating its space if the size is known.
func (w *objectWriter) startFile(size int64) error {
	o := w.o
	name := filepath.Join(o.tmpDir, fmt.Sprintf("%016x.tmp", rand.Uint64()))
	f, err := o.fs.Create(name)
	if err != nil {
		return o.ioError("create", name, err)
	}
	w.f, w.tmp = f, name
	if size >= 0 {
		if err := f.Allocate(dataFileLen(size, dataBlockSize)); err != nil {
			w.discardFile()
			return o.ioError("allocate", name, err)
		}
	}
	w.dw = newDataWriter(f, dataBlockSize)
	w.amd5 = o.newAsyncMD5(w.md5)
	w.spaceNext = w.n + spaceCheckEvery
	return nil
}

// fail makes err the writer's sticky error.
func (w *objectWriter) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return w.err
}

func (w *objectWriter) Write(p []byte) (int, error) {
	switch {
	case w.done:
		return 0, errWriterDone
	case w.err != nil:
		return 0, w.err
	}
	if err := w.ctx.Err(); err != nil {
		return 0, w.fail(err)
	}
	if w.meta.Size >= 0 && w.n+int64(len(p)) > w.meta.Size {
		return 0, w.fail(fmt.Errorf("badgerstore: %s: more than %d bytes: %w", w.o.where(w.part, w.meta.Name), w.meta.Size, objectserver.ErrSizeMismatch))
	}
	if w.dw == nil && w.n+int64(len(p)) > w.inlineMax {
		// An object of unknown size outgrew the index: spill.
		if err := w.o.checkSpace(w.n + int64(len(p))); err != nil {
			return 0, w.fail(err)
		}
		if err := w.startFile(-1); err != nil {
			return 0, w.fail(err)
		}
		if _, err := w.dw.Write(w.mem); err != nil {
			return 0, w.fail(w.o.ioError("write", w.tmp, err))
		}
		w.mem = nil
	}
	if w.dw == nil {
		w.md5.Write(p)
		w.mem = append(w.mem, p...)
		w.n += int64(len(p))
		return len(p), nil
	}
	w.amd5.Write(p)
	if _, err := w.dw.Write(p); err != nil {
		return 0, w.fail(w.o.ioError("write", w.tmp, err))
	}
	w.n += int64(len(p))
	if w.meta.Size < 0 && w.n >= w.spaceNext {
		if err := w.o.checkSpace(0); err != nil {
			return 0, w.fail(err)
		}
		w.spaceNext = w.n + spaceCheckEvery
	}
	return len(p), nil
}

func (w *objectWriter) Commit(ctx context.Context) (objectserver.ObjectMeta, error) {
	if w.done {
		return objectserver.ObjectMeta{}, errWriterDone
	}
	w.done = true
	if w.err != nil {
		return objectserver.ObjectMeta{}, w.err
	}
	if err := cmp.Or(w.ctx.Err(), ctx.Err()); err != nil {
		return objectserver.ObjectMeta{}, err
	}
	o := w.o
	if w.meta.Size >= 0 && w.n != w.meta.Size {
		return objectserver.ObjectMeta{}, fmt.Errorf("badgerstore: %s: %d bytes, want %d: %w", o.where(w.part, w.meta.Name), w.n, w.meta.Size, objectserver.ErrSizeMismatch)
	}
	var sum []byte
	if w.amd5 != nil {
		// The file's tail and fdatasync go while the MD5 catches up.
		if err := w.finishFile(); err != nil {
			return objectserver.ObjectMeta{}, err
		}
		sum = w.amd5.Sum()
	} else {
		sum = w.md5.Sum(nil)
	}
	etag := hex.EncodeToString(sum)
	if w.meta.ETag != "" && !strings.EqualFold(w.meta.ETag, etag) {
		return objectserver.ObjectMeta{}, fmt.Errorf("badgerstore: %s: etag %s, want %s: %w", o.where(w.part, w.meta.Name), etag, w.meta.ETag, objectserver.ErrETagMismatch)
	}
	if !o.gate.enter() {
		return objectserver.ObjectMeta{}, objectserver.ErrClosed
	}
	defer o.gate.exit()

	rec := &record{meta: newVersion(w.meta, w.n, etag)}
	final := ""
	if w.dw != nil {
		var err error
		if final, err = w.placeFile(rec); err != nil {
			return objectserver.ObjectMeta{}, err
		}
	} else {
		rec.data = w.mem
		rec.dataSum = xxhash.Sum64(w.mem)
	}
	op := o.newOp(w.part, w.hash, rec, func(cur *record) error {
		if err := w.ctx.Err(); err != nil {
			return err
		}
		return createConflict(cur, rec.meta)
	})
	if err := o.submit(ctx, op); err != nil {
		if final != "" {
			if rerr := o.fs.Remove(final); rerr != nil {
				o.s.log.Warn("removing the data file of a failed write failed", "path", final, "err", rerr)
			}
		}
		return objectserver.ObjectMeta{}, err
	}
	w.committed = true
	w.mem = nil
	o.removeReplaced(w.part, w.hash, op.prev)
	meta := rec.meta
	meta.Headers = cloneHeaders(meta.Headers)
	return meta, nil
}

// finishFile writes the temp file's checksums and trailer, syncs and
// closes it.
func (w *objectWriter) finishFile() error {
	o := w.o
	err := w.dw.finish(func(sync func() error) error {
		start := time.Now()
		err := sync()
		observe(o.m.fsyncData, start)
		return err
	})
	if err == nil {
		err = w.f.Close()
	}
	w.f = nil
	if err != nil {
		return o.ioError("write", w.tmp, err)
	}
	return nil
}

// placeFile renames the finished temp file into the partition's directory
// (synced), and records where in rec. It returns the file's final path.
func (w *objectWriter) placeFile(rec *record) (string, error) {
	o := w.o
	if err := o.ensurePartDir(w.part); err != nil {
		return "", err
	}
	id := rand.Uint64()
	final := o.dataPath(w.part, w.hash, id)
	if err := o.fs.Rename(w.tmp, final); err != nil {
		return "", o.ioError("rename", w.tmp, err)
	}
	w.tmp = ""
	start := time.Now()
	err := o.fs.SyncDir(o.partDir(w.part))
	observe(o.m.fsyncDir, start)
	if err != nil {
		if rerr := o.fs.Remove(final); rerr != nil {
			o.s.log.Warn("removing the data file of a failed write failed", "path", final, "err", rerr)
		}
		return "", o.ioError("sync directory", o.partDir(w.part), err)
	}
	rec.hasFile, rec.fileID, rec.blockSize = true, id, dataBlockSize
	return final, nil
}

// newVersion is the metadata recorded for a version created with meta,
// holding size bytes of MD5 etag: MetaTimestamp is Timestamp unless meta
// carries a newer one (a replicated version that had a POST), and empty
// Headers are nil.
func newVersion(meta objectserver.ObjectMeta, size int64, etag string) objectserver.ObjectMeta {
	meta.Headers = cloneHeaders(meta.Headers)
	meta.Deleted = false
	meta.Size = size
	meta.ETag = etag
	if !meta.MetaTimestamp.After(meta.Timestamp) {
		meta.MetaTimestamp = meta.Timestamp
	}
	return meta
}

func (w *objectWriter) Close() error {
	if w.closed {
		return w.closeErr
	}
	w.closed, w.done = true, true
	w.discardFile()
	w.mem = nil
	if !w.committed {
		w.closeErr = w.ctx.Err()
	}
	return w.closeErr
}

// discardFile closes and removes the temp file, if any.
func (w *objectWriter) discardFile() {
	if w.amd5 != nil {
		w.amd5.stop()
	}
	if w.f != nil {
		if err := w.f.Close(); err != nil {
			w.o.s.log.Debug("closing a discarded temp file failed", "path", w.tmp, "err", err)
		}
		w.f = nil
	}
	if w.tmp != "" {
		if err := w.o.fs.Remove(w.tmp); err != nil {
			w.o.s.log.Warn("removing a temp file failed; the next open removes it", "path", w.tmp, "err", err)
		}
		w.tmp = ""
	}
	w.dw = nil
}

// asyncMD5 computes an MD5 on a goroutine of its own. MD5 is the costliest
// step of a large write (about 1 GB/s, in one core): with it beside the
// checksumming and writing, a large PUT takes about as long as the MD5
// alone instead of the sum of both. The data is copied into chunks (a
// caller may reuse its buffer once Write returns); a few chunks bound the
// memory and make the writer wait when the hashing falls behind.
type asyncMD5 struct {
	o    *objectState
	h    hash.Hash
	full chan []byte // chunks to hash; closed by finish
	free chan []byte // chunks hashed, to fill again
	cur  []byte      // the chunk being filled
	done chan struct{}
	sum  []byte // valid once done is closed
	over bool   // full is closed
}

const (
	md5Chunk  = 1 << 20
	md5Chunks = 4
)

// newAsyncMD5 goes on hashing into h, which may hold data already.
func (o *objectState) newAsyncMD5(h hash.Hash) *asyncMD5 {
	a := &asyncMD5{o: o, h: h, full: make(chan []byte, md5Chunks), free: make(chan []byte, md5Chunks), done: make(chan struct{})}
	for range md5Chunks {
		a.free <- o.md5Chunks.Get().([]byte)[:0]
	}
	go a.run()
	return a
}

func (a *asyncMD5) run() {
	defer close(a.done)
	for c := range a.full {
		a.h.Write(c)
		a.free <- c[:0]
	}
	a.sum = a.h.Sum(nil)
}

func (a *asyncMD5) Write(p []byte) {
	for len(p) > 0 {
		if a.cur == nil {
			a.cur = <-a.free
		}
		n := min(len(p), cap(a.cur)-len(a.cur))
		a.cur = append(a.cur, p[:n]...)
		p = p[n:]
		if len(a.cur) == cap(a.cur) {
			a.full <- a.cur
			a.cur = nil
		}
	}
}

// finish hashes what is left and waits for the goroutine.
func (a *asyncMD5) finish() {
	if a.over {
		return
	}
	a.over = true
	if len(a.cur) > 0 {
		a.full <- a.cur
	}
	a.cur = nil
	close(a.full)
	<-a.done
	close(a.free)
	for c := range a.free {
		a.o.md5Chunks.Put(c)
	}
}

// Sum returns the MD5 of everything written.
func (a *asyncMD5) Sum() []byte {
	a.finish()
	return a.sum
}

// stop ends the goroutine, if Sum has not.
func (a *asyncMD5) stop() { a.finish() }
