package e2e

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// makeTree writes a directory tree under root: small files spread over
// ten subdirectories (sizes 0 to 4 KiB) and, if bigSize > 0, one file of
// bigSize bytes. The contents are pseudo-random from seed. It returns the
// files' paths relative to root.
func makeTree(t *testing.T, root string, small int, bigSize int64, seed uint64) []string {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var names []string
	for i := range small {
		name := filepath.Join(fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%04d.txt", i))
		data := make([]byte, rng.IntN(4097))
		fillRandom(rng, data)
		writeFile(t, filepath.Join(root, name), data)
		names = append(names, name)
	}
	if bigSize > 0 {
		f, err := os.Create(filepath.Join(root, "big.bin"))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 1<<20)
		for left := bigSize; left > 0; left -= int64(len(buf)) {
			fillRandom(rng, buf)
			if _, err := f.Write(buf[:min(int64(len(buf)), left)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		names = append(names, "big.bin")
	}
	return names
}

func fillRandom(rng *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := rng.Uint64()
		for j := i; j < min(i+8, len(b)); j++ {
			b[j] = byte(v)
			v >>= 8
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// treeFiles lists the regular files under root, relative to it.
func treeFiles(t *testing.T, root string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameTree checks that got holds exactly want's files, byte for byte.
func sameTree(t *testing.T, want, got string) {
	t.Helper()
	a, b := treeFiles(t, want), treeFiles(t, got)
	if len(a) == 0 {
		t.Errorf("%s is empty", want)
	}
	for name := range a {
		if !b[name] {
			t.Errorf("%s: missing from %s", name, got)
			continue
		}
		if err := sameBytes(filepath.Join(want, name), filepath.Join(got, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name := range b {
		if !a[name] {
			t.Errorf("%s: in %s, not in %s", name, got, want)
		}
	}
}

// sameBytes compares two files in 1 MiB chunks.
func sameBytes(p1, p2 string) error {
	f1, err := os.Open(p1)
	if err != nil {
		return err
	}
	defer f1.Close()
	f2, err := os.Open(p2)
	if err != nil {
		return err
	}
	defer f2.Close()
	b1, b2 := make([]byte, 1<<20), make([]byte, 1<<20)
	for off := int64(0); ; {
		n1, err1 := io.ReadFull(f1, b1)
		n2, err2 := io.ReadFull(f2, b2)
		for _, err := range []error{err1, err2} {
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
				return err
			}
		}
		if !bytes.Equal(b1[:n1], b2[:n2]) {
			return fmt.Errorf("contents differ within bytes %d-%d", off, off+int64(max(n1, n2)))
		}
		off += int64(n1)
		end1, end2 := err1 != nil, err2 != nil // the file ended
		if end1 || end2 {
			if end1 != end2 {
				return fmt.Errorf("sizes differ (one ends at %d)", off)
			}
			return nil
		}
	}
}

func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
