package nodeproc

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"
)

// Writers keep writing objects of mixed sizes (inline and data-file ones)
// while the node is killed with SIGKILL twice. Every write that got a 201
// must read back intact after each restart.
func TestKill9DuringWrites(t *testing.T) {
	n := newNode(t, t.TempDir(), "d1", "d2")
	client := &http.Client{Timeout: 10 * time.Second}
	var (
		mu    sync.Mutex
		acked []object
	)
	sizes := []int{0, 100, 4 << 10, 60 << 10, 70 << 10, 300 << 10, 2 << 20}
	for round := range 2 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(round), uint64(w)))
				for i := 0; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					data := make([]byte, sizes[rng.IntN(len(sizes))])
					for j := range data {
						data[j] = byte(rng.Uint32())
					}
					sum := md5.Sum(data)
					o := object{device: []string{"d1", "d2"}[i%2], part: rng.IntN(16),
						name: fmt.Sprintf("r%d-w%d-%d", round, w, i), md5: hex.EncodeToString(sum[:]), size: len(data)}
					status, err := put(client, n.obj, o, data)
					if err != nil {
						return // the node is gone
					}
					if status == http.StatusCreated {
						mu.Lock()
						acked = append(acked, o)
						mu.Unlock()
					}
				}
			})
		}
		time.Sleep(1500 * time.Millisecond)
		n.kill()
		close(stop)
		wg.Wait()
		n.start()
		mu.Lock()
		t.Logf("round %d: %d acknowledged writes so far", round, len(acked))
		for _, o := range acked {
			status, sum, err := get(client, n.obj, o)
			if err != nil || status != http.StatusOK || sum != o.md5 {
				t.Errorf("after kill %d: GET %s (%d bytes) = %d, md5 %s, %v; want 200 and %s", round+1, o.url(""), o.size, status, sum, err, o.md5)
			}
		}
		mu.Unlock()
	}
	if len(acked) < 50 {
		t.Errorf("only %d writes were acknowledged; the test did not exercise much", len(acked))
	}
	n.stop()
	checkDevices(t, n.devices, "d1", "d2")
}
