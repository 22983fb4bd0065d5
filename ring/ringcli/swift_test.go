package ringcli

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// How a step's outputs must agree between swift-ring-builder and
// "swiftlet ring".
type agreement int

const (
	// same exit code, stdout and stderr.
	exact agreement = iota
	// same exit code, and a first line of the same form (the figures of
	// two different rebalance algorithms differ).
	sameForm
	// the show output: its first two lines alike, with equal counts of
	// partitions, replicas, regions, zones and devices.
	showForm
)

// TestAgainstSwift runs the same commands with Swift's swift-ring-builder
// and with "swiftlet ring", each in its own directory, and compares what
// they print and return. It needs Swift installed; CI does not have it.
func TestAgainstSwift(t *testing.T) {
	tool, err := exec.LookPath("swift-ring-builder")
	if err != nil {
		t.Skip("swift-ring-builder is not installed")
	}
	swiftDir := t.TempDir()
	t.Chdir(t.TempDir())
	pair := func(t *testing.T, dir string, args ...string) (swift, ours result) {
		return runSwift(t, tool, filepath.Join(swiftDir, dir), args...), runOurs(args...)
	}

	b := "object.builder"
	for _, step := range []struct {
		args  []string
		agree agreement
		form  string // for sameForm: the first line's pattern
	}{
		{[]string{b, "create", "8", "3", "1"}, exact, ""},
		{[]string{b}, showForm, ""},
		{[]string{b, "add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "100",
			"z3-10.0.0.3:6200/sda", "100", "r1z4-10.0.0.4:6200R10.1.0.4:6300/sda_ssd", "100"}, exact, ""},
		{[]string{b, "add", "--region", "2", "--zone", "1", "--ip", "FD00::5", "--port", "6200", "--device", "sdb", "--weight", "0"}, exact, ""},
		{[]string{b}, showForm, ""},

		// Bad input, before the first rebalance.
		{[]string{b, "add", "x1", "100"}, exact, ""},
		{[]string{b, "add", "r1z5-10.0.0.5:6200/sda", "heavy"}, exact, ""},
		{[]string{b, "add", "r1z1-10.0.0.1:6200/sda", "100"}, exact, ""},
		{[]string{b, "add", "rz5-10.0.0.5:6200/sda", "1"}, exact, ""},
		{[]string{b, "add", "--region", "1", "--zone", "x"}, exact, ""},
		{[]string{b, "frobnicate"}, exact, ""},
		{[]string{b, "search", "xyz"}, exact, ""},
		{[]string{b, "search", "d"}, exact, ""},
		{[]string{b, "search", "d99"}, exact, ""},
		{[]string{b, "set_weight", "d99", "5"}, exact, ""},
		{[]string{b, "set_weight", "d0", "abc"}, exact, ""},
		{[]string{b, "set_weight", "q", "5"}, exact, ""},
		{[]string{b, "set_zone", "d0", "x"}, exact, ""},
		{[]string{b, "remove", "d99"}, exact, ""},
		{[]string{b, "set_info", "d0", "xx"}, exact, ""},
		{[]string{b, "set_info", "d0", "999.1.1.1"}, exact, ""},
		{[]string{b, "set_replicas", "0.5"}, exact, ""},
		{[]string{b, "set_overload", "-1"}, exact, ""},
		{[]string{b, "list_parts", "d0"}, exact, ""},
		{[]string{b, "dispersion"}, exact, ""},

		{[]string{b, "rebalance"}, sameForm, `^Reassigned 768 \(300\.00%\) partitions\. Balance is now \d+\.\d\d\.  Dispersion is now \d+\.\d\d$`},
		{[]string{b}, showForm, ""},
		{[]string{b, "rebalance"}, sameForm, `^No partitions could be reassigned\.$`},
		{[]string{b, "rebalance", "--force"}, sameForm, `^Reassigned \d+ \(\d+\.\d\d%\) partitions\. Balance is now \d+\.\d\d\.  Dispersion is now \d+\.\d\d$`},
		{[]string{b, "set_weight", "d0", "50"}, exact, ""},
		{[]string{b, "set_info", "d1", "10.0.0.9:6201/sdz_moved"}, exact, ""},
		{[]string{b, "set_info", "d1", "10.0.0.1:6200/sda"}, exact, ""},
		{[]string{b, "set_info", "--id", "2", "--change-meta", "new meta"}, exact, ""},
		{[]string{b, "set_region", "d4", "3"}, exact, ""},
		{[]string{b, "remove", "d3"}, exact, ""},
		{[]string{b, "set_weight", "d3", "1"}, exact, ""},
		{[]string{b, "set_overload", "10%"}, exact, ""},
		{[]string{b, "set_overload", "1.5"}, exact, ""},
		{[]string{b, "set_overload", "0"}, exact, ""},
		{[]string{b, "set_min_part_hours", "2"}, exact, ""},
		{[]string{b, "pretend_min_part_hours_passed"}, exact, ""},
		{[]string{b, "rebalance"}, sameForm, `^Reassigned \d+ \(\d+\.\d\d%\) partitions\. Balance is now \d+\.\d\d\.  Dispersion is now \d+\.\d\d$`},
		{[]string{b}, showForm, ""},
		{[]string{b, "dispersion"}, sameForm, `^Dispersion is \d+\.\d{6}, Balance is \d+\.\d{6}, Overload is 0\.00%$`},
		{[]string{b, "validate"}, exact, ""},
		{[]string{b, "write_ring"}, exact, ""},
		{[]string{b, "set_replicas", "2"}, exact, ""},
		{[]string{b}, showForm, ""},
		{[]string{"object.ring.gz", "write_builder"}, exact, ""},
	} {
		t.Run(strings.Join(step.args[1:], " "), func(t *testing.T) {
			swift, ours := pair(t, "", step.args...)
			compare(t, step.agree, step.form, swift, ours)
		})
	}

	// A Swift ring imported with write_builder holds Swift's own
	// assignments, so every report on it must be exactly Swift's.
	ringData, err := os.ReadFile(filepath.Join(swiftDir, "object.ring.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(swiftDir, "import"), "import"} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "object.ring.gz"), ringData, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir("import")
	for _, args := range [][]string{
		{"object.ring.gz", "write_builder", "1"},
		{"object.builder"},
		{"object.builder", "search", "r1"},
		{"object.builder", "list_parts", "d0", "z2"},
		{"object.builder", "list_parts", "--region", "1", "--zone", "1"},
		{"object.builder", "dispersion", "-v"},
		{"object.builder", "dispersion", `r\d+z\d+$`, "--verbose"},
		{"object.builder"},
	} {
		t.Run("imported "+strings.Join(args[1:], " "), func(t *testing.T) {
			swift, ours := pair(t, "import", args...)
			id := regexp.MustCompile(`id [0-9a-f]{32}\n`)
			swift.stdout, ours.stdout = id.ReplaceAllString(swift.stdout, "id ID\n"), id.ReplaceAllString(ours.stdout, "id ID\n")
			compare(t, exact, "", swift, ours)
		})
	}

	t.Run("get-nodes", func(t *testing.T) {
		getNodesTool, err := exec.LookPath("swift-get-nodes")
		prefix, suffix, ok := swiftHashPath("/etc/swift/swift.conf")
		if err != nil || !ok {
			t.Skip("swift-get-nodes or /etc/swift/swift.conf is missing")
		}
		for _, item := range [][]string{{"AUTH_test", "c", "o"}, {"AUTH_test", "photos"}, {"-a", "AUTH_test/c/o b"}} {
			cmd := exec.Command(getNodesTool, append([]string{"object.ring.gz"}, item...)...)
			cmd.Dir = filepath.Join(swiftDir, "import")
			swiftOut, err := cmd.Output()
			if err != nil {
				t.Fatalf("swift-get-nodes %v: %v", item, err)
			}
			r := getNodes(append([]string{"--hash-path-prefix", prefix, "--hash-path-suffix", suffix, "object.ring.gz"}, item...)...)
			// Swift warns when the ring's name does not match the item's
			// kind and goes on with ssh commands for its on-disk layout.
			want := regexp.MustCompile(`(?m)^Warning: .*\n`).ReplaceAllString(string(swiftOut), "")
			want, _, _ = strings.Cut(want, "\n\nUse your own device location of servers:")
			if r.code != exitSuccess || r.stdout != want {
				t.Errorf("get-nodes %v: exit %d\n%s\nswift-get-nodes:\n%s", item, r.code, r.stdout, want)
			}
		}
	})
}

func runSwift(t *testing.T, tool, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	code := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("swift-ring-builder %v: %v", args, err)
		}
		code = exit.ExitCode()
	}
	return result{out.String(), errOut.String(), code}
}

// runOurs runs "swiftlet ring" in the working directory on the real
// clock, as swift-ring-builder runs.
func runOurs(args ...string) result {
	var out, errOut bytes.Buffer
	code := run(args, env{now: time.Now, stdin: bufio.NewReader(strings.NewReader("")), stdout: &out, stderr: &errOut})
	return result{out.String(), errOut.String(), code}
}

// usageNames makes the two programs' names in usage texts alike.
var usageNames = strings.NewReplacer("swift-ring-builder", "swiftlet ring")

func compare(t *testing.T, agree agreement, form string, swift, ours result) {
	t.Helper()
	if swift.code != ours.code {
		t.Errorf("exit %d, swift-ring-builder %d\nstdout:\n%s\nswift stdout:\n%s", ours.code, swift.code, ours.stdout, swift.stdout)
	}
	switch agree {
	case exact:
		if got, want := ours.stdout, usageNames.Replace(swift.stdout); got != want {
			t.Errorf("stdout:\n%s\nswift-ring-builder:\n%s", got, want)
		}
		if got, want := ours.stderr, usageNames.Replace(swift.stderr); got != want {
			t.Errorf("stderr:\n%s\nswift-ring-builder:\n%s", got, want)
		}
	case sameForm:
		re := regexp.MustCompile(form)
		for _, r := range []result{swift, ours} {
			if line, _, _ := strings.Cut(r.stdout, "\n"); !re.MatchString(line) {
				t.Errorf("first line %q does not match %s\nswift-ring-builder:\n%s\nswiftlet ring:\n%s", line, form, swift.stdout, ours.stdout)
			}
		}
	case showForm:
		first := regexp.MustCompile(`^object\.builder, build version \d+, id [0-9a-f]{32}$`)
		second := regexp.MustCompile(`^(\d+) partitions, (\d+\.\d{6}) replicas, (\d+) regions, (\d+) zones, (\d+) devices, \d+\.\d\d balance(, \d+\.\d\d dispersion)?$`)
		var counts [2][]string
		for i, r := range []result{swift, ours} {
			lines := strings.SplitN(r.stdout, "\n", 3)
			if len(lines) < 3 || !first.MatchString(lines[0]) || !second.MatchString(lines[1]) {
				t.Fatalf("show output not of Swift's form:\n%s", r.stdout)
			}
			m := second.FindStringSubmatch(lines[1])
			dispersion := "no dispersion"
			if m[6] != "" {
				dispersion = "dispersion"
			}
			counts[i] = append(slices.Clone(m[1:6]), dispersion)
		}
		if !slices.Equal(counts[0], counts[1]) {
			t.Errorf("show counts %q, swift-ring-builder %q\n%s\nswift-ring-builder:\n%s", counts[1], counts[0], ours.stdout, swift.stdout)
		}
	}
}

// swiftHashPath reads the hash path prefix and suffix from swift.conf.
func swiftHashPath(path string) (prefix, suffix string, ok bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", "", false
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, found := strings.Cut(line, "=")
		if !found {
			continue
		}
		switch strings.TrimSpace(k) {
		case "swift_hash_path_prefix":
			prefix, ok = strings.TrimSpace(v), true
		case "swift_hash_path_suffix":
			suffix, ok = strings.TrimSpace(v), true
		}
	}
	return prefix, suffix, ok
}
