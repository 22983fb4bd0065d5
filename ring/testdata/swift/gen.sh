#!/usr/bin/env bash
# Regenerates the Swift golden data: two rings built by OpenStack Swift's own
# swift-ring-builder and, for a list of paths, the partition, primaries and
# handoffs Swift's Ring computes for them. Needs Debian's swift package
# (apt-get install swift); the test only reads the committed output.
set -euo pipefail
cd "$(dirname "$0")"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Two regions, five zones, servers with several devices, unequal weights,
# and a removed device so that the device list has a hole.
b=$work/multi.builder
swift-ring-builder "$b" create 8 3 1 >/dev/null
swift-ring-builder "$b" add \
  r1z1-10.0.1.1:6200/sda 100 r1z1-10.0.1.1:6200/sdb 100 r1z1-10.0.1.2:6200/sda 200 \
  r1z2-10.0.2.1:6200/sda 100 r1z2-10.0.2.1:6200/sdb 100 r1z2-10.0.2.2:6200/sda 100 \
  r1z3-10.0.3.1:6200/sda 150 r1z3-10.0.3.1:6200/sdb 150 \
  r2z1-10.1.1.1:6200/sda 100 r2z1-10.1.1.2:6200/sda 100 \
  r2z2-[fd00::1]:6200R[fd00::2]:6300/sda_ipv6 100 r2z2-10.1.2.1:6200/sdb 100 >/dev/null
swift-ring-builder "$b" rebalance 1 >/dev/null || true
swift-ring-builder "$b" remove d4 >/dev/null
swift-ring-builder "$b" pretend_min_part_hours_passed >/dev/null
swift-ring-builder "$b" rebalance 2 >/dev/null || true
cp "$work/multi.ring.gz" multi.ring.gz

# More than 65536 partitions (handoffs step through the partitions) and a
# fractional replica count (the last replica row is short).
b=$work/frac.builder
swift-ring-builder "$b" create 17 1.5 1 >/dev/null
swift-ring-builder "$b" add r1z1-10.0.0.1:6200/a 100 r1z2-10.0.0.2:6200/b 100 r1z3-10.0.0.3:6200/c 100 >/dev/null
swift-ring-builder "$b" rebalance 3 >/dev/null || true
cp "$work/frac.ring.gz" frac.ring.gz

/usr/bin/python3 gen.py multi.ring.gz frac.ring.gz > expected.json
