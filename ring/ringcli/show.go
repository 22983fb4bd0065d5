package ringcli

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/swiftlet/swiftlet/ring"
)

// show is the default verb: the builder's settings, whether the ring file
// is current, and the devices.
func (s *session) show() int {
	b := s.b
	id := b.ID()
	if id == "" {
		id = "(not assigned)"
	}
	s.printf("%s, build version %d, id %s\n", s.builderFile, b.Version(), id)
	devs := b.Devices()
	type zone struct{ region, zone int }
	regions, zones := map[int]bool{}, map[zone]bool{}
	for _, d := range devs {
		regions[d.Region] = true
		zones[zone{d.Region, d.Zone}] = true
	}
	balance, emptyErr := b.Balance()
	if emptyErr != nil {
		balance = 0
	}
	// Swift prints the dispersion of a new builder (0.00) but not of one
	// recreated from a ring file until it is recalculated.
	dispersion := ""
	if d, ok := b.Dispersion(); ok {
		dispersion = fmt.Sprintf(", %.02f dispersion", d)
	} else if !b.EverRebalanced() {
		dispersion = ", 0.00 dispersion"
	}
	s.printf("%d partitions, %.6f replicas, %d regions, %d zones, %d devices, %.02f balance%s\n",
		b.Partitions(), b.Replicas(), len(regions), len(zones), len(devs), balance, dispersion)
	s.printf("The minimum number of hours before a partition can be reassigned is %d (%s remaining)\n",
		b.MinPartHours(), pyTimedelta(b.MinPartSecondsLeft(s.now())))
	s.printf("The overload factor is %0.2f%% (%.6f)\n", b.Overload()*100, b.Overload())
	s.println(s.ringFileStatus())

	t := newDeviceTable(devs)
	s.println(t.header())
	slices.SortStableFunc(devs, func(x, y ring.DeviceInfo) int {
		return cmp.Or(cmp.Compare(x.Region, y.Region), cmp.Compare(x.Zone, y.Zone),
			strings.Compare(x.IP, y.IP), strings.Compare(x.Name, y.Name))
	})
	for _, d := range devs {
		if emptyErr != nil {
			d.Balance = 0 // Swift shows no balances when the ring has no weight
		}
		s.println(t.row(d))
	}
	if emptyErr != nil {
		s.println(emptyErr)
	}
	return exitSuccess
}

// ringFileStatus tells whether the ring file holds what the builder would
// write now.
func (s *session) ringFileStatus() string {
	if _, err := os.Stat(s.ringFile); err != nil {
		return fmt.Sprintf("Ring file %s not found, probably it hasn't been written yet", s.ringFile)
	}
	onDisk, err := ring.Load(s.ringFile, ring.HashSalt{})
	if err != nil {
		return fmt.Sprintf("Ring file %s is invalid: %v", s.ringFile, err)
	}
	built, err := s.b.Ring(ring.HashSalt{})
	if err == nil && sameRing(built, onDisk) {
		return fmt.Sprintf("Ring file %s is up-to-date", s.ringFile)
	}
	return fmt.Sprintf("Ring file %s is obsolete", s.ringFile)
}

// sameRing reports whether two rings hold the same devices and
// assignments. Rings in swiftlet's format compare by checksum; a Swift
// ring file (whose checksum is of another encoding) is compared field by
// field, so a builder made from it with write_builder shows it up-to-date.
func sameRing(built, onDisk *ring.Ring) bool {
	if built.Checksum() == onDisk.Checksum() {
		return true
	}
	if onDisk.Hash() != ring.MD5 || built.Hash() != ring.MD5 ||
		built.PartPower() != onDisk.PartPower() || built.ReplicaCount() != onDisk.ReplicaCount() ||
		built.Version() != onDisk.Version() {
		return false
	}
	if !slices.EqualFunc(built.Devices(), onDisk.Devices(), func(a, b *ring.Device) bool {
		return a == nil && b == nil || a != nil && b != nil && *a == *b
	}) {
		return false
	}
	var x, y []*ring.Device
	for p := range built.PartitionCount() {
		x, y = built.AppendPrimaries(x[:0], uint32(p)), onDisk.AppendPrimaries(y[:0], uint32(p))
		if !slices.EqualFunc(x, y, func(a, b *ring.Device) bool { return a.ID == b.ID }) {
			return false
		}
	}
	return true
}

// deviceTable lays out the devices as swift-ring-builder's default verb:
// columns as wide as their widest value, IPv6 addresses in brackets.
type deviceTable struct {
	ip, port, replIP, replPort, weight int
}

func newDeviceTable(devs []ring.DeviceInfo) deviceTable {
	t := deviceTable{ip: 10, port: 4, replIP: 14, replPort: 4, weight: 6}
	var ip6, replIP6 bool
	for _, d := range devs {
		ip6 = ip6 || isIPv6(d.IP)
		replIP6 = replIP6 || isIPv6(d.ReplicationIP)
		t.ip = max(t.ip, len(d.IP))
		t.replIP = max(t.replIP, len(d.ReplicationIP))
		t.port = max(t.port, len(strconv.Itoa(d.Port)))
		t.replPort = max(t.replPort, len(strconv.Itoa(d.ReplicationPort)))
		t.weight = max(t.weight, len(fmt.Sprintf("%6.02f", d.Weight)))
	}
	if ip6 {
		t.ip += 2
	}
	if replIP6 {
		t.replIP += 2
	}
	return t
}

func (t deviceTable) header() string {
	return fmt.Sprintf("Devices:%5s %6s %4s %*s:%-*s %*s:%-*s %5s %*s %10s %7s %5s %s",
		"id", "region", "zone", t.ip, "ip address", t.port, "port", t.replIP, "replication ip",
		t.replPort, "port", "name", t.weight, "weight", "partitions", "balance", "flags", "meta")
}

func (t deviceTable) row(d ring.DeviceInfo) string {
	flags := ""
	if d.Removing {
		flags = "DEL"
	}
	return fmt.Sprintf("%13d %6d %4d %*s:%-*d %*s:%-*d %5s %*.02f %10d %7.02f %5s %s",
		d.ID, d.Region, d.Zone, t.ip, bracketed(d.IP), t.port, d.Port, t.replIP, bracketed(d.ReplicationIP),
		t.replPort, d.ReplicationPort, d.Name, t.weight, d.Weight, d.Parts, d.Balance, flags, d.Meta)
}

func isIPv6(ip string) bool {
	a, err := netip.ParseAddr(ip)
	return err == nil && a.Is6() && a.Zone() == ""
}

// bracketed puts an address holding a colon (IPv6) in brackets.
func bracketed(ip string) string {
	if strings.Contains(ip, ":") {
		return "[" + ip + "]"
	}
	return ip
}

// formatDevice is swift-ring-builder's one-line device:
// d1r1z2-10.0.0.1:6200R10.0.1.1:6300/sdb1_"meta".
func formatDevice(d ring.Device) string {
	return fmt.Sprintf(`d%dr%dz%d-%s:%dR%s:%d/%s_"%s"`, d.ID, d.Region, d.Zone, bracketed(d.IP), d.Port,
		bracketed(d.ReplicationIP), d.ReplicationPort, d.Name, d.Meta)
}

// search lists the devices a search value or the device options select.
func (s *session) search() int {
	if len(s.args) < 1 {
		return s.usageWithSearch("search")
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	var q ring.Query
	if len(pos) > 0 {
		if o.newCmdFormat() || len(pos) != 1 {
			return s.usage("search")
		}
		q, err = parseSearchValue(pos[0])
	} else {
		q, err = queryFromOpts(o)
	}
	if err != nil {
		return s.fail(err.Error())
	}
	devs := s.b.Search(q)
	if len(devs) == 0 {
		return s.fail("No matching devices found")
	}
	s.println("Devices:    id  region  zone      ip address  port  replication ip  replication port      name weight partitions balance meta")
	for _, d := range devs {
		s.printf("         %5d %7d %5d %15s %5d %15s %17d %9s %6.02f %10d %7.02f %s\n",
			d.ID, d.Region, d.Zone, d.IP, d.Port, d.ReplicationIP, d.ReplicationPort, d.Name,
			d.Weight, d.Parts, d.Balance, d.Meta)
	}
	return exitSuccess
}

// listParts lists the partitions with replicas on the selected devices,
// most replicas first.
func (s *session) listParts() int {
	if len(s.args) < 1 {
		return s.usageWithSearch("list_parts")
	}
	if !s.b.EverRebalanced() {
		return s.notRebalanced()
	}
	o, pos, err := parseOpts(s.args, deviceOpts)
	if err != nil {
		return s.optError(err, progName+" [options]")
	}
	if len(pos) > 0 && o.newCmdFormat() {
		return s.usage("list_parts")
	}
	devs, err := s.selectDevices(o, pos)
	if err != nil {
		return s.fail(err.Error())
	}
	if len(devs) == 0 {
		return s.fail("No matching devices found")
	}
	ids := make([]int, len(devs))
	for i, d := range devs {
		ids[i] = d.ID
	}
	parts := s.b.PartitionsOn(ids)
	if len(parts) == 0 {
		return s.fail("No matching devices found")
	}
	s.println("Partition   Matches")
	for _, p := range swiftPartOrder(s.b, parts, ids) {
		s.printf("%9d   %7d\n", p.Part, p.Matches)
	}
	return exitSuccess
}

// swiftPartOrder orders partitions as swift-ring-builder lists them: most
// matches first and, among equals, in the order Swift's scan meets them
// (replica by replica, partition by partition), that is by the first
// replica on a selected device, then by partition.
func swiftPartOrder(b *ring.Builder, parts []ring.PartCount, ids []int) []ring.PartCount {
	type keyed struct {
		ring.PartCount
		firstReplica int
	}
	selected := map[int]bool{}
	for _, id := range ids {
		selected[id] = true
	}
	ks := make([]keyed, len(parts))
	for i, p := range parts {
		ks[i] = keyed{PartCount: p}
		for r, d := range b.PartitionDevices(p.Part) {
			if selected[d.ID] {
				ks[i].firstReplica = r
				break
			}
		}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		return cmp.Or(cmp.Compare(y.Matches, x.Matches), cmp.Compare(x.firstReplica, y.firstReplica),
			cmp.Compare(x.Part, y.Part))
	})
	out := make([]ring.PartCount, len(ks))
	for i, k := range ks {
		out[i] = k.PartCount
	}
	return out
}

func (s *session) notRebalanced() int {
	return s.fail(fmt.Sprintf("Specified builder file \"%s\" is not rebalanced yet. Please rebalance first.", s.builderFile))
}

// dispersion prints the dispersion report, per tier with --verbose.
func (s *session) dispersion() int {
	b := s.b
	if !b.EverRebalanced() {
		return s.notRebalanced()
	}
	o, pos, err := parseOpts(s.args, dispersionOpts)
	if err != nil {
		return s.optError(err, commandUsage["dispersion"])
	}
	var filter *regexp.Regexp
	if len(pos) > 0 && pos[0] != "" {
		if filter, err = regexp.Compile(pos[0]); err != nil {
			return s.crash(err)
		}
	}
	// Swift keeps the dispersion graph in the builder and rebuilds it, and
	// saves the builder, on --recalculate or when it has none (a builder
	// recreated from a ring). swiftlet computes the report afresh each
	// time but keeps the same rule for the stored figure.
	if _, ok := b.Dispersion(); o.flag("recalculate") || !ok {
		b.RecalculateDispersion()
		if st := s.save(exitSuccess); st != exitSuccess {
			return st
		}
	}
	rep := b.ReportDispersion(filter)
	balance, err := b.Balance()
	if err != nil {
		return s.crash(err)
	}
	required, err := b.RequiredOverload()
	if err != nil {
		return s.crash(err)
	}
	disp, _ := b.Dispersion()
	s.printf("Dispersion is %.06f, Balance is %.06f, Overload is %0.2f%%\n", disp, balance, b.Overload()*100)
	s.printf("Required overload is %.6f%%\n", required*100)
	status := exitSuccess
	if rep.WorstTier != "" {
		status = exitWarning
		s.printf("Worst tier is %.06f (%s)\n", rep.MaxDispersion, rep.WorstTier)
	}
	if o.flag("verbose") && len(rep.Tiers) > 0 {
		s.printDispersionTable(rep.Tiers)
	}
	return status
}

func (s *session) printDispersionTable(tiers []ring.TierDispersion) {
	b := s.b
	countWidth := max(len(strconv.Itoa(b.Partitions())), 5)
	tierWidth := 30
	for _, t := range tiers {
		tierWidth = max(tierWidth, len(t.Tier))
	}
	counts := func(cs []int) string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = fmt.Sprintf("%*d", countWidth, c)
		}
		return strings.Join(out, " ")
	}
	columns := make([]int, int(math.Ceil(b.Replicas()+1)))
	for i := range columns {
		columns[i] = i
	}
	header := fmt.Sprintf("%-*s %*s %6s %6s %s", tierWidth, "Tier", countWidth, "Parts", "%", "Max", counts(columns))
	underline := strings.Repeat("-", len(header))
	s.println(underline)
	s.println(header)
	s.println(underline)
	for _, t := range tiers {
		s.printf("%-*s %*d %6.02f %6d %s\n", tierWidth, t.Tier, countWidth, t.Placed, t.Dispersion, t.MaxReplicas, counts(t.Replicas))
	}
}

// queryFromOpts selects devices by the --id/--region/... options, Swift's
// parse_search_values_from_opts: every option given filters, even 0 or an
// empty string, except --meta, which is empty by default and then matches
// every device.
func queryFromOpts(o *opts) (ring.Query, error) {
	var q ring.Query
	for _, f := range []struct {
		name string
		dst  **int
	}{{"id", &q.ID}, {"region", &q.Region}, {"zone", &q.Zone}, {"port", &q.Port}, {"replication-port", &q.ReplicationPort}} {
		if v, ok := o.int(f.name); ok {
			*f.dst = &v
		}
	}
	for _, f := range []struct {
		name string
		dst  **string
	}{{"ip", &q.IP}, {"replication-ip", &q.ReplicationIP}} {
		if v, ok := o.str(f.name); ok {
			if v != "" {
				n, err := ring.NormalizeAddress(v)
				if err != nil {
					return q, err
				}
				v = n
			}
			*f.dst = &v
		}
	}
	if v, ok := o.str("device"); ok {
		q.Device = &v
	}
	if v, ok := o.float("weight"); ok {
		q.Weight = &v
	}
	if v, ok := o.str("meta"); ok && v != "" {
		q.Meta = &v
	}
	return q, nil
}
