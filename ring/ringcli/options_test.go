package ringcli

import (
	"fmt"
	"slices"
	"testing"
)

func TestParseOpts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    string // the options, formatted by describe
		pos     []string
		wantErr string
	}{
		{name: "interspersed", args: []string{"d0", "--yes", "5"}, want: "yes", pos: []string{"d0", "5"}},
		{name: "long with value", args: []string{"--zone", "3", "--ip=10.0.0.1"}, want: "ip=10.0.0.1 zone=3"},
		{name: "short clustered value", args: []string{"-z3", "-r", "2"}, want: "region=2 zone=3"},
		{name: "short flag then option", args: []string{"-yz3"}, want: "yes zone=3"},
		{name: "unique prefix", args: []string{"--reg", "1", "--dev", "sdb"}, want: "device=sdb region=1"},
		{name: "value may start with dash", args: []string{"-w", "-5"}, want: "weight=-5"},
		{name: "double dash ends options", args: []string{"--", "-5", "--zone"}, pos: []string{"-5", "--zone"}},
		{name: "lone dash is an argument", args: []string{"-"}, pos: []string{"-"}},
		{name: "optparse octal", args: []string{"--zone", "010"}, want: "zone=8"},
		{name: "optparse hex", args: []string{"--port", "0x10"}, want: "port=16"},
		{name: "unknown long", args: []string{"--bogus"}, wantErr: "no such option: --bogus"},
		{name: "unknown short", args: []string{"-x"}, wantErr: "no such option: -x"},
		{name: "negative number is an option", args: []string{"d0", "-1"}, wantErr: "no such option: -1"},
		{name: "ambiguous", args: []string{"--re", "1"}, wantErr: "ambiguous option: --re (--region, --replication-ip, --replication-port?)"},
		{name: "missing value long", args: []string{"--zone"}, wantErr: "--zone option requires 1 argument"},
		{name: "missing value short", args: []string{"-z"}, wantErr: "-z option requires 1 argument"},
		{name: "flag with value", args: []string{"--yes=1"}, wantErr: "--yes option does not take a value"},
		{name: "bad int", args: []string{"--zone", "x"}, wantErr: "option --zone: invalid integer value: 'x'"},
		{name: "bad int short", args: []string{"-z", "1.5"}, wantErr: "option -z: invalid integer value: '1.5'"},
		{name: "bad float", args: []string{"--weight=heavy"}, wantErr: "option --weight: invalid floating-point value: 'heavy'"},
		{name: "help", args: []string{"--help"}, wantErr: "help requested"},
		{name: "help prefix", args: []string{"--he"}, wantErr: "help requested"},
		{name: "short help", args: []string{"-h"}, wantErr: "help requested"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, pos, err := parseOpts(tc.args, deviceOpts)
			if got := errString(err); got != tc.wantErr {
				t.Fatalf("parseOpts(%q) error = %q, want %q", tc.args, got, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got := describe(o); got != tc.want {
				t.Errorf("parseOpts(%q) options = %q, want %q", tc.args, got, tc.want)
			}
			if !slices.Equal(pos, tc.pos) {
				t.Errorf("parseOpts(%q) arguments = %q, want %q", tc.args, pos, tc.pos)
			}
		})
	}
}

func describe(o *opts) string {
	var parts []string
	for k := range o.visited {
		switch {
		case o.flags[k]:
			parts = append(parts, k)
		default:
			var v any
			if x, ok := o.ints[k]; ok {
				v = x
			} else if x, ok := o.floats[k]; ok {
				v = x
			} else {
				v = o.strs[k]
			}
			parts = append(parts, fmt.Sprintf("%s=%v", k, v))
		}
	}
	slices.Sort(parts)
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += " "
		}
		out += p
	}
	return out
}

func TestNewCmdFormat(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{[]string{"d0"}, false},
		{[]string{"--yes"}, false},
		{[]string{"--id", "0"}, true},
		{[]string{"--zone", "0"}, true},
		{[]string{"--weight", "0"}, true},
		{[]string{"--port", "0"}, false},
		{[]string{"--port", "6200"}, true},
		{[]string{"--ip", ""}, false},
		{[]string{"--meta", "x"}, true},
		{[]string{"--change-ip", "10.0.0.1"}, false},
	} {
		o, _, err := parseOpts(tc.args, deviceOpts)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.newCmdFormat(); got != tc.want {
			t.Errorf("newCmdFormat(%q) = %v, want %v", tc.args, got, tc.want)
		}
	}
}
