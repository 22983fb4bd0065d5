"""Prints, as JSON, where Swift's own Ring places a list of paths in each
ring file given: partition, primary device ids in order, and the first
handoff device ids in order."""
import json
import sys

from swift.common import utils
from swift.common.ring import Ring

PREFIX, SUFFIX = "golden-prefix", "golden-suffix"
utils.HASH_PATH_PREFIX = PREFIX.encode()
utils.HASH_PATH_SUFFIX = SUFFIX.encode()

paths = [("AUTH_test", None, None), ("AUTH_test", "photos", None),
         ("AUTH_test", "photos", "cat.jpg"), ("a", "c", "o"),
         ("AUTH_\u00e9t\u00e9", "caf\u00e9", "\u65e5\u672c/\u8a9e/obj"),
         ("AUTH_test", "c", "x" * 1024)]
paths += [("AUTH_acct%d" % (i % 7), "cont%d" % (i % 13), "dir/obj-%d" % i)
          for i in range(200)]

out = {"hash_path_prefix": PREFIX, "hash_path_suffix": SUFFIX, "rings": {}}
for name in sys.argv[1:]:
    ring = Ring(name)
    cases = []
    for a, c, o in paths:
        part, nodes = ring.get_nodes(a, c, o)
        handoffs = []
        for i, dev in enumerate(ring.get_more_nodes(part)):
            if i == 12:
                break
            handoffs.append(dev["id"])
        cases.append({"account": a, "container": c or "", "object": o or "",
                      "partition": part,
                      "primaries": [d["id"] for d in nodes],
                      "handoffs": handoffs})
    out["rings"][name] = {"part_power": ring.part_power,
                          "replica_count": ring.replica_count,
                          "cases": cases}
json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
print()
