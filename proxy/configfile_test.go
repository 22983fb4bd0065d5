package proxy

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func writeConf(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "proxy.conf")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig(writeConf(t, `[proxy]
bind_ip = 0.0.0.0
bind_port = 8888
ring_dir = /srv/rings
ring_check_interval = 2
hash_path_suffix = secret
conn_timeout = 0.25
node_timeout = 3
post_quorum_timeout = 0.1
client_timeout = 30
error_suppression_limit = 5
error_suppression_interval = 30
request_node_count = 3 * replicas
recheck_existence = 5
account_autocreate = false
allow_account_management = yes
max_file_size = 1048576
max_object_name_length = 512
valid_api_versions = v1
[tempauth]
user_test_tester = testing .admin
`))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Proxy
	for _, check := range []struct {
		name      string
		got, want any
	}{
		{"Addr", c.Addr(), "0.0.0.0:8888"},
		{"RingDir", c.RingDir, "/srv/rings"},
		{"RingCheckInterval", c.RingCheckInterval, 2 * time.Second},
		{"Salt.Suffix", p.Salt.Suffix, "secret"},
		{"ConnTimeout", p.ConnTimeout, 250 * time.Millisecond},
		{"NodeTimeout", p.NodeTimeout, 3 * time.Second},
		{"PostQuorumTimeout", p.PostQuorumTimeout, 100 * time.Millisecond},
		{"ClientTimeout", p.ClientTimeout, 30 * time.Second},
		{"ErrorSuppressionLimit", p.ErrorSuppressionLimit, 5},
		{"ErrorSuppressionInterval", p.ErrorSuppressionInterval, 30 * time.Second},
		{"RequestNodeCount", p.RequestNodeCount, 3},
		{"InfoCacheTTL", p.InfoCacheTTL, 5 * time.Second},
		{"AccountAutocreate", p.AccountAutocreate, false},
		{"AllowAccountManagement", p.AllowAccountManagement, true},
		{"MaxFileSize", p.Constraints.MaxFileSize, int64(1 << 20)},
		{"MaxObjectNameLength", p.Constraints.MaxObjectNameLength, 512},
		{"MaxMetaCount (default)", p.Constraints.MaxMetaCount, 90},
		{"ValidAPIVersions", p.Constraints.ValidAPIVersions, []string{"v1"}},
		{"ShutdownTimeout (default)", c.ShutdownTimeout, 10 * time.Second},
	} {
		if !reflect.DeepEqual(check.got, check.want) {
			t.Errorf("%s = %v, want %v", check.name, check.got, check.want)
		}
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
	want := DefaultFileConfig()
	want.Proxy.Salt.Suffix = "x"
	c.Proxy.Now, want.Proxy.Now = nil, nil // functions never compare equal
	if !reflect.DeepEqual(c, want) {
		t.Errorf("example.conf =\n%+v\nwant the defaults\n%+v", c, want)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	for name, body := range map[string]string{
		"no salt":                "[proxy]\n",
		"typo":                   "[proxy]\nhash_path_suffix = x\nbind_ipp = 1.2.3.4\n",
		"bad ip":                 "[proxy]\nhash_path_suffix = x\nbind_ip = example.com\n",
		"bad port":               "[proxy]\nhash_path_suffix = x\nbind_port = 70000\n",
		"no ring dir":            "[proxy]\nhash_path_suffix = x\nring_dir =\n",
		"zero timeout":           "[proxy]\nhash_path_suffix = x\nnode_timeout = 0\n",
		"not seconds":            "[proxy]\nhash_path_suffix = x\nconn_timeout = soon\n",
		"plain node count":       "[proxy]\nhash_path_suffix = x\nrequest_node_count = 6\n",
		"zero replicas":          "[proxy]\nhash_path_suffix = x\nrequest_node_count = 0 * replicas\n",
		"not a bool":             "[proxy]\nhash_path_suffix = x\naccount_autocreate = maybe\n",
		"bad constraint":         "[proxy]\nhash_path_suffix = x\nmax_meta_count = 0\n",
		"no api versions":        "[proxy]\nhash_path_suffix = x\nvalid_api_versions =\n",
		"zero suppression limit": "[proxy]\nhash_path_suffix = x\nerror_suppression_limit = 0\n",
		"malformed ini":          "[proxy\n",
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
