package ringcli

import (
	"strings"
	"testing"
)

// TestVerbs runs each verb on the base builder (four devices d0..d3 in
// zones 1..4, rebalanced) or on a new empty one. Messages in quotes are
// swift-ring-builder 2.30's, except where a comment says otherwise.
func TestVerbs(t *testing.T) {
	const d0 = `d0r1z1-10.0.0.1:6200R10.0.0.1:6200/sda_""`
	const d3 = `d3r1z4-10.0.0.4:6200R10.0.0.4:6200/sda_""`
	unchanged := "The on-disk ring builder is unchanged.\n"
	for _, tc := range []struct {
		name    string
		fresh   bool     // start from "create 8 3 1" without devices
		before  []string // commands run first
		args    []string // after "object.builder"
		stdin   string
		code    int
		stdout  string // exact, or a prefix if it ends in "…"
		stderr  string // exact, or a prefix if it ends in "…"
		changes bool   // whether the builder file must change
	}{
		{name: "unknown verb", args: []string{"bogus"}, code: 2, stdout: "Unknown command: bogus\n"},
		{name: "partition power", args: []string{"prepare_increase_partition_power"}, code: 2,
			stdout: "Changing the partition power is not supported by swiftlet's ring builder.\n"},
		{name: "default verb by name", args: []string{"default"}, stdout: "object.builder, build version…"},

		{name: "create usage", args: []string{"create", "8", "3"}, code: 2, stdout: commandUsage["create"] + "\n"},
		{name: "create bad part power", args: []string{"create", "x", "3", "1"}, code: 2, stderr: "invalid literal for int() with base 10: 'x'\n"},
		{name: "create bad replicas", args: []string{"create", "8", "three", "1"}, code: 2, stderr: "could not convert string to float: 'three'\n"},
		{name: "create too few replicas", args: []string{"create", "8", "0.5", "1"}, code: 2, stderr: "replicas must be at least 1 (was 0.500000)\n"},
		{name: "create part power too big", args: []string{"create", "40", "3", "1"}, code: 2, stderr: "part_power must be at most 32 (was 40)\n"},
		{name: "create replaces", args: []string{"create", "6", "2", "0"}, changes: true},

		{name: "add usage", args: []string{"add", "r1z1-10.0.0.5:6200/sda"}, code: 2, stdout: commandUsage["add"] + "\n"},
		{name: "add odd arguments", args: []string{"add", "r1z1-10.0.0.5:6200/sda", "1", "x"}, code: 2, stdout: commandUsage["add"] + "\n"},
		{name: "add both forms", args: []string{"add", "r1z1-10.0.0.5:6200/sda", "1", "--zone", "1"}, code: 2, stdout: commandUsage["add"] + "\n"},
		{name: "add bad value", args: []string{"add", "x1", "100"}, code: 2, stdout: "Invalid add value: x1\n" + unchanged},
		{name: "add bad port", args: []string{"add", "r1z1-10.0.0.5:x/sda", "100"}, code: 2, stdout: "Invalid port :x in add value\n" + unchanged},
		{name: "add no port", args: []string{"add", "r1z1-10.0.0.5/sda", "100"}, code: 2, stdout: "Invalid port in add value\n" + unchanged},
		{name: "add bad ip", args: []string{"add", "r1z1-10.0.0:6200/sda", "100"}, code: 2, stdout: "Invalid ip 10.0.0\n" + unchanged},
		{name: "add bad device name", args: []string{"add", "r1z1-10.0.0.5:6200/ sda", "100"}, code: 2, stdout: "Invalid device name\n" + unchanged},
		{name: "add bad weight", args: []string{"add", "r1z1-10.0.0.5:6200/sda", "abc"}, code: 2,
			stdout: "could not convert string to float: 'abc'\n" + unchanged},
		{name: "add negative weight", args: []string{"add", "--", "r1z1-10.0.0.5:6200/sda", "-1"}, code: 2,
			stdout: "Invalid weight value: r1z1-10.0.0.5:6200/sda\n" + unchanged},
		{name: "add negative weight as option", args: []string{"add", "r1z1-10.0.0.5:6200/sda", "-1"}, code: 2,
			stderr: "Usage: swiftlet ring [options]\n\nswiftlet ring: error: no such option: -1\n"},
		{name: "add duplicate", args: []string{"add", "r1z1-10.0.0.1:6200/sda", "100"}, code: 2,
			stdout: "Device 0 already uses 10.0.0.1:6200/sda.\n" + unchanged + "\n"},
		{name: "add duplicate in one call", args: []string{"add", "r1z5-10.0.0.5:6200/sda", "1", "r2z6-10.0.0.5:6200/sda", "1"}, code: 2,
			stdout: `Device d4r1z5-10.0.0.5:6200R10.0.0.5:6200/sda_"" with 1.0 weight got id 4` + "\n" +
				"Device 4 already uses 10.0.0.5:6200/sda.\n" + unchanged + "\n"},
		{name: "add without region", args: []string{"add", "z5-10.0.0.5:6200/sda_m", "1.5"}, changes: true,
			stdout: `Device d4r1z5-10.0.0.5:6200R10.0.0.5:6200/sda_"m" with 1.5 weight got id 4` + "\n",
			stderr: "WARNING: No region specified for z5-10.0.0.5:6200/sda_m. Defaulting to region 1.\n"},
		{name: "add several", args: []string{"add", "r1z5-10.0.0.5:6200/sda", "1", "r2z1-[FD00::6]:6200R[fd00::7]:6300/sdb", "2"}, changes: true,
			stdout: `Device d4r1z5-10.0.0.5:6200R10.0.0.5:6200/sda_"" with 1.0 weight got id 4` + "\n" +
				`Device d5r2z1-[fd00::6]:6200R[fd00::7]:6300/sdb_"" with 2.0 weight got id 5` + "\n"},
		{name: "add options", args: []string{"add", "-r", "2", "-z", "1", "-i", "Host.Example.com", "-p", "6200", "-d", "sdb", "-w", "10", "-m", "x y"},
			changes: true, stdout: `Device d4r2z1-host.example.com:6200Rhost.example.com:6200/sdb_"x y" with 10.0 weight got id 4` + "\n"},
		{name: "add options replication", args: []string{"add", "--region=1", "--zone=5", "--ip=10.0.0.5", "--port=6200",
			"--replication-ip=[::1]", "--replication-port=6300", "--device=sdb", "--weight=0"},
			changes: true, stdout: `Device d4r1z5-10.0.0.5:6200R[::1]:6300/sdb_"" with 0.0 weight got id 4` + "\n"},
		{name: "add options missing", args: []string{"add", "--region", "1", "--zone", "3", "--ip", "10.0.0.5", "--port", "6200", "--device", "sdb"},
			code: 2, stdout: "Required argument -w/--weight not specified.\n" + unchanged},
		{name: "add options bad address", args: []string{"add", "-r", "1", "-z", "1", "-i", "bad_host!", "-p", "1", "-d", "x", "-w", "1"},
			code: 2, stdout: "Invalid address bad_host!\n" + unchanged},
		{name: "add options bad number", args: []string{"add", "--zone", "x"}, code: 2,
			stderr: "Usage: swiftlet ring [options]\n\nswiftlet ring: error: option --zone: invalid integer value: 'x'\n"},
		{name: "add options ambiguous", args: []string{"add", "--re", "1", "-z", "1"}, code: 2,
			stderr: "Usage: swiftlet ring [options]\n\nswiftlet ring: error: ambiguous option: --re (--region, --replication-ip, --replication-port?)\n"},

		{name: "remove usage", args: []string{"remove"}, code: 2, stdout: commandUsage["remove"] + "\n\n" + searchValueUsage + "\n"},
		{name: "remove", args: []string{"remove", "d3"}, changes: true, stdout: d3 + " marked for removal and will be removed next rebalance.\n"},
		{name: "remove by option", args: []string{"remove", "--zone", "4"}, changes: true, stdout: d3 + " marked for removal and will be removed next rebalance.\n"},
		{name: "remove no match", args: []string{"remove", "d99"}, code: 2, stdout: "Search value matched 0 devices.\n" + unchanged},
		{name: "remove bad search value", args: []string{"remove", "xyz"}, code: 2, stdout: "Invalid <search-value>: 'xyz'\n"},
		{name: "remove both forms", args: []string{"remove", "d3", "--zone", "4"}, code: 2, stdout: commandUsage["remove"] + "\n"},

		{name: "set_weight", args: []string{"set_weight", "d0", "50"}, changes: true, stdout: d0 + " weight set to 50.0\n"},
		{name: "set_weight pairs", args: []string{"set_weight", "z1", "5", "/sda_", "6", "-y"}, changes: true, stdout: "…"},
		{name: "set_weight options", args: []string{"set_weight", "--zone", "1", "--weight", "100", "75"}, changes: true, stdout: d0 + " weight set to 75.0\n"},
		{name: "set_weight options without value", args: []string{"set_weight", "--zone", "1"}, code: 2, stdout: commandUsage["set_weight"] + "\n"},
		{name: "set_weight usage", args: []string{"set_weight", "d0"}, code: 2, stdout: commandUsage["set_weight"] + "\n\n" + searchValueUsage + "\n"},
		{name: "set_weight odd", args: []string{"set_weight", "d0", "1", "d1"}, code: 2, stdout: commandUsage["set_weight"] + "\n"},
		{name: "set_weight not a number", args: []string{"set_weight", "d0", "abc"}, code: 2, stdout: "could not convert string to float: 'abc'\n"},
		{name: "set_weight no match", args: []string{"set_weight", "d99", "5"}, code: 2, stdout: "Search value matched 0 devices.\n" + unchanged},
		{name: "set_weight bad search value", args: []string{"set_weight", "xyz", "5"}, code: 2, stdout: "Invalid <search-value>: 'xyz'\n"},
		{name: "set_weight removed device", before: []string{"remove d3"}, args: []string{"set_weight", "d3", "5"}, code: 2,
			stdout: "Can not set weight of dev_id 3 because it is marked for removal\n"},

		{name: "set_region", args: []string{"set_region", "d0", "2"}, changes: true, stdout: `d0r2z1-10.0.0.1:6200R10.0.0.1:6200/sda_"" region set to 2` + "\n"},
		{name: "set_region not a number", args: []string{"set_region", "d0", "x"}, code: 2, stdout: "invalid literal for int() with base 10: 'x'\n"},
		{name: "set_zone", args: []string{"set_zone", "--id", "0", "7"}, changes: true, stdout: `d0r1z7-10.0.0.1:6200R10.0.0.1:6200/sda_"" zone set to 7` + "\n"},
		{name: "set_zone options extra", args: []string{"set_zone", "--id", "0", "5", "6"}, code: 2, stdout: commandUsage["set_zone"] + "\n"},
		// Swift carries the devices of the first pair over to the second
		// and asks about both; here each pair stands alone.
		{name: "set_zone pairs", args: []string{"set_zone", "d0", "5", "d1", "6"}, changes: true,
			stdout: `d0r1z5-10.0.0.1:6200R10.0.0.1:6200/sda_"" zone set to 5` + "\n" + `d1r1z6-10.0.0.2:6200R10.0.0.2:6200/sda_"" zone set to 6` + "\n"},

		{name: "set_info", args: []string{"set_info", "d0", "10.0.0.9:6201R10.0.1.9:6301/sdz_new meta"}, changes: true,
			stdout: "Device " + d0 + ` is now d0r1z1-10.0.0.9:6201R10.0.1.9:6301/sdz_"new meta"` + "\n"},
		{name: "set_info port only", args: []string{"set_info", "d0", ":6202"}, changes: true,
			stdout: "Device " + d0 + ` is now d0r1z1-10.0.0.1:6202R10.0.0.1:6200/sda_""` + "\n"},
		{name: "set_info ipv6", args: []string{"set_info", "d0", "[FD00::9]R[::1]:7"}, changes: true,
			stdout: "Device " + d0 + ` is now d0r1z1-[fd00::9]:6200R[::1]:7/sda_""` + "\n"},
		{name: "set_info options", args: []string{"set_info", "-u", "0", "-I", "Host.Example.com", "-P", "7000", "-D", "sdq", "-M", "mm"}, changes: true,
			stdout: "Device " + d0 + ` is now d0r1z1-host.example.com:7000R10.0.0.1:6200/sdq_"mm"` + "\n"},
		{name: "set_info bad change", args: []string{"set_info", "d0", "xx"}, code: 2, stdout: "Invalid set info change value: 'xx'\n"},
		{name: "set_info bad ip", args: []string{"set_info", "d0", "999.1.1.1"}, code: 2, stdout: "Invalid ip 999.1.1.1\n"},
		{name: "set_info bad port", args: []string{"set_info", "d0", ":"}, code: 2, stdout: "invalid literal for int() with base 10: ''\n"},
		{name: "set_info bad address option", args: []string{"set_info", "--ip", "10.0.0.1", "--change-ip", "bad_host!"}, code: 2,
			stdout: "Invalid address bad_host!\n"},
		{name: "set_info no match", args: []string{"set_info", "d99", "/x"}, code: 2, stdout: "Search value matched 0 devices.\n" + unchanged},
		// Swift accepts an empty device name here; swiftlet's builder does not.
		{name: "set_info empty name", args: []string{"set_info", "d0", "/"}, code: 2, stdout: "Invalid device name\n"},
		{name: "set_info usage", args: []string{"set_info", "d0"}, code: 2, stdout: commandUsage["set_info"] + "\n\n" + searchValueUsage + "\n"},

		{name: "set_min_part_hours usage", args: []string{"set_min_part_hours"}, code: 2, stdout: commandUsage["set_min_part_hours"] + "\n"},
		{name: "set_min_part_hours not a number", args: []string{"set_min_part_hours", "x"}, code: 2, stderr: "invalid literal for int() with base 10: 'x'\n"},
		// Swift stores any number; swiftlet's builder keeps 0..255.
		{name: "set_min_part_hours too many", args: []string{"set_min_part_hours", "300"}, code: 2, stdout: "min_part_hours must be between 0 and 255 (was 300)\n"},

		{name: "set_replicas", args: []string{"set_replicas", "2.5"}, changes: true,
			stdout: "The replica count is now 2.500000.\nThe change will take effect after the next rebalance.\n"},
		{name: "set_replicas usage", args: []string{"set_replicas"}, code: 2, stdout: commandUsage["set_replicas"] + "\n"},
		{name: "set_replicas not a number", args: []string{"set_replicas", "x"}, code: 2, stdout: commandUsage["set_replicas"] + "\n\"x\" is not a valid number.\n"},
		{name: "set_replicas too few", args: []string{"set_replicas", "0.5"}, code: 2, stdout: "Replica count must be at least 1.\n"},

		{name: "set_overload percent", args: []string{"set_overload", "10%"}, changes: true,
			stdout: "The overload factor is now 10.00% (0.100000)\nThe change will take effect after the next rebalance.\n"},
		{name: "set_overload fraction", args: []string{"set_overload", "0.1"}, changes: true,
			stdout: "The overload factor is now 10.00% (0.100000)\nThe change will take effect after the next rebalance.\n"},
		{name: "set_overload above 100%", args: []string{"set_overload", "1.5"}, code: 1, changes: true,
			stdout: "!?! Warning overload is greater than 100% !?!\nThe overload factor is now 150.00% (1.500000)\nThe change will take effect after the next rebalance.\n"},
		{name: "set_overload 150%", args: []string{"set_overload", "150%"}, changes: true,
			stdout: "The overload factor is now 150.00% (1.500000)\nThe change will take effect after the next rebalance.\n"},
		{name: "set_overload negative", args: []string{"set_overload", "-1"}, code: 2, stdout: "Overload must be non-negative.\n"},
		{name: "set_overload not a number", args: []string{"set_overload", "x%"}, code: 2, stdout: commandUsage["set_overload"] + "\n'x' is not a valid number.\n"},

		{name: "pretend_min_part_hours_passed", args: []string{"pretend_min_part_hours_passed"}, changes: true},
		{name: "validate", args: []string{"validate"}},
		{name: "validate never rebalanced", fresh: true, args: []string{"validate"}, code: 2, stderr: "_replica2part2dev empty; did you forget to rebalance?\n"},

		{name: "search", args: []string{"search", "d0"},
			stdout: "Devices:    id  region  zone      ip address  port  replication ip  replication port      name weight partitions balance meta\n" +
				"             0       1     1        10.0.0.1  6200        10.0.0.1              6200       sda 100.00        192    0.00 \n"},
		{name: "search options", args: []string{"search", "--ip", "10.0.0.2", "--port", "6200"}, stdout: "Devices:    id…"},
		{name: "search no match", args: []string{"search", "d77"}, code: 2, stdout: "No matching devices found\n"},
		{name: "search bad value", args: []string{"search", "xyz"}, code: 2, stdout: "Invalid <search-value>: 'xyz'\n"},
		{name: "search two values", args: []string{"search", "d0", "d1"}, code: 2, stdout: commandUsage["search"] + "\n"},
		{name: "search usage", args: []string{"search"}, code: 2, stdout: commandUsage["search"] + "\n\n" + searchValueUsage + "\n"},

		{name: "list_parts", args: []string{"list_parts", "d0"}, stdout: "Partition   Matches\n        …"},
		{name: "list_parts no match", args: []string{"list_parts", "d77"}, code: 2, stdout: "No matching devices found\n"},
		{name: "list_parts never rebalanced", fresh: true, args: []string{"list_parts", "d0"}, code: 2,
			stdout: "Specified builder file \"object.builder\" is not rebalanced yet. Please rebalance first.\n"},

		{name: "dispersion", args: []string{"dispersion"},
			stdout: "Dispersion is 0.000000, Balance is 0.000000, Overload is 0.00%\nRequired overload is 0.000000%\n"},
		{name: "dispersion recalculate", args: []string{"dispersion", "--recalculate"}, changes: true, stdout: "Dispersion is 0.000000…"},
		{name: "dispersion bad option", args: []string{"dispersion", "-x"}, code: 2,
			stderr: "Usage: " + commandUsage["dispersion"] + "\n\nswiftlet ring: error: no such option: -x\n"},
		{name: "dispersion bad filter", args: []string{"dispersion", "r1(", "-v"}, code: 2, stderr: "error parsing regexp…"},
		{name: "dispersion never rebalanced", fresh: true, args: []string{"dispersion"}, code: 2,
			stdout: "Specified builder file \"object.builder\" is not rebalanced yet. Please rebalance first.\n"},

		{name: "write_ring empty", fresh: true, args: []string{"write_ring"}, code: 2, stdout: "Unable to write empty ring.\n"},
		{name: "write_ring unbalanced", fresh: true, before: []string{"add r1z1-10.0.0.1:6200/sda 1"}, args: []string{"write_ring"},
			stdout: "Warning: Writing a ring with no partition assignments but with devices; did you forget to run \"rebalance\"?\n"},
		{name: "write_builder over builder", args: []string{"write_builder"}, code: 2,
			stdout: "Cowardly refusing to overwrite existing Ring Builder file: object.builder\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c *cli
			if tc.fresh {
				c = newCLI(t)
				c.must("object.builder", "create", "8", "3", "1")
			} else {
				c = base(t)
			}
			for _, cmd := range tc.before {
				c.must(append([]string{"object.builder"}, strings.Fields(cmd)...)...)
			}
			before := readFile(t, "object.builder")
			r := c.runInput(tc.stdin, append([]string{"object.builder"}, tc.args...)...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if !matches(r.stdout, tc.stdout) {
				t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, tc.stdout)
			}
			if !matches(r.stderr, tc.stderr) {
				t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, tc.stderr)
			}
			if changed := readFile(t, "object.builder") != before; changed != tc.changes {
				t.Errorf("builder file changed = %v, want %v", changed, tc.changes)
			}
		})
	}
}

// matches compares got with want, which is exact or, ending in "…", a
// prefix.
func matches(got, want string) bool {
	if prefix, ok := strings.CutSuffix(want, "…"); ok {
		return strings.HasPrefix(got, prefix)
	}
	return got == want
}
