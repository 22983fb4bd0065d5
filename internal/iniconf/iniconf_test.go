package iniconf

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cf, err := Parse(strings.NewReader(`
# comment
top = 1
[node]
bind_ip = 127.0.0.1   # inline comment
devices=/srv/node
name = a#b
list = a, b ,, c
timeout = 2.5
flag = yes
; another comment
[empty]
`))
	if err != nil {
		t.Fatal(err)
	}
	if cf[""]["top"] != "1" {
		t.Errorf("top = %q", cf[""]["top"])
	}
	s := cf.Section("node")
	var ip, dev, name string
	var list []string
	var timeout time.Duration
	var flag bool
	s.String("bind_ip", &ip)
	s.String("devices", &dev)
	s.String("name", &name)
	s.List("list", &list)
	s.Seconds("timeout", &timeout)
	s.Bool("flag", &flag)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if ip != "127.0.0.1" || dev != "/srv/node" || name != "a#b" || strings.Join(list, "|") != "a|b|c" ||
		timeout != 2500*time.Millisecond || !flag {
		t.Errorf("got %q %q %q %q %v %v", ip, dev, name, list, timeout, flag)
	}
	if _, ok := cf["empty"]; !ok {
		t.Error("empty section missing")
	}
}

func TestErrors(t *testing.T) {
	for _, in := range []string{"[node\nx=1", "novalue", "[a]\nk=1\nk=2", " = 3"} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", in)
		}
	}
	cf, _ := Parse(strings.NewReader("[n]\nport = x\ntypo = 1\n"))
	s := cf.Section("n")
	var port int
	s.Int("port", &port)
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "port") {
		t.Errorf("Err() = %v, want a port error", err)
	}
	cf, _ = Parse(strings.NewReader("[n]\ntypo = 1\n"))
	if err := cf.Section("n").Err(); err == nil || !strings.Contains(err.Error(), "typo") {
		t.Errorf("Err() = %v, want an unknown-setting error", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add("[node]\nkey = value # c\n")
	f.Add("k=v\n[s]\n;c\n")
	f.Fuzz(func(t *testing.T, in string) {
		cf, err := Parse(strings.NewReader(in))
		if err != nil {
			return
		}
		for name := range cf {
			_ = cf.Section(name).Err()
		}
	})
}
