package proxy_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/swiftlet/swiftlet/test/cluster"
)

// BenchmarkObject measures object PUT and GET through the proxy of an
// in-process cluster (memstore nodes, three replicas, loopback HTTP): the
// proxy's cost plus three nodes', on one machine.
func BenchmarkObject(b *testing.B) {
	for _, size := range []int{4 << 10, 1 << 20} {
		data := pattern(size)
		b.Run(fmt.Sprintf("PUT/%dKiB", size>>10), func(b *testing.B) {
			tc := newTestCluster(b, cluster.Options{}, nil)
			tc.mkContainer("AUTH_a", "c", nil)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				req, _ := http.NewRequest("PUT", fmt.Sprintf("%s/v1/AUTH_a/c/o%d", tc.URL, i), bytes.NewReader(data))
				req.Header.Set("Content-Type", "a/b")
				resp, err := testClient.Do(req)
				if err != nil || resp.StatusCode != 201 {
					b.Fatalf("PUT: %v %v", err, resp)
				}
				resp.Body.Close()
			}
		})
		b.Run(fmt.Sprintf("GET/%dKiB", size>>10), func(b *testing.B) {
			tc := newTestCluster(b, cluster.Options{}, nil)
			tc.mkContainer("AUTH_a", "c", nil)
			if r := tc.do("PUT", "/v1/AUTH_a/c/o", nil, data); r.status != 201 {
				b.Fatalf("PUT = %d", r.status)
			}
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				resp, err := testClient.Get(tc.URL + "/v1/AUTH_a/c/o")
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("GET: %v %v", err, resp)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
