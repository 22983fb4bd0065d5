package ringcli

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// swift-ring-builder reads its options with Python's optparse, and scripts
// rely on its conventions: options and arguments may be interleaved, long
// options may be abbreviated to a unique prefix and take their value as
// "--zone 1" or "--zone=1", short ones as "-z 1" or "-z1", "--" ends the
// options, and a value is taken from the next argument even if it starts
// with a dash. This file is that parser, with optparse's messages.

type optKind uint8

const (
	optFlag optKind = iota
	optInt
	optFloat
	optString
)

// optSpec is one option: its short form without the dash (0 for none),
// its long name without the dashes, and the kind of value it takes.
type optSpec struct {
	short byte
	long  string
	kind  optKind
}

// opts holds the options given on a command line, keyed by long name.
type opts struct {
	ints    map[string]int
	floats  map[string]float64
	strs    map[string]string
	flags   map[string]bool
	visited map[string]bool
}

func (o *opts) int(name string) (int, bool)       { v, ok := o.ints[name]; return v, ok }
func (o *opts) float(name string) (float64, bool) { v, ok := o.floats[name]; return v, ok }
func (o *opts) str(name string) (string, bool)    { v, ok := o.strs[name]; return v, ok }
func (o *opts) flag(name string) bool             { return o.flags[name] }

// usageError is a command line optparse rejects; it is reported as
// "Usage: ...", a blank line and "<prog>: error: <msg>" on stderr, exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// errHelp is returned when -h or --help was given.
var errHelp = &usageError{"help requested"}

// parseOpts splits args into options and positional arguments.
func parseOpts(args []string, specs []optSpec) (*opts, []string, error) {
	o := &opts{ints: map[string]int{}, floats: map[string]float64{}, strs: map[string]string{},
		flags: map[string]bool{}, visited: map[string]bool{}}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return o, append(pos, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			name, value, hasValue := strings.Cut(a[2:], "=")
			spec, err := matchLong(name, specs)
			if err != nil {
				return nil, nil, err
			}
			opt := "--" + spec.long
			if spec.kind == optFlag {
				if hasValue {
					return nil, nil, &usageError{opt + " option does not take a value"}
				}
				o.set(spec, "", opt)
				continue
			}
			if !hasValue {
				if i+1 >= len(args) {
					return nil, nil, &usageError{opt + " option requires 1 argument"}
				}
				i++
				value = args[i]
			}
			if err := o.set(spec, value, opt); err != nil {
				return nil, nil, err
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			for j := 1; j < len(a); j++ {
				c := a[j]
				if c == 'h' {
					return nil, nil, errHelp
				}
				spec := matchShort(c, specs)
				opt := "-" + string(c)
				if spec == nil {
					return nil, nil, &usageError{"no such option: " + opt}
				}
				if spec.kind == optFlag {
					o.set(spec, "", opt)
					continue
				}
				value := a[j+1:]
				if value == "" {
					if i+1 >= len(args) {
						return nil, nil, &usageError{opt + " option requires 1 argument"}
					}
					i++
					value = args[i]
				}
				if err := o.set(spec, value, opt); err != nil {
					return nil, nil, err
				}
				break
			}
		default:
			pos = append(pos, a)
		}
	}
	return o, pos, nil
}

// matchLong finds the option a long name or a unique prefix of one names;
// --help (or a prefix of it) returns errHelp.
func matchLong(name string, specs []optSpec) (*optSpec, error) {
	names := []string{"help"}
	for _, s := range specs {
		names = append(names, s.long)
	}
	var candidates []string
	for _, n := range names {
		if n == name {
			candidates = []string{n}
			break
		}
		if strings.HasPrefix(n, name) {
			candidates = append(candidates, n)
		}
	}
	switch len(candidates) {
	case 0:
		return nil, &usageError{"no such option: --" + name}
	case 1:
		if candidates[0] == "help" {
			return nil, errHelp
		}
		for i := range specs {
			if specs[i].long == candidates[0] {
				return &specs[i], nil
			}
		}
	}
	slices.Sort(candidates)
	for i := range candidates {
		candidates[i] = "--" + candidates[i]
	}
	return nil, &usageError{fmt.Sprintf("ambiguous option: --%s (%s?)", name, strings.Join(candidates, ", "))}
}

func matchShort(c byte, specs []optSpec) *optSpec {
	for i := range specs {
		if specs[i].short == c {
			return &specs[i]
		}
	}
	return nil
}

func (o *opts) set(spec *optSpec, value, opt string) error {
	o.visited[spec.long] = true
	switch spec.kind {
	case optFlag:
		o.flags[spec.long] = true
	case optString:
		o.strs[spec.long] = value
	case optInt:
		n, err := optparseInt(value)
		if err != nil {
			return &usageError{fmt.Sprintf("option %s: invalid integer value: %s", opt, pyRepr(value))}
		}
		o.ints[spec.long] = n
	case optFloat:
		f, err := pyFloatParse(value)
		if err != nil {
			return &usageError{fmt.Sprintf("option %s: invalid floating-point value: %s", opt, pyRepr(value))}
		}
		o.floats[spec.long] = f
	}
	return nil
}

// optparseInt reads an integer option value as optparse does: "0x" is hex,
// "0b" binary, a leading "0" octal, anything else decimal.
func optparseInt(v string) (int, error) {
	t := strings.TrimFunc(v, pyIsSpace)
	sign := ""
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "+") {
		sign, t = t[:1], t[1:]
	}
	base := 10
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "0x"):
		base, t = 16, t[2:]
	case strings.HasPrefix(lower, "0b"):
		base, t = 2, t[2:]
		if t == "" {
			t = "0"
		}
	case strings.HasPrefix(v, "0"):
		base = 8
	}
	if t == "" || strings.HasPrefix(t, "_") || strings.HasSuffix(t, "_") || strings.Contains(t, "__") {
		return 0, strconv.ErrSyntax
	}
	n, err := strconv.ParseInt(sign+strings.ReplaceAll(t, "_", ""), base, 0)
	return int(n), err
}

// deviceOpts are the options of swift's parse_args, shared by add, remove,
// search, list_parts and the set_* commands.
var deviceOpts = []optSpec{
	{'u', "id", optInt},
	{'r', "region", optInt},
	{'z', "zone", optInt},
	{'i', "ip", optString},
	{'p', "port", optInt},
	{'j', "replication-ip", optString},
	{'q', "replication-port", optInt},
	{'d', "device", optString},
	{'w', "weight", optFloat},
	{'m', "meta", optString},
	{'I', "change-ip", optString},
	{'P', "change-port", optInt},
	{'J', "change-replication-ip", optString},
	{'Q', "change-replication-port", optInt},
	{'D', "change-device", optString},
	{'M', "change-meta", optString},
	{'y', "yes", optFlag},
}

var rebalanceOpts = []optSpec{
	{'f', "force", optFlag},
	{'s', "seed", optString},
	{'d', "debug", optFlag},
}

var dispersionOpts = []optSpec{
	{0, "recalculate", optFlag},
	{'v', "verbose", optFlag},
}

// newCmdFormat reports whether device options were given, Swift's
// validate_args: then the command takes its devices from the options and
// not from <search-value> arguments. As in Swift, an empty --ip, --port 0
// or an empty --meta do not count, while --id 0, --zone 0 and --weight 0
// do; the --change-* options never count.
func (o *opts) newCmdFormat() bool {
	for _, k := range []string{"id", "region", "zone", "weight"} {
		if o.visited[k] {
			return true
		}
	}
	for _, k := range []string{"ip", "replication-ip", "device", "meta"} {
		if o.strs[k] != "" {
			return true
		}
	}
	return o.ints["port"] != 0 || o.ints["replication-port"] != 0
}
