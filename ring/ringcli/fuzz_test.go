package ringcli

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzValues feeds the command line parsers arbitrary text: none may
// panic, and numbers Python-formatted read back as the same number.
func FuzzValues(f *testing.F) {
	for _, s := range []string{
		"d74r4z1-1.2.3.4:5678/sdb1_snet: 5.6.7.8", // the most specific search value
		"r1z2-10.0.0.1:6200R10.0.1.1:6300/sdb1_m", // an add value with replication address
		"[::1]", "z1-[::1]:5678", "R:5678", "_meta", "/sdb1", // search value parts
		"127.0.0.9:6201R127.0.1.9:6301/sdz_meta", ":", "[", "R[", // change values
		"d", "r1z", "10.0.0.1:", "rz1-", // prefixes without digits
		"1_000", "0x10", "-0", "1e400", "nan", ".5e-3", "١٢", // numbers
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseSearchValue(s)
		_, _ = parseAddValue(s)
		_, _ = parseChangeValue(s)
		_, _ = pyInt(s)
		_, _ = optparseInt(s)
		_ = pyRepr(s)
		_ = pyQuote(s)
		if _, _, err := parseOpts(strings.Fields(s), deviceOpts); err == nil {
			// fine either way; parseOpts must only not panic
		}
		if v, err := pyFloatParse(s); err == nil && !math.IsNaN(v) {
			back, err := pyFloatParse(pyFloat(v))
			if err != nil || back != v {
				t.Errorf("pyFloatParse(pyFloat(%v)) = %v, %v", v, back, err)
			}
		}
	})
}

// FuzzMain runs verbs with arbitrary arguments on a rebalanced builder:
// every run must end with one of the three exit codes, never a panic.
func FuzzMain(f *testing.F) {
	dir := f.TempDir()
	pristine := filepath.Join(dir, "object.builder")
	var out bytes.Buffer
	e := env{now: func() time.Time { return t0 }, stdin: bufio.NewReader(strings.NewReader("")), stdout: &out, stderr: &out}
	for _, args := range [][]string{
		{"create", "8", "3", "1"},
		{"add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "100", "r1z3-10.0.0.3:6200/sda", "100"},
		{"rebalance"},
	} {
		if code := run(append([]string{pristine}, args...), e); code > exitWarning {
			f.Fatalf("%v: exit %d: %s", args, code, out.String())
		}
	}
	data, err := os.ReadFile(pristine)
	if err != nil {
		f.Fatal(err)
	}
	garbage := []string{"x", "-1", "", "99999999999999999999", "1e400", "nan", "-inf", "d", "[", "[::1", ":", "R", "/", "_", "%", "0x1p3"}
	for verb := range commands {
		for _, g := range garbage {
			f.Add(verb, g, g)
		}
	}
	f.Add("set_info", "d0", "[::1]:7R1.2.3.4:8/x_y")
	f.Add("add", "r1z9-10.0.0.9:6200/sdz", "1e308")
	f.Add("dispersion", `r\d+z\d+$`, "-v")
	f.Add("set_overload", "1e308%", "")
	f.Fuzz(func(t *testing.T, verb, a, b string) {
		if pp, err := pyInt(a); verb == "create" && err == nil && pp > 16 {
			t.Skip("a large part power is valid but slow to allocate")
		}
		dir := t.TempDir()
		name := filepath.Join(dir, "object.builder")
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		e := env{now: func() time.Time { return t0 }, stdin: bufio.NewReader(strings.NewReader("y\n")), stdout: &out, stderr: &out}
		if code := run([]string{name, verb, a, b}, e); code < exitSuccess || code > exitError {
			t.Errorf("%s %q %q: exit %d", verb, a, b, code)
		}
	})
}
