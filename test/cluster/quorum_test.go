package cluster

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/swiftlet/swiftlet/objectserver"
)

// request sends a request to the cluster's proxy and returns the status and
// body.
func request(t *testing.T, c *Cluster, method, path, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" || method == http.MethodPut {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, c.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, string(data)
}

func mustRequest(t *testing.T, c *Cluster, method, path, body string, want int) string {
	t.Helper()
	status, got := request(t, c, method, path, body)
	if status != want {
		t.Fatalf("%s %s = %d %q, want %d", method, path, status, got, want)
	}
	return got
}

// holders returns the nodes whose store has a live copy of the object,
// asking the stores directly.
func holders(t *testing.T, c *Cluster, account, container, object string) []*Node {
	t.Helper()
	part := c.Rings["object"].Partition(account, container, object)
	var out []*Node
	for _, n := range c.Nodes {
		d, err := n.Devices().Device(n.Device)
		if err != nil {
			t.Fatal(err)
		}
		m, err := d.Objects.Stat(t.Context(), part, "/"+account+"/"+container+"/"+object)
		switch {
		case errors.Is(err, objectserver.ErrNotFound):
		case err != nil:
			t.Fatalf("node %d: %v", n.ID, err)
		case !m.Deleted:
			out = append(out, n)
		}
	}
	return out
}

// With one of an object's three primaries down, a write still succeeds
// (the next handoff takes the missing replica), the object reads back, and
// once the node is back everything works as before.
func TestOnePrimaryDown(t *testing.T) {
	c := New(t, Options{})
	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos", "", http.StatusCreated)
	_, primaries := c.NodesFor("object", "AUTH_test", "photos", "cat.jpg")
	down := primaries[0]
	down.Stop()

	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos/cat.jpg", "meow", http.StatusCreated)
	if got := mustRequest(t, c, "GET", "/v1/AUTH_test/photos/cat.jpg", "", http.StatusOK); got != "meow" {
		t.Errorf("GET with a primary down = %q, want meow", got)
	}
	if got := holders(t, c, "AUTH_test", "photos", "cat.jpg"); len(got) != 3 {
		t.Errorf("%d nodes store the object, want 3 (two primaries and a handoff)", len(got))
	} else {
		for _, n := range got {
			if n == down {
				t.Error("the stopped node stores the object")
			}
		}
	}

	down.Start(t)
	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos/dog.jpg", "woof", http.StatusCreated)
	if got := holders(t, c, "AUTH_test", "photos", "dog.jpg"); len(got) != 3 {
		t.Errorf("after the restart %d nodes store a new object, want its 3 primaries", len(got))
	}
	if got := mustRequest(t, c, "GET", "/v1/AUTH_test/photos/cat.jpg", "", http.StatusOK); got != "meow" {
		t.Errorf("GET after the restart = %q", got)
	}
}

// With two of an object's three primaries down and no handoff to take
// their place, a write fails with 503 and leaves nothing on the node that
// is up; when the nodes come back, the cluster serves as before.
func TestTwoPrimariesDown(t *testing.T) {
	c := New(t, Options{Nodes: 3})
	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos", "", http.StatusCreated)
	_, primaries := c.NodesFor("object", "AUTH_test", "photos", "cat.jpg")
	primaries[0].Stop()
	primaries[1].Stop()

	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos/cat.jpg", "meow", http.StatusServiceUnavailable)
	if got := holders(t, c, "AUTH_test", "photos", "cat.jpg"); len(got) != 0 {
		t.Errorf("after the 503, %d nodes store the object, want none", len(got))
	}
	if status, _ := request(t, c, "GET", "/v1/AUTH_test/photos/cat.jpg", ""); status == http.StatusOK {
		t.Error("GET of the refused write = 200")
	}

	primaries[0].Start(t)
	primaries[1].Start(t)
	mustRequest(t, c, "GET", "/v1/AUTH_test/photos/cat.jpg", "", http.StatusNotFound)
	mustRequest(t, c, "PUT", "/v1/AUTH_test/photos/cat.jpg", "meow", http.StatusCreated)
	if got := mustRequest(t, c, "GET", "/v1/AUTH_test/photos/cat.jpg", "", http.StatusOK); got != "meow" {
		t.Errorf("GET after the restart = %q", got)
	}
	if got := holders(t, c, "AUTH_test", "photos", "cat.jpg"); len(got) != 3 {
		t.Errorf("%d nodes store the object, want 3", len(got))
	}
}
