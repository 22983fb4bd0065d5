// Package iniconf reads the INI-style configuration files swiftlet's
// servers use, in the spirit of Swift's paste.deploy files:
//
//	# a comment (also ";")
//	[section]
//	key = value            # keys are case-sensitive; spaces around "=" are trimmed
//	other_key = a, b, c
//
// Keys outside any section belong to the section "". Values keep inner
// spaces; an inline comment needs a space before its "#" or ";". A key
// given twice is an error, so that a typo cannot silently win.
package iniconf

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// File is a parsed configuration: section -> key -> value.
type File map[string]map[string]string

// Load parses the file at path.
func Load(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cf, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cf, nil
}

// Parse reads a configuration.
func Parse(r io.Reader) (File, error) {
	cf := File{"": {}}
	section := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 || strings.TrimSpace(line[end+1:]) != "" && !isComment(line[end+1:]) {
				return nil, fmt.Errorf("line %d: malformed section header %q", n, line)
			}
			section = strings.TrimSpace(line[1:end])
			if cf[section] == nil {
				cf[section] = map[string]string{}
			}
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("line %d: want key = value, got %q", n, line)
		}
		value = stripComment(strings.TrimSpace(value))
		if _, dup := cf[section][key]; dup {
			return nil, fmt.Errorf("line %d: %q set twice in [%s]", n, key, section)
		}
		cf[section][key] = value
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return cf, nil
}

func isComment(s string) bool {
	s = strings.TrimSpace(s)
	return s == "" || s[0] == '#' || s[0] == ';'
}

// stripComment removes an inline comment: " #..." or " ;...".
func stripComment(v string) string {
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return strings.TrimSpace(v[:i])
		}
	}
	return v
}

// Section reads typed values from one section and remembers the first
// error, so a caller can read every key and check once.
type Section struct {
	name   string
	values map[string]string
	used   map[string]bool
	err    error
}

// Section returns the named section (empty if absent).
func (f File) Section(name string) *Section {
	return &Section{name: name, values: f[name], used: map[string]bool{}}
}

func (s *Section) lookup(key string) (string, bool) {
	s.used[key] = true
	v, ok := s.values[key]
	return v, ok
}

func (s *Section) fail(key, v string, err error) {
	if s.err == nil {
		s.err = fmt.Errorf("[%s] %s = %q: %v", s.name, key, v, err)
	}
}

// String sets *dst to the key's value if present.
func (s *Section) String(key string, dst *string) {
	if v, ok := s.lookup(key); ok {
		*dst = v
	}
}

// Int sets *dst to the key's integer value if present.
func (s *Section) Int(key string, dst *int) {
	if v, ok := s.lookup(key); ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			s.fail(key, v, fmt.Errorf("not an integer"))
			return
		}
		*dst = n
	}
}

// Int64 sets *dst to the key's integer value if present.
func (s *Section) Int64(key string, dst *int64) {
	if v, ok := s.lookup(key); ok {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.fail(key, v, fmt.Errorf("not an integer"))
			return
		}
		*dst = n
	}
}

// Bool sets *dst from true/false/yes/no/on/off/1/0 if present.
func (s *Section) Bool(key string, dst *bool) {
	if v, ok := s.lookup(key); ok {
		switch strings.ToLower(v) {
		case "true", "yes", "on", "1":
			*dst = true
		case "false", "no", "off", "0":
			*dst = false
		default:
			s.fail(key, v, fmt.Errorf("not a boolean"))
		}
	}
}

// Seconds sets *dst from a number of seconds (fractions allowed), Swift's
// unit for timeouts and ages, if present.
func (s *Section) Seconds(key string, dst *time.Duration) {
	if v, ok := s.lookup(key); ok {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 {
			s.fail(key, v, fmt.Errorf("not a non-negative number of seconds"))
			return
		}
		*dst = time.Duration(f * float64(time.Second))
	}
}

// List sets *dst to the comma-separated values of the key if present.
func (s *Section) List(key string, dst *[]string) {
	if v, ok := s.lookup(key); ok {
		*dst = nil
		for _, item := range strings.Split(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*dst = append(*dst, item)
			}
		}
	}
}

// Err returns the first conversion error, or an error naming keys the
// caller never read (most likely typos).
func (s *Section) Err() error {
	if s.err != nil {
		return s.err
	}
	for k := range s.values {
		if !s.used[k] {
			return fmt.Errorf("[%s] unknown setting %q", s.name, k)
		}
	}
	return nil
}
