package ring

import (
	"strings"
	"testing"
)

func TestParseAddValue(t *testing.T) {
	for _, tc := range []struct {
		in         string
		want       Device
		noRegion   bool
		withRepl   bool
		wantErrSub string
	}{
		{in: "r1z1-127.0.0.1:6200/sdb1", want: Device{Region: 1, Zone: 1, IP: "127.0.0.1", Port: 6200, ReplicationIP: "127.0.0.1", ReplicationPort: 6200, Name: "sdb1"}},
		{in: "r2z3-10.0.0.1:6200R10.1.0.1:6300/sdb1_fast ssd", withRepl: true,
			want: Device{Region: 2, Zone: 3, IP: "10.0.0.1", Port: 6200, ReplicationIP: "10.1.0.1", ReplicationPort: 6300, Name: "sdb1", Meta: "fast ssd"}},
		{in: "z5-10.0.0.1:6200/d", noRegion: true, want: Device{Region: 1, Zone: 5, IP: "10.0.0.1", Port: 6200, ReplicationIP: "10.0.0.1", ReplicationPort: 6200, Name: "d"}},
		{in: "r1z1-[FD00::0001]:6200R[fd00::2]:6300/sdb_v6", withRepl: true,
			want: Device{Region: 1, Zone: 1, IP: "fd00::1", Port: 6200, ReplicationIP: "fd00::2", ReplicationPort: 6300, Name: "sdb", Meta: "v6"}},
		{in: "r1z1-127.0.0.1:6200/sdb1_a_b", want: Device{Region: 1, Zone: 1, IP: "127.0.0.1", Port: 6200, ReplicationIP: "127.0.0.1", ReplicationPort: 6200, Name: "sdb1", Meta: "a_b"}},
		{in: "r1-127.0.0.1:6200/sdb1", wantErrSub: "Invalid add value"},
		{in: "r1z1127.0.0.1:6200/sdb1", wantErrSub: "Invalid add value"},
		{in: "r1z1-127.0.0.1/sdb1", wantErrSub: "Invalid port"},
		{in: "r1z1-127.0.0.1:x/sdb1", wantErrSub: "Invalid port"},
		{in: "r1z1-127.0.0.1:99999/sdb1", wantErrSub: "Invalid port"},
		{in: "r1z1-example.com:6200/sdb1", wantErrSub: "Invalid ip"},
		{in: "r1z1-127.0.0.1:6200", wantErrSub: "Invalid add value"},
		{in: "r1z1-127.0.0.1:6200/", wantErrSub: "Invalid device name"},
		{in: "r1z1-127.0.0.1:6200/ sdb", wantErrSub: "Invalid device name"},
		{in: "rxz1-127.0.0.1:6200/sdb", wantErrSub: "Invalid add value"},
		{in: "", wantErrSub: "Invalid add value"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseAddValue(tc.in)
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("ParseAddValue(%q) error = %v, want one containing %q", tc.in, err, tc.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseAddValue(%q): %v", tc.in, err)
			}
			if got.Device != tc.want || got.HasRegion == tc.noRegion || got.HasReplication != tc.withRepl {
				t.Errorf("ParseAddValue(%q) = %+v, want %+v (region given %v, replication given %v)", tc.in, got, tc.want, !tc.noRegion, tc.withRepl)
			}
		})
	}
}

func TestParseSearchValue(t *testing.T) {
	dev := Device{ID: 74, Region: 4, Zone: 1, IP: "1.2.3.4", Port: 5678, ReplicationIP: "5.6.7.8", ReplicationPort: 6000, Name: "sdb1", Meta: "snet: 5.6.7.8"}
	v6 := Device{ID: 3, Region: 1, Zone: 1, IP: "::1", Port: 5678, ReplicationIP: "::1", ReplicationPort: 5678, Name: "sdc"}
	for _, tc := range []struct {
		in         string
		match      []Device
		noMatch    []Device
		wantErrSub string
	}{
		{in: "d74", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "r4", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "z1", match: []Device{dev, v6}},
		{in: "z1-1.2.3.4", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "1.2.3.4", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "z1:5678", match: []Device{dev, v6}},
		{in: ":5678", match: []Device{dev, v6}},
		{in: "R5.6.7.8", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "R:6000", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "1.2.3.4R5.6.7.8", match: []Device{dev}},
		{in: "/sdb1", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "_snet", match: []Device{dev}, noMatch: []Device{v6}},
		{in: "[::1]", match: []Device{v6}, noMatch: []Device{dev}},
		{in: "z1-[::1]:5678", match: []Device{v6}},
		{in: "d74r4z1-1.2.3.4:5678R5.6.7.8:6000/sdb1_snet: 5.6.7.8", match: []Device{dev}},
		{in: "d74/sdc", noMatch: []Device{dev, v6}},
		{in: "x", wantErrSub: "Invalid <search-value>"},
		{in: "d", wantErrSub: "Invalid <search-value>"},
		{in: "1.2.3.4.5", wantErrSub: "Invalid ip"},
		{in: "[::1", wantErrSub: "Invalid <search-value>"},
		{in: "", wantErrSub: "Invalid <search-value>"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			q, err := ParseSearchValue(tc.in)
			if tc.wantErrSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErrSub) {
					t.Fatalf("ParseSearchValue(%q) error = %v, want one containing %q", tc.in, err, tc.wantErrSub)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSearchValue(%q): %v", tc.in, err)
			}
			for _, d := range tc.match {
				if !q.Match(d) {
					t.Errorf("%q does not match %v", tc.in, d)
				}
			}
			for _, d := range tc.noMatch {
				if q.Match(d) {
					t.Errorf("%q matches %v", tc.in, d)
				}
			}
		})
	}
}

func TestNormalizeAddress(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1":          "127.0.0.1",
		"[::1]":              "::1",
		"FD00:0:0::1":        "fd00::1",
		"Storage-1.Example.": "storage-1.example.",
		"host":               "host",
	} {
		if got, err := NormalizeAddress(in); err != nil || got != want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-bad.example", "a..b", "[example.com]", "bad_host"} {
		if got, err := NormalizeAddress(in); err == nil {
			t.Errorf("NormalizeAddress(%q) = %q, want an error", in, got)
		}
	}
}

func TestDeviceString(t *testing.T) {
	d := Device{ID: 3, Region: 1, Zone: 2, IP: "fd00::1", Port: 6200, ReplicationIP: "10.0.0.1", ReplicationPort: 6300, Name: "sdb", Meta: "m"}
	if got, want := d.String(), `d3r1z2-[fd00::1]:6200R10.0.0.1:6300/sdb_"m"`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
