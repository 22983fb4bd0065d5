// Package nodeproc runs real `swiftlet node` processes on loopback and
// hurts them: kill -9 in the middle of writes, a device that fills up.
package nodeproc

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/internal/timestamp"
	"github.com/swiftlet/swiftlet/objectserver/badgerstore"
)

// binary is the swiftlet binary built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "swiftlet-nodeproc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "swiftlet")
	build := exec.Command("go", "build", "-o", binary, "github.com/swiftlet/swiftlet/cmd/swiftlet")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building swiftlet:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort asks the kernel for a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// nodeProc is one `swiftlet node` process.
type nodeProc struct {
	t       *testing.T
	conf    string
	devices string
	obj     string // object server base URL
	cmd     *exec.Cmd
	log     *bytes.Buffer
}

// newNode writes a configuration for a node with the given device
// directories under a fresh devices directory (devs may be pre-created by
// the caller, e.g. as mount points) and starts it.
func newNode(t *testing.T, devicesDir string, devices ...string) *nodeProc {
	t.Helper()
	for _, d := range devices {
		if err := os.MkdirAll(filepath.Join(devicesDir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	objPort := freePort(t)
	conf := filepath.Join(t.TempDir(), "node.conf")
	body := fmt.Sprintf(`[node]
bind_ip = 127.0.0.1
object_port = %d
container_port = %d
account_port = %d
devices = %s
device_names = %s
hash_path_suffix = nodeproc-test
shutdown_timeout = 2
`, objPort, freePort(t), freePort(t), devicesDir, strings.Join(devices, ", "))
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	n := &nodeProc{t: t, conf: conf, devices: devicesDir, obj: fmt.Sprintf("http://127.0.0.1:%d", objPort)}
	n.start()
	t.Cleanup(func() { n.kill() })
	return n
}

// start runs the node and waits until its object server answers.
func (n *nodeProc) start() {
	n.t.Helper()
	n.log = &bytes.Buffer{}
	n.cmd = exec.Command(binary, "node", "--config", n.conf)
	n.cmd.Stdout, n.cmd.Stderr = n.log, n.log
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(n.obj + "/healthcheck")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	n.kill()
	n.t.Fatalf("node did not come up; its log:\n%s", n.log)
}

// kill ends the process with SIGKILL, as a power cut would.
func (n *nodeProc) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGKILL) // it may have exited already
	_ = n.cmd.Wait()                          // its exit status is that of the kill
	n.cmd = nil
}

// stop ends the process with SIGTERM and waits for a clean exit.
func (n *nodeProc) stop() {
	n.t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		n.t.Fatal(err)
	}
	if err := n.cmd.Wait(); err != nil {
		n.t.Fatalf("node exited with %v; log:\n%s", err, n.log)
	}
	n.cmd = nil
}

// object is what a test wrote and expects to read back.
type object struct {
	device string
	part   int
	name   string
	md5    string
	size   int
}

func (o object) url(base string) string {
	return fmt.Sprintf("%s/%s/%d/AUTH_test/c/%s", base, o.device, o.part, o.name)
}

// put writes data as the proxy would: with a fresh X-Timestamp.
func put(client *http.Client, base string, o object, data []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPut, o.url(base), bytes.NewReader(data))
	if err != nil {
		return 0, err
	}
	req.Header.Set("X-Timestamp", timestamp.New(time.Now()).Internal())
	req.Header.Set("Content-Type", "application/octet-stream")
	req.ContentLength = int64(len(data))
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// get reads an object and returns its status and the MD5 of its body.
func get(client *http.Client, base string, o object) (int, string, error) {
	resp, err := client.Get(o.url(base))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	h := md5.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return resp.StatusCode, "", err
	}
	return resp.StatusCode, hex.EncodeToString(h.Sum(nil)), nil
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func nowTimestamp() string { return timestamp.New(time.Now()).Internal() }

// rss reads a process's resident set size and its peak (VmRSS, VmHWM) in
// bytes from /proc.
func rss(t *testing.T, pid int) (cur, peak int64) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb int64
		if _, err := fmt.Sscanf(line, "VmRSS: %d kB", &kb); err == nil {
			cur = kb << 10
		}
		if _, err := fmt.Sscanf(line, "VmHWM: %d kB", &kb); err == nil {
			peak = kb << 10
		}
	}
	return cur, peak
}

// checkDevices opens each device's store (the node must be stopped) and
// checks that index and data files agree: every live object reads back
// whole with its checksums verified, each partition holds exactly one
// data file per object too large for the index, and no temporary file is
// left.
func checkDevices(t *testing.T, devicesDir string, names ...string) {
	t.Helper()
	ctx := t.Context()
	for _, name := range names {
		dir := filepath.Join(devicesDir, name)
		st, err := badgerstore.Open(dir, badgerstore.Options{Device: name, Salt: hashpath.Salt{Suffix: "nodeproc-test"}})
		if err != nil {
			t.Fatal(err)
		}
		parts, err := st.Partitions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		live, fileBacked := 0, 0
		for _, p := range parts {
			suffixes, err := st.SuffixHashes(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			inFiles := 0
			for suffix := range suffixes {
				metas, err := st.List(ctx, p, suffix)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range metas {
					if m.Deleted {
						continue
					}
					live++
					if m.Size > 64<<10 {
						inFiles++
					}
					r, err := st.Open(ctx, p, m.Name)
					if err != nil {
						t.Errorf("%s: open %s: %v", name, m.Name, err)
						continue
					}
					h := md5.New()
					if _, err := io.Copy(h, r.Section(0, m.Size)); err != nil || hex.EncodeToString(h.Sum(nil)) != m.ETag {
						t.Errorf("%s: %s does not read back intact (%v)", name, m.Name, err)
					}
					r.Close()
				}
			}
			files, _ := filepath.Glob(filepath.Join(dir, "objects", fmt.Sprint(p), "*.data"))
			if len(files) != inFiles {
				t.Errorf("%s partition %d: %d data files for %d objects stored in files", name, p, len(files), inFiles)
			}
			fileBacked += inFiles
		}
		if tmp, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(tmp) != 0 {
			t.Errorf("%s: %d temporary files left", name, len(tmp))
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d live objects, %d in data files, consistent", name, live, fileBacked)
	}
}
