package vfs

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOSRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var fs FS = OS{}
	name := filepath.Join(dir, "f")
	f, err := fs.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Allocate(10); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte("0123456789")); err != nil {
		t.Fatal(err)
	}
	if err := f.StartWriteback(0, 10); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := fs.Create(name); err == nil {
		t.Error("Create of an existing file succeeded")
	}
	if err := fs.Rename(name, name+"2"); err != nil {
		t.Fatal(err)
	}
	if err := fs.SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	g, err := fs.Open(name + "2")
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	buf := make([]byte, 4)
	if _, err := g.ReadAt(buf, 3); err != nil || string(buf) != "3456" {
		t.Errorf("ReadAt(3) = %q, %v", buf, err)
	}
	if fi, err := fs.Stat(name + "2"); err != nil || fi.Size() != 10 {
		t.Errorf("Stat = %v, %v, want size 10", fi, err)
	}
	avail, total, err := fs.DiskUsage(dir)
	if err != nil || avail == 0 || total < avail {
		t.Errorf("DiskUsage = %d, %d, %v", avail, total, err)
	}
}

func TestFaultyInjects(t *testing.T) {
	dir := t.TempDir()
	fs := NewFaulty(OS{}, func(op Op, path string, off int64) error {
		if op == OpWrite && off >= 5 {
			return syscall.ENOSPC
		}
		return nil
	})
	f, err := fs.Create(filepath.Join(dir, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write([]byte("01234")); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if _, err := f.Write([]byte("5")); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("write past 5 bytes = %v, want ENOSPC", err)
	}
	fs.SetInjector(nil)
	if _, err := f.Write([]byte("5")); err != nil {
		t.Errorf("write without injector = %v", err)
	}
}
