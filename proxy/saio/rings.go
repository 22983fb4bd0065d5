package saio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/swiftlet/swiftlet/internal/hashpath"
	"github.com/swiftlet/swiftlet/ring"
)

// The rings of an all-in-one cluster, as Swift's SAIO builds them.
const (
	PartPower    = 10
	Replicas     = 3
	MinPartHours = 1
)

// ringKinds are the three rings, and the offset of their server's port from
// a node's base port.
var ringKinds = []struct {
	name string
	port int
}{{"object", 0}, {"container", 1}, {"account", 2}}

// prepareRings makes sure DIR/rings holds a builder and a ring file per
// kind that name the cluster's devices at their current ports. fresh (no
// data can exist yet) builds every ring anew; otherwise a builder is
// reused, its devices' ports updated if the base port moved (which does not
// move partitions), and a missing one rebuilt.
func prepareRings(dir string, nodes []nodeLayout, salt hashpath.Salt, fresh bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saio: %w", err)
	}
	for _, kind := range ringKinds {
		builderPath := filepath.Join(dir, kind.name+".builder")
		ringPath := filepath.Join(dir, kind.name+".ring.gz")
		var b *ring.Builder
		changed := false
		if !fresh {
			var err error
			b, err = ring.LoadBuilder(builderPath)
			switch {
			case errors.Is(err, os.ErrNotExist):
				b = nil
			case err != nil:
				return fmt.Errorf("saio: %w", err)
			}
		}
		if b == nil {
			var err error
			if b, err = buildRing(nodes, kind.port); err != nil {
				return fmt.Errorf("saio: %s ring: %w", kind.name, err)
			}
			changed = true
		} else {
			moved, err := followPorts(b, nodes, kind.port)
			if err != nil {
				return fmt.Errorf("saio: %s: %w (remove %s to start afresh)", builderPath, err, filepath.Dir(dir))
			}
			changed = moved
		}
		if _, err := os.Stat(ringPath); !changed && err == nil {
			continue
		}
		if err := b.Save(builderPath); err != nil {
			return fmt.Errorf("saio: %w", err)
		}
		r, err := b.Ring(salt)
		if err != nil {
			return fmt.Errorf("saio: %s ring: %w", kind.name, err)
		}
		if err := r.WriteFile(ringPath); err != nil {
			return fmt.Errorf("saio: %w", err)
		}
	}
	return nil
}

// buildRing is `swiftlet ring X.builder create 10 3 1`, one device per node
// in a zone of its own, and a rebalance.
func buildRing(nodes []nodeLayout, portOffset int) (*ring.Builder, error) {
	b, err := ring.NewBuilder(PartPower, Replicas, MinPartHours)
	if err != nil {
		return nil, err
	}
	for _, n := range nodes {
		if _, err := b.AddDevice(ring.Device{
			Region: 1, Zone: n.zone, IP: n.ip, Port: n.basePort + portOffset, Name: n.device, Weight: 100,
		}); err != nil {
			return nil, err
		}
	}
	if _, err := b.Rebalance(ring.RebalanceOptions{}); err != nil {
		return nil, err
	}
	return b, nil
}

// followPorts checks that a reused builder holds exactly the cluster's
// devices and points them at their current address; it reports whether it
// changed any.
func followPorts(b *ring.Builder, nodes []nodeLayout, portOffset int) (bool, error) {
	devs := b.Devices()
	var have, want []string
	for _, d := range devs {
		have = append(have, d.Name)
	}
	for _, n := range nodes {
		want = append(want, n.device)
	}
	slices.Sort(have)
	if !slices.Equal(have, want) {
		return false, fmt.Errorf("holds devices %v, not this all-in-one cluster's %v", have, want)
	}
	changed := false
	for _, d := range devs {
		i := slices.Index(want, d.Name)
		ip, port := nodes[i].ip, nodes[i].basePort+portOffset
		if d.IP == ip && d.Port == port && d.ReplicationIP == ip && d.ReplicationPort == port {
			continue
		}
		if err := b.SetInfo(d.ID, ring.InfoChange{IP: &ip, Port: &port, ReplicationIP: &ip, ReplicationPort: &port}); err != nil {
			return false, err
		}
		changed = true
	}
	return changed, nil
}
