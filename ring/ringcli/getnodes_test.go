package ringcli

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func getNodes(args ...string) result {
	var out, errOut bytes.Buffer
	code := GetNodes(args, &out, &errOut)
	return result{out.String(), errOut.String(), code}
}

// The expected outputs are swift-get-nodes' (Swift 2.30.1, hash path
// prefix and suffix "changeme") for the fixture ring, up to where Swift
// goes on with ssh commands for its on-disk layout.
func TestGetNodes(t *testing.T) {
	newCLI(t)
	fixtureRing(t, "object.ring.gz")
	salt := []string{"--hash-path-prefix", "changeme", "--hash-path-suffix=changeme"}
	primaries := "Server:Port Device\t10.0.2.4:6200 sdb\n" +
		"Server:Port Device\t10.0.0.1:6200 sdb\n" +
		"Server:Port Device\tfd00::3:6200 sda\n" +
		"Server:Port Device\t10.0.0.2:6200 sda\t [Handoff]\n" +
		"Server:Port Device\t10.0.0.1:6200 sda\t [Handoff]\n\n\n"
	curls := func(path string) string {
		return `curl -g -I -XHEAD "http://10.0.2.4:6200/sdb/4/` + path + `" --path-as-is` + "\n" +
			`curl -g -I -XHEAD "http://10.0.0.1:6200/sdb/4/` + path + `" --path-as-is` + "\n" +
			`curl -g -I -XHEAD "http://[fd00::3]:6200/sda/4/` + path + `" --path-as-is` + "\n" +
			`curl -g -I -XHEAD "http://10.0.0.2:6200/sda/4/` + path + `" --path-as-is # [Handoff]` + "\n" +
			`curl -g -I -XHEAD "http://10.0.0.1:6200/sda/4/` + path + `" --path-as-is # [Handoff]` + "\n"
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"object", []string{"object.ring.gz", "AUTH_test", "c", "o"},
			"\nAccount  \tAUTH_test\nContainer\tc\nObject   \to\n\n\nPartition\t4\nHash     \t4e2772c453cbe15a19b26fbfbb223e31\n\n" +
				primaries + curls("AUTH_test/c/o")},
		{"one path argument, quoted names", []string{"-a", "object.ring.gz", "AUTH_test/c 1/o%"},
			"\nAccount  \tAUTH_test\nContainer\tc%201\nObject   \to%25\n\n\nPartition\t4\nHash     \t445e475b81718ddd9ce53d852a2aba36\n\n" +
				primaries + curls("AUTH_test/c%201/o%25")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := getNodes(append(salt, tc.args...)...)
			if r.code != exitSuccess || r.stdout != tc.want || r.stderr != "" {
				t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", r.code, r.stderr, r.stdout, tc.want)
			}
		})
	}

	t.Run("partition", func(t *testing.T) {
		r := getNodes("-p", "4", "object.ring.gz")
		want := "Partition\t4\nHash     \tNone\n\n" + primaries
		if r.code != exitSuccess || !strings.HasPrefix(r.stdout, want) || !strings.Contains(r.stdout, `"http://10.0.2.4:6200/sdb/4/" --path-as-is`) {
			t.Errorf("exit %d, stdout:\n%s\nwant it to start:\n%s", r.code, r.stdout, want)
		}
	})
	t.Run("account", func(t *testing.T) {
		r := getNodes(append(salt, "object.ring.gz", "AUTH_test")...)
		if want := "\nAccount  \tAUTH_test\nPartition\t"; r.code != exitSuccess || !strings.HasPrefix(r.stdout, want) {
			t.Errorf("exit %d, stdout:\n%s\nwant it to start %q", r.code, r.stdout, want)
		}
	})
	t.Run("quoted", func(t *testing.T) {
		a := getNodes(append(salt, "-Q", "object.ring.gz", "AUTH_test", "c%201", "o%25")...)
		b := getNodes(append(salt, "object.ring.gz", "AUTH_test", "c 1", "o%")...)
		if a.stdout != b.stdout {
			t.Errorf("-Q did not unquote:\n%s\nvs\n%s", a.stdout, b.stdout)
		}
	})
	t.Run("swiftlet ring", func(t *testing.T) {
		base(t)
		r := getNodes("--hash-path-suffix", "s", "object.ring.gz", "a", "c", "o")
		if r.code != exitSuccess || strings.Count(r.stdout, "[Handoff]\n") != 2 || strings.Count(r.stdout, "Server:Port Device\t") != 4 {
			t.Errorf("exit %d, want 3 primaries and one handoff:\n%s", r.code, r.stdout)
		}
		if !strings.Contains(r.stdout, "Hash     \t") || strings.Contains(r.stdout, "Hash     \tNone") {
			t.Errorf("no hash:\n%s", r.stdout)
		}
	})

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring
		stderr string
	}{
		{"no arguments", nil, 1, "Usage: ", "ERROR: Need to specify <ring.gz>\n"},
		{"no ring", []string{"missing.ring.gz", "a"}, 1, "Usage: ", "ERROR: Ring file does not exist\n"},
		{"no target", []string{"object.ring.gz"}, 1, "Usage: ", "ERROR: No target specified\n"},
		{"too many", []string{"object.ring.gz", "a", "c", "o", "x"}, 1, "Usage: ", "ERROR: Invalid arguments\n"},
		{"no account", []string{"object.ring.gz", "", "c"}, 1, "No account specified\n", ""},
		{"no container", []string{"object.ring.gz", "a", "", "o"}, 1, "No container specified\n", ""},
		{"bad partition", []string{"-p", "x", "object.ring.gz"}, 1, "", "ERROR: partition x is not one of the ring's 0..15\n"},
		{"partition out of range", []string{"-p", "16", "object.ring.gz"}, 1, "", "ERROR: partition 16 is not one of the ring's 0..15\n"},
		{"not a ring", []string{"getnodes_test.go", "a"}, 1, "", "ERROR: getnodes_test.go: ring: corrupt file: not gzip data: …"},
		{"bad option", []string{"--bogus"}, 2, "", "Usage: …"},
		{"help", []string{"-h"}, 0, "Usage: ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "not a ring" {
				if err := os.WriteFile("getnodes_test.go", []byte("not a ring"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			r := getNodes(tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout, tc.stdout) || !matches(r.stderr, tc.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
