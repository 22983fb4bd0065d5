#!/usr/bin/python3
"""Generates swift_listings.json: listings computed by OpenStack Swift's own
ContainerBroker.list_objects_iter and AccountBroker.list_containers_iter
(Debian's swift 2.30.1) over a fixed set of names, for listingtest to replay
against our stores.

Run from this directory with Debian's python (which has swift installed):

    /usr/bin/python3 gen_swift_listings.py > swift_listings.json
"""
import json
import random
import sys

from swift.account.backend import AccountBroker
from swift.common.utils import Timestamp
from swift.container.backend import ContainerBroker

# Live names: ASCII around the delimiters, bytes just below and above '/'
# ('.' 0x2e, '0' 0x30), names that are a subdir themselves, and UTF-8 of
# two, three and four bytes.
LIVE = [
    "a", "a/", "a/b", "a/b/c", "a/c", "a.b", "a0", "a-b", "a-b-c", "ab",
    "b", "b/", "b/a", "b/a/", "b/a/b", "c//d", "/x", "//", "d/e/f", "e",
    "x.", "x/", "x0", "x/.", "x/0", "x./y", "x//", "x/./y",
    "\u00e9", "\u00e9/a", "\u00e9a", "\u65e5\u672c/\u8a9e", "\u65e5\u672c\u8a9e",
    "z\u00ff", "z\u0100", "z\U0001F600", "\U0001D11E/a", "\U0001D11E/b/c",
    "-", "--", "-/-", "a.b.c", "q/r/s/t", "q/r/s/u", "q/r/v", "q/w",
]
# Deleted rows: never listed, never make a subdir appear on their own.
DELETED = ["a/d", "deleted-only/x", "deleted-only/y", "e/", "f", "b/z/q", "q/r/z"]

MARKERS = ["", "a", "a/", "a/a", "a/b", "a/bb", "a/c", "a0", "b/", "b/a/",
           "c", "d/", "e", "q/r/", "q/r/s/t", "x/", "x/.", "zz", "\u00e9",
           "\u65e5", "\U0001D11E/", "-", "~", "0"]
PREFIXES = ["", "a", "a/", "a/b", "b/", "b/a/", "x", "x/", "q/", "q/r/",
            "\u00e9", "\u65e5\u672c", "\U0001D11E/", "z", "-", "nope", "deleted-only/"]
DELIMITERS = ["", "/", "-", ".", "a", "b"]
LIMITS = [1, 2, 3, 5, 10000]


def queries():
    out = []
    # Every prefix and delimiter, both directions, no markers.
    for p in PREFIXES:
        for d in DELIMITERS:
            for r in (False, True):
                out.append(dict(limit=10000, marker="", end_marker="",
                                prefix=p, delimiter=d, reverse=r))
    # Every marker as marker and as end_marker with and without '/'.
    for m in MARKERS:
        for d in ("", "/"):
            for r in (False, True):
                out.append(dict(limit=10000, marker=m, end_marker="",
                                prefix="", delimiter=d, reverse=r))
                out.append(dict(limit=10000, marker="", end_marker=m,
                                prefix="", delimiter=d, reverse=r))
    # Random combinations.
    rnd = random.Random(20250101)
    for _ in range(600):
        marker = rnd.choice(MARKERS) if rnd.random() < 0.7 else ""
        end_marker = rnd.choice(MARKERS) if rnd.random() < 0.4 else ""
        out.append(dict(limit=rnd.choice(LIMITS), marker=marker,
                        end_marker=end_marker,
                        prefix=rnd.choice(PREFIXES),
                        delimiter=rnd.choice(DELIMITERS),
                        reverse=rnd.random() < 0.5))
    return out


def main():
    ts = Timestamp(1700000000)
    cb = ContainerBroker(":memory:", account="a", container="c")
    cb.initialize(ts.internal, 0)
    ab = AccountBroker(":memory:", account="a")
    ab.initialize(ts.internal)
    put = Timestamp(1700000001).internal
    gone = Timestamp(1700000002).internal
    for n in LIVE:
        cb.put_object(n, put, 1, "text/plain", "etag")
        ab.put_container(n, put, "0", 1, 1, 0)
    for n in DELETED:
        cb.put_object(n, put, 1, "text/plain", "etag")
        cb.delete_object(n, gone)
        ab.put_container(n, put, gone, 0, 0, 0)

    cases = []
    for q in queries():
        args = (q["limit"], q["marker"], q["end_marker"], q["prefix"],
                q["delimiter"] or None)
        objs = cb.list_objects_iter(*args, reverse=q["reverse"])
        # Subdir rows are lists [dir, '0', 0, None, ''].
        want = [{"subdir": r[0]} if isinstance(r, list) and r[3] is None
                else {"name": r[0]} for r in objs]
        conts = ab.list_containers_iter(*args, reverse=q["reverse"])
        # Subdir rows are lists [dir, 0, 0, '0', 1]; containers end in 0.
        want_accounts = [{"subdir": r[0]} if r[4] == 1 else {"name": r[0]}
                         for r in conts]
        if want != want_accounts:
            sys.exit("account and container listings differ for %r" % q)
        q["want"] = want
        cases.append(q)

    json.dump({"swift": "2.30.1", "live": LIVE, "deleted": DELETED,
               "cases": cases}, sys.stdout, ensure_ascii=False, indent=None,
              separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
