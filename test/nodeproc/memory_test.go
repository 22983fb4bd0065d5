package nodeproc

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"
)

// patternReader yields n deterministic, incompressible-enough bytes without
// holding them.
type patternReader struct {
	n, off int64
	x      uint64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n-r.off {
		p = p[:r.n-r.off]
	}
	for i := range p {
		if i%8 == 0 {
			r.x ^= r.x << 13
			r.x ^= r.x >> 7
			r.x ^= r.x << 17
		}
		p[i] = byte(r.x >> (8 * (i % 8)))
	}
	r.off += int64(len(p))
	return len(p), nil
}

// TestStreamingMemory streams one large object into a node and back out
// and reports the node's peak RSS above idle (goal: under 64 MiB for
// 5 GiB). It writes that many bytes to disk, so it runs only when
// SWIFTLET_STREAM_GIB is set, e.g. SWIFTLET_STREAM_GIB=5.
func TestStreamingMemory(t *testing.T) {
	gib, _ := strconv.Atoi(os.Getenv("SWIFTLET_STREAM_GIB"))
	if gib <= 0 {
		t.Skip("set SWIFTLET_STREAM_GIB=5 to stream a 5 GiB object through a node")
	}
	size := int64(gib) << 30
	n := newNode(t, t.TempDir(), "d1")
	pid := n.cmd.Process.Pid
	time.Sleep(time.Second)
	idle, _ := rss(t, pid)

	o := object{device: "d1", part: 7, name: "big"}
	src := &patternReader{n: size, x: 88172645463325252}
	h := md5.New()
	req, _ := http.NewRequest(http.MethodPut, o.url(n.obj), io.TeeReader(src, h))
	req.ContentLength = size
	req.Header.Set("X-Timestamp", nowTimestamp())
	req.Header.Set("Content-Type", "application/octet-stream")
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("PUT = %d", resp.StatusCode)
	}
	putTime := time.Since(start)
	want := hex.EncodeToString(h.Sum(nil))
	_, peakPut := rss(t, pid)

	start = time.Now()
	status, got, err := get(http.DefaultClient, n.obj, o)
	if err != nil || status != http.StatusOK || got != want {
		t.Fatalf("GET = %d, %s, %v; want 200 and %s", status, got, err, want)
	}
	getTime := time.Since(start)
	_, peak := rss(t, pid)
	mb := float64(size) / 1e6
	t.Logf("%d GiB: PUT %.0f MB/s, GET %.0f MB/s", gib, mb/putTime.Seconds(), mb/getTime.Seconds())
	t.Logf("RSS idle %s, peak during PUT %s, peak overall %s: %s above idle",
		mib(idle), mib(peakPut), mib(peak), mib(peak-idle))
	if over := peak - idle; over > 64<<20 {
		t.Errorf("peak RSS %s above idle, want under 64 MiB", mib(over))
	}
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }
