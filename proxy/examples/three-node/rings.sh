#!/bin/sh
# Builds the account, container and object rings of the three-node example
# cluster (README.md beside this file) in /srv/swiftlet/rings: part power
# 10, 3 replicas, min_part_hours 1; each node a zone of its own with two
# devices, so every partition has one replica per node.
#
#   SWIFTLET=path/to/swiftlet sh rings.sh      (default: swiftlet on PATH)
set -eu
swiftlet=${SWIFTLET:-swiftlet}
rings=/srv/swiftlet/rings
mkdir -p "$rings"

# <ring>.builder create <part power> <replicas> <min part hours>
# <ring>.builder add r<region>z<zone>-<ip>:<port>/<device> <weight> ...
$swiftlet ring "$rings/object.builder" create 10 3 1
$swiftlet ring "$rings/object.builder" add \
	r1z1-127.0.0.1:6200/sdb 100 r1z1-127.0.0.1:6200/sdc 100 \
	r1z2-127.0.0.2:6200/sdb 100 r1z2-127.0.0.2:6200/sdc 100 \
	r1z3-127.0.0.3:6200/sdb 100 r1z3-127.0.0.3:6200/sdc 100
$swiftlet ring "$rings/object.builder" rebalance

$swiftlet ring "$rings/container.builder" create 10 3 1
$swiftlet ring "$rings/container.builder" add \
	r1z1-127.0.0.1:6201/sdb 100 r1z1-127.0.0.1:6201/sdc 100 \
	r1z2-127.0.0.2:6201/sdb 100 r1z2-127.0.0.2:6201/sdc 100 \
	r1z3-127.0.0.3:6201/sdb 100 r1z3-127.0.0.3:6201/sdc 100
$swiftlet ring "$rings/container.builder" rebalance

$swiftlet ring "$rings/account.builder" create 10 3 1
$swiftlet ring "$rings/account.builder" add \
	r1z1-127.0.0.1:6202/sdb 100 r1z1-127.0.0.1:6202/sdc 100 \
	r1z2-127.0.0.2:6202/sdb 100 r1z2-127.0.0.2:6202/sdc 100 \
	r1z3-127.0.0.3:6202/sdb 100 r1z3-127.0.0.3:6202/sdc 100
$swiftlet ring "$rings/account.builder" rebalance
