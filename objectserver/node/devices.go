package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/swiftlet/swiftlet/objectserver"
	"github.com/swiftlet/swiftlet/objectserver/badgerstore"
)

// deviceSet is the node's devices, opened at start-up. It implements
// objectserver.Devices.
type deviceSet struct {
	mu      sync.RWMutex
	devices map[string]*objectserver.Device // guarded by mu
	stores  []*badgerstore.Store            // to close; guarded by mu
}

// openDevices opens the store of every configured device. A device whose
// directory is missing (not mounted) or whose store fails to open is left
// out and answers 507, so that the node still serves its other devices.
func openDevices(cfg Config, metrics *badgerstore.Metrics, log *slog.Logger) (*deviceSet, error) {
	names := cfg.DeviceNames
	if len(names) == 0 {
		entries, err := os.ReadDir(cfg.DevicesDir)
		if err != nil {
			return nil, fmt.Errorf("node: devices directory: %w", err)
		}
		for _, e := range entries {
			if e.IsDir() {
				names = append(names, e.Name())
			}
		}
	}
	ds := &deviceSet{devices: map[string]*objectserver.Device{}}
	for _, name := range names {
		st, err := badgerstore.Open(filepath.Join(cfg.DevicesDir, name), badgerstore.Options{
			Device:          name,
			Salt:            cfg.Salt,
			InlineThreshold: cfg.InlineThreshold,
			ReclaimAge:      cfg.ReclaimAge,
			Logger:          cfg.Logger,
			Metrics:         metrics,
		})
		if err != nil {
			log.Error("device unavailable", "device", name, "err", err)
			continue
		}
		ds.stores = append(ds.stores, st)
		ds.devices[name] = &objectserver.Device{Name: name, Objects: st, Containers: st, Accounts: st, Pending: st}
		log.Info("device opened", "device", name)
	}
	return ds, nil
}

// Device implements objectserver.Devices.
func (ds *deviceSet) Device(name string) (*objectserver.Device, error) {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	if d, ok := ds.devices[name]; ok {
		return d, nil
	}
	return nil, fmt.Errorf("device %q: %w", name, objectserver.ErrDeviceUnavailable)
}

// Names lists the devices being served.
func (ds *deviceSet) Names() []string {
	ds.mu.RLock()
	defer ds.mu.RUnlock()
	var out []string
	for n := range ds.devices {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// close closes every store; later lookups find no device.
func (ds *deviceSet) close() error {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	var errs []error
	for _, st := range ds.stores {
		errs = append(errs, st.Close())
	}
	ds.stores, ds.devices = nil, map[string]*objectserver.Device{}
	return errors.Join(errs...)
}
