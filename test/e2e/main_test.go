package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the swiftlet binary built once for the package's tests.
var binary string

// shared is the cluster most tests use, started by the first test that
// asks for it (sharedSAIO) and stopped after the last.
var shared struct {
	once sync.Once
	proc *saioProc
	err  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "swiftlet-e2e-")
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
	if p := shared.proc; p != nil {
		if err := p.terminate(); err != nil {
			fmt.Fprintf(os.Stderr, "the shared swiftlet saio: %v; its log:\n%s\n", err, p.log.String())
			code = 1
		}
		os.RemoveAll(p.data)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// freePort asks the kernel for a free port on ip.
func freePort(t *testing.T, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", ip+":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freePorts finds a base port (a multiple of 10 from 20000, below the
// kernel's ephemeral range) such that every port ports(base) lists is free
// on every ip.
func freePorts(t *testing.T, ips []string, ports func(base int) []int) int {
	t.Helper()
	for range 200 {
		base := 20000 + 10*rand.IntN(1000)
		var lns []net.Listener
		ok := true
		for _, ip := range ips {
			for _, p := range ports(base) {
				ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", ip, p))
				if err != nil {
					ok = false
					break
				}
				lns = append(lns, ln)
			}
		}
		for _, ln := range lns {
			ln.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free ports")
	return 0
}

// syncBuffer is a log buffer the process writes while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a swiftlet process.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdout *syncBuffer
	log    *syncBuffer // stderr
	done   chan error
}

func startProc(name string, args ...string) (*proc, error) {
	p := &proc{name: name, stdout: &syncBuffer{}, log: &syncBuffer{}, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.log
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- p.cmd.Wait() }()
	return p, nil
}

// waitHealthy waits until url answers 200, or the process exits.
func (p *proc) waitHealthy(url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("%s exited (%v) before answering %s", p.name, err, url)
		default:
		}
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.kill()
	return fmt.Errorf("%s did not answer %s within a minute", p.name, url)
}

// terminate sends SIGTERM and waits for a clean exit (status 0).
func (p *proc) terminate() error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("%s exited with %v", p.name, err)
		}
		return nil
	case <-time.After(60 * time.Second):
		p.kill()
		return fmt.Errorf("%s did not exit within a minute of SIGTERM", p.name)
	}
}

func (p *proc) kill() {
	_ = p.cmd.Process.Kill() // it may have exited already
}

// saioProc is a `swiftlet saio` process.
type saioProc struct {
	*proc
	data     string
	url      string // the proxy, http://127.0.0.1:PORT
	basePort int
}

// startSAIO starts `swiftlet saio` on data with free ports and waits
// until its proxy is healthy.
func startSAIO(t *testing.T, data string) (*saioProc, error) {
	t.Helper()
	base := freePorts(t, []string{"127.0.0.1"}, func(base int) []int {
		var ports []int
		for n := range 4 {
			ports = append(ports, base+10*n, base+10*n+1, base+10*n+2)
		}
		return ports
	})
	proxyPort := freePort(t, "127.0.0.1")
	p, err := startProc("swiftlet saio", "saio", "--data", data,
		"--proxy-addr", fmt.Sprintf("127.0.0.1:%d", proxyPort), "--base-port", fmt.Sprint(base))
	if err != nil {
		return nil, err
	}
	s := &saioProc{proc: p, data: data, url: fmt.Sprintf("http://127.0.0.1:%d", proxyPort), basePort: base}
	if err := s.waitHealthy(s.url + "/healthcheck"); err != nil {
		return nil, fmt.Errorf("%w; its log:\n%s", err, p.log.String())
	}
	return s, nil
}

// sharedSAIO returns the package's shared cluster, starting it on first
// use.
func sharedSAIO(t *testing.T) *saioProc {
	t.Helper()
	shared.once.Do(func() {
		dir, err := os.MkdirTemp("", "swiftlet-e2e-data-")
		if err != nil {
			shared.err = err
			return
		}
		shared.proc, shared.err = startSAIO(t, dir)
		if shared.err != nil {
			os.RemoveAll(dir)
		}
	})
	if shared.err != nil {
		t.Fatalf("starting swiftlet saio: %v", shared.err)
	}
	return shared.proc
}

// session is a tempauth login: a token and the account's storage URL.
type session struct {
	token, url string
}

// login gets a token from the proxy's tempauth.
func login(t *testing.T, proxyURL, user, key string) session {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, proxyURL+"/auth/v1.0", nil)
	req.Header.Set("X-Auth-User", user)
	req.Header.Set("X-Auth-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := session{token: resp.Header.Get("X-Auth-Token"), url: resp.Header.Get("X-Storage-Url")}
	if resp.StatusCode != http.StatusOK || s.token == "" || s.url == "" {
		t.Fatalf("login as %s = %d, token %q, storage URL %q", user, resp.StatusCode, s.token, s.url)
	}
	return s
}

// do sends a request with the session's token (none if s is the zero
// session) and returns the response with its body read.
func (s session) do(t *testing.T, method, url string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	if s.token != "" {
		req.Header.Set("X-Auth-Token", s.token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the body: %v", method, url, err)
	}
	return resp, data
}

// mustStatus checks a response's status.
func mustStatus(t *testing.T, what string, resp *http.Response, body []byte, want int) {
	t.Helper()
	if resp.StatusCode != want {
		t.Fatalf("%s = %d %q, want %d", what, resp.StatusCode, truncate(body), want)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "..."
	}
	return string(b)
}

// tool finds a client program; the test is skipped if it is missing.
// check, if not empty, must appear in the output of `prog --version` (to
// tell python-swiftclient's swift from other programs of that name).
func tool(t *testing.T, prog, check, pkg string) string {
	t.Helper()
	for _, cand := range []string{prog, "/usr/bin/" + prog} {
		path, err := exec.LookPath(cand)
		if err != nil {
			continue
		}
		if check == "" {
			return path
		}
		out, _ := exec.Command(path, "--version").CombinedOutput() // judged by its output
		if strings.Contains(string(out), check) {
			return path
		}
	}
	t.Skipf("%s is not installed (apt-get install %s; .ci/run does)", prog, pkg)
	return ""
}

// result is what a client command did.
type result struct {
	code           int
	stdout, stderr string
}

// runTool runs a client command with a time limit and returns its exit
// code and output.
func runTool(t *testing.T, dir string, env []string, prog string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s %s: %v", filepath.Base(prog), strings.Join(args, " "), err)
		}
		r.code = exit.ExitCode()
	}
	return r
}

// cleanEnv is the environment without the variables that would point a
// client at another cluster.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "ST_") || strings.HasPrefix(name, "OS_") || strings.HasPrefix(name, "RCLONE_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// jsonBody decodes a JSON answer.
func jsonBody(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %q: %v", truncate(data), err)
	}
}
