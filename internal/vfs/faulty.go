package vfs

import (
	"io/fs"
	"sync"
)

// Op names an operation of FS or File, for fault injection.
type Op string

// The operations an Injector sees.
const (
	OpCreate    Op = "create"
	OpOpen      Op = "open"
	OpRename    Op = "rename"
	OpRemove    Op = "remove"
	OpMkdirAll  Op = "mkdirall"
	OpReadDir   Op = "readdir"
	OpStat      Op = "stat"
	OpSyncDir   Op = "syncdir"
	OpDiskUsage Op = "diskusage"
	OpWrite     Op = "write"
	OpReadAt    Op = "readat"
	OpSync      Op = "sync"
	OpAllocate  Op = "allocate"
)

// Injector decides the fate of one operation: a non-nil error fails it
// (before it happens). path is the file or directory; off is, for writes
// and reads, the offset at which the operation starts, and for Allocate
// the size.
type Injector func(op Op, path string, off int64) error

// Faulty is an FS that consults an injector before every operation of the
// FS it wraps. The injector can be changed while the FS is in use.
type Faulty struct {
	fs FS
	mu sync.Mutex
	in Injector // guarded by mu; nil injects nothing
}

var _ FS = (*Faulty)(nil)

// NewFaulty wraps fs; inj may be nil.
func NewFaulty(fs FS, inj Injector) *Faulty { return &Faulty{fs: fs, in: inj} }

// SetInjector replaces the injector; nil stops injecting.
func (f *Faulty) SetInjector(inj Injector) {
	f.mu.Lock()
	f.in = inj
	f.mu.Unlock()
}

func (f *Faulty) inject(op Op, path string, off int64) error {
	f.mu.Lock()
	in := f.in
	f.mu.Unlock()
	if in == nil {
		return nil
	}
	return in(op, path, off)
}

func (f *Faulty) Create(name string) (File, error) {
	if err := f.inject(OpCreate, name, 0); err != nil {
		return nil, err
	}
	file, err := f.fs.Create(name)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, fs: f}, nil
}

func (f *Faulty) Open(name string) (File, error) {
	if err := f.inject(OpOpen, name, 0); err != nil {
		return nil, err
	}
	file, err := f.fs.Open(name)
	if err != nil {
		return nil, err
	}
	return &faultyFile{File: file, fs: f}, nil
}

func (f *Faulty) Rename(oldname, newname string) error {
	if err := f.inject(OpRename, oldname, 0); err != nil {
		return err
	}
	return f.fs.Rename(oldname, newname)
}

func (f *Faulty) Remove(name string) error {
	if err := f.inject(OpRemove, name, 0); err != nil {
		return err
	}
	return f.fs.Remove(name)
}

func (f *Faulty) MkdirAll(dir string) error {
	if err := f.inject(OpMkdirAll, dir, 0); err != nil {
		return err
	}
	return f.fs.MkdirAll(dir)
}

func (f *Faulty) ReadDir(dir string) ([]fs.DirEntry, error) {
	if err := f.inject(OpReadDir, dir, 0); err != nil {
		return nil, err
	}
	return f.fs.ReadDir(dir)
}

func (f *Faulty) Stat(name string) (fs.FileInfo, error) {
	if err := f.inject(OpStat, name, 0); err != nil {
		return nil, err
	}
	return f.fs.Stat(name)
}

func (f *Faulty) SyncDir(dir string) error {
	if err := f.inject(OpSyncDir, dir, 0); err != nil {
		return err
	}
	return f.fs.SyncDir(dir)
}

func (f *Faulty) DiskUsage(path string) (avail, total uint64, err error) {
	if err := f.inject(OpDiskUsage, path, 0); err != nil {
		return 0, 0, err
	}
	return f.fs.DiskUsage(path)
}

type faultyFile struct {
	File
	fs  *Faulty
	off int64 // bytes written so far
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if err := f.fs.inject(OpWrite, f.Name(), f.off); err != nil {
		return 0, err
	}
	n, err := f.File.Write(p)
	f.off += int64(n)
	return n, err
}

func (f *faultyFile) ReadAt(p []byte, off int64) (int, error) {
	if err := f.fs.inject(OpReadAt, f.Name(), off); err != nil {
		return 0, err
	}
	return f.File.ReadAt(p, off)
}

func (f *faultyFile) Sync() error {
	if err := f.fs.inject(OpSync, f.Name(), f.off); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *faultyFile) Allocate(size int64) error {
	if err := f.fs.inject(OpAllocate, f.Name(), size); err != nil {
		return err
	}
	return f.File.Allocate(size)
}
