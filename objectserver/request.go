package objectserver

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/swiftlet/swiftlet/internal/constraints"
	"github.com/swiftlet/swiftlet/internal/timestamp"
)

// request is what a storage request addresses, read once at the edge:
// the path, the request's timestamp and the device.
type request struct {
	itemPath
	ts  timestamp.Timestamp
	dev *Device
}

// target reads what r addresses in the order most of Swift's handlers
// read it: the path by parse (400), the timestamp by stamp, then the
// device (507). stamp is constraints.RequestTimestamp for writes (400
// without X-Timestamp) or requestTime for reads. Handlers that check
// more in between, or the device first, take these steps themselves.
func (s *server) target(r *http.Request, parse func(*http.Request) (itemPath, error), stamp func(http.Header) (timestamp.Timestamp, error)) (request, error) {
	p, err := parse(r)
	if err != nil {
		return request{}, err
	}
	ts, err := stamp(r.Header)
	if err != nil {
		return request{}, err
	}
	dev, err := s.device(p.device)
	if err != nil {
		return request{}, err
	}
	return request{itemPath: p, ts: ts, dev: dev}, nil
}

// device returns the named device, or a 507 if the name is not one a
// device can have (Swift's check_drive) or the device is unavailable.
func (s *server) device(name string) (*Device, error) {
	if url.QueryEscape(name) != name {
		return nil, insufficientStorage(name, fmt.Errorf("objectserver: %q is not a valid drive name", name))
	}
	dev, err := s.devices.Device(name)
	if err != nil {
		return nil, insufficientStorage(name, err)
	}
	if dev == nil {
		return nil, insufficientStorage(name, ErrDeviceUnavailable)
	}
	return dev, nil
}

// requestTime is the request's X-Timestamp, or now for reads that carry
// none (Swift's GET and HEAD default).
func (s *server) requestTime(h http.Header) (timestamp.Timestamp, error) {
	if _, ok := h["X-Timestamp"]; !ok {
		return timestamp.New(s.cfg.Now()), nil
	}
	return constraints.RequestTimestamp(h)
}
