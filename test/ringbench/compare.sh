#!/usr/bin/env bash
# Side-by-side of `swiftlet ring` and OpenStack Swift's swift-ring-builder on
# the same device sets: wall time of create+add+rebalance, balance and
# dispersion afterwards, and the partition replicas moved when one device is
# added and when one is removed (with the balance after each).
#
# Needs swift-ring-builder (Debian: apt-get install swift) and a built
# swiftlet (make build). Usage:
#   test/ringbench/compare.sh [PART_POWER] [SET ...]
# Sets: uniform-100 uniform-1000 mixed-100 regions-120 uneven-40
#       uneven-40-overload (default: all). Prints a Markdown table.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SWIFTLET=${SWIFTLET:-$here/../../bin/swiftlet}
SRB=${SRB:-swift-ring-builder}
PP=${1:-18}
shift || true
SETS=("$@")
((${#SETS[@]})) || SETS=(uniform-100 uniform-1000 mixed-100 regions-120 uneven-40 uneven-40-overload)
command -v "$SRB" >/dev/null || { echo "swift-ring-builder not found (apt-get install swift)" >&2; exit 2; }
[ -x "$SWIFTLET" ] || { echo "$SWIFTLET not found (make build)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# devices SET prints "add-value weight" pairs; extra SET prints the device
# added in the second step; overload SET the overload to set.
devices() {
  local r z s d
  case $1 in
  uniform-100) for z in $(seq 1 10); do for s in 1 2; do for d in $(seq 1 5); do
      echo "r1z$z-10.0.$z.$s:6200/d$d 100"; done; done; done ;;
  uniform-1000) for z in $(seq 1 10); do for s in $(seq 1 10); do for d in $(seq 1 10); do
      echo "r1z$z-10.0.$z.$s:6200/d$d 100"; done; done; done ;;
  mixed-100) # disks of 4, 8, 12 and 16 TB mixed within servers
    local w=(400 800 1200 1600 800)
    for z in $(seq 1 10); do for s in 1 2; do for d in $(seq 1 5); do
      echo "r1z$z-10.0.$z.$s:6200/d$d ${w[$(( (d + s + z) % 5 ))]}"; done; done; done ;;
  regions-120) # a big and a small region with servers of different sizes
    for z in $(seq 1 6); do for s in 1 2; do for d in $(seq 1 6); do
      echo "r1z$z-10.1.$z.$s:6200/d$d 100"; done; done; done
    for z in $(seq 1 4); do for s in 1 2 3; do for d in 1 2; do
      echo "r2z$z-10.2.$z.$s:6200/d$d 200"; done; done; done ;;
  uneven-40|uneven-40-overload) # one zone with as many disks as two others
    for d in $(seq 1 16); do echo "r1z1-10.0.1.$(( (d - 1) / 4 + 1 )):6200/d$d 100"; done
    for z in $(seq 2 5); do for d in $(seq 1 6); do
      echo "r1z$z-10.0.$z.$(( (d - 1) / 3 + 1 )):6200/d$d 100"; done; done ;;
  esac
}
extra() {
  case $1 in
  regions-120) echo "r2z1-10.2.1.9:6200/new 200" ;;
  mixed-100) echo "r1z1-10.0.1.9:6200/new 1600" ;;
  *) echo "r1z1-10.0.1.9:6200/new 100" ;;
  esac
}
overload() { [ "$1" = uneven-40-overload ] && echo 0.2 || echo 0; }

srb() { "$SRB" "$@"; }
slr() { "$SWIFTLET" ring "$@"; }
now() { date +%s.%N; }
# figures TOOL BUILDER prints "balance dispersion" with six decimals.
figures() {
  "$1" "$2" dispersion 2>/dev/null | sed -n 's/^Dispersion is \([0-9.]*\), Balance is \([0-9.]*\),.*/\2 \1/p'
}
moved() { sed -n 's/^Reassigned \([0-9]*\) .*/\1/p'; }

run() { # TOOL SET -> "build_seconds balance dispersion add_moved add_balance remove_moved remove_balance"
  local tool=$1 set=$2 dir b t0 t1 add rem
  dir=$work/$tool-$set
  mkdir -p "$dir"
  b=$dir/object.builder
  local devs
  devs=$(devices "$set") # outside the timing: generating it takes a while in bash
  t0=$(now)
  "$tool" "$b" create "$PP" 3 1 >/dev/null
  # shellcheck disable=SC2086
  "$tool" "$b" add $devs >/dev/null 2>&1
  [ "$(overload "$set")" = 0 ] || "$tool" "$b" set_overload "$(overload "$set")" >/dev/null
  "$tool" "$b" rebalance 1 >/dev/null || true
  t1=$(now)
  read -r bal disp < <(figures "$tool" "$b")
  "$tool" "$b" pretend_min_part_hours_passed >/dev/null
  # shellcheck disable=SC2046
  "$tool" "$b" add $(extra "$set") >/dev/null 2>&1
  add=$("$tool" "$b" rebalance 2 | moved || true)
  read -r abal _ < <(figures "$tool" "$b")
  "$tool" "$b" pretend_min_part_hours_passed >/dev/null
  "$tool" "$b" remove d0 >/dev/null
  rem=$("$tool" "$b" rebalance 3 | moved || true)
  read -r rbal _ < <(figures "$tool" "$b")
  echo "$(echo "$t1 - $t0" | bc -l) $bal $disp ${add:-0} $abal ${rem:-0} $rbal"
}

echo "| set | tool | create+add+rebalance s | balance | dispersion | moved on add (balance) | moved on remove (balance) |"
echo "|---|---|---|---|---|---|---|"
for set in "${SETS[@]}"; do
  read -r st sb sd sa sab sr srb < <(run srb "$set")
  read -r wt wb wd wa wab wr wrb < <(run slr "$set")
  printf '| %s | swift-ring-builder | %.2f | %s | %s | %s (%s) | %s (%s) |\n' "$set" "$st" "$sb" "$sd" "$sa" "$sab" "$sr" "$srb"
  printf '| %s | swiftlet ring | %.2f | %s | %s | %s (%s) | %s (%s) |\n' "$set" "$wt" "$wb" "$wd" "$wa" "$wab" "$wr" "$wrb"
  printf '| %s | speed-up | %.0fx | | | | |\n' "$set" "$(echo "$st / $wt" | bc -l)"
done
