// Package vfs is the narrow file-system interface the object store's data
// files go through, so that tests can inject faults (ENOSPC, EIO) at every
// step of a write or read. OS is the real one; Faulty wraps any FS with an
// injector.
package vfs

import (
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// FS is what the store does with files and directories.
type FS interface {
	// Create creates name, which must not exist, for reading and writing.
	Create(name string) (File, error)
	// Open opens name for reading.
	Open(name string) (File, error)
	// Rename renames oldname to newname, replacing it.
	Rename(oldname, newname string) error
	// Remove removes a file or an empty directory.
	Remove(name string) error
	// MkdirAll creates dir and its missing parents.
	MkdirAll(dir string) error
	// ReadDir lists dir.
	ReadDir(dir string) ([]fs.DirEntry, error)
	// Stat describes name.
	Stat(name string) (fs.FileInfo, error)
	// SyncDir makes dir's entries (creations, renames, removals) durable.
	SyncDir(dir string) error
	// DiskUsage returns the bytes available to the store and the total
	// size of the file system holding path.
	DiskUsage(path string) (avail, total uint64, err error)
}

// File is an open file. It is not safe for concurrent use, except ReadAt.
type File interface {
	io.Writer
	io.ReaderAt
	io.Closer
	// Name is the name the file was opened with.
	Name() string
	// Sync makes the file's data, and the metadata needed to read it
	// back, durable (fdatasync).
	Sync() error
	// Allocate reserves space for the file's first size bytes and makes
	// that its size, so that writing them cannot run out of space.
	Allocate(size int64) error
	// StartWriteback asks the kernel to start writing the range to disk
	// without waiting for it; a later Sync has less to do. A hint: it
	// may do nothing.
	StartWriteback(off, n int64) error
}

// OS is the operating system's file system.
type OS struct{}

var _ FS = OS{}

func (OS) Create(name string) (File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (OS) Open(name string) (File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	return osFile{f}, nil
}

func (OS) Rename(oldname, newname string) error      { return os.Rename(oldname, newname) }
func (OS) Remove(name string) error                  { return os.Remove(name) }
func (OS) MkdirAll(dir string) error                 { return os.MkdirAll(dir, 0o755) }
func (OS) ReadDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }
func (OS) Stat(name string) (fs.FileInfo, error)     { return os.Stat(name) }

func (OS) SyncDir(dir string) error {
	d, err := os.Open(filepath.Clean(dir))
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (OS) DiskUsage(path string) (avail, total uint64, err error) { return diskUsage(path) }

type osFile struct{ *os.File }

func (f osFile) Sync() error                       { return fdatasync(f.File) }
func (f osFile) Allocate(size int64) error         { return allocate(f.File, size) }
func (f osFile) StartWriteback(off, n int64) error { return startWriteback(f.File, off, n) }
