package badgerstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/internal/vfs"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
)

// faultStore opens a store whose data files go through a Faulty FS.
func faultStore(t *testing.T) (*Store, *vfs.Faulty, *prometheus.Registry) {
	t.Helper()
	fs := vfs.NewFaulty(vfs.OS{}, nil)
	reg := prometheus.NewRegistry()
	return openTest(t, Options{FS: fs, Metrics: NewMetrics(reg)}), fs, reg
}

// counter returns the sum of a counter's series.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var v float64
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				v += m.GetCounter().GetValue()
			}
		}
	}
	return v
}

// dirNames lists a directory of the store.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// dataFiles lists all data files under objects/.
func dataFiles(t *testing.T, s *Store) []string {
	t.Helper()
	var out []string
	for _, p := range dirNames(t, filepath.Join(s.dir, "objects")) {
		for _, f := range dirNames(t, filepath.Join(s.dir, "objects", p)) {
			out = append(out, p+"/"+f)
		}
	}
	return out
}

// failOn returns an injector failing op on data files (not directories
// or statfs) with errno, once the file has off bytes.
func failOn(op vfs.Op, errno syscall.Errno, off int64) vfs.Injector {
	return func(o vfs.Op, path string, at int64) error {
		if o == op && at >= off {
			return errno
		}
		return nil
	}
}

// TestWriteFaults fails each step of a large write with ENOSPC and EIO:
// the write must fail with the matching sentinel, leave nothing visible
// and no file behind, count a disk error, and the store must work after.
func TestWriteFaults(t *testing.T) {
	tests := []struct {
		op       vfs.Op
		off      int64
		unknown  bool // write with Size -1 (no fallocate)
		sentinel map[syscall.Errno]error
	}{
		{op: vfs.OpCreate},
		{op: vfs.OpAllocate},
		{op: vfs.OpWrite, off: 100 << 10},
		{op: vfs.OpWrite, off: 100 << 10, unknown: true},
		{op: vfs.OpSync},
		{op: vfs.OpRename},
		{op: vfs.OpSyncDir},
	}
	for _, tt := range tests {
		for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EIO} {
			want := objectserver.ErrDiskFull
			if errno == syscall.EIO {
				want = objectserver.ErrDeviceUnavailable
			}
			name := map[syscall.Errno]string{syscall.ENOSPC: "ENOSPC", syscall.EIO: "EIO"}[errno]
			t.Run(fmt.Sprintf("%s@%d,unknown=%v/%s", tt.op, tt.off, tt.unknown, name), func(t *testing.T) {
				s, fs, m := faultStore(t)
				ctx := context.Background()
				d := data(1, 300<<10)
				fs.SetInjector(failOn(tt.op, errno, tt.off))
				size := int64(len(d))
				if tt.unknown {
					size = -1
				}
				var err error
				w, err := s.Create(ctx, 1, objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(1), Size: size})
				if err == nil {
					_, err = w.Write(d)
					if err == nil {
						_, err = w.Commit(ctx)
					}
					if cerr := w.Close(); cerr != nil {
						t.Errorf("Close = %v", cerr)
					}
				}
				if !errors.Is(err, want) || !errors.Is(err, errno) {
					t.Errorf("write = %v, want %v (and %v)", err, want, errno)
				}
				if _, err := s.Stat(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
					t.Errorf("Stat after a failed write = %v, want ErrNotFound", err)
				}
				if tmp := dirNames(t, filepath.Join(s.dir, "tmp")); len(tmp) != 0 {
					t.Errorf("temp files left: %v", tmp)
				}
				if files := dataFiles(t, s); len(files) != 0 {
					t.Errorf("data files left: %v", files)
				}
				if got := counter(t, m, "swiftlet_objectserver_disk_errors_total"); got != 1 {
					t.Errorf("disk errors = %v, want 1", got)
				}
				fs.SetInjector(nil)
				mustPut(t, s, 1, "/a/c/o", at(2), d)
				if got := mustRead(t, s, 1, "/a/c/o"); !bytes.Equal(got, d) {
					t.Error("the store does not work after the fault")
				}
			})
		}
	}
}

// TestDiskFullBeforeWriting: a device without room (beyond the reserve)
// refuses a write at Create, before any byte is written.
func TestDiskFullBeforeWriting(t *testing.T) {
	s, fs, _ := faultStore(t)
	ctx := context.Background()
	avail, _, err := vfs.OS{}.DiskUsage(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	big := int64(avail) // more than is free once the reserve is counted
	if _, err := s.Create(ctx, 1, objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(1), Size: big}); !errors.Is(err, objectserver.ErrDiskFull) {
		t.Errorf("Create of %d bytes = %v, want ErrDiskFull", big, err)
	}
	var created []string
	fs.SetInjector(func(op vfs.Op, path string, _ int64) error {
		if op == vfs.OpCreate {
			created = append(created, path)
		}
		return nil
	})
	if _, err := s.Create(ctx, 1, objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(1), Size: big}); !errors.Is(err, objectserver.ErrDiskFull) {
		t.Errorf("Create = %v, want ErrDiskFull", err)
	}
	if len(created) != 0 {
		t.Errorf("a refused write created %v", created)
	}
	// A statfs failure is a device failure.
	fs.SetInjector(failOn(vfs.OpDiskUsage, syscall.EIO, 0))
	if _, err := s.Create(ctx, 1, objectserver.ObjectMeta{Name: "/a/c/o", Timestamp: at(1), Size: 1}); !errors.Is(err, objectserver.ErrDeviceUnavailable) {
		t.Errorf("Create with statfs failing = %v, want ErrDeviceUnavailable", err)
	}
}

// TestReadFaults: EIO while reading is a device error, not corruption.
func TestReadFaults(t *testing.T) {
	s, fs, m := faultStore(t)
	d := data(3, 300<<10)
	mustPut(t, s, 1, "/a/c/o", at(1), d)
	r, err := s.Open(context.Background(), 1, "/a/c/o")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	fs.SetInjector(failOn(vfs.OpReadAt, syscall.EIO, 0))
	if _, err := io.ReadAll(r.Section(0, int64(len(d)))); !errors.Is(err, objectserver.ErrDeviceUnavailable) {
		t.Errorf("read with EIO = %v, want ErrDeviceUnavailable", err)
	}
	fs.SetInjector(nil)
	if got := counter(t, m, "swiftlet_objectserver_quarantines_total"); got != 0 {
		t.Errorf("quarantines = %v after an I/O error, want 0", got)
	}
	if got := mustRead(t, s, 1, "/a/c/o"); !bytes.Equal(got, d) {
		t.Error("object changed by a read error")
	}
	fs.SetInjector(failOn(vfs.OpOpen, syscall.EIO, 0))
	if _, err := s.Open(context.Background(), 1, "/a/c/o"); !errors.Is(err, objectserver.ErrDeviceUnavailable) {
		t.Errorf("Open with EIO = %v, want ErrDeviceUnavailable", err)
	}
}

// dataFileOf returns the path of an object's data file.
func dataFileOf(t *testing.T, s *Store, part uint32, name string) string {
	t.Helper()
	h, _ := objecthash.Of(storetest.Salt, name)
	rec, err := s.objects.get(part, h, false)
	if err != nil || rec == nil || !rec.hasFile {
		t.Fatalf("record of %s: %+v, %v", name, rec, err)
	}
	return s.objects.dataPath(part, h, rec.fileID)
}

// flipByte changes one byte of a file.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0x40
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptDataFile(t *testing.T) {
	s, _, m := faultStore(t)
	ctx := context.Background()
	d := data(4, 4*dataBlockSize+100)
	mustPut(t, s, 1, "/a/c/o", at(1), d)
	mustPut(t, s, 1, "/a/c/other", at(1), []byte("unharmed"))
	path := dataFileOf(t, s, 1, "/a/c/o")
	hashesBefore, _ := s.SuffixHashes(ctx, 1)
	flipByte(t, path, 2*dataBlockSize+500) // in the third block

	r, err := s.Open(ctx, 1, "/a/c/o")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Ranges within the good blocks read fine.
	if got, err := io.ReadAll(r.Section(10, dataBlockSize)); err != nil || !bytes.Equal(got, d[10:10+dataBlockSize]) {
		t.Errorf("read of good blocks: %d bytes, %v", len(got), err)
	}
	// A whole read yields the first two blocks, then fails: no byte of
	// the bad block comes out, whatever the read size. (All readers are
	// opened first: the first failure quarantines the object.)
	chunks := []int{1, 1000, dataBlockSize, 3 * dataBlockSize}
	readers := make([]objectserver.ObjectReader, len(chunks))
	for i := range chunks {
		if readers[i], err = s.Open(ctx, 1, "/a/c/o"); err != nil {
			t.Fatal(err)
		}
		defer readers[i].Close()
	}
	for i, chunk := range chunks {
		var got []byte
		buf := make([]byte, chunk)
		sec := readers[i].Section(0, int64(len(d)))
		for {
			n, err := sec.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				if !errors.Is(err, objectserver.ErrCorrupt) {
					t.Errorf("chunk %d: read error %v, want ErrCorrupt", chunk, err)
				}
				break
			}
		}
		if len(got) > 2*dataBlockSize || !bytes.Equal(got, d[:len(got)]) {
			t.Errorf("chunk %d: %d bytes before the error, want at most the %d of the good blocks, all correct", chunk, len(got), 2*dataBlockSize)
		}
		// The reader stays failed.
		if _, err := readers[i].Section(0, 10).Read(buf); !errors.Is(err, objectserver.ErrCorrupt) {
			t.Errorf("chunk %d: read after the failure = %v, want ErrCorrupt", chunk, err)
		}
	}

	if _, err := s.Stat(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Stat of a quarantined object = %v, want ErrNotFound", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the corrupt data file is still in place: %v", err)
	}
	if q := dirNames(t, filepath.Join(s.dir, "quarantined")); len(q) != 1 || q[0] != filepath.Base(path) {
		t.Errorf("quarantined/ holds %v, want %s", q, filepath.Base(path))
	}
	if got := counter(t, m, "swiftlet_objectserver_quarantines_total"); got != 1 {
		t.Errorf("quarantines = %v, want 1", got)
	}
	if after, _ := s.SuffixHashes(ctx, 1); after[suffixOfName("/a/c/o")] == hashesBefore[suffixOfName("/a/c/o")] {
		t.Error("quarantine left the suffix hash unchanged; replication would not notice")
	}
	if got := mustRead(t, s, 1, "/a/c/other"); string(got) != "unharmed" {
		t.Errorf("other object = %q", got)
	}
	// Replication can bring it back.
	mustPut(t, s, 1, "/a/c/o", at(1), d)
	if got := mustRead(t, s, 1, "/a/c/o"); !bytes.Equal(got, d) {
		t.Error("object not restored")
	}
}

func suffixOfName(name string) string {
	h, _ := objecthash.Of(storetest.Salt, name)
	return objecthash.SuffixString(h.Suffix())
}

func TestCorruptTrailerAndTruncation(t *testing.T) {
	for _, tt := range []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"trailer", func(t *testing.T, path string) {
			fi, _ := os.Stat(path)
			flipByte(t, path, fi.Size()-20)
		}},
		{"checksum table", func(t *testing.T, path string) { flipByte(t, path, 3*dataBlockSize+3) }},
		{"truncated", func(t *testing.T, path string) {
			if err := os.Truncate(path, dataBlockSize); err != nil {
				t.Fatal(err)
			}
		}},
		{"missing", func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _, m := faultStore(t)
			ctx := context.Background()
			d := data(5, 3*dataBlockSize)
			mustPut(t, s, 1, "/a/c/o", at(1), d)
			tt.damage(t, dataFileOf(t, s, 1, "/a/c/o"))
			r, err := s.Open(ctx, 1, "/a/c/o")
			if err == nil {
				_, err = io.ReadAll(r.Section(0, int64(len(d))))
				r.Close()
			}
			if !errors.Is(err, objectserver.ErrCorrupt) {
				t.Errorf("read = %v, want ErrCorrupt", err)
			}
			if _, err := s.Stat(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
				t.Errorf("Stat after quarantine = %v, want ErrNotFound", err)
			}
			if got := counter(t, m, "swiftlet_objectserver_quarantines_total"); got != 1 {
				t.Errorf("quarantines = %v, want 1", got)
			}
		})
	}
}

// TestCorruptInline corrupts the data inside a record (with its checksum
// unchanged, as a bad disk block under Badger's own checks would): Open
// must fail before returning any byte.
func TestCorruptInline(t *testing.T) {
	s, _, m := faultStore(t)
	ctx := context.Background()
	d := data(6, 5000)
	mustPut(t, s, 1, "/a/c/o", at(1), d)
	h, _ := objecthash.Of(storetest.Salt, "/a/c/o")
	key := objectKey(1, h)
	err := s.db.Update(func(txn *badger.Txn) error {
		rec, err := getRecord(txn, key, true)
		if err != nil {
			return err
		}
		rec.data[1234] ^= 1
		enc, err := rec.encode(nil)
		if err != nil {
			return err
		}
		return txn.SetEntry(badger.NewEntry(key, enc).WithMeta(rec.flags()))
	})
	if err != nil {
		t.Fatal(err)
	}
	s.objects.refreshSnapshot() // object reads see only the committer's writes otherwise
	if _, err := s.Open(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrCorrupt) {
		t.Fatalf("Open of a corrupt inline object = %v, want ErrCorrupt", err)
	}
	if _, err := s.Stat(ctx, 1, "/a/c/o"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Stat after quarantine = %v, want ErrNotFound", err)
	}
	if hashes, _ := s.SuffixHashes(ctx, 1); len(hashes) != 0 {
		t.Errorf("suffix hashes after quarantining the only object = %v, want none", hashes)
	}
	q := dirNames(t, filepath.Join(s.dir, "quarantined"))
	if len(q) != 1 || !strings.HasSuffix(q[0], ".inline") {
		t.Errorf("quarantined/ holds %v, want the inline data", q)
	}
	if got := counter(t, m, "swiftlet_objectserver_quarantines_total"); got != 1 {
		t.Errorf("quarantines = %v, want 1", got)
	}
}
