package ringcli

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

// t0 is the fixed time tests run at.
var t0 = time.Unix(1_700_000_000, 0)

// result is what one run of the command printed and returned.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs "swiftlet ring" in process, in the test's directory, at a time
// the test controls.
type cli struct {
	t   *testing.T
	now time.Time
}

// newCLI makes a temporary directory the working directory of the test
// and returns a runner at t0.
func newCLI(t *testing.T) *cli {
	t.Chdir(t.TempDir())
	return &cli{t: t, now: t0}
}

func (c *cli) run(args ...string) result { return c.runInput("", args...) }

func (c *cli) runInput(stdin string, args ...string) result {
	c.t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, env{now: func() time.Time { return c.now }, stdin: bufio.NewReader(strings.NewReader(stdin)),
		stdout: &out, stderr: &errOut})
	return result{out.String(), errOut.String(), code}
}

// must runs a command that has to succeed (exit 0 or warn with 1).
func (c *cli) must(args ...string) result {
	c.t.Helper()
	r := c.run(args...)
	if r.code > exitWarning {
		c.t.Fatalf("%v: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
	}
	return r
}

// readFile returns the contents of a file, or "" if it does not exist.
func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// swiftDev is a device as a Swift ring lists it (ring.Device's JSON is
// Swift's).
func swiftDev(id, region, zone int, ip string, port int, replIP string, replPort int, name string, weight float64, meta string) *ring.Device {
	return &ring.Device{ID: id, Region: region, Zone: zone, IP: ip, Port: port, ReplicationIP: replIP,
		ReplicationPort: replPort, Name: name, Weight: weight, Meta: meta}
}

// writeSwiftRing writes a ring file in Swift's R1NG format (version 1).
func writeSwiftRing(t *testing.T, path string, partPower, version int, devs []*ring.Device, rows [][]uint16) {
	t.Helper()
	hdr, err := json.Marshal(map[string]any{"devs": devs, "part_shift": 32 - partPower,
		"replica_count": len(rows), "byteorder": "little", "version": version, "next_part_power": nil})
	if err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	raw.WriteString("R1NG")
	_ = binary.Write(&raw, binary.BigEndian, uint16(1))
	_ = binary.Write(&raw, binary.BigEndian, uint32(len(hdr)))
	raw.Write(hdr)
	for _, row := range rows {
		_ = binary.Write(&raw, binary.LittleEndian, row)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureRing writes a small Swift ring with known assignments to path:
// 16 partitions, 3 replicas, devices in two regions (one IPv6, one with
// meta, an unused id and a device without partitions). The outputs the
// tests expect for it are those of Swift 2.30.1's tools on this file.
func fixtureRing(t *testing.T, path string) {
	devs := []*ring.Device{
		swiftDev(0, 1, 1, "10.0.0.1", 6200, "10.0.0.1", 6200, "sda", 100, ""),
		swiftDev(1, 1, 1, "10.0.0.1", 6200, "10.0.0.1", 6200, "sdb", 100, ""),
		swiftDev(2, 1, 2, "10.0.0.2", 6200, "10.0.1.2", 6300, "sda", 100, ""),
		swiftDev(3, 2, 1, "fd00::3", 6200, "fd00::3", 6200, "sda", 100, "ssd"),
		swiftDev(4, 2, 2, "10.0.2.4", 6200, "10.0.2.4", 6200, "sdb", 50, "snet: 10.9.9.9"),
		nil,
		swiftDev(6, 1, 3, "10.0.0.6", 6200, "10.0.0.6", 6200, "sdc", 0, ""),
	}
	rows := make([][]uint16, 3)
	for r := range rows {
		rows[r] = make([]uint16, 16)
		for p := range rows[r] {
			rows[r][p] = uint16((p + 2*r) % 5)
		}
	}
	writeSwiftRing(t, path, 4, 7, devs, rows)
}
