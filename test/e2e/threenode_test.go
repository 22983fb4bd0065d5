package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/ring"
)

// exampleDir is the documented three-node example.
const exampleDir = "../../proxy/examples/three-node"

// The three-node example runs as documented: its rings.sh builds the rings,
// three `swiftlet node` processes and one `swiftlet proxy` process start
// from its files (only the ports and /srv/swiftlet changed), an object
// written through the proxy is on one device of each node and reads back,
// and with a node stopped the cluster still reads and writes.
func TestThreeNodeExample(t *testing.T) {
	ips := []string{"127.0.0.1", "127.0.0.2", "127.0.0.3"}
	port := freePorts(t, ips, func(base int) []int { return []int{base, base + 1, base + 2} })
	proxyPort := freePort(t, "127.0.0.1")
	root := t.TempDir()
	rewrite := strings.NewReplacer("/srv/swiftlet", root,
		"6200", fmt.Sprint(port), "6201", fmt.Sprint(port+1), "6202", fmt.Sprint(port+2),
		"8080", fmt.Sprint(proxyPort))
	conf := t.TempDir()
	for _, name := range []string{"rings.sh", "node1.conf", "node2.conf", "node3.conf", "proxy.conf"} {
		data, err := os.ReadFile(filepath.Join(exampleDir, name))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(conf, name), []byte(rewrite.Replace(string(data))))
	}
	for n := 1; n <= 3; n++ {
		for _, dev := range []string{"sdb", "sdc"} {
			if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("node%d", n), dev), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	rings := exec.Command("sh", filepath.Join(conf, "rings.sh"))
	rings.Env = append(os.Environ(), "SWIFTLET="+binary)
	if out, err := rings.CombinedOutput(); err != nil {
		t.Fatalf("rings.sh: %v\n%s", err, out)
	}

	var nodes []*proc
	for n, ip := range ips {
		p, err := startProc(fmt.Sprintf("node %d", n+1), "node", "--config", filepath.Join(conf, fmt.Sprintf("node%d.conf", n+1)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.kill)
		if err := p.waitHealthy(fmt.Sprintf("http://%s:%d/healthcheck", ip, port)); err != nil {
			t.Fatalf("%v; its log:\n%s", err, p.log)
		}
		nodes = append(nodes, p)
	}
	px, err := startProc("proxy", "proxy", "--config", filepath.Join(conf, "proxy.conf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(px.kill)
	proxyURL := fmt.Sprintf("http://127.0.0.1:%d", proxyPort)
	if err := px.waitHealthy(proxyURL + "/healthcheck"); err != nil {
		t.Fatalf("%v; its log:\n%s", err, px.log)
	}
	defer func() {
		if t.Failed() {
			t.Logf("proxy log:\n%s", px.log)
		}
	}()

	s := login(t, proxyURL, "test:tester", "testing")
	resp, body := s.do(t, "PUT", s.url+"/photos", nil, nil)
	mustStatus(t, "container PUT", resp, body, http.StatusCreated)
	data := bytes.Repeat([]byte("three nodes "), 100_000) // 1.2 MB, in a data file
	resp, body = s.do(t, "PUT", s.url+"/photos/cat.jpg", bytes.NewReader(data), map[string]string{"Content-Type": "image/jpeg"})
	mustStatus(t, "object PUT", resp, body, http.StatusCreated)
	resp, body = s.do(t, "GET", s.url+"/photos/cat.jpg", nil, nil)
	mustStatus(t, "object GET", resp, body, http.StatusOK)
	if !bytes.Equal(body, data) {
		t.Fatalf("GET returned %d bytes, not what was written", len(body))
	}

	// One replica on each node, where the ring says.
	r, err := ring.Load(filepath.Join(root, "rings", "object.ring.gz"), hashpath.Salt{Suffix: "3node-example-change-me"})
	if err != nil {
		t.Fatal(err)
	}
	account := s.url[strings.LastIndex(s.url, "/")+1:]
	part := r.Partition(account, "photos", "cat.jpg")
	zones := map[int]bool{}
	for _, d := range r.Primaries(part) {
		u := fmt.Sprintf("http://%s:%d/%s/%d/%s/photos/cat.jpg", d.IP, d.Port, d.Name, part, account)
		resp, body := session{}.do(t, "HEAD", u, nil, nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != fmt.Sprint(len(data)) {
			t.Errorf("HEAD %s = %d (length %s) %q, want the object", u, resp.StatusCode, resp.Header.Get("Content-Length"), body)
		}
		zones[d.Zone] = true
	}
	if len(zones) != 3 {
		t.Errorf("the primaries are in zones %v, want one replica per node", zones)
	}

	// Node 3 stops; reads and writes go on.
	if err := nodes[2].terminate(); err != nil {
		t.Fatalf("%v; its log:\n%s", err, nodes[2].log)
	}
	resp, body = s.do(t, "GET", s.url+"/photos/cat.jpg", nil, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("GET with node 3 down = %d (%d bytes)", resp.StatusCode, len(body))
	}
	resp, body = s.do(t, "PUT", s.url+"/photos/dog.jpg", strings.NewReader("woof"), nil)
	mustStatus(t, "PUT with node 3 down", resp, body, http.StatusCreated)

	if err := px.terminate(); err != nil {
		t.Errorf("%v; its log:\n%s", err, px.log)
	}
	for i, n := range nodes[:2] {
		if err := n.terminate(); err != nil {
			t.Errorf("node %d: %v; its log:\n%s", i+1, err, n.log)
		}
	}
}
