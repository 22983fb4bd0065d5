package ringcli

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/ring"
)

func TestJudgeRebalance(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	for _, tc := range []struct {
		name  string
		facts rebalanceFacts
		want  rebalanceVerdict
	}{
		{"nothing moved", rebalanceFacts{balance: 10, lastBalance: 20, lastDispersion: f(5)}, nothingMoved},
		{"nothing moved, devices changed", rebalanceFacts{devsChanged: true}, nothingMoved},
		{"forced without moves", rebalanceFacts{force: true, lastDispersion: f(0)}, saveRebalance},
		{"device removed without moves", rebalanceFacts{removedDevs: 1, devsChanged: true}, saveRebalance},
		{"devices changed", rebalanceFacts{moved: 1, devsChanged: true, lastDispersion: f(0)}, saveRebalance},
		{"balance improved", rebalanceFacts{moved: 5, lastBalance: 3, balance: 2, lastDispersion: f(0)}, saveRebalance},
		{"balance worsened", rebalanceFacts{moved: 5, lastBalance: 2, balance: 3, lastDispersion: f(0)}, saveRebalance},
		{"balance stuck at max", rebalanceFacts{moved: 5, lastBalance: ring.MaxBalance, balance: ring.MaxBalance, lastDispersion: f(0)}, saveRebalance},
		{"dispersion improved", rebalanceFacts{moved: 5, lastBalance: 2, balance: 2, lastDispersion: f(3), dispersion: 2}, saveRebalance},
		{"dispersion unknown", rebalanceFacts{moved: 5, lastBalance: 2, balance: 2}, saveRebalance},
		{"too little", rebalanceFacts{moved: 5, lastBalance: 2, balance: 1.01, lastDispersion: f(3), dispersion: 2.01}, cowardly},
		{"too little, forced", rebalanceFacts{moved: 5, force: true, lastBalance: 2, balance: 2, lastDispersion: f(3), dispersion: 3}, saveRebalance},
	} {
		if got := judgeRebalance(tc.facts); got != tc.want {
			t.Errorf("%s: judgeRebalance(%+v) = %v, want %v", tc.name, tc.facts, got, tc.want)
		}
	}
}

func TestRebalanceRefusals(t *testing.T) {
	c := base(t)
	files := func() string { return readFile(t, "object.builder") + readFile(t, "object.ring.gz") }

	c.now = t0.Add(7 * time.Second)
	before := files()
	r := c.run("object.builder", "rebalance")
	want := "No partitions could be reassigned.\n" +
		"The time between rebalances must be at least min_part_hours: 1 hours (0:59:53 remaining)\n"
	if r.code != exitWarning || r.stdout != want {
		t.Errorf("immediate rebalance: exit %d, %q; want 1, %q", r.code, r.stdout, want)
	}
	if files() != before {
		t.Errorf("a refused rebalance changed the files")
	}

	r = c.run("object.builder", "rebalance", "--force")
	want = "Reassigned 0 (0.00%) partitions. Balance is now 0.00.  Dispersion is now 0.00\n"
	if r.code != exitSuccess || r.stdout != want {
		t.Errorf("forced rebalance: exit %d, %q; want 0, %q", r.code, r.stdout, want)
	}
	if _, err := os.Stat(fmt.Sprintf("backups/%d.object.ring.gz", c.now.Unix())); err != nil {
		t.Errorf("forced rebalance wrote no backup: %v", err)
	}

	c.must("object.builder", "pretend_min_part_hours_passed")
	r = c.run("object.builder", "rebalance")
	want = "No partitions could be reassigned.\nThere is no need to do so at this time\n"
	if r.code != exitWarning || r.stdout != want {
		t.Errorf("balanced rebalance: exit %d, %q; want 1, %q", r.code, r.stdout, want)
	}

	// A changed device is always saved.
	c.now = t0.Add(3 * time.Hour)
	c.must("object.builder", "add", "r1z5-10.0.0.5:6200/sda", "100")
	r = c.run("object.builder", "rebalance", "-s", "42")
	if !regexp.MustCompile(`^Reassigned [1-9]\d* \(\d+\.\d\d%\) partitions. Balance is now \d+\.\d\d.  Dispersion is now 0.00\n`).MatchString(r.stdout) {
		t.Errorf("rebalance after add: exit %d, %q", r.code, r.stdout)
	}

	// Removing a device that holds partitions moves them despite
	// min_part_hours.
	c.must("object.builder", "remove", "d4")
	r = c.run("object.builder", "rebalance")
	if r.code > exitWarning || !strings.HasPrefix(r.stdout, "Reassigned ") {
		t.Errorf("rebalance after remove: exit %d, %q", r.code, r.stdout)
	}
	if r := c.run("object.builder", "search", "d4"); r.stdout != "No matching devices found\n" {
		t.Errorf("removed device still listed: %q", r.stdout)
	}
}

// TestCowardlyRebalance needs a rebalance that moves a few partitions but
// changes balance and dispersion by less than a point: a small overload
// increase on a ring that cannot be fully dispersed. Which increase does
// that depends on the rebalance algorithm, so a few are tried.
func TestCowardlyRebalance(t *testing.T) {
	for _, overload := range []string{"0.5%", "0.2%", "0.3%", "0.7%", "0.1%"} {
		c := newCLI(t)
		c.must("object.builder", "create", "8", "3", "1")
		c.must("object.builder", "add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "100",
			"r1z3-10.0.0.3:6200/sda", "100", "r1z4-10.0.0.4:6200/sda", "100", "r1z1-10.0.0.5:6200/sda", "100")
		c.must("object.builder", "rebalance")
		c.now = t0.Add(2 * time.Hour)
		c.must("object.builder", "set_overload", overload)
		before := readFile(t, "object.builder") + readFile(t, "object.ring.gz")
		r := c.run("object.builder", "rebalance")
		if r.stdout != "Cowardly refusing to save rebalance as it did not change at least 1%.\n" {
			continue
		}
		if r.code != exitWarning {
			t.Errorf("cowardly rebalance: exit %d, want 1", r.code)
		}
		if readFile(t, "object.builder")+readFile(t, "object.ring.gz") != before {
			t.Errorf("a cowardly rebalance changed the files")
		}
		if r := c.run("object.builder", "rebalance", "--force"); !strings.HasPrefix(r.stdout, "Reassigned ") {
			t.Errorf("forced rebalance: exit %d, %q", r.code, r.stdout)
		}
		return
	}
	t.Fatal("no overload step gave a rebalance that moves too little; the scenario needs updating for the current algorithm")
}

func TestRebalanceNotes(t *testing.T) {
	rule := strings.Repeat("-", 79) + "\n"
	t.Run("balance", func(t *testing.T) {
		// Three devices, three replicas: every device holds every
		// partition, so the half-weight device is overfull.
		c := newCLI(t)
		c.must("b.builder", "create", "4", "3", "1")
		c.must("b.builder", "add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "100", "r1z3-10.0.0.3:6200/sda", "50")
		r := c.run("b.builder", "rebalance")
		want := "Reassigned 48 (300.00%) partitions. Balance is now 66.67.  Dispersion is now 0.00\n" + rule +
			"NOTE: Balance of 66.67 indicates you should push this \n" +
			"      ring, wait at least 1 hours, and rebalance/repush.\n" + rule
		if r.code != exitWarning || r.stdout != want {
			t.Errorf("exit %d, stdout:\n%s\nwant exit 1, stdout:\n%s", r.code, r.stdout, want)
		}
		// Enough overload silences the note.
		c.must("b.builder", "set_overload", "70%")
		c.must("b.builder", "pretend_min_part_hours_passed")
		if r := c.run("b.builder", "rebalance", "--force"); r.code != exitSuccess || strings.Contains(r.stdout, "NOTE") {
			t.Errorf("with overload: exit %d, %q", r.code, r.stdout)
		}
	})
	t.Run("dispersion", func(t *testing.T) {
		// Swift 2.30.1 also reports dispersion 29.17 for this layout.
		c := newCLI(t)
		c.must("d.builder", "create", "4", "3", "1")
		c.must("d.builder", "add", "r1z1-127.0.0.1:6200/sdb1", "100", "r1z2-127.0.0.2:6200/sdb1", "100",
			"r1z3-127.0.0.3:6200/sdc", "100", "r2z4-[::1]:6200/sdd", "10", "r2z5-[::2]:6200/sde", "1")
		r := c.run("d.builder", "rebalance")
		note := rule + "NOTE: Dispersion of 29.166667 indicates some parts are not\n" +
			"      optimally dispersed.\n\n" +
			"      You may want to adjust some device weights, increase\n" +
			"      the overload or review the dispersion report.\n" + rule
		if r.code != exitWarning || !strings.HasPrefix(r.stdout, "Reassigned 48 (300.00%) partitions. Balance is now ") ||
			!strings.HasSuffix(r.stdout, "  Dispersion is now 29.17\n"+note) {
			t.Errorf("exit %d, stdout:\n%s\nwant exit 1 and the dispersion note", r.code, r.stdout)
		}
	})
}

func TestRebalanceErrors(t *testing.T) {
	block := func(msg string) string {
		rule := strings.Repeat("-", 79) + "\n"
		return rule + "An error has occurred during ring validation. Common\n" +
			"causes of failure are rings that are empty or do not\n" +
			"have enough devices to accommodate the replica count.\n" +
			"Original exception message:\n " + msg + "\n" + rule
	}
	for _, tc := range []struct {
		name   string
		setup  [][]string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{name: "no devices", args: []string{"rebalance"}, code: 2,
			stdout: block("There are no devices in this ring, or all devices have been deleted")},
		{name: "too few devices", setup: [][]string{{"add", "r1z1-1.1.1.1:1/a", "1", "r1z1-1.1.1.1:1/b", "1"}}, args: []string{"rebalance"},
			code: 2, stdout: block("Replica count of 3.0 requires more than 2 devices")},
		{name: "no weight", setup: [][]string{{"add", "r1z1-1.1.1.1:1/a", "0", "r1z1-1.1.1.1:1/b", "0"}}, args: []string{"rebalance"},
			code: 2, stdout: block("There are no devices in this ring, or all devices have been deleted")},
		{name: "bad option", args: []string{"rebalance", "--bogus"}, code: 2,
			stderr: "Usage: " + commandUsage["rebalance"] + "\n\nswiftlet ring: error: no such option: --bogus\n"},
		{name: "help", args: []string{"rebalance", "-h"}, code: 0, stdout: "Usage: " + commandUsage["rebalance"] + "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t)
			c.must("e.builder", "create", "4", "3", "1")
			for _, s := range tc.setup {
				c.must(append([]string{"e.builder"}, s...)...)
			}
			before := readFile(t, "e.builder")
			r := c.run(append([]string{"e.builder"}, tc.args...)...)
			if r.code != tc.code || r.stdout != tc.stdout || r.stderr != tc.stderr {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit %d\nstdout:\n%s\nstderr:\n%s",
					r.code, r.stdout, r.stderr, tc.code, tc.stdout, tc.stderr)
			}
			if readFile(t, "e.builder") != before || readFile(t, "e.ring.gz") != "" {
				t.Errorf("a failed rebalance wrote files")
			}
		})
	}
}

func TestRebalanceSeed(t *testing.T) {
	// The same seed, given either way Swift accepts, gives the same ring.
	rings := map[string]string{}
	for _, args := range [][]string{{"--seed", "7"}, {"-s7"}, {"7"}, {"--seed=abc"}, {"-s", "abc"}} {
		c := newCLI(t)
		c.must("s.builder", "create", "6", "3", "1")
		c.must("s.builder", "add", "r1z1-10.0.0.1:6200/sda", "100", "r1z2-10.0.0.2:6200/sda", "70",
			"r1z3-10.0.0.3:6200/sda", "100", "r1z3-10.0.0.3:6200/sdb", "30", "r1z1-10.0.0.5:6200/sda", "100")
		c.must(append([]string{"s.builder", "rebalance", "-d"}, args...)...)
		rings[strings.Join(args, " ")] = readFile(t, "s.ring.gz")
	}
	if rings["--seed 7"] != rings["-s7"] || rings["--seed 7"] != rings["7"] || rings["--seed=abc"] != rings["-s abc"] {
		t.Errorf("the same seed gave different rings")
	}
	if seedValue("7") != 7 || seedValue("") != 0 || seedValue("abc") == seedValue("abd") {
		t.Errorf("seedValue: 7 -> %d, \"\" -> %d, abc/abd -> %d/%d", seedValue("7"), seedValue(""), seedValue("abc"), seedValue("abd"))
	}
}
