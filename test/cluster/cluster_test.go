package cluster

import (
	"net/http"
	"testing"
)

// The cluster comes up, its proxy answers, and a node can be stopped and
// started on the same ports.
func TestClusterStartsAndNodesRestart(t *testing.T) {
	c := New(t, Options{})
	resp, err := http.Get(c.URL + "/healthcheck")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("proxy healthcheck = %v, %v", resp, err)
	}
	resp.Body.Close()
	n := c.Nodes[0]
	addr := n.Addr("object")
	n.Stop()
	if _, err := http.Get("http://" + addr + "/healthcheck"); err == nil {
		t.Fatal("a stopped node still answers")
	}
	n.Start(t)
	if n.Addr("object") != addr {
		t.Fatalf("node came back on %s, was %s", n.Addr("object"), addr)
	}
	resp, err = http.Get("http://" + addr + "/healthcheck")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("restarted node healthcheck = %v, %v", resp, err)
	}
	resp.Body.Close()
	if part, nodes := c.NodesFor("object", "AUTH_a", "c", "o"); len(nodes) != 3 || part >= 64 {
		t.Errorf("NodesFor = %d, %d nodes; want 3 primaries", part, len(nodes))
	}
}
