package nodeproc

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A device on a small real file system fills up: writes to it answer 507
// and leave nothing behind, what was written stays readable, the node's
// other device keeps working, and once space is freed writes succeed again.
func TestDeviceFills(t *testing.T) {
	devs := t.TempDir()
	small := filepath.Join(devs, "small")
	if err := os.MkdirAll(small, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", small, "tmpfs", 0, "size=24m"); err != nil {
		if errors.Is(err, syscall.EPERM) {
			t.Skipf("cannot mount a tmpfs here (%v); the fault-injecting store tests cover ENOSPC", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(small, syscall.MNT_DETACH) })

	n := newNode(t, devs, "small", "big")
	client := &http.Client{Timeout: 10 * time.Second}
	data := bytes.Repeat([]byte("swiftlet"), 1<<17) // 1 MiB
	var written []object
	full := false
	for i := range 64 {
		o := object{device: "small", part: i % 4, name: fmt.Sprint("o", i), size: len(data)}
		status, err := put(client, n.obj, o, data)
		if err != nil {
			t.Fatal(err)
		}
		if status == http.StatusInsufficientStorage {
			full = true
			// Nothing partial may be visible.
			if got, _, _ := get(client, n.obj, o); got != http.StatusNotFound {
				t.Errorf("GET of the rejected write = %d, want 404", got)
			}
			break
		}
		if status != http.StatusCreated {
			t.Fatalf("PUT %d = %d", i, status)
		}
		o.md5 = md5hex(data)
		written = append(written, o)
	}
	if !full {
		t.Fatal("a 24 MiB device took 64 MiB")
	}
	t.Logf("device full after %d MiB", len(written))
	for _, o := range written {
		if status, sum, err := get(client, n.obj, o); status != http.StatusOK || sum != o.md5 || err != nil {
			t.Errorf("GET %s on the full device = %d, %v", o.name, status, err)
		}
	}
	if entries, _ := os.ReadDir(filepath.Join(small, "tmp")); len(entries) != 0 {
		t.Errorf("%d temporary files left on the full device", len(entries))
	}
	// The other device is unaffected.
	other := object{device: "big", part: 1, name: "elsewhere"}
	if status, err := put(client, n.obj, other, data); status != http.StatusCreated || err != nil {
		t.Errorf("PUT to the other device = %d, %v", status, err)
	}
	// Free space: delete half of what was written, then write again.
	for _, o := range written[:len(written)/2] {
		if status := del(t, client, n.obj, o); status != http.StatusNoContent {
			t.Fatalf("DELETE %s = %d", o.name, status)
		}
	}
	again := object{device: "small", part: 2, name: "after-free"}
	if status, err := put(client, n.obj, again, data); status != http.StatusCreated || err != nil {
		t.Errorf("PUT after freeing space = %d, %v; want 201", status, err)
	}
}

func del(t *testing.T, client *http.Client, base string, o object) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, o.url(base), nil)
	req.Header.Set("X-Timestamp", nowTimestamp())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
