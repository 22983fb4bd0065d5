package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/cespare/xxhash/v2"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/vfs"
	"github.com/swiftlet/swiftlet/objectserver"
)

// Open implements objectserver.ObjectStore. Inline data is verified whole
// here, so a corrupt inline object fails Open with ErrCorrupt; a data
// file's trailer is checked here and its blocks as they are read.
func (s *Store) Open(ctx context.Context, part uint32, name string) (objectserver.ObjectReader, error) {
	o := &s.objects
	h, done, err := o.begin(ctx, "open", part, name)
	if err != nil {
		return nil, err
	}
	defer done()
	for attempt := 1; ; attempt++ {
		rec, err := o.get(part, h, true)
		switch {
		case errors.Is(err, errBadRecord):
			return nil, o.corruptRecord(part, name, err)
		case err != nil:
			return nil, o.dbError("open", o.where(part, name), err)
		case rec == nil:
			return nil, o.errNotFound("open", part, name)
		case rec.meta.Deleted:
			return nil, &objectserver.DeletedError{Tombstone: rec.meta}
		case !rec.hasFile:
			if xxhash.Sum64(rec.data) != rec.dataSum {
				return nil, o.quarantine(part, h, rec, fmt.Errorf("%w: inline data", errChecksum))
			}
			return &objectReader{o: o, part: part, hash: h, rec: rec}, nil
		}
		path := o.dataPath(part, h, rec.fileID)
		f, err := o.fs.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			// Replaced (and its file removed) since we read it?
			if now, gerr := o.get(part, h, false); gerr == nil && !rec.sameVersion(now) && attempt < 5 {
				continue
			}
			return nil, o.quarantine(part, h, rec, fmt.Errorf("%w: data file missing", errChecksum))
		}
		if err != nil {
			return nil, o.ioError("open", path, err)
		}
		dr, err := openDataReader(f, rec.meta.Size, int(rec.blockSize))
		if err != nil {
			f.Close()
			if errors.Is(err, errChecksum) {
				return nil, o.quarantine(part, h, rec, err)
			}
			return nil, o.ioError("read", path, err)
		}
		return &objectReader{o: o, part: part, hash: h, rec: rec, f: f, dr: dr}, nil
	}
}

// objectReader is an ObjectReader of one version: its inline data (in
// rec) or its open data file, which stays readable when a newer version
// replaces (and unlinks) it.
type objectReader struct {
	o    *objectState
	part uint32
	hash objecthash.Hash
	rec  *record
	f    vfs.File // nil for inline data
	dr   *dataReader
	err  error // sticky: corruption found
}

func (r *objectReader) Meta() objectserver.ObjectMeta {
	m := r.rec.meta
	m.Headers = cloneHeaders(m.Headers)
	return m
}

func (r *objectReader) Section(off, n int64) io.Reader {
	start, end := sectionBounds(off, n, r.rec.meta.Size)
	if r.f == nil {
		return bytes.NewReader(r.rec.data[start:end])
	}
	return &sectionReader{r: r, pos: start, end: end}
}

func (r *objectReader) Close() error {
	if r.f == nil {
		return nil
	}
	err := r.f.Close()
	r.f = nil
	return err
}

// sectionBounds clamps the section [off, off+n) of an object of size
// bytes to the object; n < 0 means to the end.
func sectionBounds(off, n, size int64) (start, end int64) {
	start = min(max(off, 0), size)
	if n < 0 || n > size-start {
		return start, size
	}
	return start, start + n
}

// sectionReader reads a section of a data file, verified block by block.
type sectionReader struct {
	r        *objectReader
	pos, end int64
}

func (s *sectionReader) Read(p []byte) (int, error) {
	r := s.r
	switch {
	case r.err != nil:
		return 0, r.err
	case s.pos >= s.end:
		return 0, io.EOF
	case r.f == nil:
		return 0, fmt.Errorf("badgerstore: read %s: reader closed", r.o.where(r.part, r.rec.meta.Name))
	}
	p = p[:min(int64(len(p)), s.end-s.pos)]
	n, err := r.dr.readAt(p, s.pos)
	if err != nil {
		if errors.Is(err, errChecksum) {
			r.err = r.o.quarantineFromReader(r.part, r.hash, r.rec, err)
			return 0, r.err
		}
		return 0, r.o.ioError("read", r.f.Name(), err)
	}
	s.pos += int64(n)
	return n, nil
}

// quarantineFromReader quarantines from a reader, which is outside any
// call of the store: it enters the gate for it.
func (o *objectState) quarantineFromReader(part uint32, h objecthash.Hash, rec *record, cause error) error {
	if !o.gate.enter() {
		o.s.log.Error("corrupt object found after close; not quarantined", "partition", part, "object", rec.meta.Name, "err", cause)
		return o.corruptError(part, rec.meta.Name, cause)
	}
	defer o.gate.exit()
	return o.quarantine(part, h, rec, cause)
}

func (o *objectState) corruptError(part uint32, name string, cause error) error {
	return fmt.Errorf("badgerstore: read %s: %w: %w", o.where(part, name), objectserver.ErrCorrupt, cause)
}

// quarantine removes the record of a version whose data is corrupt (if it
// is still the newest), so that the suffix hash changes and replication
// brings a good copy, and moves its data aside to quarantined/. It returns
// the ErrCorrupt error for the caller. The caller is inside the gate.
func (o *objectState) quarantine(part uint32, h objecthash.Hash, rec *record, cause error) error {
	op := o.newOp(part, h, nil, func(cur *record) error {
		if !rec.sameVersion(cur) {
			return errRetry // already quarantined or replaced
		}
		return nil
	})
	err := o.submit(context.Background(), op)
	switch {
	case errors.Is(err, errRetry):
		return o.corruptError(part, rec.meta.Name, cause)
	case err != nil:
		o.s.log.Error("quarantining a corrupt object failed", "partition", part, "object", rec.meta.Name, "cause", cause, "err", err)
		return o.corruptError(part, rec.meta.Name, cause)
	}
	inc(o.m.quarantines)
	o.s.log.Error("corrupt object quarantined", "partition", part, "object", rec.meta.Name,
		"timestamp", rec.meta.Timestamp.Internal(), "err", cause)
	if rec.hasFile {
		from := o.dataPath(part, h, rec.fileID)
		to := filepath.Join(o.quarantineDir, dataName(h, rec.fileID))
		if err := o.fs.Rename(from, to); err != nil && !errors.Is(err, fs.ErrNotExist) {
			o.s.log.Warn("moving a corrupt data file aside failed", "path", from, "err", err)
			if err := o.fs.Remove(from); err != nil {
				o.s.log.Warn("removing a corrupt data file failed", "path", from, "err", err)
			}
		}
	} else if rec.data != nil {
		o.keepInline(h, rec)
	}
	return o.corruptError(part, rec.meta.Name, cause)
}

// keepInline writes the data of a corrupt inline object to quarantined/,
// for inspection. Best effort.
func (o *objectState) keepInline(h objecthash.Hash, rec *record) {
	name := filepath.Join(o.quarantineDir, fmt.Sprintf("%s-%s.inline", h, rec.meta.Timestamp.Internal()))
	f, err := o.fs.Create(name)
	if err == nil {
		_, err = f.Write(rec.data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		o.s.log.Warn("keeping a corrupt inline object failed", "path", name, "err", err)
	}
}

// corruptRecord reports a record that does not decode. Badger checksums
// its tables and value log, so this means a bug or a foreign format rather
// than a bad disk; the record is left in place (removing it would leave
// its unknown contribution in the suffix hash) for a person to look at.
func (o *objectState) corruptRecord(part uint32, name string, cause error) error {
	o.s.log.Error("object record does not decode", "partition", part, "object", name, "err", cause)
	return o.corruptError(part, name, cause)
}
