package storetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
)

// testSection reads ranges of objects of sizes around the boundaries stores
// are likely to have: empty, the 64 KiB inline threshold and checksum
// block, and several blocks with a partial last one.
func testSection(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	const block = 64 << 10
	for i, size := range []int{0, 1, 4095, 4096, block - 1, block, block + 1, 3 * block, 3*block + 17} {
		name := fmt.Sprintf("/a/c/size-%d", size)
		data := payload(uint64(i), size)
		put(t, s, 2, name, ts(1), data)
		type rng struct{ off, n int }
		ranges := []rng{{0, size}, {0, 0}, {size, 0}}
		if size > 0 {
			ranges = append(ranges, rng{0, 1}, rng{size - 1, 1}, rng{size / 2, size - size/2}, rng{1, size - 1})
		}
		for _, b := range []int{4096, block, 2 * block, 3 * block} {
			for _, off := range []int{b - 1, b, b + 1} {
				if off < 0 || off > size {
					continue
				}
				ranges = append(ranges, rng{off, size - off}) // to the end
				if off+2 <= size {
					ranges = append(ranges, rng{off, 2})
				}
				if off >= 3 && off+3 <= size {
					ranges = append(ranges, rng{off - 3, 6}) // across the boundary
				}
			}
		}
		if size > 2*block {
			ranges = append(ranges, rng{block - 5, block + 10}, rng{block, block}, rng{17, 2*block + 3})
		}
		r, err := s.Open(ctx, 2, name)
		if err != nil {
			t.Fatal(err)
		}
		// One reader serves many sections, in any order.
		for _, rg := range ranges {
			got, err := io.ReadAll(r.Section(int64(rg.off), int64(rg.n)))
			if err != nil {
				t.Errorf("size %d: Section(%d, %d): %v", size, rg.off, rg.n, err)
				continue
			}
			if want := data[rg.off : rg.off+rg.n]; !bytes.Equal(got, want) {
				t.Errorf("size %d: Section(%d, %d) = %d bytes, want %d (equal prefix %d)", size, rg.off, rg.n, len(got), len(want), commonPrefix(got, want))
			}
		}
		// Tiny reads and a section beyond the end, which stops at the end.
		if err := iotest.TestReader(r.Section(0, int64(size)), data); err != nil {
			t.Errorf("size %d: iotest.TestReader: %v", size, err)
		}
		if got, err := io.ReadAll(iotest.OneByteReader(r.Section(int64(size/3), int64(size)))); err != nil || !bytes.Equal(got, data[size/3:]) {
			t.Errorf("size %d: Section past the end: %d bytes, %v, want %d", size, len(got), err, size-size/3)
		}
		if err := r.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	}
}

// testReaderKeepsVersion: a reader goes on reading the version it opened
// while newer ones replace it.
func testReaderKeepsVersion(t *testing.T, open Opener) {
	for _, size := range []int{10, 200 << 10} {
		s := open(t)
		ctx := context.Background()
		old := payload(1, size)
		put(t, s, 1, "/a/c/o", ts(1), old)
		r, err := s.Open(ctx, 1, "/a/c/o")
		if err != nil {
			t.Fatal(err)
		}
		put(t, s, 1, "/a/c/o", ts(2), payload(2, size))
		if _, err := s.Delete(ctx, 1, "/a/c/o", ts(3)); err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r.Section(0, int64(size)))
		if err != nil || !bytes.Equal(got, old) {
			t.Errorf("size %d: reader of a replaced version: %d bytes, %v, want the %d old bytes", size, len(got), err, size)
		}
		if m := r.Meta(); m.Timestamp != ts(1) {
			t.Errorf("size %d: Meta().Timestamp = %s, want %s", size, m.Timestamp, ts(1))
		}
		r.Close()
	}
}
