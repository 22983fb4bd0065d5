package tempauth

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultTokenLife is how long a token lives unless configured (Swift's
// DEFAULT_TOKEN_LIFE).
const DefaultTokenLife = 86400 * time.Second

// User is one tempauth user: Swift's
// "user_<account>_<user> = <key> [group ...] [storage_url]".
type User struct {
	// Account and User name the user "account:user" (test:tester). The
	// account's storage is ResellerPrefix+Account (AUTH_test) unless
	// StorageURL says otherwise.
	Account, User string
	// Key is the user's password (X-Auth-Key), and its S3 secret.
	Key string
	// Groups are the user's groups: ".admin" (owns its account),
	// ".reseller_admin" (owns every account), ".reseller_reader" (may read
	// every account), or any name an ACL can grant to.
	Groups []string
	// StorageURL is the X-Storage-Url to give the user; "$HOST" in it is
	// replaced by the scheme and host the client used. Empty:
	// "$HOST/v1/<reseller prefix><account>". Its last path segment is
	// the account the user administers when it has ".admin".
	StorageURL string
}

// Name is the user's "account:user", its login and S3 access key.
func (u User) Name() string { return u.Account + ":" + u.User }

// Config configures the middleware. Zero fields take their defaults
// (DefaultConfig).
type Config struct {
	// ResellerPrefix is the start of the account names and tokens this
	// middleware is the authority for (Swift's reseller_prefix, default
	// "AUTH_"). An underscore is appended if missing, as Swift does.
	ResellerPrefix string
	// TokenLife is how long an issued token is valid (Swift's token_life,
	// default 86400 s).
	TokenLife time.Duration
	// Users are the accounts' users. Names ("account:user") are unique.
	Users []User
	// RequireGroup, if set, is a group a user needs besides owning an
	// account to be its owner (Swift's require_group).
	RequireGroup string
	// AuthPrefix is the path under which tokens are handed out (Swift's
	// auth_prefix, default "/auth/").
	AuthPrefix string
	// StorageURLScheme replaces the scheme of the storage URLs handed out
	// (Swift's storage_url_scheme), for a TLS terminator in front of a
	// plain-HTTP proxy. Empty (Swift's "default"): the scheme the client
	// used.
	StorageURLScheme string

	// Logger receives token grants and denials. Nil discards.
	Logger *slog.Logger
	// Registerer receives the middleware's metrics; nil: they are not
	// exported.
	Registerer prometheus.Registerer
	// Now is the clock tokens expire by; nil: time.Now.
	Now func() time.Time
}

// DefaultConfig returns Swift's tempauth defaults, without users.
func DefaultConfig() Config {
	return Config{
		ResellerPrefix: "AUTH_",
		TokenLife:      DefaultTokenLife,
		AuthPrefix:     "/auth/",
		Now:            time.Now,
	}
}

// withDefaults fills the zero fields from DefaultConfig and normalises the
// prefixes as Swift does.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ResellerPrefix == "" {
		c.ResellerPrefix = d.ResellerPrefix
	}
	if !strings.HasSuffix(c.ResellerPrefix, "_") {
		c.ResellerPrefix += "_"
	}
	if c.TokenLife == 0 {
		c.TokenLife = d.TokenLife
	}
	if strings.Trim(c.AuthPrefix, "/") == "" {
		c.AuthPrefix = d.AuthPrefix
	}
	if !strings.HasPrefix(c.AuthPrefix, "/") {
		c.AuthPrefix = "/" + c.AuthPrefix
	}
	if !strings.HasSuffix(c.AuthPrefix, "/") {
		c.AuthPrefix += "/"
	}
	if c.StorageURLScheme == "default" {
		c.StorageURLScheme = ""
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = d.Now
	}
	return c
}

// Validate reports settings that cannot work, after defaults apply.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	if strings.ContainsAny(c.ResellerPrefix, ",/") {
		errs = append(errs, fmt.Errorf("tempauth: reseller prefix %q: one prefix, without '/' or ','", c.ResellerPrefix))
	}
	if c.TokenLife < time.Second {
		errs = append(errs, fmt.Errorf("tempauth: token life %v: want at least 1s", c.TokenLife))
	}
	seen := map[string]bool{}
	for _, u := range c.Users {
		name := u.Name()
		switch {
		case u.Account == "" || u.User == "":
			errs = append(errs, fmt.Errorf("tempauth: user %q: account and user must not be empty", name))
		case strings.Contains(u.Account, ":"):
			// A login "a:b:c" splits at the first colon: such a user
			// could never log in.
			errs = append(errs, fmt.Errorf("tempauth: user %q: the account must not contain ':'", name))
		case u.Key == "":
			errs = append(errs, fmt.Errorf("tempauth: user %q has no key", name))
		case seen[name]:
			errs = append(errs, fmt.Errorf("tempauth: user %q given twice", name))
		}
		seen[name] = true
	}
	return errors.Join(errs...)
}

// StandardUsers returns the users of Swift's all-in-one setup (SAIO),
// which `swiftlet saio` serves and Swift's functional tests expect:
//
//	admin:admin     admin     .admin .reseller_admin
//	test:tester     testing   .admin
//	test:tester2    testing2  .admin
//	test:tester3    testing3
//	test2:tester2   testing2  .admin
//	test5:tester5   testing5  service
func StandardUsers() []User {
	return []User{
		{Account: "admin", User: "admin", Key: "admin", Groups: []string{".admin", ".reseller_admin"}},
		{Account: "test", User: "tester", Key: "testing", Groups: []string{".admin"}},
		{Account: "test", User: "tester2", Key: "testing2", Groups: []string{".admin"}},
		{Account: "test", User: "tester3", Key: "testing3"},
		{Account: "test2", User: "tester2", Key: "testing2", Groups: []string{".admin"}},
		{Account: "test5", User: "tester5", Key: "testing5", Groups: []string{"service"}},
	}
}
