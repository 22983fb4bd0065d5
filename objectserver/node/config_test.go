package node

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConf(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "node.conf")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(writeConf(t, `[node]
bind_ip = 127.0.0.2
object_port = 6210
container_port = 6211
account_port = 6212
devices = /tmp/devs
device_names = sdb1, sdc1
hash_path_suffix = secret
reclaim_age = 3600
node_timeout = 0.5
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.BindIP != "127.0.0.2" || c.ObjectPort != 6210 || c.AccountPort != 6212 || c.DevicesDir != "/tmp/devs" ||
		strings.Join(c.DeviceNames, ",") != "sdb1,sdc1" || c.Salt.Suffix != "secret" ||
		c.ReclaimAge != time.Hour || c.NodeTimeout != 500*time.Millisecond || c.InlineThreshold != 64<<10 {
		t.Errorf("LoadConfig = %+v", c)
	}
}

// The documented example is the defaults, so it loads once a salt is set.
func TestExampleConfigIsDefaults(t *testing.T) {
	data, err := os.ReadFile("example.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(data), "# hash_path_suffix =", "hash_path_suffix = x", 1)
	c, err := LoadConfig(writeConf(t, conf))
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultConfig()
	want.Salt.Suffix = "x"
	if c.BindIP != want.BindIP || c.ObjectPort != want.ObjectPort || c.ContainerPort != want.ContainerPort ||
		c.AccountPort != want.AccountPort || c.DevicesDir != want.DevicesDir || c.RingDir != want.RingDir ||
		c.InlineThreshold != want.InlineThreshold || c.ReclaimAge != want.ReclaimAge ||
		c.NodeTimeout != want.NodeTimeout || c.ShutdownTimeout != want.ShutdownTimeout || c.Salt != want.Salt {
		t.Errorf("example.conf = %+v, want the defaults %+v", c, want)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for name, body := range map[string]string{
		"no salt":       "[node]\n",
		"typo":          "[node]\nhash_path_suffix = x\nbind_ipp = 1.2.3.4\n",
		"bad ip":        "[node]\nhash_path_suffix = x\nbind_ip = example\n",
		"bad port":      "[node]\nhash_path_suffix = x\nobject_port = 70000\n",
		"same ports":    "[node]\nhash_path_suffix = x\nobject_port = 7000\ncontainer_port = 7000\n",
		"bad device":    "[node]\nhash_path_suffix = x\ndevice_names = ../etc\n",
		"not a number":  "[node]\nhash_path_suffix = x\nnode_timeout = soon\n",
		"zero timeout":  "[node]\nhash_path_suffix = x\nnode_timeout = 0\n",
		"malformed ini": "[node\n",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := LoadConfig(writeConf(t, body)); err == nil {
				t.Error("LoadConfig succeeded, want an error")
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Error("LoadConfig of a missing file succeeded")
	}
}
