// Package ringcli is the operator's command line for rings:
// "swiftlet ring BUILDER_FILE VERB ARGS…" and "swiftlet get-nodes".
//
// "swiftlet ring" accepts swift-ring-builder's verbs, argument syntax
// (search values such as d1 or r1z2-10.0.0.1:6200/sdb1, add values, the
// --region/--zone/... options), messages and exit codes (0 success, 1
// warning, 2 error), so that scripts written for Swift keep working. Every
// verb loads the builder file, changes it in memory and saves it
// atomically at the end, so a failed command leaves the file as it was.
// Ring files are written in swiftlet's format (see package ring); builder
// files too, so Swift's pickled builders are not read, but write_builder
// recreates a builder from a Swift ring file.
//
// "swiftlet get-nodes" is swift-get-nodes: where a ring places an account,
// container or object, its primaries and first handoffs.
//
// The package sits beside the ring package and uses only its exported API;
// all it adds is parsing and printing. It writes only to the writers it is
// given and reads the time from an injectable clock, so tests run it in
// process.
//
// # Glossary
//
//   - builder file / ring file: x.builder holds the Builder, x.ring.gz the
//     Ring the servers load. Either name may be given; the other is derived
//     as swift-ring-builder derives it.
//   - backups: <dir>/backups/<unix time>.<name>, written by create,
//     rebalance and write_ring, as Swift does.
//   - search value: swift-ring-builder's device selector, d<id>r<region>z<zone>-<ip>:<port>R<r_ip>:<r_port>/<device>_<meta>,
//     every part optional.
package ringcli
