package ringcli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/ring"
)

// add adds devices given as "<add value> <weight>" pairs or by the
// --region/--zone/... options.
func (s *session) add() int {
	if len(s.args) < 2 {
		return s.usage("add")
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	// Every device is parsed before the first is added, as in Swift.
	var devs []ring.Device
	if len(pos) > 0 {
		if o.newCmdFormat() || len(pos)%2 != 0 {
			return s.usage("add")
		}
		for i := 0; i < len(pos); i += 2 {
			v, err := parseAddValue(pos[i])
			if err != nil {
				return s.failUnchanged(err.Error())
			}
			if !v.HasRegion {
				fmt.Fprintf(s.stderr, "WARNING: No region specified for %s. Defaulting to region 1.\n", pos[i])
			}
			w, err := pyFloatParse(pos[i+1])
			if err != nil {
				return s.failUnchanged(err.Error())
			}
			if w < 0 {
				return s.failUnchanged("Invalid weight value: " + pos[i])
			}
			v.Weight = w
			devs = append(devs, v.Device)
		}
	} else {
		d, err := deviceFromOpts(o)
		if err != nil {
			return s.failUnchanged(err.Error())
		}
		devs = append(devs, d)
	}
	for _, d := range devs {
		if other, ok := s.deviceAt(d.IP, d.Port, d.Name, -1); ok {
			s.printf("Device %d already uses %s:%d/%s.\n", other.ID, other.IP, other.Port, other.Name)
			s.printf("The on-disk ring builder is unchanged.\n\n")
			return exitError
		}
		id, err := s.b.AddDevice(d)
		if err != nil {
			return s.failUnchanged(err.Error())
		}
		d.ID = id
		s.printf("Device %s with %s weight got id %d\n", formatDevice(d), pyFloat(d.Weight), id)
	}
	return s.save(exitSuccess)
}

// deviceFromOpts is the device the add options describe (Swift's
// build_dev_from_opts): region, zone, ip, port, device and weight are
// required; the replication address defaults to the device's.
func deviceFromOpts(o *opts) (ring.Device, error) {
	for _, req := range []struct{ short, long string }{
		{"-r", "region"}, {"-z", "zone"}, {"-i", "ip"}, {"-p", "port"}, {"-d", "device"}, {"-w", "weight"},
	} {
		if !o.visited[req.long] {
			return ring.Device{}, fmt.Errorf("Required argument %s/--%s not specified.", req.short, req.long)
		}
	}
	d := ring.Device{Name: o.strs["device"], Meta: o.strs["meta"], Weight: o.floats["weight"]}
	d.Region, _ = o.int("region")
	d.Zone, _ = o.int("zone")
	d.Port, _ = o.int("port")
	var err error
	if d.IP, err = ring.NormalizeAddress(o.strs["ip"]); err != nil {
		return d, err
	}
	replIP := o.strs["replication-ip"]
	if replIP == "" {
		replIP = o.strs["ip"]
	}
	if d.ReplicationIP, err = ring.NormalizeAddress(replIP); err != nil {
		return d, err
	}
	d.ReplicationPort = o.ints["replication-port"]
	if d.ReplicationPort == 0 {
		d.ReplicationPort = d.Port
	}
	if !ring.ValidDeviceName(d.Name) {
		return d, fmt.Errorf("Invalid device name")
	}
	return d, nil
}

// deviceAt finds the device other than except at ip:port/name, which is
// what makes two devices the same for Swift.
func (s *session) deviceAt(ip string, port int, name string, except int) (ring.Device, bool) {
	return s.b.DeviceAt(ip, port, name, except)
}

// device returns the device with the given id as it is now.
func (s *session) device(id int) ring.Device {
	if d, ok := s.b.Device(id); ok {
		return d
	}
	return ring.Device{ID: id}
}

// checkDevs stops a command that matched no device, and asks before it
// changes several unless --yes was given. ok is false if the command must
// stop with status.
func (s *session) checkDevs(devs []ring.DeviceInfo, question, abort string, yes bool) (status int, ok bool) {
	if len(devs) == 0 {
		s.println("Search value matched 0 devices.\nThe on-disk ring builder is unchanged.")
		return exitError, false
	}
	if len(devs) == 1 {
		return exitSuccess, true
	}
	s.println("Matched more than one device:")
	for _, d := range devs {
		s.printf("    %s\n", formatDevice(d.Device))
	}
	if yes {
		return exitSuccess, true
	}
	s.printf(question, len(devs))
	answer, err := s.stdin.ReadString('\n')
	if err != nil && answer == "" {
		s.println() // end the prompt's line; there was no answer
	}
	if strings.TrimRight(answer, "\r\n") != "y" {
		s.println(abort)
		return exitError, false
	}
	return exitSuccess, true
}

// selectDevices finds the devices of remove and list_parts: those any of
// the search values match, or those the options select.
func (s *session) selectDevices(o *opts, pos []string) ([]ring.DeviceInfo, error) {
	if len(pos) == 0 {
		q, err := queryFromOpts(o)
		if err != nil {
			return nil, err
		}
		return s.b.Search(q), nil
	}
	var devs []ring.DeviceInfo
	for _, v := range pos {
		q, err := parseSearchValue(v)
		if err != nil {
			return nil, err
		}
		devs = append(devs, s.b.Search(q)...)
	}
	return devs, nil
}

// remove marks devices for removal at the next rebalance.
func (s *session) remove() int {
	if len(s.args) < 1 {
		return s.usageWithSearch("remove")
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	if len(pos) > 0 && o.newCmdFormat() {
		return s.usage("remove")
	}
	devs, err := s.selectDevices(o, pos)
	if err != nil {
		return s.fail(err.Error())
	}
	if st, ok := s.checkDevs(devs, "Are you sure you want to remove these %d devices? (y/N) ",
		"Aborting device removals", o.flag("yes")); !ok {
		return st
	}
	for _, d := range devs {
		if err := s.b.RemoveDevice(d.ID); err != nil {
			s.println(strings.Repeat("-", 79))
			s.printf("An error occurred while removing device with id %d\n"+
				"This usually means that you attempted to remove\n"+
				"the last device in a ring. If this is the case,\n"+
				"consider creating a new ring instead.\n"+
				"The on-disk ring builder is unchanged.\n"+
				"Original exception message: %v\n", d.ID, err)
			s.println(strings.Repeat("-", 79))
			return exitError
		}
		s.printf("%s marked for removal and will be removed next rebalance.\n", formatDevice(d.Device))
	}
	return s.save(exitSuccess)
}

func (s *session) setWeight() int {
	return setEach(s, "set_weight", "weight", pyFloatParse, s.b.SetWeight, pyFloat)
}

func (s *session) setRegion() int {
	return setEach(s, "set_region", "region", pyInt, s.b.SetRegion, strconv.Itoa)
}

func (s *session) setZone() int {
	return setEach(s, "set_zone", "zone", pyInt, s.b.SetZone, strconv.Itoa)
}

// setEach is set_weight, set_region and set_zone: "<search-value> <value>"
// pairs, or the device options and one value. Each pair selects its own
// devices (Swift's set_region and set_zone carry the devices of earlier
// pairs over to later ones, which is a bug not kept here).
func setEach[T any](s *session, verb, what string, parse func(string) (T, error),
	apply func(id int, v T) error, show func(T) string) int {
	if len(s.args) < 2 {
		return s.usageWithSearch(verb)
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	if !o.newCmdFormat() {
		if len(pos)%2 != 0 {
			return s.usage(verb)
		}
		// Pair by pair, as in Swift; a bad later pair still fails the
		// whole command before anything is saved.
		for i := 0; i < len(pos); i += 2 {
			q, err := parseSearchValue(pos[i])
			if err != nil {
				return s.fail(err.Error())
			}
			if st, ok := setOne(s, what, q, pos[i+1], parse, apply, show, o.flag("yes")); !ok {
				return st
			}
		}
		return s.save(exitSuccess)
	}
	if len(pos) != 1 {
		return s.usage(verb)
	}
	q, err := queryFromOpts(o)
	if err != nil {
		return s.fail(err.Error())
	}
	if st, ok := setOne(s, what, q, pos[0], parse, apply, show, o.flag("yes")); !ok {
		return st
	}
	return s.save(exitSuccess)
}

func setOne[T any](s *session, what string, q ring.Query, value string, parse func(string) (T, error),
	apply func(id int, v T) error, show func(T) string, yes bool) (int, bool) {
	devs := s.b.Search(q)
	v, err := parse(value)
	if err != nil {
		return s.fail(err.Error()), false
	}
	if st, ok := s.checkDevs(devs, "Are you sure you want to update the "+what+" for these %d devices? (y/N) ",
		"Aborting device modifications", yes); !ok {
		return st, false
	}
	for _, d := range devs {
		if err := apply(d.ID, v); err != nil {
			return s.fail(err.Error()), false
		}
		s.printf("%s %s set to %s\n", formatDevice(s.device(d.ID)), what, show(v))
	}
	return exitSuccess, true
}

// setInfo changes devices' addresses, names and meta: "<search-value>
// <ip>:<port>R<r_ip>:<r_port>/<device>_<meta>" pairs (any part of the
// change optional) or the search options with --change-ip and friends.
func (s *session) setInfo() int {
	if len(s.args) < 2 {
		return s.usageWithSearch("set_info")
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	yes := o.flag("yes")
	if !o.newCmdFormat() {
		if len(pos)%2 != 0 {
			return s.usage("set_info")
		}
		for i := 0; i < len(pos); i += 2 {
			q, err := parseSearchValue(pos[i])
			if err != nil {
				return s.fail(err.Error())
			}
			devs := s.b.Search(q)
			change, err := parseChangeValue(pos[i+1])
			if err != nil {
				return s.fail(err.Error())
			}
			if st, ok := s.applyInfo(devs, change, yes); !ok {
				return st
			}
		}
		return s.save(exitSuccess)
	}
	q, err := queryFromOpts(o)
	if err != nil {
		return s.fail(err.Error())
	}
	devs := s.b.Search(q)
	change, err := changeFromOpts(o)
	if err != nil {
		return s.fail(err.Error())
	}
	if st, ok := s.applyInfo(devs, change, yes); !ok {
		return st
	}
	return s.save(exitSuccess)
}

func (s *session) applyInfo(devs []ring.DeviceInfo, c ring.InfoChange, yes bool) (int, bool) {
	if st, ok := s.checkDevs(devs, "Are you sure you want to update the info for these %d devices? (y/N) ",
		"Aborting device modifications", yes); !ok {
		return st, false
	}
	for _, d := range devs {
		before := s.device(d.ID)
		after := before
		if c.IP != nil {
			after.IP = *c.IP
		}
		if c.Port != nil {
			after.Port = *c.Port
		}
		if c.Device != nil {
			after.Name = *c.Device
		}
		if other, dup := s.deviceAt(after.IP, after.Port, after.Name, d.ID); dup {
			return s.fail(fmt.Sprintf("Device %d already uses %s:%d/%s.", other.ID, other.IP, other.Port, other.Name)), false
		}
		if err := s.b.SetInfo(d.ID, c); err != nil {
			return s.fail(err.Error()), false
		}
		s.printf("Device %s is now %s\n", formatDevice(before), formatDevice(s.device(d.ID)))
	}
	return exitSuccess, true
}

// parseChangeValue reads set_info's "<ip>:<port>R<r_ip>:<r_port>/<device>_<meta>",
// every part optional but at least one given.
func parseChangeValue(v string) (ring.InfoChange, error) {
	var c ring.InfoChange
	rest, err := changeAddress(v, &c.IP, &c.Port)
	if err != nil {
		return c, err
	}
	if strings.HasPrefix(rest, "R") {
		if rest, err = changeAddress(rest[1:], &c.ReplicationIP, &c.ReplicationPort); err != nil {
			return c, err
		}
	}
	if strings.HasPrefix(rest, "/") {
		end := strings.IndexByte(rest, '_')
		if end < 0 {
			end = len(rest)
		}
		name := rest[1:end]
		c.Device, rest = &name, rest[end:]
	}
	if strings.HasPrefix(rest, "_") {
		meta := rest[1:]
		c.Meta, rest = &meta, ""
	}
	if rest != "" || c.Empty() {
		return c, fmt.Errorf("Invalid set info change value: %s", pyRepr(v))
	}
	return c, nil
}

// changeAddress reads an optional IP address (IPv6 in brackets) and an
// optional ":port" from the start of s and returns the rest.
func changeAddress(s string, ip **string, port **int) (string, error) {
	var raw string
	switch {
	case s != "" && s[0] >= '0' && s[0] <= '9':
		i := 1
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		raw, s = s[:i], s[i:]
	case strings.HasPrefix(s, "["):
		i := strings.IndexByte(s, ']') + 1
		if i == 0 {
			i = len(s)
		}
		raw, s = strings.TrimRight(strings.TrimLeft(s[:i], "["), "]"), s[i:]
	}
	if raw != "" {
		n, err := ring.NormalizeIP(raw)
		if err != nil {
			return s, err
		}
		*ip = &n
	}
	if strings.HasPrefix(s, ":") {
		i := 1
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		n, err := pyInt(s[1:i])
		if err != nil {
			return s, err
		}
		*port, s = &n, s[i:]
	}
	return s, nil
}

// changeFromOpts is the change the --change-* options describe; as in
// Swift, empty values and port 0 change nothing.
func changeFromOpts(o *opts) (ring.InfoChange, error) {
	var c ring.InfoChange
	for _, f := range []struct {
		name string
		dst  **string
	}{{"change-ip", &c.IP}, {"change-replication-ip", &c.ReplicationIP}} {
		if v := o.strs[f.name]; v != "" {
			n, err := ring.NormalizeAddress(v)
			if err != nil {
				return c, err
			}
			*f.dst = &n
		}
	}
	if v := o.ints["change-port"]; v != 0 {
		c.Port = &v
	}
	if v := o.ints["change-replication-port"]; v != 0 {
		c.ReplicationPort = &v
	}
	if v := o.strs["change-device"]; v != "" {
		c.Device = &v
	}
	if v := o.strs["change-meta"]; v != "" {
		c.Meta = &v
	}
	return c, nil
}
