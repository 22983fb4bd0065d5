package ringcli

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/swiftlet/swiftlet/ring"
)

const getNodesUsage = `
    Shows the nodes responsible for the item specified.
    Usage: swiftlet get-nodes [options] <ring.gz> <account> [<container> [<object>]]
    Or:    swiftlet get-nodes [options] <ring.gz> -p partition
    Note: account, container, object can also be a single arg separated by /
    Example:
        $ swiftlet get-nodes -a /etc/swiftlet/account.ring.gz MyAccount
        Partition	5743883
        Hash     	96ae332a60b58910784e4417a03e1ad0
        Server:Port Device	10.1.1.7:8000 sdd1
        Server:Port Device	10.1.9.2:8000 sdb1
        Server:Port Device	10.1.5.5:8000 sdf1
        Server:Port Device	10.1.5.9:8000 sdt1	 [Handoff]

Options:
  -a, --all             Show all handoff nodes
  -p PARTITION, --partition=PARTITION
                        Show nodes for a given partition
  -Q, --quoted          Assume swift paths are quoted
  --hash-path-prefix=P  The cluster's swift_hash_path_prefix
  --hash-path-suffix=S  The cluster's swift_hash_path_suffix
`

var getNodesOpts = []optSpec{
	{'a', "all", optFlag},
	{'p', "partition", optString},
	{'Q', "quoted", optFlag},
	{0, "hash-path-prefix", optString},
	{0, "hash-path-suffix", optString},
}

// GetNodes runs "swiftlet get-nodes": args are what follows "get-nodes".
// Like swift-get-nodes it prints the item, its partition and hash, the
// primary devices and the first handoffs (as many as there are primaries;
// all of them with -a), and curl commands that HEAD the item on each. It
// returns 0, or 1 if the arguments do not name an item (2 for unknown
// options).
func GetNodes(args []string, stdout, stderr io.Writer) int {
	o, pos, err := parseOpts(args, getNodesOpts)
	if err == errHelp {
		fmt.Fprintf(stdout, "Usage: %s", getNodesUsage)
		return exitSuccess
	}
	if err != nil {
		fmt.Fprintf(stderr, "Usage: %s\nswiftlet get-nodes: error: %s\n", getNodesUsage, err)
		return exitError
	}
	fail := func(msg string) int {
		fmt.Fprintf(stdout, "Usage: %s", getNodesUsage)
		fmt.Fprintf(stderr, "ERROR: %s\n", msg)
		return exitWarning
	}
	if len(pos) == 0 {
		return fail("Need to specify <ring.gz>")
	}
	ringPath := pos[0]
	pos = pos[1:]
	if _, err := os.Stat(ringPath); err != nil {
		return fail("Ring file does not exist")
	}
	if o.flag("quoted") {
		for i, p := range pos {
			if u, err := url.PathUnescape(p); err == nil {
				pos[i] = u
			}
		}
	}
	if len(pos) == 1 {
		pos = strings.SplitN(strings.Trim(pos[0], "/"), "/", 3)
	}
	partArg, havePart := o.str("partition")
	if len(pos) == 0 && !havePart {
		return fail("No target specified")
	}
	if len(pos) > 3 {
		return fail("Invalid arguments")
	}
	arg := func(i int) string {
		if i < len(pos) {
			return pos[i]
		}
		return ""
	}
	account, container, object := arg(0), arg(1), arg(2)
	salt := ring.HashSalt{Prefix: o.strs["hash-path-prefix"], Suffix: o.strs["hash-path-suffix"]}
	r, err := ring.Load(ringPath, salt)
	if err != nil {
		fmt.Fprintf(stderr, "ERROR: %v\n", err)
		return exitWarning
	}
	switch {
	case (container != "" || object != "") && account == "":
		fmt.Fprintln(stdout, "No account specified")
		return exitWarning
	case object != "" && container == "":
		fmt.Fprintln(stdout, "No container specified")
		return exitWarning
	case account == "" && !havePart:
		fmt.Fprintln(stdout, "No target specified")
		return exitWarning
	}

	var part uint32
	hash := "None"
	if havePart {
		n, err := pyInt(partArg)
		if err != nil || n < 0 || n >= r.PartitionCount() {
			fmt.Fprintf(stderr, "ERROR: partition %s is not one of the ring's 0..%d\n", partArg, r.PartitionCount()-1)
			return exitWarning
		}
		part = uint32(n)
	} else {
		part = r.Partition(account, container, object)
		hash = r.PathHash(account, container, object)
	}

	var b strings.Builder
	if account != "" {
		fmt.Fprintf(&b, "\nAccount  \t%s\n", pyQuote(account))
	}
	if container != "" {
		fmt.Fprintf(&b, "Container\t%s\n", pyQuote(container))
	}
	if object != "" {
		fmt.Fprintf(&b, "Object   \t%s\n\n\n", pyQuote(object))
	}
	fmt.Fprintf(&b, "Partition\t%d\n", part)
	fmt.Fprintf(&b, "Hash     \t%s\n\n", hash)

	primaries := r.Primaries(part)
	var handoffs []*ring.Device
	for d := range r.Handoffs(part) {
		if !o.flag("all") && len(handoffs) == len(primaries) {
			break
		}
		handoffs = append(handoffs, d)
	}
	for _, d := range primaries {
		fmt.Fprintf(&b, "Server:Port Device\t%s:%d %s\n", d.IP, d.Port, d.Name)
	}
	for _, d := range handoffs {
		fmt.Fprintf(&b, "Server:Port Device\t%s:%d %s\t [Handoff]\n", d.IP, d.Port, d.Name)
	}
	b.WriteString("\n\n")
	target := account
	for _, p := range []string{container, object} {
		if p != "" {
			target += "/" + p
		}
	}
	curl := func(d *ring.Device) string {
		return fmt.Sprintf(`curl -g -I -XHEAD "http://%s:%d/%s/%d/%s" --path-as-is`,
			bracketed(d.IP), d.Port, d.Name, part, pyQuote(target))
	}
	for _, d := range primaries {
		b.WriteString(curl(d) + "\n")
	}
	for _, d := range handoffs {
		b.WriteString(curl(d) + " # [Handoff]\n")
	}
	_, _ = io.WriteString(stdout, b.String()) // a failed write to stdout has nowhere to be reported
	return exitSuccess
}
