package service

import (
	"fmt"
	"slices"

	"github.com/swiftlet/swiftlet/internal/iniconf"
	"github.com/swiftlet/swiftlet/proxy"
	"github.com/swiftlet/swiftlet/proxy/tempauth"
)

// sections are the sections a proxy configuration file may have.
var sections = []string{"", "proxy", "tempauth", "filter:tempauth"}

// LoadConfig reads a proxy configuration file (proxy/example.conf
// documents it): the [proxy] section (proxy.ParseConfig) and the
// [tempauth] section (tempauth.ParseConfig: the users, in Swift's syntax),
// which is required: a proxy without authentication is for tests only. An
// unknown section is an error, so that a misspelt one is not silently
// ignored.
func LoadConfig(path string) (Config, error) {
	f, err := iniconf.Load(path)
	if err != nil {
		return Config{}, fmt.Errorf("proxy: %w", err)
	}
	for name := range f {
		if !slices.Contains(sections, name) {
			return Config{}, fmt.Errorf("proxy: %s: unknown section [%s]", path, name)
		}
	}
	if len(f[""]) > 0 {
		return Config{}, fmt.Errorf("proxy: %s: settings outside a section", path)
	}
	_, ok1 := f["tempauth"]
	_, ok2 := f["filter:tempauth"]
	if !ok1 && !ok2 {
		return Config{}, fmt.Errorf("proxy: %s: no [tempauth] section (the users)", path)
	}
	fc, err := proxy.ParseConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	tc, err := tempauth.ParseConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return Config{File: fc, Tempauth: &tc}, nil
}
