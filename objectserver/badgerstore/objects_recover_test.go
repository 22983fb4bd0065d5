package badgerstore

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/swiftlet/swiftlet/internal/objecthash"
	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/memstore"
	"github.com/swiftlet/swiftlet/objectserver/storetest"
)

// crash stops s as a killed process would: no clean-shutdown record, no
// cleanup. The test's Close of s does nothing after.
func crash(t *testing.T, s *Store) {
	t.Helper()
	s.closeM.Do(func() {
		o := &s.objects
		o.gate.close()
		close(o.stopCommitter)
		<-o.committerDone
		if err := s.db.Close(); err != nil {
			t.Fatal(err)
		}
	})
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecoveryAfterCrash leaves what a crash can leave (a temp file, data
// files no record references) and what only a failing disk can (a record
// whose data file is gone), then reopens.
func TestRecoveryAfterCrash(t *testing.T) {
	dir := t.TempDir()
	opts := Options{Salt: storetest.Salt, ReserveBytes: 1 << 20, Logger: slog.New(slog.NewTextHandler(t.Output(), nil))}
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c := data(1, 200<<10), data(2, 100<<10), data(3, 10)
	mustPut(t, s, 1, "/a/c/a", at(1), a)
	mustPut(t, s, 1, "/a/c/b", at(1), b)
	mustPut(t, s, 2, "/a/c/c", at(1), c)
	pathA, pathB := dataFileOf(t, s, 1, "/a/c/a"), dataFileOf(t, s, 1, "/a/c/b")
	crash(t, s)

	if err := os.WriteFile(filepath.Join(dir, "tmp", "0123456789abcdef.tmp"), []byte("half written"), 0o644); err != nil {
		t.Fatal(err)
	}
	hA, _ := objecthash.Of(storetest.Salt, "/a/c/a")
	orphans := []string{
		filepath.Join(dir, "objects", "1", dataName(hA, 12345)),              // an older version never removed
		filepath.Join(dir, "objects", "77", dataName(objecthash.Hash{7}, 1)), // renamed, never committed
	}
	for _, o := range orphans {
		copyFile(t, pathA, o)
	}
	if err := os.Remove(pathB); err != nil {
		t.Fatal(err)
	}

	reg := prometheus.NewRegistry()
	opts.Metrics = NewMetrics(reg)
	s, err = Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if tmp := dirNames(t, filepath.Join(dir, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ holds %v after recovery", tmp)
	}
	for _, o := range orphans {
		if _, err := os.Stat(o); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("orphan %s survived recovery: %v", o, err)
		}
	}
	if got := mustRead(t, s, 1, "/a/c/a"); !bytes.Equal(got, a) {
		t.Error("object a damaged by recovery")
	}
	if got := mustRead(t, s, 2, "/a/c/c"); !bytes.Equal(got, c) {
		t.Error("object c damaged by recovery")
	}
	if _, err := s.Stat(context.Background(), 1, "/a/c/b"); !errors.Is(err, objectserver.ErrNotFound) {
		t.Errorf("Stat(b), whose data file is gone, = %v, want ErrNotFound", err)
	}
	ref := memstore.New(storetest.Salt)
	mustPut(t, ref, 1, "/a/c/a", at(1), a)
	got, _ := s.SuffixHashes(context.Background(), 1)
	want, _ := ref.SuffixHashes(context.Background(), 1)
	if !maps.Equal(got, want) {
		t.Errorf("suffix hashes after recovery = %v, want %v", got, want)
	}
	mfs, _ := reg.Gather()
	counts := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() == "swiftlet_objectserver_recovery_removed_total" {
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetName() == "kind" {
						counts[l.GetValue()] = m.GetCounter().GetValue()
					}
				}
			}
		}
	}
	if wantCounts := map[string]float64{"temp": 1, "orphan": 2, "missing_data": 1}; !maps.Equal(counts, wantCounts) {
		t.Errorf("recovery counts = %v, want %v", counts, wantCounts)
	}

	// After a clean close, Open only empties tmp/: it does not walk the
	// data files (an orphan planted meanwhile stays).
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	copyFile(t, pathA, orphans[0])
	if err := os.WriteFile(filepath.Join(dir, "tmp", "x.tmp"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = Open(dir, opts2(opts))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(orphans[0]); err != nil {
		t.Errorf("a clean Open walked the data files: %v", err)
	}
	if tmp := dirNames(t, filepath.Join(dir, "tmp")); len(tmp) != 0 {
		t.Errorf("tmp/ holds %v after a clean open", tmp)
	}
}

// opts2 is opts with fresh metrics (a registry takes each metric once).
func opts2(opts Options) Options {
	opts.Metrics = NewMetrics(prometheus.NewRegistry())
	return opts
}

const crashEnv = "BADGERSTORE_CRASH_WRITER_DIR"

// crashObject is the i-th object the crash writer writes: its name,
// partition and data (large every third, of unknown size every fifth).
func crashObject(i int) (name string, part uint32, d []byte, size int64) {
	n := 4096
	if i%3 == 0 {
		n = 150 << 10
	}
	d = data(byte(i), n)
	size = int64(n)
	if i%5 == 0 {
		size = -1
	}
	return fmt.Sprintf("/a/c/crash-%d", i), uint32(i % 7), d, size
}

// TestCrashWriter is the child of TestKill9: with crashEnv set, it writes
// objects to the store in that directory until killed, printing the index
// of each one acknowledged (Commit returned).
func TestCrashWriter(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("the child process of TestKill9")
	}
	s, err := Open(dir, Options{Salt: storetest.Salt, ReserveBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	start, _ := strconv.Atoi(os.Getenv(crashEnv + "_START"))
	ctx := context.Background()
	for i := start; ; i++ {
		name, part, d, size := crashObject(i)
		w, err := s.Create(ctx, part, objectserver.ObjectMeta{Name: name, Timestamp: at(1), Size: size})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(d); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		w.Close()
		fmt.Fprintf(os.Stdout, "acked %d\n", i)
	}
}

// TestKill9 kills a writing process with SIGKILL, several times, and
// checks after each that every acknowledged write is readable and the
// data files agree with the index.
func TestKill9(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the child")
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	next := 0
	acked := map[int]bool{}
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$", "-test.v")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, fmt.Sprintf("%s_START=%d", crashEnv, next))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a number of acknowledgements that varies by round,
		// while writes are in flight.
		target := 40 + 35*round
		sc := bufio.NewScanner(out)
		n := 0
		deadline := time.Now().Add(20 * time.Second)
		for sc.Scan() && n < target && time.Now().Before(deadline) {
			if i, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
				v, _ := strconv.Atoi(i)
				acked[v] = true
				next = max(next, v+1)
				n++
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// Lines written before the kill are acknowledgements too.
		rest, _ := io.ReadAll(out)
		for _, l := range strings.Split(string(rest), "\n") {
			if i, ok := strings.CutPrefix(l, "acked "); ok {
				v, _ := strconv.Atoi(i)
				acked[v] = true
				next = max(next, v+1)
			}
		}
		cmd.Wait()
		if n < target {
			t.Fatalf("round %d: the writer acknowledged %d writes, want %d", round, n, target)
		}
		// The write in flight at the kill may have committed without being
		// acknowledged; the next writer skips its name (the same name at
		// the same timestamp would conflict).
		next += 2

		s, err := Open(dir, Options{Salt: storetest.Salt, ReserveBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for i := range next {
			name, part, d, _ := crashObject(i)
			r, err := s.Open(ctx, part, name)
			if errors.Is(err, objectserver.ErrNotFound) && !acked[i] {
				continue // never acknowledged: may be missing
			}
			if err != nil {
				t.Errorf("round %d: acknowledged write %d: Open = %v", round, i, err)
				continue
			}
			got, err := io.ReadAll(r.Section(0, r.Meta().Size))
			r.Close()
			if err != nil || !bytes.Equal(got, d) {
				t.Errorf("round %d: write %d (acknowledged %v) reads %d bytes, %v, want its %d bytes", round, i, acked[i], len(got), err, len(d))
			}
		}
		// Every data file left is referenced by a record.
		for _, p := range dirNames(t, filepath.Join(dir, "objects")) {
			part, _ := strconv.ParseUint(p, 10, 32)
			for _, f := range dirNames(t, filepath.Join(dir, "objects", p)) {
				h, id, ok := parseDataName(f)
				rec, err := s.objects.get(uint32(part), h, false)
				if !ok || err != nil || rec == nil || rec.fileID != id {
					t.Errorf("round %d: data file %s/%s has no record", round, p, f)
				}
			}
		}
		if tmp := dirNames(t, filepath.Join(dir, "tmp")); len(tmp) != 0 {
			t.Errorf("round %d: tmp/ holds %v", round, tmp)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d writes acknowledged over 3 kills", len(acked))
}
