#!/usr/bin/python3
"""Checks that the source folders form a one-way stack of layers.

Reads every #include "..." of the C++ sources under common/, dataplane/,
controlplane/ and tools/, and fails (exit 1, naming file and include) when

  - two folders include each other, at the top level (dataplane <->
    controlplane) or one level down (dataplane/l7 <-> dataplane/worker): the
    include graph must have no cycle;
  - a file includes a layer it may not:
      common/                 only common/
      controlplane/           common/, controlplane/
      dataplane/ packet path  common/, dataplane/ (not the agent or rampartd)
      dataplane/agent/        common/, dataplane/
      dataplane/rampartd/     common/, dataplane/, controlplane/compiler and
                              controlplane/api (its start-up and its API)

With --graph it prints the folder graph (two levels) as well.

usage: tools/check_layers.py [--root DIR] [--graph]
"""
import argparse
import collections
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
SOURCE_ROOTS = ("common", "dataplane", "controlplane", "tools")
PACKET_PATH_EXCEPTIONS = ("dataplane/agent", "dataplane/rampartd")


def allowed(src, inc):
    """None if `src` may include `inc`, else the rule it breaks."""
    top = inc.split("/")[0]
    if src.startswith("common/"):
        return None if top == "common" else "common/ includes only common/"
    if src.startswith("controlplane/"):
        return None if top in ("common", "controlplane") else "controlplane/ includes only common/ and controlplane/"
    if src.startswith("dataplane/rampartd/"):
        if top in ("common", "dataplane") or inc.startswith(("controlplane/compiler/", "controlplane/api/")):
            return None
        return "rampartd includes common/, dataplane/, controlplane/compiler and controlplane/api"
    if src.startswith("dataplane/agent/"):
        return None if top in ("common", "dataplane") and not inc.startswith("dataplane/rampartd/") else \
            "the agent includes common/ and dataplane/"
    if src.startswith("dataplane/"):
        if top == "common" or (top == "dataplane" and not inc.startswith(PACKET_PATH_EXCEPTIONS)):
            return None
        return "the packet path includes only common/ and dataplane/ (not the agent or rampartd)"
    return None  # tools/: anything


def unit(path, depth):
    parts = path.split("/")
    return "/".join(parts[:depth]) if len(parts) > depth else parts[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument("--graph", action="store_true")
    a = ap.parse_args()
    os.chdir(a.root)
    files = []
    for r in SOURCE_ROOTS:
        for dp, dns, fs in os.walk(r):
            dns.sort()
            files += [os.path.join(dp, f) for f in sorted(fs) if f.endswith((".h", ".cc"))]
    problems = []
    edges = {1: collections.defaultdict(set), 2: collections.defaultdict(set)}
    for f in files:
        with open(f, errors="replace") as fh:
            text = fh.read()
        for inc in INCLUDE.findall(text):
            if not os.path.exists(inc) or inc.split("/")[0] not in SOURCE_ROOTS:
                continue  # generated (proto) or system-relative headers
            why = allowed(f, inc)
            if why:
                problems.append("%s: includes %s: %s" % (f, inc, why))
            for d in (1, 2):
                if unit(f, d) != unit(inc, d):
                    edges[d][unit(f, d)].add(unit(inc, d))
    for d in (1, 2):
        for x in sorted(edges[d]):
            for y in sorted(edges[d][x]):
                if x < y and x in edges[d].get(y, ()):
                    problems.append("%s and %s include each other" % (x, y))
    if a.graph:
        for x in sorted(edges[2]):
            print("%s -> %s" % (x, ", ".join(sorted(edges[2][x]))))
    for p in problems:
        print("FAIL  " + p)
    print("layers: %d files, %d problems" % (len(files), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
