// Package e2e drives swiftlet as its users do: a real `swiftlet saio`
// process (the all-in-one cluster) used through the clients people already
// have, python-swiftclient's `swift` CLI and rclone's swift backend, and
// through Go's HTTP client for the statuses Swift gives bad requests; and
// the documented three-node example (proxy/examples/three-node) run as
// three `swiftlet node` processes and a `swiftlet proxy` process.
//
// The tests build the binary once (TestMain). A client that is not
// installed skips its tests with a message; .ci/run installs them
// (python3-swiftclient, rclone), so CI runs everything.
package e2e
