package proxy

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AccountInfo is what the proxy knows of an account from its nodes' HEAD.
type AccountInfo struct {
	// Status is the nodes' answer: 2xx exists, 404 does not, 503 unknown.
	Status         int
	ContainerCount int64
	ObjectCount    int64
	BytesUsed      int64
	// Header is the whole answer (metadata included).
	Header http.Header
}

// Exists reports whether the account exists.
func (a AccountInfo) Exists() bool { return a.Status >= 200 && a.Status < 300 }

// ContainerInfo is what the proxy knows of a container from its nodes'
// HEAD.
type ContainerInfo struct {
	Status      int
	ReadACL     string // X-Container-Read
	WriteACL    string // X-Container-Write
	ObjectCount int64
	BytesUsed   int64
	Header      http.Header
}

// Exists reports whether the container exists.
func (c ContainerInfo) Exists() bool { return c.Status >= 200 && c.Status < 300 }

// infoCache remembers account and container info for a while (Swift keeps
// it in memcache): object requests need their container's existence and
// ACLs, and asking the container's nodes every time would double the cost
// of a small GET. Writes through this proxy update it at once; other
// proxies' changes are seen within the TTL (a tenth of it for "does not
// exist"). Safe for concurrent use.
type infoCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]infoEntry // guarded by mu
}

type infoEntry struct {
	account   *AccountInfo
	container *ContainerInfo
	expires   time.Time
}

// maxInfoEntries bounds the cache; when full it starts over.
const maxInfoEntries = 1 << 16

func newInfoCache(ttl time.Duration, now func() time.Time) *infoCache {
	return &infoCache{ttl: ttl, now: now, entries: map[string]infoEntry{}}
}

func infoKey(account, container string) string { return account + "/" + container }

func (c *infoCache) get(key string) (infoEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || c.now().After(e.expires) {
		return infoEntry{}, false
	}
	return e, true
}

func (c *infoCache) put(key string, e infoEntry, exists bool) {
	ttl := c.ttl
	if !exists {
		ttl /= 10
	}
	e.expires = c.now().Add(ttl)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxInfoEntries {
		clear(c.entries)
	}
	c.entries[key] = e
}

// forget drops what the cache knows of an account or container.
func (c *infoCache) forget(account, container string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, infoKey(account, container))
}

// accountInfo returns the account's info, from the cache or by asking its
// nodes. Answers other than 2xx and 404 (no quorum, nodes down) are not
// cached.
func (s *Server) accountInfo(ctx context.Context, account, txnID string) AccountInfo {
	key := infoKey(account, "")
	if e, ok := s.info.get(key); ok && e.account != nil {
		return *e.account
	}
	resp := s.headItem(ctx, accountServer, s.cfg.AccountRing, account, "", txnID)
	info := newAccountInfo(resp.status, resp.header)
	s.info.putAccount(account, info)
	return info
}

// newAccountInfo reads an account's info from its nodes' answer.
func newAccountInfo(status int, h http.Header) AccountInfo {
	return AccountInfo{
		Status:         status,
		ContainerCount: headerInt(h, "X-Account-Container-Count"),
		ObjectCount:    headerInt(h, "X-Account-Object-Count"),
		BytesUsed:      headerInt(h, "X-Account-Bytes-Used"),
		Header:         h,
	}
}

// putAccount caches an account's info if it is an answer (2xx or 404).
func (c *infoCache) putAccount(account string, info AccountInfo) {
	if info.Exists() || info.Status == http.StatusNotFound {
		c.put(infoKey(account, ""), infoEntry{account: &info}, info.Exists())
	}
}

// containerInfo returns the container's info, from the cache or by asking
// its nodes (see accountInfo).
func (s *Server) containerInfo(ctx context.Context, account, container, txnID string) ContainerInfo {
	key := infoKey(account, container)
	if e, ok := s.info.get(key); ok && e.container != nil {
		return *e.container
	}
	resp := s.headItem(ctx, containerServer, s.cfg.ContainerRing, account, container, txnID)
	info := newContainerInfo(resp.status, resp.header)
	s.info.putContainer(account, container, info)
	return info
}

// newContainerInfo reads a container's info from its nodes' answer.
func newContainerInfo(status int, h http.Header) ContainerInfo {
	return ContainerInfo{
		Status:      status,
		ReadACL:     h.Get("X-Container-Read"),
		WriteACL:    h.Get("X-Container-Write"),
		ObjectCount: headerInt(h, "X-Container-Object-Count"),
		BytesUsed:   headerInt(h, "X-Container-Bytes-Used"),
		Header:      h,
	}
}

// putContainer caches a container's info if it is an answer (2xx or 404).
func (c *infoCache) putContainer(account, container string, info ContainerInfo) {
	if info.Exists() || info.Status == http.StatusNotFound {
		c.put(infoKey(account, container), infoEntry{container: &info}, info.Exists())
	}
}

// headItem asks an account's or container's nodes for its HEAD.
func (s *Server) headItem(ctx context.Context, serverType string, src RingSource, account, container, txnID string) nodeResponse {
	r := src.Ring()
	part := r.Partition(account, container, "")
	path := "/" + account
	if container != "" {
		path += "/" + container
	}
	res := s.backend.read(ctx, src, part, nodeRequest{
		serverType: serverType, method: http.MethodHead, part: part, path: path,
		header: http.Header{"X-Trans-Id": {txnID}},
	}, false)
	if res.Resp != nil {
		return readSmall(res.Node, res.Resp)
	}
	return res.Best
}

func headerInt(h http.Header, key string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(h.Get(key)), 10, 64) // absent or malformed: 0
	return n
}
