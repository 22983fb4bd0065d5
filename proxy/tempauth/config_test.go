package tempauth

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/swiftlet/swiftlet/internal/iniconf"
)

func parseINI(t *testing.T, text string) iniconf.File {
	t.Helper()
	f, err := iniconf.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatalf("iniconf.Parse: %v", err)
	}
	return f
}

func TestParseConfig(t *testing.T) {
	f := parseINI(t, `
[proxy]
bind_port = 8080

[tempauth]
reseller_prefix = SWIFT
token_life = 3600
SWIFT_require_group = ops
auth_prefix = /login
storage_url_scheme = https
user_test_tester = testing .admin ops
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin readers $HOST/v1/SWIFT_shared
user_test5_tester5 = testing5   service   ; a comment
user64_dW5kZXJfc2NvcmU_YV9i = testing4 http://10.0.0.1:8080/v1/SWIFT_u
`)
	got, err := ParseConfig(f)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	want := DefaultConfig()
	want.ResellerPrefix = "SWIFT"
	want.TokenLife = time.Hour
	want.RequireGroup = "ops"
	want.AuthPrefix = "/login"
	want.StorageURLScheme = "https"
	want.Users = []User{
		{Account: "test", User: "tester", Key: "testing", Groups: []string{".admin", "ops"}},
		{Account: "test", User: "tester3", Key: "testing3"},
		{Account: "test2", User: "tester2", Key: "testing2", Groups: []string{".admin", "readers"}, StorageURL: "$HOST/v1/SWIFT_shared"},
		{Account: "test5", User: "tester5", Key: "testing5", Groups: []string{"service"}},
		{Account: "under_score", User: "a_b", Key: "testing4", StorageURL: "http://10.0.0.1:8080/v1/SWIFT_u"},
	}
	got.Now, want.Now = nil, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseConfig =\n%+v\nwant\n%+v", got, want)
	}
}

// TestParseSwiftSection: Swift's own proxy-server.conf section works as it
// is, settings Swift's paste.deploy needs included.
func TestParseSwiftSection(t *testing.T) {
	f := parseINI(t, `
[filter:tempauth]
use = egg:swift#tempauth
set log_name = tempauth
log_headers = false
allow_overrides = true
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
user_test_tester2 = testing2 .admin
user_test_tester3 = testing3
user_test2_tester2 = testing2 .admin
user_test5_tester5 = testing5 service
`)
	c, err := ParseConfig(f)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	if !reflect.DeepEqual(c.Users, StandardUsers()) {
		t.Errorf("users = %+v, want StandardUsers %+v", c.Users, StandardUsers())
	}
	if c.ResellerPrefix != "AUTH_" || c.TokenLife != DefaultTokenLife {
		t.Errorf("prefix %q, token life %v: want the defaults", c.ResellerPrefix, c.TokenLife)
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, section, want string
	}{
		{"token life not a number", "token_life = 1h", "token_life"},
		{"token life zero", "token_life = 0", "token_life"},
		{"token life negative", "token_life = -5", "token_life"},
		{"prefix list", "reseller_prefix = AUTH, SERVICE", "exactly one prefix"},
		{"empty prefix", "reseller_prefix = ''", "empty prefix"},
		{"prefix with a slash", "reseller_prefix = A/B", "reseller prefix"},
		{"unknown setting", "token_lif = 60", `unknown setting "token_lif"`},
		{"bad scheme", "storage_url_scheme = ftp", "storage_url_scheme"},
		{"underscore in a name", "user_a_b_c = key", "user_a_b_c"},
		{"no underscore after the account", "user_test = key", "user_test"},
		{"no key", "user_test_tester =", "no key"},
		{"bad base64", "user64_Y_dGVzdGVy = key", "user64_Y_dGVzdGVy"},
		{"base64 of something not UTF-8", "user64_/w_dGVzdGVy = key", "not UTF-8"},
		{"empty account", "user__tester = key", "must not be empty"},
		{"empty user", "user_test_ = key", "must not be empty"},
		{"colon in the account", "user64_YTpi_dQ = key", "':'"},
		{"the same user twice", "user_test_tester = a\nuser64_dGVzdA_dGVzdGVy = b", "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig(parseINI(t, "[tempauth]\n"+tt.section+"\n"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig(%q) = %v, want an error mentioning %q", tt.section, err, tt.want)
			}
		})
	}
}

func TestLoadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "proxy.conf")
	if err := os.WriteFile(path, []byte("[tempauth]\nuser_test_tester = testing .admin\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(path)
	if err != nil {
		t.Fatalf("LoadConfig: %v", err)
	}
	if len(c.Users) != 1 || c.Users[0].Name() != "test:tester" {
		t.Errorf("users = %+v, want test:tester", c.Users)
	}
	if err := os.WriteFile(path, []byte("[tempauth]\ntoken_life = soon\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("LoadConfig of a bad file = %v, want an error naming it", err)
	}
	if _, err := LoadConfig(filepath.Join(t.TempDir(), "missing.conf")); err == nil {
		t.Errorf("LoadConfig of a missing file succeeded")
	}
}

func TestParseUsersIgnoresOtherKeys(t *testing.T) {
	users, err := ParseUsers(map[string]string{"token_life": "5", "username": "x", "user_a_b": "k g1 g2"})
	if err != nil {
		t.Fatal(err)
	}
	want := []User{{Account: "a", User: "b", Key: "k", Groups: []string{"g1", "g2"}}}
	if !reflect.DeepEqual(users, want) {
		t.Errorf("ParseUsers = %+v, want %+v", users, want)
	}
}

func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		name string
		in   Config
		want func(Config) bool
	}{
		{"zero is Swift's defaults", Config{}, func(c Config) bool {
			return c.ResellerPrefix == "AUTH_" && c.TokenLife == 86400*time.Second && c.AuthPrefix == "/auth/" &&
				c.StorageURLScheme == "" && c.Logger != nil && c.Now != nil
		}},
		{"underscore appended to the prefix", Config{ResellerPrefix: "AUTH"}, func(c Config) bool { return c.ResellerPrefix == "AUTH_" }},
		{"slashes around the auth prefix", Config{AuthPrefix: "login"}, func(c Config) bool { return c.AuthPrefix == "/login/" }},
		{"an auth prefix of slashes", Config{AuthPrefix: "//"}, func(c Config) bool { return c.AuthPrefix == "/auth/" }},
		{"the default scheme", Config{StorageURLScheme: "default"}, func(c Config) bool { return c.StorageURLScheme == "" }},
	}
	for _, tt := range tests {
		if got := tt.in.withDefaults(); !tt.want(got) {
			t.Errorf("%s: withDefaults(%+v) = %+v", tt.name, tt.in, got)
		}
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // "" valid
	}{
		{"defaults", DefaultConfig(), ""},
		{"standard users", Config{Users: StandardUsers()}, ""},
		{"short token life", Config{TokenLife: time.Millisecond}, "token life"},
		{"negative token life", Config{TokenLife: -time.Hour}, "token life"},
		{"no key", Config{Users: []User{{Account: "a", User: "b"}}}, "no key"},
		{"duplicate", Config{Users: []User{{Account: "a", User: "b", Key: "1"}, {Account: "a", User: "b", Key: "2"}}}, "twice"},
		{"prefix list", Config{ResellerPrefix: "A,B"}, "one prefix"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%s: Validate() = %v, want %q", tt.name, err, tt.want)
		}
		if _, nerr := New(nil, tt.cfg); (nerr == nil) != (err == nil) {
			t.Errorf("%s: New() = %v, Validate() = %v", tt.name, nerr, err)
		}
	}
}

// TestStandardUsers: every SAIO user logs in with its key, to the account
// DESIGN.md gives it.
func TestStandardUsers(t *testing.T) {
	e := newTestEnv(t, Config{Users: StandardUsers()})
	want := map[string]string{
		"admin:admin": "AUTH_admin", "test:tester": "AUTH_test", "test:tester2": "AUTH_test",
		"test:tester3": "AUTH_test", "test2:tester2": "AUTH_test2", "test5:tester5": "AUTH_test5",
	}
	if len(StandardUsers()) != len(want) {
		t.Fatalf("%d standard users, want %d", len(StandardUsers()), len(want))
	}
	for _, u := range StandardUsers() {
		w := e.do("GET", "/auth/v1.0", map[string][]string{"X-Auth-User": {u.Name()}, "X-Auth-Key": {standardKeys[u.Name()]}})
		if got := w.Header().Get("X-Storage-Url"); got != "http://example.com/v1/"+want[u.Name()] {
			t.Errorf("%s: %d, X-Storage-Url %q, want %s", u.Name(), w.Code, got, want[u.Name()])
		}
	}
}
