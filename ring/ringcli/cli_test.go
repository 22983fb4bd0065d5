package ringcli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

func TestUsage(t *testing.T) {
	c := newCLI(t)
	r := c.run()
	if r.code != exitSuccess || r.stderr != "" {
		t.Fatalf("no arguments: exit %d, stderr %q; want 0 and nothing", r.code, r.stderr)
	}
	if !strings.HasPrefix(r.stdout, "swiftlet ring (swift-ring-builder 1.3 compatible)\n\nswiftlet ring <builder_file>\n") {
		t.Errorf("usage starts %q", r.stdout[:min(len(r.stdout), 120)])
	}
	for verb, u := range commandUsage {
		if !strings.Contains(r.stdout, u+"\n\n") {
			t.Errorf("usage lacks the text of %s", verb)
		}
	}
	for _, want := range []string{searchValueUsage, "Quick list: add create dispersion list_parts pretend_min_part_hours_passed\n",
		"Exit codes: 0 = operation successful\n            1 = operation completed with warnings\n            2 = error\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestBuilderRingNames(t *testing.T) {
	for _, tc := range []struct{ in, builder, ring string }{
		{"object.builder", "object.builder", "object.ring.gz"},
		{"object.ring.gz", "object.builder", "object.ring.gz"},
		{"/etc/swift/object-1.ring.gz", "/etc/swift/object-1.builder", "/etc/swift/object-1.ring.gz"},
		{"foo", "foo", "foo.ring.gz"},
		{"foo.gz", "foo.gz", "foo.gz.ring.gz"},
	} {
		b, r := builderRingNames(tc.in)
		if b != tc.builder || r != tc.ring {
			t.Errorf("builderRingNames(%q) = %q, %q; want %q, %q", tc.in, b, r, tc.builder, tc.ring)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		file     string
		contents string // "" leaves the file missing
		args     []string
		stdout   string
	}{
		{name: "missing", file: "x.builder", stdout: "Ring Builder file does not exist: x.builder\n"},
		{name: "missing via ring name", file: "x.builder", args: []string{"x.ring.gz"},
			stdout: "Note: using x.builder instead of x.ring.gz as builder file\nRing Builder file does not exist: x.builder\n"},
		{name: "missing, unknown verb", file: "x.builder", args: []string{"x.builder", "bogus"},
			stdout: "Ring Builder file does not exist: x.builder\n"},
		{name: "garbage", file: "x.builder", contents: "garbage", stdout: "Ring Builder file is invalid: x.builder\n"},
		{name: "swift pickle", file: "x.builder", contents: "\x80\x02}q\x00", stdout: "Ring Builder file is invalid: x.builder\n" +
			"(it looks like a Swift builder file, which swiftlet cannot read; recreate the builder from its ring file with write_builder)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			if tc.contents != "" {
				if err := os.WriteFile(tc.file, []byte(tc.contents), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			args := tc.args
			if args == nil {
				args = []string{tc.file}
			}
			r := c.run(args...)
			if r.code != exitError || r.stdout != tc.stdout {
				t.Errorf("%v: exit %d, stdout %q; want 2, %q", args, r.code, r.stdout, tc.stdout)
			}
		})
	}
	t.Run("directory", func(t *testing.T) {
		c := newCLI(t)
		if err := os.Mkdir("d.builder", 0o755); err != nil {
			t.Fatal(err)
		}
		r := c.run("d.builder")
		if want := "Problem occurred while reading builder file: d.builder. "; r.code != exitError || !strings.HasPrefix(r.stdout, want) {
			t.Errorf("exit %d, stdout %q; want 2, %q...", r.code, r.stdout, want)
		}
	})
}

// base makes the builder most tests start from: 256 partitions, 3
// replicas, min_part_hours 1, four equal devices in four zones, rebalanced
// at t0.
func base(t *testing.T) *cli {
	t.Helper()
	c := newCLI(t)
	c.must("object.builder", "create", "8", "3", "1")
	c.must("object.builder", "add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "100",
		"r1z3-10.0.0.3:6200/sda", "100", "r1z4-10.0.0.4:6200/sda", "100")
	c.must("object.builder", "rebalance")
	return c
}

func TestRoundTrip(t *testing.T) {
	c := newCLI(t)
	if r := c.run("object.builder", "create", "8", "3", "1"); r.code != exitSuccess || r.stdout != "" || r.stderr != "" {
		t.Fatalf("create: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	if got := readFile(t, fmt.Sprintf("backups/%d.object.builder", t0.Unix())); got != readFile(t, "object.builder") {
		t.Errorf("create wrote no backup identical to the builder")
	}

	r := c.run("object.builder", "add", "r1z1-10.0.0.1:6200/sda", "100", "z2-10.0.0.2:6200R10.1.0.2:6300/sda_fast disk", "100")
	wantOut := "Device d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_\"\" with 100.0 weight got id 0\n" +
		"Device d1r1z2-10.0.0.2:6200R10.1.0.2:6300/sda_\"fast disk\" with 100.0 weight got id 1\n"
	wantErr := "WARNING: No region specified for z2-10.0.0.2:6200R10.1.0.2:6300/sda_fast disk. Defaulting to region 1.\n"
	if r.code != exitSuccess || r.stdout != wantOut || r.stderr != wantErr {
		t.Errorf("add pairs: exit %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q", r.code, r.stdout, wantOut, r.stderr, wantErr)
	}
	r = c.run("object.builder", "add", "--region", "1", "--zone", "3", "--ip", "10.0.0.3", "--port", "6200",
		"--device", "sda", "--weight", "100", "--meta", "m")
	if want := "Device d2r1z3-10.0.0.3:6200R10.0.0.3:6200/sda_\"m\" with 100.0 weight got id 2\n"; r.code != 0 || r.stdout != want {
		t.Errorf("add options: exit %d, %q; want 0, %q", r.code, r.stdout, want)
	}
	c.must("object.builder", "add", "-r", "1", "-z", "4", "-i", "FD00::4", "-p", "6200", "-d", "sdb", "-w", "100")

	c.now = t0.Add(time.Minute)
	r = c.run("object.builder", "rebalance")
	if want := "Reassigned 768 (300.00%) partitions. Balance is now 0.00.  Dispersion is now 0.00\n"; r.code != exitSuccess || r.stdout != want {
		t.Fatalf("rebalance: exit %d, %q; want 0, %q", r.code, r.stdout, want)
	}
	ts := t0.Add(time.Minute).Unix()
	for _, f := range []string{"object.ring.gz", fmt.Sprintf("backups/%d.object.ring.gz", ts), fmt.Sprintf("backups/%d.object.builder", ts)} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("rebalance did not write %s: %v", f, err)
		}
	}
	if readFile(t, fmt.Sprintf("backups/%d.object.builder", ts)) != readFile(t, "object.builder") {
		t.Errorf("the builder backup differs from the builder")
	}
	b, err := ring.LoadBuilder("object.builder")
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := ring.Load("object.ring.gz", ring.HashSalt{})
	if err != nil {
		t.Fatal(err)
	}
	built, _ := b.Ring(ring.HashSalt{})
	if built.Checksum() != onDisk.Checksum() {
		t.Errorf("ring file checksum %s, builder's ring %s", onDisk.Checksum(), built.Checksum())
	}

	c.now = t0.Add(time.Minute + 7*time.Second)
	r = c.run("object.builder")
	// Swift 2.30.1 prints the same for the same commands.
	want := fmt.Sprintf(`object.builder, build version %d, id %s
256 partitions, 3.000000 replicas, 1 regions, 4 zones, 4 devices, 0.00 balance, 0.00 dispersion
The minimum number of hours before a partition can be reassigned is 1 (0:59:53 remaining)
The overload factor is 0.00%% (0.000000)
Ring file object.ring.gz is up-to-date
Devices:   id region zone   ip address:port   replication ip:port  name weight partitions balance flags meta
            0      1    1     10.0.0.1:6200         10.0.0.1:6200   sda 100.00        192    0.00       
            1      1    2     10.0.0.2:6200         10.1.0.2:6300   sda 100.00        192    0.00       fast disk
            2      1    3     10.0.0.3:6200         10.0.0.3:6200   sda 100.00        192    0.00       m
            3      1    4    [fd00::4]:6200        [fd00::4]:6200   sdb 100.00        192    0.00       
`, b.Version(), b.ID())
	if r.code != exitSuccess || r.stdout != want {
		t.Errorf("show: exit %d\n%s\nwant\n%s", r.code, r.stdout, want)
	}

	// A set_info makes the ring file obsolete until write_ring.
	c.must("object.builder", "set_info", "d0", "_new meta")
	if r := c.run("object.builder"); !strings.Contains(r.stdout, "Ring file object.ring.gz is obsolete\n") {
		t.Errorf("show after set_info:\n%s\nwant the ring file obsolete", r.stdout)
	}
	if r := c.run("object.builder", "write_ring"); r.code != exitSuccess || r.stdout != "" {
		t.Errorf("write_ring: exit %d, %q", r.code, r.stdout)
	}
	if r := c.run("object.builder"); !strings.Contains(r.stdout, "Ring file object.ring.gz is up-to-date\n") {
		t.Errorf("show after write_ring:\n%s\nwant the ring file up-to-date", r.stdout)
	}
	if r := c.run("object.builder", "validate"); r.code != exitSuccess || r.stdout+r.stderr != "" {
		t.Errorf("validate: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
}

// The expected outputs below are what Swift 2.30.1's swift-ring-builder
// prints for a builder made by write_builder from the fixture ring.
func TestImportedSwiftRing(t *testing.T) {
	c := newCLI(t)
	fixtureRing(t, "object.ring.gz")
	r := c.run("object.ring.gz", "write_builder", "1")
	if r.code != exitSuccess || r.stdout != "Note: using object.builder instead of object.ring.gz as builder file\n" || r.stderr != "" {
		t.Fatalf("write_builder: exit %d, %q, %q", r.code, r.stdout, r.stderr)
	}
	if r := c.run("object.ring.gz", "write_builder"); r.code != exitError ||
		!strings.HasSuffix(r.stdout, "Cowardly refusing to overwrite existing Ring Builder file: object.builder\n") {
		t.Errorf("second write_builder: exit %d, %q; want a refusal", r.code, r.stdout)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"show", nil, exitSuccess, `object.builder, build version 7, id ID
16 partitions, 3.000000 replicas, 2 regions, 5 zones, 6 devices, 87.50 balance
The minimum number of hours before a partition can be reassigned is 1 (0:00:00 remaining)
The overload factor is 0.00% (0.000000)
Ring file object.ring.gz is up-to-date
Devices:   id region zone   ip address:port   replication ip:port  name weight partitions balance flags meta
            0      1    1     10.0.0.1:6200         10.0.0.1:6200   sda 100.00         10   -6.25       
            1      1    1     10.0.0.1:6200         10.0.0.1:6200   sdb 100.00          9  -15.63       
            2      1    2     10.0.0.2:6200         10.0.1.2:6300   sda 100.00         10   -6.25       
            6      1    3     10.0.0.6:6200         10.0.0.6:6200   sdc   0.00          0    0.00       
            3      2    1    [fd00::3]:6200        [fd00::3]:6200   sda 100.00          9  -15.63       ssd
            4      2    2     10.0.2.4:6200         10.0.2.4:6200   sdb  50.00         10   87.50       snet: 10.9.9.9
`},
		{"search", []string{"search", "r2"}, exitSuccess, `Devices:    id  region  zone      ip address  port  replication ip  replication port      name weight partitions balance meta
             3       2     1         fd00::3  6200         fd00::3              6200       sda 100.00          9  -15.63 ssd
             4       2     2        10.0.2.4  6200        10.0.2.4              6200       sdb  50.00         10   87.50 snet: 10.9.9.9
`},
		{"list_parts values", []string{"list_parts", "d0", "z2"}, exitSuccess, `Partition   Matches
        0         3
        5         3
       10         3
       15         3
        2         2
        7         2
       12         2
        3         2
        8         2
       13         2
        4         1
        9         1
       14         1
        1         1
        6         1
       11         1
`},
		{"list_parts options", []string{"list_parts", "--region", "2", "--zone", "2"}, exitSuccess, `Partition   Matches
        4         1
        9         1
       14         1
        2         1
        7         1
       12         1
        0         1
        5         1
       10         1
       15         1
`},
		{"dispersion", []string{"dispersion", "-v"}, exitWarning, `Dispersion is 6.250000, Balance is 87.500000, Overload is 0.00%
Required overload is 50.000000%
Worst tier is 15.789474 (r1z1)
--------------------------------------------------------------------------
Tier                           Parts      %    Max     0     1     2     3
--------------------------------------------------------------------------
r1                                29   0.00      2     0     3    13     0
r1z1                              19  15.79      1     0    13     3     0
r1z1-10.0.0.1                     19  15.79      1     0    13     3     0
r1z1-10.0.0.1/sda                 10   0.00      1     6    10     0     0
r1z1-10.0.0.1/sdb                  9   0.00      1     7     9     0     0
r1z2                              10   0.00      1     6    10     0     0
r1z2-10.0.0.2                     10   0.00      1     6    10     0     0
r1z2-10.0.0.2/sda                 10   0.00      1     6    10     0     0
r2                                19   0.00      2     0    13     3     0
r2z1                               9   0.00      1     7     9     0     0
r2z1-fd00::3                       9   0.00      1     7     9     0     0
r2z1-fd00::3/sda                   9   0.00      1     7     9     0     0
r2z2                              10   0.00      1     6    10     0     0
r2z2-10.0.2.4                     10   0.00      1     6    10     0     0
r2z2-10.0.2.4/sdb                 10   0.00      1     6    10     0     0
`},
		{"dispersion filtered", []string{"dispersion", `r\d+z\d+$`, "--verbose"}, exitWarning, `Dispersion is 6.250000, Balance is 87.500000, Overload is 0.00%
Required overload is 50.000000%
Worst tier is 15.789474 (r1z1)
--------------------------------------------------------------------------
Tier                           Parts      %    Max     0     1     2     3
--------------------------------------------------------------------------
r1z1                              19  15.79      1     0    13     3     0
r1z2                              10   0.00      1     6    10     0     0
r2z1                               9   0.00      1     7     9     0     0
r2z2                              10   0.00      1     6    10     0     0
`},
		{"dispersion filtered away", []string{"dispersion", "nomatch", "-v"}, exitSuccess, `Dispersion is 6.250000, Balance is 87.500000, Overload is 0.00%
Required overload is 50.000000%
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(append([]string{"object.builder"}, tc.args...)...)
			got := regexp.MustCompile(`id [0-9a-f]{32}\n`).ReplaceAllString(r.stdout, "id ID\n")
			if r.code != tc.code || got != tc.want {
				t.Errorf("exit %d, stdout:\n%s\nwant exit %d, stdout:\n%s", r.code, got, tc.code, tc.want)
			}
		})
	}
	// The first dispersion report computed and saved the dispersion, which
	// the show now includes, as Swift's does.
	if r := c.run("object.builder"); !strings.Contains(r.stdout, "87.50 balance, 6.25 dispersion\n") {
		t.Errorf("show after dispersion:\n%s\nwant the dispersion in the second line", r.stdout)
	}
}

func TestWriteBuilderFromSwiftletRing(t *testing.T) {
	c := base(t)
	before := readFile(t, "object.ring.gz")
	if err := os.Rename("object.builder", "lost.builder"); err != nil {
		t.Fatal(err)
	}
	r := c.run("object.ring.gz", "write_builder")
	if r.code != exitSuccess || r.stderr != "WARNING: default min_part_hours may not match the value in the lost builder.\n" {
		t.Fatalf("write_builder: exit %d, stderr %q", r.code, r.stderr)
	}
	r = c.run("object.builder")
	for _, want := range []string{"reassigned is 24 (0:00:00 remaining)", "Ring file object.ring.gz is up-to-date"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("show of the recreated builder lacks %q:\n%s", want, r.stdout)
		}
	}
	c.must("object.builder", "write_ring")
	if readFile(t, "object.ring.gz") != before {
		t.Errorf("the recreated builder writes a different ring")
	}
	if r := c.run("missing.ring.gz", "write_builder", "1"); r.code != exitError || !strings.Contains(r.stderr, "missing.ring.gz") {
		t.Errorf("write_builder of a missing ring: exit %d, stderr %q; want 2 and the file named", r.code, r.stderr)
	}
	if r := c.run("object.ring.gz", "write_builder", "x"); r.code != exitError {
		t.Errorf("write_builder x: exit %d, want 2", r.code)
	}
}

func TestMinPartHoursMessages(t *testing.T) {
	c := base(t)
	for _, tc := range []struct {
		hours string
		after time.Duration
		want  string
	}{
		{"1", 0, "is 1 (1:00:00 remaining)"},
		{"1", 7 * time.Second, "is 1 (0:59:53 remaining)"},
		{"1", 2 * time.Hour, "is 1 (0:00:00 remaining)"},
		{"26", 7 * time.Second, "is 26 (1 day, 1:59:53 remaining)"},
		{"48", 0, "is 48 (2 days, 0:00:00 remaining)"},
		{"0", 0, "is 0 (0:00:00 remaining)"},
	} {
		t.Run(tc.hours+"h after "+tc.after.String(), func(t *testing.T) {
			r := c.run("object.builder", "set_min_part_hours", tc.hours)
			if want := "The minimum number of hours before a partition can be reassigned is now set to " + tc.hours + "\n"; r.stdout != want {
				t.Errorf("set_min_part_hours: %q, want %q", r.stdout, want)
			}
			c.now = t0.Add(tc.after)
			r = c.run("object.builder")
			if !strings.Contains(r.stdout, "The minimum number of hours before a partition can be reassigned "+tc.want+"\n") {
				t.Errorf("show lacks %q:\n%s", tc.want, r.stdout)
			}
		})
	}
}

func TestConfirmation(t *testing.T) {
	prompt := "Matched more than one device:\n" +
		"    d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_\"\"\n" +
		"    d1r1z2-10.0.0.2:6200R10.0.0.2:6200/sda_\"\"\n" +
		"    d2r1z3-10.0.0.3:6200R10.0.0.3:6200/sda_\"\"\n" +
		"    d3r1z4-10.0.0.4:6200R10.0.0.4:6200/sda_\"\"\n"
	set := "d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_\"\" weight set to 7.0\n" +
		"d1r1z2-10.0.0.2:6200R10.0.0.2:6200/sda_\"\" weight set to 7.0\n" +
		"d2r1z3-10.0.0.3:6200R10.0.0.3:6200/sda_\"\" weight set to 7.0\n" +
		"d3r1z4-10.0.0.4:6200R10.0.0.4:6200/sda_\"\" weight set to 7.0\n"
	question := "Are you sure you want to update the weight for these 4 devices? (y/N) "
	for _, tc := range []struct {
		name, stdin string
		args        []string
		code        int
		stdout      string
	}{
		{"yes", "y\n", nil, exitSuccess, prompt + question + set},
		{"no", "n\n", nil, exitError, prompt + question + "Aborting device modifications\n"},
		{"anything but y", "yes\n", nil, exitError, prompt + question + "Aborting device modifications\n"},
		{"end of input", "", nil, exitError, prompt + question + "\nAborting device modifications\n"},
		{"--yes", "", []string{"--yes"}, exitSuccess, prompt + set},
		{"-y first", "", []string{"-y"}, exitSuccess, prompt + set},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base(t)
			before := readFile(t, "object.builder")
			args := []string{"object.builder", "set_weight"}
			if tc.name == "-y first" {
				args = append(args, "-y", "r1", "7")
			} else {
				args = append(append(args, "r1", "7"), tc.args...)
			}
			r := c.runInput(tc.stdin, args...)
			if r.code != tc.code || r.stdout != tc.stdout {
				t.Errorf("exit %d, stdout:\n%s\nwant exit %d, stdout:\n%s", r.code, r.stdout, tc.code, tc.stdout)
			}
			if changed := readFile(t, "object.builder") != before; changed != (tc.code == exitSuccess) {
				t.Errorf("builder changed = %v, want %v", changed, tc.code == exitSuccess)
			}
		})
	}
	t.Run("remove", func(t *testing.T) {
		c := base(t)
		r := c.runInput("n\n", "object.builder", "remove", "r1")
		if want := prompt + "Are you sure you want to remove these 4 devices? (y/N) Aborting device removals\n"; r.code != exitError || r.stdout != want {
			t.Errorf("exit %d, stdout:\n%s\nwant exit 2, stdout:\n%s", r.code, r.stdout, want)
		}
	})
}

func TestSetInfoDuplicates(t *testing.T) {
	c := newCLI(t)
	c.must("object.builder", "create", "4", "1", "1")
	c.must("object.builder", "add", "r1z1-10.0.0.1:6200/sda", "1", "r1z1-10.0.0.1:6200/sdb", "1", "r1z2-10.0.0.2:6200/sda", "1")
	before := readFile(t, "object.builder")
	for _, tc := range []struct {
		name   string
		args   []string
		stdout string
	}{
		{"string form", []string{"d0", "10.0.0.2:6200/sda"}, "Device 2 already uses 10.0.0.2:6200/sda.\n"},
		{"name only", []string{"d0", "/sdb"}, "Device 1 already uses 10.0.0.1:6200/sdb.\n"},
		{"option form", []string{"--id", "2", "--change-ip", "10.0.0.1"}, "Device 0 already uses 10.0.0.1:6200/sda.\n"},
		// The first device renamed collides with the second.
		{"two matches", []string{"10.0.0.1", "/sdc", "--yes"}, "Matched more than one device:\n" +
			"    d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_\"\"\n    d1r1z1-10.0.0.1:6200R10.0.0.1:6200/sdb_\"\"\n" +
			"Device d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_\"\" is now d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sdc_\"\"\n" +
			"Device 0 already uses 10.0.0.1:6200/sdc.\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.run(append([]string{"object.builder", "set_info"}, tc.args...)...)
			if r.code != exitError || r.stdout != tc.stdout {
				t.Errorf("exit %d, stdout:\n%s\nwant exit 2, stdout:\n%s", r.code, r.stdout, tc.stdout)
			}
			if readFile(t, "object.builder") != before {
				t.Errorf("the builder file changed")
			}
		})
	}
	r := c.run("object.builder", "set_info", "d0", "10.0.0.2:6200/sdb", "d1", "10.0.0.2:6200/sda")
	if r.code != exitError || !strings.HasSuffix(r.stdout, "Device 2 already uses 10.0.0.2:6200/sda.\n") {
		t.Errorf("second pair duplicate: exit %d, %q", r.code, r.stdout)
	}
	if readFile(t, "object.builder") != before {
		t.Errorf("a set_info whose second pair failed changed the builder file")
	}
}

func TestShowEmptyAndRemoved(t *testing.T) {
	c := newCLI(t)
	c.must("e.builder", "create", "4", "3", "1")
	r := c.run("e.builder")
	want := `e.builder, build version 0, id ID
16 partitions, 3.000000 replicas, 0 regions, 0 zones, 0 devices, 0.00 balance, 0.00 dispersion
The minimum number of hours before a partition can be reassigned is 1 (0:00:00 remaining)
The overload factor is 0.00% (0.000000)
Ring file e.ring.gz not found, probably it hasn't been written yet
Devices:   id region zone ip address:port replication ip:port  name weight partitions balance flags meta
There are no devices in this ring, or all devices have been deleted
`
	if got := regexp.MustCompile(`id [0-9a-f]{32}\n`).ReplaceAllString(r.stdout, "id ID\n"); r.code != 0 || got != want {
		t.Errorf("show of an empty builder: exit %d\n%s\nwant\n%s", r.code, got, want)
	}

	c = base(t)
	c.must("object.builder", "remove", "d3")
	r = c.run("object.builder")
	if want := "            3      1    4   10.0.0.4:6200       10.0.0.4:6200   sda   0.00        192  999.99   DEL \n"; !strings.Contains(r.stdout, want) {
		t.Errorf("show after remove lacks %q:\n%s", want, r.stdout)
	}
}

func TestBuilderFileUntouchedOnFailure(t *testing.T) {
	// Every command below fails; none may change the files.
	c := base(t)
	for _, args := range [][]string{
		{"add", "r1z5-10.0.0.5:6200/sda", "100", "r1z1-10.0.0.1:6200/sda", "100"},
		{"set_weight", "d0", "50", "d1", "x"},
		{"set_zone", "d0", "5", "d99", "6"},
		{"remove", "d0", "d99", "-y", "--bogus"},
		{"set_info", "d0", "_meta", "d1", "999.0.0.1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			before, beforeRing := readFile(t, "object.builder"), readFile(t, "object.ring.gz")
			r := c.run(append([]string{"object.builder"}, args...)...)
			if r.code != exitError {
				t.Errorf("exit %d, want 2\nstdout:\n%s", r.code, r.stdout)
			}
			if readFile(t, "object.builder") != before || readFile(t, "object.ring.gz") != beforeRing {
				t.Errorf("a failed %s changed the files", args[0])
			}
		})
	}
	// The temporary files of atomic writes must not be left behind either.
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("left behind %s", e.Name())
		}
	}
}

func TestSavedBuilderLoads(t *testing.T) {
	c := base(t)
	c.must("object.builder", "set_overload", "10%")
	b, err := ring.LoadBuilder(filepath.Join(".", "object.builder"))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Overload(); got != 0.1 {
		t.Errorf("overload after set_overload 10%% = %v, want 0.1", got)
	}
	var out bytes.Buffer
	if code := Main([]string{"object.builder", "validate"}, strings.NewReader(""), &out, &out); code != 0 {
		t.Errorf("Main validate = %d, %q", code, out.String())
	}
}
