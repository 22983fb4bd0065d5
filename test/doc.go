// Package test will hold the in-process multi-node cluster harness and the
// end-to-end suites that drive swiftlet with real clients (swift, rclone,
// awscli, s3cmd, SDKs).
//
// The ring issue adds only the side-by-side comparison with
// swift-ring-builder (test/ringbench).
package test
