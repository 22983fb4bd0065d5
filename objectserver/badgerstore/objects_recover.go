package badgerstore

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/swiftlet/swiftlet/internal/objecthash"
)

// Recovery at Open.
//
// A write renames its data file into place, syncs the directory, and only
// then commits the record; a commit that replaces a version removes the
// old data file after. So a process killed mid-write can leave temp files,
// and data files no record references (renamed but never committed, or
// replaced but not yet removed), but never a record without its data
// file, unless the disk lost it. Open always empties tmp/ (one directory
// read); after an unclean shutdown (stateKey still "open") it also walks
// objects/ to remove orphans, and checks that every file-backed record's
// file exists, dropping those that lost it so that replication restores
// them. A clean Close records "clean", so a normal Open skips the walk.

func (o *objectState) recover(clean bool) error {
	start := time.Now()
	temps, err := o.clearTmp()
	if err != nil {
		return err
	}
	addRecovered(o.m, "temp", temps)
	if clean {
		if temps > 0 {
			o.s.log.Info("removed temp files", "temp_files", temps)
		}
		return nil
	}
	o.s.log.Warn("store was not closed cleanly; checking data files against the index")
	orphans, err := o.removeOrphans()
	if err != nil {
		return err
	}
	addRecovered(o.m, "orphan", orphans)
	missing, err := o.dropRecordsWithoutData()
	if err != nil {
		return err
	}
	addRecovered(o.m, "missing_data", missing)
	o.s.log.Warn("recovery done", "temp_files", temps, "orphan_files", orphans, "records_without_data", missing,
		"duration", time.Since(start))
	return nil
}

// clearTmp removes everything in tmp/.
func (o *objectState) clearTmp() (int, error) {
	entries, err := o.fs.ReadDir(o.tmpDir)
	if err != nil {
		return 0, o.ioError("read directory", o.tmpDir, err)
	}
	n := 0
	for _, e := range entries {
		p := filepath.Join(o.tmpDir, e.Name())
		if err := o.fs.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, o.ioError("remove", p, err)
		}
		n++
	}
	return n, nil
}

// removeOrphans removes the data files no record references.
func (o *objectState) removeOrphans() (int, error) {
	parts, err := o.fs.ReadDir(o.objectsDir)
	if err != nil {
		return 0, o.ioError("read directory", o.objectsDir, err)
	}
	n := 0
	for _, pd := range parts {
		p, err := strconv.ParseUint(pd.Name(), 10, 32)
		if !pd.IsDir() || err != nil {
			o.s.log.Warn("unexpected entry in objects/", "name", pd.Name())
			continue
		}
		part := uint32(p)
		dir := o.partDir(part)
		files, err := o.fs.ReadDir(dir)
		if err != nil {
			return n, o.ioError("read directory", dir, err)
		}
		for _, f := range files {
			h, id, ok := parseDataName(f.Name())
			if !ok {
				o.s.log.Warn("unexpected file in a partition directory", "path", filepath.Join(dir, f.Name()))
				continue
			}
			rec, err := o.get(part, h, false)
			if err != nil && !errors.Is(err, errBadRecord) {
				return n, o.dbError("recover", dir, err)
			}
			if err == nil && rec != nil && rec.hasFile && rec.fileID == id {
				continue
			}
			path := filepath.Join(dir, f.Name())
			if err := o.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return n, o.ioError("remove", path, err)
			}
			o.s.log.Info("removed orphan data file", "path", path)
			n++
		}
	}
	return n, nil
}

// dropRecordsWithoutData removes the records whose data file is missing.
func (o *objectState) dropRecordsWithoutData() (int, error) {
	type lost struct {
		part uint32
		h    objecthash.Hash
		rec  *record
	}
	var found []lost
	err := o.view(func(txn *badger.Txn) error {
		opts := badger.DefaultIteratorOptions
		opts.PrefetchValues = false
		opts.Prefix = []byte{nsObject}
		it := txn.NewIterator(opts)
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			if item.UserMeta()&flagFile == 0 {
				continue
			}
			k := item.Key()
			h, ok := hashOfObjectKey(k)
			if !ok {
				continue
			}
			part := uint32(k[1])<<24 | uint32(k[2])<<16 | uint32(k[3])<<8 | uint32(k[4])
			var rec *record
			if err := item.Value(func(v []byte) error {
				var err error
				rec, err = decodeRecord(v, false)
				return err
			}); err != nil {
				o.s.log.Error("object record does not decode", "key", k, "err", err)
				continue
			}
			path := o.dataPath(part, h, rec.fileID)
			if _, err := o.fs.Stat(path); errors.Is(err, fs.ErrNotExist) {
				found = append(found, lost{part, h, rec})
			} else if err != nil {
				return o.ioError("stat", path, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, o.dbError("recover", o.s.opts.Device, err)
	}
	n := 0
	for _, l := range found {
		op := o.newOp(l.part, l.h, nil, func(cur *record) error {
			if !l.rec.sameVersion(cur) {
				return errRetry
			}
			return nil
		})
		switch err := o.submit(context.Background(), op); {
		case err == nil:
			o.s.log.Warn("dropped a record whose data file is missing", "partition", l.part, "object", l.rec.meta.Name,
				"timestamp", l.rec.meta.Timestamp.Internal())
			n++
		case !errors.Is(err, errRetry):
			return n, err
		}
	}
	return n, nil
}
