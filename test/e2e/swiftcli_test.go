package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// swiftCLI runs python-swiftclient's `swift` as test:tester against a
// cluster.
type swiftCLI struct {
	t    *testing.T
	prog string
	auth []string
	dir  string // working directory
}

func newSwiftCLI(t *testing.T, proxyURL, user, key string) *swiftCLI {
	prog := tool(t, "swift", "python-swiftclient", "python3-swiftclient")
	return &swiftCLI{t: t, prog: prog, auth: []string{"-A", proxyURL + "/auth/v1.0", "-U", user, "-K", key}, dir: t.TempDir()}
}

// run runs `swift ARGS` and returns what it did.
func (s *swiftCLI) run(args ...string) result {
	s.t.Helper()
	return runTool(s.t, s.dir, nil, s.prog, append(slices.Clone(s.auth), args...)...)
}

// ok runs `swift ARGS` and fails the test unless it exits 0.
func (s *swiftCLI) ok(args ...string) string {
	s.t.Helper()
	start := time.Now()
	r := s.run(args...)
	if r.code != 0 {
		s.t.Fatalf("swift %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	s.t.Logf("swift %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return r.stdout
}

// lines splits output into its non-empty lines.
func lines(out string) []string {
	var ls []string
	for l := range strings.SplitSeq(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			ls = append(ls, l)
		}
	}
	return ls
}

// statField finds "Name: value" in `swift stat` output.
func statField(out, name string) (string, bool) {
	for _, l := range lines(out) {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

func wantField(t *testing.T, what, out, name, want string) {
	t.Helper()
	if got, ok := statField(out, name); !ok || got != want {
		t.Errorf("%s: %s = %q (present %v), want %q\n%s", what, name, got, ok, want, out)
	}
}

// The swift CLI's everyday commands against the all-in-one cluster: stat,
// post, upload of a tree of 1000 small files and a 200 MiB one, listings
// with prefix and delimiter, download and byte comparison, copy, delete.
func TestSwiftCLI(t *testing.T) {
	cluster := sharedSAIO(t)
	sw := newSwiftCLI(t, cluster.url, "test:tester", "testing")

	// Bad credentials: exit 1 and a 401 from the auth endpoint.
	bad := runTool(t, sw.dir, nil, sw.prog, "-A", cluster.url+"/auth/v1.0", "-U", "test:tester", "-K", "wrong", "stat")
	if bad.code != 1 || !strings.Contains(bad.stderr, "401") {
		t.Errorf("swift stat with a wrong key: exit %d, stderr %q; want exit 1 and a 401", bad.code, bad.stderr)
	}

	out := sw.ok("stat")
	wantField(t, "stat", out, "Account", "AUTH_test")

	// post: account and container metadata.
	sw.ok("post", "-m", "Color:Blue")
	wantField(t, "stat after post", sw.ok("stat"), "Meta Color", "Blue")
	sw.ok("post", "cli", "-m", "Owner:tester", "-r", ".r:*,.rlistings")
	out = sw.ok("stat", "cli")
	wantField(t, "container stat", out, "Container", "cli")
	wantField(t, "container stat", out, "Meta Owner", "tester")
	wantField(t, "container stat", out, "Read ACL", ".r:*,.rlistings")
	wantField(t, "container stat", out, "Objects", "0")

	// upload a tree: 1000 small files and one of 200 MiB.
	src := filepath.Join(t.TempDir(), "src")
	tree := filepath.Join(src, "tree")
	start := time.Now()
	files := makeTree(t, tree, 1000, 200<<20, 1)
	t.Logf("made the tree: %v", time.Since(start).Round(time.Millisecond))
	sw.dir = src
	out = sw.ok("upload", "--object-threads", "16", "cli", "tree")
	uploaded := lines(out)
	if len(uploaded) != len(files) {
		t.Errorf("upload printed %d names, want %d", len(uploaded), len(files))
	}
	for _, f := range files {
		if !slices.Contains(uploaded, "tree/"+f) {
			t.Errorf("upload did not report tree/%s", f)
			break
		}
	}
	out = sw.ok("stat", "cli")
	wantField(t, "container stat after upload", out, "Objects", "1001")
	out = sw.ok("stat", "cli", "tree/big.bin")
	wantField(t, "object stat", out, "Content Length", "209715200")
	sw.ok("post", "cli", "tree/d1/f0001.txt", "-m", "Tag:small", "-H", "Content-Type:text/x-test")
	out = sw.ok("stat", "cli", "tree/d1/f0001.txt")
	wantField(t, "object stat after post", out, "Meta Tag", "small")
	wantField(t, "object stat after post", out, "Content Type", "text/x-test")

	// list with prefix and delimiter.
	all := lines(sw.ok("list", "cli"))
	if len(all) != 1001 || !slices.IsSorted(all) {
		t.Errorf("list: %d names (sorted %v), want 1001 sorted", len(all), slices.IsSorted(all))
	}
	if got := lines(sw.ok("list", "cli", "--prefix", "tree/d3/")); len(got) != 100 || got[0] != "tree/d3/f0003.txt" {
		t.Errorf("list --prefix tree/d3/: %d names starting %v, want 100 from tree/d3/f0003.txt", len(got), got[:min(1, len(got))])
	}
	if got := lines(sw.ok("list", "cli", "--delimiter", "/")); !slices.Equal(got, []string{"tree/"}) {
		t.Errorf("list --delimiter /: %v, want [tree/]", got)
	}
	want := []string{"tree/big.bin"}
	for i := range 10 {
		want = append(want, "tree/d"+string(rune('0'+i))+"/")
	}
	slices.Sort(want)
	if got := lines(sw.ok("list", "cli", "--prefix", "tree/", "--delimiter", "/")); !slices.Equal(got, want) {
		t.Errorf("list --prefix tree/ --delimiter /: %v, want %v", got, want)
	}

	// download everything and compare byte for byte.
	dst := filepath.Join(t.TempDir(), "dst")
	sw.dir = t.TempDir()
	out = sw.ok("download", "--object-threads", "16", "cli", "-D", dst)
	if n := len(lines(out)); n != len(files) {
		t.Errorf("download printed %d lines, want %d", n, len(files))
	}
	sameTree(t, src, dst)

	// copy, with metadata, into another container.
	sw.ok("post", "cli-copies")
	sw.ok("copy", "cli", "tree/d1/f0001.txt", "--destination", "/cli-copies/copied.txt", "-m", "Copied:yes")
	got := filepath.Join(t.TempDir(), "copied.txt")
	sw.ok("download", "cli-copies", "copied.txt", "-o", got)
	if !bytes.Equal(fileBytes(t, got), fileBytes(t, filepath.Join(tree, "d1", "f0001.txt"))) {
		t.Error("the copy's bytes differ from the original's")
	}
	wantField(t, "copy stat", sw.ok("stat", "cli-copies", "copied.txt"), "Meta Copied", "yes")

	// delete one object, then whole containers.
	if out := sw.ok("delete", "cli", "tree/d0/f0000.txt"); strings.TrimSpace(out) != "tree/d0/f0000.txt" {
		t.Errorf("delete printed %q", out)
	}
	if r := sw.run("stat", "cli", "tree/d0/f0000.txt"); r.code != 1 || !strings.Contains(r.stderr, "404 Not Found") {
		t.Errorf("stat of a deleted object: exit %d, stderr %q; want 1 and a 404", r.code, r.stderr)
	}
	if r := sw.run("download", "cli", "tree/d0/f0000.txt", "-o", "-"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("download of a deleted object: exit %d, stderr %q; want 1 and not found", r.code, r.stderr)
	}
	// Deleting a container deletes its objects first; swift names each,
	// then the container.
	out = sw.ok("delete", "--object-threads", "16", "cli")
	if got := lines(out); len(got) != 1001 || !slices.Contains(got, "cli") || !slices.Contains(got, "tree/big.bin") {
		t.Errorf("deleting the container printed %d lines (with cli: %v), want its 1000 objects and itself",
			len(got), slices.Contains(got, "cli"))
	}
	sw.ok("delete", "cli-copies")
	if got := lines(sw.ok("list")); slices.Contains(got, "cli") || slices.Contains(got, "cli-copies") {
		t.Errorf("containers after delete: %v", got)
	}
	if r := sw.run("stat", "cli"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("stat of a deleted container: exit %d, stderr %q", r.code, r.stderr)
	}
	_ = os.RemoveAll(src) // 200 MiB; t.TempDir would remove it too, later
}
