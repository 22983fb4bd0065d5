package tempauth

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/swiftlet/swiftlet/internal/iniconf"
)

// LoadConfig reads the tempauth section of the configuration file at path
// (see ParseConfig).
func LoadConfig(path string) (Config, error) {
	f, err := iniconf.Load(path)
	if err != nil {
		return Config{}, fmt.Errorf("tempauth: %w", err)
	}
	c, err := ParseConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}

// ParseConfig reads the [tempauth] section of a configuration file (or,
// if there is none, Swift's [filter:tempauth]) over DefaultConfig and
// validates the result. The settings are Swift's:
//
//	[tempauth]
//	reseller_prefix = AUTH         # one prefix; "_" is appended
//	token_life = 86400             # seconds
//	require_group =                # also AUTH_require_group
//	auth_prefix = /auth/
//	storage_url_scheme = default   # or http, https
//	user_test_tester = testing .admin
//	user_test_tester3 = testing3 readers http://127.0.0.1:8080/v1/AUTH_test
//	user64_dW5kZXJfc2NvcmU_YV9i = testing4   # base64 names: under_score:a_b
//
// Swift's "use", "allow_overrides" and logging settings are accepted and
// ignored; any other unknown setting is an error.
func ParseConfig(f iniconf.File) (Config, error) {
	name := "tempauth"
	if _, ok := f[name]; !ok {
		if _, ok := f["filter:tempauth"]; ok {
			name = "filter:tempauth"
		}
	}
	sec := f[name]
	c := DefaultConfig()
	users, err := ParseUsers(sec)
	if err != nil {
		return Config{}, err
	}
	c.Users = users

	var errs []error
	fail := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("tempauth: [%s] %s = %q: %s", name, key, sec[key], fmt.Sprintf(format, args...)))
	}
	if v, ok := sec["reseller_prefix"]; ok {
		var prefixes []string
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				prefixes = append(prefixes, p)
			}
		}
		switch {
		case len(prefixes) != 1:
			fail("reseller_prefix", "want exactly one prefix (lists are not supported)")
		case prefixes[0] == "''":
			fail("reseller_prefix", "an empty prefix is not supported")
		default:
			c.ResellerPrefix = prefixes[0]
		}
	}
	if v, ok := sec["token_life"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			fail("token_life", "want a positive whole number of seconds")
		}
		c.TokenLife = time.Duration(n) * time.Second
	}
	for _, key := range []string{"require_group", withUnderscore(c.ResellerPrefix) + "require_group"} {
		// The prefixed form wins, as in Swift.
		if v := strings.TrimSpace(sec[key]); v != "" {
			c.RequireGroup = v
		}
	}
	if v, ok := sec["auth_prefix"]; ok {
		c.AuthPrefix = v
	}
	if v, ok := sec["storage_url_scheme"]; ok {
		switch v {
		case "default", "http", "https":
			c.StorageURLScheme = v
		default:
			fail("storage_url_scheme", "want default, http or https")
		}
	}
	for _, key := range slices.Sorted(maps.Keys(sec)) {
		if !knownSetting(key, c.ResellerPrefix) {
			errs = append(errs, fmt.Errorf("tempauth: [%s] unknown setting %q", name, key))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, err
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

func knownSetting(key, prefix string) bool {
	switch key {
	case "reseller_prefix", "token_life", "require_group", "auth_prefix", "storage_url_scheme",
		withUnderscore(prefix) + "require_group",
		// Swift's, meaningless here.
		"use", "allow_overrides", "log_headers":
		return true
	}
	return strings.HasPrefix(key, "user_") || strings.HasPrefix(key, "user64_") ||
		strings.HasPrefix(key, "log_") || strings.HasPrefix(key, "set ")
}

func withUnderscore(prefix string) string {
	if prefix != "" && !strings.HasSuffix(prefix, "_") {
		return prefix + "_"
	}
	return prefix
}

// ParseUsers reads the users of a tempauth section, in Swift's syntax
// (other keys are ignored):
//
//	user_<account>_<user> = <key> [group ...] [storage_url]
//	user64_<base64 account>_<base64 user> = ...
//
// The value is split at whitespace: the first word is the key, a last word
// containing "://" or "$HOST" is the storage URL, the words between are
// groups. The base64 form (standard alphabet, "=" padding left out) allows
// underscores in names. Users come sorted by account, then user.
func ParseUsers(section map[string]string) ([]User, error) {
	var users []User
	for _, key := range slices.Sorted(maps.Keys(section)) {
		b64 := strings.HasPrefix(key, "user64_")
		if !b64 && !strings.HasPrefix(key, "user_") {
			continue
		}
		_, rest, _ := strings.Cut(key, "_")
		parts := strings.Split(rest, "_")
		if len(parts) != 2 {
			return nil, fmt.Errorf("tempauth: %s: want user_<account>_<user> (base64-encode names with underscores as user64_)", key)
		}
		account, user := parts[0], parts[1]
		if b64 {
			var err error
			if account, err = decodeName(account); err != nil {
				return nil, fmt.Errorf("tempauth: %s: account: %w", key, err)
			}
			if user, err = decodeName(user); err != nil {
				return nil, fmt.Errorf("tempauth: %s: user: %w", key, err)
			}
		}
		words := strings.Fields(section[key])
		if len(words) == 0 {
			return nil, fmt.Errorf("tempauth: %s has no key set", key)
		}
		u := User{Account: account, User: user, Key: words[0]}
		words = words[1:]
		if n := len(words); n > 0 && (strings.Contains(words[n-1], "://") || strings.Contains(words[n-1], "$HOST")) {
			u.StorageURL, words = words[n-1], words[:n-1]
		}
		if len(words) > 0 {
			u.Groups = words
		}
		users = append(users, u)
	}
	slices.SortFunc(users, func(a, b User) int {
		return cmp.Or(strings.Compare(a.Account, b.Account), strings.Compare(a.User, b.User))
	})
	return users, nil
}

// decodeName decodes a user64_ name as Swift does: base64 without its
// padding; characters outside the alphabet are skipped (Python's lenient
// b64decode). Swift pads with len%4 "=" signs, which is enough for every
// length that can be decoded.
func decodeName(s string) (string, error) {
	data := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' {
			data = append(data, c)
		}
	}
	pads := len(s) % 4
	switch len(data) % 4 {
	case 1:
		return "", fmt.Errorf("base64 %q: %d data characters cannot be 1 more than a multiple of 4", s, len(data))
	case 2, 3:
		if pads < 4-len(data)%4 {
			return "", fmt.Errorf("base64 %q: incorrect padding", s)
		}
	}
	b, err := base64.RawStdEncoding.DecodeString(string(data))
	if err != nil {
		return "", fmt.Errorf("base64 %q: %w", s, err)
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("base64 %q: not UTF-8", s)
	}
	return string(b), nil
}
