package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rclone runs rclone with a remote "swiftlet:" for test:tester on a
// cluster, configured through the environment (auth v1).
type rclone struct {
	t    *testing.T
	prog string
	env  []string
}

func newRclone(t *testing.T, proxyURL string) *rclone {
	prog := tool(t, "rclone", "", "rclone")
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return &rclone{t: t, prog: prog, env: []string{
		"RCLONE_CONFIG=" + conf,
		"RCLONE_CONFIG_SWIFTLET_TYPE=swift",
		"RCLONE_CONFIG_SWIFTLET_AUTH=" + proxyURL + "/auth/v1.0",
		"RCLONE_CONFIG_SWIFTLET_AUTH_VERSION=1",
		"RCLONE_CONFIG_SWIFTLET_USER=test:tester",
		"RCLONE_CONFIG_SWIFTLET_KEY=testing",
	}}
}

// ok runs rclone and fails the test unless it exits 0.
func (r *rclone) ok(args ...string) string {
	r.t.Helper()
	start := time.Now()
	res := runTool(r.t, "", r.env, r.prog, args...)
	if res.code != 0 {
		r.t.Fatalf("rclone %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	r.t.Logf("rclone %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return res.stdout
}

// rclone's swift backend: a tree synced up and back down matches the
// original both ways (rclone check compares sizes and MD5s with the
// ETags), and a second sync after local changes uploads and deletes only
// what changed.
func TestRclone(t *testing.T) {
	cluster := sharedSAIO(t)
	rc := newRclone(t, cluster.url)

	src := t.TempDir()
	makeTree(t, src, 200, 12<<20, 2)
	writeFile(t, filepath.Join(src, "empty"), nil)
	writeFile(t, filepath.Join(src, "名前", "ünïcode file.txt"), []byte("unicode names"))
	writeFile(t, filepath.Join(src, "deep", "a", "b", "c", "d.txt"), []byte("deep"))

	rc.ok("sync", "--transfers", "8", "--checkers", "8", src, "swiftlet:rclone")
	rc.ok("check", src, "swiftlet:rclone")
	back := t.TempDir()
	rc.ok("sync", "--transfers", "8", "swiftlet:rclone", back)
	rc.ok("check", "swiftlet:rclone", back)
	sameTree(t, src, back)

	// Change, add and remove files; sync again; both ways still agree.
	writeFile(t, filepath.Join(src, "d1", "f0001.txt"), []byte("changed"))
	writeFile(t, filepath.Join(src, "added.txt"), []byte("added"))
	if err := os.Remove(filepath.Join(src, "d2", "f0002.txt")); err != nil {
		t.Fatal(err)
	}
	rc.ok("sync", src, "swiftlet:rclone")
	rc.ok("check", src, "swiftlet:rclone")
	if got, want := len(lines(rc.ok("lsf", "-R", "--files-only", "swiftlet:rclone"))), len(treeFiles(t, src)); got != want {
		t.Errorf("rclone lsf lists %d files, want %d", got, want)
	}
	rc.ok("sync", "swiftlet:rclone", back)
	sameTree(t, src, back)

	rc.ok("purge", "swiftlet:rclone")
	if out := rc.ok("lsd", "swiftlet:"); strings.Contains(out, " rclone\n") {
		t.Errorf("the container is still listed after purge:\n%s", out)
	}
}
