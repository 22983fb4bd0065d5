"""Times OpenStack Swift's own ring lookups, for comparison with
`go test ./ring -bench 'Partition|Lookup|FirstHandoff'`.

Usage: /usr/bin/python3 test/ringbench/lookup_swift.py RING_FILE
(a Swift ring, e.g. the one test/ringbench/compare.sh builds with
swift-ring-builder; Debian's swift package provides the module)."""
import sys
import timeit

from swift.common import utils

utils.HASH_PATH_PREFIX = b"bench-prefix"
utils.HASH_PATH_SUFFIX = b"bench-suffix"
from swift.common.ring import Ring  # noqa: E402 (needs the salt set first)

ring = Ring(sys.argv[1])
path = ("AUTH_test", "photos", "2026/11/25/IMG_0042.jpg")
part = ring.get_part(*path)


def first_handoff():
    for _ in ring.get_more_nodes(part):
        break


n = 200000
for name, fn in (("get_part", lambda: ring.get_part(*path)),
                 ("get_nodes", lambda: ring.get_nodes(*path)),
                 ("first handoff", first_handoff)):
    print("%-14s %8.0f ns/op" % (name, timeit.timeit(fn, number=n) / n * 1e9))
