// Package test holds the multi-node and end-to-end suites:
//
//   - test/cluster: a whole cluster inside the test process (nodes on
//     loopback httptest servers, rings from their devices, the proxy),
//     whose nodes stop and restart; quorum and handoff tests.
//   - test/e2e: a real `swiftlet saio` process driven by python-swiftclient's
//     `swift`, rclone and Go's HTTP client, and the documented three-node
//     example run as node and proxy processes.
//   - test/nodeproc: real `swiftlet node` processes killed during writes and
//     devices filling up.
//   - test/ringbench: `swiftlet ring` side by side with swift-ring-builder.
package test
