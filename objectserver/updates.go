package objectserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// updateTarget is a server a listing update goes to: "ip:port" and the
// device there.
type updateTarget struct {
	host   string
	device string
}

// String is the "ip:port/device" form PendingUpdate.Targets uses.
func (t updateTarget) String() string { return t.host + "/" + t.device }

// updateTargets reads where the proxy asks a listing update to go: the
// comma-separated X-<kind>-Host and X-<kind>-Device headers, in pairs,
// and X-<kind>-Partition. No partition means no update. Hosts and devices
// must pair up.
func updateTargets(h http.Header, kind string) (part string, targets []updateTarget, err error) {
	hosts := splitCSV(h.Get("X-" + kind + "-Host"))
	devices := splitCSV(h.Get("X-" + kind + "-Device"))
	if len(hosts) != len(devices) {
		return "", nil, fmt.Errorf("objectserver: %d hosts (X-%s-Host %q) but %d devices (X-%s-Device %q)",
			len(hosts), kind, h.Get("X-"+kind+"-Host"), len(devices), kind, h.Get("X-"+kind+"-Device"))
	}
	part = h.Get("X-" + kind + "-Partition")
	if part == "" {
		return "", nil, nil
	}
	for i := range hosts {
		if hosts[i] != "" && devices[i] != "" {
			targets = append(targets, updateTarget{host: hosts[i], device: devices[i]})
		}
	}
	return part, targets, nil
}

// splitCSV splits a comma-separated header into trimmed items; "" gives
// one empty item, as Python's split does.
func splitCSV(v string) []string {
	items := strings.Split(v, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// hostURL makes the host part of a URL from Swift's "ip:port", bracketing
// IPv6 addresses.
func hostURL(host string) string {
	ip, port, ok := cutLast(host, ":")
	if !ok || !strings.Contains(ip, ":") || strings.HasPrefix(ip, "[") {
		return host
	}
	return net.JoinHostPort(ip, port)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// sendUpdate sends one listing update, method path with headers, to t's
// device and partition part, and reports the response status.
func (s *server) sendUpdate(ctx context.Context, t updateTarget, part, method, path string, headers http.Header) (int, error) {
	u := url.URL{Scheme: "http", Host: hostURL(t.host), Path: "/" + t.device + "/" + part + path}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		return 0, err
	}
	for k, v := range headers {
		req.Header[k] = v
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain a little so the connection can be reused; listing servers
	// answer updates with short bodies.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // the status is what counts
	_ = resp.Body.Close()                                         // nothing to do about a failed close
	return resp.StatusCode, nil
}

// backendHeaders are the headers every update carries besides its own.
func (s *server) backendHeaders(r *http.Request, txn string, h http.Header) http.Header {
	out := h.Clone()
	out.Set("X-Trans-Id", txn)
	out.Set("Referer", r.Method+" "+requestURL(r))
	out.Set("User-Agent", s.kind+"-server "+strconv.Itoa(os.Getpid()))
	out.Set("X-Backend-Storage-Policy-Index", "0")
	return out
}

// requestURL is the URL a request was made to, for Referer headers.
func requestURL(r *http.Request) string {
	u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: r.URL.RawQuery}
	return u.String()
}

// updateResult is one target's outcome.
type updateResult struct {
	target updateTarget
	status int
	err    error
}

// fanOut sends an update to every target at once, each bounded by ctx,
// and returns every outcome. One goroutine per target, results on a
// channel sized to the targets, so none is left blocked.
func (s *server) fanOut(ctx context.Context, targets []updateTarget, part, method, path string, headers http.Header) []updateResult {
	results := make(chan updateResult, len(targets))
	var wg sync.WaitGroup
	for _, t := range targets {
		wg.Go(func() {
			status, err := s.sendUpdate(ctx, t, part, method, path, headers)
			results <- updateResult{target: t, status: status, err: err}
		})
	}
	wg.Wait()
	close(results)
	out := make([]updateResult, 0, len(targets))
	for res := range results {
		out = append(out, res)
	}
	return out
}

// containerUpdate tells the container servers the proxy named (see
// updateTargets) about an object write, as Swift's object server does:
// all at once, waiting at most ContainerUpdateTimeout. Every target that
// did not acknowledge in time is queued, durably, as one async pending on
// the object's device for the updater before this returns. Failures never
// fail the write: the data is already stored.
func (s *objectServer) containerUpdate(w http.ResponseWriter, r *http.Request, dev *Device, p itemPath, method string, ts timestamp.Timestamp, headers http.Header) {
	txn := w.Header().Get("X-Trans-Id")
	log := s.log.With("txn_id", txn, "device", p.device, "account", p.account, "container", p.container, "object", p.object)
	partStr, targets, err := updateTargets(r.Header, "Container")
	if err != nil {
		log.Error("container update not sent", "err", err)
		return
	}
	if partStr == "" || len(targets) == 0 {
		return
	}
	part, err := strconv.ParseUint(partStr, 10, 32)
	if err != nil {
		log.Error("container update not sent: bad X-Container-Partition", "partition", partStr)
		return
	}
	// The write is done: a client hanging up now must not stop the
	// update or its queuing.
	base := context.WithoutCancel(r.Context())
	ctx, cancel := context.WithTimeout(base, s.cfg.ContainerUpdateTimeout)
	defer cancel()
	path := "/" + p.account + "/" + p.container + "/" + p.object
	var failed []string
	for _, res := range s.fanOut(ctx, targets, partStr, method, path, s.backendHeaders(r, txn, headers)) {
		if res.err == nil && res.status >= 200 && res.status < 300 {
			s.metrics.updates.WithLabelValues(s.kind, "ok").Inc()
			continue
		}
		s.metrics.updates.WithLabelValues(s.kind, "failed").Inc()
		failed = append(failed, res.target.String())
		log.Warn("container update failed, queuing it", "node", res.target.String(), "status", res.status, "err", res.err)
	}
	if len(failed) == 0 {
		return
	}
	u := PendingUpdate{
		Method: method, Account: p.account, Container: p.container, Object: p.object,
		Timestamp: ts, Headers: headers.Clone(),
		ContainerPartition: uint32(part), Targets: failed,
	}
	if err := dev.Pending.AddPending(base, u); err != nil {
		s.metrics.asyncPendings.WithLabelValues("failed").Inc()
		log.Error("container update lost: queuing failed", "targets", failed, "err", err)
		return
	}
	s.metrics.asyncPendings.WithLabelValues("queued").Inc()
}

// accountUpdate tells the account servers the proxy named about the
// container's new state, as Swift's container server does after a
// container PUT or DELETE: all at once, each bounded by NodeTimeout. If
// every account server answers 404 (the account does not exist), so
// does the request. Other failures are logged; the container replicator
// reports the container again later.
func (s *containerServer) accountUpdate(w http.ResponseWriter, r *http.Request, q request) error {
	info, err := q.dev.Containers.ContainerInfo(r.Context(), q.partition, q.account, q.container)
	if err != nil {
		return errorResponse(err, q.device)
	}
	part, targets, err := updateTargets(r.Header, "Account")
	if err != nil {
		return badRequest("").withCause(err)
	}
	if part == "" || len(targets) == 0 {
		return nil
	}
	h := http.Header{}
	h.Set("X-Put-Timestamp", info.PutTimestamp.Internal())
	h.Set("X-Delete-Timestamp", info.DeleteTimestamp.Internal())
	h.Set("X-Object-Count", strconv.FormatInt(info.ObjectCount, 10))
	h.Set("X-Bytes-Used", strconv.FormatInt(info.BytesUsed, 10))
	if strings.EqualFold(r.Header.Get("X-Account-Override-Deleted"), "yes") {
		h.Set("X-Account-Override-Deleted", "yes")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.cfg.NodeTimeout)
	defer cancel()
	txn := w.Header().Get("X-Trans-Id")
	notFound := 0
	for _, res := range s.fanOut(ctx, targets, part, http.MethodPut, "/"+q.account+"/"+q.container, s.backendHeaders(r, txn, h)) {
		switch {
		case res.err == nil && res.status == http.StatusNotFound:
			notFound++
			s.metrics.updates.WithLabelValues(s.kind, "failed").Inc()
		case res.err == nil && res.status >= 200 && res.status < 300:
			s.metrics.updates.WithLabelValues(s.kind, "ok").Inc()
		default:
			s.metrics.updates.WithLabelValues(s.kind, "failed").Inc()
			s.log.Warn("account update failed (will retry later)", "txn_id", txn,
				"node", res.target.String(), "account", q.account, "container", q.container,
				"status", res.status, "err", res.err)
		}
	}
	if notFound == len(targets) {
		return newError(http.StatusNotFound)
	}
	return nil
}

// withCause records why e was answered, for the log.
func (e *httpError) withCause(err error) *httpError {
	e.cause = err
	return e
}
