#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Keeps the layers true: every #include points down the layer list (or
stays in its own layer), and the modules' include graph has no cycle.

Usage: layers.py [ROOT]   (ctest runs it; exit 1 with the offending lines)

A module is the files of one name up to its first underscore: a .c, its .h,
and the parts split off it (scanner/engine/conn.c, conn.h, conn_io.c,
conn_tls.c, conn_internal.h). The layers, lowest first, are the folders
below; DESIGN.md says what each owns.
"""
import os
import re
import sys

LAYERS = [
    "scanner/base",    # bytes, text, the hash set
    "scanner/result",  # what a probe found: statuses, results, rows
    "scanner/input",   # target lines, the feeder, address ranges and lists
    "resolver",        # c-ares on libuv, DNS answers, MX rules
    "scanner/tls",     # wolfSSL over memory, our ClientHello, names, certificates, chains
    "output",          # cells, columns, formats, the writer, the summary, progress
    "scanner/dialog",  # the reply reader, one file per protocol, SASL, the services table
    "scanner/engine",  # connections, admission, probes, dedup, jobs, workers, the scan
    "scanner/cli",     # the command line, usage, check, main
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(path):
    for i, layer in enumerate(LAYERS):
        if path.startswith(layer + "/") and "/" not in path[len(layer) + 1:]:
            return i
    return None


def module_of(path):
    d, name = os.path.split(os.path.splitext(path)[0])
    return d + "/" + name.split("_")[0]


def sources(root):
    for layer in LAYERS:
        d = os.path.join(root, layer)
        for name in sorted(os.listdir(d)):
            if name.endswith((".c", ".h")):
                yield layer + "/" + name


def find_cycle(graph):
    """A cycle as a list of modules, or None (iterative DFS, colours)."""
    colour = {m: 0 for m in graph}
    for start in sorted(graph):
        if colour[start]:
            continue
        stack = [(start, iter(sorted(graph[start])))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
            elif colour.get(nxt, 2) == 1:
                return path[path.index(nxt):] + [nxt]
            elif colour.get(nxt) == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = []
    graph = {}
    for path in sources(root):
        here = layer_of(path)
        mod = module_of(path)
        graph.setdefault(mod, set())
        text = open(os.path.join(root, path)).read()
        for inc in INCLUDE.findall(text):
            there = layer_of(inc)
            if there is None:
                if inc.startswith(("scanner/", "output/", "resolver/")):
                    problems.append("%s includes %s, which is in no layer" % (path, inc))
                continue
            if there > here:
                problems.append("%s (%s) includes %s (%s): up the layer list" %
                                (path, LAYERS[here], inc, LAYERS[there]))
            if module_of(inc) != mod:
                graph[mod].add(module_of(inc))
    for mod in list(graph):
        graph[mod] = {m for m in graph[mod] if m in graph}
    cycle = find_cycle(graph)
    if cycle:
        problems.append("the module include graph has a cycle: " + " -> ".join(cycle))
    for p in problems:
        print(p)
    print("%d modules in %d layers, %d problems" % (len(graph), len(LAYERS), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
